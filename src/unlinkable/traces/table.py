"""A point table (user, place or lat/lng, time) validated and encoded into integer codes.

Places are coded in ascending (lat, lng) order (or ascending ``place``), users in ascending order
of their ids, and points are sorted by user then time, ties kept in input order -- the orders
scikit-mobility's attacks see after its ``sort_values``/``groupby``. Coordinates and time stamps
are dropped once coded; only the user ids are kept, to label the results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from unlinkable.errors import ConfigError, InputError, did_you_mean, shown
from unlinkable.points.encoded import Points
from unlinkable.traces.resolution import Space, time_bins
from unlinkable.traces.time_keys import time_keys


@dataclass(frozen=True, eq=False)
class Traces:
    """Encoded points, sorted by user then time: ``user``, ``place`` and ``time_key`` per point.

    ``order`` is the permutation that sorted them (``order[i]`` is the input row of point ``i``).
    """

    users: pl.Series
    user: np.ndarray
    place: np.ndarray
    time_key: np.ndarray | None
    order: np.ndarray | None = None

    @property
    def indptr(self) -> np.ndarray:
        """CSR offsets of each user's points."""
        indptr = np.zeros(len(self.users) + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.user, minlength=len(self.users)), out=indptr[1:])
        return indptr

    def as_points(self) -> Points:
        """Each user's (place, time key) points as set-valued data, one record per user (unicity's input).

        Examples
        --------
        >>> t = encode_traces(pl.DataFrame({"u": [1, 1, 2], "c": ["x", "y", "x"]}), user="u", place="c")
        >>> t.as_points().items.tolist()
        [0, 1, 0]
        """
        if self.time_key is None:
            item = self.place
        else:
            item = dense_pairs(self.place, self.time_key)
        n_items = int(item.max()) + 1 if len(item) else 0
        return Points(self.indptr, item.astype(np.int32), tuple(map(str, range(n_items))))


def _frame(points: Any) -> pl.DataFrame:
    if isinstance(points, pl.DataFrame):
        return points
    if type(points).__module__.startswith("pandas"):
        return pl.from_pandas(points)
    raise ConfigError(f"points must be a polars or pandas DataFrame, not {type(points).__name__}",
                      hint="read the CSV with polars.read_csv first")


def _column(frame: pl.DataFrame, name: Any, role: str) -> pl.Series:
    if not isinstance(name, str) or name not in frame.columns:
        raise ConfigError(f"{role}= names column {shown(name)}, which the points do not have",
                          hint=did_you_mean(name, frame.columns).strip() or f"the columns are {', '.join(frame.columns[:10])}")
    column = frame[name]
    if column.null_count():
        row = int(column.is_null().arg_true()[0])
        raise InputError(f"column {name!r} row {row + 1}: the {role} is missing", hint="drop or fill that row")
    return column


def _coordinate(frame: pl.DataFrame, name: Any, role: str) -> pl.Series:
    column = _column(frame, name, role)
    values = column.cast(pl.Float64, strict=False)
    bad = values.is_null() | values.is_nan() | values.is_infinite()
    if bad.any():
        row = int(bad.arg_true()[0])
        raise InputError(f"column {name!r} row {row + 1}: {role} {shown(column[row])} is not a finite number",
                         hint="coordinates are decimal degrees")
    return values


def datetimes(frame: pl.DataFrame, name: Any) -> pl.Series:
    column = _column(frame, name, "time")
    if column.dtype in (pl.Date, pl.Datetime):
        return column.cast(pl.Datetime("us"))
    text = column.cast(pl.String).str.strip_chars()
    try:
        parsed = text.str.to_datetime(strict=False, time_unit="us")
    except pl.exceptions.PolarsError:  # no value parses, so no format can be inferred
        parsed = pl.Series(name, [None] * len(text), dtype=pl.Datetime("us"))
    if parsed.null_count():
        row = int(parsed.is_null().arg_true()[0])
        raise InputError(f"column {name!r} row {row + 1}: time {shown(column[row])} is not a date-time",
                         hint="write times as ISO 8601, e.g. 2011-02-03 08:34:04")
    return parsed


