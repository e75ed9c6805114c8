"""Microaggregation: sdcMicro's MDAV bit for bit, hand-worked cases, properties, bad input."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.microaggregation import mdav_groups, microaggregation

MDAV_SETUPS = [
    ("testdata", "A_urbrur_water_sex_age", "testdata"),
    ("testdata", "C_package_example_7keys", "testdata"),
    ("francdat", "A_sdcObj_4keys", "francdat"),
]


@pytest.mark.parametrize(("ref_file", "setup", "dataset"), MDAV_SETUPS)
def test_mdav_matches_sdcmicro_bit_for_bit(sdc_reference, sdc_data, ref_file, setup, dataset):
    spec = sdc_reference[ref_file]["setups"][setup]
    ref = spec["mdav_aggr3"]
    df = pl.read_csv(sdc_data / f"{dataset}.csv")
    res = microaggregation(df, attributes=spec["numVars"], k=3, method="mdav")
    out = np.ascontiguousarray(res.table.select(spec["numVars"]).to_numpy(), dtype="<f8")
    assert hashlib.sha256(out.tobytes()).hexdigest() == ref["sha256_f64_rowmajor"]
    assert res.n_groups == ref["n_groups"]
    for j, col in enumerate(spec["numVars"]):
        expected = np.array(ref["values"][col], dtype=float)
        np.testing.assert_array_equal(out[:, j], expected)
    # other columns are untouched
    others = [c for c in df.columns if c not in spec["numVars"]]
    assert res.table.select(others).equals(df.select(others))


def test_mdav_hand_worked():
    # Two clear clusters; the centroid is 6.5, so 1 and 12 are equally far and the first
    # maximum (row 0) anchors group 0 = {1, 2, 3} (mean 2); the rest {10, 11, 12} has mean 11.
    df = pl.DataFrame({"v": [1.0, 2.0, 3.0, 10.0, 11.0, 12.0]})
    res = microaggregation(df, attributes=["v"], k=3)
    assert res.table["v"].to_list() == [2.0, 2.0, 2.0, 11.0, 11.0, 11.0]
    assert res.groups.tolist() == [0, 0, 0, 1, 1, 1]
    med = microaggregation(pl.DataFrame({"v": [1.0, 2.0, 9.0, 10.0, 11.0, 30.0]}), attributes=["v"],
                           k=3, aggregate="median")
    # groups {1, 2, 9} and {10, 11, 30}: medians 2 and 11
    assert med.table["v"].to_list() == [2.0, 2.0, 2.0, 11.0, 11.0, 11.0]


def test_mdav_missing_values_stay_missing():
    df = pl.DataFrame({"a": [1.0, None, 3.0, 10.0, 11.0, 12.0, 13.0],
                       "b": [1.0, 2.0, 3.0, 10.0, None, 12.0, 13.0]})
    res = microaggregation(df, attributes=["a", "b"], k=3)
    assert res.table["a"].is_null().to_list() == df["a"].is_null().to_list()
    assert res.table["b"].is_null().to_list() == df["b"].is_null().to_list()
    sizes = np.bincount(res.groups)
    assert sizes.min() >= 3


def test_univariate_and_individual_ranking_hand_worked():
    # individual ranking: a sorted = 1,2,3 | 4,5,6,7 (remainder joins the last group);
    # b sorted independently = 10,20,30 | 40,50,60,70
    df = pl.DataFrame({"a": [7.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                       "b": [10.0, 70.0, 60.0, 50.0, 40.0, 30.0, 20.0]})
    ir = microaggregation(df, attributes=["a", "b"], k=3, method="individual_ranking")
    assert ir.table["a"].to_list() == [5.5, 2.0, 2.0, 2.0, 5.5, 5.5, 5.5]
    assert ir.table["b"].to_list() == [20.0, 55.0, 55.0, 55.0, 55.0, 20.0, 20.0]
    assert ir.groups.shape == (7, 2)
    # univariate: one variable, sort and group 3 consecutive values
    uv = microaggregation(pl.DataFrame({"v": [5.0, 1.0, 3.0, 2.0, 4.0, 6.0]}), attributes=["v"], k=3,
                          method="univariate")
    assert uv.table["v"].to_list() == [5.0, 2.0, 2.0, 2.0, 5.0, 5.0]


def test_partitioned_mdav_equals_plain_when_one_block():
    rng = np.random.default_rng(1)
    df = pl.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    plain = microaggregation(df, attributes=["a", "b"], k=3)
    one = microaggregation(df, attributes=["a", "b"], k=3, partition_size=100)
    assert plain.table.equals(one.table)
    blocks = microaggregation(df, attributes=["a", "b"], k=3, partition_size=20)
    sizes = np.bincount(blocks.groups)
    assert sizes.min() >= 3 and sizes.max() < 6


def test_accepts_pandas():
    pd = pytest.importorskip("pandas")
    res = microaggregation(pd.DataFrame({"v": [1.0, 2.0, 3.0, 4.0]}), attributes=["v"], k=2)
    assert isinstance(res.table, pl.DataFrame)


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(-50, 50), st.integers(-5, 5)), min_size=4, max_size=40),
    k=st.integers(2, 4),
    method=st.sampled_from(["mdav", "univariate"]),
)
def test_group_sizes_and_means_preserved(data, k, method):
    if len(data) < k:
        return
    arr = np.array(data, dtype=float)
    df = pl.DataFrame({"a": arr[:, 0], "b": arr[:, 1]})
    res = microaggregation(df, attributes=["a", "b"], k=k, method=method)
    sizes = np.bincount(res.groups)
    assert sizes.min() >= k
    assert sizes.max() < 2 * k
    assert res.n_groups == sizes.size
    out = res.table.select(["a", "b"]).to_numpy()
    np.testing.assert_allclose(out.mean(axis=0), arr.mean(axis=0), rtol=1e-12, atol=1e-9)
    # every member of a group carries the same values
    for g in range(res.n_groups):
        rows = out[res.groups == g]
        assert (rows == rows[0]).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=3, max_size=30), st.integers(2, 3))
def test_individual_ranking_preserves_means(values, k):
    if len(values) < k:
        return
    df = pl.DataFrame({"v": values})
    res = microaggregation(df, attributes=["v"], k=k, method="individual_ranking")
    np.testing.assert_allclose(res.table["v"].mean(), np.mean(values), rtol=1e-9, atol=1e-6)


def test_mdav_groups_kernel_example():
    assert mdav_groups(np.array([[0.0], [0.0], [5.0], [5.0]]), 2).tolist() in ([0, 0, 1, 1], [1, 1, 0, 0])


def test_bad_input():
    df = pl.DataFrame({"v": [1.0, 2.0, 3.0], "s": ["x", "y", "z"]})
    with pytest.raises(InputError, match="column 's' row 1: value 'x' is not a number"):
        microaggregation(df, attributes=["s"], k=2)
    with pytest.raises(InputError, match="'nope'"):
        microaggregation(df, attributes=["nope"], k=2)
    with pytest.raises(ConfigError, match="larger than the table"):
        microaggregation(df, attributes=["v"], k=4)
    with pytest.raises(ConfigError, match=">= 2"):
        microaggregation(df, attributes=["v"], k=1)
    with pytest.raises(ConfigError, match="method"):
        microaggregation(df, attributes=["v"], k=2, method="pca")
    with pytest.raises(ConfigError, match="aggregate"):
        microaggregation(df, attributes=["v"], k=2, aggregate="mode")


def test_pruned_kernel_reproduces_sdcmicro(sdc_reference, sdc_data):
    # the pruned kernel only runs on >= 20,000 rows by default; call it directly on testdata
    from unlinkable.sdc.microaggregation import _aggregate_members, _mdav_core_pruned, _weights_and_ranges

    spec = sdc_reference["testdata"]["setups"]["A_urbrur_water_sex_age"]
    df = pl.read_csv(sdc_data / "testdata.csv")
    x = df.select(spec["numVars"]).to_numpy().astype(float)
    w, _ = _weights_and_ranges(x)
    groups, members = _mdav_core_pruned(x, 3, w)
    out = np.ascontiguousarray(_aggregate_members(x, members, "mean"), dtype="<f8")
    assert hashlib.sha256(out.tobytes()).hexdigest() == spec["mdav_aggr3"]["sha256_f64_rowmajor"]


@settings(max_examples=60, deadline=None)
@given(st.integers(6, 50), st.integers(1, 3), st.integers(2, 4), st.booleans(), st.integers(0, 2**31))
def test_pruned_kernel_equals_plain_kernel(n, p, k, ties, seed):
    # integer data makes many exact ties, the hard case for the pruning margins
    from unlinkable.sdc.microaggregation import _mdav_core, _mdav_core_pruned, _weights_and_ranges

    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, (n, p)).astype(float) if ties else rng.lognormal(3, 2, (n, p))
    w, r = _weights_and_ranges(x)
    g0, m0 = _mdav_core(x, k, w, r)
    g1, m1 = _mdav_core_pruned(x, k, w)
    assert g0.tolist() == g1.tolist()
    assert [m.tolist() for m in m0] == [m.tolist() for m in m1]
