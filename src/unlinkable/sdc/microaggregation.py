"""Microaggregation of numeric attributes: MDAV (bit-exact with sdcMicro), univariate, individual ranking.

Microaggregation replaces each value by an aggregate (mean or median) of a small group of at least
``k`` similar records, so every masked record is shared by ``k`` or more records.

* ``"mdav"``: Maximum Distance to Average Vector (Domingo-Ferrer and Mateo-Sanz 2002) in the variant
  of sdcMicro 5.8.1 (``src/Mdav.cpp``): inverse-variance weights, squared distances whose per-variable
  terms are rounded to float32 and summed in float32, first strict maxima, and the 65,536-bucket order
  for the k nearest rows. Reproduced from the description in ``shared/reference/sdcmicro/README.md``
  section 4.6, not from sdcMicro's code (GPL).
  Without missing values a pruned kernel gives the same output much faster: a compiled loop
  (``sdc/mdav_loop.py``, numba) works on the distinct rows, finds the few rows whose float32
  distance can matter (a KD-tree for the nearest, a radius-ordered scan for the farthest), tracks
  the centroid by a running sum with a rigorous error bound, and measures only the candidates the
  C++ way. With missing values (or where its error model does not hold) the plain O(n) sweeps per
  step run instead.
* ``"univariate"``: one shared grouping from a one-dimensional order (the sum of the standardised
  attributes; with one attribute this is classic univariate microaggregation, Hansen and Mukherjee 2003).
* ``"individual_ranking"``: every attribute is sorted and grouped on its own (Defays and Nanopoulos 1993).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import Interval, Names, OneOf, check
from unlinkable.data.io import read_table
from unlinkable.data.numeric import numeric_columns
from unlinkable.errors import ConfigError, InputError

__all__ = ["MicroaggregationResult", "microaggregation", "mdav_groups"]

_METHODS = ("mdav", "univariate", "individual_ranking")
_AGGREGATES = ("mean", "median")


@dataclass(frozen=True)
class MicroaggregationResult:
    """What :func:`microaggregation` returns.

    Attributes
    ----------
    table : polars.DataFrame
        A copy of the input with the attributes replaced by their group aggregates (Float64).
    groups : numpy.ndarray
        Group id of every record, shape ``(n,)``; for ``"individual_ranking"`` one column per
        attribute, shape ``(n, p)``, because every attribute is grouped on its own.
    n_groups : int
        Number of groups (per attribute for ``"individual_ranking"``).
    method : str
    k : int
    """

    table: pl.DataFrame
    groups: np.ndarray
    n_groups: int
    method: str
    k: int


# ---------------------------------------------------------------------------------------------
# MDAV kernel
# ---------------------------------------------------------------------------------------------


def _weights_and_ranges(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse population variances (mean(x²) − mean(x)², sequential double sums) and value ranges."""
    p = x.shape[1]
    w = np.ones(p)
    rng = np.zeros(p)
    for j in range(p):
        col = x[:, j]
        col = col[~np.isnan(col)]
        if col.size == 0:
            continue
        # cumsum is a plain left-to-right sum, as a C loop accumulates; np.sum would be pairwise.
        m = np.cumsum(col)[-1] / col.size
        m2 = np.cumsum(col * col)[-1] / col.size
        var = m2 - m * m
        if var != 0.0:
            w[j] = 1.0 / var
        rng[j] = col.max() - col.min()
    return w, rng


