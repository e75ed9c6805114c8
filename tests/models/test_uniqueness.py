"""Sample and population uniqueness thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from unlinkable.errors import ConfigError
from unlinkable.models import ModelContext, model_from_config
from unlinkable.models.base import ClassStatistics
from unlinkable.models.uniqueness import PopulationUniqueness, SampleUniqueness
from unlinkable.risk import population


def stats_of(sizes):
    sizes = np.asarray(sizes)
    return ClassStatistics(np.repeat(np.arange(len(sizes)), sizes), sizes)


def test_sample_uniqueness_hand_worked():
    # sizes 1, 1, 3, 5: 2 unique records of 10
    stats = stats_of([1, 1, 3, 5])
    everything = np.ones(4, dtype=bool)
    assert SampleUniqueness(threshold=0.2).holds(stats, everything)
    assert not SampleUniqueness(threshold=0.19).holds(stats, everything)
    assert SampleUniqueness(threshold=0.0).holds(stats, np.array([False, False, True, True]))
    # ARX 3.9.2: getFractionOfRecordsInClassesOfSize is 0 on an empty distribution, so it holds
    assert SampleUniqueness(threshold=0.0).holds(stats, np.zeros(4, dtype=bool))


def test_population_uniqueness_uses_the_estimator():
    stats = stats_of([1, 1, 1, 2, 3, 5, 8])
    released = np.ones(7, dtype=bool)
    for estimator in ("pitman", "zayatz", "snb", "dankar"):
        model = PopulationUniqueness(threshold=0.5, estimator=estimator, population_size=1000)
        expected = getattr(population.population_uniqueness(stats.sizes, population_size=1000), estimator)
        value = 0.0 if expected is None else expected
        assert model.estimate(stats, released) == value
        ok = (0 < value <= 0.5)
        assert model.holds(stats, released) == ok


def test_population_uniqueness_without_uniques_and_empty():
    stats = stats_of([2, 3])
    model = PopulationUniqueness(threshold=0.0, estimator="zayatz", population_size=100)
    assert model.holds(stats, np.ones(2, dtype=bool))      # no sample uniques: estimate 0 accepted
    assert model.holds(stats, np.zeros(2, dtype=bool))     # all suppressed passes (ARX)


def test_sampling_fraction_gives_population_like_arx():
    model = PopulationUniqueness(threshold=0.1, sampling_fraction=0.3, estimator="zayatz")
    assert model.population(10) == 33   # round(10 / 0.3) = round(33.33)
    assert PopulationUniqueness(threshold=0.1, sampling_fraction=0.4).population(5) == 13  # Java round(12.5) = 13


def test_flags_follow_arx():
    assert PopulationUniqueness(threshold=0.1, estimator="zayatz", population_size=10).monotone_generalization
    assert not PopulationUniqueness(threshold=0.1, estimator="pitman", population_size=10).monotone_generalization
    assert not PopulationUniqueness(threshold=0.1, population_size=10).monotone_suppression


def test_from_config_reads_population_from_context():
    model = model_from_config({"population-uniqueness": {"threshold": 0.01}}, ModelContext(population_size=317238626))
    assert model.population_size == 317238626 and model.estimator == "dankar"


@pytest.mark.parametrize("item", [
    {"sample-uniqueness": {"threshold": 2}},
    {"sample-uniqueness": {}},
    {"population-uniqueness": {"threshold": 0.1}},  # no population
    {"population-uniqueness": {"threshold": 0.1, "population_size": 10, "estimator": "guess"}},
    {"population-uniqueness": {"threshold": 0.1, "population_size": 10, "sampling_fraction": 0.1}},
])
def test_bad_parameters(item):
    with pytest.raises(ConfigError):
        model_from_config(item)
