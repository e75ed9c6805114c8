"""The set-valued assessment: record and item counts, unicity and k^m exposure in one result.

No item label, basket or record identifier enters the figures; per-record output is the record's
position in the input and a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import polars as pl

from unlinkable.points.encoded import Points
from unlinkable.points.km import KmExposure, km_exposure
from unlinkable.points.unicity import Unicity, unicity


@dataclass(frozen=True)
class PointsAssessment:
    records: int
    distinct_items: int
    unicity: tuple[Unicity, ...]
    km: KmExposure | None

    def to_dict(self) -> dict:
        """The figures under the documented JSON keys."""
        return {"records": self.records, "distinct_items": self.distinct_items,
                "unicity": [u.to_dict() for u in self.unicity],
                "km": None if self.km is None else self.km.to_dict()}

    def per_record(self) -> pl.DataFrame:
        """Per record: its position (1-based, input order) and its smallest support among itemsets of size <= m."""
        smallest = self.km.smallest_support if self.km is not None else np.zeros(0, dtype=np.int64)
        return pl.DataFrame({"record": np.arange(1, len(smallest) + 1, dtype=np.int64), "smallest_support": smallest})


def assess_points(points: Points, *, k: int | None = 5, m: int = 2, ps: Sequence[int] = (1, 2, 3, 4),
                  mode: str = "auto", seed: int = 0) -> PointsAssessment:
    """Unicity for each p in ``ps`` and k^m exposure (skipped when ``k`` is None).

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1, 1, 2], [0, 1, 0, 1, 0], labels=("milk", "tea"))
    >>> d = assess_points(p, k=2, m=2, ps=[1]).to_dict()
    >>> d["records"], d["distinct_items"], d["unicity"][0]["value"], d["km"]["violating_itemsets"]
    (3, 2, 0.0, 0)
    """
    units = tuple(unicity(points, ps, mode=mode, seed=seed))
    exposure = km_exposure(points, k=k, m=m) if k is not None else None
    return PointsAssessment(points.records, points.distinct_items, units, exposure)


__all__ = ["PointsAssessment", "assess_points"]
