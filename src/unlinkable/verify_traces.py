"""Independent re-check of a trajectory release before it is written (fail closed).

It reads only the released table -- pseudonym, lat, lng and time as they will be written -- and
re-derives everything from those values, with an algorithm the search does not use: for every
released user and every set of ``min(p, n)`` of its distinct (lat, lng, time) points, the users
holding the set's rarest point are candidates, and each candidate is checked to hold every point
of the set (membership by sorted-key lookup). No key of a set is packed or counted by sorting,
as the search's kernel does. It also checks that every point sits on the centre of a cell of the
claimed size (for H3, that the ``h3`` package maps each distinct point back to itself: its cell's
centre, to 6 decimals) and at the start of a bin of the claimed width.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import polars as pl

from unlinkable.errors import VerificationError

#: the sphere of the sinusoidal grid (IUGG mean radius), restated here so the check is the verifier's own
_RADIUS_M = 6_371_008.8

#: (set, candidate) pairs checked at once
PAIRS = 2_000_000


def _on_centres(lat: np.ndarray, lng: np.ndarray, grid_m: float) -> bool:
    """Whether every (lat, lng) is, to 6 decimals, the centre of its sinusoidal grid cell."""
    y = _RADIUS_M * np.radians(lat)
    x = _RADIUS_M * np.radians(lng) * np.cos(np.radians(lat))
    cy = (np.floor(y / grid_m) + 0.5) * grid_m
    cx = (np.floor(x / grid_m) + 0.5) * grid_m
    phi = cy / _RADIUS_M
    centre_lat = np.degrees(phi)
    centre_lng = np.degrees(cx / (_RADIUS_M * np.maximum(np.cos(phi), 1e-12)))
    return bool(np.array_equal(np.round(centre_lat, 6), lat) and np.array_equal(np.round(centre_lng, 6), lng))


def _on_h3_centres(lat: np.ndarray, lng: np.ndarray, resolution: int) -> bool:
    """Whether every distinct (lat, lng) is, to 6 decimals, the centre of its H3 cell at ``resolution``."""
    import importlib

    h3 = importlib.import_module("h3")
    distinct = np.unique(np.stack([lat, lng], axis=1), axis=0)
    centres = np.array([h3.cell_to_latlng(h3.latlng_to_cell(a, b, resolution)) for a, b in distinct.tolist()]).reshape(-1, 2)
    return bool(np.array_equal(np.round(centres, 6), distinct))


def verify_trace_release(released: pl.DataFrame, *, k: int, p: int, grid_m: float | None, bin_s: int | None,
                         h3: int | None = None) -> None:
    """Raise VerificationError unless ``released`` holds trajectory k-anonymity at its resolution.

    Examples
    --------
    >>> from datetime import datetime
    >>> t = datetime(2024, 1, 1, 8)
    >>> ok = pl.DataFrame({"user": [1, 2], "lat": [44.997494] * 2, "lng": [7.001124] * 2, "time": [t, t]})
    >>> verify_trace_release(ok, k=2, p=1, grid_m=1000, bin_s=3600)
    >>> verify_trace_release(ok.head(1), k=2, p=1, grid_m=1000, bin_s=3600)
    Traceback (most recent call last):
    ...
    unlinkable.errors.VerificationError: trajectory-k-anonymity does not hold: 1 released user(s) ...
    """
    expected = ["user", "lat", "lng"] + (["time"] if bin_s is not None else [])
    if released.columns != expected:
        raise VerificationError(f"the release has columns {released.columns}, not {expected}", hint="this is a bug; nothing was written")
    if released.null_count().sum_horizontal().item():
        raise VerificationError("the release has an empty cell", hint="this is a bug; nothing was written")
    if released.height == 0:
        return
    lat = released["lat"].to_numpy().astype(np.float64)
    lng = released["lng"].to_numpy().astype(np.float64)
    if h3 is not None:
        if grid_m is not None or not _on_h3_centres(lat, lng, h3):
            raise VerificationError(f"a released point is not the centre of an H3 cell of resolution {h3}",
                                    hint="this is a bug; nothing was written")
    elif grid_m is None or not _on_centres(lat, lng, grid_m):
        raise VerificationError(f"a released point is not the centre of a {grid_m or 0:g} m cell", hint="this is a bug; nothing was written")
    columns = [lat, lng]
    if bin_s is not None:
        micros = released["time"].cast(pl.Datetime("us")).dt.epoch("us").to_numpy()
        if np.any(micros % (int(bin_s) * 1_000_000)):
            raise VerificationError(f"a released time is not the start of a {bin_s} s bin", hint="this is a bug; nothing was written")
        columns.append(micros.astype(np.float64))
    point = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)[1].reshape(-1).astype(np.int64)
    user = np.unique(released["user"].to_numpy(), return_inverse=True)[1].reshape(-1).astype(np.int64)
    failing = _failing_users(user, point, k, p)
    if failing:
        raise VerificationError(f"trajectory-k-anonymity does not hold: {failing} released user(s) have {p} point(s) that "
                                f"fewer than {k} users hold; nothing was written", hint="this is a bug")


def _failing_users(user: np.ndarray, point: np.ndarray, k: int, p: int) -> int:
    """How many users have a set of min(p, n) distinct points held by fewer than k users."""
    n_points = int(point.max()) + 1
    member = np.unique(user * n_points + point)  # each user's distinct points, ascending
    owner, item = member // n_points, member % n_points
    n_users = int(owner.max()) + 1
    holders = np.bincount(item, minlength=n_points)
    by_item = np.argsort(item, kind="stable")
    first = np.r_[0, np.cumsum(holders)]
    lengths = np.bincount(owner, minlength=n_users)
    start = np.r_[0, np.cumsum(lengths)]
    bad = np.zeros(n_users, dtype=bool)
    for length in np.unique(lengths):
        size = int(min(length, p))
        index = np.array(list(combinations(range(int(length)), size)), dtype=np.int64)
        users = np.flatnonzero(lengths == length)
        sets = item[start[users][:, None, None] + index[None, :, :]].reshape(-1, size)
        set_user = np.repeat(users, len(index))
        rarest = sets[np.arange(len(sets)), np.argmin(holders[sets], axis=1)]
        counts = holders[rarest]
        done = 0
        while done < len(sets):
            stop = max(done + 1, int(np.searchsorted(np.cumsum(counts[done:]), PAIRS, side="right")) + done)
            rows = np.arange(done, stop)
            pair = np.repeat(rows, counts[rows])
            offset = np.arange(len(pair)) - np.repeat(np.cumsum(counts[rows]) - counts[rows], counts[rows])
            candidate = owner[by_item[first[rarest[pair]] + offset]]
            key = candidate[:, None] * n_points + sets[pair]
            at = np.minimum(np.searchsorted(member, key), len(member) - 1)
            holds = (member[at] == key).all(axis=1)
            compatible = np.bincount(pair - done, weights=holds, minlength=len(rows))
            bad[set_user[rows][compatible < k]] = True
            done = stop
    return int(np.count_nonzero(bad))


__all__ = ["verify_trace_release"]