def encode_traces(points: Any, *, user: str, lat: str | None = None, lng: str | None = None,
                  place: str | None = None, time: str | None = None,
                  time_precision: str | None = None, space: Space | None = None,
                  time_bin_s: int | None = None) -> Traces:
    """Validate a point table and encode it (see the module docstring for the orders).

    With a ``space`` resolution (metric grid or H3), places are the cells of the points' lat/lng
    (coded in ascending cell order); with ``time_bin_s``, times are first floored to their bin.
    ``time_key`` codes skmob's key at ``time_precision`` when given, else the (binned) time
    values as they are; it is None when there is no ``time`` column.

    Examples
    --------
    >>> t = encode_traces(pl.DataFrame({"u": ["b", "a", "a"], "c": ["x", "y", "x"]}), user="u", place="c")
    >>> t.users.to_list(), t.user.tolist(), t.place.tolist()
    (['a', 'b'], [0, 0, 1], [1, 0, 0])
    """
    frame = _frame(points)
    if (place is None) == (lat is None or lng is None) or (place is not None and (lat or lng)):
        raise ConfigError("give either place= or both lat= and lng=", hint="e.g. lat='lat', lng='lng'")
    users = _column(frame, user, "user")
    gridded = space is not None and (space.grid_m is not None or space.h3 is not None)
    if place is not None:
        if gridded:
            raise ConfigError("a spatial resolution needs lat= and lng=, not place=", hint="drop the space resolution")
        where = _column(frame, place, "place").rank("dense").cast(pl.Int64).to_numpy() - 1
    elif gridded:
        assert space is not None
        cells = space.cells(_coordinate(frame, lat, "latitude").to_numpy(), _coordinate(frame, lng, "longitude").to_numpy())
        where = np.unique(cells, return_inverse=True)[1].reshape(-1).astype(np.int64)
    else:
        pair = pl.DataFrame({"a": _coordinate(frame, lat, "latitude"), "b": _coordinate(frame, lng, "longitude")})
        where = pair.select(pl.struct("a", "b").rank("dense")).to_series().cast(pl.Int64).to_numpy() - 1
    who = users.rank("dense").cast(pl.Int64).to_numpy() - 1
    order_keys = [np.arange(len(frame))]
    key = None
    if time is not None:
        stamps = datetimes(frame, time)
        order_keys.append(stamps.dt.epoch("us").to_numpy())
        if time_bin_s is not None:
            start = time_bins(order_keys[-1], time_bin_s) * (time_bin_s * 1_000_000)
            stamps = pl.Series(time, start, dtype=pl.Int64).cast(pl.Datetime("us"))
        if time_precision is not None:
            stamps = time_keys(stamps, time_precision)
        key = stamps.rank("dense").cast(pl.Int64).to_numpy() - 1
    elif time_precision is not None or time_bin_s is not None:
        raise ConfigError("a time precision or time bin needs a time= column", hint="name the date-time column with time=")
    order = np.lexsort((*order_keys, who))
    return Traces(users.unique().sort(), who[order], where[order], None if key is None else key[order], order)


def dense_pairs(*columns: np.ndarray) -> np.ndarray:
    """Dense codes (in ascending row order) of the rows of parallel non-negative integer columns.

    Rows are packed into one int64 each when they fit (a 1-d sort, much faster than numpy's
    ``unique(axis=0)``), which they do for any realistic number of places and times.

    Examples
    --------
    >>> dense_pairs(np.array([3, 1, 3]), np.array([0, 5, 0])).tolist()
    [1, 0, 1]
    """
    key = np.zeros(len(columns[0]), dtype=np.int64)
    span = 1
    for column in columns:
        width = int(column.max()) + 1 if len(column) else 1
        if span * width >= 2 ** 62:
            return np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)[1].reshape(-1).astype(np.int64)
        key = key * width + column
        span *= width
    return np.unique(key, return_inverse=True)[1].reshape(-1).astype(np.int64)


def encode_columns(points: Any, columns: Mapping[str, str | None], *, time_precision: str | None = None,
                   space: Space | None = None, time_bin_s: int | None = None) -> Traces:
    """:func:`encode_traces` with the column names in a mapping (user, lat, lng, place, time).

    Examples
    --------
    >>> encode_columns(pl.DataFrame({"u": [2, 1], "c": ["x", "x"]}), {"user": "u", "place": "c"}).users.to_list()
    [1, 2]
    """
    user = columns.get("user")
    if user is None:
        raise ConfigError("the user column is not named", hint="trajectories: {user: <column>, ...}")
    return encode_traces(points, user=user, lat=columns.get("lat"), lng=columns.get("lng"), place=columns.get("place"),
                         time=columns.get("time"), time_precision=time_precision, space=space, time_bin_s=time_bin_s)


__all__ = ["Traces", "encode_traces", "encode_columns", "datetimes", "dense_pairs"]
