"""``values.take(index)`` over millions of rows, block by block.

numpy's ``take`` first casts an index array that is not ``intp`` (a column of int32 codes, the
uint32 codes polars keeps for categories) into a new ``intp`` array as long as the index: 24 MB of
fresh memory for 3M rows, page-faulted in and dropped again at every call. Taken a block at a
time, the cast buffer is a few hundred kilobytes that stay in the CPU's cache and the allocator's
free lists; the result is the same array.
"""

from __future__ import annotations

import numpy as np

#: rows per block: the block's cast index (512 kB as intp) stays in the cache
BLOCK = 1 << 16


def take_blocks(values: np.ndarray, index: np.ndarray, out: np.ndarray | None = None, *, block: int = BLOCK) -> np.ndarray:
    """``values.take(index)`` into ``out`` (a new array of ``values``' dtype when None), ``block``
    rows at a time. Every index must be valid (it is clipped, not checked: callers pass codes
    that index ``values`` by construction).

    Examples
    --------
    >>> take_blocks(np.array([10, 20, 30]), np.array([2, 0, 2, 1], dtype=np.uint32)).tolist()
    [30, 10, 30, 20]
    """
    n = index.shape[0]
    if out is None:
        out = np.empty(n, dtype=values.dtype)
    if index.dtype == np.intp or n <= block:
        values.take(index, out=out, mode="clip")
        return out
    for lo in range(0, n, block):
        values.take(index[lo:lo + block], out=out[lo:lo + block], mode="clip")
    return out
