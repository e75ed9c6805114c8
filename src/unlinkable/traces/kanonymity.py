"""Trajectory k-anonymity: a search over spatial and temporal levels with point and user suppression.

**The guarantee** (``trajectory-k-anonymity: {k, p}``): an adversary who knows any ``p`` of a
released user's (cell, time bin) points -- all of them, when the user has fewer -- finds at least
``k`` released users whose points include them.

**One level** (a spatial level and a time bin) is made to hold it by suppressing (user, cell-bin)
pairs -- all of a user's points in that cell and bin. The cost of a level's release is the points
it does not release. Three steps:

1. *Closure* (always; exact): every point whose (cell, bin) fewer than ``k`` users hold is
   suppressed, repeatedly. Every valid release suppresses these points, so when the closure alone is
   valid and within the budgets, the level's release is the least-cost one.
2. *Greedy rounds* (heuristic): while a user still has a ``p``-set of points held by fewer than
   ``k`` users (supports counted by :func:`unlinkable.traces.instances.min_support`), it gives up
   its least-held (cell, bin) -- all its points there -- and the closure runs again. Users left
   with no point are the suppressed users. The rounds stop once over the budgets' points.
3. *Branch and bound* (exact; :mod:`unlinkable.traces.exact_suppression`): when at most
   ``PAIR_LIMIT`` pairs are left after the closure, the least-cost valid release within the
   budgets is searched for, with the greedy release as the first bound, and is proven least when
   the search ends within ``NODE_LIMIT`` states (else the best found stands, not optimal).

A level's release is *feasible* when the points suppressed from released users and the suppressed
users stay within ``point_suppression`` and ``user_suppression`` (shares of the input). Each level
in the JSON says whether its suppression is the least possible (``optimal``).

**What is optimal.** Every combination of the candidate levels is always tried (exhaustive). The
release is flagged ``optimal: true`` when every level's suppression was proven least (closure
alone, or a finished branch and bound), or a level could not beat the chosen loss even with the
closure's points alone suppressed; then no release that suppresses (user, cell-bin) pairs at any
candidate level, within the budgets, has a smaller loss. Otherwise (large levels where the greedy
rounds were needed) the choice among levels is exact but a level's suppression is heuristic.

**Spatial levels** are metric grid sizes (``1000``) or H3 resolutions (``{h3: 8}``), mixed as
wished. Their cell size in metres orders them and measures their coarseness: ``grid_m`` for the
grid, the square root of H3's average hexagon area for H3 (about 859 m at resolution 8).

**Least loss.** Every combination of the candidate levels is tried; among the feasible ones the
release with the least

    loss = coarseness(cell size) + coarseness(time bin) + share of points not released

is chosen, where the coarseness of a level is ``log(level / finest) / log(coarsest / finest)``
over the candidates (0 for the finest, 1 for the coarsest; 0 when there is one candidate). Ties
go to the finer cell, then the finer bin.

**Home and work.** With ``home_work_radius_m``, each user's two most visited cells at the finest
candidate size (ties by cell) are taken as home and work, and the user's points within that
radius of either cell's centre are suppressed before the search (counted apart from the budgets)
or, with ``home_work_coarsen_m``, moved to the centre of their cell of that size (so everyone
living in that coarse cell shares the place), and then searched like the other points.

**Output.** One row per released point: a pseudonym (1..n in a seeded random order, never the
owner's id), the centre of its cell (lat, lng, 6 decimals) and the start of its time bin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import check_float, check_int, check_keys
from unlinkable.errors import ConfigError, NoSolutionError
from unlinkable.traces.exact_suppression import closure, least_suppression
from unlinkable.traces.instances import min_support
from unlinkable.traces.resolution import Space, bin_seconds, project, time_bins
from unlinkable.traces.table import Traces, datetimes, encode_columns

#: candidate levels when the job names none
SPACE_LEVELS = (250.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0)
TIME_LEVELS = ("1h", "4h", "1d", "1w")


@dataclass(frozen=True)
class LevelOutcome:
    """One (cell size, time bin) tried: its suppression and loss, and whether it is within budget."""

    grid_m: float | None
    time_bin: str | None
    points_suppressed: int
    users_suppressed: int
    points_released: int
    users_released: int
    feasible: bool
    #: None when the level was not carried out (over the budget, or too many distinct points)
    loss: float | None
    checked: bool = True
    h3: int | None = None
    #: whether this level's suppression is the least possible (see the module docstring)
    optimal: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**Space(grid_m=self.grid_m, h3=self.h3).to_dict(), "time_bin": self.time_bin, "points_suppressed": self.points_suppressed,
                "users_suppressed": self.users_suppressed, "points_released": self.points_released,
                "users_released": self.users_released,
                "feasible": self.feasible, "loss": self.loss, "checked": self.checked, "optimal": self.optimal}


@dataclass(frozen=True)
class TraceRelease:
    """The chosen release and how it was found (no seed, place or identifier in ``to_dict``)."""

    k: int
    p: int
    grid_m: float | None
    time_bin: str | None
    points: pl.DataFrame = field(repr=False)
    users_in: int
    points_in: int
    home_work_suppressed: int
    tried: tuple[LevelOutcome, ...]
    chosen: LevelOutcome
    home_work_coarsened: int = 0
    #: the H3 resolution released (then grid_m is None)
    h3: int | None = None
    #: the least loss over every release the candidate levels and suppression allow
    optimal: bool = False

    @property
    def space(self) -> Space:
        """The released spatial resolution."""
        return Space(grid_m=self.grid_m, h3=self.h3)

    def to_dict(self) -> dict[str, Any]:
        return {"model": {"trajectory-k-anonymity": {"k": self.k, "p": self.p}},
                "resolution": {**self.space.to_dict(), "time_bin": self.time_bin},
                "users": {"input": self.users_in, "released": self.chosen.users_released,
                          "suppressed": self.chosen.users_suppressed,
                          "home_work_removed": self.users_in - self.chosen.users_released - self.chosen.users_suppressed},
                "points": {"input": self.points_in, "released": self.chosen.points_released,
                           "suppressed": self.chosen.points_suppressed, "home_work_suppressed": self.home_work_suppressed,
                           "home_work_coarsened": self.home_work_coarsened},
                "loss": self.chosen.loss, "optimal": self.optimal, "levels_tried": [t.to_dict() for t in self.tried]}


def _coarseness(value: float, low: float, high: float) -> float:
    return 0.0 if high <= low else float(np.log(value / low) / np.log(high / low))


def _distinct_sets(user: np.ndarray, item: np.ndarray, n_users: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR of each user's distinct items (ascending)."""
    n_items = int(item.max()) + 1 if len(item) else 1
    keys = np.unique(user * n_items + item)
    indptr = np.zeros(n_users + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // n_items, minlength=n_users), out=indptr[1:])
    return indptr, keys % n_items


def enforce(user: np.ndarray, item: np.ndarray, n_users: int, k: int, p: int,
            budget: int | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """Suppress points until every user's p-sets have support >= k.

    Returns ``(kept point mask, suppressed user mask)`` -- users left with no point are the
    suppressed ones -- or None as soon as more than ``budget`` points are suppressed.

    Examples
    --------
    Users 0 and 1 share items {0, 1}; user 2 holds item 0 and a rare item 2, which is
    suppressed: its one remaining point is held by three users.

    >>> kept, gone = enforce(np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 0, 1, 0, 2]), 3, k=2, p=2)
    >>> kept.tolist(), gone.tolist()
    ([True, True, True, True, True, False], [False, False, False])
    """
    kept = np.ones(len(user), dtype=bool)
    n_items = int(item.max()) + 1 if len(item) else 1
    while True:
        kept = closure(user, item, k, kept)
        if budget is not None and len(kept) - int(np.count_nonzero(kept)) > budget:
            return None
        indptr, sets = _distinct_sets(user[kept], item[kept], n_users)
        holders = np.bincount(sets, minlength=n_items)
        lengths = np.diff(indptr)
        support = min_support(indptr, sets, p)
        failing = (lengths > 0) & (support < k)
        if not failing.any():
            return kept, lengths == 0
        # each failing user gives up its least-held point (ties: the smaller code), then recount
        owner = np.repeat(np.arange(n_users), lengths)
        order = np.lexsort((sets, holders[sets], owner))
        first = order[np.r_[0, np.cumsum(lengths)][:-1][lengths > 0]]
        suppressed_item = np.full(n_users, -1, dtype=np.int64)
        suppressed_item[owner[first]] = sets[first]
        suppressed_item[~failing] = -1
        kept &= suppressed_item[user] != item


def _suppress(user: np.ndarray, item: np.ndarray, forced: np.ndarray, n_users: int, k: int, p: int, point_budget: float,
              user_budget: float, allowed: int) -> tuple[np.ndarray | None, bool]:
    """One level's kept points (None: none found within budget) and whether that is the least suppression."""
    greedy = enforce(user, item, n_users, k, p, budget=allowed)
    start = None
    if greedy is not None:
        kept_count = np.bincount(user[greedy[0]], minlength=n_users)
        users_suppressed = int(np.count_nonzero((kept_count == 0) & (np.bincount(user, minlength=n_users) > 0)))
        points_suppressed = int(np.count_nonzero(~greedy[0] & (kept_count[user] > 0)))
        if points_suppressed <= point_budget and users_suppressed <= user_budget:
            start = greedy[0]
            if np.array_equal(start, forced):  # only what every release suppresses: nothing less is valid
                return start, True
    exact = least_suppression(user, item, k, p, point_budget=point_budget, user_budget=user_budget, start=start, forced=forced)
    if exact is None:  # too large for the exact search: the greedy rounds stand
        return None if greedy is None else greedy[0], False
    if exact.kept is None and not exact.complete:
        return None if greedy is None else greedy[0], False
    return exact.kept, exact.complete


@dataclass(frozen=True)
class _Input:
    traces: Traces
    lat: np.ndarray
    lng: np.ndarray
    epoch_us: np.ndarray | None


def _read(points: Any, columns: Mapping[str, str | None]) -> _Input:
    if columns.get("lat") is None or columns.get("lng") is None:
        raise ConfigError("trajectory k-anonymity cuts cells from lat/lng", hint="trajectories: {user: ..., lat: ..., lng: ..., time: ...}")
    t = encode_columns(points, columns)
    frame = points if isinstance(points, pl.DataFrame) else pl.from_pandas(points)
    assert t.order is not None
    # the coordinates are valid numbers (encode_columns checked them); take them in the points' order
    lat = frame[str(columns["lat"])].cast(pl.Float64).to_numpy()[t.order]
    lng = frame[str(columns["lng"])].cast(pl.Float64).to_numpy()[t.order]
    epoch = None
    if columns.get("time") is not None:
        epoch = datetimes(frame, str(columns["time"])).dt.epoch("us").to_numpy()[t.order]
    return _Input(t, lat, lng, epoch)


def home_work_mask(user: np.ndarray, lat: np.ndarray, lng: np.ndarray, n_users: int, *, grid_m: float | None = None,
                   radius_m: float, h3: int | None = None) -> np.ndarray:
    """True for the points within ``radius_m`` of the centre of one of their user's two most visited cells.

    The cells are ``grid_m`` metres, or of H3 resolution ``h3``.

    Examples
    --------
    >>> near = home_work_mask(np.array([0, 0, 0, 0]), np.array([45.0, 45.0, 45.0, 45.5]), np.array([7.0] * 4), 1,
    ...                       grid_m=1000, radius_m=2000)
    >>> near.tolist()
    [True, True, True, True]
    """
    space = Space(grid_m=grid_m, h3=h3)
    cells = space.cells(lat, lng)
    codes = np.unique(cells, return_inverse=True)[1].reshape(-1)
    n_cells = int(codes.max()) + 1
    pairs, visits = np.unique(user * n_cells + codes, return_counts=True)
    owner, cell = pairs // n_cells, pairs % n_cells
    order = np.lexsort((cell, -visits, owner))
    starts = np.r_[0, np.cumsum(np.bincount(owner, minlength=n_users))]
    rank = np.arange(len(order)) - starts[owner[order]]
    top = order[rank < 2]
    distinct = np.unique(cells)
    clat, clng = space.centres(distinct[cell[top]])
    ax, ay = project(clat, clng)
    px, py = project(lat, lng)
    near = np.zeros(len(user), dtype=bool)
    slot = np.full((n_users, 2), -1, dtype=np.int64)
    which = rank[rank < 2]
    slot[owner[top], which] = np.arange(len(top))
    for j in (0, 1):
        anchor = slot[user, j]
        has = anchor >= 0
        dx = px[has] - ax[anchor[has]]
        dy = py[has] - ay[anchor[has]]
        near[has] |= dx * dx + dy * dy <= radius_m * radius_m
    return near


def space_levels(values: Sequence[Any], where: str = "anonymize.space") -> list[Space]:
    """Candidate spatial levels -- grid sizes in metres, ``{h3: r}`` or :class:`Space` -- finest first, once each.

    Examples
    --------
    >>> [s.label for s in space_levels([2000, {"h3": 8}, 500, 500.0])]
    ['grid 500 m', 'h3 8', 'grid 2000 m']
    """
    levels: dict[Space, float] = {}
    for value in values:
        if isinstance(value, Space):
            level = value
        elif isinstance(value, Mapping):
            check_keys(value, ("grid_m", "h3"), f"`{where}`")
            level = Space(grid_m=value.get("grid_m"), h3=value.get("h3"))
        else:
            level = Space(grid_m=value)
        if level.grid_m is None and level.h3 is None:
            raise ConfigError(f"`{where}` lists a level with neither grid_m nor h3", hint="space: [500, 1000, {h3: 7}]")
        if level.grid_m is not None:
            level = Space(grid_m=float(level.grid_m))
        levels[level] = level.size_m
    if not levels:
        raise ConfigError("no spatial level to search", hint="space: [500, 1000, 2000]")
    return sorted(levels, key=lambda s: (levels[s], s.label))


def trajectory_k_anonymize(points: Any, columns: Mapping[str, str | None], *, k: int, p: int,
                           space: Sequence[Any] = SPACE_LEVELS, time: Sequence[str] | None = None,
                           point_suppression: float = 0.05, user_suppression: float = 0.05,
                           home_work_radius_m: float | None = None, home_work_coarsen_m: float | None = None,
                           seed: int = 0) -> TraceRelease:
    """The least-loss release holding trajectory k-anonymity (see the module docstring); not yet verified.

    Examples
    --------
    Six users at two places at the same hours; one user alone elsewhere is suppressed.

    >>> from datetime import datetime
    >>> pts = pl.DataFrame({"u": [1, 1, 2, 2, 3, 3, 4, 4], "lat": [45.0, 45.1] * 3 + [46.0, 46.1],
    ...                     "lng": [7.0] * 8, "t": [datetime(2024, 1, 1, 8), datetime(2024, 1, 1, 18)] * 4})
    >>> r = trajectory_k_anonymize(pts, {"user": "u", "lat": "lat", "lng": "lng", "time": "t"}, k=3, p=2,
    ...                            space=[1000], time=["1h"], user_suppression=0.25)
    >>> r.to_dict()["users"], r.points.height
    ({'input': 4, 'released': 3, 'suppressed': 1, 'home_work_removed': 0}, 6)
    """
    k = check_int(k, "trajectory-k-anonymity k", low=2)
    p = check_int(p, "trajectory-k-anonymity p", low=1, high=6)
    point_suppression = check_float(point_suppression, "point_suppression", low=0.0, high=1.0)
    user_suppression = check_float(user_suppression, "user_suppression", low=0.0, high=1.0)
    levels = space_levels(space)
    sizes = [level.size_m for level in levels]
    data = _read(points, columns)
    t = data.traces
    n_users, n_points = len(t.users), len(t.user)
    if data.epoch_us is None:
        if time:
            raise ConfigError("time levels need a time column", hint="trajectories: {..., time: <column>}")
        bins: list[str | None] = [None]
    else:
        bins = sorted(set(time if time is not None else TIME_LEVELS), key=lambda b: bin_seconds(b, "time"))
    protected = np.zeros(n_points, dtype=bool)
    if home_work_radius_m is not None:
        radius = check_float(home_work_radius_m, "home_work.radius_m", low=0.0)
        protected = home_work_mask(t.user, data.lat, data.lng, n_users, grid_m=levels[0].grid_m, h3=levels[0].h3, radius_m=radius)
    coarsened = 0
    if home_work_coarsen_m is not None:
        if home_work_radius_m is None:
            raise ConfigError("home_work coarsening needs a radius", hint="home_work: {radius_m: 300, coarsen_m: 5000}")
        coarse = Space(grid_m=check_float(home_work_coarsen_m, "home_work.coarsen_m", low=1.0))
        lat, lng = coarse.centres(coarse.cells(data.lat[protected], data.lng[protected]))
        data = _Input(t, data.lat.copy(), data.lng.copy(), data.epoch_us)
        data.lat[protected], data.lng[protected] = lat, lng
        coarsened = int(np.count_nonzero(protected))
        protected = np.zeros(n_points, dtype=bool)
    base = ~protected
    widths = [bin_seconds(b) if b is not None else 1 for b in bins]
    tried: list[LevelOutcome] = []
    bounds: list[float] = []
    best: tuple[float, int, int] | None = None
    best_masks: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    for i, (level, size) in enumerate(zip(levels, sizes)):
        cells = level.cells(data.lat, data.lng)
        cell_code = np.unique(cells, return_inverse=True)[1].reshape(-1).astype(np.int64)
        for j, (label, width) in enumerate(zip(bins, widths)):
            if data.epoch_us is not None:
                slot = time_bins(data.epoch_us, width)
                slot = slot - slot.min()
                item = np.unique(cell_code * (int(slot.max()) + 1) + slot, return_inverse=True)[1].reshape(-1)
            else:
                item = cell_code
            users_live = t.user[base]
            # the budget of one level: suppressed points of released users plus all points of
            # suppressed users can never exceed both budgets' points
            allowed = int(point_suppression * n_points) + int(np.sort(np.bincount(t.user[base], minlength=n_users))[::-1][
                :int(user_suppression * n_users)].sum())
            coarseness = _coarseness(size, sizes[0], sizes[-1]) + _coarseness(width, widths[0], widths[-1])
            # no release at this level loses less than its coarseness plus the points every release suppresses
            forced = closure(users_live, item[base], k)
            bounds.append(coarseness + (n_points - int(np.count_nonzero(forced))) / n_points)
            try:
                kept_live, optimal = _suppress(users_live, item[base], forced, n_users, k, p, point_suppression * n_points,
                                               user_suppression * n_users, allowed)
            except ConfigError:  # too many distinct points for 64-bit instance keys at this level
                tried.append(LevelOutcome(level.grid_m, label, 0, 0, 0, 0, False, None, checked=False, h3=level.h3))
                continue
            if kept_live is None:
                tried.append(LevelOutcome(level.grid_m, label, allowed, 0, 0, 0, False, None, checked=optimal, h3=level.h3,
                                          optimal=optimal))
                continue
            gone = np.bincount(users_live[kept_live], minlength=n_users) == 0
            kept = np.zeros(n_points, dtype=bool)
            kept[np.flatnonzero(base)[kept_live]] = True
            had_points = np.bincount(t.user[base], minlength=n_users) > 0
            users_suppressed = int(np.count_nonzero(gone & had_points))
            released = int(np.count_nonzero(kept))
            by_users = int(np.count_nonzero(base & gone[t.user]))
            points_suppressed = int(np.count_nonzero(base)) - released - by_users
            feasible = (points_suppressed <= point_suppression * n_points and users_suppressed <= user_suppression * n_users
                        and released > 0)
            loss = coarseness + (n_points - released) / n_points
            users_released = int(np.count_nonzero(np.bincount(t.user[kept], minlength=n_users)))
            outcome = LevelOutcome(level.grid_m, label, points_suppressed, users_suppressed, released, users_released, feasible, loss,
                                   h3=level.h3, optimal=optimal)
            tried.append(outcome)
            if feasible and (best is None or (loss, i, j) < best):
                best = (loss, i, j)
                best_masks = (kept, cells, item, np.array([width]))
    if best is None or best_masks is None:
        raise NoSolutionError(f"no level of {len(levels)} cell sizes x {len(bins)} time bins holds trajectory "
                              f"{k}-anonymity for p={p} within the suppression budgets",
                              hint="allow coarser levels (space: [..., 20000], time: [..., 1w]), a larger "
                                   "user_suppression, or a smaller p")
    _, i, j = best
    kept, cells, _, width_arr = best_masks
    chosen = next(o for o in tried if (o.grid_m, o.h3) == (levels[i].grid_m, levels[i].h3) and o.time_bin == bins[j])
    frame = _release_frame(t, cells, data.epoch_us, kept, levels[i], int(width_arr[0]) if bins[j] is not None else None, seed)
    # optimal: every level was solved exactly, or cannot beat the chosen loss even at its bound
    optimal = all(o.optimal or bound >= best[0] for o, bound in zip(tried, bounds))
    return TraceRelease(k, p, levels[i].grid_m, bins[j], frame, n_users, n_points, int(np.count_nonzero(protected)),
                        tuple(tried), chosen, coarsened, levels[i].h3, optimal)


def _release_frame(t: Traces, cells: np.ndarray, epoch_us: np.ndarray | None, kept: np.ndarray, space: Space,
                   width: int | None, seed: int) -> pl.DataFrame:
    """The released points: pseudonym, cell centre, bin start; sorted so no input order shows."""
    rng = np.random.default_rng(seed)
    pseudonym = rng.permutation(len(t.users)) + 1
    lat, lng = space.centres(cells[kept])
    columns: dict[str, Any] = {"user": pseudonym[t.user[kept]], "lat": np.round(lat, 6), "lng": np.round(lng, 6)}
    if epoch_us is not None and width is not None:
        start = time_bins(epoch_us[kept], width) * (width * 1_000_000)
        columns["time"] = pl.Series(start, dtype=pl.Int64).cast(pl.Datetime("us"))
    frame = pl.DataFrame(columns)
    return frame.sort(frame.columns)


__all__ = ["trajectory_k_anonymize", "TraceRelease", "LevelOutcome", "enforce", "home_work_mask", "space_levels",
           "SPACE_LEVELS", "TIME_LEVELS"]
