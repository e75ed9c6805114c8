"""One encoded representation of points per record: CSR arrays of integer item codes.

Record ``r`` holds ``items[indptr[r]:indptr[r + 1]]``, codes into ``labels``, in the order of its
points (by time when there is one). ``times`` and ``quantities``, when given, run parallel to
``items``. Kernels see only these integer arrays; record identifiers are not kept at all, so
nothing downstream can print one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.errors import InputError, InternalError


@dataclass(frozen=True, eq=False)
class Points:
    """Points per record, encoded.

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1], [1, 0, 1], labels=("bread", "milk"))
    >>> p.records, p.distinct_items, p.lengths().tolist()
    (2, 2, [2, 1])
    >>> p.sets().items.tolist()
    [0, 1, 1]
    """

    indptr: np.ndarray
    items: np.ndarray
    labels: tuple[str, ...]
    times: np.ndarray | None = None
    quantities: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.indptr.ndim != 1 or len(self.indptr) < 1 or self.indptr[0] != 0 or self.indptr[-1] != len(self.items):
            raise InternalError("Points: indptr does not delimit items")
        if len(self.items) and (self.items.min() < 0 or self.items.max() >= len(self.labels)):
            raise InternalError("Points: an item code is outside the dictionary")
        for name in ("times", "quantities"):
            extra = getattr(self, name)
            if extra is not None and len(extra) != len(self.items):
                raise InternalError(f"Points: {name} is not parallel to items")

    @classmethod
    def from_codes(cls, records: Sequence[int] | np.ndarray, items: Sequence[int] | np.ndarray, *,
                   labels: Sequence[str], n_records: int | None = None,
                   times: np.ndarray | None = None, quantities: np.ndarray | None = None) -> Points:
        """Points from parallel record and item codes (a long table already encoded).

        Points are grouped by record; within a record they are ordered by time when given,
        else kept in input order (a stable sort).

        Examples
        --------
        >>> p = Points.from_codes([1, 0, 1], [0, 1, 1], labels=("a", "b"), times=np.array([5.0, 1.0, 2.0]))
        >>> p.items.tolist(), p.times.tolist()
        ([1, 1, 0], [1.0, 2.0, 5.0])
        """
        rec = np.asarray(records, dtype=np.int64)
        its = np.asarray(items, dtype=np.int32)
        if rec.shape != its.shape or rec.ndim != 1:
            raise InternalError("Points.from_codes: records and items must be parallel 1-d arrays")
        n = int(rec.max()) + 1 if n_records is None and len(rec) else (n_records or 0)
        order = np.lexsort((times, rec)) if times is not None else np.argsort(rec, kind="stable")
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rec, minlength=n), out=indptr[1:])
        def pick(a: Any) -> np.ndarray | None:
            return None if a is None else np.ascontiguousarray(np.asarray(a)[order])

        return cls(indptr, its[order], tuple(str(v) for v in labels), pick(times), pick(quantities))

    @property
    def records(self) -> int:
        return len(self.indptr) - 1

    @property
    def distinct_items(self) -> int:
        """Items that occur in at least one record."""
        return int(np.count_nonzero(np.bincount(self.items, minlength=len(self.labels)))) if len(self.items) else 0

    def lengths(self) -> np.ndarray:
        """Points per record (int64)."""
        return np.diff(self.indptr)

    def record_of_point(self) -> np.ndarray:
        """The record index of every point (int64, parallel to ``items``)."""
        return np.repeat(np.arange(self.records, dtype=np.int64), self.lengths())

    def sets(self) -> Points:
        """The set of distinct items per record, codes ascending (times and quantities dropped).

        Vectorised: one sort of packed ``record * D + item`` keys.
        """
        d = max(len(self.labels), 1)
        keys = np.sort(self.record_of_point() * d + self.items.astype(np.int64))
        # a sort and a mask, not np.unique: numpy 2's hash-based unique is several times slower here
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
        rec = keys // d
        indptr = np.zeros(self.records + 1, dtype=np.int64)
        np.cumsum(np.bincount(rec, minlength=self.records), out=indptr[1:])
        return Points(indptr, (keys % d).astype(np.int32), self.labels)

    def only(self, keep: np.ndarray) -> Points:
        """The records where ``keep`` (a bool per record) is true, in order, with all their points.

        Examples
        --------
        >>> p = Points.from_codes([0, 1, 1, 2], [0, 0, 1, 1], labels="ab")
        >>> q = p.only(np.array([False, True, True]))
        >>> q.records, q.items.tolist(), q.lengths().tolist()
        (2, [0, 1, 1], [2, 1])
        """
        keep = np.asarray(keep, dtype=bool)
        if keep.shape != (self.records,):
            raise InternalError("Points.only: one flag per record is needed")
        lengths = self.lengths()[keep]
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        points = np.repeat(keep, self.lengths())

        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[points]

        return Points(indptr, self.items[points], self.labels, pick(self.times), pick(self.quantities))

    def recode(self, table: np.ndarray, labels: Sequence[str]) -> Points:
        """Every item code ``c`` replaced by ``table[c]`` (e.g. one level of a hierarchy)."""
        table = np.asarray(table)
        if table.ndim != 1 or len(table) != len(self.labels):
            raise InternalError("Points.recode: the table must map every item code")
        return Points(self.indptr, table[self.items].astype(np.int32), tuple(labels), self.times, self.quantities)


def require_records(points: Points, where: str) -> Points:
    """An InputError when there is no record with a point (nothing to assess)."""
    if points.records == 0 or len(points.items) == 0:
        raise InputError(f"{where}: no record has any point", hint="check the file and the column names")
    return points


__all__ = ["Points", "require_records"]
