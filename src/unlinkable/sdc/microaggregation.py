"""Microaggregation of numeric attributes: MDAV (bit-exact with sdcMicro), univariate, individual ranking.

Microaggregation replaces each value by an aggregate (mean or median) of a small group of at least
``k`` similar records, so every masked record is shared by ``k`` or more records.

* ``"mdav"``: Maximum Distance to Average Vector (Domingo-Ferrer and Mateo-Sanz 2002) in the variant
  of sdcMicro 5.8.1 (``src/Mdav.cpp``): inverse-variance weights, squared distances whose per-variable
  terms are rounded to float32 and summed in float32, first strict maxima, and the 65,536-bucket order
  for the k nearest rows. Reproduced from the description in ``shared/reference/sdcmicro/README.md``
  section 4.6, not from sdcMicro's code (GPL).
  Without missing values a pruned kernel gives the same output much faster: it works on the
  distinct rows, finds the few rows whose float32 distance can matter (neighbour lists and a
  KD-tree for the nearest, a product over all points or a radius-ordered scan for the farthest),
  tracks the centroid by a running sum with a rigorous error bound, and measures only the
  candidates the C++ way. With missing values (or where its error model does not hold) the plain
  O(n) sweeps per step run instead.
* ``"univariate"``: one shared grouping from a one-dimensional order (the sum of the standardised
  attributes; with one attribute this is classic univariate microaggregation, Hansen and Mukherjee 2003).
* ``"individual_ranking"``: every attribute is sorted and grouped on its own (Defays and Nanopoulos 1993).
"""

from __future__ import annotations

import warnings
from math import sqrt
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import polars as pl

from unlinkable.data.numeric import numeric_columns
from unlinkable.data.io import read_table
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
    return acc


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


def _d32_rows(x: np.ndarray, rows, point: np.ndarray, w: np.ndarray) -> np.ndarray:
    """sdcMicro's float32 distance from ``point`` to ``x[rows]`` (no NaN), same arithmetic as above."""
    t = x[rows] - point
    t *= t
    t *= w
    t32 = t.astype(np.float32)
    acc = t32[..., 0].copy()
    for j in range(1, x.shape[1]):
        acc += t32[..., j]  # float32 + float32 in column order, as the C++ accumulates
    return acc


_U = 2.0 ** -53  # unit roundoff of double
_NEG_INF, _POS_INF = float("-inf"), float("inf")
_LIST_EXTRA = 9  # neighbour-list length beyond k: longer lists cost more up front, run dry less often
#: up to this many distinct rows the farthest row is found by one matrix-vector product over all of
#: them; above it by the radius-ordered scan
DENSE_MAX_POINTS = 50_000


