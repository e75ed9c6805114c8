"""add_noise: noise size, correlation preservation, reproducibility, and sdcMicro's smoke figures."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.noise import add_noise
from unlinkable.sdc.robust_covariance import mahalanobis_squared, minimum_covariance_determinant


def correlated_frame(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    cov = np.array([[4.0, 1.8, -0.6], [1.8, 2.0, 0.3], [-0.6, 0.3, 1.0]])
    x = rng.multivariate_normal([10.0, -5.0, 100.0], cov, size=n)
    return pl.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2]})


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=2, max_size=40),
    seed=st.integers(0, 2**32 - 1),
    method=st.sampled_from(["additive", "correlated", "correlated2"]),
)
def test_same_seed_same_bytes_and_nulls_kept(values, seed, method):
    df = pl.DataFrame({"a": values, "b": list(reversed(values))}, schema={"a": pl.Float64, "b": pl.Float64})
    assume(not (method == "correlated" and df.drop_nulls().height < 2))
    one = add_noise(df, attributes=["a", "b"], noise=50, method=method, seed=seed)
    two = add_noise(df, attributes=["a", "b"], noise=50, method=method, seed=seed)
    assert one.to_numpy().tobytes() == two.to_numpy().tobytes()
    assert one["a"].is_null().to_list() == df["a"].is_null().to_list()


@pytest.mark.parametrize("noise", [10.0, 150.0])
def test_additive_noise_has_the_requested_sd(noise):
    df = correlated_frame(20_000, 1)
    out = add_noise(df, attributes=["a", "b", "c"], noise=noise, seed=7)
    for col in "abc":
        diff = (out[col] - df[col]).to_numpy()
        target = noise / 100 * df[col].std()
        # the sample SD of 20 000 normals is within 5 % of sigma with overwhelming probability
        assert diff.std(ddof=1) == pytest.approx(target, rel=0.05)
        assert abs(diff.mean()) < 5 * target / math.sqrt(diff.size)
    # additive noise is independent between columns
    noise_mat = (out.to_numpy() - df.to_numpy())
    assert abs(np.corrcoef(noise_mat, rowvar=False)[0, 1]) < 0.05


def test_correlated_noise_keeps_correlations():
    df = correlated_frame(20_000, 2)
    out = add_noise(df, attributes=["a", "b", "c"], noise=100, method="correlated", seed=3)
    x, y = df.to_numpy(), out.to_numpy()
    np.testing.assert_allclose(np.corrcoef(y, rowvar=False), np.corrcoef(x, rowvar=False), atol=0.03)
    # the noise covariance is noise/100 * Cov(X)
    np.testing.assert_allclose(np.cov(y - x, rowvar=False), np.cov(x, rowvar=False), rtol=0.1, atol=0.1)


def test_correlated2_keeps_means_and_variances():
    df = correlated_frame(20_000, 4)
    out = add_noise(df, attributes=["a", "b", "c"], method="correlated2", delta=0.3, seed=9)
    for col in "abc":
        assert out[col].mean() == pytest.approx(df[col].mean(), abs=5 * df[col].std() / math.sqrt(df.height))
        assert out[col].std() == pytest.approx(df[col].std(), rel=0.05)


def test_integer_columns_become_float_and_others_untouched():
    df = pd.DataFrame({"a": [1, 2, 3, 4], "k": ["w", "x", "y", "z"]})
    out = add_noise(df, attributes=["a"], seed=1)
    assert out["a"].dtype == pl.Float64 and out["k"].to_list() == ["w", "x", "y", "z"]


def test_errors():
    df = pl.DataFrame({"a": [1.0, 2.0], "s": ["x", "y"]})
    with pytest.raises(ConfigError, match="add_noise: the 'method' parameter must be one of"):
        add_noise(df, attributes=["a"], method="rotate", seed=0)
    with pytest.raises(ConfigError, match="noise"):
        add_noise(df, attributes=["a"], noise=-1, seed=0)
    with pytest.raises(ConfigError, match="delta"):
        add_noise(df, attributes=["a"], method="correlated2", delta=1.5, seed=0)
    with pytest.raises(ConfigError, match="no attributes"):
        add_noise(df, attributes=[], seed=0)
    with pytest.raises(InputError, match="no column"):
        add_noise(df, attributes=["zz"], seed=0)
    with pytest.raises(InputError, match=r"column .* row \d+: value .* is not a number"):
        add_noise(df, attributes=["s"], seed=0)


def _il1s(x: np.ndarray, y: np.ndarray) -> float:
    """sdcMicro dUtility IL1s (README 4.7): sum |x - x'| / (sd_j sqrt 2), not divided by n p."""
    return float((np.abs(x - y) / (x.std(axis=0, ddof=1) * math.sqrt(2))).sum())


