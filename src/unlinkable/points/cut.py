"""A global recoding of items: each input item is released as one ancestor, or suppressed everywhere.

The cut holds, per item of the input dictionary, its level in the item hierarchy (0 = itself)
and whether it is suppressed. Items whose nodes print the same label are one released item, so
the kernels count what a reader of the release sees. Sensitive items (rho-uncertainty) are kept
at level 0: they are released as they are or suppressed, never generalized.

NCP (Terrovitis et al. 2008): an item released as node ``p`` costs ``|leaves(p)| / |I|`` (0 for
a node over one item; 1 when suppressed), where the leaves and ``I`` are the distinct items of the
input; the release's NCP is the mean cost over every item occurrence of the input (its distinct
items per record).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from unlinkable.hierarchies.hierarchy import GeneralizationMap
from unlinkable.points.encoded import Points


@dataclass(frozen=True, eq=False)
class ItemCut:
    """Per input item: its hierarchy level and whether it is suppressed.

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> p = Points.from_codes([0, 0, 1], [0, 1, 2], labels=("milk", "tea", "bread"))
    >>> g = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]]).encode(p.labels)
    >>> cut = ItemCut.identity(g).lifted(np.array([1, 1, 0]))
    >>> cut.apply(p).sets().items.tolist(), cut.apply(p).labels
    ([0, 1], ('drink', 'bread'))
    >>> round(cut.ncp(p), 4)
    0.4444
    """

    gmap: GeneralizationMap
    levels: np.ndarray
    suppressed: np.ndarray

    @classmethod
    def identity(cls, gmap: GeneralizationMap) -> ItemCut:
        n = len(gmap.table)
        return cls(gmap, np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool))

    def lifted(self, levels: np.ndarray) -> ItemCut:
        return replace(self, levels=np.asarray(levels, dtype=np.int64))

    def suppressing(self, suppressed: np.ndarray) -> ItemCut:
        return replace(self, suppressed=np.asarray(suppressed, dtype=bool))

    def node_labels(self) -> list[str]:
        """The released label of every input item (suppressed ones too)."""
        rows = np.arange(len(self.levels))
        codes = self.gmap.table[rows, self.levels]
        return [self.gmap.labels[lv][c] for lv, c in zip(self.levels.tolist(), codes.tolist())]

    def released(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """The released code of every input item (-1 when suppressed) and the released dictionary."""
        text = self.node_labels()
        kept = [t for t, s in zip(text, self.suppressed.tolist()) if not s]
        labels = tuple(dict.fromkeys(kept))
        index = {label: i for i, label in enumerate(labels)}
        codes = np.array([-1 if s else index[t] for t, s in zip(text, self.suppressed.tolist())], dtype=np.int64)
        return codes, labels

    def apply(self, points: Points) -> Points:
        """The released records: distinct released items per record, suppressed ones dropped."""
        codes, labels = self.released()
        sets = points.sets()
        mapped = codes[sets.items]
        keep = mapped >= 0
        lengths = np.bincount(sets.record_of_point()[keep], minlength=sets.records)
        indptr = np.zeros(sets.records + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return Points(indptr, mapped[keep].astype(np.int32), labels).sets()

    def generalization(self, labels: tuple[str, ...]) -> dict[str, str | None]:
        """Each input item's released label (None when suppressed); ``labels`` is the input dictionary."""
        text = self.node_labels()
        return {label: (None if s else t) for label, t, s in zip(labels, text, self.suppressed.tolist())}

    def item_costs(self) -> np.ndarray:
        """The NCP cost of releasing each input item as its node (1 when suppressed)."""
        return np.where(self.suppressed, 1.0, node_cost(self.gmap, self.levels))

    def ncp(self, points: Points, occurrences: np.ndarray | None = None) -> float:
        """The mean NCP cost over the input's item occurrences (distinct items per record)."""
        occ = item_occurrences(points) if occurrences is None else occurrences
        total = occ.sum()
        return float((occ * self.item_costs()).sum() / total) if total else 0.0


def covered(gmap: GeneralizationMap) -> list[np.ndarray]:
    """Per level, the number of input items under each node."""
    return [np.bincount(gmap.table[:, level], minlength=gmap.cardinality(level)) for level in range(gmap.levels)]


def node_cost(gmap: GeneralizationMap, levels: np.ndarray, counts: list[np.ndarray] | None = None) -> np.ndarray:
    """Terrovitis' NCP of each item released at ``levels[i]`` (0 over one item, else leaves / items)."""
    counts = counts if counts is not None else covered(gmap)
    n = len(gmap.table)
    rows = np.arange(n)
    leaves = np.zeros(n, dtype=np.int64)
    for level in np.unique(levels).tolist():
        at = levels == level
        leaves[at] = counts[level][gmap.table[rows[at], level]]
    return np.where(leaves <= 1, 0.0, leaves / max(n, 1))


def item_occurrences(points: Points) -> np.ndarray:
    """How many records hold each input item (int64 per dictionary code)."""
    return np.bincount(points.sets().items, minlength=len(points.labels)).astype(np.int64)


__all__ = ["ItemCut", "covered", "node_cost", "item_occurrences"]
