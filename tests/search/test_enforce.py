"""Table-level models are met by suppressing the smallest classes (ARX's enforcement, issue 9.4)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
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


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 60), st.booleans(), st.data())
def test_candidates_are_ordered_by_size_loss_and_first_record(seed, n, canonical, data):
    # ARX's order of the classes a table-level model may suppress, against the records themselves
    from unlinkable.hierarchies.hierarchy import Hierarchy
    from unlinkable.search import NodeEvaluator
    from unlinkable.search.lattice import Lattice
    from unlinkable.transform.generalize import Generalizer
    from unlinkable.utility.loss import LossMetric

    rng = np.random.default_rng(seed)
    maps = [Hierarchy([[f"v{i}", f"g{i // 2}", "*"] for i in range(card)]).encode([f"v{i}" for i in range(card)])
            for card in (3, 5)]
    codes = np.column_stack([rng.integers(0, 3, n), rng.integers(0, 5, n)])
    lattice = Lattice([gm.levels for gm in maps])
    ev = NodeEvaluator(Generalizer(codes, maps, canonical=canonical), lattice, ["a", "b"], [SampleUniqueness(threshold=0.0)],
                       LossMetric(), suppression_limit=1.0)
    nc = ev.g.classes(lattice.level_tuple(data.draw(st.integers(0, lattice.size - 1))), need_bottom_map=True)
    stats = ev._stats(nc)
    suppressed = rng.random(nc.classes) < 0.3
    top = ev._top_classes(nc)
    got = ev._candidates(nc, stats, suppressed, top).tolist()
    rows = ev.g.record_class(nc)
    first = [int(np.flatnonzero(rows == c)[0]) for c in range(nc.classes)]
    losses = ev.metric.class_losses(nc.levels, nc.sizes, nc.gen, ev.g.maps)
    keep = [c for c in range(nc.classes) if not suppressed[c] and not top[c] and nc.sizes[c] > 0]
    assert got == sorted(keep, key=lambda c: (nc.sizes[c], losses[c], first[c]))
