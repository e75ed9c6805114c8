"""k^m-anonymity by Apriori Anonymization with a global hierarchy cut (Terrovitis et al., PVLDB 2008).

Every item is replaced by one ancestor in the item hierarchy, the same ancestor in every record
(a global cut). Itemsets are checked size by size, 1 then 2 ... m, as Apriori does: while some
itemset of the current size has support below ``k``, each violating itemset proposes to lift one
of its nodes to its parent, the one whose parent covers the fewest items (the smallest loss),
and all proposals of a round are applied at once. Lifting a node lifts every item under its
parent, so the cut stays a cut. At the top of the hierarchy each record holds one item, so a
table of at least ``k`` records always has a solution.

The cut is a level per item: item ``i`` is released as its label at ``level[i]``; every item
under one node shares that node's level or a higher one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from unlinkable.constraints import check_int
from unlinkable.errors import NoSolutionError
from unlinkable.hierarchies.hierarchy import GeneralizationMap, Hierarchy
from unlinkable.points.encoded import Points
from unlinkable.points.hierarchy import encode_items
from unlinkable.points.subsets import Itemsets


@dataclass(frozen=True, eq=False)
class KmRelease:
    """A k^m-anonymous release: the cut (level per item) and the generalized points."""

    k: int
    m: int
    #: the hierarchy level of every item of the input dictionary
    levels: np.ndarray
    #: the released code of every item of the input dictionary
    codes: np.ndarray
    points: Points
    rounds: int

    def generalization(self, original: Points) -> dict[str, str]:
        """The released label of every item (the hierarchy cut per item)."""
        return {original.labels[i]: self.points.labels[c] for i, c in enumerate(self.codes)}


def _cut_codes(gmap: GeneralizationMap, levels: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Released code of every item under the cut, and the released dictionary (labels in use)."""
    offsets = np.r_[0, np.cumsum([len(lab) for lab in gmap.labels])]
    node = offsets[levels] + gmap.table[np.arange(len(levels)), levels]
    used, codes = np.unique(node, return_inverse=True)
    all_labels = [label for level_labels in gmap.labels for label in level_labels]
    return codes.astype(np.int64), tuple(all_labels[u] for u in used)


def km_anonymize(points: Points, hierarchy: Hierarchy, *, k: int, m: int) -> KmRelease:
    """Generalize items globally until every itemset of up to ``m`` items has support >= ``k``.

    Examples
    --------
    >>> h = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]])
    >>> p = Points.from_codes([0, 1, 2, 3], [1, 2, 0, 0], labels=("bread", "milk", "tea"))
    >>> r = km_anonymize(p, h, k=2, m=1)
    >>> sorted(r.generalization(p).items())
    [('bread', 'bread'), ('milk', 'drink'), ('tea', 'drink')]
    """
    k = check_int(k, "k", low=2)
    m = check_int(m, "m", low=1)
    if points.records < k:
        raise NoSolutionError(f"{points.records} record(s) cannot be {k}^{m}-anonymous", hint="k must be at most the number of records")
    gmap = encode_items(points, hierarchy)
    top = gmap.max_level
    sets = points.sets()
    items = len(points.labels)
    levels = np.zeros(items, dtype=np.int64)
    # items under each node (for the loss of lifting to it)
    covered = [np.bincount(gmap.table[:, level], minlength=gmap.cardinality(level)) for level in range(gmap.levels)]
    rounds = 0
    for size in range(1, m + 1):
        while True:
            codes, labels = _cut_codes(gmap, levels)
            cut = Points(sets.indptr, codes[sets.items].astype(np.int32), labels)
            shared = Itemsets(cut)
            counted = shared.supports(size)
            lifts = []
            for _, keys in shared.chunks(size):
                bad = keys[counted.of(keys) < k]
                if len(bad):
                    lifts.append(bad)
            if not lifts:
                break
            rounds += 1
            bad = np.unique(np.concatenate(lifts))
            d = max(len(labels), 1)
            # the released codes of each violating itemset, one column per item
            members = np.stack([(bad // d ** (size - 1 - j)) % d for j in range(size)], axis=1)
            # one representative item per released code gives the node's level and parent
            representative = np.zeros(len(labels), dtype=np.int64)
            representative[codes] = np.arange(items)
            node_level = levels[representative]
            lifted_level = np.minimum(node_level + 1, top)
            parent = gmap.table[representative, lifted_level]
            cost = np.where(node_level >= top, np.iinfo(np.int64).max,
                            np.array([covered[lv][pc] for lv, pc in zip(lifted_level, parent)], dtype=np.int64))
            choice = members[np.arange(len(members)), np.argmin(cost[members], axis=1)]
            if (node_level[choice] >= top).all():
                raise NoSolutionError(f"no cut of the item hierarchy makes the data {k}^{m}-anonymous",
                                      hint="a smaller k or m, or a hierarchy with a single top")
            for node in np.unique(choice):
                if node_level[node] >= top:
                    continue
                lv, pc = lifted_level[node], parent[node]
                under = gmap.table[:, lv] == pc
                levels[under] = np.maximum(levels[under], lv)
    codes, labels = _cut_codes(gmap, levels)
    return KmRelease(k, m, levels, codes, Points(points.indptr, codes[points.items].astype(np.int32), labels), rounds)


def baskets_text(points: Points) -> list[list[str]]:
    """Each record's distinct items as text (for the verifier and for writing)."""
    sets = points.sets()
    labels = np.asarray(sets.labels, dtype=object)
    return [labels[sets.items[a:b]].tolist() for a, b in zip(sets.indptr[:-1], sets.indptr[1:])]


#: set-valued privacy models (each has a checker in verify.py; tests/test_verify_contract.py asserts it)
MODELS = ("km-anonymity",)

__all__ = ["KmRelease", "km_anonymize", "baskets_text", "MODELS"]
