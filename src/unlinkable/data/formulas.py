"""Spreadsheet-safe text cells: escape what a spreadsheet would run as a formula (CSV injection).

A spreadsheet that opens a CSV file runs a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in
some, a tab or carriage return) as a formula; ``=HYPERLINK(...)`` in a released name column is
enough to exfiltrate data from the analyst's machine. Following OWASP ("CSV Injection"), such a
cell gets a leading ``'``, which spreadsheets read as "this is text". A cell that reads as a number
(``-3``, ``+1.5e3``) is left alone: it is a value, not a formula, and numbers must survive intact.

Only text columns are touched; numeric columns cannot hold a formula. Escaping must never merge
two different values of a column (``=a`` and an existing ``'=a``), because that could change the
equivalence classes or the sensitive-value distributions the verifier has just checked; such a
column is an error rather than a silent change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from unlinkable.errors import VerificationError

__all__ = ["FormulaEscaping", "escape_formulas", "escape_for_csv"]

#: first characters that make a spreadsheet evaluate a cell (OWASP CSV Injection)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# A plain decimal number, optionally signed, optionally with an exponent: what every spreadsheet
# reads as a number rather than a formula.
_NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_TRIGGER = "^[" + "".join("\\" + c if c in "-+" else c for c in TRIGGERS) + "]"


@dataclass(frozen=True)
class FormulaEscaping:
    """What :func:`escape_formulas` did: whether it ran, and escaped cells per column."""

    enabled: bool
    columns: dict[str, int] = field(default_factory=dict)

    @property
    def cells(self) -> int:
        """Escaped cells in all columns."""
        return sum(self.columns.values())

    def to_dict(self) -> dict:
        """JSON-ready figures (column names and counts only, never a value)."""
        return {"enabled": self.enabled, "escaped_cells": self.cells, "columns": dict(self.columns)}


def _needs_escape(name: str) -> pl.Expr:
    col = pl.col(name)
    return col.str.contains(_TRIGGER) & ~col.str.contains(_NUMBER)


def escape_formulas(frame: pl.DataFrame, *, enabled: bool = True) -> tuple[pl.DataFrame, FormulaEscaping]:
    """Prefix ``'`` to every text cell a spreadsheet would run as a formula.

    Parameters
    ----------
    frame : polars.DataFrame
        The table about to be written as CSV.
    enabled : bool
        ``False`` returns ``frame`` unchanged (job file ``output: {escape_formulas: false}``).

    Returns
    -------
    (polars.DataFrame, FormulaEscaping)
        The escaped table and the count of escaped cells per column (columns with none are left out).

    Raises
    ------
    VerificationError
        Escaping would make two different values of a column equal (``=a`` beside ``'=a``).

    Examples
    --------
    >>> import polars as pl
    >>> out, done = escape_formulas(pl.DataFrame({"a": ["=1+1", "-3", "+1.5e3", "-", "x", None]}))
    >>> out["a"].to_list(), done.cells
    (["'=1+1", '-3', '+1.5e3', "'-", 'x', None], 2)
    """
    if not enabled:
        return frame, FormulaEscaping(enabled=False)
    text = [c for c, t in frame.schema.items() if t == pl.String]
    if not text:
        return frame, FormulaEscaping(enabled=True)
    counts = frame.select(_needs_escape(c).sum().alias(c) for c in text).row(0, named=True)
    hit = {c: int(n) for c, n in counts.items() if n}
    if not hit:
        return frame, FormulaEscaping(enabled=True)
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
    return escaped, FormulaEscaping(enabled=True, columns=hit)


def escape_for_csv(frame: pl.DataFrame, path: str | os.PathLike[str], *, enabled: bool = True) -> tuple[pl.DataFrame, FormulaEscaping]:
    """:func:`escape_formulas` for a table about to be written to ``path``; Parquet files are left alone.

    A Parquet file keeps text typed as text, so no spreadsheet evaluates its cells.

    Examples
    --------
    >>> import polars as pl
    >>> escape_for_csv(pl.DataFrame({"a": ["=1"]}), "out.parquet")[1].to_dict()
    {'enabled': False, 'escaped_cells': 0, 'columns': {}}
    """
    if Path(path).suffix.lower() in (".parquet", ".pq"):
        return frame, FormulaEscaping(enabled=False)
    return escape_formulas(frame, enabled=enabled)
