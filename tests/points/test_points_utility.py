"""The top-itemset support error against a brute-force count on the input and the released text."""

from __future__ import annotations

from collections import Counter

import pytest
from basket_oracles import ITEMS, itemset_supports, points_of  # tests/points/basket_oracles.py
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.points.hierarchy import fanout
from unlinkable.points.km_anonymity import KmAnonymity
from unlinkable.points.release import baskets_text, release_points
from unlinkable.points.utility import itemset_error, top_itemsets

baskets = st.lists(st.lists(st.integers(0, ITEMS - 1), min_size=1, max_size=4), min_size=3, max_size=12)


@settings(max_examples=40, deadline=None)
@given(baskets, st.integers(1, 2), st.integers(1, 20), st.sampled_from([0.0, 0.3]))
def test_error_matches_brute_force(rows, m, n, limit):
    pts = points_of(rows)
    h = fanout(pts.labels, fanout=2)
    result = release_points(pts, h, [KmAnonymity(2, m)], suppression_limit=limit)  # 3+ rows: a release exists
    counted = itemset_supports([[str(i) for i in r] for r in rows], m)
    top = sorted(counted.items(), key=lambda kv: (-kv[1], len(kv[0]), tuple(int(x) for x in kv[0])))[:n]
    assert [(tuple(str(i) for i in items), s) for items, s in top_itemsets(pts, m, n)] == top
    recoding = result.recoding()
    released = itemset_supports(baskets_text(result.points), m)
    # items spread evenly over the hierarchy node's items (every input item under it, suppressed or not)
    leaves = Counter(label for row in h.rows for label in set(row))
    errors = []
    for items, support in top:
        labels = [recoding[i] for i in items]
        if None in labels:
            errors.append(1.0)
            continue
        estimate = released[tuple(sorted(set(labels)))]
        for label in labels:
            estimate /= leaves[label]
        errors.append(abs(estimate - support) / support)
    assert itemset_error(pts, result.release.cut, m, n).relative_error == pytest.approx(sum(errors) / len(errors), abs=1e-12)
