"""Data shuffling (Muralidhar and Sarathy 2006): sdcMicro's ``shuffle``, methods "ds", "mvn" and "mlm".

Confidential numeric attributes (the responses) are replaced by a permutation of their own values:
each response column gets its original values back in the order of the ranks of new values Y*
(the record with the k-th smallest Y* receives the k-th smallest value). The methods differ in Y*:

* "ds" (data shuffling, the default), which keeps the responses' rank relation to the
  non-confidential attributes (the predictors):

  1. every column of responses and predictors is turned into normal scores, qnorm((rank - 1/2) / n)
     (average ranks for ties);
  2. the rank correlation matrix R of all columns (Spearman, or Pearson on the values, or the robust
     correlation of the values' minimum covariance determinant) becomes the normal-copula
     correlation P = 2 sin(pi R / 6);
  3. Y* is drawn from the responses' conditional normal distribution given the predictors' scores:
     Y* = S* (P_xs P_ss^-1)' + e, e ~ N(0, P_xx - P_xs P_ss^-1 P_sx);

* "mvn" (sdcMicro's "simplification"): n records are drawn from a multivariate normal with the
  columns' means and covariance (``covmethod``'s), and Y* is sdcMicro's EGADP perturbation of the
  drawn responses given the drawn predictors: the fitted values of a regression of each response on
  the predictors (``regmethod`` "lm", least squares, or "MM", the robust MM-estimator of
  :mod:`unlinkable.sdc.robust_regression`) plus residuals of a second draw V (regressed on the
  drawn predictors and responses), scaled by the inverse of their covariance and of the first
  regression's residual covariance, as sdcMicro's ``egadp`` writes it. The draws are not the
  records: Y*, and so the order the values are given back in, is not tied to any record's
  predictors. (sdcMicro also computes two correlation matrices here that it never uses; with
  covmethod "mcd" they draw random subsets, so on R's stream its later draws come after those);
* "mlm": Y* are the fitted values of the least-squares regression of the responses on the
  predictors (no random draw), so the values are handed out in the order of what the predictors
  predict. sdcMicro's own call (``predict(LMres, predictors)``) fails in R >= 4; this is what it
  asks for.

The released columns hold exactly the original values (the same multiset), so means, variances and
the marginal distributions are kept, and records cannot be traced through their own values.
Covariances (``covmethod``) are, as sdcMicro's ``cov``: "spearman" the covariance of the ranks,
"pearson" of the values, "mcd" the reweighted minimum covariance determinant of the values.
sdcMicro's ``gadp = TRUE`` adds a separate EGADP perturbation of the original responses to its
result; it does not change the shuffled values, which are all that unlinkable returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
from scipy.special import ndtri
from scipy.stats import rankdata

from unlinkable.constraints import Names, OneOf, Rule, check
from unlinkable.data.io import read_table
from unlinkable.data.numeric import numeric_columns
from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.robust_covariance import minimum_covariance_determinant
from unlinkable.sdc.robust_regression import mm_regression

#: gadp: true or false (numpy's booleans too, as a column's values give them)
_TRUE_OR_FALSE = Rule("true or false", lambda v: bool(v) if isinstance(v, (bool, np.bool_)) else None)

__all__ = ["shuffle"]

METHODS = ("ds", "mvn", "mlm")
COVARIANCES = ("spearman", "pearson", "mcd")
REGRESSIONS = ("lm", "MM")


def shuffle(data: Any, *, responses: Sequence[str], predictors: Sequence[str], method: str = "ds",
            covmethod: str = "spearman", regmethod: str = "lm", gadp: bool = True, seed: int | None = None,
            rng: np.random.Generator | None = None) -> pl.DataFrame:
    """Shuffle the confidential ``responses`` given the non-confidential ``predictors`` (sdcMicro ``shuffle``).

    Parameters
    ----------
    data : path, polars or pandas DataFrame
    responses : two or more numeric columns to shuffle (sdcMicro's left-hand side of ``form``)
    predictors : one or more numeric columns (right-hand side)
    method : "ds" (data shuffling: the rank relation to the predictors is kept), "mvn" (the order
        comes from multivariate-normal draws, not from the records) or "mlm" (the order of the
        least-squares predictions from the predictors); see the module's description
    covmethod : "spearman" (ranks), "pearson", or "mcd": the robust covariance of the values from
        their minimum covariance determinant (robustbase's ``covMcd``, reweighted;
        :func:`~unlinkable.sdc.robust_covariance.minimum_covariance_determinant`), which outlying
        records cannot pull; its random trial subsets come from the same generator
    regmethod : "lm" (least squares) or "MM" (MASS's ``rlm(method = "MM")``,
        :func:`~unlinkable.sdc.robust_regression.mm_regression`): the regression of method "mvn"
    gadp : sdcMicro's flag for returning its EGADP perturbation of the original responses beside the
        shuffle; as in sdcMicro's method for an sdcMicroObj, it does not change the shuffled values,
        and that separate matrix (a perturbation, not a permutation, of the confidential values) is
        not returned
    seed : seed of ``numpy.random.default_rng``; or ``rng``, a generator to draw from

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"income": [10.0, 25, 31, 47, 52, 68], "savings": [1.0, 3, 2, 6, 5, 9],
    ...                    "age": [21.0, 30, 35, 44, 50, 61]})
    >>> out = shuffle(df, responses=["income", "savings"], predictors=["age"], seed=1)
    >>> sorted(out["income"].to_list()) == sorted(df["income"].to_list())
    True
    >>> shuffle(df, responses=["income", "savings"], predictors=["age"], method="mlm")["income"].to_list()
    [10.0, 25.0, 31.0, 47.0, 52.0, 68.0]
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
    for value, options, what in ((method, METHODS, "method"), (covmethod, COVARIANCES, "covmethod"),
                                 (regmethod, REGRESSIONS, "regmethod")):
        check(value, OneOf(tuple(options)), what, owner="shuffle")
    check(gadp, _TRUE_OR_FALSE, "gadp", owner="shuffle", hint="gadp: false")
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
    if np.ptp(m, axis=0).min() == 0:
        raise InputError(f"shuffle: column {(resp + pred)[int(np.argmin(np.ptp(m, axis=0)))]!r} is constant, so its "
                         "correlations are undefined", hint="leave constant columns out")
    generator = np.random.default_rng(seed) if rng is None else rng
    if method == "ds":
        keys = _data_shuffling(m, k, covmethod, generator)
    elif method == "mvn":
        draws = _normal_draws(m.mean(axis=0), _covariance(m, covmethod, generator), n, generator)
        keys = _egadp(draws[:, :k], draws[:, k:], covmethod, regmethod, generator)
    else:
        keys = _least_squares(m[:, k:], m[:, :k])[0]
    out = []
    for j, name in enumerate(resp):
        # the record with the k-th smallest key takes the k-th smallest value (whole values move,
        # so the column keeps its type and exactly its values); R's order(rank(...)) on ties
        order = np.argsort(rankdata(keys[:, j], method="average"), kind="stable")
        source = np.empty(n, dtype=np.int64)
        source[order] = np.argsort(m[:, j], kind="stable")
        out.append(frame[name].gather(source))
    return frame.with_columns(out)