def _k_nearest(d: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k nearest rows in sdcMicro's bucket order.

    The bucket index is a monotone function of the distance, so the bucket sort orders by distance;
    inside a bucket an equal distance is inserted in front of the earlier row, so ties end up in
    decreasing row order.
    """
    n = d.size
    if n <= k:
        return np.arange(n)
    thr = np.partition(d, k - 1)[k - 1]
    cand = np.flatnonzero(d <= thr)
    order = np.lexsort((-cand, d[cand]))
    return cand[order[:k]]


def _dist_cols(cols: np.ndarray, nan_c: np.ndarray | None, point: np.ndarray, w: np.ndarray,
               miss_term: np.ndarray, buf: np.ndarray) -> np.ndarray:
    """sdcMicro's distance from ``point`` to every column of ``cols`` (p x n; NaN = missing).

    Each term (a - b)² · w is computed in double, rounded to float32 and summed in float32 in column
    order; NA against a value costs the full range (``miss_term``), NA against NA nothing.
    """
    acc = None
    for j in range(cols.shape[0]):
        np.subtract(cols[j], point[j], out=buf)
        np.multiply(buf, buf, out=buf)
        np.multiply(buf, w[j], out=buf)
        term = buf.astype(np.float32)
        if nan_c is not None:
            if np.isnan(point[j]):
                term = np.where(nan_c[j], np.float32(0.0), miss_term[j]).astype(np.float32)
            elif nan_c[j].any():
                term[nan_c[j]] = miss_term[j]
        if acc is None:
            acc = term
        else:
            acc += term  # float32 + float32 rounds to float32, as the C++ accumulates
    return acc if acc is not None else np.zeros(cols.shape[1], dtype=np.float32)


def _mdav_core(x: np.ndarray, k: int, weights: np.ndarray, ranges: np.ndarray
               ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group ids plus the members of every group in sdcMicro's bucket order (it sums in that order)."""
    n = x.shape[0]
    miss_term = ((ranges * ranges) * weights).astype(np.float32)
    has_nan = bool(np.isnan(x).any())
    groups = np.full(n, -1, dtype=np.int64)
    members: list[np.ndarray] = []
    idx = np.arange(n)  # remaining original rows, kept in row order
    cols = np.ascontiguousarray(x.T)  # p x n: every sweep runs down contiguous columns
    nan_c = np.isnan(cols) if has_nan else None
    buf_all = np.empty(n)
    gid = 0
    while idx.size - k >= k:
        size = idx.size
        buf = buf_all[:size]
        n_form = 1 if size - 2 * k < k else 2
        if nan_c is not None:
            cnt = (~nan_c).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                centroid = np.cumsum(np.where(nan_c, 0.0, cols), axis=1)[:, -1] / cnt
        else:
            # a plain left-to-right sum, as the C++ loop accumulates (np.sum would be pairwise)
            centroid = np.array([np.cumsum(cols[j], out=buf)[-1] for j in range(cols.shape[0])]) / size
        anchor = int(np.argmax(_dist_cols(cols, nan_c, centroid, weights, miss_term, buf)))
        keep = np.ones(size, dtype=bool)
        for step in range(n_form):
            da = _dist_cols(cols, nan_c, cols[:, anchor].copy(), weights, miss_term, buf)
            if step == 0:
                near = _k_nearest(da, k)
            else:
                live = np.flatnonzero(keep)
                near = live[_k_nearest(da[live], k)]
            groups[idx[near]] = gid
            members.append(idx[near])
            gid += 1
            keep[near] = False
            # the next anchor is the row farthest from this one (the textbook "s")
            anchor = int(np.argmax(da))
        idx = idx[keep]
        cols = cols[:, keep]
        if nan_c is not None:
            nan_c = nan_c[:, keep]
    groups[idx] = gid
    members.append(idx)
    return groups, members


_U = 2.0 ** -53  # unit roundoff of double


def _distinct_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows (lexicographic order) and every row's index among them; -0.0 equals 0.0, which
    changes no distance (np.unique(axis=0) does the same, slower)."""
    n = x.shape[0]
    # numpy's default sort (several times faster than its stable one): without ties in the first
    # column every sort gives the same order, and with ties the lexsort below decides
    order = np.argsort(x[:, 0])
    xs = x[order]
    if n < 2 or (xs[1:, 0] != xs[:-1, 0]).all():
        # the first column alone tells the rows apart (continuous data): its order is the
        # lexicographic one, without the other columns' sorts
        inv = np.empty(n, dtype=np.int64)
        inv[order] = np.arange(n)
        return xs, inv
    order = np.lexsort(x.T[::-1])
    xs = x[order]
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = (xs[1:] != xs[:-1]).any(axis=1)
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.cumsum(new) - 1
    return xs[new], inv


def _mdav_pruned_blocks(x: np.ndarray, k: int, weights: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Same groups and member order as :func:`_mdav_core` for data without NaN, much faster; the
    members come as blocks (``(groups, k)`` rows of the full groups, then the last group's row).

    Works on the distinct rows ("points") with their multiplicities: copies of a point have the same
    distance to everything, so the bucket order takes a point's copies highest row first and the
    first strict maximum picks its lowest row; the copies still alive are always a point's lowest
    rows. The float32 distance D of the C++ code is within a factor (1 ± eps) of the exact weighted
    squared distance T, eps = (p + 3)·2^-23, so exact float32 distances are needed only for points
    whose T could tie with the answer; all bounds also carry sigma, the rounding of the weighted
    coordinates themselves. The searches run in the compiled loop of :mod:`.mdav_loop`.
    """
    from unlinkable.sdc.mdav_loop import mdav_loop

    x = np.ascontiguousarray(x, dtype=np.float64)
    n, p = x.shape
    w = np.ascontiguousarray(weights, dtype=np.float64)
    sw = np.sqrt(w)
    eps = (p + 3) * 2.0 ** -23
    # distinct rows (-0.0 and 0.0 are one: same distances, same sums up to the sign of zero)
    xu, inv = _distinct_rows(x)
    xu = np.ascontiguousarray(xu)
    yu = xu * sw
    # Weighted coordinates are rounded (sqrt(w), the product, the centring): a computed distance is
    # within sigma of the real weighted distance, for data points and for queries inside their hull
    # (the centroid, the anchors) alike.
    sigma = 8.1 * _U * np.sqrt(p) * float(np.sqrt((yu ** 2).sum(axis=1).max())) * (1 + 1e-9)
    cnt = np.bincount(inv, minlength=xu.shape[0]).astype(np.int64)
    if xu.shape[0] == n:  # every point one row: the rows of the points are the inverse of inv
        urows = np.empty(n, dtype=np.int64)
        urows[inv] = np.arange(n)
    else:
        urows = np.argsort(inv, kind="stable").astype(np.int64)  # rows of every point, ascending
    ustart = np.concatenate(([0], np.cumsum(cnt)[:-1])).astype(np.int64)
    first = urows[ustart]  # lowest row of every point: alive while the point is
    xt = np.ascontiguousarray(x.T)
    total = np.array([float(np.cumsum(c)[-1]) for c in xt])  # exact sequential sums
    abs_all = np.abs(xt).sum(axis=1) * (1 + 1e-12)
    flat, alive = mdav_loop(xu, yu, w, sw, inv.astype(np.int64), cnt, urows, ustart, first, xt, total, abs_all,
                            float(sigma), float(eps), int(k), bool(xu.shape[0] == n))
    groups = np.full(n, -1, dtype=np.int64)
    rest = np.flatnonzero(alive)
    n_full = flat.size // k
    groups[flat] = np.repeat(np.arange(n_full), k)
    groups[rest] = n_full
    return groups, [flat.reshape(n_full, k), rest[None, :]]


def _mdav_core_pruned(x: np.ndarray, k: int, weights: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The groups of :func:`_mdav_pruned_blocks` with each group's members as one array."""
    groups, blocks = _mdav_pruned_blocks(x, k, weights)
    return groups, [m for block in blocks for m in block]


#: rows from which MDAV uses the pruned kernel (it is faster at every size; the plain sweeps remain
#: for data with missing values and as the reference in the tests)
PRUNED_MIN_ROWS = 0


def _pruned_applies(x: np.ndarray, weights: np.ndarray) -> bool:
    """Whether the pruned kernel's error model holds: finite data, positive weights, and every
    nonzero distance term a normal float32 (no underflow, no overflow), so D = T·(1 ± eps)."""
    if not (np.isfinite(x).all() and np.isfinite(weights).all() and (weights > 0).all()):
        return False
    p = x.shape[1]
    for j in range(p):
        vals = np.unique(x[:, j])
        if vals.size < 2:
            continue
        gap = float(np.diff(vals).min())
        if gap * gap * weights[j] < 2.0 ** -100 or (vals[-1] - vals[0]) ** 2 * weights[j] * p > 2.0 ** 100:
            return False
    return True


def _use_pruned(x: np.ndarray, weights: np.ndarray) -> bool:
    return x.shape[0] >= PRUNED_MIN_ROWS and _pruned_applies(x, weights)


def _mdav(x: np.ndarray, k: int, weights: np.ndarray, ranges: np.ndarray
          ) -> tuple[np.ndarray, list[np.ndarray]]:
    if _use_pruned(x, weights):
        return _mdav_core_pruned(x, k, weights)
    return _mdav_core(x, k, weights, ranges)


def mdav_groups(x: np.ndarray, k: int) -> np.ndarray:
    """MDAV group ids (sdcMicro's variant) for a float64 matrix with NaN for missing values.

    Parameters
    ----------
    x : numpy.ndarray
        Shape ``(n, p)``, float64; NaN marks a missing value.
    k : int
        Minimum group size, ``2 <= k <= n``.

    Returns
    -------
    numpy.ndarray
        int64 group id per row, numbered in the order the groups are formed. Every group has
        between ``k`` and ``2k - 1`` rows.

    Examples
    --------
    >>> import numpy as np
    >>> mdav_groups(np.array([[1.0], [2.0], [3.0], [10.0], [11.0], [12.0]]), 3).tolist()
    [0, 0, 0, 1, 1, 1]

    Notes
    -----
    Domingo-Ferrer, J. and Mateo-Sanz, J. M. (2002), "Practical data-oriented microaggregation for
    statistical disclosure control", IEEE TKDE 14(1); the variant of sdcMicro 5.8.1 ``mdav``.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    w, r = _weights_and_ranges(x)
    return _mdav(x, k, w, r)[0]


def _aggregate_members(x: np.ndarray, members: list[np.ndarray], aggregate: str) -> np.ndarray:
    """Replace every group's values by its mean (summed left to right in member order) or median."""
    if not members:
        return np.array(x, dtype=np.float64, copy=True)
    # all members end to end, then one (groups, size) matrix of rows per group size
    sizes = np.fromiter(map(len, members), dtype=np.int64, count=len(members))
    flat = np.concatenate(members).astype(np.int64, copy=False)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    blocks = [flat[starts[sizes == size][:, None] + np.arange(size)] for size in np.unique(sizes).tolist() if size]
    return _aggregate_blocks(x, blocks, aggregate)


def _aggregate_blocks(x: np.ndarray, blocks: list[np.ndarray], aggregate: str) -> np.ndarray:
    """:func:`_aggregate_members` with the groups given as blocks: ``(groups, size)`` matrices of rows."""
    out = np.array(x, dtype=np.float64, copy=True)
    for rows in blocks:
        size = rows.shape[1]
        vals = x[rows]  # (g, size, p): one vectorised pass per block
        if aggregate == "median":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # an all-NA group stays NA
                agg = np.nanmedian(vals, axis=1)
        elif not np.isnan(vals).any():
            # no missing value (MDAV's pruned kernel always): the same sums, without the NA passes
            total = vals[:, 0, :].copy()
            for i in range(1, size):
                total += vals[:, i, :]
            out[rows] = (total / size)[:, None, :]
            continue
        else:
            nan = np.isnan(vals)
            filled = np.where(nan, 0.0, vals)
            total = filled[:, 0, :].copy()
            for i in range(1, size):
                total += filled[:, i, :]
            cnt = (~nan).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                agg = total / cnt
        res = np.broadcast_to(agg[:, None, :], vals.shape)
        out[rows] = np.where(np.isnan(vals), np.nan, res)  # NA stays NA
    return out


def _sorted_groups(values: np.ndarray, k: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group k consecutive values in sorted order; the remainder joins the last group (size < 2k).

    NaN values are left out (group id -1).
    """
    n = values.size
    ok = np.flatnonzero(~np.isnan(values))
    order = ok[np.argsort(values[ok], kind="stable")]
    groups = np.full(n, -1, dtype=np.int64)
    m = order.size
    n_groups = max(m // k, 1) if m else 0
    if m == 0:
        return groups, []
    pos = np.minimum(np.arange(m) // k, n_groups - 1)
    groups[order] = pos
    full = order[: (n_groups - 1) * k].reshape(n_groups - 1, k)
    members = list(full) + [order[(n_groups - 1) * k:]]
    return groups, members


def _pca_order(x: np.ndarray) -> np.ndarray:
    """Row order along the first principal component of the standardised data (NaN -> column mean)."""
    mu = np.nanmean(x, axis=0)
    sd = np.nanstd(x, axis=0)
    sd[~(sd > 0)] = 1.0
    z = np.where(np.isnan(x), 0.0, (x - mu) / sd)
    if z.shape[1] == 1:
        score = z[:, 0]
    else:
        _, vecs = np.linalg.eigh(np.cov(z, rowvar=False))
        score = z @ vecs[:, -1]
    return np.argsort(score, kind="stable")


def _mdav_partitioned(x: np.ndarray, k: int, partition_size: int
                      ) -> tuple[np.ndarray, list[np.ndarray]]:
    """MDAV on consecutive blocks of the first-principal-component order, with global weights."""
    n = x.shape[0]
    w, r = _weights_and_ranges(x)
    if partition_size >= n:
        return _mdav(x, k, w, r)
    order = _pca_order(x)
    n_blocks = max(n // partition_size, 1)  # the remainder joins the last block, so every block >= k
    bounds = [b * partition_size for b in range(n_blocks)] + [n]
    groups = np.empty(n, dtype=np.int64)
    members: list[np.ndarray] = []
    offset = 0
    for b in range(n_blocks):
        rows = np.sort(order[bounds[b]:bounds[b + 1]])
        g, ms = _mdav(x[rows], k, w, r)
        groups[rows] = g + offset
        members.extend(rows[m] for m in ms)
        offset += len(ms)
    return groups, members


def _numeric_matrix(df: pl.DataFrame, attributes: Sequence[str]) -> np.ndarray:
    cols = []
    for a in attributes:
        if a not in df.columns:
            raise InputError(f"column {a!r} is not in the table",
                             hint=f"choose attributes from {df.columns}")
    # CSV cells are read as text: convert numbers written as text; anything else is reported below.
    df = numeric_columns(df, attributes, where="microaggregation",
                         hint="microaggregation needs numeric columns: fix the value or leave the column out of attributes")
    for a in attributes:
        s = df.get_column(a)
        if not (s.dtype.is_numeric() or s.dtype == pl.Null):
            bad = s.drop_nulls()
            row = int(s.is_not_null().arg_max() or 0) if bad.len() else 0
            value = bad[0] if bad.len() else None
            raise InputError(
                f"column {a!r} is not numeric (dtype {s.dtype}); row {row + 1} holds {value!r}",
                hint="microaggregation needs numeric columns: cast the column or leave it out of attributes",
            )
        cols.append(s.cast(pl.Float64).to_numpy().astype(np.float64))  # null and NaN both NaN
    return np.column_stack(cols) if cols else np.zeros((df.height, 0))


def microaggregation(data: Any, *, attributes: Sequence[str], k: int = 3, method: str = "mdav",
                     aggregate: str = "mean", partition_size: int | None = None
                     ) -> MicroaggregationResult:
    """Microaggregate numeric attributes so that every value is shared by at least ``k`` records.

    Parameters
    ----------
    data : polars.DataFrame or pandas.DataFrame
        The table; it is not modified.
    attributes : sequence of str
        Numeric columns to aggregate (sdcMicro's ``numVars``). Missing values stay missing.
    k : int, default 3
        Minimum group size (sdcMicro's ``aggr``); ``2 <= k <= number of rows``.
    method : {"mdav", "univariate", "individual_ranking"}
        ``"mdav"`` reproduces sdcMicro 5.8.1 bit for bit; ``"univariate"`` groups records by the sum
        of their standardised attributes; ``"individual_ranking"`` groups each attribute on its own.
    aggregate : {"mean", "median"}
        Value that replaces a group's values.
    partition_size : int, optional
        MDAV only. MDAV is quadratic in the number of rows; with a partition size the rows are
        sorted by their first principal component and cut into blocks of about this many rows
        (the remainder joins the last block), and MDAV runs on each block with the weights of the
        whole table. Costs a little information loss (see the module's benchmark) and makes a
        million rows feasible. ``None`` runs MDAV on the whole table.

    Returns
    -------
    MicroaggregationResult

    Raises
    ------
    InputError
        An attribute is missing or not numeric.
    ConfigError
        ``k < 2``, ``k`` larger than the table, or an unknown method/aggregate.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"income": [1.0, 2.0, 3.0, 10.0, 11.0, 12.0]})
    >>> res = microaggregation(df, attributes=["income"], k=3)
    >>> res.table["income"].to_list()
    [2.0, 2.0, 2.0, 11.0, 11.0, 11.0]
    >>> res.n_groups
    2

    Notes
    -----
    Domingo-Ferrer, J. and Mateo-Sanz, J. M. (2002), "Practical data-oriented microaggregation for
    statistical disclosure control", IEEE TKDE 14(1). Defays, D. and Nanopoulos, P. (1993), "Panels of
    enterprises and confidentiality: the small aggregates method". Templ, M., Kowarik, A. and Meindl, B.
    (2015), "Statistical disclosure control for micro-data using the R package sdcMicro", JSS 67(4)
    (``microaggregation(method="mdav")``, whose output this reproduces exactly).
    """
    data = read_table(data)  # pandas in: mixed-type columns are reported by read_table
    attributes = check(attributes, Names(), "attributes", owner="microaggregation", hint="name at least one numeric column")
    check(method, OneOf(_METHODS), "method", owner="microaggregation")
    check(aggregate, OneOf(_AGGREGATES), "aggregate", owner="microaggregation")
    k = check(k, Interval(int, 2, None), "k", owner="microaggregation",
              hint="k is the minimum group size; sdcMicro's default aggr is 3")
    n = data.height
    if k > n:
        raise ConfigError(f"k={k} is larger than the table ({n} rows)",
                          hint="lower k or microaggregate a larger table")
    if partition_size is not None:
        if method != "mdav":
            raise ConfigError("partition_size applies to method='mdav' only", hint="drop partition_size")
        partition_size = check(partition_size, Interval(int, 2 * k, None), "partition_size", owner="microaggregation",
                               hint=f"at least 2k = {2 * k}; blocks of 5,000-20,000 rows keep MDAV fast and lose little")
    x = _numeric_matrix(data, attributes)

    if method == "mdav":
        if partition_size is None:
            w, r = _weights_and_ranges(x)
            if _use_pruned(x, w):  # _mdav's choice, with the groups as blocks instead of one array each
                groups, blocks = _mdav_pruned_blocks(x, int(k), w)
                out = _aggregate_blocks(x, blocks, aggregate)
                n_groups = sum(b.shape[0] for b in blocks)
            else:
                groups, members = _mdav_core(x, int(k), w, r)
                out = _aggregate_members(x, members, aggregate)
                n_groups = len(members)
        else:
            groups, members = _mdav_partitioned(x, int(k), int(partition_size))
            out = _aggregate_members(x, members, aggregate)
            n_groups = len(members)
    elif method == "univariate":
        mu = np.nanmean(x, axis=0)
        sd = np.nanstd(x, axis=0)
        sd[~(sd > 0)] = 1.0
        score = np.nansum((x - mu) / sd, axis=1)
        groups, members = _sorted_groups(score, int(k))
        out = _aggregate_members(x, members, aggregate)
        n_groups = len(members)
    else:
        out = np.empty_like(x)
        groups = np.empty(x.shape, dtype=np.int64)
        n_groups = 0
        for j in range(x.shape[1]):
            g, members = _sorted_groups(x[:, j], int(k))
            groups[:, j] = g
            out[:, j] = _aggregate_members(x[:, [j]], members, aggregate)[:, 0]
            n_groups = max(n_groups, len(members))
    # Columns replaced one by one on a copy, eagerly: a with_columns query wakes polars' thread pool,
    # which costs more than MDAV's own work on small tables.
    table = data.clone()
    for j, a in enumerate(attributes):
        table.replace_column(table.get_column_index(a), pl.Series(a, out[:, j], dtype=pl.Float64, nan_to_null=True))
    return MicroaggregationResult(table=table, groups=groups, n_groups=int(n_groups),
                                  method=method, k=int(k))
