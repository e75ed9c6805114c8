"""The set-valued assessment: record and item counts, unicity and k^m exposure in one result.

No item label, basket or record identifier enters the figures; per-record output is the record's
position in the input and a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.points.encoded import Points
from unlinkable.points.hierarchy import coarsen, encode_items
from unlinkable.points.km import KmExposure, km_exposure
from unlinkable.points.resolution import Resolution, at_resolution
from unlinkable.points.subsets import Itemsets
from unlinkable.points.unicity import Unicity, unicity


@dataclass(frozen=True)
class PointsAssessment:
    records: int
    distinct_items: int
    unicity: tuple[Unicity, ...]
    km: KmExposure | None
    #: the same figures with the items coarsened to each level of the item hierarchy (1 = one level up)
    coarsened: tuple[PointsAssessment, ...] = ()
    #: unicity with each point's time binned and quantity banded into it, at each resolution asked for
    resolutions: tuple[tuple[Resolution, tuple[Unicity, ...]], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The figures under the documented JSON keys (``coarsened`` only with an item hierarchy)."""
        figures = {"records": self.records, "distinct_items": self.distinct_items,
                   "unicity": [u.to_dict() for u in self.unicity],
                   "km": None if self.km is None else self.km.to_dict()}
        if self.coarsened:
            figures["coarsened"] = [{"level": level, **{k: v for k, v in c.to_dict().items() if k != "records"}}
                                    for level, c in enumerate(self.coarsened, start=1)]
        if self.resolutions:
            figures["resolutions"] = [{**r.to_dict(), "unicity": [u.to_dict() for u in units]} for r, units in self.resolutions]
        return figures

    def per_record(self) -> pl.DataFrame:
        """Per record: its position (1-based, input order) and its smallest support among itemsets of size <= m."""
        smallest = self.km.smallest_support if self.km is not None else np.zeros(0, dtype=np.int64)
        return pl.DataFrame({"record": np.arange(1, len(smallest) + 1, dtype=np.int64), "smallest_support": smallest})


def assess_points(points: Points, *, k: int | None = 5, m: int = 2, ps: Sequence[int] = (1, 2, 3, 4),
                  mode: str = "auto", seed: int = 0, hierarchy: Hierarchy | None = None,
                  resolutions: Sequence[Resolution] = ()) -> PointsAssessment:
    """Unicity for each p in ``ps`` and k^m exposure (skipped when ``k`` is None).

    With an item ``hierarchy``, the same figures are computed again at each of its levels above
    the items, the curve of exposure against resolution. With ``resolutions``, unicity again with
    each point's time binned and quantity banded into the point (:mod:`unlinkable.points.resolution`).

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1, 1, 2], [0, 1, 0, 1, 0], labels=("milk", "tea"))
    >>> d = assess_points(p, k=2, m=2, ps=[1]).to_dict()
    >>> d["records"], d["distinct_items"], d["unicity"][0]["value"], d["km"]["violating_itemsets"]
    (3, 2, 0.0, 0)
    """
    shared = Itemsets(points)
    units = tuple(unicity(points, ps, mode=mode, seed=seed, itemsets=shared))
    exposure = km_exposure(points, k=k, m=m, itemsets=shared) if k is not None else None
    coarsened: tuple[PointsAssessment, ...] = ()
    if hierarchy is not None:
        levels = encode_items(points, hierarchy)
        coarsened = tuple(assess_points(coarsen(points, levels, level), k=k, m=m, ps=ps, mode=mode, seed=seed)
                          for level in range(1, levels.levels))
    at = tuple((r, tuple(unicity(at_resolution(points, r), ps, mode=mode, seed=seed))) for r in resolutions)
    return PointsAssessment(points.records, points.distinct_items, units, exposure, coarsened, at)


__all__ = ["PointsAssessment", "assess_points"]
