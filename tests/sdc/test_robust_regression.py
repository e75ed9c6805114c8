"""The MM regression (MASS's rlm(method = "MM")).

Sources of truth: MASS's own output on six tables (tests/reference/mass_rlm.json, written by
scripts/mass_rlm_reference.py; where lqs samples subsets, R's stream is replayed by the sdcMicro
peers' r_random.py), MASS's S-estimate subset search written out as plain loops on tiny tables, and
hand-worked cases.
"""

from __future__ import annotations

import json
import math
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.robust_regression import K0, mm_regression

REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "reference" / "mass_rlm.json").read_text(encoding="utf-8"))
CASES = REFERENCE["rlm"]


def _table(case: dict) -> tuple[np.ndarray, np.ndarray]:
    return np.array(case["x"], dtype=float).reshape(len(case["y"]), -1), np.array(case["y"], dtype=float)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_agrees_with_mass(case: dict, r_stream: type) -> None:
    x, y = _table(case)
    fit = mm_regression(x, y, rng=r_stream(case["seed"][0]))
    assert fit.start_subset.tolist() == case["lqs"]["best"]
    assert fit.scale == pytest.approx(case["rlm"]["scale"][0], rel=1e-12)
    assert fit.steps == len(case["rlm"]["conv"]) and fit.converged == case["rlm"]["converged"]
    for got, name in ((fit.coefficients, "coefficients"), (fit.fitted, "fitted"), (fit.residuals, "residuals")):
        np.testing.assert_allclose(got, case["rlm"][name], rtol=1e-10, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(fit.weights, case["rlm"]["weights"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_own_random_subsets_stop_within_mass_tolerance(case: dict) -> None:
    """Without R's stream the S start may come from another subset; MASS's stopping rules (1e-5 on the
    S scale, 1e-4 on the MM residuals) then leave the estimates within about 1e-5 of each other, and
    equal when every subset is tried (no draw at all)."""
    x, y = _table(case)
    fit = mm_regression(x, y, seed=0)
    expected = np.array(case["rlm"]["coefficients"])
    spread = np.max(np.abs(fit.coefficients - expected)) / np.max(np.abs(expected))
    assert spread < (1e-4 if case["sampled"] else 1e-12)
    assert fit.coefficients.tolist() == mm_regression(x, y, seed=0).coefficients.tolist()  # reproducible


def _mass_search(x: np.ndarray, y: np.ndarray) -> tuple[tuple[int, ...], dict[tuple[int, ...], float]]:
    """MASS's lqs(method = "S") search over every 2-subset, one subset at a time (the rules of the module
    docstring, written out as plain loops): the first subset's scale starts from the MAD of its residuals, a
    later one is skipped when the best scale so far already leaves its mean chi above 1/2 (its own scale could
    only be larger), else starts from the best scale; s <- s sqrt(mean chi / (1/2)), at most 30 times, until
    mean chi is within 1e-4 of 1/2. Returns the chosen subset and the scale each tried subset reached."""
    n = len(y)
    design = np.column_stack([np.ones(n), x])
    target = (n - 2) * 0.5

    def chi_sum(res: np.ndarray, s: float) -> float:
        return sum(1.0 if (r / (K0 * s)) ** 2 > 1 else 3 * (r / (K0 * s)) ** 2 - 3 * (r / (K0 * s)) ** 4 + (r / (K0 * s)) ** 6
                   for r in res)

    best, chosen, reached = math.inf, (), {}
    for i, rows in enumerate(combinations(range(n), 2)):
        res = y - design @ np.linalg.solve(design[list(rows)], y[list(rows)])
        if i == 0:
            old = float(sorted(np.abs(res))[n // 2]) / 0.6745  # MASS: the (n / 2 + 1)-th smallest |residual|
        elif chi_sum(res, best) > target:
            continue
        else:
            old = best
        new = old
        for _ in range(30):
            total = chi_sum(res, old)
            new = math.sqrt(total / target) * old
            if abs(total / target - 1.0) < 1e-4:
                break
            old = new
        reached[rows] = new
        if new < best:
            best, chosen = new, rows
    return chosen, reached


@settings(max_examples=25)
@given(st.integers(6, 12), st.integers(0, 10_000))
@example(6, 877)  # the first subset's scale stops after 30 steps at half its fixed point: MASS keeps it
def test_s_start_is_the_subset_mass_search_keeps(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = 1 + 2 * x + rng.standard_t(2, n)
    chosen, reached = _mass_search(x, y)
    got = tuple(mm_regression(x, y).start_subset.tolist())
    # the same subset, or one whose scale ties it to rounding (sums taken in another order)
    assert got == chosen or reached.get(got, math.inf) == pytest.approx(reached[chosen], rel=1e-9)


def test_a_gross_outlier_gets_no_weight_and_the_line_is_kept() -> None:
    """Ten records on y = 1 + 2x with small symmetric errors and one response off by 100: least squares
    is pulled away, the MM fit is not, and the outlier's bisquare weight is 0."""
    x = np.arange(11.0)
    y = 1 + 2 * x + np.array([0.1, -0.1] * 5 + [0.0])
    y[10] += 100
    fit = mm_regression(x, y)
    assert fit.weights[10] == 0
    np.testing.assert_allclose(fit.coefficients, [1, 2], atol=0.05)
    least_squares = np.polyfit(x, y, 1)[::-1]
    assert abs(least_squares[1] - 2) > 1
    assert fit.converged and np.allclose(fit.fitted + fit.residuals, y)


def test_without_intercept_the_design_is_taken_as_given() -> None:
    x = np.column_stack([np.ones(12), np.arange(12.0)])
    y = 3 - np.arange(12.0) + np.array([0.2, -0.2] * 6)
    with_column, implicit = mm_regression(x, y, intercept=False), mm_regression(x[:, 1], y)
    assert with_column.coefficients.tolist() == implicit.coefficients.tolist()


def test_bad_input_is_refused() -> None:
    x, y = np.arange(10.0), np.arange(10.0) * 2 + np.array([0.1, -0.1] * 5)
    with pytest.raises(ConfigError, match="seed or rng"):
        mm_regression(x, y, seed=1, rng=np.random.default_rng(1))
    with pytest.raises(InputError, match="collinear"):
        mm_regression(np.column_stack([x, 2 * x]), y)
    with pytest.raises(InputError, match="more records than coefficients"):
        mm_regression(x[:2], y[:2])
    with pytest.raises(InputError, match="missing or infinite"):
        mm_regression(np.append(x[:-1], np.nan), y)
    with pytest.raises(InputError, match="records and y"):
        mm_regression(x, y[:-1])
    with pytest.raises(InputError, match="exactly"):
        mm_regression(x, 1 + 2 * x)
