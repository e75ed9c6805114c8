"""Unicity and k^m exposure against brute force on small random baskets."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from basket_oracles import points_of as basket_points  # tests/points/basket_oracles.py
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError
from unlinkable.points import subsets
from unlinkable.points.encoded import Points
from unlinkable.points.km import km_exposure
from unlinkable.points.unicity import unicity

baskets = st.lists(st.lists(st.integers(0, 7), min_size=1, max_size=6), min_size=1, max_size=12)


def points_of(rows):
    return basket_points(rows, items=8)


def brute_support(sets, itemset):
    return sum(1 for s in sets if set(itemset) <= s)


def brute_km(rows, k, m):
    sets = [set(r) for r in rows]
    itemsets = {c for s in sets for size in range(1, m + 1) for c in combinations(sorted(s), size)}
    violating = [c for c in itemsets if brute_support(sets, c) < k]
    smallest = [min(brute_support(sets, c) for size in range(1, m + 1) for c in combinations(sorted(s), size)) for s in sets]
    affected = sum(1 for s in sets if any(set(c) <= s for c in violating))
    return len(violating), affected, smallest


def brute_unicity(rows, p):
    sets = [set(r) for r in rows]
    shares = []
    for s in sets:
        if len(s) < p:
            continue
        subs = list(combinations(sorted(s), p))
        shares.append(sum(1 for c in subs if brute_support(sets, c) == 1) / len(subs))
    return (sum(shares) / len(shares) if shares else None), len(shares)


@settings(max_examples=80, deadline=None)
@given(baskets, st.integers(1, 4), st.integers(1, 3), st.booleans())
def test_km_matches_brute_force(rows, k, m, sparse):
    if sparse:  # the sorted-key path must agree with the dense bincount path
        old, subsets.DENSE_LIMIT = subsets.DENSE_LIMIT, 0
    try:
        exposure = km_exposure(points_of(rows), k=k, m=m)
    finally:
        if sparse:
            subsets.DENSE_LIMIT = old
    violating, affected, smallest = brute_km(rows, k, m)
    assert exposure.violating_itemsets == violating
    assert exposure.affected_records == affected
    assert exposure.smallest_support.tolist() == smallest


@settings(max_examples=80, deadline=None)
@given(baskets, st.integers(1, 4))
def test_exact_unicity_matches_brute_force(rows, p):
    (u,) = unicity(points_of(rows), [p], mode="exact")
    value, eligible = brute_unicity(rows, p)
    assert u.eligible_records == eligible and u.exact and u.ci95 is None
    assert u.value == pytest.approx(value) if value is not None else u.value is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 7), min_size=3, max_size=3, unique=True), min_size=1, max_size=12), st.integers(0, 9))
def test_sampled_equals_exact_when_every_record_has_p_points(rows, seed):
    # with exactly p distinct points per record the one drawn p-itemset is the record itself
    (sampled,) = unicity(points_of(rows), [3], mode="sampled", seed=seed)
    value, eligible = brute_unicity(rows, 3)
    assert sampled.value == pytest.approx(value) and not sampled.exact
    assert sampled.ci95[0] <= sampled.value <= sampled.ci95[1]


@settings(max_examples=40, deadline=None)
@given(baskets, st.integers(1, 3), st.integers(0, 5))
def test_sampled_unicity_counts_only_drawn_itemsets_of_the_record(rows, p, seed):
    # each sampled indicator is 1 only if some p-subset of the record is unique, 0 if none is
    (u,) = unicity(points_of(rows), [p], mode="sampled", seed=seed)
    sets = [set(r) for r in rows]
    eligible = [s for s in sets if len(s) >= p]
    some = sum(1 for s in eligible if any(brute_support(sets, c) == 1 for c in combinations(sorted(s), p)))
    every = sum(1 for s in eligible if all(brute_support(sets, c) == 1 for c in combinations(sorted(s), p)))
    if eligible:
        assert every / len(eligible) - 1e-12 <= u.value <= some / len(eligible) + 1e-12


def test_sampled_is_reproducible_with_a_seed():
    rng = np.random.default_rng(3)
    rows = [list(rng.choice(30, size=rng.integers(3, 9), replace=False)) for _ in range(300)]
    pts = Points.from_codes([r for r, row in enumerate(rows) for _ in row], [i for row in rows for i in row],
                            labels=[str(i) for i in range(30)])
    a = unicity(pts, [2, 3], mode="sampled", seed=5)
    assert a == unicity(pts, [2, 3], mode="sampled", seed=5)
    assert unicity(pts, [3], mode="sampled", seed=5)[0] == a[1]  # adding a p leaves the other draws alone


def test_hand_worked_example():
    # baskets {a,b}, {a,b}, {a,c}: p=1 unique items: c only -> shares 0, 0, 1/2; p=2: {a,c} unique -> 0, 0, 1
    pts = Points.from_codes([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 2], labels="abc")
    u1, u2 = unicity(pts, [1, 2], mode="exact")
    assert (u1.value, u2.value) == (pytest.approx(1 / 6), pytest.approx(1 / 3))
    e = km_exposure(pts, k=2, m=2)
    assert (e.violating_itemsets, e.affected_records, e.smallest_support.tolist()) == (2, 1, [2, 2, 1])


def test_exact_mode_refuses_when_infeasible(monkeypatch):
    from unlinkable.points import unicity as module

    monkeypatch.setattr(module, "EXACT_LIMIT", 2)
    pts = Points.from_codes([0, 0, 0], [0, 1, 2], labels="abc")
    with pytest.raises(ConfigError, match="mode: sampled"):
        unicity(pts, [2], mode="exact")
    (auto,) = unicity(pts, [2], mode="auto")
    assert not auto.exact and auto.eligible_records == 1


@settings(max_examples=60, deadline=None)
@given(baskets, st.integers(1, 4), st.integers(0, 5))
def test_drawn_itemsets_are_counted_exactly_both_ways(rows, p, seed):
    from unlinkable.points import unicity as module

    sets = points_of(rows).sets()
    drawn = module.draw_itemsets(sets, p, np.random.default_rng(seed))
    records = [set(r) for r in rows]
    assert len(drawn) == sum(1 for r in records if len(r) >= p)
    expected = [brute_support(records, [int(i) for i in row]) for row in drawn]
    d = len(sets.labels)
    support = np.bincount(sets.items, minlength=d)
    # each way on its own, and the choice between them
    assert module._by_enumeration(sets, np.sort(drawn, axis=1)).tolist() == expected
    assert module._by_candidates(sets, drawn, support).tolist() == expected
    assert module.containing_records(sets, drawn).tolist() == expected
