"""The cut of least NCP under which every model holds, by enumerating every cut of a small item hierarchy.

A cut picks, on every path from an item up to the top, exactly one node. The cuts of a node are
the node itself, or one cut of each of its children together; their number multiplies up the
tree, so enumeration stops (returning None) past ``OPTIMAL_CUTS``. The cuts are tried in order of
NCP (then the lower cut, then enumeration order); the first under which every model holds
(k^m-anonymity, rho-uncertainty) is optimal among the releases without suppression, since NCP is
fixed by the cut before any data is checked. With suppression allowed the space (cuts times
suppressed item sets) is not enumerated: such a release is never claimed optimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from unlinkable.hierarchies.hierarchy import GeneralizationMap
from unlinkable.points.cut import ItemCut, item_occurrences
from unlinkable.points.encoded import Points
from unlinkable.points.km_anonymity import KmAnonymity, km_violations
from unlinkable.points.rho_uncertainty import RhoUncertainty, antecedent_sizes, rho_violations

PointsModel = KmAnonymity | RhoUncertainty

#: the largest number of cuts enumerated
OPTIMAL_CUTS = 1024

_Node = tuple[int, np.ndarray]  # (level, the input items under the node)


class _TooMany(Exception):
    pass


def all_cuts(gmap: GeneralizationMap, limit: int = OPTIMAL_CUTS) -> list[np.ndarray] | None:
    """Every cut as a level per input item, or None when there are more than ``limit``.

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> g = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]]).encode(["milk", "tea", "bread"])
    >>> sorted(c.tolist() for c in all_cuts(g))
    [[0, 0, 0], [0, 0, 1], [1, 1, 0], [1, 1, 1], [2, 2, 2]]
    >>> all_cuts(g, limit=3) is None
    True
    """
    table = gmap.table

    def product(choices: list[list[list[_Node]]]) -> list[list[_Node]]:
        combos: list[list[_Node]] = [[]]
        for options in choices:
            combos = [a + b for a in combos for b in options]
            if len(combos) > limit:
                raise _TooMany
        return combos

    def options(level: int, items: np.ndarray) -> list[list[_Node]]:
        if level == 0:
            return [[(0, items)]]
        below = table[items, level - 1]
        children = [options(level - 1, items[below == c]) for c in np.unique(below).tolist()]
        out = [[(level, items)], *product(children)]
        if len(out) > limit:
            raise _TooMany
        return out

    top = gmap.max_level
    everything = np.arange(len(table))
    roots = table[:, top]
    try:
        cuts = product([options(top, everything[roots == r]) for r in np.unique(roots).tolist()])
    except _TooMany:
        return None
    out = []
    for cut in cuts:
        levels = np.zeros(len(table), dtype=np.int64)
        for level, items in cut:
            levels[items] = level
        out.append(levels)
    return out


def optimal_cut(points: Points, gmap: GeneralizationMap, models: Sequence[PointsModel], *,
                sensitive: np.ndarray | None = None, classes: np.ndarray | None = None) -> tuple[ItemCut | None, dict[str, Any]]:
    """The cut of least NCP without suppression under which every model holds; (None, figures) when the
    space is too large or no cut holds.

    ``sensitive`` flags the input items rho-uncertainty keeps as they are: they stay at level 0 in
    every cut tried (as in the greedy search), so the space is every cut with them pinned.

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> p = Points.from_codes([0, 1, 2, 3], [1, 2, 0, 0], labels=("bread", "milk", "tea"))
    >>> g = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]]).encode(p.labels)
    >>> cut, figures = optimal_cut(p, g, [KmAnonymity(2, 1)])
    >>> cut.node_labels(), figures
    (['bread', 'drink', 'drink'], {'cuts': 5, 'checked': 3})
    """
    candidates = cuts_by_ncp(points, gmap, sensitive)
    if candidates is None:
        return None, {"cuts": None, "checked": 0}
    rho_sizes = {id(model): antecedent_sizes(points, model.m) for model in models if isinstance(model, RhoUncertainty)}
    checked = 0
    for cut in candidates:
        checked += 1
        if _holds(cut, points, models, classes, rho_sizes):
            return cut, {"cuts": len(candidates), "checked": checked}
    return None, {"cuts": len(candidates), "checked": checked}


def cuts_by_ncp(points: Points, gmap: GeneralizationMap, sensitive: np.ndarray | None = None) -> list[ItemCut] | None:
    """Every cut of the hierarchy, least NCP first (equal NCP: the lower cut first), with the
    ``sensitive`` input items pinned at level 0 (cuts that differ only above one become one); None
    when there are more than ``OPTIMAL_CUTS``.

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> p = Points.from_codes([0, 1, 2, 3], [1, 2, 0, 0], labels=("bread", "milk", "tea"))
    >>> g = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]]).encode(p.labels)
    >>> [c.levels.tolist() for c in cuts_by_ncp(p, g)][:2]
    [[0, 0, 0], [1, 0, 0]]
    """
    cuts = all_cuts(gmap)
    if cuts is None:
        return None
    if sensitive is not None and sensitive.any():
        distinct: dict[tuple[int, ...], np.ndarray] = {}
        for levels in cuts:  # cuts that differ only above a sensitive item become one
            pinned = np.where(sensitive, 0, levels)
            distinct.setdefault(tuple(pinned.tolist()), pinned)
        cuts = list(distinct.values())
    occ = item_occurrences(points)
    identity = ItemCut.identity(gmap)
    candidates = [identity.lifted(levels) for levels in cuts]
    # equal NCP (a node over one item costs nothing): the lower cut first
    order = sorted(range(len(candidates)), key=lambda i: (candidates[i].ncp(points, occ), int(cuts[i].sum())))
    return [candidates[i] for i in order]


def _holds(cut: ItemCut, points: Points, models: Sequence[PointsModel],
           classes: np.ndarray | None, rho_sizes: dict[int, int]) -> bool:
    released = cut.apply(points)
    for model in models:
        if isinstance(model, KmAnonymity):
            if any(len(km_violations(released, size, model.k, classes=classes)) for size in range(1, model.m + 1)):
                return False
        else:
            codes, _ = cut.released()
            flags = np.zeros(len(released.labels), dtype=bool)
            flags[codes[(codes >= 0) & model.sensitive_mask(points.labels)]] = True
            if any(rho_violations(released, flags, model.rho, rho_sizes[id(model)]).rules):
                return False
    return True


__all__ = ["all_cuts", "cuts_by_ncp", "optimal_cut", "OPTIMAL_CUTS"]
