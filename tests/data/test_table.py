from __future__ import annotations

from unittest import mock

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unlinkable.data.table as table
from unlinkable.data.table import EncodedTable, encode_column, encode_columns
from unlinkable.errors import InputError


def test_first_appearance_order_and_missing():
    col = encode_column(pl.Series("x", ["b", "a", "b", None, "c"]))
    assert col.dictionary == ("b", "a", "c")
    assert col.codes.tolist() == [0, 1, 0, -1, 2]
    assert col.codes.dtype == np.int32


def test_numbers_are_encoded_as_text():
    col = encode_column(pl.Series("x", [10, 2, 10]))
    assert col.dictionary == ("10", "2")


@given(st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=40))
def test_decoding_restores_the_column(values):
    col = encode_column(pl.Series("x", values, dtype=pl.String))
    decoded = [None if c < 0 else col.dictionary[c] for c in col.codes]
    assert decoded == values


def test_unknown_column_names_the_column():
    with pytest.raises(InputError, match="unknown column 'nope'"):
        EncodedTable.from_frame(pl.DataFrame({"a": ["1"]}), ["nope"], source="d.csv")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "", "é", "10"])), min_size=0, max_size=8),
                min_size=1, max_size=5), st.sampled_from([1, 100, 4000]))
def test_encode_columns_equals_encode_column(columns, repeat):
    """Every path of encode_columns (numpy for short text, Arrow, two threads for long tables) gives
    encode_column's codes and dictionary, nulls and non-text columns included."""
    n = max(len(c) for c in columns)
    series = [pl.Series(f"c{i}", (c + [None] * (n - len(c))) * repeat, dtype=pl.String) for i, c in enumerate(columns)]
    series.append(pl.Series("num", list(range(n)) * repeat))
    for got, col in zip(encode_columns(series), series):
        want = encode_column(col)
        assert got.name == want.name and got.dictionary == want.dictionary
        assert got.codes.dtype == want.codes.dtype and got.codes.tolist() == want.codes.tolist()


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "", "08", "x y", "é"])), max_size=600))
def test_categorical_columns_encode_as_their_text(values):
    # A Categorical or Enum column (the quasi-identifiers as the anonymize command reads them) gets
    # the codes and dictionary of the same column as text: first appearance, a missing value -1.
    text = pl.Series("q", values, dtype=pl.String)
    want = encode_column(text)
    for dtype in (pl.Categorical, pl.Enum(["é", "x y", "08", "", "b", "a"])):
        got = encode_column(text.cast(dtype))
        assert got.codes.tolist() == want.codes.tolist() and got.dictionary == want.dictionary
        assert got.codes.dtype == want.codes.dtype
    many = encode_columns([text.cast(pl.Categorical)] * 4)
    assert all(c.codes.tolist() == want.codes.tolist() and c.dictionary == want.dictionary for c in many)


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "", "08", "x y", "é"])), max_size=60),
       head=st.integers(0, 8))
def test_categories_first_seen_after_the_first_rows_keep_their_order(values, head):
    # The order of first appearance is read off the first rows when every category present is
    # there; a category first seen later (or only nulls there) must send it to the whole column.
    text = pl.Series("q", values, dtype=pl.String)
    want = encode_column(text)
    with mock.patch.object(table, "_HEAD", head):
        for dtype in (pl.Categorical, pl.Enum(["é", "x y", "08", "", "b", "a"])):
            got = encode_column(text.cast(dtype))
            assert got.codes.tolist() == want.codes.tolist() and got.dictionary == want.dictionary


def test_long_categorical_columns_encode_into_the_matrix_on_two_threads():
    # >= 20,000 rows: the columns are encoded on the pool, each into its own column of the matrix;
    # one column's last category first appears in the last row, another has nulls only late.
    n = 30_000
    late = pl.Series("late", ["x"] * (n - 1) + ["y"], dtype=pl.String)
    nulls = pl.Series("nulls", ["a", "b"] * (n // 2 - 1) + [None, "c"], dtype=pl.String)
    mixed = pl.Series("mixed", [str(i % 7) for i in range(n)], dtype=pl.String)
    texts = [late, nulls, mixed]
    matrix = np.empty((n, 4), dtype=np.int32, order="F")
    with mock.patch.object(table, "_HEAD", 100):
        got = encode_columns([late.cast(pl.Categorical), nulls.cast(pl.Categorical), mixed, mixed.cast(pl.Categorical)],
                             out=matrix)
    for j, (col, text) in enumerate(zip(got, [*texts[:2], mixed, mixed])):
        want = encode_column(text)
        assert col.dictionary == want.dictionary and col.codes.tolist() == want.codes.tolist()
        assert np.shares_memory(col.codes, matrix[:, j]) and matrix[:, j].tolist() == want.codes.tolist()


@settings(max_examples=60, deadline=None)
@given(pieces=st.lists(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "", "08"])), min_size=1, max_size=40), min_size=1,
                       max_size=5))
def test_a_column_in_chunks_encodes_as_the_same_column_in_one(pieces):
    # The parser leaves a long column in many chunks; the encoder reads them one by one, in place.
    text = pl.Series("q", [v for piece in pieces for v in piece], dtype=pl.String)
    want = encode_column(text)
    for dtype in (pl.Categorical, pl.Enum(["08", "", "b", "a"])):
        chunked = pl.concat([pl.Series("q", piece, dtype=pl.String).cast(dtype) for piece in pieces], rechunk=False)
        assert chunked.n_chunks() == len(pieces)
        matrix = np.full((chunked.len(), 1), 99, dtype=np.int32, order="F")
        got = encode_columns([chunked], out=matrix)[0]
        assert got.dictionary == want.dictionary and got.codes.tolist() == want.codes.tolist()
        assert encode_column(chunked).codes.tolist() == want.codes.tolist()


@given(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=40))
def test_dictionary_encode_gives_first_appearance_ids(values):
    import pyarrow as pa

    key = np.array(values, dtype=np.int64)
    encoded = table.dictionary_encode(pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(key)]))
    distinct = list(dict.fromkeys(values))  # first appearance, by brute force
    assert encoded.dictionary.to_pylist() == distinct
    assert encoded.indices.to_pylist() == [distinct.index(v) for v in values]


def test_dictionary_encode_leaves_pyarrow_compute_unimported():
    """pyarrow.compute builds a wrapper for every Arrow function when imported (0.05 s of each run)."""
    import subprocess
    import sys

    script = ("import sys, numpy as np, pyarrow as pa\n"
              "from unlinkable.data.table import dictionary_encode\n"
              "key = np.arange(100, dtype=np.int64) % 7\n"
              "dictionary_encode(pa.Array.from_buffers(pa.int64(), 100, [None, pa.py_buffer(key)]))\n"
              "print('pyarrow.compute' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"
