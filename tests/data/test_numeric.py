from __future__ import annotations

import polars as pl
import pytest

from unlinkable.data.numeric import numeric_columns
from unlinkable.errors import InputError


def test_whole_numbers_become_int64_others_float64():
    out = numeric_columns(pl.DataFrame({"a": ["1", "2"], "b": ["1.5", "2"], "c": [1.0, 2.0]}), ["a", "b", "c"])
    assert out.schema == {"a": pl.Int64, "b": pl.Float64, "c": pl.Float64}


def test_bad_value_names_column_row_value():
    with pytest.raises(InputError, match=r"m: column 'a' row 3: value 'n/a' is not a number"):
        numeric_columns(pl.DataFrame({"a": ["1", "2", "n/a"]}), ["a"], where="m")


def test_nulls_and_empty_fields_stay_missing():
    out = numeric_columns(pl.DataFrame({"a": ["1", None, ""]}), ["a"])
    assert out["a"].to_list() == [1, None, None]
