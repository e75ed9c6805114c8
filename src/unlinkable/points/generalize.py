"""The greedy step shared by k^m-anonymity and rho-uncertainty: resolve violating itemsets.

A violation is an itemset of the release (released item codes) that must not stay as it is: an
itemset of fewer than k records, or the items of a rule that reaches confidence rho. Each
violation proposes the cheapest of two fixes on one of its items, priced in NCP (summed over the
item occurrences it changes):

- lift the item's node to its parent (every non-sensitive item under the parent moves up with
  it, so the recoding stays a cut of the hierarchy);
- suppress the released item in every record (cost 1 - its current NCP per occurrence), while the
  suppressed occurrences stay within the budget.

All proposals of a round are applied at once (Apriori Anonymization, Terrovitis et al. 2008,
with suppression as a second move). Every round lifts or suppresses something, so the loop that
calls it ends; a round that can do nothing raises :class:`NoSolutionError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from unlinkable.errors import NoSolutionError
from unlinkable.points.cut import ItemCut, covered, node_cost


@dataclass(frozen=True, eq=False)
class Budget:
    """Item occurrences per input item, and how many of them may be suppressed in all."""

    occurrences: np.ndarray
    limit: int

    def used(self, cut: ItemCut) -> int:
        return int(self.occurrences[cut.suppressed].sum())


def fix_round(cut: ItemCut, members: np.ndarray, *, budget: Budget, sensitive: np.ndarray, what: str) -> ItemCut:
    """One round: every row of ``members`` (released codes, -1 = padding) proposes its cheapest fix.

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> g = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]]).encode(["milk", "tea", "bread"])
    >>> cut = ItemCut.identity(g)
    >>> b = Budget(np.array([5, 1, 5]), limit=0)
    >>> fix_round(cut, np.array([[1]]), budget=b, sensitive=np.zeros(3, bool), what="k^m").levels.tolist()
    [1, 1, 0]
    >>> fix_round(cut, np.array([[1]]), budget=Budget(b.occurrences, 1), sensitive=np.zeros(3, bool), what="k^m").suppressed.tolist()
    [False, True, False]
    """
    gmap = cut.gmap
    top = gmap.max_level
    codes, labels = cut.released()
    occ = budget.occurrences
    cost_now = cut.item_costs()
    kept = codes >= 0
    n_codes = len(labels)
    # suppressing a released code: its occurrences, and their NCP going up to 1
    supp_occ = np.bincount(codes[kept], weights=occ[kept], minlength=n_codes)
    supp_cost = np.bincount(codes[kept], weights=(occ * (1.0 - cost_now))[kept], minlength=n_codes)
    representative = np.zeros(n_codes, dtype=np.int64)
    representative[codes[kept]] = np.flatnonzero(kept)
    counts = covered(gmap)
    wanted = np.unique(members[members >= 0])
    lift_cost = np.full(n_codes, np.inf)
    lift_under: dict[int, np.ndarray] = {}
    for code in wanted.tolist():
        rep = representative[code]
        level = int(cut.levels[rep])
        if sensitive[rep] or level >= top:
            continue
        parent = gmap.table[rep, level + 1]
        under = (gmap.table[:, level + 1] == parent) & ~sensitive & ~cut.suppressed
        raised = np.maximum(cut.levels[under], level + 1)
        lift_cost[code] = float((occ[under] * (node_cost(gmap, _spread(raised, under, cut.levels), counts)[under]
                                               - cost_now[under])).sum())
        lift_under[code] = under
    padded = np.where(members >= 0, members, 0)
    valid = members >= 0
    row_lift = np.where(valid, lift_cost[padded], np.inf)
    row_supp = np.where(valid, supp_cost[padded], np.inf)
    best_lift = padded[np.arange(len(members)), np.argmin(row_lift, axis=1)]
    best_supp = padded[np.arange(len(members)), np.argmin(row_supp, axis=1)]
    lift_value = row_lift.min(axis=1)
    supp_value = row_supp.min(axis=1)
    remaining = budget.limit - budget.used(cut)
    suppress: set[int] = set()
    prefer = np.flatnonzero(supp_value < lift_value)
    for row in prefer[np.argsort(supp_value[prefer], kind="stable")].tolist():
        code = int(best_supp[row])
        if code in suppress:
            continue
        if supp_occ[code] <= remaining:
            suppress.add(code)
            remaining -= int(supp_occ[code])
    lifts: set[int] = set()
    resolved = np.isin(members, np.array(sorted(suppress), dtype=np.int64)).any(axis=1)
    for row in np.flatnonzero(~resolved).tolist():
        if np.isfinite(lift_value[row]):
            lifts.add(int(best_lift[row]))
        elif supp_occ[best_supp[row]] <= remaining and int(best_supp[row]) not in suppress:
            suppress.add(int(best_supp[row]))
            remaining -= int(supp_occ[best_supp[row]])
    if not lifts and not suppress:
        raise NoSolutionError(f"no cut of the item hierarchy within the suppression limit satisfies {what}",
                              hint="raise suppression_limit, lower k, m or raise rho, or give a hierarchy with a single top")
    levels = cut.levels.copy()
    for code in sorted(lifts):
        under = lift_under[code]
        level = int(cut.levels[representative[code]])
        levels[under] = np.maximum(levels[under], level + 1)
    suppressed = cut.suppressed.copy()
    for code in suppress:
        suppressed |= codes == code
    return cut.lifted(levels).suppressing(suppressed)


def _spread(raised: np.ndarray, under: np.ndarray, levels: np.ndarray) -> np.ndarray:
    out = levels.copy()
    out[under] = raised
    return out


__all__ = ["Budget", "fix_round"]
