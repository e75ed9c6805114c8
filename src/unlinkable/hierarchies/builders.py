"""Builders that derive a hierarchy from the values of a column.

- ``intervals``: numeric ranges of growing width (``[30, 35[`` -> ``[30, 40[`` -> ``*``);
- ``masking``: characters replaced from the right (``81675`` -> ``8167*`` -> ``816**``);
- ``dates``: day -> month -> year -> decade -> ``*``;
- ``grouping``: explicit value -> group maps, one per level.

The top level is always a single label (``*``), so full generalization is always possible.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from unlinkable.errors import ConfigError, HierarchyError
from unlinkable.hierarchies.hierarchy import Hierarchy

TOP = "*"
#: ways to give an attribute's hierarchy in a job: a file, or one of the builders below with its parameters
HIERARCHY_KINDS = ("hierarchy", "intervals", "masking", "dates", "grouping")


def _distinct(values: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v is not None:
            seen.setdefault(str(v), None)
    return list(seen)


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def intervals(values: Iterable[str | None], widths: Sequence[float], *, start: float | None = None, column: str | None = None) -> Hierarchy:
    """Numeric intervals: level j groups values into ``[lo, lo + widths[j-1][`` (ARX's label style).

    Each width must be a multiple of the one before, so every level coarsens the previous one.

    Examples
    --------
    >>> h = intervals(["31", "34", "47"], [5, 10])
    >>> [row for row in h.rows]
    [('31', '[30, 35[', '[30, 40[', '*'), ('34', '[30, 35[', '[30, 40[', '*'), ('47', '[45, 50[', '[40, 50[', '*')]
    """
    where = f"column {column!r}" if column else "intervals"
    if not widths:
        raise ConfigError(f"{where}: intervals need at least one width", hint="e.g. intervals: [5, 10, 20]")
    widths = [float(w) for w in widths]
    for i, w in enumerate(widths):
        if not w > 0 or math.isinf(w):
            raise ConfigError(f"{where}: interval width {w} must be a positive number", hint="e.g. intervals: [5, 10, 20]")
        if i and (w / widths[i - 1]) % 1 != 0:
            raise ConfigError(
                f"{where}: interval width {w} is not a multiple of the previous width {widths[i - 1]}",
                hint="each level must merge whole intervals of the level below, e.g. [5, 10, 20]",
            )
    distinct = _distinct(values)
    numbers: dict[str, float] = {}
    for v in distinct:
        try:
            numbers[v] = float(v)
        except ValueError:
            raise HierarchyError(
                f"{where}: value {v!r} is not a number, so it cannot go into an interval hierarchy",
                hint="use masking/grouping for text columns, or clean the value",
            ) from None
        if not math.isfinite(numbers[v]):
            # NaN has no interval and +-inf none of finite width (the data module's rule for numbers)
            raise HierarchyError(f"{where}: value {v!r} is not a finite number, so it has no interval",
                                 hint="clean the value, leave the field empty for a missing value, or use a grouping hierarchy")
    origin = min(numbers.values()) if start is None else float(start)
    if start is None:
        origin = math.floor(origin / widths[-1]) * widths[-1]
    rows = []
    for v in sorted(distinct, key=lambda s: numbers[s]):
        x = numbers[v]
        row = [v]
        for w in widths:
            lo = origin + math.floor((x - origin) / w) * w
            row.append(f"[{_number_text(lo)}, {_number_text(lo + w)}[")
        row.append(TOP)
        rows.append(row)
    return Hierarchy(rows, name=column)


def masking(values: Iterable[str | None], *, mask: str = "*", column: str | None = None) -> Hierarchy:
    """Mask characters from the right, one per level, until the whole value is masked, then ``*``.

    Examples
    --------
    >>> masking(["81675", "81667"]).rows[0]
    ('81675', '8167*', '816**', '81***', '8****', '*****', '*')
    """
    distinct = _distinct(values)
    if not distinct:
        raise HierarchyError(f"column {column!r}: no values to mask", hint="the column is empty")
    width = max(len(v) for v in distinct)
    rows = []
    for v in distinct:
        padded = v.rjust(width)
        row = [v] + [(padded[: width - j] + mask * j).strip() for j in range(1, width + 1)]
        row.append(TOP)
        rows.append(row)
    # Values shorter than the widest would collide only through padding; they stay distinct rows.
    return Hierarchy(rows, name=column)


_DATE_LEVELS = ("day", "month", "year", "decade")


def dates(values: Iterable[str | None], *, format: str = "%Y-%m-%d", levels: Sequence[str] = _DATE_LEVELS, column: str | None = None) -> Hierarchy:
    """Dates generalized to month (``2021-03``), year (``2021``), decade (``2020s``), then ``*``.

    Examples
    --------
    >>> dates(["1984-03-14"]).rows[0]
    ('1984-03-14', '1984-03', '1984', '1980s', '*')
    """
    where = f"column {column!r}" if column else "dates"
    unknown = [lv for lv in levels if lv not in _DATE_LEVELS]
    if unknown or list(levels) != sorted(levels, key=_DATE_LEVELS.index) or not levels or levels[0] != "day":
        raise ConfigError(f"{where}: date levels {list(levels)} are not an ordered subset of {list(_DATE_LEVELS)} starting at day",
                          hint="e.g. [day, month, year]")
    rows = []
    for v in _distinct(values):
        try:
            d = datetime.strptime(v, format).date()
        except ValueError:
            raise HierarchyError(f"{where}: value {v!r} is not a date in format {format!r}", hint="give the right date format") from None
        row = [v] + [_date_label(d, lv) for lv in levels[1:]] + [TOP]
        rows.append(row)
    return Hierarchy(rows, name=column)


def _date_label(d: date, level: str) -> str:
    if level == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if level == "year":
        return f"{d.year:04d}"
    return f"{d.year // 10 * 10:04d}s"


def grouping(values: Iterable[str | None], levels: Sequence[Mapping[str, str]], *, column: str | None = None) -> Hierarchy:
    """Explicit groupings: ``levels[0]`` maps values to groups, ``levels[1]`` maps those groups, ...

    Examples
    --------
    >>> grouping(["flu", "cold", "ulcer"], [{"flu": "respiratory", "cold": "respiratory", "ulcer": "digestive"}]).rows[2]
    ('ulcer', 'digestive', '*')
    """
    where = f"column {column!r}" if column else "grouping"
    rows = []
    for v in _distinct(values):
        row = [v]
        current = v
        for i, mapping in enumerate(levels):
            if current not in mapping:
                raise HierarchyError(f"{where}: {current!r} has no group at level {i + 1}", hint="add it to that level's mapping")
            current = str(mapping[current])
            row.append(current)
        if row[-1] != TOP:
            row.append(TOP)
        rows.append(row)
    width = max(len(r) for r in rows)
    rows = [r if len(r) == width else r + [TOP] * (width - len(r)) for r in rows]
    return Hierarchy(rows, name=column)
