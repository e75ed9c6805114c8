"""MDAV's group-forming loop, compiled: the pruned searches of ``microaggregation`` without Python per step.

sdcMicro's MDAV forms about n / k groups; each step finds the row farthest from the centroid, the row
farthest from that one, and the k nearest rows of each, which the C++ code does by sweeping all
remaining rows. Here each search reads only the distinct rows ("points", with their copies) that
can be the answer:

* nearest: a KD-tree over the weighted points (leaves of 16 points, a bounding box per node, live
  counts kept as rows leave), read nearest box first, with the exact float32 distance
  of every point read, until the box bound passes the k-th best; ties follow the C++ bucket order
  (ascending distance, an equal distance puts the later row first);
* farthest: points by decreasing distance R from an origin, stopped by the triangle inequality once
  R + |q - o| falls below what the best point so far guarantees; exact float32 distances are
  computed only when more than one point survives the bounds. The centroid is a running sum with a
  rigorous error bound, recomputed exactly (a sequential sum in row order) only when its error
  could change the answer.

The float32 distance D of the C++ code is within a factor (1 ± eps) of the exact weighted squared
distance T, eps = (p + 3)·2^-23, and computed weighted coordinates are within sigma of the real
ones; every bound carries both. The output (groups and the order of their members) is bit for bit
that of the plain sweeps (``microaggregation._mdav_core``), which tests check against an
independent scalar reference. ``microaggregation.mdav_groups`` is the way in. By hand: the
centroid of 1, 2, 3, 10, 11, 12, 30 is 9.86, farthest from it is 30, whose 3 nearest (30, 12, 11)
form group 0; the 4 rows left are fewer than 2k and form the last group:

>>> import numpy as np
>>> from unlinkable.sdc.microaggregation import mdav_groups
>>> mdav_groups(np.array([[1.0], [2.0], [3.0], [10.0], [11.0], [12.0], [30.0]]), 3).tolist()
[1, 1, 1, 1, 0, 0, 0]
"""

from __future__ import annotations

from math import sqrt

import numpy as np

from unlinkable.compiled import compiled

__all__ = ["mdav_loop"]


_U = 2.0 ** -53  # unit roundoff of double
LEAF = 16  # points per KD-tree leaf


@compiled
def _d32(xu: np.ndarray, v: int, q: np.ndarray, w: np.ndarray) -> np.float32:
    """sdcMicro's distance of point ``v`` to ``q``: (a - b)² · w per variable in double, rounded to
    float32, summed in float32 in variable order."""
    acc = np.float32(0.0)
    for j in range(xu.shape[1]):
        t = xu[v, j] - q[j]
        t = t * t
        t = t * w[j]
        if j == 0:
            acc = np.float32(t)
        else:
            acc = np.float32(acc + np.float32(t))
    return acc


@compiled
def _farthest_of(xu: np.ndarray, cand: np.ndarray, m: int, q: np.ndarray, w: np.ndarray,
                 first: np.ndarray) -> tuple[int, int]:
    """Among ``cand[:m]``, the points with the largest float32 distance to ``q``: the lowest row
    of any of them (the C++ first strict maximum), and the point when it is the only one (else -1)."""
    best = np.float32(-1.0)
    row = -1
    only = -1
    for i in range(m):
        v = cand[i]
        d = _d32(xu, v, q, w)
        if d > best:
            best = d
            row = first[v]
            only = v
        elif d == best:
            only = -1
            if first[v] < row:
                row = first[v]
    return row, only


@compiled
def _rebuild(yu: np.ndarray, cnt: np.ndarray, by_r: np.ndarray, r_sorted: np.ndarray,
             origin: np.ndarray) -> int:
    """Order the live points by decreasing distance from their mean; return how many there are."""
    n_u, p = yu.shape
    live = 0
    for j in range(p):
        origin[j] = 0.0
    for u in range(n_u):
        if cnt[u] > 0:
            live += 1
            for j in range(p):
                origin[j] += yu[u, j]
    for j in range(p):
        origin[j] /= live
    pts = np.empty(live, dtype=np.int64)
    r = np.empty(live)
    i = 0
    for u in range(n_u):
        if cnt[u] > 0:
            s = 0.0
            for j in range(p):
                d = yu[u, j] - origin[j]
                s += d * d
            pts[i] = u
            r[i] = sqrt(s)
            i += 1
    order = np.argsort(-r)
    for i in range(live):
        by_r[i] = pts[order[i]]
        r_sorted[i] = r[order[i]]
    return live


