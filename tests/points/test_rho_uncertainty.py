"""rho-uncertainty: rule confidences against brute force; releases hold it, with k^m when combined."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np
import pytest
from basket_oracles import ITEMS, points_of  # tests/points/basket_oracles.py
from cut_oracles import brute_cuts, brute_ncp  # tests/points/cut_oracles.py
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, NoSolutionError
from unlinkable.points.hierarchy import fanout
from unlinkable.points.km_anonymity import KmAnonymity
from unlinkable.points.release import baskets_text, release_points
from unlinkable.points.rho_uncertainty import RhoUncertainty, rho_violations

SENSITIVE = ("4", "5")
baskets = st.lists(st.lists(st.integers(0, ITEMS - 1), min_size=1, max_size=4), min_size=2, max_size=12)


def brute_rules(records, sensitive, rho, m):
    """Distinct (antecedent, sensitive item) rules with |antecedent| <= m and confidence >= rho."""
    sets = [set(r) for r in records]
    rules = set()
    for record in sets:
        for s in sensitive & record:
            rest = sorted(record - {s})
            for size in range(1, m + 1):
                for x in combinations(rest, size):
                    joint = sum(1 for t in sets if set(x) <= t and s in t)
                    alone = sum(1 for t in sets if set(x) <= t)
                    if joint / alone >= rho:
                        rules.add((x, s))
    return rules


@settings(max_examples=60, deadline=None)
@given(baskets, st.sampled_from([0.3, 0.5, 0.7, 1.0]), st.integers(1, 3))
def test_violating_rules_match_brute_force(rows, rho, m):
    pts = points_of(rows)
    flags = np.array([label in SENSITIVE for label in pts.labels])
    found = rho_violations(pts, flags, rho, m)
    expected = Counter(len(x) for x, _ in brute_rules([[str(i) for i in r] for r in rows], set(SENSITIVE), rho, m))
    assert list(found.rules) == [expected.get(size, 0) for size in range(1, m + 1)]


@settings(max_examples=40, deadline=None)
@given(baskets, st.sampled_from([0.5, 0.7]), st.sampled_from([None, 1, 2]), st.booleans())
@example([[4], [5], [0]], 0.5, 1, True)  # each item in one record: under k^m k=2 nothing can be released
@example([[4], [4, 0], [5]], 0.5, 1, True)  # item 4 in two records: it alone is a release
# found by hypothesis: with a budget the greedy rounds from the input's own items suppress all four (each in one
# record); started from the cut that lifts 0, 2 and 3 to 0-3 they keep both records, the one 4 suppressed
@example([[0, 4], [2, 3]], 0.5, None, True)
def test_release_is_rho_uncertain_and_keeps_sensitive_items(rows, rho, m, with_km):
    pts = points_of(rows)
    present = {str(i) for r in rows for i in r}
    sensitive = tuple(s for s in SENSITIVE if s in present)
    assume(sensitive and (not with_km or len(rows) >= 2))
    models = [RhoUncertainty(rho, sensitive, m)] + ([KmAnonymity(2, 1)] if with_km else [])
    try:
        result = release_points(pts, fanout(pts.labels, fanout=2), models, suppression_limit=1.0)
    except NoSolutionError as exc:
        # with every occurrence suppressible a release always exists, but it may hold no item at all (e.g. two
        # records of one item each under k^m k=2): that one is refused, as no output form can carry it
        assert "no record would be released" in str(exc)
        # and only then: one record's item alone is rho-uncertain without k^m; with it, two records holding a
        # non-sensitive item release them at the hierarchy's top (sensitive items suppressed, so no rule), and a
        # sensitive item in two records releases that item alone
        assert with_km
        assert sum(1 for r in rows if {str(i) for i in r} - set(sensitive)) < 2
        assert all(sum(1 for r in rows if s in {str(i) for i in r}) < 2 for s in sensitive)
        return
    text = baskets_text(result.points)
    longest = max(len(set(r)) for r in rows)
    assert not brute_rules(text, set(sensitive), rho, m if m is not None else longest)
    for item, label in result.recoding().items():
        if item in sensitive:
            assert label in (item, None)
    if with_km:
        support = Counter(i for r in text for i in set(r))
        assert all(c >= 2 for c in support.values())


def test_a_rule_fixed_by_generalizing_the_known_item():
    # {a, hiv} and {b}: a => hiv has confidence 1; a and b as 'ab' bring it to 1/2
    rows = [[0, 4], [1]]
    pts = points_of(rows)
    result = release_points(pts, fanout(pts.labels, fanout=2), [RhoUncertainty(0.6, ("4",), 1)])
    assert result.recoding()["0"] == "0-1" and result.recoding()["4"] == "4"
    assert result.to_dict()["rho_before"]["violating_rules"] == 1 and result.to_dict()["rho_after"]["violating_rules"] == 0


def test_parameters_are_checked():
    with pytest.raises(ConfigError, match="sensitive_items"):
        RhoUncertainty.from_params({"rho": 0.5, "sensitive_items": []})
    with pytest.raises(ConfigError, match="unknown key"):
        RhoUncertainty.from_params({"rho": 0.5, "sensitive_items": ["a"], "k": 2})
    with pytest.raises(ConfigError, match="does not occur"):
        RhoUncertainty(0.5, ("nope",)).sensitive_mask(("a", "b"))


@settings(max_examples=40, deadline=None)
@given(baskets, st.sampled_from([0.5, 0.7, 1.0]), st.integers(1, 2), st.booleans())
def test_without_suppression_the_release_is_the_least_ncp_cut_that_holds(rows, rho, m, with_km):
    pts = points_of(rows)
    present = {str(i) for r in rows for i in r}
    sensitive = tuple(s for s in SENSITIVE if s in present)
    assume(sensitive and len(rows) >= 2)
    h = fanout(pts.labels, fanout=2)
    models = [RhoUncertainty(rho, sensitive, m)] + ([KmAnonymity(2, 1)] if with_km else [])
    holding = []
    for cut in brute_cuts(h.rows):
        cut = {item: (item if item in sensitive else label) for item, label in cut.items()}
        text = [[cut[str(i)] for i in row] for row in rows]
        if brute_rules(text, set(sensitive), rho, m):
            continue
        if with_km and min(Counter(i for r in text for i in set(r)).values()) < 2:
            continue
        holding.append(brute_ncp(rows, cut, h.rows))
    assume(holding)
    result = release_points(pts, h, models)
    assert result.to_dict()["optimal"] is True
    assert result.to_dict()["ncp"] == pytest.approx(min(holding), abs=1e-12)
    assert not brute_rules(baskets_text(result.points), set(sensitive), rho, m)
