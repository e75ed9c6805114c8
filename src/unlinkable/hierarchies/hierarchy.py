"""Generalization hierarchies: one row per original value, one column per level.

A ``Hierarchy`` is immutable text (as in ARX's CSV files). ``Hierarchy.encode`` turns it, for the
dictionary of one data column, into a ``GeneralizationMap``: an int32 table value-code x level ->
generalized code, which is all the kernels ever see (ARX keeps the same ``int[][] map``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from unlinkable.errors import HierarchyError


@dataclass(frozen=True, eq=False)
class GeneralizationMap:
    """A hierarchy encoded against one column's dictionary.

    ``table[code, level]`` is the generalized code of a data value at a level; generalized codes of
    a level index ``labels[level]``. ``row_counts[level][g]`` is the number of hierarchy rows that
    generalize to ``g`` at that level (ARX's Loss uses it, with ``domain_size`` = hierarchy rows).
    """

    table: np.ndarray
    labels: tuple[tuple[str, ...], ...]
    row_counts: tuple[np.ndarray, ...]
    domain_size: int

    @property
    def levels(self) -> int:
        return int(self.table.shape[1])

    @property
    def max_level(self) -> int:
        return int(self.table.shape[1]) - 1

    def cardinality(self, level: int) -> int:
        return len(self.labels[level])


class Hierarchy:
    """An immutable generalization hierarchy (rows = original values, columns = levels 0..h-1).

    Examples
    --------
    >>> h = Hierarchy([["81675", "8167*", "*"], ["81667", "8166*", "*"]])
    >>> h.levels, h.values
    (3, ('81675', '81667'))
    >>> h.generalize("81667", 1)
    '8166*'
    """

    __slots__ = ("_rows", "_name", "_index")

    def __init__(self, rows: Iterable[Sequence[str]], *, name: str | None = None, source: str | None = None) -> None:
        self._name = name
        materialised = tuple(tuple(str(v) for v in row) for row in rows)
        where = source or (f"hierarchy of {name!r}" if name else "hierarchy")
        if not materialised:
            raise HierarchyError(f"{where}: the hierarchy has no rows", hint="one row per original value, one column per level")
        width = len(materialised[0])
        for i, row in enumerate(materialised):
            if len(row) != width:
                raise HierarchyError(
                    f"{where}: row {i + 1} has {len(row)} levels, row 1 has {width} (ragged rows)",
                    hint="every row needs the same number of columns, one per level",
                )
        if width == 0:
            raise HierarchyError(f"{where}: the hierarchy has no columns", hint="column 0 holds the original values")
        index: dict[str, int] = {}
        for i, row in enumerate(materialised):
            if row[0] in index:
                raise HierarchyError(
                    f"{where}: value {row[0]!r} appears in rows {index[row[0]] + 1} and {i + 1}",
                    hint="list each original value once",
                )
            index[row[0]] = i
        # Each level must be a coarsening of the one below: equal labels below, equal labels above.
        for level in range(1, width):
            parent: dict[str, str] = {}
            for i, row in enumerate(materialised):
                below, above = row[level - 1], row[level]
                seen = parent.setdefault(below, above)
                if seen != above:
                    raise HierarchyError(
                        f"{where}: level {level} is not a coarsening of level {level - 1}: "
                        f"{below!r} maps to both {seen!r} and {above!r} (row {i + 1})",
                        hint="a group at one level must fall into exactly one group at the next level",
                    )
        self._rows = materialised
        self._index = index

    # -- plain accessors -------------------------------------------------
    @property
    def name(self) -> str | None:
        return self._name

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        return self._rows

    @property
    def levels(self) -> int:
        """Number of levels, level 0 (original values) included."""
        return len(self._rows[0])

    @property
    def max_level(self) -> int:
        return self.levels - 1

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(row[0] for row in self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        label = f" {self._name!r}" if self._name else ""
        return f"Hierarchy{label}({len(self._rows)} values, {self.levels} levels)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hierarchy) and self._rows == other._rows

    def __hash__(self) -> int:
        return hash(self._rows)

    def generalize(self, value: str, level: int) -> str:
        """The label of ``value`` at ``level``."""
        return self._rows[self._index[value]][level]

    def with_name(self, name: str) -> Hierarchy:
        h = Hierarchy.__new__(Hierarchy)
        h._rows, h._index, h._name = self._rows, self._index, name
        return h

    # -- encoding --------------------------------------------------------
    def encode(self, dictionary: Sequence[str | None], *, column: str | None = None, source: str | None = None) -> GeneralizationMap:
        """Encode against a column dictionary; every data value must be a row of the hierarchy.

        Raises a HierarchyError with the number of missing values and up to 10 examples.
        """
        where = source or (f"hierarchy of column {column!r}" if column else "hierarchy")
        missing = [v for v in dictionary if v is None or v not in self._index]
        if missing:
            shown = ", ".join(repr(v) for v in missing[:10])
            raise HierarchyError(
                f"{where}: {len(missing)} value(s) of the data are not in the hierarchy, e.g. {shown}",
                hint="add a row for each of them (column 0 = the value, then one label per level)",
            )
        rows = np.array([self._index[v] for v in dictionary if v is not None], dtype=np.int64)  # None is refused above
        levels = self.levels
        per_level_codes = np.empty((len(self._rows), levels), dtype=np.int32)
        labels: list[tuple[str, ...]] = []
        counts: list[np.ndarray] = []
        for level in range(levels):
            first_seen: dict[str, int] = {}
            codes = per_level_codes[:, level]
            for i, row in enumerate(self._rows):
                codes[i] = first_seen.setdefault(row[level], len(first_seen))
            labels.append(tuple(first_seen))
            counts.append(np.bincount(codes, minlength=len(first_seen)).astype(np.int64))
        table = per_level_codes[rows] if len(rows) else np.zeros((0, levels), dtype=np.int32)
        return GeneralizationMap(np.ascontiguousarray(table), tuple(labels), tuple(counts), len(self._rows))