def _distinct_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows (lexicographic order) and every row's index among them; -0.0 equals 0.0, which
    changes no distance (np.unique(axis=0) does the same, slower)."""
    n = x.shape[0]
    order = np.lexsort(x.T[::-1])
    xs = x[order]
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = (xs[1:] != xs[:-1]).any(axis=1)
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.cumsum(new) - 1
    return xs[new], inv


class _PrunedMdav:
    """MDAV without NaN, identical output to :func:`_mdav_core`, with pruned searches.

    Works on the distinct rows ("points") with their multiplicities: copies of a point have the same
    distance to everything, so the bucket order takes a point's copies highest row first and the
    first strict maximum picks its lowest row; the copies still alive are always a point's lowest rows.

    The float32 distance D of the C++ code is within a factor (1 ± eps) of the exact weighted
    squared distance T, eps = (p + 3)·2^-23. So exact float32 distances are needed only for points
    whose T could tie with the answer:

    * the k nearest rows of an anchor: every point's nearest points are found once (one KD-tree
      query for all), ordered by T where consecutive T are further apart than the float32 error and
      by the exact D and the tie rule otherwise, up to a cutoff tau below which the list is
      complete; the first k live rows of the list are the answer. When the list runs dry, the k-th
      nearest live T_k (one product over all points, or a KD-tree query) and every point with
      T <= T_k·(1+eps)/(1-eps) give a new list;
    * the farthest row from a point q: up to ``DENSE_MAX_POINTS`` points, T of all points by one
      matrix-vector product (|y|² − 2y·q + |q|², with its rounding bounded); above, points are
      scanned by decreasing distance R from a fixed origin o, T <= (R + |q − o|)², until that bound
      falls below the best T·(1−eps)/(1+eps). Exact D is computed only when more than one point
      survives the bounds. A repeated anchor reuses its tied maxima while one of them lives;
    * the centroid, a sequential sum in row order, is replaced by a running sum with a rigorous
      error bound Δ (in weighted units); the farthest search widens its margins by Δ and, only when
      more than one point survives them, the exact sequential sum is computed.

    All bounds also carry sigma, the rounding of the weighted coordinates themselves. On the
    candidates the C++ rules (float32 sums, first strict maximum, bucket order) are applied exactly.
    """

    def __init__(self, x: np.ndarray, k: int, w: np.ndarray) -> None:
        from scipy.spatial import cKDTree

        self._kdtree = cKDTree
        self.k, self.w = k, w
        n, p = x.shape
        self.sw = np.sqrt(w)
        self.eps = (p + 3) * 2.0 ** -23
        # distinct rows (-0.0 and 0.0 are one: same distances, same sums up to the sign of zero)
        pts, inv = _distinct_rows(x)
        n_u = pts.shape[0]
        self.inv_l = inv.tolist()
        self.xu = pts
        self.xu_l = pts.tolist()
        self.yu = pts * self.sw
        # Weighted coordinates are rounded (sqrt(w), the product, the centring): a computed distance
        # is within sigma of the real weighted distance, for data points and for queries inside
        # their hull (the centroid, the anchors) alike.
        self.sigma = 8.1 * _U * np.sqrt(p) * float(np.sqrt((self.yu ** 2).sum(axis=1).max())) * (1 + 1e-9)
        self.cnt = np.bincount(inv, minlength=n_u)
        self.cnt_l = self.cnt.tolist()
        self.urows = np.argsort(inv, kind="stable")  # rows of every point, ascending
        self.urows_l = self.urows.tolist()
        self.ustart = np.concatenate(([0], np.cumsum(self.cnt)[:-1]))
        self.ustart_l = self.ustart.tolist()
        self.first = self.urows[self.ustart]  # lowest row of every point: alive while the point is
        self.first_l = self.first.tolist()
        self.alive = np.ones(n, dtype=bool)
        self.n_alive = n
        # centroid: exact sequential total minus a running sum of the removed rows, with error bounds
        self.xt = np.ascontiguousarray(x.T)
        self.total = [float(np.cumsum(c)[-1]) for c in self.xt]
        abs_all = np.abs(self.xt).sum(axis=1) * (1 + 1e-12)
        self.abs_all = abs_all.tolist()
        self.removed = [0.0] * p
        self.n = n
        self.distinct = n_u == n
        self.near_cache: dict[int, list] = {}
        self.far_cache: dict[int, list] = {}
        self.dense = n_u <= DENSE_MAX_POINTS
        self.n_pts = n_u
        self.sw_l = self.sw.tolist()
        self.w_l = w.tolist()
        if self.dense:
            # centred weighted coordinates: |y - q|² = |y|² - 2y·q + |q|² loses little to rounding
            o0 = self.yu.mean(axis=0)
            self.o0_l = o0.tolist()
            self.yc = self.yu - o0
            self.nrm_all = (self.yc ** 2).sum(axis=1)
            self.ymax = float(np.sqrt(self.nrm_all.max()))
            self.e_coef = (2 * p + 8) * _U * 1.01
            self.lo_f = (1 - self.eps) * (1 - 1e-12)
            self.inv_up_f = 1.0 / ((1 + self.eps) * (1 + 1e-12)) * (1 - 1e-15)
        self._rebuild_points()
        self._neighbour_lists()

    def _neighbour_lists(self) -> None:
        n_u = self.xu.shape[0]
        kk = min(n_u, self.k + _LIST_EXTRA)
        dist, loc = self.tree.query(self.yu, k=kk)
        dist, loc = dist.reshape(n_u, kk), loc.reshape(n_u, kk)
        sg = self.sigma
        t = dist * dist
        # Where consecutive distances differ by more than the float32 error (and sigma), D has the
        # same strict order and (1+eps)·(dist+sigma)² bounds it; only lists with a near-tie need
        # the exact D and the tie rule.
        hi = (1 + self.eps) * (1 + 1e-9) * (dist + sg) ** 2
        lo = (1 - self.eps) * (1 - 1e-9) * np.maximum(dist - sg, 0.0) ** 2
        near_tie = (lo[:, 1:] <= hi[:, :-1]).any(axis=1)
        d = hi
        if near_tie.any():
            rows = np.flatnonzero(near_tie)
            lr = loc[rows]
            dr = _d32_rows(self.xu, lr, self.xu[rows][:, None, :], self.w)
            # bucket order for distinct rows: ascending distance, the later row first on a tie
            order = np.lexsort((-self.first[lr], dr), axis=-1)
            loc[rows] = np.take_along_axis(lr, order, axis=1)
            d[rows] = np.take_along_axis(dr, order, axis=1)
        if kk == n_u:
            tau = np.full(n_u, np.inf)
        else:
            # points outside the list have T >= dist_kk² (tree rounding aside), so D > tau
            tau = lo[:, -1]
        # d: the exact D, or an upper bound on it where the order is strict; a live entry is used
        # only while d <= tau
        self.nl_pts = loc  # turned into lists one point at a time, when walked
        self.nl_d = d
        self.nl_tau = tau.tolist()

    def _rebuild_points(self) -> None:
        self.slots = np.flatnonzero(self.cnt > 0)  # live points in the tree
        ys = self.yu[self.slots]
        self.tree = self._kdtree(ys)
        if self.dense:
            # the product runs over the live points only; a point that dies gets |y|² = -inf
            self.m2yc = np.ascontiguousarray(-2.0 * self.yc[self.slots].T)  # (p, live): fast q @ M
            self.nrm = self.nrm_all[self.slots]
            self.nrm_pos = self.nrm.copy()  # for nearest searches: dead points +inf
            self.pos_l = np.full(self.cnt.size, -1, dtype=np.int64)
            self.pos_l[self.slots] = np.arange(self.slots.size)
            self.pos_l = self.pos_l.tolist()
            self.tbuf = np.empty(self.slots.size)
            self.slots_l = self.slots.tolist()
        else:
            self.origin = ys.mean(axis=0)
            r = np.sqrt(((ys - self.origin) ** 2).sum(axis=1))
            order = np.argsort(-r, kind="stable")
            self.by_r = self.slots[order]
            self.r_sorted = r[order]
            self.y_by_r = self.yu[self.by_r]
            self.head = 0
        self.tree_pts = self.slots.size

    def kill(self, rows: list) -> None:
        alive, inv_l, cnt_l, cnt, xu_l = self.alive, self.inv_l, self.cnt_l, self.cnt, self.xu_l
        dense = self.dense
        if dense:
            nrm, nrm_pos, pos_l = self.nrm, self.nrm_pos, self.pos_l
        self.n_alive -= len(rows)
        rem = self.removed
        gone = 0
        for r in rows:
            alive[r] = False
            u = inv_l[r]
            c = cnt_l[u] - 1
            cnt_l[u] = c
            cnt[u] = c
            if c == 0:
                gone += 1
                if dense:
                    pos = pos_l[u]
                    nrm[pos] = _NEG_INF
                    nrm_pos[pos] = _POS_INF
            # one rounding per addition, |error| <= u·|partial sum| <= u·sum|x| (bounded at use)
            rem = [a + b for a, b in zip(rem, xu_l[u])]
        self.removed = rem
        self.n_pts -= gone
        if self.n_pts * 2 < self.tree_pts and self.n_pts > 4 * self.k:
            self._rebuild_points()

    def exact_centroid(self) -> np.ndarray:
        # dead rows count as +0.0, which leaves a sequential sum unchanged
        return np.array([np.cumsum(np.where(self.alive, c, 0.0))[-1] for c in self.xt]) / self.n_alive

    def _scan(self, yq: np.ndarray, delta: float) -> np.ndarray:
        """Live points that may be the farthest from some q with |y(q) - yq| <= delta."""
        h = float(np.sqrt(((yq - self.origin) ** 2).sum())) * (1 + 1e-12) + delta
        cnt, by_r, r_sorted, y_by_r = self.cnt, self.by_r, self.r_sorted, self.y_by_r
        while cnt[by_r[self.head]] == 0:
            self.head += 1
        pos, lb, got, gott = self.head, -1.0, [], []
        size = 64
        up = (1 + self.eps) * (1 + 1e-12)
        lo = (1 - self.eps) * (1 - 1e-12)
        total = by_r.size
        while pos < total:
            sl = slice(pos, pos + size)
            ok = cnt[by_r[sl]] > 0
            pos += size
            size *= 2
            if ok.any():
                t = np.sqrt(((y_by_r[sl][ok] - yq) ** 2).sum(axis=1))
                got.append(by_r[sl][ok])
                gott.append(t)
                best = float(t.max()) * (1 - 1e-12) - delta
                if best > 0:
                    lb = max(lb, lo * best * best)
            if pos < total and up * (r_sorted[pos] + h) ** 2 < lb:
                break
        cand = np.concatenate(got)
        t = np.concatenate(gott) + delta
        return cand[up * t * t >= lb]

    def _dense(self, yq: list, delta: float) -> np.ndarray:
        """Same as :meth:`_scan` by one product over the live points (``yq`` weighted, as a list)."""
        qc = [a - b for a, b in zip(yq, self.o0_l)]
        nq = 0.0
        for v in qc:
            nq += v * v
        t = np.dot(np.array(qc), self.m2yc, out=self.tbuf)
        t += self.nrm
        i = int(t.argmax())
        ti = float(t[i])
        tmax = ti + nq
        # rounding of |y|² - 2y·q + |q|² (any summation order): <= (2p + 8)·u·(|y| + |q|)²
        e = self.e_coef * (self.ymax + sqrt(nq)) ** 2
        best = sqrt(max(tmax - e, 0.0)) * (1 - 1e-12) - delta
        lb = self.lo_f * best * best if best > 0 else 0.0
        need = sqrt(lb * self.inv_up_f) * (1 - 1e-12) - delta
        if need <= 0:
            return self.slots[np.isfinite(t)]
        thr = need * need * (1 - 1e-12) - e - nq
        if t.size > 1:
            # usually the maximum alone passes: check the runner-up before listing every candidate
            t[i] = _NEG_INF
            second = float(t.max())
            t[i] = ti
            if second < thr:
                return self.slots_l[i]
        return self.slots[np.flatnonzero(t >= thr)]

    def _ties(self, cand: np.ndarray, q: np.ndarray) -> np.ndarray:
        d = _d32_rows(self.xu, cand, q, self.w)
        return cand[d == d.max()]

    def farthest_from_centroid(self) -> int:
        m = self.n_alive
        delta = 0.0
        yq = []
        # error / (u·sum|x|) of: the total (n additions), the removed rows' running sum (one
        # addition per removed row) and the exact sequential sum of the live rows (gamma_m)
        adds = (self.n + (self.n - m) + m + 1) * 1.01
        for t, r, a, w, sw in zip(self.total, self.removed, self.abs_all, self.w_l, self.sw_l):
            c = (t - r) / m
            yq.append(c * sw)
            # the subtraction and the division round once more each
            err = (adds * _U * a / m + 4 * _U * abs(c)) * 1.01
            delta += err * err * w
        delta = sqrt(delta) * 1.01 + self.sigma
        cand = self._dense(yq, delta) if self.dense else self._scan(np.array(yq), delta)
        if type(cand) is int:
            return self.first_l[cand]
        if cand.size > 1:
            cand = self._ties(cand, self.exact_centroid())
            return int(self.first[cand].min())  # first strict maximum in row order
        return self.first_l[int(cand[0])]

    def farthest(self, u: int) -> int:
        ties = self.far_cache.get(u)
        if ties is not None:
            cnt_l = self.cnt_l
            live = [v for v in ties if cnt_l[v]]
            if live:
                return min(self.first_l[v] for v in live)
        yq = [a * b for a, b in zip(self.xu_l[u], self.sw_l)]
        cand = self._dense(yq, self.sigma) if self.dense else self._scan(np.array(yq), self.sigma)
        if type(cand) is int:
            ties = [cand]
        else:
            ties = (self._ties(cand, self.xu[u]) if cand.size > 1 else cand).tolist()
        if not self.distinct:  # a point's only row leaves with its group: no reuse without copies
            self.far_cache[u] = ties
        return min(self.first_l[v] for v in ties)

    def nearest(self, u: int) -> list:
        k = self.k
        hit = self.near_cache.get(u)
        if hit is not None:
            out = [r for r in hit if self.alive[r]]
            if len(out) >= k:
                return out[:k]
        else:
            out = self._walk(u)
            if out is not None:
                return out
        rows = self._dense_nearest(u) if self.dense else self._query_nearest(u)
        self.near_cache[u] = rows
        return rows[:k]

    def _walk(self, u: int) -> list | None:
        """First k live rows of u's neighbour list in bucket order, None when the list runs dry."""
        k, pts, ds, tau = self.k, self.nl_pts[u].tolist(), self.nl_d[u].tolist(), self.nl_tau[u]
        cnt_l, urows_l, ustart_l = self.cnt_l, self.urows_l, self.ustart_l
        out: list = []
        if self.distinct:
            # one row per point and the list already in bucket order: the first k live entries
            first_l = self.first_l
            for v, d in zip(pts, ds):
                if cnt_l[v]:
                    if d > tau:
                        return None
                    out.append(first_l[v])
                    if len(out) == k:
                        return out
            return None
        i, size = 0, len(pts)
        while i < size and ds[i] <= tau:
            d = ds[i]
            j = i + 1
            while j < size and ds[j] == d:
                j += 1
            if j == i + 1:
                v = pts[i]
                c = cnt_l[v]
                if c:
                    s = ustart_l[v]
                    out.extend(urows_l[s + c - 1: s - 1 if s else None: -1])  # highest row first
            else:
                tie = []
                for v in pts[i:j]:
                    s = ustart_l[v]
                    tie.extend(urows_l[s: s + cnt_l[v]])
                tie.sort(reverse=True)
                out.extend(tie)
            if len(out) >= k:
                return out[:k]
            i = j
        return None

    def _dense_nearest(self, u: int) -> list:
        """The rows of :meth:`_query_nearest` from one product over the live points."""
        k, sg, eps = self.k, self.sigma, self.eps
        qc = self.yc[u]
        nq = float(qc @ qc)
        t = np.dot(qc, self.m2yc, out=self.tbuf)
        t += self.nrm_pos
        t += nq  # T~, dead points +inf
        e = self.e_coef * (self.ymax + sqrt(nq)) ** 2
        g = max(self.nl_tau[u], 0.0) * 4.0 + e + sg * sg
        while True:
            cand = np.flatnonzero(t <= g)
            c = self.cnt[self.slots[cand]]
            if int(c.sum()) >= k or cand.size == self.n_pts:
                break
            g = g * 4.0 + 1e-300
        tc = t[cand]
        order = np.argsort(tc, kind="stable")
        tk = float(tc[order][int(np.searchsorted(np.cumsum(c[order]), k))])
        # the k-th nearest row's real T bound, then every row with D <= D_k has real T <= r2
        r2 = (sqrt(tk + e) + sg) ** 2 * (1 + eps) / (1 - eps) * (1 + 1e-8)
        bound = ((sqrt(r2) * (1 + 1e-9) + sg) ** 2 + e) * (1 + 1e-12)
        if bound > g:
            cand = np.flatnonzero(t <= bound)
        # points outside have T~ > bound: real T > r2, so D > tau
        return self._ordered_rows(self.slots[cand], u, (1 - eps) * (1 - 1e-9) * r2)

    def _query_nearest(self, u: int) -> list:
        k = self.k
        ya = self.yu[u]
        m = self.slots.size
        kq = min(k + 8, m)
        cnt = self.cnt
        while True:
            dist, loc = self.tree.query(ya, k=kq)
            dist, loc = np.atleast_1d(dist), np.atleast_1d(loc)
            c = np.cumsum(cnt[self.slots[loc]])
            if c[-1] >= k or kq == m:
                break
            kq = min(kq * 4, m)
        dk = float(dist[int(np.searchsorted(c, k))])
        sg = self.sigma
        r2 = (dk + sg) ** 2 * (1 + self.eps) / (1 - self.eps) * (1 + 1e-8)  # leaves D_k below tau
        cand = self.slots[np.asarray(self.tree.query_ball_point(ya, np.sqrt(r2) * (1 + 1e-9) + sg + 1e-300),
                                     dtype=np.int64)]
        cand = cand[cnt[cand] > 0]
        # rows outside the ball have D > tau; candidates beyond tau cannot be ordered against them
        return self._ordered_rows(cand, u, (1 - self.eps) * (1 - 1e-9) * r2)

    def _ordered_rows(self, cand: np.ndarray, u: int, tau: float) -> list:
        """Live rows of the candidate points with D <= tau from point u, in bucket order."""
        cnt = self.cnt
        d = _d32_rows(self.xu, cand, self.xu[u], self.w)
        keep = d <= tau
        cand, d = cand[keep], d[keep]
        reps = cnt[cand]
        if reps.max() == 1:
            rows = self.first[cand]
        else:
            off = np.repeat(self.ustart[cand] - np.concatenate(([0], np.cumsum(reps)[:-1])), reps)
            rows = self.urows[off + np.arange(int(reps.sum()))]
            d = np.repeat(d, reps)
        return rows[np.lexsort((-rows, d))].tolist()  # ascending distance, ties: later row first


