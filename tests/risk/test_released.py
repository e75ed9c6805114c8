"""Uniqueness of a released table on its non-sensitive columns, against brute force."""

from __future__ import annotations

from collections import Counter

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from unlinkable.risk.released import released_uniqueness


def _unique(rows: list[tuple]) -> int:
    counts = Counter(rows)
    return sum(1 for r in rows if counts[r] == 1)


values = st.sampled_from(["a", "b", "*", None])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(values, values, values), min_size=1, max_size=30))
@example([("a", None, "x")])
def test_figures_equal_brute_force(rows):
    table = pl.DataFrame(rows, schema=["q1", "q2", "kept"], orient="row")
    r = released_uniqueness(table, quasi_identifiers=["q1", "q2"], kept=["kept"])
    n = len(rows)
    assert r["columns"] == ["q1", "q2", "kept"] and r["records"] == n
    assert r["unique_records"] == _unique(rows) and r["sample_uniques"] == _unique(rows) / n
    qi_only = _unique([row[:2] for row in rows]) / n
    alone = _unique([row[2:] for row in rows]) / n
    assert r["quasi_identifier_uniques"] == qi_only
    (entry,) = r["kept_columns"]
    assert entry == {"column": "kept", "alone": alone, "with_quasi_identifiers": _unique(rows) / n,
                     "warn": alone > 0 or _unique(rows) / n > qi_only}


def test_a_kept_column_that_adds_nothing_raises_no_warning():
    table = pl.DataFrame({"q": ["a", "a", "b", "b"], "kept": ["x", "x", "y", "y"]})
    r = released_uniqueness(table, quasi_identifiers=["q"], kept=["kept"])
    assert r["unique_records"] == 0 and r["kept_columns"][0]["warn"] is False
