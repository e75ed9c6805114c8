"""fk / Fk against sdcMicro's freqCalc (reference JSON) plus a brute-force oracle for the NA rules."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.risk.frequencies import class_ids, frequencies


def encode(df: pl.DataFrame, cols: list[str]) -> np.ndarray:
    """Each column's values -> codes 0..k-1 in sorted order; null -> -1."""
    out = []
    for c in cols:
        s = df[c]
        vals = s.drop_nulls().unique().sort().to_list()
        lut = {v: i for i, v in enumerate(vals)}
        out.append([-1 if v is None else lut[v] for v in s.to_list()])
    return np.array(out, dtype=np.int64).T


def keys_from_json(data_keys: dict[str, list], cols: list[str]) -> np.ndarray:
    return encode(pl.DataFrame({c: data_keys[c] for c in cols}), cols)


def suppress(keys: np.ndarray, cols: list[str], suppressed: dict[str, list[int]]) -> np.ndarray:
    """Set the 1-based suppressed records of each column to NA (-1)."""
    out = keys.copy()
    for j, c in enumerate(cols):
        idx = np.asarray(suppressed[c], dtype=np.int64) - 1
        out[idx, j] = -1
    return out


@pytest.fixture(scope="module")
def francdat(sdc_data):
    return pl.read_csv(sdc_data / "francdat.csv")


@pytest.fixture(scope="module")
def testdata(sdc_data):
    return pl.read_csv(sdc_data / "testdata.csv")


KEYS4 = ["Key1", "Key2", "Key3", "Key4"]


def test_francdat_example(francdat, sdc_reference):
    ref = sdc_reference["francdat"]["setups"]["freqCalc_examples"]["freqCalc"]
    fk, Fk = frequencies(encode(francdat, KEYS4), weights=francdat["w"].to_numpy())
    assert fk.tolist() == ref["fk"]
    assert Fk.tolist() == ref["Fk"]
    assert int((fk == 1).sum()) == ref["n1"] and int((fk == 2).sum()) == ref["n2"]


@pytest.mark.parametrize("alpha", ["1", "0.5", "0.1"])
def test_francdat_na_alpha(francdat, sdc_reference, alpha):
    block = sdc_reference["francdat"]["setups"]["freqCalc_examples"]["freqCalc_with_NA"]
    keys = keys_from_json(block["data_keys"], KEYS4)
    fk, Fk = frequencies(keys, weights=francdat["w"].to_numpy(), alpha=float(alpha))
    assert fk.tolist() == block[f"alpha_{alpha}"]["fk"]
    assert Fk.tolist() == block[f"alpha_{alpha}"]["Fk"]


def test_francdat_all_na_row_and_single_key(francdat, sdc_reference):
    special = sdc_reference["francdat"]["setups"]["freqCalc_examples"]["freqCalc_NA_special"]
    w = francdat["w"].to_numpy()
    y = encode(francdat, KEYS4)
    y[1, :] = -1  # y[2, keys] <- NA
    y[6, 2] = -1  # y[7, 5] <- NA  (Key3)
    fk, Fk = frequencies(y, weights=w)
    assert fk.tolist() == special["all_na_row"]["fk"]
    assert Fk.tolist() == special["all_na_row"]["Fk"]
    z = encode(francdat, ["Key1"])
    z[[0, 3], 0] = -1
    fk, Fk = frequencies(z, weights=w)
    assert fk.tolist() == special["single_key"]["fk"]
    assert Fk.tolist() == special["single_key"]["Fk"]


def _full_battery_setups(sdc_reference):
    t = sdc_reference["testdata"]["setups"]
    f = sdc_reference["francdat"]["setups"]
    return [("testdata", t["A_urbrur_water_sex_age"]), ("testdata", t["C_package_example_7keys"]),
            ("francdat", f["A_sdcObj_4keys"])]


def test_full_battery_fk(sdc_reference, sdc_data):
    for dataset, setup in _full_battery_setups(sdc_reference):
        df = pl.read_csv(sdc_data / f"{dataset}.csv")
        keys = encode(df, setup["keyVars"])
        fk, Fk = frequencies(keys, weights=df[setup["weightVar"]].to_numpy())
        assert fk.tolist() == setup["risk"]["fk"]
        assert Fk.tolist() == setup["risk"]["Fk"]
        if "n_sample_uniques" in setup["risk"]:
            assert int((fk == 1).sum()) == setup["risk"]["n_sample_uniques"]
            assert int((fk == 2).sum()) == setup["risk"]["n_fk_eq_2"]
        # recomputed on the keys after localSuppression(k=3): suppressed cells are NA wildcards
        ls = setup["localSuppression_k3"]
        sup = suppress(keys, setup["keyVars"], ls["suppressed_records"])
        fk, Fk = frequencies(sup, weights=df[setup["weightVar"]].to_numpy())
        assert fk.tolist() == ls["after"]["fk"]
        assert Fk.tolist() == ls["after"]["Fk"]


