"""Top and bottom coding: replace extreme values of a numeric attribute by one value."""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from unlinkable.constraints import Optional, Rule, check
from unlinkable.data.io import read_table
from unlinkable.data.numeric import numeric_columns
from unlinkable.errors import ConfigError, InputError

#: a threshold or its replacement: a plain finite number (text is refused, not read as one)
_NUMBER = Rule("a finite number", lambda v: v if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               else None)

__all__ = ["top_bottom_code"]


def top_bottom_code(
    data: Any,
    *,
    attribute: str,
    top: float | None = None,
    top_value: float | None = None,
    bottom: float | None = None,
    bottom_value: float | None = None,
) -> pl.DataFrame:
    """Replace values above ``top`` by ``top_value`` and below ``bottom`` by ``bottom_value``.

    Parameters
    ----------
    data : polars.DataFrame or pandas.DataFrame
        The table; pandas input is converted with ``pl.from_pandas``.
    attribute : str
        The numeric column to code.
    top : float, optional
        Values strictly greater than ``top`` are top coded (sdcMicro ``kind="top"``: ``x > value``).
    top_value : float, optional
        Their replacement; defaults to ``top`` itself (a cap).
    bottom : float, optional
        Values strictly less than ``bottom`` are bottom coded (``kind="bottom"``: ``x < value``).
    bottom_value : float, optional
        Their replacement; defaults to ``bottom`` itself.

    Returns
    -------
    polars.DataFrame
        A copy with ``attribute`` coded. An integer column stays integer when the replacements are
        whole numbers, else it becomes Float64. Nulls stay null.

    Raises
    ------
    ConfigError
        Neither ``top`` nor ``bottom`` given, a replacement without its threshold, non-finite
        numbers, or ``bottom > top``.
    InputError
        Missing or non-numeric column.

    Notes
    -----
    sdcMicro ``topBotCoding(obj, value, replacement, kind)``; Hundepool et al., *Statistical
    Disclosure Control*, Wiley 2012, §3.4.2 (top and bottom coding). Unlike sdcMicro, one call can
    do both ends.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"debts": [100, 9000, 9500, 12000]})
    >>> top_bottom_code(df, attribute="debts", top=9000, top_value=9100)["debts"].to_list()
    [100, 9000, 9100, 9100]
    """
    frame = read_table(data)
    if attribute not in frame.columns:
        raise InputError(f"top_bottom_code: no column {attribute!r}", hint=f"the columns are {frame.columns}")
    frame = numeric_columns(frame, [attribute], where="top_bottom_code", hint="top/bottom coding needs an ordered numeric column")
    column = frame[attribute]
    if top is None and bottom is None:
        raise ConfigError("top_bottom_code: give top, bottom or both", hint="e.g. top=9000, top_value=9100")
    for name, threshold, value in (("top", top, top_value), ("bottom", bottom, bottom_value)):
        if threshold is None and value is not None:
            raise ConfigError(f"top_bottom_code: {name}_value given without {name}", hint=f"set {name}=<threshold> too")
        for label, number in ((name, threshold), (f"{name}_value", value)):
            check(number, Optional(_NUMBER), label, owner="top_bottom_code", hint="pass a plain number")
    if top is not None and bottom is not None and bottom > top:
        raise ConfigError(f"top_bottom_code: bottom={bottom} is above top={top}", hint="bottom must be <= top")
    if column.dtype == pl.Null:  # all null: nothing to code
        return frame
    top_value = top if top_value is None and top is not None else top_value
    bottom_value = bottom if bottom_value is None and bottom is not None else bottom_value

    replacements = [v for v in (top_value, bottom_value) if v is not None]
    out_dtype: pl.DataType | type[pl.DataType] = column.dtype
    if column.dtype.is_integer() and any(float(v) != int(v) for v in replacements):
        out_dtype = pl.Float64
    expr = pl.col(attribute).cast(out_dtype)
    # polars orders NaN above every number; R's comparison gives NA, so NaN is never coded.
    real = pl.col(attribute).is_not_nan() if column.dtype.is_float() else pl.lit(True)
    # The two conditions are disjoint because bottom <= top, so the order does not matter.
    if top is not None:
        expr = pl.when((pl.col(attribute) > top) & real).then(pl.lit(top_value).cast(out_dtype)).otherwise(expr)
    if bottom is not None:
        expr = pl.when((pl.col(attribute) < bottom) & real).then(pl.lit(bottom_value).cast(out_dtype)).otherwise(expr)
    return frame.with_columns(expr.alias(attribute))
