"""Local suppression to k-anonymity: set single key values to missing until every fk >= k.

A missing value (null) is a wildcard when frequencies are counted (sdcMicro's ``freqCalc`` rules, see
:func:`unlinkable.risk.frequencies.frequencies`), so suppressing a cell merges a rare key with its
neighbours. Three methods:

* ``"sdcmicro"``: sdcMicro 5.8.1's heuristic (``localSuppression``), rebuilt from the description in
  ``shared/reference/sdcmicro/README.md`` section 4.5 (not from its GPL code): data reduction to at
  most k records per key, then passes over the records with fk < k in decreasing risk, each
  suppressing the first variable (in suppression order) in which the record differs from one of its
  nearest neighbours in Hamming distance.
* ``"heuristic"`` (default): the same, followed by a restoration pass that puts back every suppressed
  cell whose value can return while all fk stay >= k. It can only lower the count, so it never
  suppresses more than sdcMicro.
* ``"exact"``: the minimum number of suppressed cells, by integer programming (``scipy.optimize.milp``),
  for small tables (``alpha = 1``).

Two sdcMicro options narrow or split the goal: ``strata`` asks for k-anonymity within each stratum
(each stratum is suppressed on its own, as ``localSuppression(..., strataVars=)`` does), and
``combs`` asks for k-anonymity on every subset of ``c`` key variables, for each ``c`` in ``combs``
(with its own k), subsets taken in turn on the progressively suppressed data as ``combs=`` does.
sdcMicro stops after one pass over the subsets, which can leave an earlier subset below k; here the
passes repeat until every subset holds (an extra pass happens only then, so sdcMicro's result is
kept whenever it is already k-anonymous).

Speed: the main loop runs on the reduced data (at most k records per distinct key), and every
violator's neighbour search is one vectorised Hamming-distance sweep over the *distinct* key patterns
of that reduced data, not a record x record matrix. The loop over violators is sequential because
each suppression changes the neighbours of the ones after it (sdcMicro updates its distance matrix at
once), so it cannot be vectorised; each iteration is O(P·m) numpy work for P distinct patterns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import Interval, Names, OneOf, check
from unlinkable.data.io import read_table
from unlinkable.errors import ConfigError, InputError
from unlinkable.risk.frequencies import frequencies

__all__ = ["LocalSuppressionResult", "local_suppression", "suppress_kernel", "default_importance"]

_METHODS = ("heuristic", "sdcmicro", "exact")
#: largest table (rows) that method="exact" accepts: the program has one variable per pair of rows,
#: and its LP relaxation is weak (testdata's first 30 rows: 6 s, 60 rows: 70 s with HiGHS).
EXACT_MAX_ROWS = 40
#: seconds HiGHS may spend before method="exact" gives up
EXACT_TIME_LIMIT = 120.0


@dataclass(frozen=True)
class LocalSuppressionResult:
    """What :func:`local_suppression` returns.

    Attributes
    ----------
    table : polars.DataFrame
        Copy of the input with the suppressed cells set to null.
    suppressed : dict[str, int]
        New suppressions per attribute (cells that were already null are not counted).
    total_suppressed : int
        Sum of ``suppressed``.
    k : int or tuple of int
        One k, or one per entry of ``combs``.
    method : str
    importance : tuple[int, ...]
        Importance used per attribute (1 = suppressed last).
    suppressed_rows : dict[str, numpy.ndarray]
        0-based rows whose value was newly suppressed, per attribute.
    strata : tuple of str
        The stratum columns (k-anonymity holds within each stratum).
    combs : tuple of int
        The subset sizes (k-anonymity holds on every subset of that many attributes); empty means
        the whole set of attributes.
    """

    table: pl.DataFrame
    suppressed: dict[str, int]
    total_suppressed: int
    k: int | tuple[int, ...]
    method: str
    importance: tuple[int, ...] = ()
    suppressed_rows: dict[str, np.ndarray] = field(default_factory=dict)
    strata: tuple[str, ...] = ()
    combs: tuple[int, ...] = ()


# ---------------------------------------------------------------------------------------------
# kernels on integer codes (-1 = NA)
# ---------------------------------------------------------------------------------------------


def default_importance(keys: np.ndarray) -> np.ndarray:
    """sdcMicro's default importance: rank by number of distinct values, ties by column order.

    Importance 1 is the variable with the fewest distinct values (suppressed last).

    Examples
    --------
    >>> import numpy as np
    >>> default_importance(np.array([[0, 0, 0], [1, 1, 0], [0, 2, 1]])).tolist()
    [1, 3, 2]
    """
    m = keys.shape[1]
    card = np.array([np.unique(keys[keys[:, j] >= 0, j]).size for j in range(m)])
    order = np.lexsort((np.arange(m), card))  # fewest values first, then earlier column
    imp = np.empty(m, dtype=np.int64)
    imp[order] = np.arange(1, m + 1)
    return imp


def _fk(keys: np.ndarray, alpha: float) -> np.ndarray:
    return frequencies(keys, alpha=alpha)[0]


def _reduce(keys: np.ndarray, k: int) -> np.ndarray:
    """Rows kept by sdcMicro's data reduction: the first k rows of every class of the key variables.

    NAs count as the first value of their column for this grouping only.
    """
    filled = keys.copy()
    for j in range(keys.shape[1]):
        col = filled[:, j]
        col[col < 0] = keys[0, j]
    _, gid = np.unique(filled, axis=0, return_inverse=True)
    gid = gid.reshape(-1)
    order = np.argsort(gid, kind="stable")
    sorted_g = gid[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_g)) + 1]
    rank_in_class = np.arange(gid.size) - np.repeat(starts, np.diff(np.r_[starts, gid.size]))
    keep = np.zeros(gid.size, dtype=bool)
    keep[order[rank_in_class < k]] = True
    return np.flatnonzero(keep)


def _hamming(wt: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Hamming distance from pattern x to every column of wt (m x n), NA equal to anything."""
    d = np.zeros(wt.shape[1], dtype=np.int16)
    for j in range(wt.shape[0]):
        if x[j] >= 0:
            col = wt[j]
            d += (col != x[j]) & (col >= 0)
    return d


