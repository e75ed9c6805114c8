"""Points from their input forms: a long table, a basket-lines file, a list column.

Every reader validates strictly and names the file, column, row and value (truncated) of the
first problem; encoding is vectorised (polars ranks), never a Python loop per record.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from unlinkable.data.io import read_file_bytes, read_table
from unlinkable.errors import ConfigError, InputError, did_you_mean, shown
from unlinkable.points.encoded import Points, require_records


def _codes(values: pl.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Dense integer codes of a column (no nulls) and its sorted dictionary.

    Whole-number items (FIMI files, product codes without leading zeros) are sorted as numbers,
    which is also the order the balanced fan-out hierarchy builder groups them in.
    """
    text = values.cast(pl.String)
    numbers = text.str.strip_chars().cast(pl.Int64, strict=False)
    if numbers.null_count() == 0 and (numbers.cast(pl.String) == text).all():
        distinct, codes = np.unique(numbers.to_numpy(), return_inverse=True)
        return codes.astype(np.int64), tuple(str(v) for v in distinct.tolist())
    codes = (text.rank("dense").cast(pl.Int64) - 1).to_numpy()
    return codes, tuple(text.unique().sort().to_list())


def _column(frame: pl.DataFrame, name: Any, role: str, where: str) -> pl.Series:
    if not isinstance(name, str) or name not in frame.columns:
        raise ConfigError(f"{where}: transactions.{role} names column {shown(name)}, which the data does not have",
                          hint=(did_you_mean(name, frame.columns).strip() or
                                f"the columns are {', '.join(map(repr, frame.columns[:10]))}"))
    column = frame[name]
    missing = column.is_null()
    if column.dtype == pl.String:
        missing = missing | (column.str.strip_chars() == "")
    if missing.any():
        row = int(missing.arg_true()[0])
        raise InputError(f"{where}: column {name!r} row {row + 1}: the {role} is missing",
                         hint=f"every row of a long table needs a {role}; drop or fill that row")
    return column


def _numbers(column: pl.Series, role: str, where: str) -> np.ndarray:
    """A time or quantity column as float64: numbers, or ISO dates/times (as epoch seconds)."""
    if column.dtype.is_numeric():
        values = column.cast(pl.Float64)
    elif column.dtype in (pl.Date, pl.Datetime):
        values = column.cast(pl.Datetime("ms")).dt.epoch("s").cast(pl.Float64)
    else:
        text = column.cast(pl.String).str.strip_chars()
        values = text.cast(pl.Float64, strict=False)
        if role == "time" and values.is_null().any():
            try:
                dated = text.str.to_datetime(strict=False)
            except pl.exceptions.ComputeError:  # polars cannot infer one format from the first value
                dated = None
            if dated is not None and dated.is_not_null().any():
                values = dated.dt.epoch("s").cast(pl.Float64)
        bad = values.is_null()
        if bad.any():
            row = int(bad.arg_true()[0])
            raise InputError(f"{where}: column {column.name!r} row {row + 1}: value {shown(text[row], 40)} is not a "
                             f"{'number or date-time' if role == 'time' else 'number'}",
                             hint=f"the {role} column holds numbers" + (" or ISO date-times" if role == "time" else ""))
    array = values.to_numpy().astype(np.float64)
    finite = np.isfinite(array)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise InputError(f"{where}: column {column.name!r} row {row + 1}: value {shown(str(array[row]))} is not finite",
                         hint=f"give every {role} a finite value")
    return array


def read_transactions(source: Any, *, record: str, item: str, time: str | None = None,
                      quantity: str | None = None, delimiter: str | None = None) -> Points:
    """Points from a long table: one row per point, naming its record and item (CSV, Parquet, frames).

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"card": ["x", "y", "x"], "sku": ["milk", "milk", "tea"]})
    >>> p = read_transactions(df, record="card", item="sku")
    >>> p.records, p.labels
    (2, ('milk', 'tea'))
    """
    where = str(source) if isinstance(source, (str, os.PathLike)) else "data"
    frame = read_table(source, delimiter=delimiter)
    rec, _ = _codes(_column(frame, record, "record", where))
    items, labels = _codes(_column(frame, item, "item", where))
    times = _numbers(_column(frame, time, "time", where), "time", where) if time is not None else None
    quantities = _numbers(_column(frame, quantity, "quantity", where), "quantity", where) if quantity is not None else None
    # record codes follow first appearance, so record numbers in outputs follow the file, not the identifiers
    first = pl.Series(rec).unique(maintain_order=True).to_numpy()
    renumber = np.empty(len(first), dtype=np.int64)
    renumber[first] = np.arange(len(first))
    return require_records(Points.from_codes(renumber[rec], items, labels=labels, n_records=len(first),
                                             times=times, quantities=quantities), where)


