"""Spatial and temporal resolutions: metric grid cells, H3 cells and time bins, as integer codes.

- **Metric grid** (``grid_m``): points are projected with the sinusoidal (equal-area) projection
  on a sphere of radius 6,371,008.8 m (``x = R lng cos(lat)``, ``y = R lat``, radians) and cut into
  squares of ``grid_m`` metres; a cell is ``(floor(x / grid_m), floor(y / grid_m))``. The projection
  needs no data-dependent origin, so the same point falls in the same cell in every table. A cell's
  centre maps back by the inverse projection.
- **H3** (``h3``): the cell of resolution 0..15 of Uber's H3 index, through the ``h3`` package
  (``pip install 'unlinkable[traces]'``), imported only when asked for.
- **Time bins** (``bin``): ``"<n><unit>"`` with unit ``s``, ``min``, ``h``, ``d`` or ``w``; a time
  falls in bin ``floor(epoch seconds / width)`` (bins aligned to 1970-01-01 00:00 UTC, days from
  midnight, weeks from a Thursday).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.errors import ConfigError, shown

#: mean Earth radius (IUGG), metres
EARTH_RADIUS_M = 6_371_008.8
_UNITS = {"s": 1, "min": 60, "h": 3600, "d": 86_400, "w": 604_800}
_BIN = re.compile(r"^\s*(\d+)\s*(s|min|h|d|w)\s*$")


def bin_seconds(text: Any, where: str = "time.bin") -> int:
    """The width in seconds of a time bin written ``"<n><unit>"`` (s, min, h, d, w).

    Examples
    --------
    >>> bin_seconds("1h"), bin_seconds("15min"), bin_seconds("2d")
    (3600, 900, 172800)
    """
    match = _BIN.match(text) if isinstance(text, str) else None
    if match is None or int(match.group(1)) < 1:
        raise ConfigError(f"`{where}` {shown(text)} is not a time bin", hint='write e.g. "15min", "1h", "1d" or "1w"')
    return int(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class Space:
    """A spatial resolution: ``grid_m`` metres, or H3 resolution ``h3``, or neither (places as given)."""

    grid_m: float | None = None
    h3: int | None = None

    def __post_init__(self) -> None:
        if self.grid_m is not None and self.h3 is not None:
            raise ConfigError("a spatial resolution is either grid_m or h3, not both", hint="space: {grid_m: 1000}")
        if self.grid_m is not None and (isinstance(self.grid_m, bool) or not isinstance(self.grid_m, (int, float))
                                        or not np.isfinite(self.grid_m) or self.grid_m <= 0):
            raise ConfigError(f"`space.grid_m` must be a number of metres > 0, not {shown(self.grid_m)}", hint="grid_m: 1000")
        if self.h3 is not None and (isinstance(self.h3, bool) or not isinstance(self.h3, int) or not 0 <= self.h3 <= 15):
            raise ConfigError(f"`space.h3` must be an H3 resolution 0..15, not {shown(self.h3)}", hint="h3: 8")

    @property
    def label(self) -> str:
        """How the resolution is written in JSON and reports."""
        if self.grid_m is not None:
            return f"grid {self.grid_m:g} m"
        if self.h3 is not None:
            return f"h3 {self.h3}"
        return "places as given"

    def to_dict(self) -> dict[str, Any]:
        return {"grid_m": self.grid_m} if self.grid_m is not None else {"h3": self.h3} if self.h3 is not None else {}

    @property
    def size_m(self) -> float:
        """A cell's side in metres: ``grid_m``, or the square root of H3's average hexagon area at ``h3``.

        One scale for both kinds, so a search can order and compare grid and H3 levels.

        Examples
        --------
        >>> Space(grid_m=500).size_m, round(Space(h3=8).size_m)
        (500.0, 859)
        """
        if self.h3 is not None:
            return float(np.sqrt(_h3().average_hexagon_area(self.h3, "m^2")))
        if self.grid_m is None:
            raise ConfigError("places as given have no cell size", hint="space: {grid_m: 1000}")
        return float(self.grid_m)

    def cells(self, lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
        """One int64 cell code per point (only comparable within one resolution).

        Examples
        --------
        Points 100 m apart share a 1 km cell; a point 2 km north does not.

        >>> c = Space(grid_m=1000).cells(np.array([45.0003, 45.0012, 45.02]), np.array([7.0, 7.0, 7.0]))
        >>> bool(c[0] == c[1]), bool(c[0] == c[2])
        (True, False)
        """
        if self.h3 is not None:
            return _h3_cells(lat, lng, self.h3)
        if self.grid_m is None:
            raise ConfigError("no spatial resolution to compute cells at", hint="space: {grid_m: 1000}")
        x, y = project(lat, lng)
        col = np.floor(x / self.grid_m).astype(np.int64)
        row = np.floor(y / self.grid_m).astype(np.int64)
        # both fit 32 bits for any cell of 1 mm or more: pack them into one key
        return (row << 32) + (col + (1 << 31))

    def centres(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lat, lng) of each cell's centre, for writing points at the released resolution."""
        if self.h3 is not None:
            h3 = _h3()
            pairs = [h3.cell_to_latlng(h3.int_to_str(int(c))) for c in np.unique(cells)]
            table = dict(zip(np.unique(cells).tolist(), pairs))
            return (np.array([table[c][0] for c in cells.tolist()]), np.array([table[c][1] for c in cells.tolist()]))
        assert self.grid_m is not None
        row = cells >> 32
        col = (cells & 0xFFFFFFFF) - (1 << 31)
        return unproject((col + 0.5) * self.grid_m, (row + 0.5) * self.grid_m)