def _data_shuffling(m: np.ndarray, k: int, covmethod: str, rng: Any) -> np.ndarray:
    """Method "ds": the responses' normal scores drawn given the predictors' (the module's steps 1-3)."""
    n = len(m)
    ranks = np.column_stack([rankdata(m[:, j], method="average") for j in range(m.shape[1])])
    scores = ndtri((ranks - 0.5) / n)
    if covmethod == "mcd":
        cov = _covariance(m, covmethod, rng)
        sd = np.sqrt(np.diag(cov))
        corr = cov / np.outer(sd, sd)
    else:
        corr = np.corrcoef(ranks if covmethod == "spearman" else m, rowvar=False)
    p = 2 * np.sin(np.pi * corr / 6)
    pxs, pss, pxx = p[:k, k:], p[k:, k:], p[:k, :k]
    try:
        beta = np.linalg.solve(pss, pxs.T).T  # P_xs P_ss^-1
    except np.linalg.LinAlgError:
        raise InputError("shuffle: the predictors are collinear", hint="leave out a predictor that the others "
                         "determine") from None
    return _normal_draws(scores[:, k:] @ beta.T, pxx - beta @ pxs.T, n, rng)


def _egadp(responses: np.ndarray, predictors: np.ndarray, covmethod: str, regmethod: str, rng: Any) -> np.ndarray:
    """sdcMicro's ``egadp``: fitted values of the responses plus a second draw's residuals, rescaled."""
    if regmethod == "lm":
        fitted, residuals = _least_squares(predictors, responses)
    else:
        fits = [mm_regression(predictors, responses[:, j], rng=rng) for j in range(responses.shape[1])]
        fitted = np.column_stack([f.fitted for f in fits])
        residuals = np.column_stack([f.residuals for f in fits])
    residual_cov = _covariance(residuals, covmethod, rng)
    second = _normal_draws(responses.mean(axis=0), _covariance(responses, covmethod, rng), len(responses), rng)
    _, second_residuals = _least_squares(np.column_stack([predictors, responses]), second)
    second_cov = _covariance(second_residuals, covmethod, rng)
    # sdcMicro multiplies by the inverses of both covariances (its eigen-root squared back), not by
    # GADP's square roots; kept as written, since only the ranks of the result are used
    try:
        keys: np.ndarray = fitted + second_residuals @ np.linalg.inv(second_cov) @ np.linalg.inv(residual_cov)
    except np.linalg.LinAlgError:
        raise InputError("shuffle: the regression residuals are collinear", hint="leave out a response that the "
                         "others determine") from None
    return keys


