"""A seeded synthetic mobility generator: home, work and leisure anchors, commuting, Zipf places.

``n_places`` places are scattered over a square city (``extent_km`` wide, centred on
``centre``); their popularity follows Zipf's law (weight ``1 / rank^zipf``). Every user draws a
home, a work place and ``leisure`` leisure places by popularity, then ``points`` stays over
``days`` days starting on a Monday:

=============  ======  ============================================================
kind           share   when
=============  ======  ============================================================
home           0.40    nights and early mornings (19:00-24:00, 00:00-08:00)
work           0.30    weekdays 09:00-17:00 (weekend draws become leisure)
leisure        0.20    evenings 18:00-22:00 and weekends 10:00-22:00
exploration    0.10    any popular place (Zipf), 08:00-22:00
=============  ======  ============================================================

Home at night and work in office hours on weekdays is the commuting pattern; the top two places of
most users are their home and work. A stay is recorded at its place's coordinates (like check-ins or detected stay points) plus
optional GPS noise of ``noise_m`` metres (normal, per axis). Everything is drawn from one
``numpy.random.default_rng(seed)``, vectorised over all points: the same arguments give the same
table. No real person is in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

from unlinkable.constraints import check_float, check_int
from unlinkable.traces.resolution import project, unproject

KINDS = ("home", "work", "leisure", "exploration")
SHARES = (0.40, 0.30, 0.20, 0.10)
START = datetime(2024, 3, 4)  # a Monday


@dataclass(frozen=True)
class City:
    """Where the places are: a centre (lat, lng) and a square extent in km."""

    centre: tuple[float, float] = (45.07, 7.68)
    extent_km: float = 20.0


def synthetic_traces(n_users: int, *, points: int = 50, n_places: int = 2_000, leisure: int = 3, days: int = 28,
                     zipf: float = 1.0, noise_m: float = 0.0, city: City | None = None, seed: int = 0) -> pl.DataFrame:
    """A point table ``user, lat, lng, time`` of ``n_users`` x ``points`` synthetic stays.

    Examples
    --------
    >>> t = synthetic_traces(3, points=4, n_places=50, seed=1)
    >>> t.columns, t.height, t["user"].n_unique()
    (['user', 'lat', 'lng', 'time'], 12, 3)
    >>> synthetic_traces(3, points=4, n_places=50, seed=1).equals(t)
    True
    """
    n_users = check_int(n_users, "n_users", low=1)
    points = check_int(points, "points", low=1)
    n_places = check_int(n_places, "n_places", low=2)
    leisure = check_int(leisure, "leisure", low=1)
    days = check_int(days, "days", low=1)
    zipf = check_float(zipf, "zipf", low=0.0)
    noise_m = check_float(noise_m, "noise_m", low=0.0)
    seed = check_int(seed, "seed", low=0)
    city = city or City()
    rng = np.random.default_rng(seed)
    # places: uniform over the square, in metres around the centre, then back to degrees
    cx, cy = project(np.array([city.centre[0]]), np.array([city.centre[1]]))
    half = city.extent_km * 500.0
    px = cx[0] + rng.uniform(-half, half, n_places)
    py = cy[0] + rng.uniform(-half, half, n_places)
    weight = 1.0 / np.arange(1, n_places + 1) ** zipf
    cdf = np.cumsum(weight / weight.sum())

    def popular(size: int | tuple[int, ...]) -> np.ndarray:
        return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), n_places - 1)

    home, work, fun = popular(n_users), popular(n_users), popular((n_users, leisure))
    n = n_users * points
    user = np.repeat(np.arange(n_users, dtype=np.int64), points)
    kind = np.searchsorted(np.cumsum(SHARES), rng.random(n), side="right").clip(0, 3)
    day = rng.integers(0, days, n)
    weekend = (day % 7) >= 5
    kind[(kind == 1) & weekend] = 2  # nobody at work on weekends: leisure instead
    hour = np.empty(n, dtype=np.float64)
    at_home = kind == 0
    evening = rng.random(n) < 0.5
    hour[at_home] = np.where(evening[at_home], 19 + rng.random(n)[at_home] * 5, rng.random(n)[at_home] * 8)
    hour[kind == 1] = 9 + rng.random(n)[kind == 1] * 8
    fun_hours = np.where(weekend, 10 + rng.random(n) * 12, 18 + rng.random(n) * 4)
    hour[kind == 2] = fun_hours[kind == 2]
    hour[kind == 3] = 8 + rng.random(n)[kind == 3] * 14
    place = np.where(kind == 0, home[user], work[user])
    place = np.where(kind == 2, fun[user, rng.integers(0, leisure, n)], place)
    place = np.where(kind == 3, popular(n), place)
    x, y = px[place], py[place]
    if noise_m > 0:
        x = x + rng.normal(0.0, noise_m, n)
        y = y + rng.normal(0.0, noise_m, n)
    lat, lng = unproject(x, y)
    seconds = (day * 86_400 + np.floor(hour * 3600)).astype(np.int64)
    stamp = (np.datetime64(START, "s") + seconds.astype("timedelta64[s]")).astype("datetime64[us]")
    frame = pl.DataFrame({"user": user, "lat": np.round(lat, 6), "lng": np.round(lng, 6), "time": stamp})
    return frame.sort(["user", "time"], maintain_order=True)


JOB = """input: {path: stays.csv}
trajectories: {user: user, lat: lat, lng: lng, time: time}
assess:
  attacks: [{location: {k: 2}}, {location_sequence: {k: 2}}, {location_time: {k: 2, time_precision: day}},
            {unique_location: {k: 2}}, {location_frequency: {k: 2}}, {location_probability: {k: 2}},
            {location_proportion: {k: 2}}, home_work]
  unicity: {p: [1, 2, 4], mode: auto, space: {grid_m: 1000}, time: {bin: 1h}}
  curve: {p: 2, space: [500, 2000, 10000], time: [1h, 1d, 1w], mode: sampled}
