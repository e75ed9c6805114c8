"""Points at a resolution: each point is its item with its time in bins and its quantity (a price) in bands.

de Montjoye et al. (2015) count a shop, a day and a price band as one point; the coarser the time
bins and price bands, the more records share a point, and the lower the unicity. A resolution is
a bin width for the times and a band width for the quantities (``None``: that part is left out of
the point, as when only items are known). Points are re-encoded on integer codes: each part is
densified, the parts are packed into one int64 key per point and the keys densified again; the
labels are codes, never the data's items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.constraints import check_float
from unlinkable.errors import ConfigError
from unlinkable.points.encoded import Points


@dataclass(frozen=True)
class Resolution:
    """Bin width of the times and band width of the quantities (None: not part of a point).

    Examples
    --------
    >>> Resolution(time_bin=3600).to_dict()
    {'time_bin': 3600.0, 'price_band': None}
    """

    time_bin: float | None = None
    price_band: float | None = None

    def __post_init__(self) -> None:
        for name in ("time_bin", "price_band"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_float(value, name, low=0.0, low_open=True))

    def to_dict(self) -> dict[str, Any]:
        return {"time_bin": self.time_bin, "price_band": self.price_band}


def _dense(values: np.ndarray) -> tuple[np.ndarray, int]:
    distinct, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64).ravel(), max(len(distinct), 1)


def at_resolution(points: Points, resolution: Resolution) -> Points:
    """The points with each one's time binned and quantity banded into the point itself.

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1], [0, 0, 0], labels="a", times=np.array([10.0, 70.0, 20.0]))
    >>> at_resolution(p, Resolution(time_bin=60)).sets().lengths().tolist()   # minute 0 and minute 1
    [2, 1]
    >>> at_resolution(p, Resolution(time_bin=3600)).sets().lengths().tolist()
    [1, 1]
    """
    key = points.items.astype(np.int64)
    span = max(len(points.labels), 1)
    for name, width, values in (("time", resolution.time_bin, points.times), ("quantity", resolution.price_band, points.quantities)):
        if width is None:
            continue
        if values is None:
            raise ConfigError(f"a {'time bin' if name == 'time' else 'price band'} needs a {name} column",
                              hint=f"transactions: {{record: ..., item: ..., {name}: <column>}}")
        part, size = _dense(np.floor(np.asarray(values, dtype=np.float64) / width))
        if span * size >= 2 ** 62:
            raise ConfigError("the points at this resolution do not fit 64-bit keys", hint="use coarser bins")
        key = key * size + part
        span *= size
    codes, size = _dense(key)
    return Points(points.indptr, codes.astype(np.int32), tuple(str(i) for i in range(size)))


def resolution_grid(time_bins: Sequence[float] = (), price_bands: Sequence[float] = ()) -> tuple[Resolution, ...]:
    """Every combination of a time bin (or none) and a price band (or none), except neither, finest first.

    Examples
    --------
    >>> [r.to_dict() for r in resolution_grid([60], [5])]
    [{'time_bin': 60.0, 'price_band': 5.0}, {'time_bin': 60.0, 'price_band': None}, {'time_bin': None, 'price_band': 5.0}]
    """
    times: list[float | None] = [*sorted(float(t) for t in time_bins), None]
    prices: list[float | None] = [*sorted(float(p) for p in price_bands), None]
    return tuple(Resolution(t, p) for t in times for p in prices if t is not None or p is not None)


__all__ = ["Resolution", "at_resolution", "resolution_grid"]
