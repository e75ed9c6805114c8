from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unlinkable.data.table import EncodedTable, encode_column
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
