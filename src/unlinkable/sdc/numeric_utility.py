"""Information loss and disclosure risk of masked numeric attributes, as sdcMicro reports them.

* ``il1s``: Σ_j Σ_i |x_ij − x'_ij| / (sd_j · √2), sd_j the sample SD of the original column. sdcMicro's
  ``dUtility(method="IL1s")`` does **not** divide by n·p, unlike the literature (Mateo-Sanz et al.).
* ``il1``: Σ 100·|x − x'| / |x| over the cells with x ≠ 0 (``dUtility(method="IL1")``).
* ``eigen``: Σ_k |λ_k − λ'_k| / λ_k, the eigenvalues of the correlation matrices of the original and the
  masked data (``var(scale(X))``), both in decreasing order (``dUtility(method="eigen")``).
* ``drisk``: the share of records whose every original value lies within x' ± 0.05 · sd(x'), sd of
  the masked column (``dRisk(k=0.05)``, the interval disclosure risk).

Missing values are skipped (``na.rm=TRUE``). Definitions from ``shared/reference/sdcmicro/README.md``
section 4.7; written from that description, not from sdcMicro's code (GPL).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import Names, check
from unlinkable.data.io import read_table
from unlinkable.data.numeric import numeric_columns
from unlinkable.errors import InputError

__all__ = ["NumericUtility", "numeric_utility"]


@dataclass(frozen=True)
class NumericUtility:
    """What :func:`numeric_utility` returns.

    Attributes
    ----------
    il1s, il1, eigen, drisk : float
        sdcMicro's ``dUtility`` IL1s / IL1 / eigen and ``dRisk`` (see the module docstring).
    mean_change : dict[str, float]
        Relative change of each column's mean, (mean(x') − mean(x)) / |mean(x)| (NaN if mean(x) = 0).
    correlation_change : float
        Largest absolute change of any entry of the correlation matrix (0 with one attribute).
    """

    il1s: float
    il1: float
    eigen: float
    drisk: float
    mean_change: dict[str, float]
    correlation_change: float


def _matrix(df: Any, attributes: Sequence[str], name: str) -> np.ndarray:
    df = read_table(df)  # pandas in: mixed-type columns are reported by read_table
    for a in attributes:
        if a not in df.columns:
            raise InputError(f"column {a!r} is not in the {name} table", hint=f"its columns are {df.columns}")
    df = numeric_columns(df, attributes, where=f"the {name} table", hint="utility measures need numeric columns")
    cols = []
    for a in attributes:
        s = df.get_column(a)
        if not s.dtype.is_numeric():
            raise InputError(f"column {a!r} of the {name} table is not numeric (dtype {s.dtype})",
                             hint="utility measures need numeric columns")
        cols.append(s.cast(pl.Float64).fill_nan(None).to_numpy().astype(np.float64))
    return np.column_stack(cols)


def _fsum(v: np.ndarray) -> float:
    # R's sum() accumulates in long double; an exact sum rounds the same way here.
    return math.fsum(v[~np.isnan(v)].tolist())


def _sd(v: np.ndarray) -> float:
    v = v[~np.isnan(v)]
    if v.size < 2:
        return float("nan")
    m = _fsum(v) / v.size
    return math.sqrt(_fsum((v - m) ** 2) / (v.size - 1))


def _correlation(x: np.ndarray) -> np.ndarray:
    """var(scale(x)) with exactly rounded sums (R sums in long double); complete rows only.

    The eigen measure subtracts nearly equal eigenvalues, so the last bits of the matrix matter:
    exact sums bring it to ~1e-12 relative of sdcMicro where plain float64 sums gave 2e-11.
    """
    x = x[~np.isnan(x).any(axis=1)]
    n, p = x.shape
    mu = np.array([_fsum(x[:, j]) / n for j in range(p)])
    sd = np.array([_sd(x[:, j]) for j in range(p)])
    z = (x - mu) / sd
    z -= np.array([_fsum(z[:, j]) / n for j in range(p)])
    c = np.empty((p, p))
    for a in range(p):
        for b in range(a, p):
            c[a, b] = c[b, a] = math.fsum((z[:, a] * z[:, b]).tolist()) / (n - 1)
    return c


def _eigenvalues(x: np.ndarray) -> np.ndarray:
    """Eigenvalues of the correlation matrix, decreasing (R's eigen() order)."""
    return np.sort(np.linalg.eigvalsh(_correlation(x)))[::-1]


def _corr(x: np.ndarray) -> np.ndarray:
    x = x[~np.isnan(x).any(axis=1)]
    return np.atleast_2d(np.corrcoef(x, rowvar=False))


def numeric_utility(original: Any, masked: Any, *, attributes: Sequence[str], drisk_k: float = 0.05) -> NumericUtility:
    """Information loss (IL1s, IL1, eigen) and interval disclosure risk of masked numeric columns.

    Parameters
    ----------
    original, masked : polars.DataFrame or pandas.DataFrame
        The data before and after masking, same rows in the same order.
    attributes : sequence of str
        Numeric columns to compare (sdcMicro's ``numVars``).
    drisk_k : float, default 0.05
        Half-width of the dRisk interval in masked standard deviations (sdcMicro's ``dRisk(k=)``).

    Returns
    -------
    NumericUtility

    Raises
    ------
    InputError
        A column is missing or not numeric, or the tables differ in length.

    Examples
    --------
    >>> import polars as pl
    >>> x = pl.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 1.0, 4.0, 3.0]})
    >>> m = pl.DataFrame({"a": [1.5, 1.5, 3.5, 3.5], "b": [1.5, 1.5, 3.5, 3.5]})
    >>> u = numeric_utility(x, m, attributes=["a", "b"])
    >>> round(u.il1, 4), u.drisk, u.mean_change["a"]
    (208.3333, 0.0, 0.0)

    Notes
    -----
    Mateo-Sanz, J. M., Sebé, F. and Domingo-Ferrer, J. (2004), "Outlier protection in continuous
    microdata masking", PSD 2004 (IL1s); Templ, M., Kowarik, A. and Meindl, B. (2015), JSS 67(4),
    sdcMicro ``dUtility`` and ``dRisk``, whose figures this reproduces.
    """
    attributes = check(attributes, Names(), "attributes", owner="numeric_utility", hint="name at least one numeric column")
    x = _matrix(original, attributes, "original")
    xm = _matrix(masked, attributes, "masked")
    if x.shape != xm.shape:
        raise InputError(f"original has {x.shape[0]} rows but masked has {xm.shape[0]}",
                         hint="compare the same records in the same order")
    n, p = x.shape
    diff = np.abs(x - xm)
    sd = np.array([_sd(x[:, j]) for j in range(p)])
    # per-cell |x - x'| / sd / sqrt(2), then one exact sum: reproduces sdcMicro to the last bit
    il1s = _fsum((diff / sd / math.sqrt(2.0)).ravel())
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = 100.0 * diff / np.abs(x)
    rel = rel[(x != 0) & np.isfinite(rel)]
    il1 = math.fsum(rel.tolist())

    lam = _eigenvalues(x)
    lam_m = _eigenvalues(xm)
    eigen = math.fsum((np.abs(lam - lam_m) / lam).tolist())

    sd_m = np.array([_sd(xm[:, j]) for j in range(p)])
    half = drisk_k * sd_m
    with np.errstate(invalid="ignore"):
        inside = (x >= xm - half) & (x <= xm + half)
    inside |= np.isnan(x) | np.isnan(xm)  # na.rm: a missing cell does not break the match
    drisk = float(inside.all(axis=1).sum() / n)

    mean_change = {}
    for j, a in enumerate(attributes):
        m0 = np.nanmean(x[:, j])
        m1 = np.nanmean(xm[:, j])
        mean_change[a] = float((m1 - m0) / abs(m0)) if m0 != 0 else float("nan")
    corr_change = float(np.nanmax(np.abs(_corr(x) - _corr(xm)))) if p > 1 else 0.0
    return NumericUtility(il1s=float(il1s), il1=float(il1), eigen=float(eigen), drisk=drisk,
                          mean_change=mean_change, correlation_change=corr_change)
