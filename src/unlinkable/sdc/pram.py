"""PRAM: post-randomisation of a categorical attribute through a Markov transition matrix.

Each record's category ``i`` is replaced by category ``j`` with probability ``M[i, j]``. The matrix is
either given by the user or built from a retention probability; an *invariant* matrix ``R`` satisfies
``p' R = p'`` for the category distribution ``p``, so the expected marginal distribution after PRAM
equals the original one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import Interval, check
from unlinkable.data.io import read_table
from unlinkable.errors import ConfigError, InputError

__all__ = ["PramResult", "pram", "invariant_matrix", "retain_matrix"]

#: Tolerance for a transition row summing to 1 (user matrices are typed in decimals).
ROW_SUM_TOLERANCE = 1e-9


@dataclass(frozen=True)
class PramResult:
    """What :func:`pram` returns.

    Attributes
    ----------
    table : polars.DataFrame
        The table with the attribute post-randomised (same dtype; nulls untouched).
    transition : numpy.ndarray
        The matrix used, rows = original category, columns = new category, in ``categories`` order:
        shape ``(k, k)``, or ``(S, k, k)`` when one matrix was built per stratum (in ``strata`` order).
    categories : tuple
        The category order of the matrix.
    changed : int
        Number of records whose value changed.
    strata : tuple of tuple
        The stratum keys (values of the strata columns) when matrices were built per stratum, else ().
    """

    table: pl.DataFrame
    transition: np.ndarray
    categories: tuple[Any, ...]
    changed: int
    strata: tuple[tuple[Any, ...], ...] = field(default=())


def retain_matrix(frequencies: np.ndarray, retain: float) -> np.ndarray:
    """The basic PRAM matrix: keep with ``retain``, else move proportionally to the frequencies.

    ``M[i, i] = retain`` and ``M[i, j] = (1 - retain) f_j / (N - f_i)`` for ``j != i``. A category with
    nowhere to go (every other frequency 0) keeps its value with probability 1. Works on a batch of
    frequency vectors of shape ``(..., k)``.

    Examples
    --------
    >>> retain_matrix(np.array([1.0, 3.0]), 0.5).tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    f = np.asarray(frequencies, dtype=float)
    k = f.shape[-1]
    others = f.sum(axis=-1, keepdims=True) - f  # N - f_i, one per row i
    with np.errstate(divide="ignore", invalid="ignore"):
        move = (1.0 - retain) * f[..., None, :] / others[..., :, None]
    eye = np.eye(k, dtype=bool)
    stuck = np.broadcast_to(others[..., :, None] <= 0, move.shape)
    m = np.where(eye, retain, move)
    m = np.where(stuck, eye.astype(float), m)
    return m


def invariant_matrix(matrix: np.ndarray, frequencies: np.ndarray) -> np.ndarray:
    """The invariant matrix ``R = P Q`` of Gouweleeuw et al., with ``Q`` the Bayes reverse of ``P``.

    ``Q[k, j] = P[j, k] p_j / q_k`` with ``q = p' P``; then ``p' R = q' Q = p'``. Categories that no
    record can reach (``q_k = 0``) get an identity row in ``Q``. Works on batches ``(..., k, k)``.

    Examples
    --------
    >>> f = np.array([10.0, 30.0, 60.0])
    >>> r = invariant_matrix(retain_matrix(f, 0.8), f)
    >>> bool(np.allclose(f @ r, f))
    True
    """
    p_mat = np.asarray(matrix, dtype=float)
    f = np.asarray(frequencies, dtype=float)
    k = p_mat.shape[-1]
    q = np.einsum("...i,...ij->...j", f, p_mat)
    with np.errstate(divide="ignore", invalid="ignore"):
        rev = np.swapaxes(p_mat, -1, -2) * f[..., None, :] / q[..., :, None]
    unreachable = np.broadcast_to(q[..., :, None] <= 0, rev.shape)
    rev = np.where(unreachable, np.eye(k), rev)
    return p_mat @ rev


