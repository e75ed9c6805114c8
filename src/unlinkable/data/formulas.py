"""Spreadsheet-safe text cells: escape what a spreadsheet would run as a formula (CSV injection).

A spreadsheet that opens a CSV file runs a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in
some, a tab or carriage return) as a formula; ``=HYPERLINK(...)`` in a released name column is
enough to exfiltrate data from the analyst's machine. Following OWASP ("CSV Injection"), such a
cell gets a leading ``'``, which spreadsheets read as "this is text". A cell that reads as a number
(``-3``, ``+1.5e3``) is left alone: it is a value, not a formula, and numbers must survive intact.

Only text cells are touched; numeric columns cannot hold a formula. The header row is a row of
text cells too: a column named ``=cmd|' /C calc'!A0`` would run as well, so such a name gets the
same leading ``'`` in the written file (a name that reads as a number is left alone). Escaping must
never merge two different values of a column (``=a`` and an existing ``'=a``), because that could
change the equivalence classes or the sensitive-value distributions the verifier has just checked,
nor two column names; either is an error rather than a silent change.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from unlinkable.errors import VerificationError

__all__ = ["FormulaEscaping", "escape_formulas", "escape_for_csv", "escaped_headers"]

#: first characters that make a spreadsheet evaluate a cell (OWASP CSV Injection)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# A plain decimal number, optionally signed, optionally with an exponent: what every spreadsheet
# reads as a number rather than a formula.
_NUMBER_BODY = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER = f"^{_NUMBER_BODY}$"
_TRIGGER = "^[" + "".join("\\" + c if c in "-+" else c for c in TRIGGERS) + "]"
#: the two patterns as regular expressions any engine reads the same (Spark's Java regex too)
NUMBER_PATTERN, TRIGGER_PATTERN = _NUMBER, _TRIGGER


@dataclass(frozen=True)
class FormulaEscaping:
    """What :func:`escape_formulas` did: whether it ran, escaped cells per column, and escaped column names.

    ``columns`` is keyed by the column names as given (before their own escaping); ``headers``
    lists the names whose header cell was escaped.
    """

    enabled: bool
    columns: dict[str, int] = field(default_factory=dict)
    headers: tuple[str, ...] = ()

    @property
    def cells(self) -> int:
        """Escaped cells in all columns, header cells included."""
        return sum(self.columns.values()) + len(self.headers)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready figures (column names and counts only, never a value)."""
        return {"enabled": self.enabled, "escaped_cells": self.cells, "columns": dict(self.columns),
                "headers": list(self.headers)}


#: byte -> whether a cell starting with it may be a formula (every trigger is one ASCII byte)
_TRIGGER_BYTE = np.zeros(256, dtype=bool)
_TRIGGER_BYTE[[ord(c) for c in TRIGGERS]] = True
_NEWEST = pl.CompatLevel.newest()


def _may_hold_formula(series: pl.Series) -> bool:
    """Whether any cell of a text column starts with a trigger byte (False: no cell needs escaping).

    Reads the first byte of each cell from Arrow's string-view layout, where it is inlined in the
    cell's 16-byte view (length, then the first 4 bytes), so no string is visited: a few
    milliseconds per million cells instead of a regular expression per cell. A trigger is one
    ASCII byte, and a UTF-8 text starts with that byte exactly when its first character is the
    trigger. Any other layout, or a null's view, can only answer True (then every cell is checked).
    """
    arrow = series.to_arrow(compat_level=_NEWEST)
    chunks = arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]
    for chunk in chunks:
        if chunk.type != pa.string_view():
            return True
        if len(chunk) == 0:
            continue
        views = np.frombuffer(chunk.buffers()[1], dtype=np.uint8, count=16 * len(chunk),
                              offset=16 * chunk.offset).reshape(-1, 16)
        hit = _TRIGGER_BYTE[views[:, 4]]
        if hit.any() and (hit & (views[:, :4].copy().view("<u4").ravel() > 0)).any():
            return True
    return False


def _needs_escape(name: str) -> pl.Expr:
    col = pl.col(name)
    return col.str.contains(_TRIGGER) & ~col.str.contains(_NUMBER)


def _is_formula(text: str) -> bool:
    """The rule of :func:`_needs_escape` for one string (a column name)."""
    return re.search(_TRIGGER, text) is not None and re.fullmatch(_NUMBER_BODY, text) is None


def escaped_headers(columns: Sequence[str]) -> dict[str, str]:
    """The escaped name (a leading ``'``) of every column name a spreadsheet would run as a formula.

    Raises ``VerificationError`` when an escaped name would be the name of another column.

    Examples
    --------
    >>> escaped_headers(["@total", "-1", "age"])
    {'@total': "'@total"}
    """
    renamed = {c: "'" + c for c in columns if _is_formula(c)}
    clash = [c for c in renamed if renamed[c] in columns]
    if clash:
        raise VerificationError(
            f"column {clash[0]!r}: escaping spreadsheet formulas would give it the name of another column",
            hint="rename one of the two columns, or set output: {escape_formulas: false}")
    return renamed


def _escape_headers(frame: pl.DataFrame) -> tuple[pl.DataFrame, tuple[str, ...]]:
    renamed = escaped_headers(frame.columns)
    if not renamed:
        return frame, ()
    return frame.rename(renamed), tuple(renamed)


