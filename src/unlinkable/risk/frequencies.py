"""Sample and population frequency counts (fk, Fk) with sdcMicro's missing-value rules.

Key variables arrive as a 2-D array of non-negative integer codes, one column per key variable, with
``-1`` meaning missing (NA). Only equality of codes matters here, so any encoding works.
"""

from __future__ import annotations

import numpy as np

from unlinkable.constraints import Interval, check
from unlinkable.errors import InputError
from unlinkable.risk.distinct import DistinctTuples, distinct_tuples

__all__ = ["frequencies", "tuple_frequencies", "validate_keys", "class_ids"]

_INT64_LIMIT = np.iinfo(np.int64).max


def validate_keys(keys: object, *, name: str = "keys") -> np.ndarray:
    """Check and return ``keys`` as a C-contiguous 2-D int64 array (shared by the risk modules)."""
    arr = np.asarray(keys)
    if arr.ndim != 2:
        raise InputError(
            f"{name} must be a 2-D array (records x key variables); got {arr.ndim} dimension(s)",
            hint="pass one column per key variable, e.g. np.column_stack([codes_a, codes_b])",
        )
    if arr.shape[1] == 0:
        raise InputError(f"{name} has no key variables (0 columns)", hint="pass at least one key variable")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise InputError(
            f"{name} must hold integer codes; got dtype {arr.dtype}",
            hint="encode each key column to integer codes, with -1 for a missing value",
        )
    arr = np.ascontiguousarray(arr, dtype=np.int64)
    if arr.size and arr.min() < -1:
        row, col = np.argwhere(arr < -1)[0]
        raise InputError(
            f"{name} holds code {arr[row, col]} at row {row}, column {col}; codes must be >= 0, or -1 for NA",
            hint="re-encode the column so that values are 0, 1, 2, ... and missing values are -1",
        )
    return arr


def class_ids(cols: np.ndarray) -> np.ndarray:
    """Dense class id per row of a 2-D non-negative int array (rows equal <=> same id).

    Columns are folded into one int64 by mixed-radix arithmetic; whenever the radix product would
    overflow int64 the partial key is re-densified with ``np.unique`` first, so any width works.
    """
    n, m = cols.shape
    if m == 0:
        return np.zeros(n, dtype=np.int64)
    key = np.zeros(n, dtype=np.int64)
    span = 1  # number of distinct values ``key`` can take
    for j in range(m):
        col = cols[:, j]
        card = int(col.max()) + 1 if n else 1
        if span > _INT64_LIMIT // max(card, 1):
            _, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64, copy=False)
            span = int(key.max()) + 1 if n else 1
        key = key * card + col
        span *= card
    return key


def _dense(key: np.ndarray) -> tuple[np.ndarray, int]:
    uniq, inv = np.unique(key, return_inverse=True)
    return inv.reshape(-1), len(uniq)


