"""Time keys at a precision, exactly as scikit-mobility 1.3.1 builds them for LocationTimeAttack.

skmob concatenates calendar fields as text (``skmob.utils.utils.date_time_precision``). Its
``hour`` key is year, month, day and the month again -- the hour is not in it -- so at "hour"
precision two points match when they fall on the same calendar day; ``minute`` and ``second``
likewise leave the hour out. The keys are reproduced as they are, so that risks agree with skmob
to the digit; give ``time_precision=None`` and a pre-binned time column to compare other bins.
"""

from __future__ import annotations

import polars as pl

from unlinkable.errors import ConfigError, did_you_mean

#: skmob's precisions and the calendar fields its key joins, in order
FIELDS = {
    "year": ("year",),
    "month": ("year", "month"),
    "day": ("year", "month", "day"),
    "hour": ("year", "month", "day", "month"),
    "minute": ("year", "month", "day", "month", "minute"),
    "second": ("year", "month", "day", "month", "minute", "second"),
}


def time_keys(times: pl.Series, precision: str) -> pl.Series:
    """skmob's text key of every datetime at ``precision`` (year, month, day, hour, minute, second).

    Examples
    --------
    >>> from datetime import datetime
    >>> s = pl.Series([datetime(2011, 2, 3, 8, 34), datetime(2011, 2, 3, 23, 0)])
    >>> time_keys(s, "hour").to_list()
    ['2011232', '2011232']
    """
    name = str(precision).lower()
    if name not in FIELDS:
        raise ConfigError(f"time_precision {precision!r} is not one of {', '.join(FIELDS)}",
                          hint=did_you_mean(name, FIELDS).strip() or "skmob's precisions are listed above")
    part = {"year": times.dt.year(), "month": times.dt.month(), "day": times.dt.day(),
            "minute": times.dt.minute(), "second": times.dt.second()}
    frame = pl.DataFrame({f: part[f].cast(pl.String) for f in set(FIELDS[name])})
    return frame.select(pl.concat_str([pl.col(f) for f in FIELDS[name]])).to_series().alias("time_key")


__all__ = ["time_keys", "FIELDS"]