def _covariance(x: np.ndarray, covmethod: str, rng: Any) -> np.ndarray:
    """sdcMicro's ``cv``: covariance of the ranks (spearman), of the values (pearson), or covMcd's."""
    if covmethod == "mcd":
        try:
            return minimum_covariance_determinant(x, rng=rng).covariance
        except InputError as exc:
            raise InputError(f"shuffle: covmethod 'mcd' needs the robust covariance of the records: {exc.message}",
                             hint=exc.hint or "use covmethod 'spearman'") from None
    if covmethod == "spearman":
        x = np.column_stack([rankdata(x[:, j], method="average") for j in range(x.shape[1])])
    return np.cov(x, rowvar=False).reshape(x.shape[1], x.shape[1])


def _least_squares(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(fitted, residuals) of the least-squares regression of each column of y on x with an intercept."""
    design = np.column_stack([np.ones(len(x)), x])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise InputError("shuffle: the predictors are collinear", hint="leave out a predictor that the others determine")
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    fitted = design @ coef
    return fitted, y - fitted


def _normal_draws(mean: np.ndarray, cov: np.ndarray, n: int, rng: Any) -> np.ndarray:
    """n draws of N(mean, cov) as MASS's mvrnorm: Z (V sqrt(L))' with V, L the eigenvectors and
    eigenvalues by decreasing eigenvalue; its symmetric root tolerates a singular covariance."""
    w, v = np.linalg.eigh((cov + cov.T) / 2)
    w, v = w[::-1], v[:, ::-1]
    if not np.isfinite(w).all() or (w < -1e-6 * abs(w[0])).any():
        raise InputError("shuffle: a covariance to draw from is not positive semi-definite",
                         hint="use covmethod 'spearman' or 'pearson'")
    root = v * np.sqrt(np.clip(w, 0.0, None))
    draws: np.ndarray = mean + rng.standard_normal((n, len(w))) @ root.T
    return draws


def _names(value: Sequence[str] | str, what: str) -> list[str]:
    if isinstance(value, (list, tuple)) and not value:
        return []  # too few columns: said in the words of the side that lacks them
    names: list[str] = check(value, Names(), what, owner="shuffle", hint="e.g. ['income', 'savings']")
    return names