def _mdav_core_pruned(x: np.ndarray, k: int, weights: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Same groups and member order as :func:`_mdav_core` for data without NaN, much faster."""
    n = x.shape[0]
    st = _PrunedMdav(x, k, weights)
    inv = st.inv_l
    groups = np.full(n, -1, dtype=np.int64)
    members: list[np.ndarray] = []
    gid = 0
    flat: list = []
    while st.n_alive - k >= k:
        anchor = st.farthest_from_centroid()
        if st.n_alive - 2 * k >= k:
            nxt = st.farthest(inv[anchor])  # the textbook "s", found before the first group leaves
            near = st.nearest(inv[anchor])
            flat.extend(near)
            st.kill(near)
            anchor = nxt
        near = st.nearest(inv[anchor])
        flat.extend(near)
        st.kill(near)
    rest = np.flatnonzero(st.alive)
    n_full = len(flat) // k
    members = list(np.array(flat, dtype=np.int64).reshape(n_full, k)) + [rest]
    groups[np.array(flat, dtype=np.int64)] = np.repeat(np.arange(n_full), k)
    groups[rest] = n_full
    return groups, members


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


def _mdav(x: np.ndarray, k: int, weights: np.ndarray, ranges: np.ndarray
          ) -> tuple[np.ndarray, list[np.ndarray]]:
    if x.shape[0] >= PRUNED_MIN_ROWS and _pruned_applies(x, weights):
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
    out = np.array(x, dtype=np.float64, copy=True)
    by_size: dict[int, list[np.ndarray]] = {}
    for m in members:
        by_size.setdefault(m.size, []).append(m)
    for size, ms in by_size.items():
        rows = np.stack(ms)  # (groups of this size, size): one vectorised pass per group size
        vals = x[rows]  # (g, size, p)
        if aggregate == "median":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # an all-NA group stays NA
                agg = np.nanmedian(vals, axis=1)
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
            row = int(s.is_not_null().arg_max()) if bad.len() else 0
            value = bad[0] if bad.len() else None
            raise InputError(
                f"column {a!r} is not numeric (dtype {s.dtype}); row {row + 1} holds {value!r}",
                hint="microaggregation needs numeric columns: cast the column or leave it out of attributes",
            )
        cols.append(s.cast(pl.Float64).fill_nan(None).to_numpy().astype(np.float64))
    return np.column_stack(cols) if cols else np.zeros((df.height, 0))


def microaggregation(data, *, attributes: Sequence[str], k: int = 3, method: str = "mdav",
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
    attributes = list(attributes)
    if not attributes:
        raise ConfigError("attributes is empty", hint="name at least one numeric column")
    if method not in _METHODS:
        raise ConfigError(f"unknown microaggregation method {method!r}", hint=f"use one of {_METHODS}")
    if aggregate not in _AGGREGATES:
        raise ConfigError(f"unknown aggregate {aggregate!r}", hint=f"use one of {_AGGREGATES}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ConfigError(f"k must be an integer >= 2, got {k!r}",
                          hint="k is the minimum group size; sdcMicro's default aggr is 3")
    n = data.height
    if k > n:
        raise ConfigError(f"k={k} is larger than the table ({n} rows)",
                          hint="lower k or microaggregate a larger table")
    if partition_size is not None:
        if method != "mdav":
            raise ConfigError("partition_size applies to method='mdav' only", hint="drop partition_size")
        if isinstance(partition_size, bool) or not isinstance(partition_size, (int, np.integer)) \
                or partition_size < 2 * k:
            raise ConfigError(f"partition_size must be an integer >= 2k = {2 * k}, got {partition_size!r}",
                              hint="blocks of 5,000-20,000 rows keep MDAV fast and lose little")
    x = _numeric_matrix(data, attributes)

    if method == "mdav":
        if partition_size is None:
            w, r = _weights_and_ranges(x)
            groups, members = _mdav(x, int(k), w, r)
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
    table = data.with_columns(
        [pl.Series(a, out[:, j], dtype=pl.Float64).fill_nan(None) for j, a in enumerate(attributes)]
    )
    return MicroaggregationResult(table=table, groups=groups, n_groups=int(n_groups),
                                  method=method, k=int(k))