@compiled
def _scan(yu: np.ndarray, yq: np.ndarray, delta: float, eps: float, cnt: np.ndarray, by_r: np.ndarray,
          r_sorted: np.ndarray, total: int, head: int, origin: np.ndarray, cand: np.ndarray,
          cand_t: np.ndarray) -> tuple[int, int]:
    """Live points that may be the farthest from some q within ``delta`` of ``yq`` (weighted).

    Scans by decreasing distance R from ``origin``: a point's distance to yq is at most R + |yq - o|,
    so the scan stops once that falls below what the best point so far guarantees. The grouped
    points it passed leave the order (the live ones move up, in order, against where it stopped),
    so later scans do not read them again. Returns the number of candidates written to ``cand``
    and the new head (first entry of the order).
    """
    p = yu.shape[1]
    s = 0.0
    for j in range(p):
        d = yq[j] - origin[j]
        s += d * d
    h = sqrt(s) * (1 + 1e-12) + delta
    while cnt[by_r[head]] == 0:
        head += 1
    up = (1 + eps) * (1 + 1e-12)
    lo = (1 - eps) * (1 - 1e-12)
    lb = -1.0
    got = 0
    top = -1.0  # the largest squared distance so far: a square root only when it grows
    stop = total
    for pos in range(head, total):
        rr = r_sorted[pos] + h
        if up * rr * rr < lb:
            stop = pos
            break
        v = by_r[pos]
        if cnt[v] == 0:
            continue
        s = 0.0
        for j in range(p):
            d = yu[v, j] - yq[j]
            s += d * d
        cand[got] = v
        cand_t[got] = s
        got += 1
        if s > top:
            top = s
            best = sqrt(s) * (1 - 1e-12) - delta
            if best > 0:
                b = lo * best * best
                if b > lb:
                    lb = b
    # keep every point with up·(t + delta)² >= lb, i.e. t >= need; compared on squares with a
    # margin that can only keep more points (the exact float32 distances decide among them)
    need = sqrt(max(lb, 0.0) / up) * (1 - 1e-12) - delta
    floor = need * need * (1 - 1e-9) if need > 0 else -1.0
    kept = 0
    for i in range(got):
        if cand_t[i] >= floor:
            cand[kept] = cand[i]
            kept += 1
    w = stop - 1
    for pos in range(stop - 1, head - 1, -1):
        v = by_r[pos]
        if cnt[v] > 0:
            by_r[w] = v
            r_sorted[w] = r_sorted[pos]
            w -= 1
    return kept, w + 1


@compiled
def _tree(yu: np.ndarray, leaf: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                               np.ndarray, np.ndarray, np.ndarray]:
    """A KD-tree over the points: splits along the widest coordinate down to ``leaf`` points.

    Returns the points in tree order ``perm``, and per node the range ``[lo, hi)`` of ``perm`` it
    holds, its children (-1 for a leaf), its parent and its bounding box.
    """
    n_u, p = yu.shape
    cap = 2 * n_u + 1  # every split leaves both children non-empty
    perm = np.arange(n_u)
    lo = np.empty(cap, dtype=np.int64)
    hi = np.empty(cap, dtype=np.int64)
    left = np.full(cap, -1, dtype=np.int64)
    right = np.full(cap, -1, dtype=np.int64)
    parent = np.full(cap, -1, dtype=np.int64)
    box_lo = np.empty((cap, p))
    box_hi = np.empty((cap, p))
    lo[0], hi[0] = 0, n_u
    nodes = 1
    stack = np.empty(cap, dtype=np.int64)
    stack[0] = 0
    top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        a, b = lo[node], hi[node]
        best, dim = -1.0, 0
        for j in range(p):
            mn, mx = np.inf, -np.inf
            for i in range(a, b):
                v = yu[perm[i], j]
                mn = min(mn, v)
                mx = max(mx, v)
            box_lo[node, j] = mn
            box_hi[node, j] = mx
            if mx - mn > best:
                best, dim = mx - mn, j
        if b - a <= leaf:
            continue
        # split at the middle of the widest extent (one in-place pass); the median when rounding
        # leaves one side empty
        pivot = 0.5 * (box_lo[node, dim] + box_hi[node, dim])
        i, e = a, b - 1
        while i <= e:
            if yu[perm[i], dim] < pivot:
                i += 1
            else:
                perm[i], perm[e] = perm[e], perm[i]
                e -= 1
        mid = i
        if mid == a or mid == b:
            seg = perm[a:b].copy()
            perm[a:b] = seg[np.argsort(yu[seg, dim])]
            mid = (a + b) // 2
        for c, (ca, cb) in enumerate(((a, mid), (mid, b))):
            lo[nodes], hi[nodes] = ca, cb
            parent[nodes] = node
            if c == 0:
                left[node] = nodes
            else:
                right[node] = nodes
            stack[top] = nodes
            top += 1
            nodes += 1
    return perm, lo[:nodes], hi[:nodes], left[:nodes], right[:nodes], parent[:nodes], box_lo[:nodes], box_hi[:nodes]


