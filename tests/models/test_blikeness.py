"""β-likeness (basic and enhanced): hand-worked classes, an exact brute-force oracle, the verifier."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models import model_from_config
from unlinkable.models.base import ClassStatistics, SensitiveColumn
from unlinkable.models.blikeness import BasicBetaLikeness, EnhancedBetaLikeness
from unlinkable.verify import verify_release


def stats_of(values, classes, dictionary=("a", "b", "c", "d")):
    col = SensitiveColumn("s", np.asarray(values, dtype=np.int32), dictionary)
    rc = np.asarray(classes)
    return ClassStatistics(rc, np.bincount(rc), {"s": col})


def test_hand_worked_table():
    # 8 records: a a a a b b c d; table shares a 1/2, b 1/4, c 1/8, d 1/8.
    # class 0 = {a, a, b, c}: a 1/2 (gain 0), b 1/4 (0), c 1/4 (gain 1)
    # class 1 = {a, a, b, d}: the same with d instead of c.
    stats = stats_of([0, 0, 1, 2, 0, 0, 1, 3], [0, 0, 0, 0, 1, 1, 1, 1])
    for beta, expected in ((1.0, [True, True]), (0.99, [False, False])):
        m = BasicBetaLikeness(attribute="s", beta=beta)
        m.prepare(stats)
        assert m.check(stats).tolist() == expected
    # Enhanced: c's bound is min(beta, ln 8 = 2.08); a gain of 1 passes beta = 1 and fails 0.99.
    assert EnhancedBetaLikeness(attribute="s", beta=1.0).check(stats).tolist() == [True, True]
    assert EnhancedBetaLikeness(attribute="s", beta=0.99).check(stats).tolist() == [False, False]
    # Class {c, d} alone: c and d at 1/2, gain 3 > ln 8 = 2.079: enhanced fails where basic 3 passes.
    merged = stats_of([0, 0, 1, 2, 0, 0, 1, 3], [0, 0, 0, 1, 0, 0, 0, 1])
    assert BasicBetaLikeness(attribute="s", beta=3.0).check(merged).tolist() == [True, True]
    assert EnhancedBetaLikeness(attribute="s", beta=3.0).check(merged).tolist() == [True, False]


def brute_force(values, classes, beta, enhanced):
    """Per class, exact gains in fractions; the enhanced bound in floats (ln is irrational)."""
    n = len(values)
    verdict = {}
    for c in sorted(set(classes)):
        members = [v for v, k in zip(values, classes) if k == c]
        ok = True
        for v in set(members):
            q = Fraction(values.count(v), n)
            gain = (Fraction(members.count(v), len(members)) - q) / q
            bound = min(beta, -math.log(q)) if enhanced else beta
            if abs(float(gain) - bound) < 1e-9:
                return None  # a tie decided by float rounding: not a question for the oracle
            ok &= float(gain) < bound
        verdict[c] = ok
    return [verdict[c] for c in sorted(verdict)]


@settings(max_examples=150, deadline=None)
@given(data=st.integers(1, 30).flatmap(lambda n: st.tuples(
           st.lists(st.integers(0, 3), min_size=n, max_size=n), st.lists(st.integers(0, 4), min_size=n, max_size=n))),
       beta=st.sampled_from([0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 10.0]), enhanced=st.booleans())
def test_matches_brute_force(data, beta, enhanced):
    values, raw = data
    # classes numbered 0..c-1 in order of appearance
    order = {k: i for i, k in enumerate(dict.fromkeys(raw))}
    classes = [order[k] for k in raw]
    expected = brute_force(values, classes, beta, enhanced)
    assume(expected is not None)
    model = (EnhancedBetaLikeness if enhanced else BasicBetaLikeness)(attribute="s", beta=beta)
    stats = stats_of(values, classes)
    model.prepare(stats)
    assert model.check(stats).tolist() == expected


def test_configuration():
    m = model_from_config({"beta-likeness": {"attribute": "s", "variant": "enhanced", "beta": 2}})
    assert isinstance(m, EnhancedBetaLikeness) and m.beta == 2.0
    assert isinstance(model_from_config({"beta-likeness": {"attribute": "s", "beta": 2}}), BasicBetaLikeness)
    with pytest.raises(ConfigError, match="unknown variant"):
        model_from_config({"beta-likeness": {"attribute": "s", "variant": "strong", "beta": 2}})
    with pytest.raises(ConfigError, match="beta"):
        model_from_config({"beta-likeness": {"attribute": "s", "beta": 0}})   # ARX: beta must be > 0
    with pytest.raises(ConfigError, match="needs"):
        model_from_config({"beta-likeness": {"attribute": "s"}})


ZIP = Hierarchy([["1", "1-2", "*"], ["2", "1-2", "*"], ["3", "3-4", "*"], ["4", "3-4", "*"]])
ORIGINAL = pl.DataFrame({"zip": ["1", "2", "3", "4", "1", "3"], "s": ["a", "a", "a", "b", "b", "c"]})


@pytest.mark.parametrize("variant", ["basic", "enhanced"])
def test_verifier_rechecks_the_release(variant):
    release = ORIGINAL.with_columns(zip=pl.Series(["1-2", "1-2", "3-4", "3-4", "1-2", "3-4"]))
    # table a 1/2, b 1/3, c 1/6. 1-2 = {a, a, b}: gains 1/3 and 0; 3-4 = {a, b, c}: c gains
    # (1/3 - 1/6) / (1/6) = 1 (enhanced bound min(beta, ln 6 = 1.79)).
    ok = model_from_config({"beta-likeness": {"attribute": "s", "variant": variant, "beta": 1.0}})
    verify_release(release, original=ORIGINAL, quasi_identifiers=["zip"], models=[ok], suppression_limit=0.0,
                   hierarchies={"zip": ZIP})
    tight = model_from_config({"beta-likeness": {"attribute": "s", "variant": variant, "beta": 0.9}})
    with pytest.raises(VerificationError, match=rf"{variant} 0.9-likeness of 's': 1 released class"):
        verify_release(release, original=ORIGINAL, quasi_identifiers=["zip"], models=[tight],
                       suppression_limit=0.0, hierarchies={"zip": ZIP})
