"""The protocol every backend implements; numpy is the reference, Spark the distributed one.

A backend owns the passes over records: it reads a table where it lives, groups it into its
distinct quasi-identifier tuples with counts and sensitive histograms (``snapshot``), and applies
a transformation to it (``generalize`` a column's values to labels of one hierarchy level, and
``suppress`` the records of given classes). Everything above it (risk measures, privacy models,
the search) reads the snapshot, never the records, so the figures of every backend are the same,
bit for bit: ``tests/backends/test_backend_contract.py`` runs each operation on every available
backend and compares exactly.

What a snapshot holds is fixed here, independently of the backend:

- tuples in the order their first record appears (a distributed backend orders them by the
  smallest row id of each tuple, which is the records' order for one file);
- per column, its values in first-appearance order (the dictionary; a missing value is code
  ``-1`` and is not in the dictionary);
- per sensitive attribute, the non-zero (tuple, value) cells in ascending (tuple, value) order,
  a missing value being ``-1``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from unlinkable.backends.distinct import DistinctTuples


@dataclass(frozen=True, eq=False)
class SensitiveHistogram:
    """How often each value of one sensitive attribute occurs among the records of each tuple.

    Only the non-zero cells are kept: ``tuple_index[j]`` (ascending), ``value[j]`` (a code of
    ``dictionary``, ``-1`` for a missing value; ascending within a tuple) and ``count[j]``.
    """

    dictionary: tuple[str, ...]
    tuple_index: np.ndarray
    value: np.ndarray
    count: np.ndarray

    def dense(self, tuples: int) -> np.ndarray:
        """The (tuples, values) count matrix, missing values left out.

        Examples
        --------
        >>> import numpy as np
        >>> h = SensitiveHistogram(("a", "b"), np.array([0, 0, 1]), np.array([-1, 1, 0]), np.array([2, 1, 3]))
        >>> h.dense(2).tolist()
        [[0, 1], [3, 0]]
        """
        d = len(self.dictionary)
        out = np.zeros((tuples, d), dtype=np.int64)
        known = self.value >= 0
        np.add.at(out, (self.tuple_index[known], self.value[known]), self.count[known])
        return out

    def table_counts(self) -> np.ndarray:
        """Records of each value over the whole table (missing values left out)."""
        known = self.value >= 0
        return np.bincount(self.value[known], weights=self.count[known].astype(np.float64),
                           minlength=len(self.dictionary)).astype(np.int64)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """A table grouped into its distinct tuples of ``columns``, with counts and histograms.

    ``tuples.codes[t, j]`` is the code of column j in tuple t (into ``dictionaries[j]``; ``-1`` =
    missing), ``tuples.counts[t]`` its records. ``tuples.record_tuple`` is the tuple of every
    record when the backend holds the records in this process (numpy), else None.
    """

    columns: tuple[str, ...]
    dictionaries: tuple[tuple[str, ...], ...]
    tuples: DistinctTuples
    sensitive: Mapping[str, SensitiveHistogram]

    @property
    def records(self) -> int:
        """The number of records grouped."""
        return self.tuples.records

    def __len__(self) -> int:
        return len(self.tuples)

    def text(self, j: int, *, missing: str = "") -> list[str]:
        """Column j of every tuple as text, a missing value as ``missing``."""
        labels = list(self.dictionaries[j]) + [missing]
        return [labels[c] for c in self.tuples.codes[:, j].tolist()]


@runtime_checkable
class Grouping(Protocol):
    """A table encoded once where it lives, then grouped at any generalization on request: what
    the search reads when the distinct tuples are too many to hold in this process.

    The first ``keys`` columns are quasi-identifiers, read as text with a missing value as ``""``
    (a value of its own, as the search reads them); the others are sensitive attributes (a
    missing value is code ``-1`` and is not in the dictionary). ``dictionaries`` hold every
    column's values in first-appearance order, so codes are those the records would get.
    """

    dictionaries: tuple[tuple[str, ...], ...]
    records: int

    def value_counts(self) -> list[np.ndarray]:
        """Records of each code of each quasi-identifier (what value-count metrics prepare with)."""
        ...

    def at(self, generalization: Sequence[np.ndarray], *, smallest: bool, limit: int) -> Snapshot | None:
        """The records grouped by (``generalization[j][code of key column j]`` for every key
        column, then the sensitive codes), or None when that gives more than ``limit`` groups.

        The snapshot's rows are the classes in the order of their first record; its key codes are
        a representative's codes (the lexicographically smallest member's if ``smallest``, else
        the first record's), its other codes the sensitive values. A hierarchy is a tree, so a
        representative generalizes, at every level at or above ``generalization``, exactly as
        each of its class's records does.
        """
        ...

    def small_records(self, generalization: Sequence[np.ndarray], size: int) -> int:
        """Records in groups of the key columns (sensitive values ignored) smaller than ``size``."""
        ...

    def close(self) -> None:
        """Release what the grouping keeps (a distributed backend's cached tuples)."""
        ...


@runtime_checkable
class Backend(Protocol):
    """What a backend does with the records; the rest of unlinkable reads its snapshots.

    ``Table`` is the backend's own table type: a polars DataFrame for numpy, a pyspark DataFrame
    for Spark. A backend's results are plain values (``Snapshot``) or tables of its own type.
    """

    name: str

    def read(self, source: Any, *, delimiter: str | None = None, categorical: Sequence[str] = ()) -> Any:
        """The table at ``source`` (a path, or a table of the backend's own type). ``categorical``
        names columns that will only be grouped (quasi-identifiers): a backend may keep them as
        categories rather than one string per cell; their values are the same texts."""
        ...

    def columns(self, table: Any) -> list[str]:
        """The column names of ``table``."""
        ...

    def snapshot(self, table: Any, columns: Sequence[str], *, sensitive: Sequence[str] = ()) -> Snapshot:
        """Grouping: the distinct tuples of ``columns`` with their counts, and a histogram of
        each ``sensitive`` column per tuple."""
        ...

    def generalize(self, table: Any, recodings: Mapping[str, Mapping[str, str]]) -> Any:
        """Generalization: each named column's text (a missing value read as ``""``) replaced by
        its label, ``recodings[column][value]`` (one hierarchy level's codes as text)."""
        ...

    def suppress(self, table: Any, columns: Sequence[str], classes: Sequence[tuple[str, ...]], *,
                 value: str = "*") -> Any:
        """Suppression: ``value`` in every one of ``columns`` of the records whose tuple of
        ``columns`` is one of ``classes``; other records are left as they are."""
        ...

    def grouping(self, table: Any, keys: Sequence[str], sensitive: Sequence[str] = ()) -> Grouping:
        """``table`` encoded for grouping at any generalization of ``keys`` (see ``Grouping``)."""
        ...

    def values(self, table: Any, column: str) -> list[str | None]:
        """The distinct values of ``column`` as text (None: missing), in first-appearance order
        (what a hierarchy builder reads)."""
        ...

    def unique_records(self, table: Any, columns: Sequence[str]) -> int:
        """The records unique on ``columns`` (read as text, a missing value a value of its own)."""
        ...

    def count(self, table: Any) -> int:
        """The number of records of ``table``."""
        ...


__all__ = ["Backend", "Grouping", "SensitiveHistogram", "Snapshot"]
