"""Grassberger's estimator (ARX EntropyEstimator.GRASSBERGER): G against the digamma definition,
entropy l-diversity with it against a brute force, configuration and the verifier."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import digamma

from unlinkable.errors import ConfigError, VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models import model_from_config
from unlinkable.models.base import ClassStatistics, SensitiveColumn
from unlinkable.models.grassberger import grassberger
from unlinkable.models.ldiversity import EntropyLDiversity
from unlinkable.verify import verify_release


def definition(n: int) -> float:
    """Grassberger (1988): psi(n) + (-1)^n / 2 (psi((n + 1) / 2) - psi(n / 2))."""
    return float(digamma(n) + 0.5 * (-1) ** n * (digamma((n + 1) / 2) - digamma(n / 2)))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 10, 11, 99, 100, 101, 102, 500, 10_001, 1_000_000])
def test_g_matches_its_definition(n):
    assert grassberger(np.array([n]))[0] == pytest.approx(definition(n), rel=1e-13, abs=1e-13)


def test_odd_counts_equal_the_even_below():
    n = np.arange(1, 400)
    g = grassberger(n)
    assert (g[2::2] == g[1:-1:2]).all()   # G(2k + 1) == G(2k)


def stats_of(values, classes):
    col = SensitiveColumn("s", np.asarray(values, dtype=np.int32), ("a", "b", "c", "d"))
    rc = np.asarray(classes)
    return ClassStatistics(rc, np.bincount(rc), {"s": col})


def test_hand_worked_class():
    # class {a, b}: sum f G(f) = 2 G(1) = -2.5407; N (G(N) - ln l) = 2 (G(2) - ln l)
    stats = stats_of([0, 1], [0, 0])
    for l in (1.5, 2.0, 5.0, 7.0):
        bound = 2 * (definition(2) - math.log(l))
        expected = 2 * definition(1) <= bound
        assert EntropyLDiversity(attribute="s", l=l, estimator="grassberger").check(stats).tolist() == [expected and l <= 2]


def test_not_monotone_under_generalization():
    # counts a:b:c = 1:3:2 and 3:3:3 each pass l = 3; merged, 4:6:5 fails. ARX declares the model
    # monotone; we do not, so the search never prunes on it.
    values = [0] * 1 + [1] * 3 + [2] * 2 + [0] * 3 + [1] * 3 + [2] * 3
    apart = stats_of(values, [0] * 6 + [1] * 9)
    merged = stats_of(values, [0] * 15)
    model = EntropyLDiversity(attribute="s", l=3, estimator="grassberger")
    assert model.check(apart).tolist() == [True, True] and model.check(merged).tolist() == [False]
    assert not model.monotone_generalization and EntropyLDiversity(attribute="s", l=3).monotone_generalization


def brute_force(values, classes, l):
    out = []
    for c in sorted(set(classes)):
        counts = [sum(1 for v, k in zip(values, classes) if k == c and v == x) for x in range(4)]
        counts = [f for f in counts if f]
        n = sum(counts)
        lhs = sum(f * definition(f) for f in counts)
        rhs = n * (definition(n) - math.log(l))
        if abs(lhs - rhs) < 1e-9:
            return None  # a tie decided by rounding
        out.append(len(counts) >= math.ceil(l) and lhs < rhs)
    return out


@settings(max_examples=150, deadline=None)
@given(data=st.integers(1, 40).flatmap(lambda n: st.tuples(
           st.lists(st.integers(0, 3), min_size=n, max_size=n), st.lists(st.integers(0, 3), min_size=n, max_size=n))),
       l=st.sampled_from([1.0, 1.5, 2.0, 2.5, 3.0, 4.0]))
def test_matches_brute_force(data, l):
    values, raw = data
    renumber = {k: i for i, k in enumerate(dict.fromkeys(raw))}
    classes = [renumber[k] for k in raw]
    expected = brute_force(values, classes, l)
    assume(expected is not None)
    assert EntropyLDiversity(attribute="s", l=l, estimator="grassberger").check(stats_of(values, classes)).tolist() == expected


def test_configuration():
    m = model_from_config({"l-diversity": {"attribute": "s", "variant": "entropy", "l": 2, "estimator": "grassberger"}})
    assert m.estimator == "grassberger" and model_from_config(m.to_dict()).to_dict() == m.to_dict()
    plain = model_from_config({"l-diversity": {"attribute": "s", "variant": "entropy", "l": 2}})
    assert plain.estimator == "shannon" and "estimator" not in plain.to_dict()["l-diversity"]
    with pytest.raises(ConfigError, match="estimator"):
        model_from_config({"l-diversity": {"attribute": "s", "variant": "entropy", "l": 2, "estimator": "miller"}})
    with pytest.raises(ConfigError, match="estimator"):
        model_from_config({"l-diversity": {"attribute": "s", "variant": "distinct", "l": 2, "estimator": "grassberger"}})


def test_verifier_rechecks_with_the_estimator():
    zip_h = Hierarchy([["1", "*"], ["2", "*"]])
    table = pl.DataFrame({"zip": ["1", "1", "1", "2", "2", "2"], "s": ["a", "b", "c", "a", "a", "b"]})
    # zip 1 = {a, b, c}: 3 G(1) = -3.81 <= 3 (G(3) - ln l); zip 2 = {a, a, b}: 2 G(2) + G(1) = 0.189
    # <= 3 (G(3) - ln l) = 3 (0.7296 - ln l) holds for l <= 1.947
    ok = EntropyLDiversity(attribute="s", l=1.8, estimator="grassberger")
    verify_release(table, original=table, quasi_identifiers=["zip"], models=[ok], suppression_limit=0.0,
                   hierarchies={"zip": zip_h})
    tight = EntropyLDiversity(attribute="s", l=1.97, estimator="grassberger")
    assert tight.check(stats_of([0, 1, 2, 0, 0, 1], [0, 0, 0, 1, 1, 1])).tolist() == [True, False]
    with pytest.raises(VerificationError, match="entropy"):
        verify_release(table, original=table, quasi_identifiers=["zip"], models=[tight], suppression_limit=0.0,
                       hierarchies={"zip": zip_h})
