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
#: keys summed per bucket when the chunks' counts are added up
BUCKET_KEYS = 16_000_000


def _index(length: int, size: int) -> np.ndarray:
    return np.fromiter((i for c in combinations(range(length), size) for i in c),
                       dtype=np.int64).reshape(-1, size)


def _instances(indptr: np.ndarray, items: np.ndarray, size: int, *, ordered: bool,
               weights: np.ndarray | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(users, keys)`` chunks: ``keys[i]`` holds every ``size``-combination of ``users[i]``'s points.

    All users of a chunk have the same number of points, so ``keys`` is a ``(users, C)`` matrix.
    ``ordered`` keeps the points' order (a subsequence); otherwise the codes are sorted (a
    multiset). With ``weights``, each code is paired with its weight divided by the gcd of the
    instance's weights, so two instances match when their weights are proportional. An instance
    is packed into one int64 key, positionally (most significant first), column by column.
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
        if (base * wbase) ** size >= 2 ** 62:
            raise ConfigError(f"instances of {size} points over {base * wbase:,} distinct values do not fit 64-bit keys",
                              hint="use a smaller k, or coarsen places or times first")
        for start in range(0, len(users), step):
            chunk = users[start:start + step]
            rows = indptr[chunk][:, None] + np.arange(length)
            codes = items[rows].astype(np.int64, copy=False)
            w = None if weights is None else weights[rows].astype(np.int64, copy=False)
            if not ordered:
                # each user's points sorted once (by code, then weight): every combination of
                # ascending positions is then a sorted multiset, as the instance's key needs
                if w is None:
                    codes = np.sort(codes, axis=1)
                else:
                    by = np.argsort(codes * wbase + w, axis=1, kind="stable")
                    codes, w = np.take_along_axis(codes, by, axis=1), np.take_along_axis(w, by, axis=1)
            columns = [index[:, j] for j in range(size)]
            common = None
            if w is not None:
                common = w[:, columns[0]]
                for column in columns[1:]:
                    common = np.gcd(common, w[:, column])
            keys = np.zeros((len(chunk), len(index)), dtype=np.int64)
            for column in columns:
                code = codes[:, column]
                if w is not None and common is not None:
                    code = code * wbase + w[:, column] // common
                keys *= base * wbase
                keys += code
            yield chunk, keys


def _distinct_per_row(keys: np.ndarray) -> np.ndarray:
    """The distinct keys of each row, flattened (a user supports an instance once)."""
    keys = np.sort(keys, axis=1)
    keep = np.ones(keys.shape, dtype=bool)
    keep[:, 1:] = keys[:, 1:] != keys[:, :-1]
    return keys[keep]


def _shared(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The keys (ascending) whose counts summed over the ``(sorted keys, counts)`` parts reach 2, with those sums.

    Keys held once are most keys of long traces, and a key missing here has support 1, so they are
    not kept. The parts are cut at the same key values into buckets of about ``BUCKET_KEYS`` keys,
    each summed on its own (the same key always falls in the same bucket), which bounds the
    memory of one sort and keeps it in cache.
    """
    total = sum(len(k) for k, _ in parts)
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    sample = np.sort(np.concatenate([k[:: max(1, len(k) // 1000)] for k, _ in parts]))
    n_buckets = -(-total // BUCKET_KEYS)
    bounds = np.unique(sample[(np.arange(1, n_buckets) * len(sample)) // n_buckets])
    cuts = [np.r_[0, np.searchsorted(k, bounds), len(k)] for k, _ in parts]
    out_keys, out_counts = [], []
    for b in range(len(bounds) + 1):
        keys = np.concatenate([k[c[b]:c[b + 1]] for (k, _), c in zip(parts, cuts)])
        counts = np.concatenate([n[c[b]:c[b + 1]] for (_, n), c in zip(parts, cuts)])
        order = np.argsort(keys, kind="stable")
        keys, counts = keys[order], counts[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=np.int64)
        sums = np.add.reduceat(counts.astype(np.int64), starts) if len(keys) else np.zeros(0, dtype=np.int64)
        keep = sums >= 2
        out_keys.append(keys[starts[keep]])
        out_counts.append(sums[keep])
    return np.concatenate(out_keys), np.concatenate(out_counts)


class _Sieve:
    """A bit table over hashed keys: a key whose bit is clear is not among the shared keys.

    Most looked-up keys are held once and never shared; the table answers them without a binary
    search in the shared keys (false positives only cost that search).
    """

    def __init__(self, shared: np.ndarray) -> None:
        self.shift = np.uint64(64 - max(16, min(30, int(np.ceil(np.log2(max(len(shared), 1) * 8))))))
        self.bits = np.zeros(1 << (64 - int(self.shift)), dtype=bool)
        self.bits[self._hash(shared)] = True

    def _hash(self, keys: np.ndarray) -> np.ndarray:
        # Fibonacci hashing: the top bits of the key times 2^64 / golden ratio (wrapping)
        return ((keys.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> self.shift).astype(np.int64)

    def maybe(self, keys: np.ndarray) -> np.ndarray:
        found: np.ndarray = self.bits[self._hash(keys)]
        return found


def _supports(keys: np.ndarray, shared: np.ndarray, support: np.ndarray, sieve: _Sieve) -> np.ndarray:
    """The support of every key: its count among the shared keys, 1 for a key not among them."""
    found = np.ones(keys.shape, dtype=np.int64)
    if not len(shared):
        return found
    maybe = sieve.maybe(keys)
    if np.count_nonzero(maybe) > maybe.size // 2:  # mostly shared keys: searching them all is cheaper
        at = np.minimum(np.searchsorted(shared, keys), len(shared) - 1)
        return np.where(shared[at] == keys, support[at], 1)
    asked = keys[maybe]
    at = np.minimum(np.searchsorted(shared, asked), len(shared) - 1)
    found[maybe] = np.where(shared[at] == asked, support[at], 1)
    return found


def min_support(indptr: np.ndarray, items: np.ndarray, k: int, *, ordered: bool = False,
                weights: np.ndarray | None = None) -> np.ndarray:
    """Per user, the smallest support among the instances of ``min(k, L)`` of their points.

    The support of an instance is the number of users (the user included) whose own instances
    of that size contain it. Users with no point get 0. Two passes over chunks bound memory by
    the distinct instances of each chunk, not all instances: the first counts each chunk's
    distinct instances and sums the counts by buckets of key values, keeping the instances held
    more than once; the second rebuilds each chunk and looks its supports up (1 when not kept).

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
            parts.append((distinct, counts.astype(np.uint32)))
        shared, support = _shared(parts)
        del parts
        sieve = _Sieve(shared)
        for users, keys in _instances(indptr, items, size, ordered=ordered, weights=weights):
            mine = wanted[users] == size
            if not mine.any():
                continue
            wanted_keys = keys if mine.all() else keys[mine]
            result[users[mine]] = _supports(wanted_keys, shared, support, sieve).min(axis=1)
    return result


__all__ = ["min_support", "CHUNK_KEYS"]
