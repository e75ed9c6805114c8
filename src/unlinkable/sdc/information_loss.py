"""Two information-loss measures of a protected table against its original: sdcMicro's ``IL_variables``
and ``IL_correl``.

* ``il_variables``: per attribute, the mean over records of a distance in [0, 1] between the original
  and the protected value; overall, the mean over attributes. Numbers: (2/pi) arctan |x - x'|;
  ordered categories: |rank(x) - rank(x')| / (levels - 1); other categories and text: 0 if equal,
  else 1. A value missing on one side counts as the largest distance (for numbers: arctan of the
  largest possible difference, max |range(x') - reversed range(x)|); missing on both sides, 0.
* ``il_correl``: how much the correlation structure of the numeric attributes changed. With d and d'
  the diagonals of the inverse correlation matrices (complete rows) of the original and the protected
  numeric attributes, ``|| d / ||d|| - d' / ||d'|| || / sqrt(2)``, between 0 and 1.

Both compare the columns the two tables share; the rows must be the same records in the same order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from unlinkable.data.io import read_table
from unlinkable.errors import ConfigError, InputError

__all__ = ["VariableLoss", "il_correl", "il_variables"]


@dataclass(frozen=True)
class VariableLoss:
    """``total``: the mean distance over attributes and records; ``per_attribute``: each attribute's mean."""

    total: float
    per_attribute: Mapping[str, float]


def il_variables(original: Any, protected: Any, *, ordered: Mapping[str, Sequence[Any]] | None = None) -> VariableLoss:
    """Mean per-record distance between original and protected values, over the shared columns.

    Parameters
    ----------
    original, protected : path, polars or pandas DataFrame (same records, same order)
    ordered : for ordered categorical columns, their levels in order (other text columns are nominal;
        number columns are numeric)

    Examples
    --------
    >>> import polars as pl
    >>> x = pl.DataFrame({"sex": ["f", "m", "f", "m"], "age": [30.0, 41.0, 52.0, 63.0]})
    >>> y = pl.DataFrame({"sex": ["f", "m", "m", "m"], "age": [30.0, 41.0, 52.0, 63.0]})
    >>> il_variables(x, y).per_attribute  # one of four sexes differs; the ages are equal
    {'sex': 0.25, 'age': 0.0}
    """
    x, y = read_table(original), read_table(protected)
    if x.height != y.height:
        raise InputError(f"il_variables: the original has {x.height} rows and the protected table {y.height}",
                         hint="compare a table with its own protected version")
    names = [c for c in x.columns if c in y.columns]
    if not names:
        raise InputError("il_variables: the two tables share no column", hint="compare tables with the same columns")
    orders = dict(ordered or {})
    unknown = [c for c in orders if c not in names]
    if unknown:
        raise ConfigError(f"il_variables: ordered column {unknown[0]!r} is not in both tables",
                          hint=f"the shared columns are {names}")
    n = x.height
    per: dict[str, float] = {}
    for c in names:
        a, b = x[c], y[c]
        if c in orders:
            d = _ordered(a, b, list(orders[c]), c)
        elif a.dtype.is_numeric() and b.dtype.is_numeric():
            d = _numeric(a, b)
        elif a.dtype.is_numeric() != b.dtype.is_numeric():
            raise InputError(f"il_variables: column {c!r} holds numbers in one table and text in the other",
                             hint="compare columns of the same type")
        else:
            d = _nominal(a, b)
        per[c] = float(d.sum()) / n if n else 0.0
    total = sum(per.values()) / len(names) if n else 0.0
    return VariableLoss(total, per)