def test_smoke_additive_150_matches_sdcmicro_distribution(sdc_data, sdc_reference):
    # addNoise(sdc, noise=150, method='additive') on expend, income, savings. With e ~ N(0, (c sd)^2),
    # c = 1.5, each IL1s term |e| / (sd sqrt 2) has mean c / sqrt(pi) and variance c^2 / 2 (1 - 2/pi).
    ref = sdc_reference["smoke_perturbative"]["setups"]["perturbative_smoke"]["addNoise"]
    cols = ["expend", "income", "savings"]
    df = pl.read_csv(sdc_data / "testdata.csv")
    x = df.select(cols).to_numpy().astype(float)
    terms = x.size
    c = 1.5
    mean = terms * c / math.sqrt(math.pi)
    sd = math.sqrt(terms * c**2 / 2 * (1 - 2 / math.pi))
    out = add_noise(df, attributes=cols, noise=150, seed=123).select(cols).to_numpy()
    assert abs(_il1s(x, out) - mean) < 5 * sd
    assert abs(ref["IL1s"] - mean) < 5 * sd  # sdcMicro's noise is the same size as ours

    # dRisk: a record counts when every value lies within 0.05 sd(x') of the original. Per column
    # P(|e| <= 0.05 sd(x')) with sd(x') ~ sd sqrt(1 + c^2); the count is about Poisson(n * prod).
    prob = (2 * stats.norm.cdf(0.05 * math.sqrt(1 + c**2) / c) - 1) ** len(cols)
    bound = stats.poisson.ppf(1 - 1e-6, df.height * prob)
    ours = np.all(np.abs(x - out) <= 0.05 * out.std(axis=0, ddof=1), axis=1).sum()
    assert ours <= bound
    assert round(ref["dRisk"] * df.height) <= bound


def test_restr_is_sdcmicros_linear_shrink():
    """Hand-worked: n = 4, w = 0.5: c = sqrt((4 - 1 - 0.5) / (5 * 1.5)) = sqrt(1/3); mean 2.5."""
    df = pl.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    out = add_noise(df, attributes=["x"], noise=50, method="restr")["x"].to_numpy()
    c = math.sqrt(1 / 3)
    np.testing.assert_allclose(out, c * np.array([1.0, 2.0, 3.0, 4.0]) + (1 - c) * 2.5, rtol=1e-15)


def test_romm_with_p_zero_is_the_identity():
    # hand-worked: I + 0 M is already orthonormal, so T = I and T X = X
    df = correlated_frame(12, 3)
    out = add_noise(df, attributes=["a", "b", "c"], method="ROMM", p=0.0, seed=1)
    assert np.array_equal(out.to_numpy(), df.to_numpy())


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), p=st.floats(1e-4, 2.0), n=st.integers(2, 30))
def test_romm_is_an_orthogonal_mix_of_the_records(seed, p, n):
    """T orthogonal: X'X is kept; the same seed gives the same bytes."""
    df = correlated_frame(n, seed % 1000)
    one = add_noise(df, attributes=["a", "b", "c"], method="ROMM", p=p, seed=seed)
    two = add_noise(df, attributes=["a", "b", "c"], method="ROMM", p=p, seed=seed)
    assert one.to_numpy().tobytes() == two.to_numpy().tobytes()
    x, y = df.to_numpy(), one.to_numpy()
    assert np.allclose(y.T @ y, x.T @ x, rtol=1e-9, atol=1e-6)


def test_romm_blanks_a_column_with_a_missing_value_as_sdcmicro():
    df = pl.DataFrame({"a": [1.0, None, 3.0, 4.0], "b": [2.0, 5.0, 1.0, 7.0]})
    out = add_noise(df, attributes=["a", "b"], method="ROMM", seed=4)
    assert out["a"].null_count() == 4 and out["b"].null_count() == 0
    with pytest.raises(ConfigError, match="the 'p' parameter must be a finite number >= 0"):
        add_noise(df, attributes=["b"], method="ROMM", p=-1.0, seed=0)


# --- outdect: noise on the outliers only (sdcMicro addNoise method "outdect") -----------------

_MCD_REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "reference" / "robustbase_mcd.json").read_text())


@pytest.mark.parametrize("case", _MCD_REFERENCE["outdect"], ids=[c["name"] for c in _MCD_REFERENCE["outdect"]])
def test_outdect_equals_r_on_sdcmicros_test_data(case, r_stream):
    """robustbase's covMcd and R's rnorm on sdcMicro's test tables, both runs from one stream
    (scripts/robustbase_mcd_reference.py); the MCD draws nothing here (every subset is tried)."""
    x = np.array([[np.nan if v is None else v for v in row] for row in case["x"]])
    df = pl.DataFrame({f"V{j + 1}": x[:, j] for j in range(x.shape[1])})
    stream = r_stream(case["seed"][0])
    for noise, key in zip(case["noise"], ("first", "second")):
        got = add_noise(df, attributes=df.columns, method="outdect", noise=noise, rng=stream).to_numpy()
        expected = np.array([[np.nan if v is None else v for v in row] for row in case[key]])
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_outdect_perturbs_only_the_outliers():
    """30 records near a line and one far off it: the records that change are exactly those above a
    column's 99% quantile or beyond sqrt(chi2_2(0.975)) from the MCD, the far one among them."""
    rng = np.random.default_rng(5)
    a = rng.normal(0, 1, 30)
    df = pl.DataFrame({"a": np.append(a, 0.0), "b": np.append(2 * a + rng.normal(0, 0.1, 30), 5.0)})
    out = add_noise(df, attributes=["a", "b"], method="outdect", seed=1)
    changed = np.flatnonzero((out.to_numpy() != df.to_numpy()).any(axis=1))
    x = df.to_numpy()
    fit = minimum_covariance_determinant(x)
    far = mahalanobis_squared(x, fit.center, fit.covariance) > stats.chi2.ppf(0.975, 2)
    above = (x > np.quantile(x, 0.99, axis=0)).any(axis=1)
    assert changed.tolist() == np.flatnonzero(far | above).tolist()
    assert 30 in changed.tolist() and len(changed) < 10


def test_outdect_refuses_a_table_without_a_complete_record():
    df = pl.DataFrame({"a": [1.0, None, 3.0, 4.0], "b": [None, 2.0, None, None]})
    with pytest.raises(InputError, match="outdect needs the robust covariance"):
        add_noise(df, attributes=["a", "b"], method="outdect", seed=1)