def _sdcmicro_passes(w: np.ndarray, k: int, alpha: float, supp_order: np.ndarray) -> None:
    """sdcMicro's main loop, in place on the reduced keys ``w`` (n_red x m, -1 = NA)."""
    n, m = w.shape
    wt = np.ascontiguousarray(w.T)  # one contiguous row per attribute: the sweeps go column by column
    max_passes = n * m + 1  # every pass suppresses at least one cell, or we stop below
    for _ in range(max_passes):
        fk = _fk(w, alpha)
        viol = np.flatnonzero(fk < k)
        if viol.size == 0:
            return
        # decreasing unweighted risk 1/fk == increasing fk; stable, so ties keep row order
        viol = viol[np.argsort(fk[viol], kind="stable")]
        changed = False
        for i in viol:  # sequential by nature: each suppression moves the next record's neighbours
            xi = wt[:, i].copy()
            d = _hamming(wt, xi)
            pos = d > 0
            if not pos.any():
                continue
            nb = np.flatnonzero(d == d[pos].min())
            for v in supp_order:
                if xi[v] >= 0:
                    vals = wt[v, nb]
                    if ((vals != xi[v]) & (vals >= 0)).any():
                        wt[v, i] = -1
                        w[i, v] = -1
                        changed = True
                        break
        if not changed:
            # no violator has a neighbour at positive distance: suppress each one's first
            # non-missing value in suppression order so the loop always makes progress
            for i in viol:
                for v in supp_order:
                    if w[i, v] >= 0:
                        w[i, v] = -1
                        wt[v, i] = -1
                        break
    raise AssertionError("local suppression did not converge")  # pragma: no cover


def _gain(t_na: Any, t_all: Any, s_na: Any, s_all: Any, compat: Any, ident: Any, alpha: float, m: int) -> Any:
    """What a source record adds to a target record's fk (sdcMicro's freqCalc rules, section 4.1).

    Arguments are arrays (or scalars) of flags: target/source has an NA, is all NA; the two are
    compatible; the two are the identical pattern.
    """
    if m == 1:
        # one key: complete values get alpha per NA record, NA records get n
        by_kind = np.where(t_all, 1.0, np.where(s_na, alpha, 1.0))
    else:
        complete_t = np.where(s_all, 0.0, alpha)  # other compatible patterns of a complete target have NAs
        partial_t = np.where(s_na, alpha, 1.0)
        by_kind = np.where(t_all, 1.0, np.where(t_na, partial_t, complete_t))
    return np.where(compat, np.where(ident, 1.0, by_kind), 0.0)