def frequencies(
    keys: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    alpha: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Sample frequency ``fk`` and estimated population frequency ``Fk`` of every record's key.

    A missing key value (code ``-1``) is a wildcard that matches any value, as in sdcMicro's
    ``freqCalc``. Two key patterns are *compatible* when they agree wherever both are non-missing.

    * complete record: ``fk`` = own count + ``alpha`` x (records of compatible patterns with some,
      but not all, keys missing);
    * record with some keys missing: ``fk`` = own count + records of compatible complete patterns
      (not scaled) + ``alpha`` x (records of other compatible patterns with missing keys, including
      all-missing records);
    * record whose keys are all missing: ``fk`` = n and ``Fk`` = sum of weights;
    * with a single key variable, complete values get + ``alpha`` x (number of missing records).

    ``Fk`` is built the same way from weight sums (``Fk = fk`` without weights).

    Parameters
    ----------
    keys : numpy.ndarray
        Integer codes, shape (n, m); ``-1`` marks a missing value. Only equality of codes matters.
    weights : numpy.ndarray or None
        Sampling weights, length n. ``None`` means the data are the population (``Fk = fk``).
    alpha : float
        How much keys with missing values count, in [0, 1].

    Returns
    -------
    fk, Fk : tuple of numpy.ndarray
        float64 arrays of length n (fractional when ``alpha < 1``).

    Notes
    -----
    Follows sdcMicro's ``freqCalc`` (Templ, Kowarik and Meindl, "Statistical Disclosure Control for
    Micro-Data Using the R Package sdcMicro", JSS 67(4), 2015), including its special cases for
    all-missing records and for a single key variable. The work is grouped by missing-value pattern:
    for each pair of patterns the records are matched on the columns present in both, so the cost is
    O(P^2 n) for P distinct patterns (P <= 2^m, and usually tiny).

    Examples
    --------
    >>> import numpy as np
    >>> keys = np.array([[0, 1], [0, 1], [0, -1], [1, 0]])
    >>> fk, Fk = frequencies(keys)
    >>> fk.tolist()
    [3.0, 3.0, 3.0, 1.0]
    >>> frequencies(keys, alpha=0.5)[0].tolist()
    [2.5, 2.5, 3.0, 1.0]
    """
    keys = validate_keys(keys)
    n, m = keys.shape
    alpha = _alpha(alpha)
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (n,):
            raise InputError(
                f"weights has shape {w.shape} but keys has {n} rows",
                hint="pass one weight per record, or weights=None",
            )
        if not np.all(np.isfinite(w)):
            bad = int(np.flatnonzero(~np.isfinite(w))[0])
            raise InputError(f"weights holds a missing or infinite value at row {bad}", hint="impute or drop it")

    if n == 0:
        return np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.float64)
    tuples = distinct_tuples(keys)
    fk, Fk = tuple_frequencies(tuples, weights=None if weights is None else w, alpha=alpha)
    return tuples.expand(fk), tuples.expand(Fk)


def tuple_frequencies(
    tuples: DistinctTuples,
    *,
    weights: np.ndarray | None = None,
    alpha: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``fk`` and ``Fk`` of every distinct key tuple (all records of a tuple share their values).

    The rules of :func:`frequencies`, applied to the distinct tuples with their counts, so the
    cost grows with the number of tuples, not of records. ``weights`` are per record. Counts are
    integers, so every fk is exactly what a record-level count gives. Weight sums are added in
    record order within each tuple, which is the record-level order when no key is missing; with
    weights *and* missing keys the compatible tuples' sums would be added in another order than
    sdcMicro's record-level sums, so that case is counted over records.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.risk.distinct import distinct_tuples
    >>> t = distinct_tuples(np.array([[0, 1], [0, 1], [0, -1], [1, 0]]))
    >>> fk, Fk = tuple_frequencies(t)
    >>> t.codes.tolist(), fk.tolist()
    ([[0, 1], [0, -1], [1, 0]], [3.0, 3.0, 1.0])
    """
    alpha = _alpha(alpha)
    counts = tuples.counts.astype(np.float64)
    if weights is None:
        fk = _pattern_frequencies(tuples.codes, counts, None, alpha)[0]
        return fk, fk.copy()
    if not (tuples.codes < 0).any():
        # No missing key: each tuple is its own group and its weight sum is the record-level sum.
        return counts, tuples.sums(weights)
    rows = np.empty((tuples.records, tuples.codes.shape[1]), dtype=np.int64)
    for j in range(tuples.codes.shape[1]):
        rows[:, j] = tuples.expand(tuples.codes[:, j])
    fk, Fk = _pattern_frequencies(rows, np.ones(tuples.records), np.asarray(weights, dtype=np.float64), alpha)
    return fk.take(tuples.first), Fk.take(tuples.first)


def _alpha(alpha: object) -> float:
    return float(check(alpha, Interval(float, 0, 1), "alpha", hint="alpha=1 counts every wildcard match fully"))


def _pattern_frequencies(keys: np.ndarray, mult: np.ndarray, weights: np.ndarray | None,
                         alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """fk (counting row i ``mult[i]`` times) and Fk (summing ``weights``; None: ``mult``) of each
    row of ``keys``, grouped by missing-value pattern. Rows may repeat only when ``mult`` is 1."""
    n, m = keys.shape
    w = mult if weights is None else weights
    records = float(mult.sum())
    fk = np.zeros(n, dtype=np.float64)
    Fk = np.zeros(n, dtype=np.float64)
    if n == 0:
        return fk, Fk

    na = keys < 0
    full_mask = (1 << m) - 1
    mask = (na.astype(np.int64) << np.arange(m, dtype=np.int64)).sum(axis=1)

    if not na.any():
        gid, ng = _dense(class_ids(keys))
        fk = np.bincount(gid, weights=mult, minlength=ng)[gid]
        Fk = np.bincount(gid, weights=w, minlength=ng)[gid]
        return fk, Fk

    total_w = float(w.sum())
    if m == 1:
        # sdcMicro's one-key exception: NA records count (scaled) towards every complete value.
        comp = ~na[:, 0]
        n_na = float(mult[~comp].sum())
        w_na = float(w[~comp].sum())
        if comp.any():
            gid, ng = _dense(keys[comp, 0])
            fk[comp] = np.bincount(gid, weights=mult[comp], minlength=ng)[gid] + n_na * alpha
            Fk[comp] = np.bincount(gid, weights=w[comp], minlength=ng)[gid] + w_na * alpha
        fk[~comp] = records
        Fk[~comp] = total_w
        return fk, Fk

    masks = np.unique(mask)
    members = {int(a): np.flatnonzero(mask == a) for a in masks}
    for a in masks:
        a = int(a)
        tgt = members[a]
        if a == full_mask:
            fk[tgt] = records
            Fk[tgt] = total_w
            continue
        own_f = own_w = None
        extra_f = np.zeros(len(tgt))  # alpha-scaled part
        extra_w = np.zeros(len(tgt))
        comp_f = np.zeros(len(tgt))  # unscaled matches with complete patterns (NA targets only)
        comp_w = np.zeros(len(tgt))
        for b in masks:
            b = int(b)
            if a == 0 and b == full_mask:
                continue  # all-NA records are not added to complete keys
            src = members[b]
            shared = [j for j in range(m) if not (a | b) >> j & 1]
            if a == b:
                sel = tgt
                gid, ng = _dense(class_ids(keys[sel][:, shared]))
                own_f = np.bincount(gid, weights=mult[sel], minlength=ng)[gid]
                own_w = np.bincount(gid, weights=w[sel], minlength=ng)[gid]
                continue
            both = np.concatenate([tgt, src])
            gid, ng = _dense(class_ids(keys[both][:, shared]))
            g_src = gid[len(tgt):]
            g_tgt = gid[: len(tgt)]
            cnt = np.bincount(g_src, weights=mult[src], minlength=ng)[g_tgt]
            wsum = np.bincount(g_src, weights=w[src], minlength=ng)[g_tgt]
            if a != 0 and b == 0:
                comp_f += cnt
                comp_w += wsum
            else:
                extra_f += cnt
                extra_w += wsum
        assert own_f is not None and own_w is not None  # the pattern itself is always among the subsets
        fk[tgt] = own_f + (extra_f * alpha + comp_f)
        Fk[tgt] = own_w + (extra_w * alpha + comp_w)
    return fk, Fk
