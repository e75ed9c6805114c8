"""Global recoding of a numeric attribute into intervals, with R ``cut`` semantics.

sdcMicro's ``globalRecode(obj, column, breaks, labels)`` is R's ``cut`` applied to one key variable.
This module reproduces ``cut``: breaks are sorted, intervals are right-closed ``(a, b]`` by default,
and ``include.lowest = FALSE``, so a value equal to the lowest break is *outside* every interval.

Given a number of intervals instead of cut points, ``method`` chooses how the cut points are found:
``"cut"`` is R ``cut(x, breaks = m)`` itself; ``"equidistant"``, ``"log-equidistant"`` and
``"equal-amount"`` are sdcMicro ``globalRecode``'s ``method = "equidistant"``, ``"logEqui"`` and
``"equalAmount"`` (``R/globalRecode.R``), each followed by ``cut(include.lowest = TRUE)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import polars as pl

from unlinkable.constraints import OneOf, check
from unlinkable.data.io import read_table
from unlinkable.data.numeric import numeric_columns
from unlinkable.errors import ConfigError, InputError

__all__ = ["recode", "RECODE_METHODS"]

#: ways to turn a number of intervals into cut points (see :func:`recode`)
RECODE_METHODS = ("cut", "equidistant", "log-equidistant", "equal-amount")


def recode(
    data: Any,
    *,
    attribute: str,
    breaks: Sequence[float] | int,
    labels: Sequence[Any] | None = None,
    right: bool = True,
    include_lowest: bool = False,
    outside: Literal["error", "null"] = "error",
    method: str = "cut",
) -> pl.DataFrame:
    """Recode a numeric column into intervals, as R ``cut`` and sdcMicro ``globalRecode`` do.

    Parameters
    ----------
    data : polars.DataFrame or pandas.DataFrame
        The table; pandas input is converted with ``pl.from_pandas``.
    attribute : str
        The numeric column to recode.
    breaks : sequence of float or int
        Cut points (sorted for you; they must be distinct), or a number of intervals ``m``, turned into
        cut points by ``method``.
    labels : sequence, optional
        One label per interval. Default: the interval numbers ``1..k`` (sdcMicro's ``labels=1:k``).
    right : bool, default True
        Intervals are ``(a, b]``; with ``False`` they are ``[a, b)``.
    include_lowest : bool, default False
        Also include the lowest break (``right=True``) or the highest (``right=False``), as
        ``cut(include.lowest=TRUE)``. sdcMicro's ``globalRecode`` leaves this ``FALSE``.
    outside : {"error", "null"}, default "error"
        What a non-null value outside every interval does: raise an :class:`InputError` naming the
        row and value, or become null as in R (``globalRecode`` gives ``NA``).
    method : {"cut", "equidistant", "log-equidistant", "equal-amount"}, default "cut"
        How a number of intervals ``m`` becomes cut points (ignored for explicit cut points):

        * ``"cut"``: R ``cut(x, m)``, ``m >= 2`` equal-width intervals over the data range widened by
          0.1 % at both ends.
        * ``"equidistant"``: sdcMicro's ``m + 1`` equally spaced points from min - 1 to max + 1, rounded
          to integers unless rounding makes two equal; the lowest point is included.
        * ``"log-equidistant"`` (sdcMicro ``logEqui``): the same on log(x), mapped back with exp;
          every value must be positive.
        * ``"equal-amount"`` (sdcMicro ``equalAmount``): the 0, 1/m, ..., 1 quantiles of the non-null
          values (R ``quantile`` type 7), so the intervals hold about equally many records. Where two
          quantiles coincide sdcMicro jitters them at random; here that is an error.

        For the three sdcMicro methods ``m = 1`` gives one interval, (min - 1, max + 1], as
        ``globalRecode`` does.

    Returns
    -------
    polars.DataFrame
        A copy of the table with ``attribute`` replaced by its interval code (Int64) or label.
        Nulls and NaN stay null.

    Raises
    ------
    ConfigError
        Bad ``breaks``/``labels``.
    InputError
        Missing or non-numeric column, or (with ``outside="error"``) a value outside the breaks.

    Notes
    -----
    R Core Team, ``cut`` in base R; sdcMicro ``globalRecode`` (Templ, Kowarik and Meindl,
    *Statistical Disclosure Control for Micro-Data Using the R Package sdcMicro*, JSS 67(4), 2015).

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"age": [1, 2, 9, 10, 100]})
    >>> recode(df, attribute="age", breaks=[1, 9, 100], outside="null")["age"].to_list()
    [None, 1, 1, 2, 2]
    >>> recode(df, attribute="age", breaks=2, method="equal-amount")["age"].to_list()
    [1, 1, 1, 2, 2]
    """
    frame = read_table(data)
    if attribute not in frame.columns:
        raise InputError(f"recode: no column {attribute!r}", hint=f"the columns are {frame.columns}")
    frame = numeric_columns(frame, [attribute], where="recode",
                            hint="recode numeric columns; map categorical ones with a hierarchy instead")
    column = frame[attribute]
    check(outside, OneOf(("error", "null")), "outside", owner="recode", hint="use outside='null' for R's NA")
    check(method, OneOf(tuple(RECODE_METHODS)), "method", owner=f"recode {attribute!r}")
    values = column.cast(pl.Float64).fill_nan(None)
    present = values.is_not_null().to_numpy()
    x = values.fill_null(0.0).to_numpy()
    count = int(breaks) if isinstance(breaks, (int, np.integer)) and not isinstance(breaks, bool) else None
    if count is not None and method != "cut":
        cuts = _sdcmicro_breaks(count, x[present], attribute, method)
        # globalRecode cuts with include.lowest = TRUE, except for a single interval
        include_lowest = include_lowest or count > 1
    else:
        cuts = _breaks(breaks, x[present], attribute)
    k = cuts.size - 1
    if labels is not None:
        labels = list(labels)
        if len(labels) != k:
            raise ConfigError(
                f"recode {attribute!r}: {len(labels)} labels for {k} intervals",
                hint="give exactly one label per interval (len(breaks) - 1)",
            )
    # searchsorted gives the 1-based interval number directly; 0 and k+1 are outside.
    code = np.searchsorted(cuts, x, side="left" if right else "right")
    if include_lowest:
        edge = cuts[0] if right else cuts[-1]
        code = np.where(x == edge, 1 if right else k, code)
    inside = (code >= 1) & (code <= k)
    bad = present & ~inside
    if outside == "error" and bad.any():
        row = int(np.flatnonzero(bad)[0])
        lo, hi = ("(", "]") if right else ("[", ")")
        raise InputError(
            f"recode {attribute!r}: row {row + 1} (1-based) has value {column[row]!r}, outside the breaks "
            f"{lo}{cuts[0]:g}, {cuts[-1]:g}{hi} ({int(bad.sum())} such rows)",
            hint="widen the breaks, set include_lowest=True, or pass outside='null' to make them null as R does",
        )
    valid = present & inside
    codes = pl.Series(attribute, np.where(valid, code, 0), dtype=pl.Int64).set(pl.Series(~valid), None)
    if labels is None:
        out = codes
    else:
        out = pl.Series(attribute, labels).gather(codes - 1)
    return frame.with_columns(out.alias(attribute))


def _r_seq(lo: float, hi: float, points: int) -> np.ndarray:
    """R ``seq(lo, hi, length.out = points)``: c(lo, lo + (1:(points-2)) * ((hi - lo)/(points-1)), hi)."""
    if points == 2:
        return np.array([lo, hi])
    step = (hi - lo) / (points - 1)
    return np.concatenate([[lo], lo + np.arange(1, points - 1) * step, [hi]])


def _rounded_unless_tied(b: np.ndarray) -> np.ndarray:
    """sdcMicro rounds the cut points to integers only when no two become equal."""
    rb = np.rint(b)  # R's round(x) at 0 digits rounds half to even, as rint does
    return rb if np.unique(rb).size == rb.size else b


def _r_quantile7(x: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """R ``quantile(x, probs)`` type 7, in R's arithmetic: (1 - h) x[lo] + h x[hi]."""
    xs = np.sort(x)
    index = 1.0 + (xs.size - 1) * probs
    lo = np.floor(index).astype(np.int64)
    hi = np.ceil(index).astype(np.int64)
    q = xs[lo - 1]
    between = (index > lo) & (xs[hi - 1] != q)
    h = (index - lo)[between]
    q[between] = (1.0 - h) * q[between] + h * xs[hi[between] - 1]
    return q


