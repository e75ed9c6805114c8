"""k-map against a population table (context counts) or a Poisson estimate."""

from __future__ import annotations

import numpy as np
import pytest

from unlinkable.errors import ConfigError, InputError
from unlinkable.models import ModelContext, model_from_config
from unlinkable.models.base import ClassStatistics
from unlinkable.models.kmap import KMap, derived_k

scipy_stats = pytest.importorskip("scipy.stats")


def test_population_counts():
    stats = ClassStatistics(np.array([0, 0, 1, 2]), np.array([2, 1, 1]),
                            context={"population_counts": np.array([10, 4, 5])})
    assert KMap(5, population="p.csv").check(stats).tolist() == [True, False, True]
    with pytest.raises(InputError, match="population"):
        KMap(5, population="p.csv").check(ClassStatistics(np.array([0]), np.array([1])))


def test_derived_k_poisson_by_hand():
    # lambda = 0.5 * 4 = 2; P(X <= x): 0.135, 0.406, 0.677, 0.857, 0.947, 0.983 -> first >= 0.95 at x = 5;
    # ARX's loop leaves its counter at 6 and returns counter + 1 = 7.
    assert derived_k(4, 0.5, estimator="poisson", significance=0.05) == 7
    # zero-truncated: P(X = x | X > 0) = pmf(x) / (1 - e^-2); cumulative over x = 1..: 0.313, 0.626, 0.835,
    # 0.940, 0.982 -> reaches 0.95 at x = 5, ARX returns 6
    assert derived_k(4, 0.5, estimator="zero-truncated-poisson", significance=0.05) == 6


def test_estimated_k_is_capped():
    model = KMap(4, estimator="poisson", significance=0.05, population_size=200)  # f = 100 / 200
    assert model.effective_k(100) == 4   # min(k, 7)
    stats = ClassStatistics(np.repeat([0, 1], [4, 3]), np.array([4, 3]))
    # n = 7, f = 7/200, lambda = 0.14: P(X <= 0) = 0.869, P(X <= 1) = 0.991 -> counter 2 -> 3
    assert model.effective_k(7) == 3
    assert model.check(stats).tolist() == [True, True]


def test_from_config_resolves_paths_and_population(tmp_path):
    model = model_from_config({"k-map": {"k": 3, "population": "people.csv"}}, ModelContext(base_dir=tmp_path))
    assert model.population == str(tmp_path / "people.csv")
    again = model_from_config(model.to_dict(), ModelContext(base_dir=tmp_path / "elsewhere"))
    assert again.population == model.population
    est = model_from_config({"k-map": {"k": 3, "estimator": "poisson"}}, ModelContext(sampling_fraction=0.1))
    assert est.sampling_fraction == 0.1


@pytest.mark.parametrize("params", [
    {"k": 0, "population": "p.csv"}, {"k": 3}, {"k": 3, "population": "p.csv", "estimator": "poisson"},
    {"k": 3, "estimator": "poisson"}, {"k": 3, "estimator": "binomial", "population_size": 10},
    {"k": 3, "estimator": "poisson", "population_size": 10, "significance": 2},
])
def test_bad_parameters(params):
    with pytest.raises(ConfigError):
        model_from_config({"k-map": params})