def project(lat: np.ndarray, lng: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sinusoidal projection of decimal degrees to metres (x east, y north)."""
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lng, dtype=np.float64))
    return EARTH_RADIUS_M * lam * np.cos(phi), EARTH_RADIUS_M * phi


def unproject(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of :func:`project` (decimal degrees); longitudes clipped to [-180, 180]."""
    phi = y / EARTH_RADIUS_M
    cos = np.maximum(np.cos(phi), 1e-12)
    return np.degrees(phi), np.clip(np.degrees(x / (EARTH_RADIUS_M * cos)), -180.0, 180.0)


def _h3() -> Any:
    """The optional ``h3`` package (imported by name: it ships no type information)."""
    try:
        return importlib.import_module("h3")
    except ImportError:
        raise ConfigError("H3 cells need the h3 package", hint="pip install 'unlinkable[traces]', or use space: {grid_m: ...}") from None


def _h3_cells(lat: np.ndarray, lng: np.ndarray, resolution: int) -> np.ndarray:
    h3 = _h3()
    # h3's Python API is per point; distinct coordinates only, then scattered back
    pairs = np.stack([np.asarray(lat, dtype=np.float64), np.asarray(lng, dtype=np.float64)], axis=1)
    distinct, inverse = np.unique(pairs, axis=0, return_inverse=True)
    codes = np.fromiter((h3.str_to_int(h3.latlng_to_cell(a, b, resolution)) for a, b in distinct.tolist()),
                        dtype=np.uint64, count=len(distinct))
    return codes.astype(np.int64)[inverse.reshape(-1)]


def time_bins(epoch_us: np.ndarray, width_s: int) -> np.ndarray:
    """The bin of every time (microseconds since 1970, UTC) for bins of ``width_s`` seconds.

    Examples
    --------
    >>> time_bins(np.array([0, 3_599_999_999, 3_600_000_000]), 3600).tolist()
    [0, 0, 1]
    """
    return np.floor_divide(np.asarray(epoch_us, dtype=np.int64), np.int64(width_s) * 1_000_000)


__all__ = ["Space", "bin_seconds", "time_bins", "project", "unproject", "EARTH_RADIUS_M"]