def _sdcmicro_breaks(m: int, x: np.ndarray, attribute: str, method: str) -> np.ndarray:
    """Cut points of sdcMicro ``globalRecode`` for ``m`` intervals (``R/globalRecode.R``)."""
    if m < 1:
        raise ConfigError(f"recode {attribute!r}: breaks={m} intervals", hint="ask for at least 1 interval")
    if x.size == 0:
        raise InputError(f"recode {attribute!r}: no non-null values to span", hint="give explicit breaks")
    lo, hi = float(x.min()), float(x.max())
    if m == 1:
        return np.array([lo - 1.0, hi + 1.0])
    if method == "equidistant":
        return _rounded_unless_tied(_r_seq(lo - 1.0, hi + 1.0, m + 1))
    if method == "log-equidistant":
        if lo <= 0:
            raise InputError(f"recode {attribute!r}: method 'log-equidistant' needs positive values; the smallest is {lo:g}",
                             hint="use method 'equidistant', or explicit breaks")
        logs = np.log(x)
        return _rounded_unless_tied(np.exp(_r_seq(float(logs.min()) - 1.0, float(logs.max()) + 1.0, m + 1)))
    probs = np.concatenate([[0.0], np.arange(1, m + 1) / m])
    cuts = _r_quantile7(x, probs)
    if np.unique(cuts).size != cuts.size:
        raise ConfigError(f"recode {attribute!r}: {m} equal-amount intervals give repeated cut points",
                          hint="ask for fewer intervals (sdcMicro jitters the repeats at random; unlinkable does not)")
    return cuts


