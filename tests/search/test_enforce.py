"""Table-level models are met by suppressing the smallest classes (ARX's enforcement, issue 9.4)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from unlinkable.models.average_risk import AverageReidentificationRisk
from unlinkable.models.base import ClassStatistics
from unlinkable.models.uniqueness import SampleUniqueness
from unlinkable.search.enforce import binary_suppression, enforce


@given(st.integers(0, 40), st.data())
def test_binary_search_finds_the_shortest_prefix_of_a_monotone_condition(count, data):
    need = data.draw(st.integers(0, count))
    done = binary_suppression(count, lambda mask: int(mask.sum()) >= need)
    # brute force: the shortest prefix that meets the condition
    assert done.tolist() == [i < need for i in range(count)]


@given(st.lists(st.integers(1, 6), min_size=1, max_size=12), st.sampled_from([0.0, 0.05, 0.2, 0.5]))
def test_sample_uniqueness_is_met_by_suppressing_as_few_small_classes_as_needed(sizes, threshold):
    sizes = np.array(sizes)
    stats = ClassStatistics(np.repeat(np.arange(len(sizes)), sizes), sizes)
    none = np.zeros(len(sizes), dtype=bool)
    order = np.lexsort((np.arange(len(sizes)), sizes))
    out = enforce([SampleUniqueness(threshold=threshold)], stats, none, order, none)
    assert SampleUniqueness(threshold=threshold).holds(stats, ~out)
    # brute force over prefixes of the same order: no shorter prefix meets the model
    k = int(out.sum())
    assert out[order[:k]].all()
    for shorter in range(k):
        released = np.ones(len(sizes), dtype=bool)
        released[order[:shorter]] = False
        assert not SampleUniqueness(threshold=threshold).holds(stats, released)


def test_cap_stops_at_the_limit():
    sizes = np.array([1, 1, 1, 10])
    stats = ClassStatistics(np.repeat(np.arange(4), sizes), sizes)
    none = np.zeros(4, dtype=bool)
    order = np.array([0, 1, 2, 3])
    # average risk 4/13 > 0.15; suppressing the three singletons gives 1/10: 3 records needed
    assert enforce([AverageReidentificationRisk(threshold=0.15)], stats, none, order, none).tolist() == [True, True, True, False]
    capped = enforce([AverageReidentificationRisk(threshold=0.15)], stats, none, order, none, cap=2)
    assert int(sizes[capped].sum()) > 2   # over the cap: the transformation is not anonymous
