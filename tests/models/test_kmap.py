"""k-map against a population table (context counts) or a Poisson estimate."""

from __future__ import annotations

import numpy as np
import pytest

from unlinkable.errors import ConfigError, InputError
from unlinkable.models import ModelContext, model_from_config
from unlinkable.models.base import ClassStatistics
from unlinkable.models.kmap import KMap, derived_k


def test_population_counts():
    stats = ClassStatistics(np.array([0, 0, 1, 2]), np.array([2, 1, 1]),
                            context={"population_counts": np.array([10, 4, 5])})
    assert KMap(k=5, population="p.csv").check(stats).tolist() == [True, False, True]
    with pytest.raises(InputError, match="population"):
        KMap(k=5, population="p.csv").check(ClassStatistics(np.array([0]), np.array([1])))


def test_derived_k_poisson_by_hand():
    # lambda = 0.5 * 4 = 2; P(X <= x): 0.135, 0.406, 0.677, 0.857, 0.947, 0.983 -> first >= 0.95 at x = 5;
    # ARX's loop leaves its counter at 6 and returns counter + 1 = 7.
    assert derived_k(4, 0.5, estimator="poisson", significance=0.05) == 7
    # zero-truncated: P(X = x | X > 0) = pmf(x) / (1 - e^-2); cumulative over x = 1..: 0.313, 0.626, 0.835,
    # 0.940, 0.982 -> reaches 0.95 at x = 5, ARX returns 6
    assert derived_k(4, 0.5, estimator="zero-truncated-poisson", significance=0.05) == 6


def test_estimated_k_is_capped():
    model = KMap(k=4, estimator="poisson", significance=0.05, population_size=200)  # f = 100 / 200
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


def test_research_subset_hand_worked(tmp_path):
    # ARX's KMap(k, DataSubset): the data table is the population, the subset is released.
    # Data ages 21 21 22 22 35 35 35, subset rows 0, 2, 4: at level 0 the subset's classes {21}, {22},
    # {35} match 2, 2 and 3 records of the data -> 2-map holds with nothing generalized, 3-map needs
    # decades (20-29 matches 4, 30-39 matches 3). Rows outside the subset are withheld ('*').
    import polars as pl

    from unlinkable.anonymizer import Anonymizer
    from unlinkable.errors import VerificationError
    from unlinkable.hierarchies.hierarchy import Hierarchy
    from unlinkable.verify import verify_release

    age = Hierarchy([[str(a), f"{a // 10 * 10}-{a // 10 * 10 + 9}", "*"] for a in range(20, 40)])
    frame = pl.DataFrame({"age": ["21", "21", "22", "22", "35", "35", "35"]})
    path = tmp_path / "subset.csv"
    frame[[0, 2, 4]].write_csv(path)
    released = {}
    for k, level, shown in [(2, 0, ["21", "*", "22", "*", "35", "*", "*"]),
                            (3, 1, ["20-29", "*", "20-29", "*", "30-39", "*", "*"])]:
        privacy = [{"k-map": {"k": k, "subset": str(path)}}]
        result = Anonymizer(quasi_identifiers=["age"], hierarchies={"age": age}, privacy=privacy,
                            insensitive=[], progress=False).fit(frame)
        assert result.transformation == {"age": level}
        assert result.table["age"].to_list() == shown
        models = [model_from_config(p) for p in privacy]
        verify_release(result.table, original=frame, quasi_identifiers=["age"], models=models, suppression_limit=0.0,
                       hierarchies={"age": age})
        released[k] = (result.table, models)
    table, models = released[3]
    # the 2-map release does not hold 3-map: {21} matches 2 records of the data
    with pytest.raises(VerificationError, match="3-map against the data table"):
        verify_release(released[2][0], original=frame, quasi_identifiers=["age"], models=models,
                       suppression_limit=0.0, hierarchies={"age": age})
    leaked = table.with_columns(age=pl.Series(["20-29", "20-29", "20-29", "*", "30-39", "*", "*"]))
    with pytest.raises(VerificationError, match="outside the research subset"):
        verify_release(leaked, original=frame, quasi_identifiers=["age"], models=models, suppression_limit=0.0,
                       hierarchies={"age": age})


def test_research_subset_parameters(tmp_path):
    model = model_from_config({"k-map": {"k": 3, "subset": "s.csv"}}, ModelContext(base_dir=tmp_path))
    assert model.subset == str(tmp_path / "s.csv") and model.population is None
    assert model_from_config(model.to_dict()).subset == model.subset
    with pytest.raises(ConfigError, match="exactly one"):
        model_from_config({"k-map": {"k": 3, "subset": "s.csv", "population": "p.csv"}})