def _breaks(breaks: Sequence[float] | int, x: np.ndarray, attribute: str) -> np.ndarray:
    """Sorted, distinct cut points; a count becomes R ``cut``'s widened equal-width grid."""
    if isinstance(breaks, (int, np.integer)) and not isinstance(breaks, bool):
        m = int(breaks)
        if m < 2:
            raise ConfigError(f"recode {attribute!r}: breaks={m} intervals", hint="ask for at least 2 intervals")
        if x.size == 0:
            raise InputError(f"recode {attribute!r}: no non-null values to span", hint="give explicit breaks")
        lo, hi = float(x.min()), float(x.max())
        dx = hi - lo
        if dx == 0:
            dx = abs(lo) if lo != 0 else 1.0
            lo, hi = lo - dx / 1000, hi + dx / 1000
            by = (hi - lo) / m
            return np.concatenate([[lo], lo + np.arange(1, m) * by, [hi]])
        by = dx / m
        grid = np.concatenate([[lo], lo + np.arange(1, m) * by, [hi]])
        grid[0], grid[-1] = lo - dx / 1000, hi + dx / 1000
        return grid
    if isinstance(breaks, bool):
        raise ConfigError(f"recode {attribute!r}: breaks must be numbers, got {breaks!r}", hint="e.g. breaks=[0, 18, 65, 120]")
    try:
        cuts = np.sort(np.asarray(list(breaks), dtype=np.float64))
    except (TypeError, ValueError):
        raise ConfigError(f"recode {attribute!r}: breaks must be numbers, got {breaks!r}", hint="e.g. breaks=[0, 18, 65, 120]") from None
    if cuts.size < 2 or not np.isfinite(cuts).all():
        raise ConfigError(f"recode {attribute!r}: need at least two finite breaks, got {list(breaks)!r}", hint="e.g. breaks=[0, 18, 65, 120]")
    if np.any(np.diff(cuts) == 0):
        raise ConfigError(f"recode {attribute!r}: breaks are not unique: {list(breaks)!r}", hint="remove the repeated break")
    return cuts
