"""Numbers from text columns, at the boundary of every numeric method.

Tables are read as text (see ``data/io.py``); a numeric method converts only the columns it
works on, and a value that is not a number is reported with its column, row and value.

One rule for the values that are not ordinary numbers, for every numeric method (microaggregation,
noise, rank swapping, top/bottom coding, recoding, utility measures, sampling weights):
``NaN`` (as text, or in a float column of a DataFrame) is read as a missing value, as an empty
field is (each method converts it with ``fill_nan(None)``); ``inf`` and ``-inf`` (and text such as ``1e400`` that only fits as infinity) are errors
naming the column and row, since no mean, rank, interval or noise scale is defined for them. So
are numbers beyond ``LARGEST`` (1e100) in magnitude: variances and distances square them, and the
square of 1e308 is infinite (MDAV would then never find a farthest record).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from unlinkable.data.table import require_columns
from unlinkable.errors import ConfigError, InputError, shown

#: the largest magnitude a numeric method accepts (its square, times any table size, stays finite)
LARGEST = 1e100

def attribute_names(frame: pl.DataFrame, attributes: str | Sequence[str], *, where: str) -> list[str]:
    """The numeric method's attribute list, checked: not empty, no column twice, every column present.

    Examples
    --------
    >>> attribute_names(pl.DataFrame({"income": [1.0]}), "income", where="add_noise")
    ['income']
    """
    attrs = [attributes] if isinstance(attributes, str) else list(attributes)
    if not attrs:
        raise ConfigError(f"{where}: no attributes given", hint="pass attributes=[...] with numeric columns")
    if len(set(attrs)) != len(attrs):
        raise ConfigError(f"{where}: attributes {attrs!r} repeat a column", hint="list each column once")
    for name in attrs:
        if name not in frame.columns:
            raise InputError(f"{where}: no column {name!r}", hint=f"the columns are {frame.columns}")
    return attrs


_INFINITE_HINT = ("numeric methods need finite numbers; fix the value, or leave the field empty "
                  "for a missing value (NaN is read as missing)")


def numeric_columns(frame: pl.DataFrame, columns: Sequence[str], *, where: str = "data", hint: str | None = None) -> pl.DataFrame:
    """``frame`` with ``columns`` as numbers: text of whole numbers -> Int64, other numbers -> Float64.

    Numeric and all-null columns pass through unchanged; NaN stays NaN (every method reads it
    as missing) and an infinite or huge value raises an InputError (see the module docstring).

    Examples
    --------
    >>> import polars as pl
    >>> numeric_columns(pl.DataFrame({"age": ["34", None, "51"]}), ["age"])["age"].to_list()
    [34, None, 51]
    >>> numeric_columns(pl.DataFrame({"age": ["34", "x"]}), ["age"], where="recode")
    Traceback (most recent call last):
    ...
    unlinkable.errors.InputError: recode: column 'age' row 2: value 'x' is not a number...
    >>> numeric_columns(pl.DataFrame({"income": ["1.5", "inf"]}), ["income"])
    Traceback (most recent call last):
    ...
    unlinkable.errors.InputError: data: column 'income' row 2: value 'inf' is infinite...
    """
    updates = []
    for name in columns:
        if name not in frame.columns:
            require_columns(frame, [name], source=where)
        s = frame[name]
        if s.dtype.is_float():
            _refuse_infinite(s, s, name, where)
            continue
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
                f"{where}: column {name!r} row {row + 1}: value {shown(s[row])} is not a number",
                hint=hint or "numeric methods need numbers; fix the value, or use a hierarchy for categorical columns",
            )
        _refuse_infinite(as_float, s, name, where)
        as_int = text.cast(pl.Int64, strict=False)
        whole = (as_int.is_null() == as_float.is_null()).all()
        updates.append((as_int if whole else as_float).alias(name))
    return frame.with_columns(updates) if updates else frame


def _refuse_infinite(values: pl.Series, original: pl.Series, name: str, where: str) -> None:
    """Raise an InputError at the first value that is infinite or beyond ``LARGEST`` (NaN passes)."""
    with np.errstate(invalid="ignore"):
        huge = np.abs(values.cast(pl.Float64).to_numpy()) > LARGEST  # null and NaN read as NaN: pass
    if huge.any():
        row = int(np.flatnonzero(huge)[0])
        what = "infinite" if values[row] in (float("inf"), float("-inf")) else f"larger in magnitude than {LARGEST:g}"
        raise InputError(f"{where}: column {name!r} row {row + 1}: value {shown(original[row])} is {what}",
                         hint=_INFINITE_HINT)
