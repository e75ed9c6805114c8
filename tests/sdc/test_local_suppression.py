"""Local suppression: sdcMicro's heuristic record by record, the improved heuristic, the exact program."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.local_suppression import default_importance, local_suppression


def brute_fk(keys: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """fk straight from the definition (README 4.1), pair by pair: an independent oracle."""
    n, m = keys.shape
    na = keys < 0
    fk = np.zeros(n)
    for i in range(n):
        if na[i].all():
            fk[i] = n
            continue
        for j in range(n):
            if any(keys[i, a] != keys[j, a] and not na[i, a] and not na[j, a] for a in range(m)):
                continue
            same = (keys[i] == keys[j]).all()
            if same:
                fk[i] += 1
            elif m == 1:
                fk[i] += alpha  # i complete, j NA
            elif not na[i].any():
                fk[i] += 0.0 if na[j].all() else alpha
            else:
                fk[i] += alpha if na[j].any() else 1.0
    return fk


def codes(table: pl.DataFrame, attributes) -> np.ndarray:
    cols = []
    for a in attributes:
        s = table[a]
        cols.append((s.rank("dense").cast(pl.Int64) - 1).fill_null(-1).to_numpy())
    return np.column_stack(cols)


def test_brute_fk_matches_the_francdat_na_example(sdc_reference):
    ex = sdc_reference["francdat"]["setups"]["freqCalc_examples"]["freqCalc_with_NA"]
    keys = np.column_stack([[-1 if v is None else v for v in ex["data_keys"][c]] for c in ex["data_keys"]])
    for tag, alpha in (("alpha_1", 1.0), ("alpha_0.5", 0.5), ("alpha_0.1", 0.1)):
        np.testing.assert_allclose(brute_fk(keys, alpha), ex[tag]["fk"])


@pytest.mark.parametrize("setup", ["A_urbrur_water_sex_age", "C_package_example_7keys"])
def test_sdcmicro_method_matches_record_by_record(sdc_reference, sdc_data, setup):
    spec = sdc_reference["testdata"]["setups"][setup]
    ref = spec["localSuppression_k3"]
    df = pl.read_csv(sdc_data / "testdata.csv")
    res = local_suppression(df, k=3, attributes=spec["keyVars"], method="sdcmicro")
    assert res.suppressed == ref["supps"]
    assert res.total_suppressed == ref["newSupps"]
    assert list(res.importance) == ref["importance"]
    for a in spec["keyVars"]:
        assert (res.suppressed_rows[a] + 1).tolist() == ref["suppressed_records"][a]
    from unlinkable.risk.frequencies import frequencies

    fk, _ = frequencies(codes(res.table, spec["keyVars"]))
    np.testing.assert_array_equal(fk, ref["after"]["fk"])


@pytest.mark.parametrize("setup", ["A_urbrur_water_sex_age", "C_package_example_7keys"])
def test_heuristic_never_suppresses_more_than_sdcmicro(sdc_reference, sdc_data, setup):
    spec = sdc_reference["testdata"]["setups"][setup]
    ref = spec["localSuppression_k3"]
    df = pl.read_csv(sdc_data / "testdata.csv")
    res = local_suppression(df, k=3, attributes=spec["keyVars"])
    assert res.method == "heuristic"
    assert res.total_suppressed <= ref["newSupps"]
    for a in spec["keyVars"]:
        assert res.suppressed[a] <= ref["supps"][a]
    from unlinkable.risk.frequencies import frequencies

    fk, _ = frequencies(codes(res.table, spec["keyVars"]))
    assert fk.min() >= 3
    # only key cells change, and only to null
    others = [c for c in df.columns if c not in spec["keyVars"]]
    assert res.table.select(others).equals(df.select(others))


FRANCDAT_LS = {"imp_1324": (2, [1, 3, 2, 4]), "k2": (2, None), "k3": (3, None), "k4": (4, None)}


@pytest.mark.parametrize("name", sorted(FRANCDAT_LS))
def test_francdat_examples(sdc_reference, sdc_data, name):
    ref = sdc_reference["francdat"]["setups"]["freqCalc_examples"]["localSuppression_df"][name]
    k, imp = FRANCDAT_LS[name]
    keys = ["Key1", "Key2", "Key3", "Key4"]
    df = pl.read_csv(sdc_data / "francdat.csv")
    res = local_suppression(df, k=k, attributes=keys, importance=imp, method="sdcmicro")
    assert res.suppressed == ref["supps"]
    assert list(res.importance) == ref["importance"]
    for a in keys:
        assert res.table[a].to_list() == ref["result_keys"][a]
    better = local_suppression(df, k=k, attributes=keys, importance=imp)
    assert better.total_suppressed <= sum(ref["supps"].values())
    assert brute_fk(codes(better.table, keys)).min() >= k
    exact = local_suppression(df, k=k, attributes=keys, method="exact")
    assert exact.total_suppressed <= better.total_suppressed
    assert brute_fk(codes(exact.table, keys)).min() >= k


def test_francdat_sdcobj_k3(sdc_reference, sdc_data):
    spec = sdc_reference["francdat"]["setups"]["A_sdcObj_4keys"]
    ref = spec["localSuppression_k3"]
    df = pl.read_csv(sdc_data / "francdat.csv")
    res = local_suppression(df, k=3, attributes=spec["keyVars"], method="sdcmicro")
    assert res.suppressed == ref["supps"]
    for a in spec["keyVars"]:
        assert (res.suppressed_rows[a] + 1).tolist() == ref["suppressed_records"][a]
    np.testing.assert_array_equal(brute_fk(codes(res.table, spec["keyVars"])), ref["after"]["fk"])


def test_hand_worked():
    # sex has 2 values, zip 2 -> importance sex=1, zip=2 (tie: earlier column lower): zip goes first.
    # fk = 2, 2, 1, 1. Record 2 (f,2): nearest at distance 1 are the two (f,1) rows, differing in
    # zip -> zip suppressed. Record 3 (m,1): nearest are (f,1) rows and, after the update, (f,NA);
    # only sex differs -> sex suppressed. Now (f,NA) matches (f,1)x2 and (NA,1): fk = 4;
    # (NA,1) matches (f,1)x2, (f,NA): fk = 4; both >= 2. Restoring either cell breaks k=2.
    df = pl.DataFrame({"sex": ["f", "f", "f", "m"], "zip": ["1", "1", "2", "1"]})
    res = local_suppression(df, k=2, attributes=["sex", "zip"])
    assert res.table.rows() == [("f", "1"), ("f", "1"), ("f", None), (None, "1")]
    assert res.suppressed == {"sex": 1, "zip": 1}
    # with sex suppressed first nothing changes: (f,2)'s neighbours differ only in zip, (m,1)'s in sex
    swapped = local_suppression(df, k=2, attributes=["sex", "zip"], importance=[2, 1], method="sdcmicro")
    assert swapped.total_suppressed == 2


def test_importance_order_decides_the_variable():
    # (0,0) x2 and (1,1) x2 and the unique (0,1): it is one step from both groups, in a different
    # variable each, so the importance alone picks the suppressed variable.
    df = pl.DataFrame({"a": [0, 0, 1, 1, 0], "b": [0, 0, 1, 1, 1]})
    first_b = local_suppression(df, k=2, attributes=["a", "b"], importance=[1, 2])
    assert first_b.suppressed == {"a": 0, "b": 1}
    first_a = local_suppression(df, k=2, attributes=["a", "b"], importance=[2, 1])
    assert first_a.suppressed == {"a": 1, "b": 0}


def test_default_importance():
    assert default_importance(np.array([[0, 0, 0], [1, 1, 0], [0, 2, 1]])).tolist() == [1, 3, 2]


def brute_minimum(keys: np.ndarray, k: int) -> int:
    """Smallest number of cells whose suppression gives every fk >= k, by enumeration."""
    n, m = keys.shape
    cells = [(i, a) for i in range(n) for a in range(m) if keys[i, a] >= 0]
    for size in range(len(cells) + 1):
        for combo in itertools.combinations(cells, size):
            trial = keys.copy()
            for i, a in combo:
                trial[i, a] = -1
            if m > 1 and any((trial[i] < 0).all() and not (keys[i] < 0).all() for i in range(n)):
                continue  # the exact program never blanks a whole record
            if brute_fk(trial).min() >= k:
                return size
    raise AssertionError


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 1)), min_size=3, max_size=12),
       st.integers(2, 3), st.floats(0.0, 1.0))
def test_every_fk_reaches_k(rows, k, alpha):
    assume(len(rows) >= k)
    df = pl.DataFrame({"a": [r[0] for r in rows], "b": [r[1] for r in rows], "c": [r[2] for r in rows]})
    plain = local_suppression(df, k=k, attributes=["a", "b", "c"], alpha=alpha, method="sdcmicro")
    better = local_suppression(df, k=k, attributes=["a", "b", "c"], alpha=alpha)
    for res in (plain, better):
        assert brute_fk(codes(res.table, ["a", "b", "c"]), alpha).min() >= k - 1e-9
    assert better.total_suppressed <= plain.total_suppressed


@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1)), min_size=3, max_size=5), st.integers(2, 3))
def test_exact_is_the_minimum(rows, k):
    assume(len(rows) >= k)
    df = pl.DataFrame({"a": [r[0] for r in rows], "b": [r[1] for r in rows]})
    res = local_suppression(df, k=k, attributes=["a", "b"], method="exact")
    assert brute_fk(codes(res.table, ["a", "b"])).min() >= k
    assert res.total_suppressed == brute_minimum(codes(df, ["a", "b"]), k)


def test_existing_nulls_are_wildcards_and_not_counted():
    df = pl.DataFrame({"a": [1, 1, None, 2], "b": [1, 1, 1, 1]})
    res = local_suppression(df, k=2, attributes=["a", "b"])
    assert res.table["a"].null_count() >= 1
    assert res.suppressed["a"] == res.table["a"].null_count() - 1
    assert brute_fk(codes(res.table, ["a", "b"])).min() >= 2


def test_accepts_pandas():
    pd = pytest.importorskip("pandas")
    res = local_suppression(pd.DataFrame({"a": [1, 1, 2]}), k=2, attributes=["a"])
    assert isinstance(res.table, pl.DataFrame)


def test_bad_input():
    df = pl.DataFrame({"a": [1, 1, 2], "b": [0, 0, 0]})
    with pytest.raises(InputError, match="'zz'"):
        local_suppression(df, k=2, attributes=["zz"])
    with pytest.raises(ConfigError, match="larger than the table"):
        local_suppression(df, k=4, attributes=["a"])
    with pytest.raises(ConfigError, match="the 'k' parameter must be a whole number >= 1, got 0"):
        local_suppression(df, k=0, attributes=["a"])
    with pytest.raises(ConfigError, match="permutation"):
        local_suppression(df, k=2, attributes=["a", "b"], importance=[1, 1])
    with pytest.raises(ConfigError, match="alpha"):
        local_suppression(df, k=2, attributes=["a"], alpha=2)
    with pytest.raises(ConfigError, match="method"):
        local_suppression(df, k=2, attributes=["a"], method="greedy")
    with pytest.raises(ConfigError, match="alpha=1"):
        local_suppression(df, k=2, attributes=["a"], method="exact", alpha=0.5)
    big = pl.DataFrame({"a": list(range(100))})
    with pytest.raises(ConfigError, match="at most"):
        local_suppression(big, k=2, attributes=["a"], method="exact")


# --- strata and combs (sdcMicro's strataVars and combs) -----------------------------------------

_rows = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 1), st.integers(0, 1)),
                 min_size=6, max_size=14)


@settings(max_examples=25, deadline=None)
@given(_rows, st.sampled_from(["sdcmicro", "heuristic"]))
def test_strata_make_each_stratum_k_anonymous(rows, method):
    df = pl.DataFrame({n: [r[i] for r in rows] for i, n in enumerate(["a", "b", "c", "s"])})
    k = 2
    if min(df.group_by("s").len()["len"]) < k:
        with pytest.raises(ConfigError, match="stratum"):
            local_suppression(df, k=k, attributes=["a", "b", "c"], strata=["s"], method=method)
        return
    res = local_suppression(df, k=k, attributes=["a", "b", "c"], strata=["s"], method=method)
    assert res.table["s"].to_list() == df["s"].to_list()
    for value in (0, 1):
        part = res.table.filter(pl.col("s") == value)
        if not part.height:
            continue
        assert brute_fk(codes(part, ["a", "b", "c"])).min() >= k
        # each stratum is suppressed exactly as if it were a table of its own
        alone = local_suppression(df.filter(pl.col("s") == value), k=k, attributes=["a", "b", "c"], method=method,
                                  importance=res.importance)  # importance is ranked on the whole table
        assert alone.table.equals(part)


@settings(max_examples=25, deadline=None)
@given(_rows, st.sampled_from([[1], [2], [3, 2], [2, 1]]), st.sampled_from(["sdcmicro", "heuristic"]))
def test_combs_make_every_subset_k_anonymous(rows, combs, method):
    df = pl.DataFrame({n: [r[i] for r in rows] for i, n in enumerate(["a", "b", "c", "d"])})
    attributes = ["a", "b", "c"]
    res = local_suppression(df, k=[2] * len(combs), attributes=attributes, combs=combs, method=method)
    suppressed = codes(res.table, attributes)
    for size in combs:
        for subset in itertools.combinations(range(3), size):
            assert brute_fk(suppressed[:, list(subset)]).min() >= 2, subset


def test_combs_run_subsets_in_combn_order():
    # combs=[1]: each single attribute in turn; a value seen once is suppressed in its own column
    df = pl.DataFrame({"a": ["x", "x", "y", "y", "z"], "b": ["p", "p", "p", "q", "q"]})
    res = local_suppression(df, k=2, attributes=["a", "b"], combs=[1], method="sdcmicro")
    assert res.table["a"].to_list() == ["x", "x", "y", "y", None]
    assert res.table["b"].to_list() == ["p", "p", "p", "q", "q"]
    assert res.combs == (1,) and res.k == (2,)


def test_k_list_is_repeated_as_in_r():
    df = pl.DataFrame({"a": [1, 1, 2, 2, 3, 3], "b": [1, 2, 1, 2, 1, 2]})
    assert local_suppression(df, k=[2], attributes=["a", "b"], combs=[2, 1]).k == (2, 2)


@pytest.mark.parametrize("kw, match", [
    ({"combs": [3]}, "subsets of 3"),
    ({"combs": [0]}, "the 'combs' parameter must be a whole number >= 1, got 0"),
    ({"k": [2, 3]}, "one k"),
    ({"strata": ["a"]}, "both a key variable and a stratum"),
    ({"strata": ["nope"]}, "not in the table"),
    ({"combs": [1], "method": "exact"}, "does not take combs"),
])
def test_strata_and_combs_errors(kw, match):
    df = pl.DataFrame({"a": [1, 1, 2, 2], "b": [1, 2, 1, 2]})
    params = {"k": 2, "attributes": ["a", "b"], **kw}
    with pytest.raises((ConfigError, InputError), match=match):
        local_suppression(df, **params)