privacy: [{trajectory-k-anonymity: {k: 5, p: 2}}]
anonymize: {space: [1000, 2000, 5000, 10000], time: [4h, 1d, 1w], point_suppression: 0.3, user_suppression: 0.1,
            home_work: {radius_m: 300}}
output: {path: released.csv, report: released.html}
"""


def job_text(data: str, *, released: str, report: str) -> str:
    """The embedded example's job file (``JOB``) for the points in ``data``, releasing ``released``.

    Examples
    --------
    >>> job_text("traces.csv", released="out.csv", report="out.html").splitlines()[0]
    'input: {path: traces.csv}'
    """
    return (JOB.replace("{path: stays.csv}", "{path: " + data + "}")
            .replace("{path: released.csv, report: released.html}", "{path: " + released + ", report: " + report + "}"))


def write_traces_job(folder: str | Path, *, n_users: int = 2_000, points: int = 20, seed: int = 0,
                     stem: str | None = None) -> Path:
    """The embedded example: synthetic stays (``stays.csv``) and a job file using every feature.

    Returns the job file's path; ``unlinkable assess`` and ``unlinkable anonymize`` run it as it is.
    With ``stem``, the files are ``<stem>.csv`` and ``<stem>_job.yaml``, releasing
    ``<stem>_released.csv`` with the report ``<stem>_report.html`` (what ``./run`` writes).

    Examples
    --------
    >>> import tempfile
    >>> job = write_traces_job(tempfile.mkdtemp(), n_users=20, points=5)
    >>> sorted(p.name for p in job.parent.iterdir())
    ['job.yaml', 'stays.csv']
    """
    folder = Path(folder)
    data, job = ("stays.csv", "job.yaml") if stem is None else (f"{stem}.csv", f"{stem}_job.yaml")
    text = JOB if stem is None else job_text(data, released=f"{stem}_released.csv", report=f"{stem}_report.html")
    synthetic_traces(n_users, points=points, n_places=max(50, n_users // 5), seed=seed).write_csv(folder / data)
    (folder / job).write_text(text, encoding="utf-8")
    return folder / job


__all__ = ["synthetic_traces", "write_traces_job", "job_text", "City", "KINDS", "SHARES", "JOB"]