@compiled
def _min_dist(yu: np.ndarray, u: int, box_lo: np.ndarray, box_hi: np.ndarray, node: int) -> float:
    s = 0.0
    for j in range(yu.shape[1]):
        # explicit comparisons: numba's three-argument max() is several times slower
        y = yu[u, j]
        below = box_lo[node, j] - y
        above = y - box_hi[node, j]
        if below > 0.0:
            s += below * below
        elif above > 0.0:
            s += above * above
    return sqrt(s)


@compiled
def _nearest(xu: np.ndarray, yu: np.ndarray, u: int, k: int, w: np.ndarray, cnt: np.ndarray, urows: np.ndarray,
             ustart: np.ndarray, perm: np.ndarray, lo: np.ndarray, hi: np.ndarray, left: np.ndarray,
             right: np.ndarray, box_lo: np.ndarray, box_hi: np.ndarray, live: np.ndarray, sigma: float,
             eps: float, out: np.ndarray, best_d: np.ndarray, stack: np.ndarray, stack_g: np.ndarray) -> None:
    """The k nearest live rows of point ``u`` in the C++ bucket order (ascending float32 distance D,
    an equal distance puts the later row first), written to ``out``.

    Nodes are read nearest box first; a point in a box at distance g from u has
    D >= (1 - eps)·(g - sigma)², so a node is skipped once that passes the k-th best D: every
    point not read is strictly farther.
    """
    q = xu[u]
    fac = (1 - eps) * (1 - 1e-9)
    got = 0
    stack[0] = 0
    stack_g[0] = 0.0
    top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        if live[node] == 0:
            continue
        if got == k:
            g = stack_g[top] * (1 - 1e-9) - 2 * sigma
            if g > 0 and fac * g * g > best_d[k - 1]:
                continue
        a = left[node]
        if a >= 0:
            b = right[node]
            ga = _min_dist(yu, u, box_lo, box_hi, a)
            gb = _min_dist(yu, u, box_lo, box_hi, b)
            if ga <= gb:  # the nearer child is read first: pushed last
                stack[top], stack_g[top], stack[top + 1], stack_g[top + 1] = b, gb, a, ga
            else:
                stack[top], stack_g[top], stack[top + 1], stack_g[top + 1] = a, ga, b, gb
            top += 2
            continue
        for i in range(lo[node], hi[node]):
            v = perm[i]
            c = cnt[v]
            if c == 0:
                continue
            d = _d32(xu, v, q, w)
            if got == k and d > best_d[k - 1]:
                continue
            s = ustart[v]
            for t in range(c):
                r = urows[s + t]
                # insert (d, r) into the sorted best list: ascending d, the later row first on a tie
                if got == k and (d > best_d[k - 1] or (d == best_d[k - 1] and r < out[k - 1])):
                    continue
                b = got - 1 if got < k else k - 2
                if got < k:
                    got += 1
                while b >= 0 and (best_d[b] > d or (best_d[b] == d and out[b] < r)):
                    best_d[b + 1] = best_d[b]
                    out[b + 1] = out[b]
                    b -= 1
                best_d[b + 1] = d
                out[b + 1] = r


