"""The distinct quasi-identifier tuples of a table with their counts: what whole-table passes read.

After encoding, every risk figure of a table depends on its records only through the distinct
tuples of key codes and how many records carry each one (plus, where a measure needs them, sums
of per-record values over each tuple, such as sampling weights or sensitive-value histograms).
A table of 3 million records may have 20 thousand distinct tuples, so measures computed on the
tuples with count weights cost a fraction of a pass over records. Records are touched here once,
to group them; ``record_tuple`` maps results back to records when a per-record output is asked for.

A missing code (``-1``) is a value of its own in this grouping: two records with the same codes and
the same missing positions share a tuple. Measures that treat missing values as wildcards
(sdcMicro's) start from the tuples and apply their own rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from unlinkable.data.table import first_appearance

__all__ = ["DistinctTuples", "distinct_tuples"]

#: combined keys stay below this bound (int64 arithmetic never overflows)
_LIMIT = 1 << 62


@dataclass(frozen=True, eq=False)
class DistinctTuples:
    """Distinct tuples of key codes in first-appearance order, with their counts.

    ``codes[t]`` are the codes of tuple ``t`` (``-1`` = missing), ``counts[t]`` the number of
    records carrying it, ``first[t]`` the first such record, and ``record_tuple[r]`` the tuple of
    record ``r``. Tuples are numbered in the order their first record appears, so any per-tuple
    array restricted to tuples of count 1 is in record order. A distributed backend groups the
    records where they are and never brings them to one machine: its ``record_tuple`` is None, and
    per-record outputs are not available from it.
    """

    codes: np.ndarray
    counts: np.ndarray
    first: np.ndarray
    record_tuple: np.ndarray | None

    @property
    def records(self) -> int:
        """The number of records (the sum of the counts)."""
        if self.record_tuple is None:
            return int(self.counts.sum())
        return int(self.record_tuple.shape[0])

    @property
    def per_record(self) -> bool:
        """Whether the tuple of every record is known (per-record outputs can be gathered)."""
        return self.record_tuple is not None

    def _records_known(self) -> np.ndarray:
        if self.record_tuple is None:
            raise ValueError("the tuples were grouped by a distributed backend: per-record values are not available")
        return self.record_tuple

    def __len__(self) -> int:
        return int(self.counts.shape[0])

    def expand(self, values: np.ndarray) -> np.ndarray:
        """A per-tuple array as a per-record array (one gather)."""
        return np.asarray(values).take(self._records_known(), axis=0)

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per-tuple sums of a per-record float array, added in record order within each tuple
        (``np.bincount``), so they equal the sums a record-level grouping makes, bit for bit."""
        return np.bincount(self._records_known(), weights=np.asarray(values, dtype=np.float64), minlength=len(self))


def distinct_tuples(keys: np.ndarray | Sequence[np.ndarray]) -> DistinctTuples:
    """Group the rows of an integer code matrix (``-1`` = missing) into distinct tuples.

    Parameters
    ----------
    keys : numpy.ndarray or sequence of numpy.ndarray
        An (n, m) matrix of codes >= -1, or its m columns.

    Returns
    -------
    DistinctTuples

    Notes
    -----
    One mixed-radix int64 key per record (re-densified through a hash whenever the radix product
    would pass 2**62), then one pass of Arrow's hash table over the keys, which numbers the tuples
    in first-appearance order without sorting.

    Examples
    --------
    >>> import numpy as np
    >>> t = distinct_tuples(np.array([[1, 0], [0, -1], [1, 0], [0, -1], [0, 0]]))
    >>> t.codes.tolist(), t.counts.tolist(), t.record_tuple.tolist()
    ([[1, 0], [0, -1], [0, 0]], [2, 2, 1], [0, 1, 0, 1, 2])
    """
    columns = _columns(keys)
    m = len(columns)
    n = int(columns[0].shape[0]) if m else 0
    if n == 0 or m == 0:
        record_tuple = np.zeros(n, dtype=np.intp)
        count = 1 if n else 0
        counts = np.full(count, n, dtype=np.int64)
        first = np.zeros(count, dtype=np.int64)
        return DistinctTuples(np.zeros((count, m), dtype=np.int64), counts, first, record_tuple)
    key = np.asarray(columns[0], dtype=np.int64) + 1  # a fresh array: updated in place below
    space = int(key.max()) + 1
    for col in columns[1:]:
        card = int(col.max()) + 2  # codes -1..max shift to 0..max+1
        if space * card >= _LIMIT:
            ids, space = _hash(key)
            key = ids.astype(np.int64)
        key *= card
        key += col
        key += 1
        space *= card
    record_tuple, count = _hash(key)
    del key
    first = np.empty(count, dtype=np.int64)
    # Assigned back to front, so each tuple keeps its earliest record.
    first[record_tuple[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)
    codes = np.empty((count, m), dtype=np.int64)
    for j, col in enumerate(columns):
        codes[:, j] = np.asarray(col).take(first)
    counts = np.bincount(record_tuple, minlength=count).astype(np.int64)
    return DistinctTuples(codes, counts, first, record_tuple)


def _columns(keys: np.ndarray | Sequence[np.ndarray]) -> list[np.ndarray]:
    if isinstance(keys, np.ndarray):
        if keys.ndim != 2:
            raise ValueError(f"keys must be a 2-D array of codes, got {keys.ndim} dimension(s)")
        return [keys[:, j] for j in range(keys.shape[1])]
    return [np.asarray(c) for c in keys]


def _hash(key: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense ids of an int64 array in first-appearance order, and their number."""
    ids, distinct = first_appearance(key)
    return ids, distinct.shape[0]