def test_measure_risk_examples_and_recode(testdata, sdc_reference):
    t = sdc_reference["testdata"]["setups"]
    b = t["B_measure_risk_examples"]
    keys = encode(testdata, ["urbrur", "roof", "walls", "water", "sex"])
    fk, Fk = frequencies(keys)
    assert fk.tolist() == b["unweighted"]["fk"] and Fk.tolist() == b["unweighted"]["Fk"]
    fk, Fk = frequencies(keys, weights=testdata["sampling_weight"].to_numpy())
    assert fk.tolist() == b["weighted"]["fk"] and Fk.tolist() == b["weighted"]["Fk"]
    rec = t["A_urbrur_water_sex_age"]["globalRecode_age"]
    df = testdata.with_columns(pl.Series("age", rec["recoded_age"]))
    fk, Fk = frequencies(encode(df, ["urbrur", "water", "sex", "age"]), weights=df["sampling_weight"].to_numpy())
    assert fk.tolist() == rec["fk"] and Fk.tolist() == rec["Fk"]


def test_hand_worked_table():
    # keys: r0=(0,1) r1=(0,1) r2=(0,NA) r3=(NA,NA) r4=(1,0); weights 1,2,3,4,5; alpha=0.5
    # r0,r1 complete: own 2 + 0.5*[r2 compatible] = 2.5; all-NA r3 not added. Fk = 3 + 0.5*3 = 4.5
    # r2 (0,NA): own 1 + complete r0,r1 (2, unscaled) + 0.5*r3 = 3.5; Fk = 3 + 3 + 0.5*4 = 8
    # r3 all NA: fk = n = 5, Fk = 15;  r4: own 1, r3 not added -> 1, Fk 5
    keys = np.array([[0, 1], [0, 1], [0, -1], [-1, -1], [1, 0]])
    fk, Fk = frequencies(keys, weights=np.array([1.0, 2, 3, 4, 5]), alpha=0.5)
    assert fk.tolist() == [2.5, 2.5, 3.5, 5.0, 1.0]
    assert Fk.tolist() == [4.5, 4.5, 8.0, 15.0, 5.0]


def _oracle(keys: np.ndarray, w: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise compatibility count, straight from the rules (sdcMicro README 4.1)."""
    n, m = keys.shape
    na = keys < 0
    fk = np.zeros(n)
    Fk = np.zeros(n)
    for i in range(n):
        if na[i].all():
            fk[i], Fk[i] = n, w.sum()
            continue
        for j in range(n):
            both = ~na[i] & ~na[j]
            if not np.array_equal(keys[i][both], keys[j][both]):
                continue
            same_pattern = np.array_equal(na[i], na[j]) and np.array_equal(keys[i], keys[j])
            if m == 1:
                f = 1.0 if same_pattern else alpha
            elif same_pattern:
                f = 1.0
            elif not na[i].any():
                f = 0.0 if na[j].all() else alpha
            else:
                f = 1.0 if not na[j].any() else alpha
            fk[i] += f
            Fk[i] += f * w[j]
    return fk, Fk


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda m: st.lists(st.lists(st.integers(-1, 2), min_size=m, max_size=m), min_size=1, max_size=9)
    ),
    st.sampled_from([1.0, 0.5, 0.25]),
)
def test_oracle_property(rows, alpha):
    keys = np.array(rows, dtype=np.int64)
    w = np.arange(1, len(rows) + 1, dtype=np.float64)
    fk, Fk = frequencies(keys, weights=w, alpha=alpha)
    ofk, oFk = _oracle(keys, w, alpha)
    np.testing.assert_allclose(fk, ofk, rtol=1e-12)
    np.testing.assert_allclose(Fk, oFk, rtol=1e-12)


def test_class_ids_wide():
    rng = np.random.default_rng(0)
    cols = rng.integers(0, 2**20, size=(200, 6))
    cols[100:] = cols[:100]
    g = class_ids(cols)
    for i, j in itertools.combinations(range(0, 200, 7), 2):
        assert (g[i] == g[j]) == bool((cols[i] == cols[j]).all())


def test_errors():
    with pytest.raises(InputError):
        frequencies(np.array([1, 2]))
    with pytest.raises(InputError):
        frequencies(np.array([[1], [-3]]))
    with pytest.raises(InputError):
        frequencies(np.array([[1.5]]))
    with pytest.raises(InputError):
        frequencies(np.array([[1], [2]]), weights=np.ones(3))
    with pytest.raises(ConfigError):
        frequencies(np.array([[1]]), alpha=2)
