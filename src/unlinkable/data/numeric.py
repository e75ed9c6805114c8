"""Numbers from text columns, at the boundary of every numeric method.

Tables are read as text (see ``data/io.py``); a numeric method converts only the columns it
works on, and a value that is not a number is reported with its column, row and value.
"""

from __future__ import annotations

from typing import Sequence

import polars as pl

from unlinkable.errors import InputError


def numeric_columns(frame: pl.DataFrame, columns: Sequence[str], *, where: str = "data", hint: str | None = None) -> pl.DataFrame:
    """``frame`` with ``columns`` as numbers: text of whole numbers -> Int64, other numbers -> Float64.

    Numeric and all-null columns pass through unchanged.

    Examples
    --------
    >>> import polars as pl
    >>> numeric_columns(pl.DataFrame({"age": ["34", None, "51"]}), ["age"])["age"].to_list()
    [34, None, 51]
    >>> numeric_columns(pl.DataFrame({"age": ["34", "x"]}), ["age"], where="recode")
    Traceback (most recent call last):
    ...
    unlinkable.errors.InputError: recode: column 'age' row 2: value 'x' is not a number...
    """
    updates = []
    for name in columns:
        if name not in frame.columns:
            raise InputError(f"{where}: unknown column {name!r}", hint=f"the columns are: {', '.join(frame.columns[:20])}")
        s = frame[name]
        if s.dtype.is_numeric() or s.dtype == pl.Null:
            continue
        if s.dtype == pl.Boolean:
            updates.append(s.cast(pl.Int64))
            continue
        text = s.cast(pl.String).str.strip_chars()
        as_float = text.cast(pl.Float64, strict=False)
        bad = as_float.is_null() & text.is_not_null() & (text != "")
        if bad.any():
            row = int(bad.arg_true()[0])
            raise InputError(
                f"{where}: column {name!r} row {row + 1}: value {s[row]!r} is not a number",
                hint=hint or "numeric methods need numbers; fix the value, or use a hierarchy for categorical columns",
            )
        as_int = text.cast(pl.Int64, strict=False)
        whole = (as_int.is_null() == as_float.is_null()).all()
        updates.append((as_int if whole else as_float).alias(name))
    return frame.with_columns(updates) if updates else frame
