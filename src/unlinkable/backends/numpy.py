"""Reference backend: grouping with mixed-radix integer keys and numpy.

Small key spaces are counted with ``bincount`` in O(n); large ones fall back to a sort. Keys
never overflow: when the radix product would pass 2**62 the partial key is compacted first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_LIMIT = 1 << 62


class NumpyBackend:
    """Group records on integer codes with vectorised numpy.

    Examples
    --------
    >>> import numpy as np
    >>> ids, sizes = NumpyBackend().group([np.array([0, 1, 0]), np.array([2, 2, 2])], [2, 3])
    >>> ids.tolist(), sizes.tolist()
    ([0, 1, 0], [2, 1])
    """

    name = "numpy"

    def group(self, columns: Sequence[np.ndarray], cardinalities: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        if not columns:
            raise ValueError("group needs at least one column")
        n = len(columns[0])
        key, space = combined_key(columns, cardinalities)
        if space <= max(4 * n, 1 << 16):
            counts = np.bincount(key, minlength=space)
            occupied = counts > 0
            dense = np.cumsum(occupied, dtype=np.int64) - 1
            return dense[key], counts[occupied]
        uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        return inverse.reshape(-1), counts

    def class_sizes(self, columns: Sequence[np.ndarray], cardinalities: Sequence[int]) -> np.ndarray:
        """The size of every class, in ascending key order (no per-record arrays kept).

        Large key spaces are sorted in place: one int64 key array is the only extra memory.
        """
        n = len(columns[0])
        key, space = combined_key(columns, cardinalities)
        if space <= max(4 * n, 1 << 16):
            counts = np.bincount(key, minlength=space)
            return counts[counts > 0]
        key.sort()
        ends = np.flatnonzero(key[1:] != key[:-1])
        del key
        bounds = np.empty(len(ends) + 2, dtype=np.int64)
        bounds[0], bounds[-1] = -1, n - 1
        bounds[1:-1] = ends
        return np.diff(bounds)

    def record_sizes(self, columns: Sequence[np.ndarray], cardinalities: Sequence[int]) -> np.ndarray:
        """The size of each record's class (cheaper than ``group`` when class ids are not needed).

        Large key spaces are counted with a multi-threaded hash aggregation instead of a sort.
        """
        n = len(columns[0])
        key, space = combined_key(columns, cardinalities)
        if space <= max(4 * n, 1 << 16):
            return np.asarray(np.bincount(key, minlength=space)[key])
        import polars as pl

        return pl.DataFrame({"k": key}).select(pl.len().over("k")).to_series().to_numpy().astype(np.int64, copy=False)


def combined_key(columns: Sequence[np.ndarray], cardinalities: Sequence[int]) -> tuple[np.ndarray, int]:
    """One int64 key per record that is equal exactly when all codes are equal, and its bound."""
    key = np.array(columns[0], dtype=np.int64)  # a copy: updated in place below
    space = max(int(cardinalities[0]), 1)
    for col, card in zip(columns[1:], cardinalities[1:]):
        card = max(int(card), 1)
        if space * card >= _LIMIT:
            _, key = np.unique(key, return_inverse=True)
            key = key.reshape(-1).astype(np.int64)
            space = int(key.max()) + 1 if len(key) else 1
        # in place: no n-sized temporaries per column
        key *= card
        key += col
        space *= card
    return key, space


DEFAULT_BACKEND = NumpyBackend()
