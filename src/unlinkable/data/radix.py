"""Rows of integer codes as mixed-radix keys: dense group ids without sorting rows.

Each row becomes one integer (the first column most significant), renumbered over the keys present
(:func:`compact`, a bincount-sized pass) whenever the key space would outgrow the rows. The ids
come in the rows' lexicographic order, as ``np.unique(rows, axis=0, return_inverse=True)`` numbers
them, at a fraction of its cost (it sorts whole rows).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["KEY_LIMIT", "compact", "group_rows"]

#: a key space beyond this would overflow int64 once multiplied by one more cardinality
KEY_LIMIT = 1 << 62


def compact(key: np.ndarray, space: int) -> tuple[np.ndarray, int]:
    """The keys (each below ``space``) renumbered 0, 1, ... in key order over the keys present, and
    how many are.

    >>> ids, count = compact(np.array([7, 2, 7, 9]), 10)
    >>> ids.tolist(), count
    ([1, 0, 1, 2], 3)
    """
    present = np.zeros(space, dtype=bool)
    present[key] = True
    dense = np.cumsum(present, dtype=np.int64) - 1
    return dense[key], int(dense[-1]) + 1


def group_rows(gen: np.ndarray, cards: Sequence[int]) -> tuple[np.ndarray, int]:
    """Dense group id per row of an int matrix (rows equal <=> ids equal), in the rows' lexicographic
    order, and the number of groups. Column ``i`` holds codes ``0 .. cards[i] - 1``.

    >>> ids, count = group_rows(np.array([[1, 0], [0, 2], [0, 1], [1, 0]]), [2, 3])
    >>> ids.tolist(), count
    ([2, 1, 0, 2], 3)
    """
    rows = gen.shape[0]
    if rows == 0:
        return np.zeros(0, dtype=np.int64), 0
    if gen.shape[1] == 0:
        return np.zeros(rows, dtype=np.int64), 1
    cap = max(8 * rows, 1 << 16)
    key = gen[:, 0].astype(np.int64)
    space = max(int(cards[0]), 1)
    for i in range(1, gen.shape[1]):
        card = max(int(cards[i]), 1)
        if card == 1:
            continue
        if space * card > cap:
            key, space = compact(key, space)
            if space * card > KEY_LIMIT:  # pragma: no cover - only with astronomically many rows
                _, key = np.unique(key, return_inverse=True)
        key = key * card + gen[:, i]
        space *= card
    return compact(key, space)
