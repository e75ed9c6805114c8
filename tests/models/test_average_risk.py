"""Average re-identification risk: hand-worked tables and a brute-force oracle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError
from unlinkable.models import model_from_config
from unlinkable.models.average_risk import AverageReidentificationRisk
from unlinkable.models.base import ClassStatistics


def stats_of(sizes):
    sizes = np.asarray(sizes)
    return ClassStatistics(np.repeat(np.arange(len(sizes)), sizes), sizes)


def test_hand_worked():
    # sizes 1, 2, 5: mean over records of 1/|class| = (1 + 2 * 1/2 + 5 * 1/5) / 8 = 3/8
    stats = stats_of([1, 2, 5])
    everything = np.ones(3, dtype=bool)
    assert AverageReidentificationRisk(threshold=0.375).holds(stats, everything)
    assert not AverageReidentificationRisk(threshold=0.37).holds(stats, everything)
    # without the unique: 2 classes / 7 records = 0.2857
    assert AverageReidentificationRisk(threshold=0.29).holds(stats, np.array([False, True, True]))


def test_empty_release_holds_like_arx():
    # ARX 3.9.2 AverageReidentificationRisk.isFulfilled: "All suppressed" -> true
    assert AverageReidentificationRisk(threshold=0.01).holds(stats_of([3]), np.array([False]))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=8), st.floats(0.01, 1.0))
def test_against_mean_of_record_risks(sizes, threshold):
    stats = stats_of(sizes)
    risks = [1 / s for s in sizes for _ in range(s)]
    mean = sum(risks) / len(risks)
    if abs(mean - threshold) > 1e-9:
        assert AverageReidentificationRisk(threshold=threshold).holds(stats, np.ones(len(sizes), dtype=bool)) == (mean <= threshold)


@pytest.mark.parametrize("params", [{"threshold": 0}, {"threshold": 1.5}, {}, {"threshold": 0.1, "k": 2}])
def test_bad_parameters(params):
    with pytest.raises(ConfigError):
        model_from_config({"average-risk": params})
