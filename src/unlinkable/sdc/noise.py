"""Noise addition for continuous attributes (sdcMicro ``addNoise``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import polars as pl
from scipy.stats import chi2

from unlinkable.constraints import Interval, OneOf, check
from unlinkable.data.io import read_table
from unlinkable.data.numeric import attribute_names, numeric_columns
from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.robust_covariance import mahalanobis_squared, minimum_covariance_determinant

__all__ = ["add_noise"]

METHODS = ("additive", "correlated", "correlated2", "restr", "ROMM", "outdect")


def add_noise(
    data: Any,
    *,
    attributes: Sequence[str],
    noise: float = 150.0,
    method: Literal["additive", "correlated", "correlated2", "restr", "ROMM", "outdect"] = "additive",
    delta: float = 0.1,
    p: float = 0.001,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
) -> pl.DataFrame:
    """Add random noise to numeric columns.

    Parameters
    ----------
    data : polars.DataFrame or pandas.DataFrame
        The table; pandas input is converted with ``pl.from_pandas``.
    attributes : list of str
        The numeric columns to perturb.
    noise : float, default 150
        Amount of noise in percent (sdcMicro's default is 150).
        ``"additive"``: column ``x`` gets independent ``N(0, (noise/100 * sd(x))^2)`` noise.
        ``"correlated"``: the rows get ``N(0, noise/100 * Cov(X))`` noise, so the masked covariance
        is ``(1 + noise/100) Cov(X)`` in expectation and the correlations are kept.
    method : {"additive", "correlated", "correlated2", "restr", "ROMM", "outdect"}
        ``"outdect"`` (sdcMicro's outlier method) perturbs only the outliers: records above a column's
        99% quantile (R's type 7) or whose robust Mahalanobis distance from the MCD of the complete
        records (:func:`~unlinkable.sdc.robust_covariance.minimum_covariance_determinant`) exceeds
        ``sqrt(chi2_k(0.975))``; each of their values gets ``N(0, (1.96 sd(x) / sqrt(n) * noise/100)^2)``
        noise, n counting every record. The others are released unchanged.
        ``"ROMM"`` (random orthogonal matrix masking, Ting, Fienberg and Trottini) ignores ``noise``:
        it draws an n x n matrix ``M`` of standard normals (column by column), orthonormalises the
        columns of ``I + p M`` by classical Gram-Schmidt into ``T`` and returns ``T X``, so every
        released record is a rotation-mixture of all records; column sums of squares are kept. As in
        sdcMicro, a column with a missing value comes out entirely missing (every output row uses it).
        ``"restr"`` (sdcMicro's restricted method) draws nothing: each column becomes
        ``c x + (1 - c) mean(x)`` with ``c = sqrt((n - 1 - w) / ((n + 1)(1 + w)))`` for n < 500 and
        ``sqrt((n - 1) / (n + n w - 1))`` otherwise, ``w = noise / 100``, n the number of records.
        ``"correlated2"`` (Brand 2001) ignores ``noise`` and returns
        ``sqrt(1 - delta^2) x + delta e`` with ``e ~ N((1 - sqrt(1 - delta^2))/delta * mean(x), sd(x)^2)``,
        which keeps each column's mean and variance in expectation.
    delta : float in (0, 1), default 0.1
        The ``"correlated2"`` parameter.
    p : float >= 0, default 0.001
        The ``"ROMM"`` perturbation of the identity (sdcMicro's ``p``).
    seed : int, optional
        Seed for ``numpy.random.default_rng``; the same seed gives the same output.
    rng : numpy.random.Generator, optional
        Draw from this generator instead (anything with numpy's ``standard_normal(shape)``); not
        with ``seed``. The columns that get noise (those with a spread) draw
        ``standard_normal((n, k))``, column j of it for the j-th of them.

    Returns
    -------
    polars.DataFrame
        A copy with the attributes replaced by Float64 perturbed values; nulls stay null. The SDs and
        covariance use the sample (n - 1) estimators over non-null values (complete rows for
        ``"correlated"``), as R's ``sd``/``cov`` do.

    Raises
    ------
    ConfigError
        Unknown method, negative or non-finite ``noise`` or ``p``, ``delta`` outside (0, 1), no attributes.
    InputError
        Missing or non-numeric columns.

    Notes
    -----
    Brand, *Microdata protection through noise addition*, LNCS 2316, 2002; Domingo-Ferrer, Sebé and
    Castellà, *On the security of noise addition for privacy in statistical databases*, LNCS 3050,
    2004; sdcMicro ``addNoise`` (Templ, Kowarik and Meindl, JSS 67(4), 2015).

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"income": [10.0, 20.0, 30.0, 40.0]})
    >>> out = add_noise(df, attributes=["income"], noise=10, seed=1)
    >>> out.shape, out["income"].dtype
    ((4, 1), Float64)
    """
    frame = read_table(data)
    attrs = attribute_names(frame, attributes, where="add_noise")
    frame = numeric_columns(frame, attrs, where="add_noise", hint="noise applies to continuous attributes")
    method = check(method, OneOf(METHODS), "method", owner="add_noise")
    noise = check(noise, Interval(float, 0, None, finite=True), "noise", owner="add_noise", hint="a percentage, e.g. noise=150")
    if method == "correlated2":
        delta = check(delta, Interval(float, 0, 1, closed="neither"), "delta", owner="add_noise", hint="e.g. delta=0.1")
    if method == "ROMM":
        p = check(p, Interval(float, 0, None, finite=True), "p", owner="add_noise", hint="e.g. p=0.001")

    x = frame.select(pl.col(attrs).cast(pl.Float64).fill_nan(None)).to_numpy()  # nulls -> NaN
    n, k = x.shape
    if rng is not None and seed is not None:
        raise ConfigError("add_noise: give seed or rng, not both", hint="rng draws the noise; seed makes a generator")
    rng = np.random.default_rng(seed) if rng is None else rng
    if method == "additive":
        sd = _sd(x)
        out = x.copy()
        # only columns with a spread draw noise (as R's rnorm draws nothing for sd 0 or NA)
        drawn = (noise / 100.0 * sd) > 0
        out[:, drawn] = x[:, drawn] + rng.standard_normal((n, int(drawn.sum()))) * (noise / 100.0 * sd[drawn])
    elif method == "correlated":
        complete = x[~np.isnan(x).any(axis=1)]
        if complete.shape[0] < 2:
            raise InputError("add_noise: fewer than two complete rows to estimate the covariance", hint="use method='additive'")
        cov = np.atleast_2d(np.cov(complete, rowvar=False, ddof=1)) * (noise / 100.0)
        # A symmetric square root tolerates singular (collinear) covariances, unlike Cholesky.
        w, v = np.linalg.eigh(cov)
        root = v * np.sqrt(np.clip(w, 0.0, None))
        out = x + rng.standard_normal((n, k)) @ root.T
    elif method == "outdect":
        out = x.copy()
        rows = _outliers(x, rng)
        sd = _sd(x)
        scale = 1.96 * sd / np.sqrt(n) * (noise / 100.0)
        drawn = scale > 0  # as R's rnorm draws nothing for sd 0 or NA
        out[np.ix_(rows, drawn)] += rng.standard_normal((len(rows), int(drawn.sum()))) * scale[drawn]
    elif method == "restr":
        share = noise / 100.0
        c = np.sqrt((n - 1 - share) / ((n + 1) * (1 + share))) if n < 500 else np.sqrt((n - 1) / (n + n * share - 1))
        counts = (~np.isnan(x)).sum(axis=0)
        with np.errstate(invalid="ignore"):
            mean = np.where(counts > 0, np.nansum(x, axis=0) / np.maximum(counts, 1), np.nan)
        out = c * x + (1 - c) * mean
    elif method == "ROMM":
        # column-major fill: column j of the draw is R's j-th block of rnorm(n * n)
        rotation = _gram_schmidt(np.eye(n) + p * rng.standard_normal((n, n)))
        out = rotation @ np.nan_to_num(x)
        out[:, np.isnan(x).any(axis=0)] = np.nan  # a missing value enters every output row
    else:
        d1 = np.sqrt(1.0 - delta**2)
        mean = np.nansum(x, axis=0) / np.maximum((~np.isnan(x)).sum(axis=0), 1)
        sd = _sd(x)
        drawn = sd > 0
        e = np.broadcast_to((1.0 - d1) / delta * mean, (n, k)).copy()
        e[:, drawn] += rng.standard_normal((n, int(drawn.sum()))) * sd[drawn]
        out = x * d1 + delta * e
    return frame.with_columns(
        pl.Series(name, out[:, j], dtype=pl.Float64, nan_to_null=True) for j, name in enumerate(attrs)
    )


def _outliers(x: np.ndarray, rng: Any) -> np.ndarray:
    """Rows above a column's 99% quantile or far from the MCD of the complete rows (sdcMicro's outdect)."""
    valid = (~np.isnan(x)).any(axis=0)
    top = np.full(x.shape[1], np.inf)  # an all-missing column has no quantile (R's NA: no outlier)
    top[valid] = np.nanquantile(x[:, valid], 0.99, axis=0, method="linear")  # R's quantile type 7
    with np.errstate(invalid="ignore"):
        above = (x > top).any(axis=1)  # a missing value is never above
    complete = x[~np.isnan(x).any(axis=1)]
    try:
        fit = minimum_covariance_determinant(complete, rng=rng)
    except InputError as exc:
        raise InputError(f"add_noise: outdect needs the robust covariance of the complete records: {exc.message}",
                         hint=exc.hint or "use another noise method") from None
    with np.errstate(invalid="ignore"):
        far = mahalanobis_squared(np.nan_to_num(x), fit.center, fit.covariance) > chi2.ppf(0.975, x.shape[1])
    far &= ~np.isnan(x).any(axis=1)  # R's distance of an incomplete record is NA, never an outlier
    return np.flatnonzero(above | far)


def _gram_schmidt(u: np.ndarray) -> np.ndarray:
    """Orthonormal columns by classical Gram-Schmidt (each column minus its projections on the
    previous *orthogonalised* columns, normalised at the end), the order of operations of sdcMicro's
    ``orthonormalization``; near-collinear columns are an error there and here."""
    if u.size and np.min(np.linalg.svd(u, compute_uv=False)) <= 1e-8:
        raise InputError("add_noise: the ROMM matrix is singular", hint="use another seed or a larger p")
    v = u.copy()
    for i in range(1, u.shape[1]):
        prev = v[:, :i]
        coef = (u[:, i] @ prev) / np.einsum("ij,ij->j", prev, prev)
        v[:, i] = u[:, i] - prev @ coef
    normalised: np.ndarray = v / np.sqrt(np.einsum("ij,ij->j", v, v))
    return normalised


def _sd(x: np.ndarray) -> np.ndarray:
    """Column sample SD over non-null values; 0 where fewer than two values exist."""
    counts = (~np.isnan(x)).sum(axis=0)
    mean = np.nansum(x, axis=0) / np.maximum(counts, 1)
    ss = np.nansum((x - mean) ** 2, axis=0)
    return np.where(counts >= 2, np.sqrt(ss / np.maximum(counts - 1, 1)), 0.0)
