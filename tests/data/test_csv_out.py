"""The CSV output from distinct rows writes the bytes of polars' own writer, whatever the table."""

from __future__ import annotations

import io
from unittest import mock

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unlinkable.data.csv_out as csv_out
from unlinkable.errors import InternalError

# labels a CSV writer must quote or keep as they are: separators, quotes, spaces, empty, non-ASCII
LABELS = ["20-39", "*", "a;b", "a,b", 'say "hi"', " x ", "", "é", "x y", "08"]


def polars_bytes(frame: pl.DataFrame, separator: str) -> bytes:
    out = io.BytesIO()
    frame.write_csv(out, separator=separator, line_terminator="\n", quote_style="necessary", null_value="")
    return out.getvalue()


def ours(frame: pl.DataFrame, separator: str, **kwargs) -> bytes:
    out = io.BytesIO()
    csv_out.write_csv(frame, out, separator=separator, min_rows=1, **kwargs)
    return out.getvalue()


@st.composite
def categorical_frames(draw):
    width = draw(st.integers(1, 4))
    rows = draw(st.integers(1, 60))
    columns = {}
    for j in range(width):
        labels = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=5, unique=True))
        values = draw(st.lists(st.one_of(st.none(), st.sampled_from(labels)), min_size=rows, max_size=rows))
        dtype = pl.Enum(labels) if draw(st.booleans()) else pl.Categorical
        columns[f"c{j}"] = pl.Series(f"c{j}", values, dtype=pl.String).cast(dtype)
    return pl.DataFrame(columns)


@settings(max_examples=150, deadline=None)
@given(frame=categorical_frames(), separator=st.sampled_from([";", ",", "\t"]), space=st.sampled_from([4, 64, 1 << 24]),
       block=st.sampled_from([1, 3, 7, 1 << 16]))
def test_same_bytes_as_polars(frame, separator, space, block):
    # a small key space forces the keys to be renumbered between columns (or the table to polars);
    # small blocks, the keys, the proof and the chosen records go block by block
    with mock.patch.object(csv_out, "_MAX_SPACE", space), mock.patch.object(csv_out, "_ROWS_PER_LINE", 1), \
            mock.patch.object(csv_out, "BLOCK", block):
        assert ours(frame, separator) == polars_bytes(frame, separator)


def test_a_released_table_is_written_from_its_distinct_rows():
    n = 200_000
    rng = np.random.default_rng(7)
    age = pl.Series("age", rng.choice(["20-39", "40-59", "*"], n)).cast(pl.Enum(["20-39", "40-59", "*"]))
    zip_code = pl.Series("zip", rng.choice(["816**", "8167*", "a;b", '"q"', "*"], n)).cast(pl.Categorical)
    frame = pl.DataFrame([age, zip_code])
    assert csv_out._distinct_lines(frame, ";", csv_out._MIN_ROWS) is not None  # the fast way applies
    out = io.BytesIO()
    csv_out.write_csv(frame, out, separator=";")
    assert out.getvalue() == polars_bytes(frame, ";")


@pytest.mark.parametrize("frame", [
    pl.DataFrame({"a": pl.Series(["x\ny", "z"] * 3).cast(pl.Categorical)}),      # a quoted line break
    pl.DataFrame({"a": pl.Series(["x\r", "z"] * 3).cast(pl.Enum(["x\r", "z"]))}),
    pl.DataFrame({"a": pl.Series(["x", "z"] * 3).cast(pl.Categorical), "n": [1, 2, 3, 4, 5, 6]}),  # not categorical
    pl.DataFrame({"a": pl.Series([str(i) for i in range(40)]).cast(pl.Categorical)}),  # every row distinct
])
def test_other_tables_are_written_by_polars(frame):
    assert csv_out._distinct_lines(frame, ",", 1) is None
    assert ours(frame, ",") == polars_bytes(frame, ",")


def test_small_tables_are_written_by_polars():
    frame = pl.DataFrame({"a": pl.Series(["x", "z"] * 10).cast(pl.Categorical)})
    assert csv_out._distinct_lines(frame, ",", csv_out._MIN_ROWS) is None


def test_records_grouped_wrongly_are_an_internal_error_and_nothing_is_written():
    frame = pl.DataFrame({"a": pl.Series(["x", "z", "x", "z"] * 5).cast(pl.Categorical)})
    wrong = (np.zeros(frame.height, dtype=np.int32), 1)  # every record one row: records differ
    out = io.BytesIO()
    with mock.patch.object(csv_out, "_group", return_value=wrong), pytest.raises(InternalError):
        csv_out.write_csv(frame, out, separator=",", min_rows=1)
    assert out.getvalue() == b""


@settings(max_examples=100, deadline=None)
@given(frame=categorical_frames(), spare=st.integers(0, 3), seed=st.integers(0, 2**16), block=st.sampled_from([2, 1 << 16]))
def test_a_claimed_grouping_gives_the_same_bytes(frame, spare, seed, block):
    # an anonymizer's claim (each record's class; numbers in any order, some unused) spares the
    # grouping: the bytes are polars' own
    rows = frame.rows()
    distinct = list(dict.fromkeys(rows))
    numbers = np.random.default_rng(seed).permutation(len(distinct) + spare)
    ids = np.array([numbers[distinct.index(r)] for r in rows], dtype=np.int32)
    with mock.patch.object(csv_out, "_ROWS_PER_LINE", 1), mock.patch.object(csv_out, "BLOCK", block), \
            mock.patch.object(csv_out, "_group", side_effect=AssertionError("grouped again")):
        assert ours(frame, ",", rows=lambda: (ids, len(distinct) + spare)) == polars_bytes(frame, ",")


def test_a_wrong_claim_is_an_internal_error_and_one_out_of_range_is_not_used():
    frame = pl.DataFrame({"a": pl.Series(["x", "z", "x", "z"] * 5).cast(pl.Categorical)})
    out = io.BytesIO()
    with pytest.raises(InternalError):  # records that differ, claimed to share a row
        csv_out.write_csv(frame, out, separator=",", min_rows=1, rows=lambda: (np.zeros(20, dtype=np.int32), 1))
    assert out.getvalue() == b""
    for claim in [(np.full(20, 2, dtype=np.int32), 2), (np.full(20, -1, dtype=np.int32), 2), (np.zeros(3, dtype=np.int32), 1)]:
        # a number outside the count, or a claim of another length: the records are grouped here
        assert ours(frame, ",", rows=lambda claim=claim: claim) == polars_bytes(frame, ",")
