"""The minimum covariance determinant (FAST-MCD as robustbase's covMcd).

Three sources of truth: robustbase's own output on seven tables (tests/reference/robustbase_mcd.json,
written by scripts/robustbase_mcd_reference.py with R's stream replayed by the sdcMicro peers'
r_random.py), a brute-force search over every h-subset of tiny tables, and hand-worked cases.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc import robust_covariance
from unlinkable.sdc.robust_covariance import mahalanobis_squared, minimum_covariance_determinant, subset_size

TESTS = Path(__file__).resolve().parents[1]
REFERENCE = json.loads((TESTS / "reference" / "robustbase_mcd.json").read_text(encoding="utf-8"))
MIRROR = Path("/work/.mirror/cran+robustbase/repo")


def _close(got: np.ndarray, expected: object) -> None:
    np.testing.assert_allclose(np.ravel(got), np.ravel(np.array(expected, dtype=float)), rtol=1e-10, atol=0)


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=[c["name"] for c in REFERENCE["cases"]])
def test_agrees_with_robustbase(case: dict, r_stream: type) -> None:
    x = np.array(case["x"], dtype=float).reshape(len(case["x"]), -1)
    fit = minimum_covariance_determinant(x, rng=r_stream(case["seed"][0]))
    _close(fit.raw_center, case["raw_center"])
    _close(fit.raw_covariance, case["raw_cov"])
    _close(fit.center, case["center"])
    _close(fit.covariance, case["cov"])
    assert fit.log_determinant == pytest.approx(case["crit"][0], rel=1e-12, abs=1e-12)
    if case["best"] is not None:
        assert fit.subset.tolist() == case["best"]
    raw_kept = mahalanobis_squared(x, fit.raw_center, fit.raw_covariance) < robust_covariance.chi2.ppf(0.975, x.shape[1])
    assert raw_kept.astype(int).tolist() == [int(w) for w in case["raw_weights"]]
    assert fit.weights.astype(int).tolist() == [int(w) for w in case["weights"]]


def _brute_force_log_det(x: np.ndarray, h: int) -> float:
    best = np.inf
    for rows in combinations(range(len(x)), h):
        part = x[list(rows)]
        sign, log_det = np.linalg.slogdet(np.atleast_2d(np.cov(part, rowvar=False)))
        if sign > 0:
            best = min(best, log_det)
    return float(best)


@settings(max_examples=40, deadline=None)
@given(st.integers(6, 9), st.integers(1, 2), st.integers(0, 2**32 - 1))
def test_finds_the_exact_mcd_of_tiny_tables(n: int, p: int, seed: int) -> None:
    """Every subset of p + 1 records starts a search here (n <= robustbase's exhaustive limit), so the
    smallest determinant over all h-subsets must be found."""
    x = np.random.default_rng(seed).standard_normal((n, p)) * [1.0, 3.0][:p]
    x[0] += 8  # an outlier
    fit = minimum_covariance_determinant(x)
    h = subset_size(n, p)
    assert len(fit.subset) == h
    part = x[fit.subset]
    assert np.linalg.slogdet(np.atleast_2d(np.cov(part, rowvar=False)))[1] == pytest.approx(_brute_force_log_det(x, h), abs=1e-9)


def test_hand_worked_univariate() -> None:
    """1, 2, 3, 4, 5, 100: h = 4; windows (1..4) and (2..5) tie at spread 5, the first of the two middle
    ones is taken (robustbase's rule), so the raw centre is 2.5; 100 is an outlier."""
    x = np.array([[3.0], [1.0], [100.0], [2.0], [5.0], [4.0]])
    fit = minimum_covariance_determinant(x)
    assert fit.h == 4
    assert fit.raw_center.tolist() == [2.5]
    assert sorted(fit.subset.tolist()) == [0, 1, 3, 5]
    assert fit.weights.tolist() == [True, True, False, True, True, True]
    assert fit.center.tolist() == [3.0]  # the mean of the five kept values
    assert fit.log_determinant == pytest.approx(np.log(5.0 / 3))  # (1.5^2 + 0.5^2) * 2 / (h - 1)


def test_hand_worked_consistency_factor() -> None:
    """c(p, alpha) = alpha / P(chi2_{p+2} <= chi2_p(alpha)); for p = 2 the chi-square cdfs are closed forms:
    chi2_2(a) = -2 log(1 - a) and P(chi2_4 <= q) = 1 - exp(-q/2) (1 + q/2)."""
    a = 0.75
    q = -2 * np.log(1 - a)
    assert robust_covariance.consistency_factor(2, a) == pytest.approx(a / (1 - np.exp(-q / 2) * (1 + q / 2)), rel=1e-14)


def test_subset_size_is_robustbase_h() -> None:
    assert [subset_size(n, 3) for n in (10, 11, 100)] == [7, 7, 52]
    assert subset_size(10, 3, alpha=1.0) == 10


def test_same_seed_same_result_and_numpy_generator() -> None:
    x = np.random.default_rng(1).standard_normal((80, 5))  # n > 15: random trial subsets
    a = minimum_covariance_determinant(x, seed=4)
    b = minimum_covariance_determinant(x, rng=np.random.default_rng(4))
    assert a.subset.tolist() == b.subset.tolist() and np.array_equal(a.covariance, b.covariance)


def test_large_table_finds_the_planted_outliers() -> None:
    """n > 1500: the first C-steps run on a random subset of 1500 records, the last on all of them."""
    x = np.random.default_rng(2).standard_normal((3000, 3))
    x[:150] += 8  # 5% far off: outside the 0.975 chi-square quantile of the clean core
    fit = minimum_covariance_determinant(x, seed=3)
    assert not fit.weights[:150].any() and fit.weights[150:].mean() > 0.95
    assert np.abs(fit.center).max() < 0.1 and set(fit.subset.tolist()).isdisjoint(range(150))
    again = minimum_covariance_determinant(x, seed=3)
    assert np.array_equal(again.covariance, fit.covariance)


@pytest.mark.parametrize(("x", "match"), [
    (np.ones((3, 2)), "more than p \\+ 1"),
    (np.array([[1.0, np.nan]] * 6), "missing"),
    (np.column_stack([np.arange(8.0), np.ones(8)]), "singular"),
    (np.column_stack([np.arange(8.0), 2 * np.arange(8.0)]), "singular"),
])
def test_refuses_what_robustbase_cannot_fit(x: np.ndarray, match: str) -> None:
    with pytest.raises(InputError, match=match):
        minimum_covariance_determinant(x)


@pytest.mark.parametrize("kwargs", [{"alpha": 0.4}, {"alpha": True}, {"starts": 0}, {"seed": 1, "rng": np.random.default_rng()}])
def test_parameters_are_checked(kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        minimum_covariance_determinant(np.random.default_rng(0).standard_normal((10, 2)), **kwargs)


@pytest.mark.skipif(not MIRROR.exists() or shutil.which("git") is None, reason="robustbase's sources are not mirrored here")
def test_simulated_factors_are_robustbase_s() -> None:
    script = TESTS.parent / "scripts" / "extract_mcd_tables.py"
    printed = subprocess.run([sys.executable, str(script), "--repo", str(MIRROR)], check=True, capture_output=True,
                             text=True).stdout
    assert f"SIMULATED_RAW: dict[tuple[int, int], float] = {robust_covariance.SIMULATED_RAW!r}" in printed
    assert f"SIMULATED_REWEIGHTED: dict[tuple[int, int], float] = {robust_covariance.SIMULATED_REWEIGHTED!r}" in printed
