"""The kernel: supports of every adversary instance of one size, and each user's smallest one.

An attacker who knows an instance (``s`` of a user's points) cannot tell apart the users whose
data also yields that instance, so the user's risk is ``1 / min support`` over their instances.
Users are grouped by number of points ``L``; the ``C(L, s)`` index combinations are built once
per group and gathered for all its users at once (numpy on ``(users, C)`` arrays), in chunks of
at most ``CHUNK_KEYS`` instances. Each instance is packed into one int64 key; keys are
de-duplicated per user and counted by sorting. There is no early exit: every instance's support
is counted, which is what makes the answer exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

import numpy as np

from unlinkable.errors import ConfigError

#: instances gathered per chunk (bounds memory)
CHUNK_KEYS = 4_000_000


def _index(length: int, size: int) -> np.ndarray:
    return np.fromiter((i for c in combinations(range(length), size) for i in c),
                       dtype=np.int64).reshape(-1, size)


def _pack(codes: np.ndarray, base: int) -> np.ndarray:
    """Rows of codes below ``base`` as one int64 each (positional, most significant first)."""
    if base ** codes.shape[-1] >= 2 ** 62:
        raise ConfigError(f"instances of {codes.shape[-1]} points over {base:,} distinct values do not fit 64-bit keys",
                          hint="use a smaller k, or coarsen places or times first")
    keys = codes[..., 0].astype(np.int64)
    for j in range(1, codes.shape[-1]):
        keys = keys * base + codes[..., j]
    return keys


def _instances(indptr: np.ndarray, items: np.ndarray, size: int, *, ordered: bool,
               weights: np.ndarray | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(users, keys)`` chunks: ``keys[i]`` holds every ``size``-combination of ``users[i]``'s points.

    All users of a chunk have the same number of points, so ``keys`` is a ``(users, C)`` matrix.
    ``ordered`` keeps the points' order (a subsequence); otherwise the codes are sorted (a
    multiset). With ``weights``, each code is paired with its weight divided by the gcd of the
    instance's weights, so two instances match when their weights are proportional.
    """
    lengths = np.diff(indptr)
    base = int(items.max()) + 1 if len(items) else 1
    wbase = int(weights.max()) + 1 if weights is not None and len(weights) else 1
    for length in np.unique(lengths):
        length = int(length)
        if length < size:
            continue
        users = np.flatnonzero(lengths == length)
        index = _index(length, size)
        step = max(1, CHUNK_KEYS // len(index))
        for start in range(0, len(users), step):
            chunk = users[start:start + step]
            at = indptr[chunk][:, None, None] + index[None, :, :]
            codes = items[at].astype(np.int64)
            if weights is not None:
                w = weights[at].astype(np.int64)
                w //= np.gcd.reduce(w, axis=-1, keepdims=True)
                codes = codes * wbase + w
            if not ordered:
                codes = np.sort(codes, axis=-1)
            yield chunk, _pack(codes, base * wbase)


def _distinct_per_row(keys: np.ndarray) -> np.ndarray:
    """The distinct keys of each row, flattened (a user supports an instance once)."""
    keys = np.sort(keys, axis=1)
    keep = np.ones(keys.shape, dtype=bool)
    keep[:, 1:] = keys[:, 1:] != keys[:, :-1]
    return keys[keep]


def _merge(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys (ascending) and summed counts of several ``(keys, counts)`` parts."""
    keys = np.concatenate([k for k, _ in parts])
    counts = np.concatenate([c for _, c in parts])
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(counts, starts)


def min_support(indptr: np.ndarray, items: np.ndarray, k: int, *, ordered: bool = False,
                weights: np.ndarray | None = None) -> np.ndarray:
    """Per user, the smallest support among the instances of ``min(k, L)`` of their points.

    The support of an instance is the number of users (the user included) whose own instances
    of that size contain it. Users with no point get 0. Two passes over chunks bound memory by
    the distinct instances, not all of them: the first counts each chunk's distinct instances
    per user and merges the counts; the second rebuilds each chunk and looks its supports up.

    Examples
    --------
    Three users with places ``[0, 1]``, ``[0, 1]`` and ``[0, 2]``: at k=1 place 0 is shared by
    all three, at k=2 the first two share ``{0, 1}``.

    >>> indptr, items = np.array([0, 2, 4, 6]), np.array([0, 1, 0, 1, 0, 2])
    >>> min_support(indptr, items, 1).tolist(), min_support(indptr, items, 2).tolist()
    ([2, 2, 1], [2, 2, 1])
    """
    lengths = np.diff(indptr)
    wanted = np.minimum(lengths, k)
    result = np.zeros(len(lengths), dtype=np.int64)
    for size in np.unique(wanted[wanted > 0]):
        size = int(size)
        parts = []
        for _, keys in _instances(indptr, items, size, ordered=ordered, weights=weights):
            distinct, counts = np.unique(_distinct_per_row(keys), return_counts=True)
            parts.append((distinct, counts.astype(np.int64)))
            if len(parts) > 16:  # keep the list of parts short: merge as we go
                parts = [_merge(parts)]
        known, support = _merge(parts)
        for users, keys in _instances(indptr, items, size, ordered=ordered, weights=weights):
            mine = wanted[users] == size
            if mine.any():
                found = support[np.searchsorted(known, keys[mine])]
                result[users[mine]] = found.min(axis=1)
    return result


__all__ = ["min_support", "CHUNK_KEYS"]