def _restore_pass(w: np.ndarray, orig: np.ndarray, k: int, alpha: float, restore_order: np.ndarray
                  ) -> None:
    """Put back suppressed cells whose return keeps every fk >= k, most important variable first.

    Works on the reduced data; adding back the set-aside records only raises frequencies, so a
    reduced table with every fk >= k stays k-anonymous when they return. fk is updated by the change
    in one record's contribution, which only touches the records compatible with its old pattern,
    instead of being recounted.
    """
    n, m = w.shape
    fk = _fk(w, alpha)
    wt = np.ascontiguousarray(w.T)
    na_count = (w < 0).sum(axis=1)
    for v in restore_order:
        for i in np.flatnonzero((w[:, v] < 0) & (orig[:, v] >= 0)):
            old = wt[:, i].copy()
            val = orig[i, v]
            compat = _hamming(wt, old) == 0  # old pattern's compatible set; the new one is inside it
            rows = np.flatnonzero(compat)
            sub = wt[:, rows]
            col_v = sub[v]
            c_new = (col_v == val) | (col_v < 0)
            eq_rest = np.ones(rows.size, dtype=bool)
            for j in range(m):
                if j != v:
                    eq_rest &= sub[j] == old[j]
            id_old = eq_rest & (col_v < 0)
            id_new = eq_rest & (col_v == val)
            j_na = na_count[rows] > 0
            j_all = na_count[rows] == m
            o_all = bool(na_count[i] == m)
            n_na = bool(na_count[i] - 1 > 0)
            delta = (_gain(j_na, j_all, n_na, False, c_new, id_new, alpha, m)
                     - _gain(j_na, j_all, True, o_all, np.ones(rows.size, dtype=bool), id_old, alpha, m))
            me = rows == i
            delta[me] = 0.0
            fk_rows = fk[rows] + delta
            # record i's own fk under its new pattern (it counts itself once)
            j_na[me], j_all[me] = n_na, False
            own = _gain(n_na, False, j_na, j_all, c_new, id_new, alpha, m)
            own[me] = 1.0
            fk_rows[me] = own.sum()
            if (fk_rows >= k).all():
                w[i, v] = val
                wt[v, i] = val
                na_count[i] -= 1
                fk[rows] = fk_rows


def suppress_kernel(keys: np.ndarray, *, k: int, importance: np.ndarray, alpha: float = 1.0,
                    improve: bool = True) -> np.ndarray:
    """Integer-code kernel of the heuristic: returns the suppressed keys (-1 = NA).

    Parameters
    ----------
    keys : numpy.ndarray
        (n, m) int codes, -1 for NA.
    k : int
    importance : numpy.ndarray
        Importance per column, 1 = suppressed last.
    alpha : float
        Weight of NA patterns in fk (sdcMicro's ``alpha``).
    improve : bool
        Run the restoration pass after sdcMicro's loop.

    Examples
    --------
    >>> import numpy as np
    >>> keys = np.array([[0, 0], [0, 0], [0, 1]])
    >>> suppress_kernel(keys, k=3, importance=np.array([1, 2])).tolist()
    [[0, 0], [0, 0], [0, -1]]
    """
    keys = np.ascontiguousarray(keys, dtype=np.int64)
    supp_order = np.argsort(-np.asarray(importance), kind="stable")
    kept = _reduce(keys, k)
    w = keys[kept].copy()
    _sdcmicro_passes(w, k, alpha, supp_order)
    if improve:
        _restore_pass(w, keys[kept], k, alpha, supp_order[::-1])
    out = keys.copy()
    out[kept] = w
    return out


# ---------------------------------------------------------------------------------------------
# exact minimum by integer programming
# ---------------------------------------------------------------------------------------------


