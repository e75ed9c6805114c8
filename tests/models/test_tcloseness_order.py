"""Ordered-distance t-closeness on text with a given order (ARX OrderedDistanceTCloseness on an
ordered string type, or on a plain string attribute: lexicographic)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError, VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models import model_from_config
from unlinkable.models.base import ClassStatistics, SensitiveColumn
from unlinkable.models.tcloseness import OrderedDistanceTCloseness, value_order
from unlinkable.verify import verify_release

LEVELS = ("none", "low", "mid", "high")


def stats_of(values, classes, dictionary):
    col = SensitiveColumn("s", np.asarray(values, dtype=np.int32), dictionary)
    rc = np.asarray(classes)
    return ClassStatistics(rc, np.bincount(rc), {"s": col})


def test_hand_worked_given_order():
    # dictionary in order of appearance: high, none, mid, low; the given order none < low < mid < high.
    dictionary = ("high", "none", "mid", "low")
    # table: none 2, low 1, mid 1, high 2 (n = 6); q = (1/3, 1/6, 1/6, 1/3) in the given order
    values = [1, 1, 3, 2, 0, 0]          # none none low mid high high
    classes = [0, 0, 0, 1, 1, 1]
    stats = stats_of(values, classes, dictionary)
    m = OrderedDistanceTCloseness(attribute="s", t=0.5, order=LEVELS)
    m.prepare(stats)
    # class 0 = {none, none, low}: p = (2/3, 1/3, 0, 0); p - q = (1/3, 1/6, -1/6, -1/3)
    # running sums 1/3, 1/2, 1/3, 0 -> 7/6, / (m - 1 = 3) = 7/18. Class 1 mirrors it: 7/18.
    assert m.distances(stats) == pytest.approx([7 / 18, 7 / 18], abs=1e-12)
    assert m.check(stats).tolist() == [True, True]
    assert OrderedDistanceTCloseness(attribute="s", t=0.38, order=LEVELS).check(stats).tolist() == [False, False]
    # Lexicographic (high < low < mid < none) is another distance: class 0 holds low and none
    lex = OrderedDistanceTCloseness(attribute="s", t=0.5, order="lexicographic")
    # q in that order (1/3, 1/6, 1/6, 1/3), p0 = (0, 1/3, 0, 2/3): running -1/3, -1/6, -1/3, 0 -> 5/6 / 3
    assert lex.distances(stats) == pytest.approx([5 / 18, 5 / 18], abs=1e-12)


def test_lexicographic_is_java_string_order():
    # UTF-16 code units: 'Z' (0x5A) < 'a' (0x61); a character outside the BMP sorts by its surrogates
    col = SensitiveColumn("s", np.array([0, 1, 2, 3]), ("b", "a", "Z", "\U0001F600"))
    assert [col.dictionary[i] for i in value_order(col, "lexicographic")] == ["Z", "a", "b", "\U0001F600"]
    col = SensitiveColumn("s", np.array([0, 1]), ("\uFF21", "\U0001F600"))   # fullwidth A vs emoji
    assert [col.dictionary[i] for i in value_order(col, "lexicographic")] == ["\U0001F600", "\uFF21"]


def brute_force(values, classes, dictionary, order, t):
    m = len(dictionary)
    n = len(values)
    q = [Fraction(sum(1 for v in values if dictionary[v] == x), n) for x in order if x in dictionary]
    present = [x for x in order if x in dictionary]
    out = []
    for c in sorted(set(classes)):
        members = [dictionary[v] for v, k in zip(values, classes) if k == c]
        running, total = Fraction(0), Fraction(0)
        for x, qx in zip(present, q):
            running += Fraction(members.count(x), len(members)) - qx
            total += abs(running)
        out.append(total / (m - 1) if m > 1 else Fraction(0))
    return out


@settings(max_examples=100, deadline=None)
@given(data=st.integers(2, 25).flatmap(lambda n: st.tuples(
           st.lists(st.integers(0, 3), min_size=n, max_size=n), st.lists(st.integers(0, 3), min_size=n, max_size=n))),
       order=st.permutations(LEVELS), t=st.sampled_from([0.1, 0.2, 0.35, 0.5]))
def test_matches_brute_force(data, order, t):
    values, raw = data
    renumber = {k: i for i, k in enumerate(dict.fromkeys(raw))}
    classes = [renumber[k] for k in raw]
    used = list(dict.fromkeys(values))               # dictionary = values in order of appearance
    dictionary = tuple(LEVELS[v] for v in used)
    codes = [used.index(v) for v in values]
    stats = stats_of(codes, classes, dictionary)
    m = OrderedDistanceTCloseness(attribute="s", t=t, order=tuple(order))
    m.prepare(stats)
    expected = brute_force(codes, classes, dictionary, order, t)
    assert m.distances(stats) == pytest.approx([float(e) for e in expected], abs=1e-12)
    for got, e in zip(m.check(stats).tolist(), expected):
        if abs(float(e) - t) > 1e-9:
            assert got == (e <= t)


def test_configuration_and_errors():
    m = model_from_config({"t-closeness": {"attribute": "s", "distance": "ordered", "t": 0.2, "order": ["a", "b"]}})
    assert m.order == ("a", "b") and model_from_config(m.to_dict()).to_dict() == m.to_dict()
    assert model_from_config({"t-closeness": {"attribute": "s", "distance": "ordered", "t": 0.2}}).to_dict() == \
        {"t-closeness": {"attribute": "s", "distance": "ordered", "t": 0.2}}
    with pytest.raises(ConfigError, match="order"):
        model_from_config({"t-closeness": {"attribute": "s", "distance": "equal", "t": 0.2, "order": ["a"]}})
    with pytest.raises(ConfigError, match="listed twice"):
        OrderedDistanceTCloseness(attribute="s", t=0.2, order=["a", "a"])
    with pytest.raises(ConfigError, match="lexicographic"):
        OrderedDistanceTCloseness(attribute="s", t=0.2, order="alphabetic")
    stats = stats_of([0, 1], [0, 0], ("a", "b"))
    with pytest.raises(InputError, match="not in the given order"):
        OrderedDistanceTCloseness(attribute="s", t=0.2, order=["a"]).distances(stats)


ZIP = Hierarchy([["1", "*"], ["2", "*"], ["3", "*"]])
ORIGINAL = pl.DataFrame({"zip": ["1", "1", "1", "2", "2", "2"], "s": ["none", "none", "low", "mid", "high", "high"]})


def test_verifier_rechecks_with_the_order():
    ok = OrderedDistanceTCloseness(attribute="s", t=0.4, order=LEVELS)         # both classes at 7/18 = 0.389
    verify_release(ORIGINAL, original=ORIGINAL, quasi_identifiers=["zip"], models=[ok], suppression_limit=0.0,
                   hierarchies={"zip": ZIP})
    tight = OrderedDistanceTCloseness(attribute="s", t=0.38, order=LEVELS)
    with pytest.raises(VerificationError, match="ordered distance"):
        verify_release(ORIGINAL, original=ORIGINAL, quasi_identifiers=["zip"], models=[tight],
                       suppression_limit=0.0, hierarchies={"zip": ZIP})
    lex = OrderedDistanceTCloseness(attribute="s", t=0.28, order="lexicographic")   # 5/18 = 0.278 passes
    verify_release(ORIGINAL, original=ORIGINAL, quasi_identifiers=["zip"], models=[lex], suppression_limit=0.0,
                   hierarchies={"zip": ZIP})
