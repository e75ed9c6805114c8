"""Numeric utility and risk: sdcMicro's dUtility/dRisk after MDAV, hand-worked cases."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from unlinkable.errors import InputError
from unlinkable.sdc.microaggregation import microaggregation
from unlinkable.sdc.numeric_utility import numeric_utility

SETUPS = [
    ("testdata", "A_urbrur_water_sex_age", "testdata"),
    ("testdata", "C_package_example_7keys", "testdata"),
    ("francdat", "A_sdcObj_4keys", "francdat"),
]


@pytest.mark.parametrize(("ref_file", "setup", "dataset"), SETUPS)
def test_dutility_after_mdav_matches_sdcmicro(sdc_reference, sdc_data, ref_file, setup, dataset):
    spec = sdc_reference[ref_file]["setups"][setup]
    ref = spec["dUtility_after_mdav"]
    df = pl.read_csv(sdc_data / f"{dataset}.csv")
    masked = microaggregation(df, attributes=spec["numVars"], k=3).table
    u = numeric_utility(df, masked, attributes=spec["numVars"])
    assert u.il1s == ref["IL1s"]
    assert u.il1 == ref["IL1"]
    assert u.drisk == ref["dRisk"]
    # eigen subtracts nearly equal eigenvalues; LAPACK routines differ in the last bits
    assert u.eigen == pytest.approx(ref["eigen"], rel=1e-9)


def test_hand_worked():
    # a = 1,2,3,4 (sd = sqrt(5/3)), masked 1.5,1.5,3.5,3.5: |diff| = .5 each.
    # IL1 = 100 * (.5/1 + .5/2 + .5/3 + .5/4) = 104.1666..., for b (2,1,4,3) vs (1.5,1.5,3.5,3.5):
    # 100 * (.5/2 + .5/1 + .5/4 + .5/3) = 104.1666...; but b's column equals a's masked one.
    x = pl.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 1.0, 4.0, 3.0]})
    m = pl.DataFrame({"a": [1.5, 1.5, 3.5, 3.5], "b": [1.5, 1.5, 3.5, 3.5]})
    u = numeric_utility(x, m, attributes=["a", "b"])
    assert u.il1 == pytest.approx(2 * 100 * (0.5 + 0.25 + 0.5 / 3 + 0.125))
    sd = math.sqrt(5 / 3)
    assert u.il1s == pytest.approx(8 * 0.5 / (sd * math.sqrt(2)))
    # masked sd = sqrt(4/3) ≈ 1.155, half-width .0577 < .5: no record is inside
    assert u.drisk == 0.0
    assert u.mean_change == {"a": 0.0, "b": 0.0}
    # corr(a, b) = 0.6 originally and 1 after masking
    assert u.correlation_change == pytest.approx(0.4)
    # eigenvalues 1.6, 0.4 -> 2, 0: |1.6-2|/1.6 + |0.4-0|/0.4 = 1.25
    assert u.eigen == pytest.approx(1.25)


def test_identical_tables_have_no_loss():
    rng = np.random.default_rng(3)
    x = pl.DataFrame({"a": rng.normal(size=50), "b": rng.normal(size=50)})
    u = numeric_utility(x, x, attributes=["a", "b"])
    assert u.il1s == 0 and u.il1 == 0 and u.drisk == 1.0 and u.correlation_change == 0.0
    assert u.eigen == pytest.approx(0.0, abs=1e-12)


def test_bad_input():
    x = pl.DataFrame({"a": [1.0, 2.0, 3.0], "s": ["p", "q", "r"]})
    with pytest.raises(InputError, match="'s'"):
        numeric_utility(x, x, attributes=["s"])
    with pytest.raises(InputError, match="rows"):
        numeric_utility(x, x.head(2), attributes=["a"])
    with pytest.raises(InputError, match="'zz'"):
        numeric_utility(x, x, attributes=["zz"])
