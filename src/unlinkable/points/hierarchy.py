"""Item hierarchies: ARX's CSV format (via :mod:`unlinkable.hierarchies`) and two builders.

- :func:`fanout`: a balanced hierarchy over whole-number item codes, ``fanout`` consecutive codes
  (in numeric order) per group at every level, up to ``*``;
- :func:`from_parent_child`: a taxonomy given as ``child,parent`` rows (ICD chapters, product
  categories); leaves nearer the root repeat themselves at the lowest levels so that every
  root sits at the top level.

:func:`coarsen` maps the points of every record one level up a hierarchy, on integer codes.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from unlinkable.constraints import check_int
from unlinkable.data.io import read_file_bytes
from unlinkable.errors import HierarchyError, shown
from unlinkable.hierarchies.hierarchy import GeneralizationMap, Hierarchy
from unlinkable.points.encoded import Points

TOP = "*"


def fanout(values: Iterable[str], *, fanout: int = 10) -> Hierarchy:
    """A balanced hierarchy over whole-number item codes: groups of ``fanout`` per level.

    Examples
    --------
    >>> h = fanout([str(v) for v in range(5)], fanout=2)
    >>> h.rows[4], h.rows[0]
    (('4', '4-4', '4-4', '*'), ('0', '0-1', '0-3', '*'))
    """
    fanout = check_int(fanout, "fanout", low=2)
    distinct = list(dict.fromkeys(str(v) for v in values))
    numbers = []
    for text in distinct:
        try:
            numbers.append(int(text))
        except ValueError:
            raise HierarchyError(f"fan-out hierarchy: item {shown(text, 40)} is not a whole number",
                                 hint="the fan-out builder groups integer item codes; give a hierarchy file for text items") from None
    if not numbers:
        raise HierarchyError("fan-out hierarchy: no items", hint="the data has no items")
    order = np.argsort(np.array(numbers, dtype=np.int64), kind="stable")
    sorted_numbers = np.array(numbers, dtype=np.int64)[order]
    columns = [[distinct[i] for i in order]]
    width = fanout
    while width < len(order):
        interval = np.arange(len(order)) // width
        starts = np.flatnonzero(np.r_[True, interval[1:] != interval[:-1]])
        ends = np.r_[starts[1:], len(order)] - 1
        label = [f"{sorted_numbers[s]}-{sorted_numbers[e]}" for s, e in zip(starts, ends)]
        columns.append([label[g] for g in interval])
        width *= fanout
    columns.append([TOP] * len(order))
    return Hierarchy(list(zip(*columns)), name="items")


def from_parent_child(path: str | os.PathLike[str], *, delimiter: str = ",") -> Hierarchy:
    """A hierarchy from a CSV of ``child,parent`` rows (a header line ``child,parent`` is skipped).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "tax.csv"
    >>> _ = f.write_text("child,parent\\nmilk,dairy\\ncheese,dairy\\ndairy,food\\nbread,food\\n")
    >>> from_parent_child(f).rows
    (('milk', 'dairy', 'food'), ('cheese', 'dairy', 'food'), ('bread', 'bread', 'food'))
    """
    path = Path(path)
    try:
        text = read_file_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HierarchyError(f"{path}: not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8") from None
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)]
    if rows and [c.strip().lower() for c in rows[0]] == ["child", "parent"]:
        rows = rows[1:]
    parent: dict[str, str] = {}
    order: list[str] = []
    for number, row in enumerate(rows, start=1):
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise HierarchyError(f"{path}: row {number} is not 'child{delimiter}parent'", hint="two non-empty fields per row")
        child, up = row[0].strip(), row[1].strip()
        if child in parent and parent[child] != up:
            raise HierarchyError(f"{path}: row {number}: {shown(child, 40)} has two parents",
                                 hint="each item or category has exactly one parent")
        if child not in parent:
            parent[child] = up
            order.append(child)
    if not parent:
        raise HierarchyError(f"{path}: no child,parent rows", hint="one row per item or category: child,parent")
    inner = set(parent.values())
    paths = []
    for leaf in (c for c in order if c not in inner):
        chain, seen = [leaf], {leaf}
        while chain[-1] in parent:
            nxt = parent[chain[-1]]
            if nxt in seen:
                raise HierarchyError(f"{path}: a cycle through {shown(nxt, 40)}", hint="a category cannot be its own ancestor")
            chain.append(nxt)
            seen.add(nxt)
        paths.append(chain)
    if not paths:
        raise HierarchyError(f"{path}: every node is someone's parent (a cycle)", hint="leaves are items without children")
    depth = max(len(p) for p in paths)
    rows_out = [[p[0]] * (depth - len(p)) + p for p in paths]
    if len({r[-1] for r in rows_out}) > 1:
        rows_out = [r + [TOP] for r in rows_out]
    return Hierarchy(rows_out, name="items", source=str(path))


def encode_items(points: Points, hierarchy: Hierarchy, *, source: str | None = None) -> GeneralizationMap:
    """The hierarchy encoded against the item dictionary (every item must be a row of it)."""
    return hierarchy.encode(points.labels, column="item", source=source)


def coarsen(points: Points, levels: GeneralizationMap, level: int) -> Points:
    """Every point's item replaced by its group at ``level`` (codes only, no Python per point).

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1], [0, 1, 2], labels=("0", "1", "2"))
    >>> c = coarsen(p, encode_items(p, fanout(p.labels, fanout=2)), 1)
    >>> c.labels, c.sets().lengths().tolist()
    (('0-1', '2-2'), [1, 1])
    """
    level = check_int(level, "level", low=0, high=levels.max_level)
    return points.recode(levels.table[:, level], levels.labels[level])


__all__ = ["fanout", "from_parent_child", "encode_items", "coarsen", "TOP"]