@compiled
def mdav_loop(xu: np.ndarray, yu: np.ndarray, w: np.ndarray, sw: np.ndarray, inv: np.ndarray,
              cnt: np.ndarray, urows: np.ndarray, ustart: np.ndarray, first: np.ndarray, xt: np.ndarray,
              total: np.ndarray, abs_all: np.ndarray, sigma: float, eps: float, k: int,
              distinct: bool) -> tuple[np.ndarray, np.ndarray]:
    """Rows of every full group in formation order (``n_groups * k`` entries, k per group), and the
    alive mask of the rows left for the last group. ``cnt`` is updated in place.

    Parameters: points ``xu`` (distinct rows), weighted points ``yu = xu * sw``, weights ``w`` and
    their roots ``sw``, the point of every row ``inv``, the copies of every point ``cnt`` (rows
    ``urows[ustart[u]:ustart[u] + cnt[u]]``, ascending, lowest row ``first[u]``), the columns ``xt``
    with their sequential sums ``total`` and absolute sums ``abs_all``, the rounding bounds
    ``sigma`` and ``eps``, and whether every point is one row (``distinct``).
    """
    n = inv.shape[0]
    n_u, p = xu.shape
    alive = np.ones(n, dtype=np.bool_)
    n_alive = n
    n_pts = n_u
    removed = np.zeros(p)
    by_r = np.empty(n_u, dtype=np.int64)
    r_sorted = np.empty(n_u)
    origin = np.empty(p)
    scan_pts = _rebuild(yu, cnt, by_r, r_sorted, origin)
    head = 0
    perm, lo, hi, left, right, parent, box_lo, box_hi = _tree(yu, LEAF)
    n_nodes = lo.shape[0]
    live = hi - lo  # live points under every node
    leaf_of = np.empty(n_u, dtype=np.int64)
    for node in range(n_nodes):
        if left[node] < 0:
            for i in range(lo[node], hi[node]):
                leaf_of[perm[i]] = node
    stack = np.empty(n_nodes + 2, dtype=np.int64)
    stack_g = np.empty(n_nodes + 2)
    cand = np.empty(n_u, dtype=np.int64)
    cand_t = np.empty(n_u)
    far1 = np.full(n_u, -1, dtype=np.int64)  # a point's unique farthest point, while it lives
    flat = np.empty((n // k) * k + k, dtype=np.int64)
    n_flat = 0
    near = np.empty(k, dtype=np.int64)
    best_d = np.empty(k, dtype=np.float32)
    yq = np.empty(p)
    centre = np.empty(p)
    while n_alive - k >= k:
        # --- the row farthest from the centroid -------------------------------------------
        m = n_alive
        delta = 0.0
        # error / (u·sum|x|) of: the total (n additions), the removed rows' running sum (one
        # addition per removed row) and the exact sequential sum of the live rows (gamma_m)
        adds = (n + (n - m) + m + 1) * 1.01
        for j in range(p):
            c = (total[j] - removed[j]) / m
            yq[j] = c * sw[j]
            # the subtraction and the division round once more each
            err = (adds * _U * abs_all[j] / m + 4 * _U * abs(c)) * 1.01
            delta += err * err * w[j]
        delta = sqrt(delta) * 1.01 + sigma
        got, head = _scan(yu, yq, delta, eps, cnt, by_r, r_sorted, scan_pts, head, origin, cand, cand_t)
        if got > 1:
            for j in range(p):
                s = 0.0
                for r in range(n):
                    if alive[r]:
                        s += xt[j, r]
                centre[j] = s / n_alive
            anchor, _ = _farthest_of(xu, cand, got, centre, w, first)
        else:
            anchor = first[cand[0]]
        forms = 2 if n_alive - 2 * k >= k else 1
        for step in range(forms):
            u = inv[anchor]
            nxt = -1
            if step == 0 and forms == 2:
                # --- the textbook "s": farthest from the anchor, before its group leaves --------
                v = far1[u]
                if v >= 0 and cnt[v] > 0:
                    nxt = first[v]
                else:
                    for j in range(p):
                        yq[j] = yu[u, j]
                    got, head = _scan(yu, yq, sigma, eps, cnt, by_r, r_sorted, scan_pts, head, origin,
                                      cand, cand_t)
                    if got > 1:
                        nxt, only = _farthest_of(xu, cand, got, xu[u], w, first)
                    else:
                        nxt, only = first[cand[0]], cand[0]
                    if not distinct and only >= 0:  # without copies a point leaves with its group
                        far1[u] = only
            # --- its k nearest rows form a group ---------------------------------------------
            _nearest(xu, yu, u, k, w, cnt, urows, ustart, perm, lo, hi, left, right, box_lo, box_hi, live, sigma,
                     eps, near, best_d, stack, stack_g)
            for a in range(k):
                r = near[a]
                flat[n_flat] = r
                n_flat += 1
                alive[r] = False
                v = inv[r]
                cnt[v] -= 1
                if cnt[v] == 0:
                    n_pts -= 1
                    node = leaf_of[v]
                    while node >= 0:
                        live[node] -= 1
                        node = parent[node]
                # one rounding per addition, |error| <= u·|partial sum| <= u·sum|x| (bounded at use)
                for j in range(p):
                    removed[j] += xu[v, j]
            n_alive -= k
            if n_pts * 2 < scan_pts and n_pts > 4 * k:
                scan_pts = _rebuild(yu, cnt, by_r, r_sorted, origin)
                head = 0
            anchor = nxt
    return flat[:n_flat], alive