def pram(
    data: Any,
    *,
    attribute: str,
    retain: float | None = None,
    transition: Mapping[Any, Mapping[Any, float]] | np.ndarray | Sequence[Sequence[float]] | None = None,
    categories: Sequence[Any] | None = None,
    invariant: bool = False,
    alpha: float = 1.0,
    strata: str | Sequence[str] | None = None,
    seed: int | None = None,
) -> PramResult:
    """Post-randomise one categorical attribute (PRAM).

    Parameters
    ----------
    data : polars.DataFrame or pandas.DataFrame
        The table; pandas input is converted with ``pl.from_pandas``.
    attribute : str
        The categorical column to perturb. Its distinct non-null values are the categories, sorted.
    retain : float in [0, 1], optional
        Build the matrix: keep a value with this probability, otherwise move it to another category
        with probability proportional to that category's frequency (see :func:`retain_matrix`).
    transition : dict of dict, or square array, optional
        A user matrix instead: ``{from: {to: probability}}``, or a ``k x k`` array whose row and
        column order is ``categories`` (default: the sorted distinct values). Rows must sum to 1.
    categories : sequence, optional
        The category order of an array ``transition``.
    invariant : bool, default False
        Turn the matrix into an invariant one (:func:`invariant_matrix`), so the marginal
        distribution is kept in expectation.
    alpha : float in [0, 1], default 1.0
        Mix with the identity, ``alpha * M + (1 - alpha) * I``, as sdcMicro's ``alpha`` (which is
        0.5 there); mixing keeps invariance.
    strata : str or list of str, optional
        Build the matrix from each stratum's own frequencies, so values move only to categories seen
        in the same stratum. A user ``transition`` is the same for every stratum.
    seed : int, optional
        Seed for ``numpy.random.default_rng``; the same seed gives the same output.

    Returns
    -------
    PramResult

    Raises
    ------
    ConfigError
        Neither or both of ``retain``/``transition``, a parameter out of range, a matrix row that is
        negative or does not sum to 1, a non-square matrix.
    InputError
        Missing column, or data categories that the matrix does not cover.

    Notes
    -----
    Gouweleeuw, Kooiman, Willenborg and de Wolf, *Post randomisation for statistical disclosure
    control: theory and implementation*, J. Official Statistics 14(4), 1998 (invariant PRAM).
    sdcMicro ``pram(pd, alpha)`` draws its diagonal at random in ``[pd, 1]`` and spreads the rest
    evenly; here ``retain`` is fixed and the rest follows the frequencies. Sampling is inverse-CDF on
    one uniform draw per record, vectorised over all records.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"roof": [1, 1, 2, 2, 3, 3]})
    >>> res = pram(df, attribute="roof", retain=1.0, seed=1)
    >>> res.changed, res.table["roof"].to_list()
    (0, [1, 1, 2, 2, 3, 3])
    """
    frame = read_table(data)
    if attribute not in frame.columns:
        raise InputError(f"pram: no column {attribute!r}", hint=f"the columns are {frame.columns}")
    if (retain is None) == (transition is None):
        raise ConfigError("pram: give exactly one of retain= and transition=", hint="e.g. retain=0.8, invariant=True")
    for name, value in (("retain", retain), ("alpha", alpha)):
        if value is not None:
            check(value, Interval(float, 0, 1), name, owner="pram", hint=f"e.g. {name}=0.8")
    strata_cols = [strata] if isinstance(strata, str) else list(strata or [])
    for col in strata_cols:
        if col not in frame.columns:
            raise InputError(f"pram: no strata column {col!r}", hint=f"the columns are {frame.columns}")

    column = frame[attribute]
    original_dtype = column.dtype
    if isinstance(original_dtype, (pl.Categorical, pl.Enum)):
        column = column.cast(pl.String)
    present = column.is_not_null().to_numpy()
    data_cats = column.drop_nulls().unique().sort()

    if transition is not None:
        cats, matrix = _user_matrix(transition, categories, data_cats)
        missing = [v for v in data_cats.to_list() if v not in set(cats)]
        if missing:
            raise InputError(
                f"pram {attribute!r}: categories {missing[:5]!r} occur in the data but not in the transition matrix",
                hint=f"the matrix covers {list(cats)[:10]!r}; add a row and column for every category",
            )
    else:
        cats = tuple(data_cats.to_list())
        matrix = None
    k = len(cats)
    if k == 0:  # an all-null column: nothing to randomise
        return PramResult(frame, np.zeros((0, 0)), (), 0)
    cat_series = pl.Series(attribute, list(cats), dtype=column.dtype, strict=False)
    codes = column.replace_strict(cat_series, pl.Series(np.arange(k)), default=None, return_dtype=pl.Int64)
    code = codes.fill_null(0).to_numpy()

    stratum_keys: tuple[tuple[Any, ...], ...] = ()
    if strata_cols and matrix is None:
        stratum, stratum_keys = _strata(frame, strata_cols)
        n_strata = len(stratum_keys)
    else:
        stratum, n_strata = np.zeros(frame.height, dtype=np.int64), 1
    if matrix is None:
        freq = np.bincount(stratum[present] * k + code[present], minlength=n_strata * k).reshape(n_strata, k).astype(float)
        assert retain is not None  # one of retain and transition is given (checked above); no transition here
        matrix = retain_matrix(freq, float(retain))
        if invariant:
            matrix = invariant_matrix(matrix, freq)
    else:
        matrix = matrix[None]
        if invariant:
            freq = np.bincount(code[present], minlength=k).astype(float)[None]
            matrix = invariant_matrix(matrix, freq)
    matrix = alpha * matrix + (1.0 - alpha) * np.eye(k)

    rng = np.random.default_rng(seed)
    u = rng.random(frame.height)
    new_code = _sample(matrix, stratum * k + code, u)
    new_code = np.where(present, new_code, 0)
    changed = int(np.count_nonzero(present & (new_code != code)))
    idx = pl.Series(new_code, dtype=pl.Int64).set(pl.Series(~present), None)
    out = cat_series.gather(idx).cast(original_dtype).alias(attribute)
    used = matrix if stratum_keys else matrix[0]
    return PramResult(frame.with_columns(out), used, tuple(cats), changed, stratum_keys)


