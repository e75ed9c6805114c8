"""sdcMicro ldiversity per-record columns (testdata B examples) and a hand-worked table."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from unlinkable.errors import ConfigError, InputError
from unlinkable.risk.ldiversity_sdc import ldiversity_sdc


def encode(df: pl.DataFrame, cols: list[str]) -> np.ndarray:
    return np.column_stack([np.unique(df[c].to_numpy(), return_inverse=True)[1].reshape(-1) for c in cols])


@pytest.mark.parametrize(("block", "sens"), [("ldiversity_electcon", ["electcon"]),
                                             ("ldiversity_electcon_relat", ["electcon", "relat"])])
def test_testdata_examples(sdc_reference, sdc_data, block, sens):
    ref = sdc_reference["testdata"]["setups"]["B_measure_risk_examples"][block]["columns"]
    df = pl.read_csv(sdc_data / "testdata.csv")
    keys = encode(df, ["urbrur", "roof", "walls", "water", "sex"])
    out = ldiversity_sdc(keys, {s: df[s].to_numpy() for s in sens}, l_recurs_c=2)
    assert list(out) == list(ref)
    for col, values in ref.items():
        assert out[col].tolist() == values, col


def test_hand_worked():
    # group A (3 records): sensitive 0,0,1 -> distinct 2; p = 2/3, 1/3;
    #   entropy = exp(-(2/3 ln 2/3 + 1/3 ln 1/3)); recursive c=2: l=2 needs 2 < 2*1 -> no -> 1
    # group B (4 records): 0,1,2,2 -> r = 2,1,1: l=2: 2 < 2*2 yes; l=3: 2 < 2*1 no -> 2
    keys = np.array([[0], [0], [0], [1], [1], [1], [1]])
    s = np.array([0, 0, 1, 0, 1, 2, 2])
    out = ldiversity_sdc(keys, {"s": s})
    assert out["s_Distinct_Ldiversity"].tolist() == [2, 2, 2, 3, 3, 3, 3]
    assert out["s_Recursive_Ldiversity"].tolist() == [1, 1, 1, 2, 2, 2, 2]
    h = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert out["s_Entropy_Ldiversity"][0] == pytest.approx(math.exp(h), rel=1e-15)
    assert ldiversity_sdc(keys, {"s": s}, l_recurs_c=3)["s_Recursive_Ldiversity"].tolist() == [2, 2, 2, 3, 3, 3, 3]


def test_errors():
    with pytest.raises(ConfigError):
        ldiversity_sdc(np.zeros((2, 1), dtype=int), {})
    with pytest.raises(InputError):
        ldiversity_sdc(np.zeros((2, 1), dtype=int), {"s": np.zeros(3, dtype=int)})
