"""k^m exposure: itemsets of size 1..m that fewer than k records contain (Terrovitis et al. 2008).

An adversary who knows up to ``m`` items of a person's record finds at most ``k - 1`` other
candidates when such an itemset occurs; a release is k^m-anonymous when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from unlinkable.constraints import check_int
from unlinkable.points.encoded import Points
from unlinkable.points.subsets import Itemsets


@dataclass(frozen=True)
class KmExposure:
    """``violating_itemsets`` (distinct itemsets of size 1..m with support below k, per size too),
    ``affected_records`` and, per record, the smallest support among its itemsets of size <= m."""

    k: int
    m: int
    violating_by_size: tuple[int, ...]
    smallest_support: np.ndarray

    @property
    def violating_itemsets(self) -> int:
        return int(sum(self.violating_by_size))

    @property
    def affected_records(self) -> int:
        return int(np.count_nonzero(self.smallest_support < self.k))

    def to_dict(self) -> dict[str, int]:
        return {"k": self.k, "m": self.m, "violating_itemsets": self.violating_itemsets,
                "affected_records": self.affected_records}


def km_exposure(points: Points, *, k: int, m: int, itemsets: Itemsets | None = None) -> KmExposure:
    """k^m exposure of points per record (items only; times and quantities are ignored).

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1, 1, 2], [0, 1, 0, 1, 0], labels="ab")
    >>> e = km_exposure(p, k=2, m=2)
    >>> e.to_dict(), e.smallest_support.tolist()
    ({'k': 2, 'm': 2, 'violating_itemsets': 0, 'affected_records': 0}, [2, 2, 3])
    >>> km_exposure(p, k=3, m=2).to_dict()["affected_records"]
    2
    """
    k = check_int(k, "k", low=1)
    m = check_int(m, "m", low=1)
    itemsets = itemsets or Itemsets(points)
    smallest = np.full(itemsets.sets.records, np.iinfo(np.int64).max, dtype=np.int64)
    by_size = []
    for size in range(1, m + 1):
        counted = itemsets.supports(size)
        occurring = counted.occurring()
        by_size.append(int(np.count_nonzero(occurring < k)))
        for rows, keys in itemsets.chunks(size):
            smallest[rows] = np.minimum(smallest[rows], counted.of(keys).min(axis=1))
    return KmExposure(k, m, tuple(by_size), smallest)


__all__ = ["KmExposure", "km_exposure"]
