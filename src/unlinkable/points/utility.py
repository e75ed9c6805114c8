"""What a set-valued release still tells: the supports of the most frequent itemsets, estimated back.

The top ``n`` itemsets of 1..m items of the input (by support, ties by size then codes) are looked
up in the release: an itemset maps to the released items of its members (fewer when two share a
node), and its support is estimated as that released itemset's support times, per member, one
over the number of input items under its released node (items spread evenly within a node, as
in Terrovitis et al. 2008). An itemset with a suppressed member is estimated at 0. The figure is
the mean relative error ``|estimate - support| / support``; the input's own is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.points.cut import ItemCut, covered
from unlinkable.points.encoded import Points
from unlinkable.points.km_anonymity import decode, occurring
from unlinkable.points.subsets import Itemsets

TOP_ITEMSETS = 1000


@dataclass(frozen=True)
class ItemsetError:
    count: int
    sizes: int
    relative_error: float

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "max_size": self.sizes, "relative_error": self.relative_error}


def top_itemsets(points: Points, m: int, n: int = TOP_ITEMSETS) -> list[tuple[tuple[int, ...], int]]:
    """The ``n`` most frequent itemsets of 1..m items (input codes ascending) with their supports.

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1, 1, 2], [0, 1, 0, 1, 0], labels="ab")
    >>> top_itemsets(p, 2, 2)
    [((0,), 3), ((1,), 2)]
    """
    itemsets = Itemsets(points)
    d = max(len(points.labels), 1)
    found: list[tuple[int, int, tuple[int, ...]]] = []
    for size in range(1, m + 1):
        keys, counts = occurring(itemsets, size)
        if len(keys) > n:  # only the n largest of a size can make the overall top n
            keep = np.argsort(-counts, kind="stable")[:n]
            keys, counts = keys[keep], counts[keep]
        members = decode(keys, d, size)
        found += [(-int(c), size, tuple(row)) for c, row in zip(counts.tolist(), members.tolist())]
    found.sort()
    return [(items, -negative) for negative, _, items in found[:n]]


def itemset_error(points: Points, cut: ItemCut, m: int, n: int = TOP_ITEMSETS, *,
                  released: Points | None = None) -> ItemsetError:
    """Mean relative error of the estimated supports of the input's top ``n`` itemsets (1..m items).

    ``released`` is what is released (``cut.apply(points)`` without the records left out), by
    default all of ``cut.apply(points)``.

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> p = Points.from_codes([0, 1, 2], [0, 1, 1], labels=("milk", "tea"))
    >>> g = Hierarchy([["milk", "drink"], ["tea", "drink"]]).encode(p.labels)
    >>> itemset_error(p, ItemCut.identity(g).lifted(np.array([1, 1])), 1).relative_error  # 3/2 vs 1, 3/2 vs 2
    0.375
    """
    top = top_itemsets(points, m, n)
    codes, labels = cut.released()
    counted = Itemsets(cut.apply(points) if released is None else released)
    d = max(len(labels), 1)
    counts = covered(cut.gmap)
    rows = np.arange(len(cut.levels))
    leaves = np.array([counts[lv][cut.gmap.table[i, lv]] for i, lv in zip(rows.tolist(), cut.levels.tolist())], dtype=np.float64)
    errors = []
    for items, support in top:
        image = codes[list(items)]
        if (image < 0).any():
            errors.append(1.0)
            continue
        target = np.unique(image)
        key = 0
        for code in target.tolist():
            key = key * d + code
        estimate = _support(counted, len(target), key) / float(np.prod(leaves[list(items)]))
        errors.append(abs(estimate - support) / support)
    return ItemsetError(len(top), m, float(np.mean(errors)) if errors else 0.0)


def _support(itemsets: Itemsets, size: int, key: int) -> float:
    """The support of one itemset key, 0 when no released record holds it (records may have been left out)."""
    counted = itemsets.supports(size)
    if counted.keys is None:
        return float(counted.counts[key])
    at = int(np.searchsorted(counted.keys, key))
    return float(counted.counts[at]) if at < len(counted.keys) and counted.keys[at] == key else 0.0


__all__ = ["ItemsetError", "top_itemsets", "itemset_error", "TOP_ITEMSETS"]
