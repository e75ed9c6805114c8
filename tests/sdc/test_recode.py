"""recode: R ``cut`` semantics on hand-worked cases, and sdcMicro's globalRecode of testdata age."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.recode import recode


def codes(values, **kw):
    return recode(pl.DataFrame({"x": values}), attribute="x", **kw)["x"].to_list()


def test_right_closed_excludes_lowest_break():
    # cut(c(1, 2, 9, 10, 100), c(1, 9, 100)): (1,9] holds 2 and 9, (9,100] holds 10 and 100; 1 is NA.
    assert codes([1, 2, 9, 10, 100], breaks=[1, 9, 100], outside="null") == [None, 1, 1, 2, 2]


def test_left_closed():
    # right=FALSE: [1,9) holds 1 and 2, [9,100) holds 9 and 10; 100 is NA.
    assert codes([1, 2, 9, 10, 100], breaks=[1, 9, 100], right=False, outside="null") == [1, 1, 2, 2, None]


def test_include_lowest():
    # include.lowest=TRUE closes the first interval [1,9]; with right=FALSE it closes the last [9,100].
    assert codes([1, 9, 100], breaks=[1, 9, 100], include_lowest=True) == [1, 1, 2]
    assert codes([1, 9, 100], breaks=[1, 9, 100], right=False, include_lowest=True) == [1, 2, 2]


def test_breaks_are_sorted_and_labels_used():
    assert codes([2, 50], breaks=[100, 1, 9], labels=["young", "old"]) == ["young", "old"]


def test_number_of_intervals_widens_range_like_cut():
    # cut(c(0, 5, 10), 2): breaks seq(0, 10, length=3) = 0, 5, 10, ends moved by 10/1000 -> (-0.01,5], (5,10.01].
    assert codes([0, 5, 10], breaks=2) == [1, 1, 2]


def test_nulls_and_nan_stay_null():
    assert codes([None, 5.0, float("nan")], breaks=[0, 10]) == [None, 1, None]


def test_outside_value_is_an_error_naming_row_and_value():
    with pytest.raises(InputError, match=r"row 2 \(1-based\) has value 0"):
        codes([5, 0, 7], breaks=[1, 9, 100])


@pytest.mark.parametrize(
    "kw",
    [
        {"breaks": [1, 1, 5]},
        {"breaks": [3]},
        {"breaks": 1},
        {"breaks": ["a", "b"]},
        {"breaks": [0, 5, 10], "labels": ["one"]},
        {"breaks": [0, 5, 10], "outside": "drop"},
    ],
)
def test_bad_config(kw):
    with pytest.raises(ConfigError):
        codes([1, 2], **kw)


def test_bad_input():
    with pytest.raises(InputError, match="no column"):
        recode(pl.DataFrame({"x": [1]}), attribute="y", breaks=[0, 2])
    with pytest.raises(InputError, match=r"column .* row \d+: value .* is not a number"):
        recode(pl.DataFrame({"x": ["a"]}), attribute="x", breaks=[0, 2])


def test_pandas_input_and_other_columns_untouched():
    out = recode(pd.DataFrame({"x": [3, 12], "y": ["a", "b"]}), attribute="x", breaks=[0, 10, 20])
    assert isinstance(out, pl.DataFrame)
    assert out.to_dict(as_series=False) == {"x": [1, 2], "y": ["a", "b"]}


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(-50, 150), min_size=1, max_size=40),
    cuts=st.lists(st.integers(-60, 160), min_size=2, max_size=6, unique=True),
    right=st.booleans(),
)
def test_matches_brute_force_interval_search(values, cuts, right):
    got = codes(values, breaks=cuts, right=right, outside="null")
    b = sorted(cuts)
    expected = []
    for v in values:
        hit = None
        for i in range(len(b) - 1):
            if (b[i] < v <= b[i + 1]) if right else (b[i] <= v < b[i + 1]):
                hit = i + 1
        expected.append(hit)
    assert got == expected


# --- sdcMicro reference: globalRecode(sdc, column='age', breaks=c(1,9,...,100), labels=1:8) -------


def _na_aware_fk(keys: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """fk/Fk with NA (-1) as a wildcard, alpha = 1 (README 4.1): a record counts every record whose
    key agrees wherever both are non-NA. No record here is NA in every key, so no exception applies."""
    patterns, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    counts = np.bincount(inverse, minlength=len(patterns)).astype(float)
    wsum = np.bincount(inverse, weights=weights, minlength=len(patterns))
    a, b = patterns[:, None, :], patterns[None, :, :]
    compatible = np.all((a == b) | (a == -1) | (b == -1), axis=2)
    return (compatible @ counts)[inverse], (compatible @ wsum)[inverse]


def _indiv_risk(fk: np.ndarray, Fk: np.ndarray) -> np.ndarray:
    """Benedetti-Franconi approximation as README 4.2 states it."""
    p = fk / Fk
    r = np.zeros_like(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        one = p / (1 - p) * np.log(1 / p)
        two = p / (1 - p) - (p / (1 - p)) ** 2 * np.log(1 / p)
        more = p / (fk - (1 - p))
    r = np.where(fk == 1, one, np.where(fk == 2, two, np.where(fk > 2, more, r)))
    return np.where(fk == Fk, 1 / fk, r)


def test_global_recode_of_testdata_age_matches_sdcmicro(sdc_data, sdc_reference):
    block = sdc_reference["testdata"]["setups"]["A_urbrur_water_sex_age"]
    ref = block["globalRecode_age"]
    df = pl.read_csv(sdc_data / "testdata.csv")
    out = recode(df, attribute="age", breaks=[1, 9, 19, 29, 39, 49, 59, 69, 100], outside="null")
    assert out["age"].to_list() == ref["recoded_age"]

    keys = block["keyVars"]
    coded = np.column_stack([out[c].fill_null(-1).to_numpy() for c in keys])
    weights = out[block["weightVar"]].to_numpy().astype(float)
    fk, Fk = _na_aware_fk(coded, weights)
    assert fk.tolist() == ref["fk"]
    assert Fk.tolist() == ref["Fk"]
    risk = _indiv_risk(fk, Fk)
    np.testing.assert_allclose(risk, ref["indivRisk"], rtol=1e-13, atol=0)
    risk_er = math.fsum(risk.tolist())
    assert risk_er == pytest.approx(ref["global"]["risk_ER"], rel=1e-14)
    assert risk_er / len(risk) == pytest.approx(ref["global"]["risk"], rel=1e-14)
    for k, violations in ref["kanon_violations"].items():
        assert int((fk < int(k)).sum()) == violations


def test_text_numbers_from_csv_are_recoded():
    # CSV cells are read as text; numeric methods convert the columns they work on.
    out = recode(pl.DataFrame({"age": ["5", "25", None]}), attribute="age", breaks=[0, 10, 30])
    assert out["age"].to_list()[:2] == [1, 2]


# --- sdcMicro globalRecode's methods for a number of intervals ----------------------------------


def test_equidistant_rounds_unless_tied():
    # seq(0, 11, length.out = 4) = 0, 3.667, 7.333, 11 -> rounded 0, 4, 7, 11 (no ties); lowest included
    assert codes([1.0, 4.0, 5.0, 10.0], breaks=3, method="equidistant") == [1, 1, 2, 3]
    # seq(-1, 1.5, length.out = 5) = -1, -0.375, 0.25, 0.875, 1.5 rounds to -1, 0, 0, 1, 2 (a tie),
    # so the points stay unrounded: 0 in (-0.375, 0.25], 0.5 in (0.25, 0.875]
    assert codes([0.0, 0.5], breaks=4, method="equidistant") == [2, 3]


def test_log_equidistant_hand_worked():
    # log: 0 .. log(100) widened by 1 -> exp(seq(-1, log(100) + 1, length.out = 3)) = 0.37, 16.5, 271.8,
    # rounded 0, 16, 272: (0,16] holds 1 and 10, (16,272] holds 100
    assert codes([1.0, 10.0, 100.0], breaks=2, method="log-equidistant") == [1, 1, 2]


def test_log_equidistant_needs_positive_values():
    with pytest.raises(InputError, match="positive"):
        codes([0.0, 1.0, 2.0], breaks=2, method="log-equidistant")


# Subnormals are left out: R interpolates as (1-h)*lo + h*hi, numpy as a lerp, and on subnormals the two
# round differently (0.5 * 5e-324 is 0 in R, 5e-324 in numpy); unlinkable follows R.
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False), min_size=3, max_size=40, unique=True),
       st.integers(2, 5))
@settings(max_examples=60)
def test_equal_amount_cuts_at_r_quantiles(values, m):
    """Cut points = numpy's linear quantiles (R type 7); every value lands in an interval."""
    cuts = np.quantile(np.asarray(values), np.linspace(0, 1, m + 1))
    if np.unique(cuts).size != cuts.size:
        with pytest.raises(ConfigError, match="repeated"):
            codes(values, breaks=m, method="equal-amount")
        return
    got = codes(values, breaks=m, method="equal-amount")
    want = np.clip(np.searchsorted(cuts, values, side="left"), 1, m)  # include.lowest = TRUE
    assert got == want.tolist()
    assert None not in got
    counts = np.bincount(np.asarray(got), minlength=m + 1)[1:]
    assert counts.max() - counts.min() <= len(values) // m + 1


@pytest.mark.parametrize("method", ["equidistant", "log-equidistant", "equal-amount"])
def test_one_interval_holds_everything(method):
    assert codes([3.0, 7.0, 50.0], breaks=1, method=method) == [1, 1, 1]


def test_unknown_method():
    with pytest.raises(ConfigError, match="'method' parameter must be one of"):
        codes([1.0, 2.0], breaks=2, method="logEqui")


def test_equal_amount_median_of_a_subnormal_follows_r():
    # R type 7 at p = 0.5 on sorted (-1, 0, 5e-324, 1): (1 - 0.5) * 0 + 0.5 * 5e-324 = 0 (2.5e-324 rounds
    # to even), so the cuts are -1, 0, 1 and 0 falls in the first interval (0, being equal to a cut, is
    # on its right-closed side).
    assert codes([0.0, 1.0, 5e-324, -1.0], breaks=2, method="equal-amount") == [1, 2, 2, 1]
