"""The kernel: every itemset of one size in every record, as packed integer keys, and their supports.

Records are grouped by length ``L``; for each group the ``C(L, s)`` index combinations are built
once and gathered for all its records at once, so the work is numpy on ``(records, C)`` arrays.
An itemset ``(a_1 < ... < a_s)`` of item codes below ``D`` is packed into one int64 key
``sum a_j * D**(s - j)``. Supports are counted with ``bincount`` when ``D**s`` is small, else
with sorted unique keys merged across chunks. The support of an itemset is the number of records
containing it (items of a record are distinct, so a record counts once).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

from unlinkable.errors import ConfigError
from unlinkable.points.encoded import Points

#: keys generated per chunk (bounds memory: 8 bytes each, a few copies)
CHUNK_KEYS = 4_000_000
#: ``D**s`` up to this is counted in a dense array
DENSE_LIMIT = 1 << 24
#: :class:`Itemsets` keeps the keys of a size when there are at most this many
KEEP_KEYS = 40_000_000


def subset_count(lengths: np.ndarray, size: int) -> int:
    """The number of itemsets of ``size`` over all records (sum of C(L, size)).

    Examples
    --------
    >>> subset_count(np.array([3, 4, 1]), 2)
    9
    """
    values, counts = np.unique(lengths, return_counts=True)
    return int(sum(comb(int(v), size) * int(c) for v, c in zip(values, counts)))


def _packable(d: int, size: int) -> None:
    if d ** size >= 2 ** 62:
        raise ConfigError(f"itemsets of size {size} over {d:,} distinct items do not fit the 64-bit keys",
                          hint="use a smaller m or p, or coarsen the items with a hierarchy first")


def keys_by_chunk(sets: Points, size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(record indices, keys[records, C])`` chunks covering every itemset of ``size`` once.

    ``sets`` must hold distinct items per record in ascending order (:meth:`Points.sets`).

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 0], [0, 1, 2], labels="abc")
    >>> [(r.tolist(), k.tolist()) for r, k in keys_by_chunk(p, 2)]
    [([0], [[1, 2, 5]])]
    """
    d = max(len(sets.labels), 1)
    _packable(d, size)
    lengths = sets.lengths()
    for length in np.unique(lengths):
        length = int(length)
        if length < size:
            continue
        rows = np.flatnonzero(lengths == length)
        index = np.fromiter((i for c in combinations(range(length), size) for i in c), dtype=np.int64).reshape(-1, size)
        step = max(1, CHUNK_KEYS // len(index))
        for start in range(0, len(rows), step):
            chunk = rows[start:start + step]
            base = sets.indptr[chunk][:, None]
            keys = sets.items[base + index[:, 0]].astype(np.int64)
            for j in range(1, size):
                keys *= d
                keys += sets.items[base + index[:, j]]
            yield chunk, keys


@dataclass(frozen=True)
class Supports:
    """Supports of the itemsets of one size: dense (``counts[key]``) or sparse (sorted ``keys``)."""

    size: int
    keys: np.ndarray | None
    counts: np.ndarray

    def of(self, keys: np.ndarray) -> np.ndarray:
        """The support of each key (every key must occur in the data)."""
        if self.keys is None:
            return np.asarray(self.counts[keys])
        return self.counts[np.searchsorted(self.keys, keys)]

    def occurring(self) -> np.ndarray:
        """The supports of the itemsets that occur (support >= 1)."""
        return self.counts[self.counts > 0] if self.keys is None else self.counts


def supports(sets: Points, size: int, *, chunks: Iterable[tuple[np.ndarray, np.ndarray]] | None = None) -> Supports:
    """Count every itemset of ``size`` over the records.

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1, 1], [0, 1, 0, 1], labels="ab")
    >>> supports(p, 2).occurring().tolist()
    [2]
    """
    d = max(len(sets.labels), 1)
    _packable(d, size)
    if chunks is None:
        chunks = keys_by_chunk(sets, size)
    if d ** size <= DENSE_LIMIT:
        counts = np.zeros(d ** size, dtype=np.int64)
        for _, keys in chunks:
            counts += np.bincount(keys.ravel(), minlength=d ** size)
        return Supports(size, None, counts)
    parts_keys, parts_counts = [], []
    for _, keys in chunks:
        k, c = _sorted_counts(keys.ravel())
        parts_keys.append(k)
        parts_counts.append(c)
    if not parts_keys:
        return Supports(size, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    all_keys = np.concatenate(parts_keys)
    order = np.argsort(all_keys, kind="stable")
    all_keys, all_counts = all_keys[order], np.concatenate(parts_counts)[order]
    starts = np.flatnonzero(np.r_[True, all_keys[1:] != all_keys[:-1]])
    return Supports(size, all_keys[starts], np.add.reduceat(all_counts, starts).astype(np.int64))


def _sorted_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys ascending and their counts (a sort; numpy 2's hashed unique is slower here)."""
    keys = np.sort(keys)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.diff(np.r_[starts, len(keys)]).astype(np.int64)


class Itemsets:
    """The itemsets of a set of records, by size, generated once and shared by every measure.

    Key chunks of a size are kept when there are at most ``KEEP_KEYS`` of them (8 bytes each),
    so k^m exposure and unicity at the same size count and look up the same keys.

    Examples
    --------
    >>> s = Itemsets(Points.from_codes([0, 0, 1, 1], [0, 1, 0, 1], labels="ab"))
    >>> s.supports(2).occurring().tolist(), len(s.chunks(2))
    ([2], 1)
    """

    def __init__(self, points: Points) -> None:
        self.sets = points.sets()
        self._chunks: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        self._supports: dict[int, Supports] = {}

    def chunks(self, size: int) -> list[tuple[np.ndarray, np.ndarray]] | Iterator[tuple[np.ndarray, np.ndarray]]:
        if size in self._chunks:
            return self._chunks[size]
        if subset_count(self.sets.lengths(), size) > KEEP_KEYS:
            return keys_by_chunk(self.sets, size)
        self._chunks[size] = list(keys_by_chunk(self.sets, size))
        return self._chunks[size]

    def supports(self, size: int) -> Supports:
        if size not in self._supports:
            self._supports[size] = supports(self.sets, size, chunks=self.chunks(size))
        return self._supports[size]


__all__ = ["subset_count", "keys_by_chunk", "supports", "Supports", "Itemsets", "CHUNK_KEYS", "DENSE_LIMIT", "KEEP_KEYS"]