def read_basket_lines(path: str | os.PathLike[str], *, separator: str = " ") -> Points:
    """Points from a file with one basket per line (FIMI's format with ``separator=" "``).

    With a space separator, runs of spaces and trailing spaces are one separator (FIMI files end
    lines with a space). With another separator, an empty item between two separators is an
    error. Blank lines at the end are ignored; a blank line inside the file is an error.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "b.txt"
    >>> _ = f.write_text("1 2 3 \\n2 3\\n")
    >>> p = read_basket_lines(f)
    >>> p.records, p.lengths().tolist()
    (2, [3, 2])
    """
    path = Path(path)
    if not isinstance(separator, str) or len(separator) != 1 or separator in "\r\n":
        raise ConfigError(f"input.separator must be one character, got {shown(separator)}", hint='e.g. separator: " " or ","')
    raw = read_file_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8") from None
    lines = pl.Series("line", text.splitlines(), dtype=pl.String).str.strip_suffix("\r")
    blank = lines.str.strip_chars() == ""
    keep = len(lines) - (int(blank.cast(pl.Int8).to_numpy()[::-1].cumprod().sum()) if len(lines) else 0)
    lines, blank = lines.head(keep), blank.head(keep)
    if keep == 0:
        raise InputError(f"{path}: the file has no baskets", hint="one basket per line, items separated by the separator")
    if blank.any():
        row = int(blank.arg_true()[0])
        raise InputError(f"{path}: line {row + 1} is an empty basket", hint="remove the blank line, or give the basket its items")
    if separator == " ":
        tokens = lines.str.strip_chars().str.split(" ")
    else:
        tokens = lines.str.split(separator)
    frame = pl.DataFrame({"line": np.arange(keep, dtype=np.int64), "item": tokens}).explode("item")
    if separator == " ":
        frame = frame.filter(pl.col("item") != "")
    else:
        frame = frame.with_columns(pl.col("item").str.strip_chars())
        empty = frame["item"] == ""
        if empty.any():
            row = int(frame["line"][int(empty.arg_true()[0])])
            raise InputError(f"{path}: line {row + 1}: an empty item between separators {separator!r}",
                             hint="remove the doubled or trailing separator, or check `separator`")
    items, labels = _codes(frame["item"])
    return require_records(Points.from_codes(frame["line"].to_numpy(), items, labels=labels, n_records=keep), str(path))


def from_list_column(frame: Any, column: str) -> Points:
    """Points from a polars/pandas frame whose ``column`` holds one list of items per record.

    Examples
    --------
    >>> import polars as pl
    >>> from_list_column(pl.DataFrame({"basket": [["a", "b"], ["b"]]}), "basket").lengths().tolist()
    [2, 1]
    """
    table = read_table(frame)
    if column not in table.columns:
        raise ConfigError(f"data: no column {shown(column)}", hint=did_you_mean(column, table.columns).strip() or "name the list column")
    values = table[column]
    if not isinstance(values.dtype, (pl.List, pl.Array)):
        raise InputError(f"data: column {column!r} is of type {values.dtype}, not a list of items",
                         hint="give one list of items per record, e.g. [['milk', 'tea'], ['bread']]")
    empty = values.is_null() | (values.list.len() == 0)
    if empty.any():
        row = int(empty.arg_true()[0])
        raise InputError(f"data: column {column!r} row {row + 1}: the record has no items", hint="drop the record, or give its items")
    long = pl.DataFrame({"record": np.arange(len(values), dtype=np.int64), "item": values}).explode("item")
    missing = long["item"].is_null()
    if missing.any():
        row = int(long["record"][int(missing.arg_true()[0])])
        raise InputError(f"data: column {column!r} row {row + 1}: an item is missing (null)", hint="drop the null items")
    items, labels = _codes(long["item"])
    return Points.from_codes(long["record"].to_numpy(), items, labels=labels, n_records=len(values))


__all__ = ["read_transactions", "read_basket_lines", "from_list_column"]