def escape_formulas(frame: pl.DataFrame, *, enabled: bool = True) -> tuple[pl.DataFrame, FormulaEscaping]:
    """Prefix ``'`` to every text cell, and column name, a spreadsheet would run as a formula.

    Parameters
    ----------
    frame : polars.DataFrame
        The table about to be written as CSV.
    enabled : bool
        ``False`` returns ``frame`` unchanged (job file ``output: {escape_formulas: false}``).

    Returns
    -------
    (polars.DataFrame, FormulaEscaping)
        The escaped table and the count of escaped cells per column (columns with none are left
        out), with the escaped column names.

    Raises
    ------
    VerificationError
        Escaping would make two different values of a column equal (``=a`` beside ``'=a``), or
        two column names.

    Examples
    --------
    >>> import polars as pl
    >>> out, done = escape_formulas(pl.DataFrame({"a": ["=1+1", "-3", "+1.5e3", "-", "x", None]}))
    >>> out["a"].to_list(), done.cells
    (["'=1+1", '-3', '+1.5e3', "'-", 'x', None], 2)
    >>> out, done = escape_formulas(pl.DataFrame({"@total": [1], "-1": [2]}))
    >>> out.columns, done.to_dict()["headers"], done.cells
    (["'@total", '-1'], ['@total'], 1)
    """
    if not enabled:
        return frame, FormulaEscaping(enabled=False)
    renamed, headers = _escape_headers(frame)
    # An Enum column is escaped in its labels, and its cells counted on their codes. A Categorical
    # column, or an Enum whose escaped labels would collide, is checked as text below.
    frame, by_label = _escape_enums(frame)
    # a column none of whose cells starts with a trigger byte needs no regular expression at all
    text = [c for c, t in frame.schema.items() if t == pl.String and _may_hold_formula(frame[c])]
    counts = frame.select(_needs_escape(c).sum().alias(c) for c in text).row(0, named=True) if text else {}
    hit = {c: int(n) for c, n in counts.items() if n}
    if not hit:
        if by_label:
            return frame.rename({c: "'" + c for c in headers}), _escaping(frame, by_label, headers)
        return renamed, FormulaEscaping(enabled=True, headers=headers)
    escaped = frame.with_columns(
        pl.when(_needs_escape(c)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c) for c in hit
    )
    distinct_before = frame.select(pl.col(c).n_unique() for c in hit).row(0)
    distinct_after = escaped.select(pl.col(c).n_unique() for c in hit).row(0)
    for c, before, after in zip(hit, distinct_before, distinct_after):
        if before != after:
            raise VerificationError(
                f"column {c!r}: escaping spreadsheet formulas would make two different values equal "
                f"(a value starting with = + - @ and the same value already starting with ')",
                hint="set output: {escape_formulas: false} and open the file in a spreadsheet only as text",
            )
    return escaped.rename({c: "'" + c for c in headers}), _escaping(frame, {**by_label, **hit}, headers)


def _escaping(frame: pl.DataFrame, hit: dict[str, int], headers: tuple[str, ...]) -> FormulaEscaping:
    """The figures, columns in the table's order."""
    return FormulaEscaping(enabled=True, columns={c: hit[c] for c in frame.columns if c in hit}, headers=headers)


def _escape_enums(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    """Escape the labels of every Enum column whose cells use one that needs it; Categorical
    columns become text (their categories are not the column's own). Returns the table and the
    escaped cells of each column escaped here."""
    changed: dict[str, pl.Series] = {}
    hit: dict[str, int] = {}
    for c, t in frame.schema.items():
        if isinstance(t, pl.Enum):
            labels = t.categories
            need = labels.to_frame("l").select(_needs_escape("l"))["l"].to_numpy()
            if not need.any():
                continue
            physical = frame[c].to_physical()
            used = np.bincount(physical.drop_nulls().to_numpy(), minlength=labels.len())
            cells = int(used[need].sum())
            if not cells:
                continue
            escaped = [("'" + label) if n else label for label, n in zip(labels.to_list(), need)]
            if len(set(escaped)) < len(escaped):  # a clash among the labels: decided on the cells, as text
                changed[c] = frame[c].cast(pl.String)
                continue
            changed[c] = physical.cat.to(pl.Enum(escaped)).alias(c)
            hit[c] = cells
        elif isinstance(t, pl.Categorical):
            changed[c] = frame[c].cast(pl.String)
    return (frame.with_columns(changed.values()) if changed else frame), hit


def escape_for_csv(frame: pl.DataFrame, path: str | os.PathLike[str], *, enabled: bool = True) -> tuple[pl.DataFrame, FormulaEscaping]:
    """:func:`escape_formulas` for a table about to be written to ``path``; Parquet files are left alone.

    A Parquet file keeps text typed as text, so no spreadsheet evaluates its cells.

    Examples
    --------
    >>> import polars as pl
    >>> escape_for_csv(pl.DataFrame({"a": ["=1"]}), "out.parquet")[1].to_dict()
    {'enabled': False, 'escaped_cells': 0, 'columns': {}, 'headers': []}
    """
    if Path(path).suffix.lower() in (".parquet", ".pq"):
        return frame, FormulaEscaping(enabled=False)
    return escape_formulas(frame, enabled=enabled)
