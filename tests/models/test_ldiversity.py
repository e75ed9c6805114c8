"""l-diversity: hand-worked classes, a brute-force oracle, and ARX's adult optimum."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError
from unlinkable.models import model_from_config
from unlinkable.models.base import ClassStatistics, SensitiveColumn
from unlinkable.models.ldiversity import DistinctLDiversity, EntropyLDiversity, RecursiveCLDiversity


def stats_from(classes: list[list[str]]) -> ClassStatistics:
    """One class per inner list of sensitive values."""
    values = sorted({v for c in classes for v in c})
    codes = np.array([values.index(v) for c in classes for v in c], dtype=np.int32)
    record_class = np.repeat(np.arange(len(classes)), [len(c) for c in classes])
    col = SensitiveColumn("s", codes, tuple(values))
    return ClassStatistics(record_class, np.array([len(c) for c in classes]), {"s": col})


def test_distinct_counts_values():
    # classes: {a, b, c} has 3 values, {a, a, b} 2, {a, a, a} 1
    stats = stats_from([["a", "b", "c"], ["a", "a", "b"], ["a", "a", "a"]])
    assert DistinctLDiversity(attribute="s", l=2).check(stats).tolist() == [True, True, False]
    assert DistinctLDiversity(attribute="s", l=3).check(stats).tolist() == [True, False, False]
    assert DistinctLDiversity(attribute="s", l=3).minimal_class_size() == 3


def test_entropy_boundary_passes():
    # {a, b}: H = ln 2 exactly, so entropy 2-diversity holds (ARX fails only when sum f ln f > N (ln N - ln l));
    # {a, a, a, b}: H = -(3/4 ln 3/4 + 1/4 ln 1/4) = 0.562 < ln 2 = 0.693: fails.
    stats = stats_from([["a", "b"], ["a", "a", "a", "b"], ["a", "b", "c"]])
    assert EntropyLDiversity(attribute="s", l=2).check(stats).tolist() == [True, False, True]
    # {a, b, c}: H = ln 3 passes l = 3 exactly; l = 3.01 needs ceil -> 4 distinct values: fails
    assert EntropyLDiversity(attribute="s", l=3).check(stats).tolist() == [False, False, True]
    assert EntropyLDiversity(attribute="s", l=3.01).check(stats).tolist() == [False, False, False]


def test_recursive_strict_inequality():
    # frequencies 4, 2, 2 with l = 2: tail r_2 + r_3 = 4; c = 1: 4 < 4 is false; c = 1.01: 4 < 4.04 holds.
    stats = stats_from([["a"] * 4 + ["b"] * 2 + ["c"] * 2])
    assert RecursiveCLDiversity(attribute="s", c=1.0, l=2).check(stats).tolist() == [False]
    assert RecursiveCLDiversity(attribute="s", c=1.01, l=2).check(stats).tolist() == [True]
    # l = 3: tail r_3 = 2; c = 2: 4 < 4 false, c = 2.5: 4 < 5 true; l = 4 needs 4 distinct values
    assert RecursiveCLDiversity(attribute="s", c=2.0, l=3).check(stats).tolist() == [False]
    assert RecursiveCLDiversity(attribute="s", c=2.5, l=3).check(stats).tolist() == [True]
    assert RecursiveCLDiversity(attribute="s", c=100.0, l=4).check(stats).tolist() == [False]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcde"), min_size=1, max_size=12), min_size=1, max_size=6),
       st.integers(1, 4), st.floats(0.5, 5.0))
def test_against_brute_force(classes, l, c):  # noqa: E741
    stats = stats_from(classes)
    for i, values in enumerate(classes):
        counts = sorted((values.count(v) for v in set(values)), reverse=True)
        n = len(values)
        entropy = -sum(f / n * math.log(f / n) for f in counts)
        assert DistinctLDiversity(attribute="s", l=l).check(stats)[i] == (len(counts) >= l)
        if abs(entropy - math.log(l)) > 1e-9:
            assert EntropyLDiversity(attribute="s", l=l).check(stats)[i] == (len(counts) >= l and entropy >= math.log(l))
        tail = sum(counts[l - 1:])
        if abs(counts[0] - c * tail) > 1e-9:
            assert RecursiveCLDiversity(attribute="s", c=c, l=l).check(stats)[i] == (len(counts) >= l and counts[0] < c * tail)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.one_of(st.integers(0, 30), st.integers(0, 10**6)), min_size=2, max_size=80), min_size=1, max_size=8))
def test_entropy_adds_the_terms_in_arx_order(rows):
    """ARX's test, term by term: a class fails when f ln f, added value by value in code order,
    exceeds N (ln N - ln l). The logs are numpy's (the same function as the model's); the sum is
    the brute force's own Python loop. Each class is also checked with l set where its entropy is
    (ln l = ln N - sum / N), where a sum added in another order flips the verdict."""
    width = max(len(r) for r in rows)
    hist = np.array([r + [0] * (width - len(r)) for r in rows], dtype=np.int64)
    hist[hist.sum(axis=1) == 0, 0] = 1
    record_class = np.repeat(np.repeat(np.arange(len(rows)), width), hist.ravel())
    codes = np.tile(np.arange(width, dtype=np.int32), len(rows)).repeat(hist.ravel())
    col = SensitiveColumn("s", codes, tuple(f"v{j}" for j in range(width)))
    stats = ClassStatistics(record_class, hist.sum(axis=1), {"s": col})

    def verdict(counts: list[int], l: float) -> bool:  # noqa: E741
        total = 0.0
        for f in counts:
            if f:
                total += float(f * np.log(np.float64(f)))
        n = float(sum(counts))
        bound = n * (float(np.log(np.float64(n))) - math.log(l))
        return not bound < total and sum(1 for f in counts if f) >= math.ceil(l)

    for i, counts in enumerate(hist.tolist()):
        total = 0.0
        for f in counts:
            if f:
                total += float(f * np.log(np.float64(f)))
        n = float(sum(counts))
        at_entropy = math.exp(math.log(n) - total / n)
        for l in {1.0, 2.0, max(1.0, at_entropy), max(1.0, math.nextafter(at_entropy, 0.0))}:  # noqa: E741
            assert EntropyLDiversity(attribute="s", l=l).check(stats)[i] == verdict(counts, l), (counts, l)


@pytest.mark.parametrize("params", [
    {"attribute": "s", "variant": "distinct", "l": 0},
    {"attribute": "s", "variant": "recursive", "l": 2},
    {"attribute": "s", "variant": "recursive", "l": 2, "c": 0},
    {"attribute": "s", "variant": "entropy", "l": 0.5},
    {"attribute": "s", "variant": "bogus", "l": 2},
    {"attribute": "s", "l": 2, "c": 3},
    {"variant": "distinct", "l": 2},
    {"attribute": "s", "l": "two"},
])
def test_bad_parameters(params):
    with pytest.raises(ConfigError):
        model_from_config({"l-diversity": params})


# ---------------------------------------------------------------------------------------------
# ARX reference: adult qi8, occupation sensitive, at the reference optimum.
# ---------------------------------------------------------------------------------------------

def arx_release(arx_data, config):
    """Generalize adult.csv at the reference levels with the hierarchy files (plain Python)."""
    frame = pl.read_csv(arx_data / "adult" / "adult.csv", separator=";", infer_schema=False)
    keys = []
    for qi, level in config["optimum"]["levels"].items():
        rows = (arx_data / "adult" / f"adult_hierarchy_{qi}.csv").read_text().splitlines()
        table = {r.split(";")[0]: r.split(";")[level] for r in rows if r}
        keys.append([table[v] for v in frame[qi].to_list()])
    tuples = list(zip(*keys))
    index = {}
    record_class = np.array([index.setdefault(t, len(index)) for t in tuples])
    sens = config["sensitive_attribute"]
    values = sorted(set(frame[sens].to_list()))
    codes = np.array([values.index(v) for v in frame[sens].to_list()], dtype=np.int32)
    stats = ClassStatistics(record_class, np.bincount(record_class), {sens: SensitiveColumn(sens, codes, tuple(values))})
    return frame, stats


def test_adult_distinct_optimum_matches_arx(arx_data, arx_reference):
    config = next(c for c in arx_reference["adult"]["configurations"] if c["privacy_model"]["model"] == "distinct-l-diversity")
    _, stats = arx_release(arx_data, config)
    model = DistinctLDiversity(attribute=config["privacy_model"]["attribute"], l=config["privacy_model"]["l"])
    ok = model.check(stats)
    # ARX suppresses exactly the records of the failing classes at its optimum
    assert int(stats.sizes[~ok].sum()) == config["suppressed_records"]
    assert int(ok.sum()) == config["equivalence_classes"]
