"""The kernel: every itemset of one size in every record, as packed integer keys, and their supports.

Records are grouped by length ``L``; for each group the ``C(L, s)`` index combinations are built
once and gathered for all its records at once, so the work is numpy on ``(records, C)`` arrays.
An itemset ``(a_1 < ... < a_s)`` of item codes below ``D`` is packed into one int64 key
``sum a_j * D**(s - j)``. Supports are counted with ``bincount`` when ``D**s`` is small, else
with sorted unique keys merged across chunks. The support of an itemset is the number of records
containing it (items of a record are distinct, so a record counts once).
"""

from __future__ import annotations

from collections.abc import Iterator
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


def keys_by_group(sets: Points, size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(record indices, keys[records, C])`` chunks covering every itemset of ``size`` once.

    ``sets`` must hold distinct items per record in ascending order (:meth:`Points.sets`).

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 0], [0, 1, 2], labels="abc")
    >>> [(r.tolist(), k.tolist()) for r, k in keys_by_group(p, 2)]
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
            return self.counts[keys]
        return self.counts[np.searchsorted(self.keys, keys)]

    def occurring(self) -> np.ndarray:
        """The supports of the itemsets that occur (support >= 1)."""
        return self.counts[self.counts > 0] if self.keys is None else self.counts


def supports(sets: Points, size: int) -> Supports:
    """Count every itemset of ``size`` over the records.

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1, 1], [0, 1, 0, 1], labels="ab")
    >>> supports(p, 2).occurring().tolist()
    [2]
    """
    d = max(len(sets.labels), 1)
    _packable(d, size)
    if d ** size <= DENSE_LIMIT:
        counts = np.zeros(d ** size, dtype=np.int64)
        for _, keys in keys_by_group(sets, size):
            counts += np.bincount(keys.ravel(), minlength=d ** size)
        return Supports(size, None, counts)
    parts_keys, parts_counts = [], []
    for _, keys in keys_by_group(sets, size):
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


__all__ = ["subset_count", "keys_by_group", "supports", "Supports", "CHUNK_KEYS", "DENSE_LIMIT"]
