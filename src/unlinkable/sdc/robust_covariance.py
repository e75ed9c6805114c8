"""Robust location and scatter: the minimum covariance determinant (MCD) by FAST-MCD, as robustbase's ``covMcd``.

The MCD of n records in p numeric columns is the mean and covariance of the h records (h about
(n + p + 1) / 2) whose covariance matrix has the smallest determinant; records far from that core
by the Mahalanobis distance are outliers. sdcMicro's ``addNoise(method = "outdect")`` and
``shuffle(covmethod = "mcd")`` take it from robustbase's ``covMcd``, and so does unlinkable
(:func:`minimum_covariance_determinant`), step for step:

1. the columns are centred by their median and scaled by the h-th smallest absolute deviation from
   it (a MAD of 0 means more than h records share a value: an exact fit, refused here);
2. trial subsets of p + 1 records: all of them, in lexicographic order, when n is at most
   ``EXHAUSTIVE_MAX_N[p + 1]`` (robustbase's ``replow``: 500, 50, 22, 17, 15, 14 for p + 1 = 1..6),
   otherwise ``starts`` (500) random ones, each record drawn as ``floor(u n)`` from a uniform u and
   redrawn when already taken (robustbase's ``rfrangen``); a singular trial subset grows by a random
   record until its covariance is not (``prdraw``);
3. each trial takes two concentration steps (C-steps: the h records nearest by the Mahalanobis
   distance of the current mean and covariance give the next mean and covariance); the ten lowest
   determinants (distinct solutions; a later equal determinant goes first) are kept;
4. the ten are iterated to convergence (the determinant equals the one two steps before; at most 100
   steps) and the lowest determinant met wins (the first on a tie);
5. the raw covariance is that subset's sample covariance times the consistency factor ``c(p, h/n) = (h/n) / P(chi2_{p+2} <= chi2_p(h/n))`` and the small-sample
   factor of Pison, Van Aelst and Willems (2002);
6. records with squared raw distance below ``chi2_p(0.975)`` are kept, and their mean and sample
   covariance (times ``c(p, 0.975)`` and the reweighted small-sample factor when some were dropped)
   are the result (robustbase >= 0.99-0; its earlier versions used ``c(p, kept/n)``).

Where robustbase splits n >= 600 records into groups of 300 for the first C-steps and then merges
them (at most 1500 records), this module runs the first C-steps on one random subset of 1500
records when n > 1500 (h scaled to it, as robustbase's ``int(1500 h / n)``), and the final ones on
every record: the same design, not the same draws, so results may differ from robustbase's for
n >= 600. Exact ties between distances at the h-th place may also pick a different record than
robustbase's selection algorithm. With every subset enumerated (small n) no random number is drawn
unless a trial subset is singular.

References: Rousseeuw and Van Driessen, *A fast algorithm for the minimum covariance determinant
estimator*, Technometrics 41(3), 1999; Croux and Haesbroeck, *Influence function and efficiency of
the MCD scatter matrix estimator*, J. Multivariate Anal. 71, 1999; Pison, Van Aelst and Willems,
*Small sample corrections for LTS and MCD*, Metrika 55, 2002; robustbase ``covMcd`` (Maechler et al.).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
from scipy.special import gammainc
from scipy.stats import chi2

from unlinkable.constraints import Interval, check
from unlinkable.errors import ConfigError, InputError

__all__ = ["MinimumCovarianceDeterminant", "minimum_covariance_determinant", "mahalanobis_squared"]

#: largest n for which every subset of p + 1 records is a trial start, by p + 1 (robustbase's replow)
EXHAUSTIVE_MAX_N = {1: 500, 2: 50, 3: 22, 4: 17, 5: 15, 6: 14}
_STAGE1_STEPS, _FINAL_STEPS, _KEPT = 2, 100, 10
#: records the first C-steps see on a large table (robustbase's nmini * kmini = 300 * 5)
_MERGED = 1500

# robustbase's simulated small-sample factors for alpha = 1/2 ({(p, n): factor}; MCDcnp2s in
# R/covMcd.R), printed by scripts/extract_mcd_tables.py; a test compares them with the sources.
SIMULATED_RAW: dict[tuple[int, int], float] = {(1, 1): 1.0, (1, 2): 3.075819, (2, 4): 3.15342, (2, 5): 1.799889, (2, 6): 2.258497, (3, 6): 2.12777, (3, 7): 2.718898, (3, 8): 1.993509, (3, 9): 2.220433, (3, 10): 1.820585, (4, 8): 2.950549, (4, 9): 2.145387, (4, 10): 2.382224, (4, 11): 1.927077, (4, 12): 2.032489, (4, 13): 1.8371, (5, 10): 2.229573, (5, 11): 2.494447, (5, 12): 2.016117, (5, 13): 2.190061, (5, 14): 1.877996, (5, 15): 1.978964, (5, 16): 1.767284, (6, 12): 2.580264, (6, 13): 2.109121, (6, 14): 2.240741, (6, 15): 1.944719, (6, 16): 2.043397, (6, 17): 1.821808, (6, 18): 1.89725, (7, 14): 2.165233, (7, 15): 2.320281, (7, 16): 2.007836, (7, 17): 2.086471, (7, 18): 1.884052, (7, 19): 1.950563, (7, 20): 1.76926, (8, 16): 2.340443, (8, 17): 2.048262, (8, 18): 2.161097, (8, 19): 1.926082, (8, 20): 1.995422, (9, 18): 2.093386, (9, 19): 2.185793, (9, 20): 1.948989}  # noqa: E501
SIMULATED_REWEIGHTED: dict[tuple[int, int], float] = {(1, 1): 1.0, (1, 2): 0.984724, (2, 4): 2.216302, (2, 5): 1.418526, (2, 6): 1.635601, (3, 6): 1.73511, (3, 7): 2.06681, (3, 8): 1.545905, (3, 9): 1.659655, (3, 10): 1.456835, (4, 8): 2.388892, (4, 9): 1.847626, (4, 10): 1.96998, (4, 11): 1.630723, (4, 12): 1.701272, (4, 13): 1.521008, (5, 10): 1.968153, (5, 11): 2.168931, (5, 12): 1.784373, (5, 13): 1.894409, (5, 14): 1.667912, (5, 15): 1.693007, (5, 16): 1.545176, (6, 12): 2.275891, (6, 13): 1.866587, (6, 14): 2.014249, (6, 15): 1.750567, (6, 16): 1.829363, (6, 17): 1.650019, (6, 18): 1.689043, (7, 14): 1.95771, (7, 15): 2.074066, (7, 16): 1.847385, (7, 17): 1.905408, (7, 18): 1.71393, (7, 19): 1.768425, (7, 20): 1.63908, (8, 16): 2.164121, (8, 17): 1.871024, (8, 18): 1.979485, (8, 19): 1.782417, (8, 20): 1.84489, (9, 18): 1.938822, (9, 19): 2.050409, (9, 20): 1.834863}  # noqa: E501


@dataclass(frozen=True)
class MinimumCovarianceDeterminant:
    """A robust mean and covariance (robustbase ``covMcd``'s ``center``, ``cov``, ``raw.*``, ``best``).

    ``center``/``covariance`` are the reweighted estimates, ``raw_center``/``raw_covariance`` the MCD
    itself (corrected), ``subset`` the sorted 0-based rows of the best h records, ``weights`` the
    rows kept by the reweighting (True) and ``log_determinant`` the log-determinant of the best
    subset's sample covariance (robustbase's ``crit``).
    """

    center: np.ndarray
    covariance: np.ndarray
    raw_center: np.ndarray
    raw_covariance: np.ndarray
    subset: np.ndarray
    weights: np.ndarray
    h: int
    log_determinant: float


def subset_size(n: int, p: int, alpha: float = 0.5) -> int:
    """h(alpha; n, p), the records the MCD covers (robustbase's ``h.alpha.n``).

    >>> subset_size(10, 3)
    7
    """
    half = (n + p + 1) // 2
    return int(np.floor(2 * half - n + 2 * (n - half) * alpha))


def consistency_factor(p: int, alpha: float) -> float:
    """Factor making the covariance of the central alpha-share of a normal sample consistent.

    ``(alpha) / P(chi2_{p+2} <= chi2_p(alpha))`` (Croux and Haesbroeck 1999; robustbase ``.MCDcons``).

    >>> round(consistency_factor(1, 0.5), 6)
    7.010075
    """
    return float(alpha / gammainc(p / 2 + 1, chi2.ppf(alpha, p) / 2))


def _small_sample_factor(p: int, n: int, alpha: float, *, reweighted: bool) -> float:
    """Pison, Van Aelst and Willems' finite-sample factor (robustbase ``.MCDcnp2``/``.MCDcnp2.rew``)."""
    if reweighted:
        big = ((-0.544482443573914, 1.25994483222292, 2), (-0.343791072183285, 1.25159004257133, 3))
        half = ((-1.02842572724793, 1.67659883081926, 2), (-0.26800273450853, 1.35968562893582, 3))
        small = {2: ((3.11101712909049, 1.91401056721863), (0.79473550581058, 1.10081930350091)),
                 1: ((1.11098143415027, 1.5182890270453), (-0.66046776772861, 0.88939595831888))}
        table = SIMULATED_REWEIGHTED
    else:
        big = ((-0.455179464070565, 1.11192541278794, 2), (-0.294241208320834, 1.09649329149811, 3))
        half = ((-1.42764571687802, 1.26263336932151, 2), (-1.06141115981725, 1.28907991440387, 3))
        small = {2: ((0.673292623522027, 0.691365864961895), (0.446537815635445, 1.06690782995919)),
                 1: ((0.262024211897096, 0.604756680630497), (-0.351584646688712, 1.01646567502486))}
        table = SIMULATED_RAW
    if p > 2:
        def fitted(coefficients: tuple[tuple[float, float, int], ...]) -> float:
            y = np.array([np.log(-a / p**b) for a, b, _ in coefficients])
            design = np.array([[1.0, -np.log(q * p**2)] for _, _, q in coefficients])
            c0, c1 = np.linalg.solve(design, y)
            return float(1 - np.exp(c0) / n**c1)

        f500, f875 = fitted(half), fitted(big)
    else:
        (a5, b5), (a8, b8) = small[p]
        f500, f875 = 1 - np.exp(a5) / n**b5, 1 - np.exp(a8) / n**b8
    if alpha == 0.5 and (p, n) in table:
        f500 = 1 / table[(p, n)]
    f = f500 + (f875 - f500) / 0.375 * (alpha - 0.5) if alpha <= 0.875 else f875 + (1 - f875) / 0.125 * (alpha - 0.875)
    return float(1 / f)


def mahalanobis_squared(x: np.ndarray, center: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """Squared Mahalanobis distances of the rows of ``x`` (NaN where a row has a missing value).

    >>> mahalanobis_squared(np.array([[1.0, 0.0], [0.0, 2.0]]), np.zeros(2), np.diag([1.0, 4.0])).tolist()
    [1.0, 1.0]
    """
    d = np.atleast_2d(np.asarray(x, dtype=float)) - center
    solved = np.linalg.solve(covariance, d.T).T
    out: np.ndarray = np.einsum("ij,ij->i", d, solved)
    return out


def _mean_cov(z: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    part = z[np.sort(rows)]
    mean = part.mean(axis=0)
    centred = part - mean
    return mean, centred.T @ centred / (len(rows) - 1)


def _log_det(cov: np.ndarray, eps: float) -> float | None:
    """log det by the pivots of a Cholesky sweep; None when a pivot is below ``eps`` (singular)."""
    p = cov.shape[0]
    a = cov.copy()
    total = 0.0
    for j in range(p):  # p is the number of columns, a handful: not a loop over records
        pivot = a[j, j]
        if not pivot >= eps:
            return None
        total += np.log(pivot)
        a[j + 1:, j + 1:] -= np.outer(a[j + 1:, j], a[j, j + 1:]) / pivot
    return total


def _distances(z: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    d = z - mean
    out: np.ndarray = np.einsum("ij,ij->i", d @ np.linalg.inv(cov), d)
    return out


def _nearest(d2: np.ndarray, h: int) -> np.ndarray:
    return np.sort(np.argpartition(d2, h - 1)[:h])


def _trial_subsets(n: int, size: int, starts: int, rng: Any) -> Iterator[np.ndarray]:
    if n <= EXHAUSTIVE_MAX_N.get(size, 0):
        for rows in combinations(range(n), size):
            yield np.array(rows)
        return
    for _ in range(starts):
        taken: list[int] = []
        while len(taken) < size:  # robustbase's rfrangen: redraw a record already taken
            row = int(_uniform(rng) * n)
            if row not in taken:
                taken.append(row)
        yield np.array(taken)


def _uniform(rng: Any) -> float:
    # R's stream (tests' RRandom) draws unif_rand; numpy's Generator draws random()
    draw = rng.unif_rand(1)[0] if hasattr(rng, "unif_rand") else rng.random()
    return float(draw)


def _random_rows(n: int, m: int, rng: Any) -> np.ndarray:
    """m distinct rows of n, by a partial Fisher-Yates shuffle on uniform draws (m draws, not n)."""
    order = np.arange(n)
    for i in range(m):
        j = i + int(_uniform(rng) * (n - i))
        order[i], order[j] = order[j], order[i]
    return order[:m]


def _grow(rows: np.ndarray, n: int, rng: Any) -> np.ndarray:
    """Add the (floor(u (n - m)) + 1)-th record not yet in the subset (robustbase's prdraw)."""
    rank = int(_uniform(rng) * (n - len(rows)))
    free = np.setdiff1d(np.arange(n), rows)
    return np.sort(np.append(rows, free[rank]))


def minimum_covariance_determinant(
    x: Any, *, alpha: float = 0.5, starts: int = 500, seed: int | None = None, rng: Any = None
) -> MinimumCovarianceDeterminant:
    """Robust mean and covariance of the rows of ``x`` by FAST-MCD (robustbase's ``covMcd``).

    Parameters
    ----------
    x : array of shape (n, p)
        Complete numeric records (drop or impute missing values first: robustbase drops them).
    alpha : float in [1/2, 1], default 1/2
        The share of records the MCD covers: h = h(alpha; n, p) records.
    starts : int, default 500
        Random trial subsets when there are too many to try them all (robustbase's ``nsamp``).
    seed, rng
        Seed of ``numpy.random.default_rng``, or a generator (``random()``), for the random trial
        subsets; unused when every subset is tried. Not both.

    Returns
    -------
    MinimumCovarianceDeterminant

    Raises
    ------
    ConfigError
        ``alpha`` outside [1/2, 1], ``starts`` < 1, or both ``seed`` and ``rng``.
    InputError
        Missing or infinite values, n <= p + 1, or an exact fit (more than h records on a hyperplane,
        or sharing one value of a column), where robustbase returns a singular covariance.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0], [5.0, 6.0], [6.0, 5.0], [40.0, -30.0]])
    >>> fit = minimum_covariance_determinant(x)
    >>> len(fit.subset), fit.weights.tolist()
    (5, [True, True, True, True, True, True, False])
    """
    alpha = check(alpha, Interval(float, 0.5, 1), "alpha", owner="minimum_covariance_determinant", hint="e.g. alpha=0.5")
    starts = check(starts, Interval(int, 1, None), "starts", owner="minimum_covariance_determinant", hint="e.g. starts=500")
    if seed is not None and rng is not None:
        raise ConfigError("minimum_covariance_determinant: give seed or rng, not both", hint="rng draws the subsets")
    data = np.asarray(x, dtype=float)
    if data.ndim != 2:
        raise InputError("minimum_covariance_determinant: x must be a table of records by columns", hint="pass an (n, p) array")
    n, p = data.shape
    if not np.isfinite(data).all():
        raise InputError("minimum_covariance_determinant: x has missing or infinite values", hint="drop incomplete rows first")
    if n <= p + 1:
        raise InputError(f"the MCD needs more than p + 1 = {p + 1} complete records, got {n}",
                         hint="use fewer columns or more records")
    h = subset_size(n, p, alpha)
    cutoff = chi2.ppf(0.975, p)
    generator = np.random.default_rng(seed) if rng is None else rng
    if h >= n:
        center, cov = data.mean(axis=0), np.cov(data, rowvar=False, ddof=1).reshape(p, p)
        raw_center, raw_cov, subset = center, cov, np.arange(n)
        _check_regular(cov, "the covariance of the records")
        log_det = float(np.linalg.slogdet(cov)[1])
        keep = mahalanobis_squared(data, center, cov) < cutoff
        factor = consistency_factor(p, keep.sum() / n) if keep.sum() != n else 1.0  # robustbase's alpha = 1 branch
    else:
        fast = _univariate_mcd if p == 1 else _fast_mcd
        raw_center, raw_cov, subset, log_det = fast(data, h, alpha, starts, generator)
        keep = mahalanobis_squared(data, raw_center, raw_cov) < cutoff
        factor = 1.0
        if keep.sum() != n:
            factor = consistency_factor(p, 0.975) * _small_sample_factor(p, n, alpha, reweighted=True)
    kept = data[keep]
    center = kept.mean(axis=0)
    cov = (kept - center).T @ (kept - center) / (len(kept) - 1) * factor
    weights = mahalanobis_squared(data, center, cov) < cutoff
    return MinimumCovarianceDeterminant(center, cov, raw_center, raw_cov, subset, weights, h, log_det)


def _check_regular(cov: np.ndarray, what: str) -> None:
    if np.linalg.matrix_rank(cov) < cov.shape[0]:
        raise InputError(f"{what} is singular: the records lie on a hyperplane (an exact fit)",
                         hint="leave out a column that the others determine")


def _univariate_mcd(data: np.ndarray, h: int, alpha: float, starts: int, rng: Any
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Exact univariate MCD: the window of h consecutive sorted values with the least spread
    (robustbase's rfmcduni; of equal windows the middle one); its SD divides by h."""
    n = data.shape[0]
    order = np.argsort(data[:, 0], kind="stable")
    w = data[order, 0]
    shifted = w - w[(n - 1) // 2]  # centred for an accurate running sum of squares
    s1 = np.concatenate(([0.0], np.cumsum(shifted)))
    s2 = np.concatenate(([0.0], np.cumsum(shifted**2)))
    sums = s1[h:] - s1[:-h]
    spread = (s2[h:] - s2[:-h]) - sums**2 / h
    ties = np.flatnonzero(spread == spread.min())
    start = int(ties[(len(ties) + 1) // 2 - 1])
    center = sums[start] / h + w[(n - 1) // 2]
    scale2 = spread[start] / h * consistency_factor(1, h / n) * _small_sample_factor(1, n, alpha, reweighted=False)
    if np.sqrt(scale2) < 1e-7:
        raise InputError(f"the MCD is singular: more than {h - 1} records share one value",
                         hint="leave that column out of the robust covariance")
    return (np.array([center]), np.array([[scale2]]), np.sort(order[start:start + h]),
            float(np.log(np.sort((w - center) ** 2)[:h].sum() / max(1, h - 1))))


def _fast_mcd(data: np.ndarray, h: int, alpha: float, starts: int, rng: Any
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Raw MCD (center, corrected covariance, best subset, log-determinant); robustbase's rffastmcd."""
    n, p = data.shape
    eps = 1e-12 if p < 5 else (1e-14 if p <= 8 else 1e-16)
    classical = np.cov(data, rowvar=False, ddof=1).reshape(p, p)
    if (np.diag(classical) <= 0).any() or _log_det(classical, eps) is None:
        raise InputError("the covariance of the records is singular: they lie on a hyperplane (an exact fit)",
                         hint="leave out a column that the others determine")
    median = np.median(data, axis=0)
    scale = np.sort(np.abs(data - median), axis=0)[h - 1]  # the h-th smallest absolute deviation
    if (scale < eps).any():
        column = int(np.argmax(scale < eps))
        raise InputError(f"the MCD is singular: more than {h - 1} records share one value in column {column + 1}",
                         hint="leave that column out of the robust covariance")
    z = (data - median) / scale

    def c_steps(block: np.ndarray, size: int, mean: np.ndarray, cov: np.ndarray,
                steps: int) -> Iterator[tuple[float, np.ndarray, np.ndarray, np.ndarray]]:
        """(log det, mean, cov, squared distances) of each C-step on the records ``block`` keeping
        ``size`` of them, until the log det repeats the one two steps back."""
        rows = _nearest(_distances(block, mean, cov), size)
        before = previous = -np.inf
        for step in range(1, steps + 1):
            mean, cov = _mean_cov(block, rows)
            det = _log_det(cov, eps)
            if det is None:
                raise InputError(f"the MCD is singular: {size} records lie on a hyperplane (an exact fit)",
                                 hint="leave out a column that the others determine")
            if step >= 2 and det == before:
                return
            before, previous = previous, det
            d2 = _distances(block, mean, cov)
            yield det, mean, cov, d2
            rows = _nearest(d2, size)

    # stage 1: two C-steps from every trial subset; the ten lowest determinants are kept. On a large
    # table they run on a random subset of _MERGED records (robustbase's merged groups), h scaled.
    block, size = z, h
    if n > _MERGED:
        block = z[np.sort(_random_rows(n, _MERGED, rng))]
        size = int(_MERGED * (h / n))
    kept: list[tuple[float, np.ndarray, np.ndarray]] = []
    for rows in _trial_subsets(len(block), p + 1, starts, rng):
        rows = np.sort(rows)
        while True:
            mean, cov = _mean_cov(block, rows)
            if _log_det(cov, eps) is not None:
                break
            if len(rows) >= len(block):
                raise InputError("the MCD is singular: the records lie on a hyperplane (an exact fit)",
                                 hint="leave out a column that the others determine")
            rows = _grow(rows, len(block), rng)
        steps = list(c_steps(block, size, mean, cov, _STAGE1_STEPS))
        if not steps:
            continue
        det, mean, cov, _ = steps[-1]
        for j, (other, _, _) in enumerate(kept):
            if det <= other:
                same = [k for k in kept[j:] if k[0] == det]
                if det != other or not all(np.array_equal(mean, m) and np.array_equal(cov, c) for _, m, c in same):
                    kept.insert(j, (det, mean, cov))
                break
        else:
            kept.append((det, mean, cov))
        del kept[_KEPT:]

    # stage 3: the kept ones to convergence; the lowest determinant met wins (the first on a tie)
    best: tuple[float, np.ndarray, np.ndarray, np.ndarray] | None = None
    for _, mean, cov in kept:
        for found in c_steps(z, h, mean, cov, _FINAL_STEPS):
            if best is None or found[0] < best[0]:
                best = found
    if best is None:  # pragma: no cover - kept is never empty: every trial yields two C-steps
        raise InputError("the MCD found no subset", hint="use more records")
    det, mean, cov, d2 = best
    center = mean * scale + median
    cov = cov * np.outer(scale, scale)
    cov = cov * consistency_factor(p, h / n) * _small_sample_factor(p, n, alpha, reweighted=False)
    return center, cov, _nearest(d2, h), float(det + 2 * np.log(scale).sum())
