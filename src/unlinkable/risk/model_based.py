"""Model-based global risk from log-linear models: sdcMicro's ``modRisk``.

The sample counts of the cells of the key variables' cross-classification are taken as independent
Poisson variables whose means follow a log-linear model (main effects, optionally interactions).
The fitted mean of a cell, lambda_k, estimates its population count F_k. With pi_k the cell's sum of
inclusion probabilities (sum of 1/w over its records) and v_k = (1 - pi_k) lambda_k, two global
measures are summed over the sample-unique cells (Skinner and Holmes 1998):

* ``risk1`` = sum_{f_k = 1} exp(-v_k) / m: the expected share of sample uniques that are population
  unique;
* ``risk2`` = sum_{f_k = 1} (1 - exp(-v_k)) / v_k / m: the expected share of correct matches of
  sample uniques (computed with expm1, so tiny v_k keep their digits; v_k = 0 counts 1, its limit,
  where sdcMicro's R gives NaN);

where m is the number of cells kept: sampled cells (f_k > 0) with f_k <= ``bound`` and a fitted
lambda_k > 0. Five ways to fit lambda, as sdcMicro 5.8.1:

* ``default``: Poisson log-linear model of the counts;
* ``CE`` (Clogg and Eliason 1987): the same with offset log(f_k / w_k + 0.1), w_k the cell's weight sum;
* ``PML`` (pseudo maximum likelihood): the model fitted to the rounded weight sums scaled to the
  sample size, round(w_k * sum f / sum w);
* ``weightedLLM``: the weight sum w_k as an extra numeric predictor;
* ``IPF``: iterative proportional fitting of the main effects (``MASS::loglm``; eps 0.1, 40 cycles).

Key variables are categorical, as in an sdcMicroObj (whose key variables are factors; R's glm
would fit a number column of a plain data.frame as a linear trend instead).
The cells are every combination of the values each key variable takes in the data (a missing value
is one of them); cells with a missing value take no part in the fit and get lambda = 0. A record
without a weight makes its cell's weight sum and inclusion-probability sum 0 (sdcMicro's reading).
The Poisson fits replicate R's ``glm.fit``: start mu = y + 0.1, iteratively reweighted least squares
with mu = max(exp(eta), 2^-52), stopping when |dev - dev_old| / (|dev| + 0.1) < 1e-8 (at most 25
iterations); ``fitted_rates_zero`` is R's warning "fitted rates numerically 0 occurred" (a cell
fitted below 10 * 2^-52: the model's maximum likelihood lies on the boundary).

Only aggregate figures are returned: the two risks and, per cell, the fitted count and inclusion sum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from unlinkable.constraints import Interval, OneOf, check
from unlinkable.errors import ConfigError, InputError
from unlinkable.risk.frequencies import validate_keys

__all__ = ["METHODS", "ModelRisk", "model_risk"]

#: sdcMicro modRisk's methods, in its spelling
METHODS = ("default", "CE", "PML", "weightedLLM", "IPF")
#: the largest cross-classification fitted (cells); each needs a row of the model matrix
MAX_CELLS = 2_000_000

_EPS = float(np.finfo(np.float64).eps)  # R's .Machine$double.eps
_GLM_EPSILON = 1e-8  # glm.control()$epsilon
_GLM_MAXIT = 25  # glm.control()$maxit
_IPF_EPS = 0.1  # MASS::loglm's defaults for loglin
_IPF_ITER = 40


@dataclass(frozen=True, eq=False)
class ModelRisk:
    """The result of :func:`model_risk`.

    ``cells`` holds the key codes of the fitted cells (one row per cell, sdcMicro's order: sorted,
    the last key variable varying fastest), ``fitted`` their fitted counts lambda_k, ``counts`` their
    sample counts. ``inclusion`` holds pi_k of the cells the risks are summed over, in that order.
    """

    method: str
    bound: float
    risk1: float
    risk2: float
    cells: np.ndarray = field(repr=False)
    fitted: np.ndarray = field(repr=False)
    counts: np.ndarray = field(repr=False)
    inclusion: np.ndarray = field(repr=False)
    converged: bool
    iterations: int
    fitted_rates_zero: bool

    @property
    def risk1_pct(self) -> float:
        """``risk1`` in percent (sdcMicro's ``gr1perc``)."""
        return self.risk1 * 100

    @property
    def risk2_pct(self) -> float:
        """``risk2`` in percent (sdcMicro's ``gr2perc``)."""
        return self.risk2 * 100

    def to_dict(self) -> dict[str, Any]:
        """Aggregate figures only (JSON-ready); no cell is listed."""
        return {"method": self.method, "bound": None if math.isinf(self.bound) else self.bound,
                "risk1": self.risk1, "risk2": self.risk2, "risk1_pct": self.risk1_pct, "risk2_pct": self.risk2_pct,
                "cells_fitted": int(self.fitted.size), "cells_summed": int(self.inclusion.size),
                "converged": self.converged, "iterations": self.iterations,
                "fitted_rates_zero": self.fitted_rates_zero}


def model_risk(keys: np.ndarray, weights: np.ndarray, *, method: str = "default", bound: float = math.inf,
               interactions: Sequence[Sequence[int]] = ()) -> ModelRisk:
    """Global re-identification risk from a log-linear model of the key variables (sdcMicro ``modRisk``).

    Parameters
    ----------
    keys : (records, key variables) integer codes, -1 for a missing value; codes sort like the
        values (they set the cell order and which level is the reference)
    weights : sampling weight per record (> 0; NaN = no weight, as sdcMicro reads NA)
    method : "default", "CE", "PML", "weightedLLM" or "IPF" (see the module docstring)
    bound : only cells with at most this many sample records are summed (sdcMicro's ``bound``)
    interactions : terms beyond the main effects, each a tuple of key-variable positions, e.g.
        ``[(0, 2)]`` for the interaction of the first and third (not with IPF)

    Examples
    --------
    >>> import numpy as np
    >>> keys = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [1, 1]])
    >>> r = model_risk(keys, np.full(5, 10.0))
    >>> r.fitted.round(6).tolist()  # independence: row total x column total / 5
    [0.8, 1.2, 1.2, 1.8]
    >>> round(r.risk1, 4)  # (exp(-0.9 * 0.8) + 2 exp(-0.9 * 1.2)) / 4 cells
    0.2915
    """
    keys = validate_keys(keys, name="keys")
    n, d = keys.shape
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise InputError(f"weights must hold one value per record ({n}); got shape {w.shape}",
                         hint="pass the sampling-weight column")
    present = ~np.isnan(w)
    if (w[present] <= 0).any() or not np.isfinite(w[present]).all():
        bad = int(np.flatnonzero(present & ~((w > 0) & np.isfinite(w)))[0])
        raise InputError(f"weights: record {bad + 1} has weight {w[bad]!r}; sampling weights must be finite and > 0",
                         hint="a sampling weight is the number of population units a record stands for")
    method = check(method, OneOf(METHODS), "method", owner="model-based risk")
    bound = float(check(bound, Interval(float, 0, None, closed="right"), "bound", owner="model-based risk",
                        hint="bound: 1 sums the sample uniques only (inf: no bound)"))
    terms = _terms(interactions, d)
    if method == "IPF" and terms:
        raise ConfigError("method IPF fits main effects only", hint="drop the interactions, or use another method")
    if n == 0:
        raise InputError("model-based risk needs at least one record", hint="pass a non-empty table")

    # The cross-classification of the values each variable takes (missing first), last fastest.
    values = [np.unique(keys[:, j]) for j in range(d)]
    shape = tuple(v.size for v in values)
    n_cells = math.prod(shape)
    if n_cells > MAX_CELLS:
        raise ConfigError(f"the key variables span {n_cells} cells; model-based risk fits at most {MAX_CELLS}",
                          hint="use fewer or coarser key variables")
    ranks = np.column_stack([np.searchsorted(values[j], keys[:, j]) for j in range(d)])
    cell = np.ravel_multi_index(ranks.T, shape)
    counts = np.bincount(cell, minlength=n_cells).astype(np.float64)
    wsum = np.bincount(cell, weights=w, minlength=n_cells)
    incl = np.bincount(cell, weights=1.0 / w, minlength=n_cells)
    wsum[np.isnan(wsum)] = 0.0  # a cell holding a record without weight: sdcMicro sets NA sums to 0
    incl[np.isnan(incl)] = 0.0
    grid = np.column_stack([v[i] for v, i in zip(values, np.unravel_index(np.arange(n_cells), shape))])
    complete = (grid >= 0).all(axis=1)

    fitted_all = np.zeros(n_cells)
    if method == "IPF":
        fitted, converged, iterations, zero = _ipf_cells(grid[complete], counts[complete])
    else:
        y = counts[complete]
        offset = np.zeros(y.size)
        extra: list[np.ndarray] = []
        if method == "CE":
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = counts / wsum
            if np.isinf(ratio[complete]).any():
                raise InputError("method CE: a cell holds records but no weight (its records' weights are missing)",
                                 hint="give every record a weight, or use another method")
            ratio[np.isnan(ratio)] = 0.0
            offset = np.log(ratio + 0.1)[complete]
        elif method == "PML":
            y = np.round(wsum * (counts.sum() / wsum.sum()))[complete]
        elif method == "weightedLLM":
            extra = [wsum[complete]]
        X = _design(grid[complete], terms, extra)
        fitted, converged, iterations, zero = _poisson_glm(X, y, offset)
    fitted_all[complete] = fitted

    keep = (counts > 0) & (counts <= bound) & (fitted_all != 0)
    m = int(keep.sum())
    p, lam, f = incl[keep], fitted_all[keep], counts[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (1 - p) * lam
        r1 = np.exp(-v) / m
        # -expm1(-v) is 1 - exp(-v) without R's cancellation for tiny v (v < 1e-8 loses digits there)
        # v = 0 (a unique of weight 1 is the whole population cell): the limit 1, where R gives 0/0
        r2 = np.where(v == 0, 1.0, -np.expm1(-v) / np.where(v == 0, 1.0, v)) / m
    unique = (f == 1).astype(np.float64)
    return ModelRisk(method=method, bound=bound, risk1=float(np.sum(unique * r1)), risk2=float(np.sum(unique * r2)),
                     cells=grid[complete], fitted=fitted, counts=counts[complete], inclusion=p,
                     converged=converged, iterations=iterations, fitted_rates_zero=zero)


def _terms(interactions: Sequence[Sequence[int]], d: int) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = []
    for term in interactions:
        t = tuple(sorted({int(j) for j in term}))
        if len(t) < 2 or min(t) < 0 or max(t) >= d:
            raise ConfigError(f"interaction {list(term)!r} must name two or more of the {d} key variables by position",
                              hint="e.g. [(0, 1)] for the first two key variables")
        if t not in out:
            out.append(t)
    return out


def _design(grid: np.ndarray, terms: Sequence[tuple[int, ...]], extra: Sequence[np.ndarray]) -> np.ndarray:
    """R's model matrix with treatment contrasts: intercept, main effects, interactions, extra columns.

    Interactions are products of the main effects' dummy columns, as R codes a term whose lower-order
    terms are all in the model (main effects always are).
    """
    dummies = []
    for j in range(grid.shape[1]):
        levels = np.unique(grid[:, j])
        dummies.append((grid[:, j][:, None] == levels[None, 1:]).astype(np.float64))
    cols = [np.ones((grid.shape[0], 1)), *dummies]
    for t in terms:
        block = dummies[t[0]]
        for j in t[1:]:
            block = (block[:, :, None] * dummies[j][:, None, :]).reshape(grid.shape[0], -1)
        cols.append(block)
    cols.extend(e[:, None] for e in extra)
    return np.hstack(cols)


def _poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    r = mu.copy()
    pos = y > 0
    r[pos] = y[pos] * np.log(y[pos] / mu[pos]) - (y[pos] - mu[pos])
    return float(np.sum(2 * r))


def _poisson_glm(X: np.ndarray, y: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, bool, int, bool]:
    """R's ``glm.fit`` for ``poisson(link = "log")``: the iterate it stops at, not the exact optimum."""

    def linkinv(eta: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.asarray(np.maximum(np.exp(eta), _EPS), dtype=np.float64)

    eta = np.log(y + 0.1)  # poisson()$initialize: mustart = y + 0.1; eta = log(mustart)
    mu = linkinv(eta)
    devold = _poisson_deviance(y, mu)
    coefold: np.ndarray | None = None
    converged = False
    iteration = 0
    for iteration in range(1, _GLM_MAXIT + 1):  # noqa: B007 - returned after the loop: the iterations used
        mu_eta = linkinv(eta)
        z = (eta - offset) + (y - mu) / mu_eta
        sw = np.sqrt(mu_eta**2 / mu)
        coef = np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)[0]
        eta = X @ coef + offset
        mu = linkinv(eta)
        dev = _poisson_deviance(y, mu)
        halvings = 0
        while not math.isfinite(dev):  # R halves the step back towards the last good coefficients
            if coefold is None or halvings >= _GLM_MAXIT:
                raise InputError("the log-linear model cannot be fitted: no finite deviance",
                                 hint="use fewer key variables or interactions")
            halvings += 1
            coef = (coef + coefold) / 2
            eta = X @ coef + offset
            mu = linkinv(eta)
            dev = _poisson_deviance(y, mu)
        if abs(dev - devold) / (abs(dev) + 0.1) < _GLM_EPSILON:
            converged = True
            break
        devold = dev
        coefold = coef
    return mu, converged, iteration, bool((mu < 10 * _EPS).any())


def _ipf_cells(grid: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, bool, int, bool]:
    """Main-effects IPF (``stats::loglin`` as ``MASS::loglm`` calls it) on the complete cells."""
    d = grid.shape[1]
    values = [np.unique(grid[:, j]) for j in range(d)]
    shape = tuple(v.size for v in values)
    index = np.ravel_multi_index(tuple(np.searchsorted(values[j], grid[:, j]) for j in range(d)), shape)
    table = np.zeros(shape)
    table.flat[index] = counts
    fit, converged, iteration = _ipf(table)
    return fit.flat[index], converged, iteration, False


def _ipf(table: np.ndarray) -> tuple[np.ndarray, bool, int]:
    """Fit each one-way margin in turn from a table of ones until no margin is off by ``_IPF_EPS``."""
    fit = np.ones_like(table)
    axes = range(table.ndim)
    observed = [table.sum(axis=tuple(a for a in axes if a != j)) for j in axes]
    for iteration in range(1, _IPF_ITER + 1):
        deviation = 0.0
        for j in axes:
            other = tuple(a for a in axes if a != j)
            margin = fit.sum(axis=other)
            deviation = max(deviation, float(np.max(np.abs(margin - observed[j]))))
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(margin > 0, observed[j] / margin, 0.0)
            shape = [1] * table.ndim
            shape[j] = -1
            fit = fit * factor.reshape(shape)
        if deviation < _IPF_EPS:
            return fit, True, iteration
    return fit, False, _IPF_ITER
