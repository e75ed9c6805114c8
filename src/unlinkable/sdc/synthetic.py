"""Synthetic numeric records drawn from a fitted multivariate normal (sdcMicro ``dataGen``).

The released values are ``A U + mean``: ``A`` an n x m matrix of independent standard normals, ``U``
the upper Cholesky factor of the sample covariance (``Cov = U' U``), ``mean`` the column means. No
released value is computed from any one record; only the means and the covariance of the columns
are carried over (in expectation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import Interval, check
from unlinkable.data.io import read_table
from unlinkable.data.numeric import attribute_names, numeric_columns
from unlinkable.errors import ConfigError, InputError

__all__ = ["synthetic_normal"]


def synthetic_normal(data: Any, *, attributes: Sequence[str], records: int | None = None, seed: int | None = None,
                     rng: np.random.Generator | None = None) -> pl.DataFrame:
    """Draw synthetic values of numeric columns from a normal with their means and covariance.

    Parameters
    ----------
    data : polars.DataFrame or pandas.DataFrame
        The table; the attributes must be numeric and complete.
    attributes : list of str
        The columns to synthesise (jointly: their covariance is kept).
    records : int, optional
        How many synthetic records to draw; default as many as ``data`` has.
    seed : int, optional
        Seed for ``numpy.random.default_rng``; the same seed gives the same output.
    rng : numpy.random.Generator, optional
        Draw from this generator instead (anything with numpy's ``standard_normal(shape)``); not with
        ``seed``. One draw ``standard_normal((records, m))``, column j for the j-th attribute.

    Returns
    -------
    polars.DataFrame
        ``records`` rows of the attributes only (Float64): ``A U + mean`` with ``U`` the upper
        Cholesky factor of the sample (n - 1) covariance, as sdcMicro's ``dataGen``.

    Raises
    ------
    ConfigError
        No attributes, a repeated one, ``records`` not a positive integer, both ``seed`` and ``rng``.
    InputError
        Missing or non-numeric columns, a missing value, fewer than two records, or a covariance
        that is not positive definite (a constant or collinear column).

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"income": [10.0, 20.0, 35.0, 40.0], "tax": [1.0, 2.5, 3.0, 5.0]})
    >>> synthetic_normal(df, attributes=["income", "tax"], records=3, seed=1).shape
    (3, 2)
    """
    frame = read_table(data)
    attrs = attribute_names(frame, attributes, where="synthetic")
    frame = numeric_columns(frame, attrs, where="synthetic", hint="synthetic values are drawn for numeric columns")
    x = frame.select(pl.col(attrs).cast(pl.Float64).fill_nan(None))
    for name in attrs:
        if x[name].null_count():
            row = int(x[name].is_null().arg_true()[0])
            raise InputError(f"synthetic: column {name!r} row {row + 1}: value is missing",
                             hint="the covariance needs complete columns; impute or drop the missing values first")
    n = frame.height if records is None else check(records, Interval(int, 1, None), "records", owner="synthetic",
                                                     hint="e.g. records=1000")
    if rng is not None and seed is not None:
        raise ConfigError("synthetic: give seed or rng, not both", hint="rng draws the values; seed makes a generator")
    values = x.to_numpy()
    if values.shape[0] < 2:
        raise InputError("synthetic: fewer than two records to estimate the covariance", hint="give more records")
    cov = np.atleast_2d(np.cov(values, rowvar=False, ddof=1))
    try:
        upper = np.linalg.cholesky(cov).T
    except np.linalg.LinAlgError:
        raise InputError(f"synthetic: the covariance of {attrs} is not positive definite (a constant or collinear column)",
                         hint="drop the constant or redundant column") from None
    gen = np.random.default_rng(seed) if rng is None else rng
    out = gen.standard_normal((n, len(attrs))) @ upper + values.mean(axis=0)
    return pl.DataFrame({name: out[:, j] for j, name in enumerate(attrs)}, schema={a: pl.Float64 for a in attrs})
