"""ARX's monotonic metrics (non-uniform entropy, DM*): hand-worked values, a per-record brute force,
monotonicity on random lattices with suppression, and FLASH against the exhaustive oracle."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lattice_problems import evaluator, problems  # tests/utility/lattice_problems.py

from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.search.exhaustive import exhaustive_search
from unlinkable.search.flash import Flash, strategy_keys
from unlinkable.utility import metric_from_name
from unlinkable.utility.monotonic import MonotonicDiscernibilityMetric, MonotonicEntropyMetric, MonotonicPrecisionMetric


def test_hand_worked_table():
    # zip: 1 1 1 2 -> level 1 '*'; k = 2 suppresses the class {2} at level 0.
    h = Hierarchy([["1", "*"], ["2", "*"]])
    codes = np.array([[0], [0], [0], [1]])
    maps = [h.encode(["1", "2"])]
    entropy, _ = evaluator(codes, maps, 2, 0.5, MonotonicEntropyMetric())
    dm, _ = evaluator(codes, maps, 2, 0.5, MonotonicDiscernibilityMetric())
    # level 0: nothing generalized, entropy 0 (the suppressed record is not charged); DM* 3^2 + 1^2
    assert entropy.outcome(0).score.value == 0.0 and entropy.outcome(0).suppressed_records == 1
    assert dm.outcome(0).score.value == 10.0
    # level 1: 3 records lose log2(4/3) bits, 1 record log2(4/1) = 2 bits; DM* 4^2
    expected = math.floor((3 * math.log2(4 / 3) + 2) * 1e10) / 1e10
    assert abs(entropy.outcome(1).score.value - expected) <= 1e-10
    assert dm.outcome(1).score.value == 16.0


def brute_force_entropy(codes, maps, levels):
    """Per record and attribute: log2(frequency of the released value / frequency of the value)."""
    total = 0.0
    for j, gm in enumerate(maps):
        col = codes[:, j]
        gen = gm.table[col, levels[j]]
        per = 0.0
        for i in range(codes.shape[0]):
            per += math.log2(np.count_nonzero(gen == gen[i]) / np.count_nonzero(col == col[i]))
        total += math.floor(per * 1e10) / 1e10
    return total


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.data())
def test_scores_match_a_brute_force_and_ignore_suppression(problem, data):
    codes, maps, k, limit = problem
    entropy, lattice = evaluator(codes, maps, k, limit, MonotonicEntropyMetric())
    dm, _ = evaluator(codes, maps, k, limit, MonotonicDiscernibilityMetric())
    node = data.draw(st.integers(0, lattice.size - 1))
    out = entropy.outcome(node)
    assert abs(out.score.value - brute_force_entropy(codes, maps, out.levels)) <= 1e-9 * max(1.0, out.score.value)
    sizes = dm.outcome(node).classes.sizes
    assert dm.outcome(node).score.value == float(sum(int(s) ** 2 for s in sizes))
    precision, _ = evaluator(codes, maps, k, limit, MonotonicPrecisionMetric())
    heights = [gm.max_level for gm in maps]
    expected = sum(lv / h if h else 0.0 for lv, h in zip(out.levels, heights)) / len(maps)
    assert abs(precision.outcome(node).score.value - expected) <= 1e-12


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from(["entropy-monotonic", "discernibility-monotonic", "precision-monotonic"]))
def test_declared_monotone_with_suppression(problem, name):
    codes, maps, k, limit = problem
    metric = metric_from_name(name)
    assert metric.monotone(limit)
    ev, lattice = evaluator(codes, maps, k, limit, metric)
    for v in range(lattice.size):
        for s in lattice.successors(v):
            assert ev.outcome(s).score.value >= ev.outcome(v).score.value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from(["entropy-monotonic", "discernibility-monotonic", "precision-monotonic"]))
def test_flash_finds_the_exhaustive_optimum(problem, name):
    codes, maps, k, limit = problem
    ev, lattice = evaluator(codes, maps, k, limit, metric_from_name(name))
    optima, results = exhaustive_search(ev)
    ev2, _ = evaluator(codes, maps, k, limit, metric_from_name(name))
    out = Flash(lattice, ev2.result, strategy_keys(lattice, [[len(x) for x in gm.labels] for gm in maps]),
                privacy=ev2.privacy_monotonicity(), metric_monotone=metric_from_name(name).monotone(limit)).run()
    if not optima:
        assert out.optimum is None
        return
    assert results[out.optimum].anonymous and results[out.optimum].loss == results[optima[0]].loss
