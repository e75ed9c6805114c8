"""k^m-anonymization: releases pass a brute-force check; the verifier rejects what is not k^m-anonymous."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from unlinkable.errors import VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.points.encoded import Points
from unlinkable.points.hierarchy import fanout
from unlinkable.points.km_anonymity import MODELS, baskets_text
from unlinkable.points.release import anonymize_km
from unlinkable.verify import points_model_checker, verify_points_release

baskets = st.lists(st.lists(st.integers(0, 11), min_size=1, max_size=5), min_size=3, max_size=15)


def points_of(rows):
    return Points.from_codes([r for r, row in enumerate(rows) for _ in row], [i for row in rows for i in row],
                             labels=[str(i) for i in range(12)], n_records=len(rows))


def brute_min_support(released, m):
    support = Counter(c for record in released for size in range(1, m + 1) for c in combinations(sorted(set(record)), size))
    return min(support.values())


@settings(max_examples=60, deadline=None)
@given(baskets, st.integers(2, 3), st.integers(1, 2), st.integers(2, 4))
def test_release_is_km_anonymous_and_a_global_cut(rows, k, m, fan):
    assume(len(rows) >= k)
    pts = points_of(rows)
    h = fanout(pts.labels, fanout=fan)
    release = anonymize_km(pts, h, k=k, m=m)
    text = baskets_text(release.points)
    assert brute_min_support(text, m) >= k
    rows_of = {row[0]: row for row in h.rows}
    mapping = release.generalization(pts)
    for item, label in mapping.items():
        assert label in rows_of[item]
    for before, after in zip(rows, text):
        assert {mapping[str(i)] for i in before} == set(after)


def test_nothing_is_generalized_when_already_km_anonymous():
    pts = points_of([[1, 2], [1, 2], [1, 2]])
    release = anonymize_km(pts, fanout(pts.labels, fanout=2), k=3, m=2)
    assert baskets_text(release.points) == [["1", "2"]] * 3 and release.rounds == 0


def test_verifier_rejects_tampered_releases():
    h = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]])
    original = [["milk"], ["tea"], ["bread", "milk"]]
    claim = [{"km-anonymity": {"k": 2, "m": 1}}]
    verify_points_release([["*"], ["*"], ["*"]], original=original, hierarchy=h, models=claim)
    with pytest.raises(VerificationError, match="not one global generalization"):  # milk shown two ways
        verify_points_release([["drink"], ["drink"], ["food", "milk"]], original=original, hierarchy=h, models=claim)
    with pytest.raises(VerificationError, match="does not hold"):
        verify_points_release([["drink"], ["drink"], ["bread", "drink"]], original=original, hierarchy=h, models=claim)
    with pytest.raises(VerificationError, match="no independent checker"):
        verify_points_release([["*"], ["*"], ["*"]], original=original, hierarchy=h, models=[{"rho-uncertainty": {}}])


@pytest.mark.parametrize("name", MODELS)
def test_every_set_valued_model_has_a_checker(name):
    assert callable(points_model_checker(name))