def _both_missing(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return a ^ b, a & b


def _numeric(a: pl.Series, b: pl.Series) -> np.ndarray:
    u = a.cast(pl.Float64).fill_nan(None).fill_null(np.nan).to_numpy()
    v = b.cast(pl.Float64).fill_nan(None).fill_null(np.nan).to_numpy()
    one, both = _both_missing(np.isnan(u), np.isnan(v))
    if one.any():
        # the largest possible difference: between the ends of the two ranges
        largest = max(abs(np.nanmin(v) - np.nanmax(u)), abs(np.nanmax(v) - np.nanmin(u)))
    else:
        largest = 0.0
    dist = np.abs(u - v)
    dist[one] = largest
    dist[both] = 0.0
    return np.asarray((2 / math.pi) * np.arctan(dist), dtype=np.float64)


def _ordered(a: pl.Series, b: pl.Series, levels: list[Any], name: str) -> np.ndarray:
    if len(levels) < 2 or len(set(map(str, levels))) != len(levels):
        raise ConfigError(f"il_variables: ordered column {name!r} needs two or more distinct levels",
                          hint="e.g. ordered={'health': ['bad', 'fair', 'good']}")
    rank = {str(v): i for i, v in enumerate(levels)}

    def ranks(s: pl.Series, side: str) -> np.ndarray:
        out = np.full(s.len(), np.nan)
        for i, v in enumerate(s.cast(pl.String).to_list()):
            if v is not None:
                if v not in rank:
                    raise InputError(f"il_variables: {side} column {name!r} row {i + 1} holds a value that is "
                                     "not one of its levels", hint="list every level of the column in `ordered`")
                out[i] = rank[v]
        return out

    u, v = ranks(a, "original"), ranks(b, "protected")
    one, both = _both_missing(np.isnan(u), np.isnan(v))
    top = len(levels) - 1
    dist = np.abs(u - v)
    dist[one] = top
    dist[both] = 0.0
    return np.asarray(dist / top, dtype=np.float64)


def _nominal(a: pl.Series, b: pl.Series) -> np.ndarray:
    u, v = a.cast(pl.String), b.cast(pl.String)
    one, both = _both_missing(u.is_null().to_numpy(), v.is_null().to_numpy())
    dist = u.ne_missing(v).to_numpy().astype(np.float64)
    dist[one] = 1.0
    dist[both] = 0.0
    return dist


def il_correl(original: Any, protected: Any) -> float:
    """Change of the numeric attributes' correlation structure, in [0, 1] (sdcMicro ``IL_correl``).

    Examples
    --------
    >>> import polars as pl
    >>> x = pl.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 1.0, 4.0, 3.0]})
    >>> il_correl(x, x)
    0.0
    """
    x, y = read_table(original), read_table(protected)
    shared = [c for c in x.columns if c in y.columns]
    if not shared:
        raise InputError("il_correl: the two tables share no column", hint="compare tables with the same columns")
    num_x = sorted(c for c in shared if x[c].dtype.is_numeric())
    num_y = sorted(c for c in shared if y[c].dtype.is_numeric())
    if num_x != num_y or len(num_x) < 2:
        raise InputError("il_correl: needs the same two or more numeric columns in both tables",
                         hint=f"numeric in the original: {num_x}; in the protected table: {num_y}")
    d, e = _inverse_diagonal(x, num_x), _inverse_diagonal(y, num_x)
    return float(np.sqrt(np.sum((d / np.sqrt(np.sum(d**2)) - e / np.sqrt(np.sum(e**2))) ** 2)) * (1 / math.sqrt(2)))


def _inverse_diagonal(frame: pl.DataFrame, names: list[str]) -> np.ndarray:
    m = frame.select(pl.col(names).cast(pl.Float64).fill_nan(None)).drop_nulls().to_numpy()
    if m.shape[0] < 2:
        raise InputError("il_correl: fewer than two complete rows", hint="the correlation needs complete rows")
    try:
        with np.errstate(invalid="ignore", divide="ignore"):
            diagonal = np.diag(np.linalg.inv(np.corrcoef(m, rowvar=False)))
        if not np.isfinite(diagonal).all():
            raise np.linalg.LinAlgError
        return diagonal
    except np.linalg.LinAlgError:
        raise InputError("il_correl: the correlation matrix cannot be inverted (a column is constant or a "
                         "linear combination of others)", hint="leave such columns out") from None
