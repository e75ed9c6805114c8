"""Distinct tuples with counts, and every measure computed on them, against record-level brute force."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from unlinkable.risk import individual
from unlinkable.risk.distinct import distinct_tuples
from unlinkable.risk.frequencies import _pattern_frequencies, frequencies, tuple_frequencies
from unlinkable.risk.individual import global_risk, individual_risk, kanonymity_violations
from unlinkable.risk.subsets import uniqueness_by_attributes

# Tables of 1-4 key columns with codes -1 (missing) .. 2, so tuples repeat often.
tables = st.integers(1, 4).flatmap(
    lambda m: st.lists(st.lists(st.integers(-1, 2), min_size=m, max_size=m), min_size=1, max_size=40)
).map(lambda rows: np.array(rows, dtype=np.int64))


def _brute_tuples(keys: np.ndarray):
    order: dict[tuple, int] = {}
    for row in map(tuple, keys.tolist()):
        order.setdefault(row, len(order))
    counts = Counter(map(tuple, keys.tolist()))
    return order, counts


@settings(max_examples=80)
@given(tables)
@example(np.zeros((0, 2), dtype=np.int64))
def test_distinct_tuples_against_a_dictionary(keys):
    t = distinct_tuples(keys)
    order, counts = _brute_tuples(keys)
    assert [tuple(r) for r in t.codes.tolist()] == list(order)
    assert t.counts.tolist() == [counts[k] for k in order]
    assert t.record_tuple.tolist() == [order[tuple(r)] for r in keys.tolist()]
    assert t.first.tolist() == [next(i for i, r in enumerate(keys.tolist()) if tuple(r) == k) for k in order]
    assert t.records == keys.shape[0]


def test_distinct_tuples_of_wide_keys_rehash():
    # 40 columns of 3 codes: the radix product passes 2**62, so the partial key is re-densified.
    rng = np.random.default_rng(0)
    keys = rng.integers(-1, 2, (500, 40))
    keys[250:] = keys[:250]
    t = distinct_tuples(keys)
    order, counts = _brute_tuples(keys)
    assert [tuple(r) for r in t.codes.tolist()] == list(order)
    assert t.counts.tolist() == [counts[k] for k in order]


@settings(max_examples=80)
@given(tables, st.sampled_from([1.0, 0.5, 0.25]), st.booleans())
def test_tuple_frequencies_equal_the_record_level_count_bit_for_bit(keys, alpha, weighted):
    n = keys.shape[0]
    w = np.linspace(0.7, 13.1, n) if weighted else None
    row_fk, row_Fk = _pattern_frequencies(keys, np.ones(n), w, alpha)  # record-level rules
    if w is None:
        row_Fk = row_fk
    t = distinct_tuples(keys)
    fk, Fk = tuple_frequencies(t, weights=w, alpha=alpha)
    assert t.expand(fk).tolist() == row_fk.tolist()
    assert t.expand(Fk).tolist() == row_Fk.tolist()
    rfk, rFk = frequencies(keys, weights=w, alpha=alpha)
    assert rfk.tolist() == row_fk.tolist() and rFk.tolist() == row_Fk.tolist()


risk_tables = st.lists(
    st.tuples(st.sampled_from([1.0, 0.5, 1 / 3, 0.25, 0.2, 0.1, 1e-3, 0.0, 0.7, 1 / 7]), st.integers(1, 30)),
    min_size=1, max_size=25)


@settings(max_examples=120)
@given(risk_tables, st.sampled_from([0.01, 0.05, 0.2, 0.5]), st.integers(1, 64))
@example([(1.0, 1), (0.5, 2)], 0.01, 64)
@example([(0.1, 7), (0.1, 3), (1 / 3, 9)], 0.05, 2)
def test_global_risk_on_tuples_equals_the_record_level_figures(pairs, target, block):
    values = np.array([v for v, _ in pairs])
    counts = np.array([c for _, c in pairs], dtype=np.int64)
    records = np.repeat(values, counts)
    old = individual._BLOCK
    individual._BLOCK = block  # exercise the carried sums across block boundaries
    try:
        on_tuples = global_risk(values, counts=counts, max_global_risk=target)
    finally:
        individual._BLOCK = old
    assert on_tuples == global_risk(records, max_global_risk=target)


def test_expected_reidentifications_are_exact_for_large_counts():
    # The count x risk products are split into exactly representable parts: fsum is then exact.
    import math
    from fractions import Fraction

    values = np.array([0.1, 1 / 3, 0.7, 1 / 7])
    counts = np.array([3_016_200, 2**40 + 3, 5, 2**51 - 1], dtype=np.int64)
    exact = sum(Fraction(float(v)) * int(c) for v, c in zip(values, counts))
    assert math.fsum(individual._exact_products(values, counts)) == float(exact)


def test_global_risk_with_nan_records():
    values = np.array([np.nan, 0.5, 0.25])
    counts = np.array([2, 3, 1])
    on_tuples = global_risk(values, counts=counts)
    records = global_risk(np.repeat(values, counts))
    assert on_tuples.risk_ER == records.risk_ER and on_tuples.threshold == records.threshold
    assert on_tuples.n_higher_risk_than_main_part == records.n_higher_risk_than_main_part


@settings(max_examples=60)
@given(tables)
def test_kanonymity_violations_on_tuples(keys):
    t = distinct_tuples(keys)
    fk, _ = tuple_frequencies(t)
    assert kanonymity_violations(fk, counts=t.counts) == kanonymity_violations(t.expand(fk))


@settings(max_examples=60)
@given(tables, st.integers(1, 4))
def test_uniqueness_by_attributes_against_brute_force(keys, max_size):
    shifted = keys + 1
    m = keys.shape[1]
    names = [f"c{j}" for j in range(m)]
    t = distinct_tuples(shifted)
    cards = [4] * m
    on_tuples = uniqueness_by_attributes(t.codes, cards, names, max_size=max_size, counts=t.counts)
    on_rows = uniqueness_by_attributes(shifted, cards, names, max_size=max_size)
    expected = []
    for size in range(1, min(max_size, m) + 1):
        for sub in combinations(range(m), size):
            seen = Counter(tuple(r) for r in shifted[:, list(sub)].tolist())
            uniques = sum(1 for r in shifted[:, list(sub)].tolist() if seen[tuple(r)] == 1)
            expected.append({"attributes": [names[j] for j in sub], "sample_uniques": uniques / len(keys),
                             "unique_records": uniques})
    assert on_tuples == expected and on_rows == expected


def test_individual_risk_is_elementwise():
    # The record-level risk is a function of (fk, Fk) alone, so it can be taken per tuple.
    fk = np.array([1.0, 2.0, 3.0, 1.0])
    Fk = np.array([4.0, 9.0, 3.0, 1.0])
    whole = individual_risk(fk, Fk, weighted=True)
    assert [individual_risk(fk[i:i + 1], Fk[i:i + 1], weighted=True)[0] for i in range(4)] == whole.tolist()


def test_counts_must_be_positive_integers():
    from unlinkable.errors import InputError

    with pytest.raises(InputError):
        global_risk(np.array([0.5]), counts=np.array([0]))
    with pytest.raises(InputError):
        kanonymity_violations(np.array([1.0, 2.0]), counts=np.array([1.5, 2.0]))


@settings(max_examples=40)
@given(tables)
def test_attribute_effects_on_tuples_equal_those_on_records(keys):
    from unlinkable.risk.attribute_effect import attribute_effects

    shifted = keys + 1
    m = keys.shape[1]
    names = [f"c{j}" for j in range(m)]
    lifted = {"c0": (np.array([0, 1, 1, 2]), 3)}  # codes 1 and 2 merge one level up
    t = distinct_tuples(shifted)
    assert attribute_effects(t.codes, [4] * m, names, lifted=lifted, counts=t.counts) == \
        attribute_effects(shifted, [4] * m, names, lifted=lifted)
