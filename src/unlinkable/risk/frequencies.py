"""Sample and population frequency counts (fk, Fk) with sdcMicro's missing-value rules.

Key variables arrive as a 2-D array of non-negative integer codes, one column per key variable, with
``-1`` meaning missing (NA). Only equality of codes matters here, so any encoding works.
"""

from __future__ import annotations

import numpy as np

from unlinkable.errors import ConfigError, InputError

__all__ = ["frequencies", "validate_keys", "group_ids"]

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


def group_ids(cols: np.ndarray) -> np.ndarray:
    """Dense group id per row of a 2-D non-negative int array (rows equal <=> same id).

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
    try:
        alpha = float(alpha)
    except (TypeError, ValueError):
        raise ConfigError(f"alpha must be a number in [0, 1]; got {alpha!r}", hint="use e.g. alpha=1") from None
    if not 0.0 <= alpha <= 1.0:
        raise ConfigError(f"alpha must lie in [0, 1]; got {alpha}", hint="alpha=1 counts every wildcard match fully")
    if weights is None:
        w = np.ones(n, dtype=np.float64)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (n,):
            raise InputError(
                f"weights has shape {w.shape} but keys has {n} rows",
                hint="pass one weight per record, or weights=None",
            )
        if not np.all(np.isfinite(w)):
            bad = int(np.flatnonzero(~np.isfinite(w))[0])
            raise InputError(f"weights holds a missing or infinite value at row {bad}", hint="impute or drop it")

    fk = np.zeros(n, dtype=np.float64)
    Fk = np.zeros(n, dtype=np.float64)
    if n == 0:
        return fk, Fk

    na = keys < 0
    full_mask = (1 << m) - 1
    mask = (na.astype(np.int64) << np.arange(m, dtype=np.int64)).sum(axis=1)

    if not na.any():
        gid, ng = _dense(group_ids(keys))
        fk = np.bincount(gid, minlength=ng).astype(np.float64)[gid]
        Fk = np.bincount(gid, weights=w, minlength=ng)[gid]
        return fk, (fk.copy() if weights is None else Fk)

    total_w = float(w.sum())
    if m == 1:
        # sdcMicro's one-key exception: NA records count (scaled) towards every complete value.
        comp = ~na[:, 0]
        n_na = float(np.count_nonzero(~comp))
        w_na = float(w[~comp].sum())
        if comp.any():
            gid, ng = _dense(keys[comp, 0])
            fk[comp] = np.bincount(gid, minlength=ng)[gid] + n_na * alpha
            Fk[comp] = np.bincount(gid, weights=w[comp], minlength=ng)[gid] + w_na * alpha
        fk[~comp] = n
        Fk[~comp] = total_w
        return fk, (fk.copy() if weights is None else Fk)

    masks = np.unique(mask)
    members = {int(a): np.flatnonzero(mask == a) for a in masks}
    for a in masks:
        a = int(a)
        tgt = members[a]
        if a == full_mask:
            fk[tgt] = n
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
                gid, ng = _dense(group_ids(keys[sel][:, shared]))
                own_f = np.bincount(gid, minlength=ng).astype(np.float64)[gid]
                own_w = np.bincount(gid, weights=w[sel], minlength=ng)[gid]
                continue
            both = np.concatenate([tgt, src])
            gid, ng = _dense(group_ids(keys[both][:, shared]))
            g_src = gid[len(tgt):]
            g_tgt = gid[: len(tgt)]
            cnt = np.bincount(g_src, minlength=ng).astype(np.float64)[g_tgt]
            wsum = np.bincount(g_src, weights=w[src], minlength=ng)[g_tgt]
            if a != 0 and b == 0:
                comp_f += cnt
                comp_w += wsum
            else:
                extra_f += cnt
                extra_w += wsum
        fk[tgt] = own_f + (extra_f * alpha + comp_f)
        Fk[tgt] = own_w + (extra_w * alpha + comp_w)
    return fk, (fk.copy() if weights is None else Fk)
