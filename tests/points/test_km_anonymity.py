"""k^m-anonymization: releases pass brute force, the optimal cut is the brute-force optimum, suppression stays in budget."""

from __future__ import annotations

import numpy as np
import pytest
from basket_oracles import ITEMS, itemset_supports, points_of  # tests/points/basket_oracles.py
from cut_oracles import brute_cuts, brute_ncp  # tests/points/cut_oracles.py
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from unlinkable.errors import NoSolutionError
from unlinkable.points.anonymize import anonymize_points
from unlinkable.points.hierarchy import fanout
from unlinkable.points.km_anonymity import KmAnonymity, km_violations
from unlinkable.points.optimal_cut import all_cuts
from unlinkable.points.release import anonymize_km, baskets_text, release_points

baskets = st.lists(st.lists(st.integers(0, ITEMS - 1), min_size=1, max_size=4), min_size=3, max_size=12)


@settings(max_examples=40, deadline=None)
@given(baskets, st.integers(2, 3), st.integers(1, 2), st.integers(2, 3))
def test_release_is_km_anonymous_a_global_cut_and_optimal(rows, k, m, fan):
    assume(len(rows) >= k)
    pts = points_of(rows)
    h = fanout(pts.labels, fanout=fan)
    result = release_points(pts, h, [KmAnonymity(k, m)])
    text = baskets_text(result.points)
    assert min(itemset_supports(text, m).values()) >= k
    mapping = result.recoding()
    for before, after in zip(rows, text):
        assert {mapping[str(i)] for i in before} == set(after)
    assert result.release.optimal
    best = min(brute_ncp(rows, cut, h.rows) for cut in brute_cuts(h.rows)
               if min(itemset_supports([[cut[str(i)] for i in row] for row in rows], m).values()) >= k)
    assert result.to_dict()["ncp"] == pytest.approx(best, abs=1e-12)
    assert result.to_dict()["ncp"] == pytest.approx(brute_ncp(rows, mapping, h.rows), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(baskets, st.integers(2, 3), st.integers(1, 2), st.sampled_from([0.0, 0.1, 0.3]))
def test_apriori_with_suppression_stays_in_budget(rows, k, m, limit):
    assume(len(rows) >= k)
    pts = points_of(rows)
    h = fanout(pts.labels, fanout=2)
    # fanout's hierarchy has a single top: every record holding it is k^m-anonymous (len(rows) >= k), so a
    # release always exists and holds an item
    result = release_points(pts, h, [KmAnonymity(k, m)], suppression_limit=limit)
    text = baskets_text(result.points)
    support = itemset_supports(text, m)
    assert support and min(support.values()) >= k
    mapping = result.recoding()
    occurrences = sum(len(set(r)) for r in rows)
    suppressed = sum(1 for r in rows for i in set(r) if mapping[str(i)] is None)
    assert suppressed <= int(limit * occurrences + 1e-9) and suppressed == result.release.suppressed_occurrences
    assert result.to_dict()["ncp"] == pytest.approx(brute_ncp(rows, mapping, h.rows), abs=1e-12)
    # a budget never costs detail: the release without suppression is the fallback
    assert result.to_dict()["ncp"] <= release_points(pts, h, [KmAnonymity(k, m)]).to_dict()["ncp"] + 1e-12


def test_the_cut_space_is_every_cut():
    h = fanout([str(i) for i in range(ITEMS)], fanout=2)
    pts = points_of([[i] for i in range(ITEMS)])
    from unlinkable.points.hierarchy import encode_items

    ours = {tuple(h.rows[i][lv] for i, lv in enumerate(c.tolist())) for c in all_cuts(encode_items(pts, h))}
    assert ours == {tuple(cut[r[0]] for r in h.rows) for cut in brute_cuts(h.rows)}


def test_suppression_is_chosen_when_cheaper_than_lifting():
    # item 5 is in one record; lifting it would coarsen a popular sibling, suppressing costs one occurrence
    rows = [[4], [4], [4], [4], [4, 5], [0], [0], [0], [1], [1], [1]]
    pts = points_of(rows)
    h = fanout(pts.labels, fanout=2)
    free = release_points(pts, h, [KmAnonymity(3, 1)], suppression_limit=0.1)
    assert free.recoding()["5"] is None and free.recoding()["4"] == "4"
    kept = release_points(pts, h, [KmAnonymity(3, 1)])
    assert kept.recoding()["5"] != "5" and kept.to_dict()["ncp"] > free.to_dict()["ncp"]


def test_groups_count_supports_within_each_class():
    rows = [[0], [0], [0], [0]]
    pts = points_of(rows)
    assert km_violations(pts, 1, 3, classes=np.array([0, 0, 1, 1])).tolist() == [[0]]
    with pytest.raises(NoSolutionError, match="smallest class"):
        anonymize_points(pts, fanout(pts.labels, fanout=2), [KmAnonymity(3, 1)], classes=np.array([0, 0, 1, 1]))


def test_nothing_is_generalized_when_already_km_anonymous():
    pts = points_of([[1, 2], [1, 2], [1, 2]])
    release = anonymize_km(pts, fanout(pts.labels, fanout=2), k=3, m=2)
    assert baskets_text(release.points) == [["1", "2"]] * 3 and release.rounds == 0 and release.optimal