def _sample(matrix: np.ndarray, matrix_row: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw for every record at once: row ``matrix_row`` of the stacked matrices."""
    k = matrix.shape[-1]
    cum = np.cumsum(matrix.reshape(-1, k), axis=1)
    cum /= cum[:, -1:]  # the last entry becomes exactly 1, so no draw falls off the end
    # Offsetting row g by g makes the stacked CDFs one increasing sequence for a single searchsorted.
    flat = (cum + np.arange(cum.shape[0])[:, None]).ravel()
    pos = np.searchsorted(flat, matrix_row + u, side="right")
    return np.asarray(np.clip(pos - matrix_row * k, 0, k - 1))


def _strata(frame: pl.DataFrame, cols: list[str]) -> tuple[np.ndarray, tuple[tuple[Any, ...], ...]]:
    """Stratum number per record (first-appearance order) and the stratum keys."""
    keys = frame.select(cols).unique(maintain_order=True).with_row_index("__stratum")
    ids = frame.select(cols).join(keys, on=cols, how="left", nulls_equal=True, maintain_order="left")
    return ids["__stratum"].to_numpy().astype(np.int64), tuple(keys.drop("__stratum").rows())


def _user_matrix(transition: Any, categories: Sequence[Any] | None, data_cats: pl.Series) -> tuple[tuple[Any, ...], np.ndarray]:
    """Validate a user transition matrix; return its categories and a float array."""
    if isinstance(transition, Mapping):
        cats = list(transition.keys())
        index = {c: i for i, c in enumerate(cats)}
        m = np.zeros((len(cats), len(cats)))
        for i, (src, row) in enumerate(transition.items()):
            if not isinstance(row, Mapping):
                raise ConfigError(f"pram: transition row {src!r} is not a mapping", hint="use {from: {to: probability}}")
            for dst, prob in row.items():
                if dst not in index:
                    raise ConfigError(
                        f"pram: transition row {src!r} moves to {dst!r}, which has no row of its own",
                        hint="the matrix must be square: give every target category a row",
                    )
                m[i, index[dst]] = _probability(prob, src, dst)
    else:
        try:
            m = np.asarray(transition, dtype=float)
        except (TypeError, ValueError):
            raise ConfigError("pram: transition must be a dict of dicts or a numeric square array", hint="e.g. {1: {1: 0.9, 2: 0.1}, 2: {2: 1.0}}") from None
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise ConfigError(f"pram: transition must be square, got shape {m.shape}", hint="one row and one column per category")
        cats = [c.item() if isinstance(c, np.generic) else c for c in categories] if categories is not None else data_cats.to_list()
        if len(cats) != m.shape[0]:
            raise ConfigError(
                f"pram: a {m.shape[0]}x{m.shape[0]} transition matrix for {len(cats)} categories {cats[:10]!r}",
                hint="pass categories= in the matrix's row order",
            )
        if len(set(cats)) != len(cats):
            raise ConfigError(f"pram: categories {cats!r} repeat a value", hint="list each category once")
        for i, j in zip(*np.nonzero(~np.isfinite(m) | (m < 0))):
            _probability(m[i, j], cats[i], cats[j])
    sums = m.sum(axis=1)
    for row in np.flatnonzero(np.abs(sums - 1.0) > ROW_SUM_TOLERANCE):
        i = int(row)
        raise ConfigError(
            f"pram: transition row {cats[i]!r} sums to {float(sums[i]):.12g}, not 1",
            hint="each row is a probability distribution over the new categories",
        )
    return tuple(cats), m


def _probability(value: Any, src: Any, dst: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ConfigError(f"pram: transition[{src!r}][{dst!r}] = {value!r} is not a number", hint="probabilities are numbers in [0, 1]")
    v = float(value)
    if not np.isfinite(v) or v < 0:
        raise ConfigError(f"pram: transition[{src!r}][{dst!r}] = {v!r} is negative or not finite", hint="probabilities are numbers in [0, 1]")
    return v
