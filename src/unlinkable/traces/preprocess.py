"""Optional preprocessing of raw points, with documented defaults: speed filter, stay points, cells, bins.

Job file (every step optional; ``{}`` takes the defaults)::

    preprocess:
      speed_filter: {max_speed_kmh: 500}          # skmob filtering.filter's default
                                                  # + include_loops: true (speed_kmh 5, max_loop 6, ratio_max 0.25)
      stay_points: {radius_m: 200, minutes: 20}   # skmob detection.stay_locations' defaults
      space: {grid_m: 1000}                       # or {h3: 8}: places become cells
      time: {bin: 1h}                             # times become the start of their bin

- **Speed filter**: per user in time order, a point is dropped when the speed from the last kept
  point (haversine on a 6,371 km sphere, as skmob) exceeds ``max_speed_kmh``, or when it has the
  same time stamp. (skmob never examines a user's last point; here it is examined too.)
- **Loops** (``include_loops: true``; skmob's ``filtering.filter`` rule and defaults
  ``speed_kmh: 5``, ``max_loop: 6``, ``ratio_max: 0.25``): after the speed check at a kept point
  ``i`` (not among the user's last two), the next ``max_loop - 1`` points are looked at; ``D_j``
  and ``T_j`` are the distance and time from ``i`` to the j-th of them. With ``m`` the first
  farthest of them and ``e`` the first at or after ``m`` with ``D_e < ratio_max * D_m``, when such
  an ``e`` exists and ``sum(D_j) / sum(T_j)`` over the points before ``e`` exceeds ``speed_kmh``,
  the farthest point is dropped (a short, fast excursion and back) and ``i`` is examined again;
  otherwise the next kept point is.
- **Stay points** (skmob's ``stay_locations`` rule without its speed and gap options): from an
  anchor point, points are collected while they lie within ``radius_m`` of the anchor; the first
  point outside (or the user's last point) closes the run, which becomes one stay -- at the
  median lat and lng of its points, at the anchor's time -- when more than ``minutes`` passed from
  the anchor to the closing point; the closing point is the next anchor.
- **Cells and bins**: every point moves to its cell's centre and its bin's start
  (:mod:`unlinkable.traces.resolution`), so attacks and unicity compare cells and bins.

Both loops run compiled (numba) over all users' points at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from unlinkable.compiled import compiled
from unlinkable.constraints import check_float, check_int, check_keys
from unlinkable.errors import ConfigError, shown
from unlinkable.traces.resolution import Space, bin_seconds, time_bins
from unlinkable.traces.table import datetimes, encode_columns

STEPS = ("speed_filter", "stay_points", "space", "time")
EARTH_RADIUS_KM = 6371.0
MAX_SPEED_KMH = 500.0
LOOP_SPEED_KMH = 5.0
MAX_LOOP = 6
RATIO_MAX = 0.25
STAY_RADIUS_M = 200.0
STAY_MINUTES = 20.0


@compiled
def _haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:  # pragma: no cover - compiled
    p1, p2 = lat1 * np.pi / 180.0, lat2 * np.pi / 180.0
    dlat, dlng = p2 - p1, (lng2 - lng1) * np.pi / 180.0
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlng / 2.0) ** 2
    return float(EARTH_RADIUS_KM * 2.0 * np.arctan2(np.sqrt(a), np.sqrt(1.0 - a)))


@compiled
def _speed_keep(indptr: np.ndarray, lat: np.ndarray, lng: np.ndarray, seconds: np.ndarray, max_kmh: float,
                loops: bool, loop_kmh: float, max_loop: int, ratio_max: float) -> np.ndarray:  # pragma: no cover - compiled
    keep = np.zeros(len(lat), dtype=np.bool_)
    # the kept points of a user form a linked list (skmob deletes from a Python list)
    after = np.arange(1, len(lat) + 1)
    rows = np.empty(max(max_loop, 1), dtype=np.int64)
    dist = np.empty(max(max_loop, 1), dtype=np.float64)
    for u in range(len(indptr) - 1):
        start, stop = indptr[u], indptr[u + 1]
        keep[start:stop] = True
        alive = stop - start
        i, pos = start, 0
        while pos < alive - 1:
            j = after[i]
            dt = seconds[j] - seconds[i]
            if dt <= 0 or _haversine_km(lat[i], lng[i], lat[j], lng[j]) / dt * 3600.0 > max_kmh:
                keep[j] = False
                after[i] = after[j]
                alive -= 1
                continue
            if loops and pos < alive - 2:
                ahead = min(max_loop, alive - pos - 1)
                n, at, far = 0, i, 0
                for r in range(ahead - 1):
                    at = after[at]
                    rows[r] = at
                    dist[r] = _haversine_km(lat[i], lng[i], lat[at], lng[at])
                    if dist[r] > dist[far]:
                        far = r
                    n += 1
                back = -1
                for r in range(far, n):
                    if dist[r] < dist[far] * ratio_max:
                        back = r
                        break
                if back > 0:
                    dr, ds = 0.0, 0.0
                    for r in range(back):
                        dr += dist[r]
                        ds += seconds[rows[r]] - seconds[i]
                    if dr / ds * 3600.0 > loop_kmh:
                        before = i if far == 0 else rows[far - 1]
                        keep[rows[far]] = False
                        after[before] = after[rows[far]]
                        alive -= 1
                        continue
            i = after[i]
            pos += 1
    return keep


@compiled
def _stays(indptr: np.ndarray, lat: np.ndarray, lng: np.ndarray, seconds: np.ndarray, radius_km: float,
           minutes: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    out_user = np.empty(len(lat), dtype=np.int64)
    out_lat = np.empty(len(lat), dtype=np.float64)
    out_lng = np.empty(len(lat), dtype=np.float64)
    out_t = np.empty(len(lat), dtype=np.int64)
    n = 0
    for u in range(len(indptr) - 1):
        start, stop = indptr[u], indptr[u + 1]
        if stop - start < 2:
            continue
        anchor = start
        first = start  # the run's points are first..j-1
        for j in range(start + 1, stop):
            last_point = j == stop - 1
            far = _haversine_km(lat[anchor], lng[anchor], lat[j], lng[j]) > radius_km
            if far or last_point:
                if (seconds[j] - seconds[anchor]) / 60.0 > minutes and j > first:
                    out_user[n] = u
                    out_lat[n] = np.median(lat[first:j])
                    out_lng[n] = np.median(lng[first:j])
                    out_t[n] = seconds[anchor]
                    n += 1
                anchor = j
                first = j
    return out_user[:n], out_lat[:n], out_lng[:n], out_t[:n]


@dataclass(frozen=True)
class Preprocess:
    """The steps asked for, with their parameters (None: step not asked for)."""

    max_speed_kmh: float | None = None
    include_loops: bool = False
    loop_speed_kmh: float = LOOP_SPEED_KMH
    max_loop: int = MAX_LOOP
    ratio_max: float = RATIO_MAX
    stay_radius_m: float | None = None
    stay_minutes: float = STAY_MINUTES
    space: Space | None = None
    time_bin: str | None = None

    @classmethod
    def from_mapping(cls, raw: Any, where: str = "preprocess") -> Preprocess:
        """Parse the job file's ``preprocess:`` section (every key checked).

        Examples
        --------
        >>> step = Preprocess.from_mapping({"speed_filter": {"include_loops": True}, "stay_points": {"minutes": 30}})
        >>> step.max_speed_kmh, step.include_loops, step.loop_speed_kmh, step.max_loop, step.ratio_max, step.stay_minutes
        (500.0, True, 5.0, 6, 0.25, 30.0)
        """
        if not isinstance(raw, Mapping):
            raise ConfigError(f"`{where}` must be a mapping, got {shown(raw)}", hint="preprocess: {stay_points: {}}")
        check_keys(raw, STEPS, f"`{where}`", noun="step")

        def section(name: str, keys: tuple[str, ...]) -> Mapping[str, Any] | None:
            value = raw.get(name)
            if name not in raw:
                return None
            value = {} if value is None else value
            if not isinstance(value, Mapping):
                raise ConfigError(f"`{where}.{name}` must be a mapping, got {shown(value)}", hint=f"{name}: {{}}")
            check_keys(value, keys, f"`{where}.{name}`")
            return value

        speed = section("speed_filter", ("max_speed_kmh", "include_loops", "speed_kmh", "max_loop", "ratio_max"))
        stay = section("stay_points", ("radius_m", "minutes"))
        space = section("space", ("grid_m", "h3"))
        time = section("time", ("bin",))
        if space is not None and not space:
            raise ConfigError(f"`{where}.space` needs grid_m or h3", hint="space: {grid_m: 1000}")
        if time is not None and "bin" not in time:
            raise ConfigError(f"`{where}.time` needs a bin", hint="time: {bin: 1h}")
        if time is not None:
            bin_seconds(time["bin"], f"{where}.time.bin")
        def positive(part: Mapping[str, Any] | None, key: str, default: float, name: str) -> float | None:
            if part is None:
                return None
            return check_float(part.get(key, default), f"{where}.{name}.{key}", low=0.0, low_open=True)

        loops = False if speed is None else speed.get("include_loops", False)
        if not isinstance(loops, bool):
            raise ConfigError(f"`{where}.speed_filter.include_loops` must be true or false, got {shown(loops)}",
                              hint="include_loops: true")
        if speed is not None and not loops and set(speed) & {"speed_kmh", "max_loop", "ratio_max"}:
            raise ConfigError(f"`{where}.speed_filter` sets loop parameters without include_loops: true",
                              hint="speed_filter: {include_loops: true, speed_kmh: 5}")
        loop = speed if loops and speed is not None else {}
        return cls(
            max_speed_kmh=positive(speed, "max_speed_kmh", MAX_SPEED_KMH, "speed_filter"),
            include_loops=loops,
            loop_speed_kmh=check_float(loop.get("speed_kmh", LOOP_SPEED_KMH), f"{where}.speed_filter.speed_kmh", low=0.0),
            max_loop=check_int(loop.get("max_loop", MAX_LOOP), f"{where}.speed_filter.max_loop", low=2),
            ratio_max=check_float(loop.get("ratio_max", RATIO_MAX), f"{where}.speed_filter.ratio_max", low=0.0, high=1.0),
            stay_radius_m=positive(stay, "radius_m", STAY_RADIUS_M, "stay_points"),
            stay_minutes=positive(stay, "minutes", STAY_MINUTES, "stay_points") or STAY_MINUTES,
            space=None if space is None else Space(grid_m=space.get("grid_m"), h3=space.get("h3")),
            time_bin=None if time is None else time["bin"])

    def apply(self, points: Any, columns: Mapping[str, str | None], *, cells: bool = True) -> tuple[pl.DataFrame, dict[str, Any]]:
        """The preprocessed point table (same column names) and counts per step (no values).

        ``cells=False`` skips the cells and bins (the anonymize search chooses its own).

        Examples
        --------
        >>> from datetime import datetime, timedelta
        >>> t0 = datetime(2024, 1, 1, 8)
        >>> pts = pl.DataFrame({"u": [1] * 4, "lat": [45.0, 45.0001, 45.0002, 46.0], "lng": [7.0] * 4,
        ...                     "t": [t0 + timedelta(minutes=m) for m in (0, 10, 30, 31)]})
        >>> out, counts = Preprocess(max_speed_kmh=500, stay_radius_m=200).apply(pts, {"user": "u", "lat": "lat", "lng": "lng", "time": "t"})
        >>> counts["speed_filter"], counts["stay_points"], out.height
        ({'points_in': 4, 'dropped': 1}, {'points_in': 3, 'stays': 1}, 1)
        """
        lat_name, lng_name, time_name = columns.get("lat"), columns.get("lng"), columns.get("time")
        frame = points if isinstance(points, pl.DataFrame) else pl.from_pandas(points)
        counts: dict[str, Any] = {}
        needs_coordinates = self.max_speed_kmh is not None or self.stay_radius_m is not None or (cells and self.space is not None)
        if needs_coordinates and (lat_name is None or lng_name is None):
            raise ConfigError("preprocessing needs lat and lng columns", hint="trajectories: {user: ..., lat: ..., lng: ..., time: ...}")
        if (self.max_speed_kmh is not None or self.stay_radius_m is not None or (cells and self.time_bin)) and time_name is None:
            raise ConfigError("the speed filter, stay points and time bins need a time column", hint="trajectories: {..., time: <column>}")
        if self.max_speed_kmh is not None or self.stay_radius_m is not None:
            assert lat_name is not None and lng_name is not None and time_name is not None
            t = encode_columns(frame, {**columns, "place": None})
            assert t.order is not None
            frame = frame[t.order]
            seconds = datetimes(frame, time_name).dt.epoch("s").to_numpy().astype(np.int64)
            lat = frame[lat_name].cast(pl.Float64).to_numpy()
            lng = frame[lng_name].cast(pl.Float64).to_numpy()
            indptr = t.indptr
            if self.max_speed_kmh is not None:
                keep = _speed_keep(indptr, lat, lng, seconds, float(self.max_speed_kmh), self.include_loops,
                                   float(self.loop_speed_kmh), int(self.max_loop), float(self.ratio_max))
                counts["speed_filter"] = {"points_in": frame.height, "dropped": int(np.count_nonzero(~keep))}
                frame, lat, lng, seconds = frame.filter(pl.Series(keep)), lat[keep], lng[keep], seconds[keep]
                indptr = np.r_[0, np.cumsum(np.bincount(t.user[keep], minlength=len(t.users)))]
            if self.stay_radius_m is not None:
                user, slat, slng, start = _stays(indptr, lat, lng, seconds, float(self.stay_radius_m) / 1000.0, float(self.stay_minutes))
                counts["stay_points"] = {"points_in": frame.height, "stays": len(user)}
                dtype = frame.schema[time_name] if frame.schema[time_name] in (pl.Datetime("us"), pl.Datetime("ms"), pl.Datetime("ns")) else pl.Datetime("us")
                frame = pl.DataFrame({str(columns["user"]): t.users.gather(user), lat_name: slat, lng_name: slng,
                                      time_name: pl.Series(start * 1_000_000, dtype=pl.Int64).cast(pl.Datetime("us")).cast(dtype)})
        if cells and self.space is not None:
            assert lat_name is not None and lng_name is not None
            lat = frame[lat_name].cast(pl.Float64).to_numpy()
            lng = frame[lng_name].cast(pl.Float64).to_numpy()
            clat, clng = self.space.centres(self.space.cells(lat, lng))
            frame = frame.with_columns(pl.Series(lat_name, np.round(clat, 6)), pl.Series(lng_name, np.round(clng, 6)))
            counts["space"] = self.space.to_dict()
        if cells and self.time_bin is not None:
            assert time_name is not None
            width = bin_seconds(self.time_bin)
            start = time_bins(datetimes(frame, time_name).dt.epoch("us").to_numpy(), width) * (width * 1_000_000)
            frame = frame.with_columns(pl.Series(time_name, start, dtype=pl.Int64).cast(pl.Datetime("us")))
            counts["time"] = {"bin": self.time_bin}
        return frame, counts


__all__ = ["Preprocess", "STEPS", "MAX_SPEED_KMH", "LOOP_SPEED_KMH", "MAX_LOOP", "RATIO_MAX", "STAY_RADIUS_M", "STAY_MINUTES"]
