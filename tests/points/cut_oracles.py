"""Brute-force oracles over cuts of an item hierarchy, from its text (shared by the k^m and rho tests)."""

from __future__ import annotations

import itertools


def brute_ncp(rows, mapping, hierarchy_rows):
    """Terrovitis' NCP over the distinct items of each input record, from the hierarchy's text."""
    domain = [r[0] for r in hierarchy_rows]
    costs = []
    for row in rows:
        for item in set(row):
            label = mapping[str(item)]
            if label is None:
                costs.append(1.0)
                continue
            level = next(lv for lv, lab in enumerate(hierarchy_rows[int(item)]) if lab == label)
            under = sum(1 for r in hierarchy_rows if r[level] == label)
            costs.append(0.0 if under == 1 else under / len(domain))
    return sum(costs) / len(costs)


def brute_cuts(hierarchy_rows):
    """Every level assignment where an item's node carries all the items under it at that level."""
    levels = len(hierarchy_rows[0])
    for assignment in itertools.product(range(levels), repeat=len(hierarchy_rows)):
        if all(assignment[j] == lv for i, lv in enumerate(assignment) for j, r in enumerate(hierarchy_rows)
               if r[lv] == hierarchy_rows[i][lv]):
            yield {row[0]: row[lv] for row, lv in zip(hierarchy_rows, assignment)}
