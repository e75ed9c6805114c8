"""Robust linear regression: the MM-estimator as MASS's ``rlm(method = "MM")``.

sdcMicro's ``shuffle(regmethod = "MM")`` regresses each confidential column on the predictors with
``MASS::rlm(y ~ x, method = "MM")``; :func:`mm_regression` is that estimator, step for step:

1. **S-estimate start** (MASS's ``lqs(x, y, intercept = FALSE, method = "S", k0 = 1.548)``): for
   trial subsets of p records (p columns of the design, intercept included), the exact fit through
   them and the M-scale s of all n residuals solving mean(chi(r / s)) = 1/2, chi the integral of
   Tukey's biweight with k0 = 1.548 (re-substituted at most 30 times until within 1e-4). Every
   subset, in lexicographic order, when there are fewer than 5000; otherwise min(500 p, 3000)
   random ones. The first subset's scale starts from the MAD of its residuals, the others from the
   best scale so far, and a subset is skipped when the best scale already gives mean(chi) > 1/2
   (its own could not be smaller). The best subset's fit is refined by at most 30 weighted least
   squares steps with the biweight weights at k0, updating the scale, until it changes by less than
   a relative 1e-5.
2. **MM step** (``rlm``): from the S residuals, with the S scale held fixed, iteratively reweighted
   least squares with Tukey's bisquare weights (1 - (r / (4.685 s))^2)^2 (0 beyond), at most 20
   steps, until the residuals change by at most a relative 1e-4 (MASS's ``irls.delta``).

The random subsets are drawn from the generator given (``seed`` or ``rng``), not from R's stream, so
on tables with 5000 or more p-subsets the S start may come from another subset than R's. The MM
estimate then agrees with R's only as closely as MASS's stopping rules allow (about 1e-5 relative,
not to the last digit); with every subset tried, or with R's own uniforms replayed (a generator with
``unif_rand``, as the tests' R stream), it agrees to rounding.

References: Yohai, *High breakdown-point and high efficiency robust estimates for regression*, Ann.
Statist. 15(2), 1987; Rousseeuw and Yohai, *Robust regression by means of S-estimators*, 1984;
Venables and Ripley, *Modern Applied Statistics with S*, 4th ed., 2002 (MASS ``rlm``, ``lqs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb
from typing import Any

import numpy as np

from unlinkable.errors import ConfigError, InputError

__all__ = ["RobustRegression", "mm_regression"]

K0 = 1.548  #: biweight constant of the S-estimate (50% breakdown)
BISQUARE_C = 4.685  #: bisquare constant of the MM step (95% efficiency at the normal)
_BETA = 0.5  #: mean chi of the S-estimate's scale equation
_EXACT_BELOW = 5000  #: fewer p-subsets than this: every one is tried (MASS's nsamp = "best")
_MAX_S_STEPS, _MAX_MM_STEPS, _MM_TOLERANCE = 30, 20, 1e-4


@dataclass(frozen=True)
class RobustRegression:
    """An MM regression fit (MASS's ``rlm`` result, the parts sdcMicro reads and those to check it).

    ``coefficients`` (intercept first when fitted with one), ``fitted`` and ``residuals`` per record,
    ``scale`` the S-estimate of the residuals' scale that the MM step holds fixed, ``weights`` the
    bisquare weights of the last step, ``start_subset`` the records whose exact fit started the S
    refinement, ``steps`` the MM steps taken and ``converged`` whether MASS's rule stopped them.
    """

    coefficients: np.ndarray
    fitted: np.ndarray
    residuals: np.ndarray
    scale: float
    weights: np.ndarray
    start_subset: np.ndarray
    steps: int
    converged: bool


def mm_regression(x: Any, y: Any, *, intercept: bool = True, seed: int | None = None,
                  rng: Any = None) -> RobustRegression:
    """Regress ``y`` on the columns of ``x`` by the MM-estimator (MASS's ``rlm(y ~ x, method = "MM")``).

    Parameters
    ----------
    x : array of shape (n,) or (n, q)
        Predictors (complete, finite).
    y : array of shape (n,)
        Response.
    intercept : bool, default True
        Add a column of ones first, as R's formula ``y ~ x`` does.
    seed, rng
        Seed of ``numpy.random.default_rng``, or a generator, for the S-estimate's random trial
        subsets (drawn only when there are 5000 or more of them); not both.

    Returns
    -------
    RobustRegression

    Raises
    ------
    ConfigError
        Both ``seed`` and ``rng``.
    InputError
        Missing or infinite values, mismatched lengths, no more records than coefficients,
        collinear predictors, or a response the predictors fit exactly on most records (scale 0).

    Examples
    --------
    >>> x = np.arange(10.0)
    >>> y = 1 + 2 * x + np.array([0.1, -0.1, 0.2, -0.2, 0.1, -0.1, 0.0, 0.1, -0.1, 30.0])
    >>> fit = mm_regression(x, y)
    >>> np.round(fit.coefficients, 1).tolist(), float(fit.weights[-1])
    ([1.0, 2.0], 0.0)
    """
    if seed is not None and rng is not None:
        raise ConfigError("mm_regression: give seed or rng, not both", hint="rng draws the trial subsets")
    design = np.asarray(x, dtype=float)
    design = design.reshape(len(design), -1) if design.ndim < 2 else design
    response = np.asarray(y, dtype=float).ravel()
    if design.ndim != 2 or len(design) != len(response):
        raise InputError(f"mm_regression: x has {len(design)} records and y {len(response)}",
                         hint="give one response per record")
    if not (np.isfinite(design).all() and np.isfinite(response).all()):
        raise InputError("mm_regression: missing or infinite values", hint="drop incomplete records first")
    if intercept:
        design = np.column_stack([np.ones(len(design)), design])
    n, p = design.shape
    if n <= p:
        raise InputError(f"mm_regression needs more records than coefficients ({p}), got {n}",
                         hint="use fewer predictors or more records")
    if np.linalg.matrix_rank(design) < p:
        raise InputError("mm_regression: the predictors are collinear (a singular design)",
                         hint="leave out a predictor that the others determine")
    generator = np.random.default_rng(seed) if rng is None else rng
    subset, residuals, scale = _s_estimate(design, response, generator)
    steps, converged, weights = 0, False, np.ones(n)
    coef = np.zeros(p)
    while steps < _MAX_MM_STEPS and not converged:
        steps += 1
        previous = residuals
        weights = _bisquare_weights(residuals / scale, BISQUARE_C)
        coef, residuals = _weighted_least_squares(design, response, weights)
        change = np.sqrt(np.sum((previous - residuals) ** 2) / max(1e-20, float(np.sum(previous**2))))
        converged = bool(change <= _MM_TOLERANCE)
    fitted = design @ coef
    return RobustRegression(coef, fitted, response - fitted, scale, weights, subset, steps, converged)


def _s_estimate(x: np.ndarray, y: np.ndarray, rng: Any) -> tuple[np.ndarray, np.ndarray, float]:
    """(best subset, refined residuals, scale) of MASS's ``lqs(method = "S")`` (C search + R refinement)."""
    n, p = x.shape
    target = (n - p) * _BETA
    subsets = _subsets(n, p, rng)
    coefs, regular = _exact_fits(x[subsets], y[subsets])
    subsets = subsets[regular]  # a singular subset is counted by MASS and passed over
    best, best_at, first = np.inf, -1, True
    chunk = max(1, 2_000_000 // n)
    for start in range(0, len(subsets), chunk):
        block = coefs[start:start + chunk]
        residuals = np.repeat(y[:, None], len(block), axis=1)
        for j in range(p):  # MASS's order of operations: y - c_1 x_1 - c_2 x_2 ...
            residuals -= np.outer(x[:, j], block[:, j])
        t, sums, at, offset = 0, np.empty(0), -1.0, 0  # sums: the chi sums of trials offset.. at scale `at`
        while t < len(block):
            if first:
                old = float(np.partition(np.abs(residuals[:, t]), n // 2)[n // 2]) / 0.6745  # MAD start
                if old == 0:
                    raise _exact_fit_error()
                first = False
            else:
                if at != best:  # the best scale changed: the skip test of every later trial, at once
                    sums, at, offset = _chi_sums(residuals[:, t:], K0 * best), best, t
                passing = np.flatnonzero(sums[t - offset:] <= target)
                if not len(passing):
                    break  # even the best scale so far leaves every later trial's mean chi above 1/2
                t += int(passing[0])
                old = best
            res = residuals[:, t]
            new = old
            for _ in range(_MAX_S_STEPS):
                total = float(_chi_sums(res[:, None], K0 * old)[0])
                new = np.sqrt(total / target) * old
                if abs(total / target - 1.0) < 1e-4:
                    break
                old = new
            if new < best:
                best, best_at = float(new), start + t
            t += 1
    if best_at < 0 or not np.isfinite(best) or best <= 0:
        raise _exact_fit_error()
    # R's refinement of the best subset's fit (lqs.R): weighted least squares at the current scale
    scale, residuals = best, y - x @ coefs[best_at]
    for _ in range(_MAX_S_STEPS):
        _, residuals = _weighted_least_squares(x, y, _bisquare_weights(residuals / scale, K0))
        updated = scale * np.sqrt(float(np.sum(_chi(residuals / scale, K0))) / ((n - p) * _BETA))
        if abs(updated / scale - 1) < 1e-5:
            break
        scale = float(updated)
    return np.sort(subsets[best_at]), residuals, scale


def _exact_fit_error() -> InputError:
    return InputError("mm_regression: the predictors fit the response exactly on half of the records or more "
                      "(scale 0)", hint="a robust regression needs residual variation; use regmethod 'lm'")


def _subsets(n: int, p: int, rng: Any) -> np.ndarray:
    """Every p-subset in lexicographic order (fewer than 5000), else min(500 p, 3000) random ones,
    each drawn as MASS's sample_noreplace: floor(u m) of the m records left, the last moved in."""
    if comb(n, p) < _EXACT_BELOW:
        return np.array(list(combinations(range(n), p)), dtype=np.int64).reshape(-1, p)
    trials = min(500 * p, 3000)
    # R's stream (the tests' RRandom) draws unif_rand; numpy's Generator draws random(), in the same order
    uniforms = (rng.unif_rand(trials * p) if hasattr(rng, "unif_rand") else rng.random(trials * p)).tolist()
    rows = np.empty((trials, p), dtype=np.int64)
    for t in range(trials):
        moved: dict[int, int] = {}  # MASS's index array 0..n-1, only its changed places
        left = n
        for i in range(p):
            j = int(left * uniforms[t * p + i])
            rows[t, i] = moved.get(j, j)
            left -= 1
            moved[j] = moved.get(left, left)
    return rows


def _exact_fits(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The coefficients through each set of p records, and which sets are regular (LINPACK's dqrdc2
    rank test: no column's norm falls below 1e-7 of its original under the Householder reflections)."""
    r = np.linalg.qr(xs, mode="r")
    norms = np.linalg.norm(xs, axis=1)
    diagonal = np.abs(np.diagonal(r, axis1=1, axis2=2))
    regular = (diagonal > 1e-7 * np.where(norms > 0, norms, 1.0)).all(axis=1)
    return np.linalg.solve(xs[regular], ys[regular][..., None])[..., 0], regular


def _chi(u: np.ndarray, k: float) -> np.ndarray:
    """The S-estimate's chi: 3 t - 3 t^2 + t^3 with t = (u / k)^2, 1 beyond k."""
    t = (u / k) ** 2
    return np.where(t > 1, 1.0, t * (3 + t * (-3 + t)))


def _chi_sums(residuals: np.ndarray, a: float) -> np.ndarray:
    """Each column's sum of chi(r, a), added record by record as MASS's C loop (numpy's sum is pairwise)."""
    sums: np.ndarray = np.cumsum(_chi(residuals, a), axis=0)[-1]
    return sums


def _bisquare_weights(u: np.ndarray, c: float) -> np.ndarray:
    """Tukey's bisquare weights (1 - min(1, |u / c|)^2)^2 (MASS's psi.bisquare)."""
    return (1 - np.minimum(1.0, np.abs(u / c)) ** 2) ** 2


def _weighted_least_squares(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(coefficients, residuals) of least squares weighted by w; records of weight 0 take no part
    (R's lm.wfit), their residuals come from the fit of the others."""
    ok = w > 0
    root = np.sqrt(w[ok])
    xw = x[ok] * root[:, None]
    if ok.sum() < x.shape[1] or np.linalg.matrix_rank(xw) < x.shape[1]:
        raise InputError("mm_regression: the robust weights leave too few independent records for a fit",
                         hint="most records are outliers to every fit; use regmethod 'lm'")
    q, r = np.linalg.qr(xw)
    coef = np.linalg.solve(r, q.T @ (y[ok] * root))
    return coef, y - x @ coef
