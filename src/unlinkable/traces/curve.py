"""Unicity against resolution: eps_p over a grid of metric cell sizes and time bins, and its power law.

de Montjoye et al. (Sci. Rep. 2013) found that the uniqueness of traces falls as a power of the
coarseness, the product of the spatial size ``v`` and the temporal size ``h``. The fit here is
``eps_p ~ c * (v * h)^beta`` by least squares on logarithms (``v`` in metres, ``h`` in hours; ``v``
alone without times), over the grid points where eps_p > 0. ``beta`` (negative: coarser data is
less unique) is the exponent; ``r2`` says how well a power law describes the grid at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.constraints import check_int
from unlinkable.errors import ConfigError, shown
from unlinkable.points.unicity import MODES, unicity
from unlinkable.traces.resolution import Space, bin_seconds

#: the default grid: cell sizes (metres) and time bins
SPACE_M = (250, 500, 1000, 2000, 5000, 10000)
TIME_BINS = ("1h", "4h", "1d", "1w")


@dataclass(frozen=True)
class CurvePoint:
    grid_m: float
    time_bin: str | None
    value: float | None
    exact: bool
    ci95: tuple[float, float] | None

    def to_dict(self) -> dict[str, Any]:
        return {"grid_m": self.grid_m, "time_bin": self.time_bin, "value": self.value, "exact": self.exact,
                "ci95": None if self.ci95 is None else list(self.ci95)}


@dataclass(frozen=True)
class Curve:
    p: int
    points: tuple[CurvePoint, ...]
    exponent: float | None
    scale: float | None
    r2: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"p": self.p, "points": [c.to_dict() for c in self.points],
                "power_law": {"exponent": self.exponent, "scale": self.scale, "r2": self.r2,
                              "form": "unicity = scale * (grid_m * time_bin_hours) ** exponent"}}


def fit_power_law(x: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None, float | None]:
    """``(exponent, scale, r2)`` of ``y ~ scale * x ** exponent`` over the pairs with y > 0.

    Examples
    --------
    >>> [round(v, 6) for v in fit_power_law(np.array([1.0, 10.0, 100.0]), np.array([0.8, 0.4, 0.2]))]
    [-0.30103, 0.8, 1.0]
    """
    keep = (y > 0) & (x > 0)
    if len(np.unique(x[keep])) < 2:
        return None, None, None
    lx, ly = np.log(x[keep]), np.log(y[keep])
    slope, intercept = np.polyfit(lx, ly, 1)
    residual = ly - (slope * lx + intercept)
    total = float(np.sum((ly - ly.mean()) ** 2))
    r2 = 1.0 - float(np.sum(residual ** 2)) / total if total > 0 else 1.0
    return float(slope), float(np.exp(intercept)), r2


def unicity_curve(points: Any, columns: Mapping[str, str | None], *, p: int = 4, space: Sequence[float] = SPACE_M,
                  time: Sequence[str] | None = None, mode: str = "auto", seed: int = 0) -> Curve:
    """eps_p at every (cell size, time bin) of the grid, and the fitted exponent.

    ``columns`` names ``user``, ``lat``, ``lng`` and optionally ``time`` (as for
    :func:`unlinkable.traces.table.encode_traces`); ``time`` defaults to :data:`TIME_BINS` when
    there is a time column.

    Examples
    --------
    >>> import polars as pl
    >>> pts = pl.DataFrame({"u": [1, 1, 2, 2], "lat": [45.0, 45.1, 45.0, 45.3], "lng": [7.0] * 4})
    >>> c = unicity_curve(pts, {"user": "u", "lat": "lat", "lng": "lng"}, p=1, space=[1000, 100000])
    >>> [pt.value for pt in c.points]
    [0.5, 0.0]
    """
    from unlinkable.traces.table import encode_columns

    p = check_int(p, "curve.p", low=1, high=10)
    if mode not in MODES:
        raise ConfigError(f"`curve.mode` {shown(mode)} is not one of {', '.join(MODES)}", hint="mode: sampled")
    if columns.get("lat") is None or columns.get("lng") is None:
        raise ConfigError("the unicity curve needs lat/lng (cells are cut from coordinates)", hint="trajectories: {lat: ..., lng: ...}")
    sizes = [Space(grid_m=float(v) if not isinstance(v, bool) and isinstance(v, (int, float)) else v) for v in space]
    if not sizes:
        raise ConfigError("`curve.space` lists no cell size", hint="space: [500, 1000, 2000]")
    has_time = columns.get("time") is not None
    bins: list[str | None] = list(time if time is not None else TIME_BINS) if has_time else [None]
    if not has_time and time:
        raise ConfigError("`curve.time` needs a time column", hint="name it in trajectories: {time: ...}")
    out = []
    for s in sizes:
        for b in bins:
            width = bin_seconds(b, "curve.time") if b is not None else None
            t = encode_columns(points, columns, space=s, time_bin_s=width)
            u = unicity(t.as_points(), [p], mode=mode, seed=seed)[0]
            assert s.grid_m is not None
            out.append(CurvePoint(s.grid_m, b, u.value, u.exact, u.ci95))
    coarse = np.array([c.grid_m * (bin_seconds(c.time_bin) / 3600 if c.time_bin else 1.0) for c in out])
    value = np.array([np.nan if c.value is None else c.value for c in out])
    exponent, scale, r2 = fit_power_law(coarse, np.nan_to_num(value, nan=0.0))
    return Curve(p, tuple(out), exponent, scale, r2)


__all__ = ["Curve", "CurvePoint", "unicity_curve", "fit_power_law", "SPACE_M", "TIME_BINS"]