def _exact_kernel(keys: np.ndarray, k: int) -> np.ndarray:
    """Minimum number of new suppressions so that every fk >= k (alpha = 1), by a 0/1 program.

    Variables: s[i,a] = 1 suppresses cell (i, a); c[i,j] in [0, 1] may be 1 only if rows i and j are
    compatible afterwards (c <= s[i,a] + s[j,a] for every attribute where they differ). With alpha = 1
    fk is the number of compatible records, so sum_j c[i,j] >= k - 1 for every i. Records are not
    fully suppressed (a record of all NAs counts differently, sdcMicro's exception); an all-NA input
    row counts for i only if i ends with an NA (y[i] <= sum_a s[i,a]).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    n, m = keys.shape
    na = keys < 0
    cell_ids = -np.ones((n, m), dtype=np.int64)
    free = ~na
    cell_ids[free] = np.arange(int(free.sum()))
    n_s = int(free.sum())
    all_na_set = set(np.flatnonzero(na.all(axis=1)).tolist())
    iu, ju = np.triu_indices(n, 1)
    n_c = iu.size
    y_base = n_s + n_c
    n_var = y_base + n
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    r = 0

    def add(entries: list[tuple[Any, float]], lower: float, upper: float) -> None:
        nonlocal r
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        lo.append(lower)
        hi.append(upper)
        r += 1

    for p in range(n_c):
        i, j = iu[p], ju[p]
        for a in range(m):
            if free[i, a] and free[j, a] and keys[i, a] != keys[j, a]:
                # c - s_ia - s_ja <= 0
                add([(n_s + p, 1.0), (cell_ids[i, a], -1.0), (cell_ids[j, a], -1.0)], -np.inf, 0.0)
        if m > 1:
            for a_row, other in ((j, i), (i, j)):
                if a_row in all_na_set:
                    # an all-NA row counts for `other` only if `other` has an NA: c <= y_other
                    add([(n_s + p, 1.0), (y_base + other, -1.0)], -np.inf, 0.0)
    for i in range(n):
        # y_i <= sum_a s_ia (+ number of NAs already there)
        ent = [(y_base + i, 1.0)] + [(cell_ids[i, a], -1.0) for a in range(m) if free[i, a]]
        add(ent, -np.inf, float(na[i].sum()))
        if m > 1 and free[i].any() and not na[i].all():
            # never suppress a whole record
            add([(cell_ids[i, a], 1.0) for a in range(m) if free[i, a]], -np.inf,
                float(m - 1 - na[i].sum()))
        # sum_j c_ij >= k - 1
        ent = [(n_s + p, 1.0) for p in np.flatnonzero((iu == i) | (ju == i))]
        add(ent, float(k - 1), np.inf)
    a_mat = coo_matrix((np.asarray(vals, dtype=np.float64), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
                       shape=(r, n_var)).tocsr()
    cost = np.zeros(n_var)
    cost[:n_s] = 1.0
    integrality = np.zeros(n_var)
    integrality[:n_s] = 1
    integrality[y_base:] = 1
    res = milp(cost, constraints=LinearConstraint(a_mat, lo, hi), integrality=integrality,
               bounds=Bounds(0, 1), options={"time_limit": EXACT_TIME_LIMIT})
    if res.status == 1:
        raise ConfigError(f"the exact program was not solved within {EXACT_TIME_LIMIT:g} s",
                          hint="use method='heuristic' for this table")
    if res.status != 0 or res.x is None:
        raise ConfigError(f"the exact program found no solution ({res.message})",
                          hint="lower k, or use method='heuristic'")
    out = keys.copy()
    s = np.round(res.x[:n_s]).astype(bool)
    ii, aa = np.nonzero(free)
    out[ii[s], aa[s]] = -1
    return out


# ---------------------------------------------------------------------------------------------
# DataFrame level
# ---------------------------------------------------------------------------------------------


def _encode(df: pl.DataFrame, attributes: Sequence[str]) -> np.ndarray:
    cols = []
    for a in attributes:
        s = df.get_column(a)
        if s.dtype == pl.Null:
            cols.append(np.full(df.height, -1, dtype=np.int64))
            continue
        codes = s.rank(method="dense").cast(pl.Int64) - 1
        cols.append(codes.fill_null(-1).to_numpy().astype(np.int64))
    return np.column_stack(cols)


def _stratum_ids(data: pl.DataFrame, strata: Sequence[str]) -> np.ndarray:
    """One id per row for the combination of its stratum values (a null is a value of its own)."""
    if not strata:
        return np.zeros(data.height, dtype=np.int64)
    return (data.select([pl.col(c).cast(pl.String).fill_null("\x00NA") for c in strata])
            .select(pl.struct(list(strata)).rank("dense")).to_series().to_numpy().astype(np.int64) - 1)


def _subsets(m: int, combs: Sequence[int], ks: Sequence[int]) -> list[tuple[tuple[int, ...], int]]:
    """(attribute indices, k) in sdcMicro's order: each c of ``combs``, subsets as ``combn`` lists them."""
    if not combs:
        return [(tuple(range(m)), int(ks[0]))]
    return [(cols, int(ks[g])) for g, c in enumerate(combs) for cols in combinations(range(m), c)]


