"""top_bottom_code: hand-worked cases, sdcMicro's free1 DEBTS example, and a brute-force property."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.top_bottom import top_bottom_code


def coded(values, **kw):
    return top_bottom_code(pl.DataFrame({"x": values}), attribute="x", **kw)["x"].to_list()


def test_strict_thresholds_and_default_caps():
    # x > 10 -> 10 and x < 2 -> 2; the thresholds themselves are kept (sdcMicro uses > and <).
    assert coded([1, 2, 5, 10, 11], top=10, bottom=2) == [2, 2, 5, 10, 10]


def test_explicit_replacements_and_float_promotion():
    assert coded([1, 5, 20], top=10, top_value=10.5, bottom=2, bottom_value=0) == [0.0, 5.0, 10.5]
    assert top_bottom_code(pl.DataFrame({"x": [1, 20]}), attribute="x", top=10, top_value=12)["x"].dtype == pl.Int64


def test_nulls_and_nan_untouched():
    out = coded([None, float("nan"), 50.0], top=10)
    assert out[0] is None and math.isnan(out[1]) and out[2] == 10.0


def test_free1_debts_example(sdc_data):
    # ?topBotCoding: topBotCoding(free1[,"DEBTS"], value=9000, replacement=9100, kind="top").
    df = pl.read_csv(sdc_data / "free1.csv")
    out = top_bottom_code(df, attribute="DEBTS", top=9000, top_value=9100)
    x = df["DEBTS"].to_numpy()
    np.testing.assert_array_equal(out["DEBTS"].to_numpy(), np.where(x > 9000, 9100, x))
    assert out.drop("DEBTS").equals(df.drop("DEBTS"))


@pytest.mark.parametrize(
    "kw",
    [{}, {"top_value": 3}, {"top": 1, "bottom": 5}, {"top": float("inf")}, {"top": "9"}, {"bottom": True}],
)
def test_bad_config(kw):
    with pytest.raises(ConfigError):
        coded([1, 2], **kw)


def test_bad_input():
    with pytest.raises(InputError, match="no column"):
        top_bottom_code(pl.DataFrame({"x": [1]}), attribute="y", top=1)
    with pytest.raises(InputError, match=r"column .* row \d+: value .* is not a number"):
        top_bottom_code(pl.DataFrame({"x": ["a"]}), attribute="x", top=1)


def test_pandas_input():
    out = top_bottom_code(pd.DataFrame({"x": [1, 50]}), attribute="x", top=10)
    assert isinstance(out, pl.DataFrame) and out["x"].to_list() == [1, 10]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-100, 100)), min_size=1, max_size=30),
    low=st.integers(-100, 100),
    span=st.integers(0, 100),
)
def test_matches_elementwise_oracle(values, low, span):
    high = low + span
    got = coded(values, top=high, top_value=high + 1, bottom=low, bottom_value=low - 1)
    expected = [None if v is None else high + 1 if v > high else low - 1 if v < low else v for v in values]
    assert got == expected
