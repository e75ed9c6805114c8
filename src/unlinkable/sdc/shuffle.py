"""Data shuffling (Muralidhar and Sarathy 2006): sdcMicro's ``shuffle(method = "ds")``.

Confidential numeric attributes (the responses) are replaced by a permutation of their own values that
keeps their rank relation to the non-confidential attributes (the predictors):

1. every column of responses and predictors is turned into normal scores, qnorm((rank - 1/2) / n)
   (average ranks for ties);
2. the rank correlation matrix R of all columns (Spearman, or Pearson on the values, or the robust
   correlation of the values' minimum covariance determinant) becomes the normal-copula correlation
   P = 2 sin(pi R / 6);
3. new response scores are drawn from their conditional normal distribution given the predictors'
   scores: Y* = S* (P_xs P_ss^-1)' + e, e ~ N(0, P_xx - P_xs P_ss^-1 P_sx);
4. each response column gets its original values back in the order of Y*'s ranks (the record with the
   k-th smallest draw receives the k-th smallest value).

The released columns hold exactly the original values (the same multiset), so means, variances and
the marginal distributions are kept, and records cannot be traced through their own values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
from scipy.special import ndtri
from scipy.stats import rankdata

from unlinkable.data.io import read_table
from unlinkable.data.numeric import numeric_columns
from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.robust_covariance import minimum_covariance_determinant

__all__ = ["shuffle"]

COVARIANCES = ("spearman", "pearson", "mcd")


def shuffle(data: Any, *, responses: Sequence[str], predictors: Sequence[str], covmethod: str = "spearman",
            seed: int | None = None, rng: np.random.Generator | None = None) -> pl.DataFrame:
    """Shuffle the confidential ``responses`` given the non-confidential ``predictors`` (sdcMicro ``shuffle``).

    Parameters
    ----------
    data : path, polars or pandas DataFrame
    responses : two or more numeric columns to shuffle (sdcMicro's left-hand side of ``form``)
    predictors : one or more numeric columns the shuffle preserves the relation to (right-hand side)
    covmethod : "spearman" (rank correlation), "pearson", or "mcd": the robust correlation of the
        values from their minimum covariance determinant (robustbase's ``covMcd``, reweighted;
        :func:`~unlinkable.sdc.robust_covariance.minimum_covariance_determinant`), which outlying
        records cannot pull; its random trial subsets are drawn first, from the same generator
    seed : seed of ``numpy.random.default_rng``; or ``rng``, a generator to draw from

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"income": [10.0, 25, 31, 47, 52, 68], "savings": [1.0, 3, 2, 6, 5, 9],
    ...                    "age": [21.0, 30, 35, 44, 50, 61]})
    >>> out = shuffle(df, responses=["income", "savings"], predictors=["age"], seed=1)
    >>> sorted(out["income"].to_list()) == sorted(df["income"].to_list())
    True
    """
    frame = read_table(data)
    resp, pred = _names(responses, "responses"), _names(predictors, "predictors")
    if len(resp) < 2:
        raise ConfigError("shuffle needs at least two response columns", hint="e.g. responses=['income', 'savings']")
    if not pred:
        raise ConfigError("shuffle needs at least one predictor column", hint="e.g. predictors=['age', 'sex']")
    if set(resp) & set(pred):
        raise ConfigError(f"shuffle: {sorted(set(resp) & set(pred))[0]!r} is both a response and a predictor",
                          hint="give each column one side")
    for name in resp + pred:
        if name not in frame.columns:
            raise InputError(f"shuffle: no column {name!r}", hint=f"the columns are {frame.columns}")
    if covmethod not in COVARIANCES:
        raise ConfigError(f"shuffle: unknown covmethod {covmethod!r}", hint=f"use one of {', '.join(COVARIANCES)}")
    if rng is not None and seed is not None:
        raise ConfigError("shuffle: give seed or rng, not both", hint="rng draws the noise; seed makes a generator")
    numbers = numeric_columns(frame, resp + pred, where="shuffle", hint="shuffling works on numeric columns")
    m = numbers.select(pl.col(resp + pred).cast(pl.Float64).fill_nan(None)).to_numpy()
    if np.isnan(m).any():
        row, col = np.argwhere(np.isnan(m))[0]
        raise InputError(f"shuffle: column {(resp + pred)[col]!r} row {row + 1} is missing",
                         hint="shuffle needs complete rows; drop or impute them first")
    n, k = m.shape[0], len(resp)
    if n < 3:
        raise InputError(f"shuffle needs at least three records, got {n}", hint="shuffle a larger table")
    ranks = np.column_stack([rankdata(m[:, j], method="average") for j in range(m.shape[1])])
    scores = ndtri((ranks - 0.5) / n)
    generator = np.random.default_rng(seed) if rng is None else rng
    if covmethod == "mcd":
        try:
            cov = minimum_covariance_determinant(m, rng=generator).covariance
        except InputError as exc:
            raise InputError(f"shuffle: covmethod 'mcd' needs the robust covariance of the records: {exc.message}",
                             hint=exc.hint or "use covmethod 'spearman'") from None
        sd = np.sqrt(np.diag(cov))
        corr = cov / np.outer(sd, sd)
    else:
        corr = np.corrcoef(ranks if covmethod == "spearman" else m, rowvar=False)
    if not np.isfinite(corr).all():
        raise InputError("shuffle: a column is constant, so its correlations are undefined",
                         hint="leave constant columns out")
    p = 2 * np.sin(np.pi * corr / 6)
    pxs, pss, pxx = p[:k, k:], p[k:, k:], p[:k, :k]
    try:
        beta = np.linalg.solve(pss, pxs.T).T  # P_xs P_ss^-1
    except np.linalg.LinAlgError:
        raise InputError("shuffle: the predictors are collinear", hint="leave out a predictor that the others "
                         "determine") from None
    mean = scores[:, k:] @ beta.T
    sigma = pxx - beta @ pxs.T
    # a symmetric square root of the conditional covariance tolerates a singular one (as MASS::mvrnorm)
    w, v = np.linalg.eigh((sigma + sigma.T) / 2)
    root = v * np.sqrt(np.clip(w, 0.0, None))
    draws = mean + generator.standard_normal((n, k)) @ root.T
    out = []
    for j, name in enumerate(resp):
        # the record with the k-th smallest draw takes the k-th smallest value (whole values move,
        # so the column keeps its type and exactly its values)
        order = np.argsort(rankdata(draws[:, j], method="average"), kind="stable")
        source = np.empty(n, dtype=np.int64)
        source[order] = np.argsort(m[:, j], kind="stable")
        out.append(frame[name].gather(source))
    return frame.with_columns(out)


def _names(value: Sequence[str] | str, what: str) -> list[str]:
    names = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(v, str) for v in names) or len(set(names)) != len(names):
        raise ConfigError(f"shuffle: {what} must be distinct column names, got {value!r}", hint="e.g. ['income', 'savings']")
    return names