_POSITIVE_WHOLE = Interval(int, 1, None)


def _check_k(k: Any, combs: Sequence[int] | None, n: int) -> tuple[int, ...]:
    values = list(k) if isinstance(k, (list, tuple, np.ndarray)) else [k]
    for v in values:
        v = check(v, _POSITIVE_WHOLE, "k", owner="local suppression", hint="k = 2, 3 or 5 are usual")
        if v > n:
            raise ConfigError(f"k={v} is larger than the table ({n} rows)", hint="no suppression can reach it; lower k")
    if not combs:
        if len(values) != 1:
            raise ConfigError(f"one k is needed without combs; got {values}", hint="give k per subset size with combs=[...]")
        return (int(values[0]),)
    if len(values) != len(combs):
        # sdcMicro's rep(k, length(combs)): the k vector is repeated whole
        values = (values * len(combs))[: max(len(combs), len(values))]
    return tuple(int(v) for v in values)


def local_suppression(data: Any, *, k: int | Sequence[int], attributes: Sequence[str],
                      importance: Sequence[int] | None = None, alpha: float = 1.0, method: str = "heuristic",
                      strata: Sequence[str] | None = None, combs: Sequence[int] | None = None
                      ) -> LocalSuppressionResult:
    """Suppress key values (set them to null) until every record's fk is at least ``k``.

    Parameters
    ----------
    data : polars.DataFrame or pandas.DataFrame
        The table; it is not modified.
    k : int, or sequence of int with ``combs``
        Required frequency, ``1 <= k <= number of rows``; with ``combs``, one k per subset size (a
        shorter list is repeated, as sdcMicro's ``rep(k, length(combs))``).
    attributes : sequence of str
        Key variables (quasi-identifiers). Any dtype; only equality matters; nulls are wildcards.
    importance : sequence of int, optional
        One number per attribute, a permutation of 1..m; 1 is suppressed last. Default: sdcMicro's
        rule, fewest distinct values = 1, ties by column order (counted on the whole table).
    alpha : float, default 1.0
        How much NA patterns count in fk (sdcMicro's ``alpha``), in [0, 1].
    method : {"heuristic", "sdcmicro", "exact"}
        ``"sdcmicro"`` reproduces sdcMicro's heuristic; ``"heuristic"`` adds a restoration pass and
        never suppresses more; ``"exact"`` finds the minimum (alpha = 1, at most
        ``EXACT_MAX_ROWS`` rows; no record is suppressed entirely; not with ``combs``).
    strata : sequence of str, optional
        Stratum columns (sdcMicro's ``strataVars``): k-anonymity is reached within each stratum, each
        suppressed on its own. Every stratum needs at least k records. They are read, never changed.
    combs : sequence of int, optional
        Subset sizes (sdcMicro's ``combs``): for each c, every subset of c attributes in turn (in
        ``itertools.combinations`` order, which is R's ``combn`` order) is made k-anonymous on the
        data as suppressed so far, with the importance ranked within the subset.

    Returns
    -------
    LocalSuppressionResult

    Raises
    ------
    InputError
        An attribute or stratum column is not in the table.
    ConfigError
        Bad ``k``, ``alpha``, ``importance``, ``method``, ``strata`` or ``combs``, a stratum smaller
        than k, or a table too large for ``"exact"``.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"sex": ["f", "f", "f", "m"], "zip": ["1", "1", "2", "1"]})
    >>> res = local_suppression(df, k=2, attributes=["sex", "zip"])
    >>> res.suppressed, res.total_suppressed
    ({'sex': 1, 'zip': 1}, 2)
    >>> res.table.rows()
    [('f', '1'), ('f', '1'), ('f', None), (None, '1')]
    >>> local_suppression(df, k=[2], attributes=["sex", "zip"], combs=[1]).total_suppressed
    2

    Notes
    -----
    Templ, M., Kowarik, A. and Meindl, B. (2015), "Statistical disclosure control for micro-data using
    the R package sdcMicro", JSS 67(4) (``localSuppression``, its ``strataVars`` and ``combs``);
    Hundepool, A. et al. (2012), *Statistical Disclosure Control*, Wiley, section 3.4.3 (local
    suppression); Sweeney, L. (2002), "k-anonymity".
    """
    data = read_table(data)  # pandas in: mixed-type columns are reported by read_table
    attributes = check(attributes, Names(), "attributes", owner="local suppression",
                       hint="name the key variables (quasi-identifiers), each once")
    strata = [strata] if isinstance(strata, str) else list(strata or [])
    for a in [*attributes, *strata]:
        if a not in data.columns:
            raise InputError(f"column {a!r} is not in the table", hint=f"choose attributes from {data.columns}")
    if set(strata) & set(attributes):
        raise ConfigError(f"column {sorted(set(strata) & set(attributes))[0]!r} is both a key variable and a stratum",
                          hint="a stratum column is read, never suppressed; give it one role")
    check(method, OneOf(tuple(_METHODS)), "method", owner="local suppression")
    n, m = data.height, len(attributes)
    combs = list(combs or [])
    for c in combs:
        c = check(c, _POSITIVE_WHOLE, "combs", owner="local suppression", hint="e.g. combs=[2, 3]")
        if c > m:
            raise ConfigError(f"combs asks for subsets of {c} attributes, but there are {m}",
                              hint=f"keep every element of combs at most {m}")
    if combs and method == "exact":
        raise ConfigError("method='exact' does not take combs", hint="use method='heuristic' with combs")
    ks = _check_k(k, combs, n)
    alpha = float(check(alpha, Interval(float, 0, 1), "alpha", owner="local suppression",
                        hint="alpha=1 counts NA matches fully"))
    keys = _encode(data, attributes)
    if importance is None:
        imp = default_importance(keys)
    else:
        imp = np.asarray(list(importance))
        if imp.shape != (m,) or sorted(imp.tolist()) != list(range(1, m + 1)):
            raise ConfigError(f"importance must be a permutation of 1..{m}, one per attribute; got {list(importance)}",
                              hint="1 marks the attribute to suppress last")
    if method == "exact":
        if alpha != 1.0:
            raise ConfigError("method='exact' supports alpha=1 only", hint="use method='heuristic' with alpha < 1")
        if n > EXACT_MAX_ROWS:
            raise ConfigError(f"method='exact' handles at most {EXACT_MAX_ROWS} rows; the table has {n}",
                              hint="use method='heuristic' (never more suppressions than sdcMicro)")
    stratum = _stratum_ids(data, strata)
    out = keys.copy()
    subsets = _subsets(m, combs, ks)
    for s_id in np.unique(stratum):  # strata are independent: each is suppressed on its own
        rows = np.flatnonzero(stratum == s_id)
        largest_k = max(kk for _, kk in subsets)
        if rows.size < largest_k:
            raise ConfigError(f"a stratum of {', '.join(strata)} has {rows.size} records, fewer than k={largest_k}",
                              hint="lower k, or use coarser strata")
        part = out[rows]
        # sdcMicro makes one pass over the subsets. A later subset can undo an earlier one (a record
        # that becomes all-missing within a subset no longer counts for complete records there), so
        # the passes repeat until every subset holds; each extra pass only adds suppressions.
        for _ in range(part.size + 1):
            for cols, kk in subsets:
                sub = np.ascontiguousarray(part[:, cols])
                if method == "exact":
                    sub = _exact_kernel(sub, kk)
                else:
                    # importance re-ranked within the subset (R's rank(importance[kV], ties = "min"))
                    sub_imp = np.argsort(np.argsort(imp[list(cols)], kind="stable"), kind="stable") + 1
                    sub = suppress_kernel(sub, k=kk, importance=sub_imp, alpha=alpha,
                                          improve=(method == "heuristic"))
                part[:, cols] = sub
            if all(_fk(np.ascontiguousarray(part[:, cols]), alpha).min() >= kk for cols, kk in subsets):
                break
        out[rows] = part
    new = (out < 0) & (keys >= 0)
    suppressed = {a: int(new[:, j].sum()) for j, a in enumerate(attributes)}
    suppressed_rows = {a: np.flatnonzero(new[:, j]) for j, a in enumerate(attributes)}
    table = data.with_columns(
        [pl.when(pl.Series(new[:, j])).then(None).otherwise(pl.col(a)).alias(a)
         for j, a in enumerate(attributes)]
    )
    return LocalSuppressionResult(table=table, suppressed=suppressed, total_suppressed=int(new.sum()),
                                  k=ks[0] if not combs else ks, method=method,
                                  importance=tuple(int(v) for v in imp), suppressed_rows=suppressed_rows,
                                  strata=tuple(strata), combs=tuple(int(c) for c in combs))
