"""The least suppression that makes one level hold trajectory k-anonymity, by branch and bound.

At a fixed (cell, time bin) level a release is decided by which (user, cell-bin) pairs it suppresses:
suppressing one of a user's several points in the same cell and bin changes no set the adversary can
know and only adds loss, so an optimal release suppresses pairs whole. Its cost is the number of input
points it suppresses (the share of points not released, the only part of the loss that varies within
a level). A release is *valid* when every user's every ``min(p, n)`` remaining pairs are held by
at least ``k`` users, and *within budget* when the points suppressed from released users and the
users suppressed whole stay within the two budgets.

The search rests on two facts, both from "supports only fall when pairs are suppressed":

1. A pair whose cell-bin fewer than ``k`` users hold is suppressed in every valid release (any set
   containing it is held by at most its holders). Such pairs are suppressed at once, repeatedly
   (the *closure*).
2. If a user still has a set ``P`` of ``min(p, n)`` pairs held by fewer than ``k`` users, every
   valid release that keeps the user's other pairs suppresses one of ``P``'s pairs from that user. The
   search branches on which (the cheapest first).

A valid state over a budget can only be brought within it by suppressing, whole, a user it suppresses in
part (moving those points from the point budget to the user budget); the search branches on which.
Branches whose cost reaches the best release found so far, or exceeds what both budgets together
could allow, are cut. Every within-budget release of least cost lies under some branch, so when
the search ends within ``NODE_LIMIT`` states its release is the least-cost one (``complete``);
the caller falls back to the greedy rounds when it does not, or when the level has more than
``PAIR_LIMIT`` pairs after the closure. The plain-Python set tests are meant for such small
problems only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

import numpy as np

#: the search runs only when at most this many (user, cell-bin) pairs are left after the closure
PAIR_LIMIT = 40
#: states examined before the search gives up (then the greedy release stands, not optimal)
NODE_LIMIT = 5_000


@dataclass(frozen=True)
class ExactOutcome:
    """The least-cost kept-point mask (None: no release within budget), and whether the search finished."""

    kept: np.ndarray | None
    complete: bool


def closure(user: np.ndarray, item: np.ndarray, k: int, kept: np.ndarray | None = None) -> np.ndarray:
    """``kept`` less every point whose cell-bin fewer than ``k`` users hold, repeated until none is left.

    Every valid release suppresses these points (a set containing one is held by at most its holders).

    Examples
    --------
    >>> closure(np.array([0, 0, 1, 1, 2]), np.array([0, 1, 0, 2, 1]), k=2).tolist()
    [True, True, True, False, True]
    """
    kept = np.ones(len(user), dtype=bool) if kept is None else kept.copy()
    n_items = int(item.max()) + 1 if len(item) else 1
    while True:
        holders = np.bincount(np.unique(user[kept].astype(np.int64) * n_items + item[kept]) % n_items, minlength=n_items)
        rare = kept & (holders[item] < k)
        if not rare.any():
            return kept
        kept &= ~rare


def least_suppression(user: np.ndarray, item: np.ndarray, k: int, p: int, *, point_budget: float, user_budget: float,
                      start: np.ndarray | None = None, forced: np.ndarray | None = None, pair_limit: int = PAIR_LIMIT,
                      node_limit: int = NODE_LIMIT) -> ExactOutcome | None:
    """The valid, within-budget suppression of the fewest points (see the module docstring).

    ``user`` and ``item`` give each point's user and cell-bin code; ``start`` is the kept mask of a
    known valid release within budget (the greedy one), the first bound; ``forced`` the kept mask
    of :func:`closure`, when already computed. Returns None when more
    than ``pair_limit`` pairs are left after the closure (the search then never starts).

    Examples
    --------
    Users 0-2 share cell-bin 0; users 0 and 1 also share 1, user 2 also holds 2 (held by one user,
    so suppressed by the closure). At k=2, p=2, user 2's {0} is fine and nothing more goes.

    >>> out = least_suppression(np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 0, 1, 0, 2]), 2, 2,
    ...                         point_budget=6, user_budget=3)
    >>> out.kept.tolist(), out.complete
    ([True, True, True, True, True, False], True)
    """
    n_items = int(item.max()) + 1 if len(item) else 1
    pairs, inverse, weights = np.unique(user.astype(np.int64) * n_items + item, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    alive = np.zeros(len(pairs), dtype=bool)
    alive[inverse[closure(user, item, k) if forced is None else forced]] = True
    if np.count_nonzero(alive) > pair_limit:
        return None
    # the search works on the pairs the closure left; what it suppressed is a fixed part of every state
    owners = pairs // n_items
    suppressed_before = np.bincount(owners[~alive], weights=weights[~alive], minlength=int(owners.max()) + 1 if len(owners) else 1)
    base_cost = int(weights[~alive].sum())
    users_gone_before = len(set(owners[~alive].tolist()) - set(owners[alive].tolist()))
    index = np.flatnonzero(alive)
    owner = owners[index].tolist()
    cell = (pairs[index] % n_items).tolist()
    weight: list[int] = weights[index].tolist()
    mine: dict[int, list[int]] = {}
    for j, u in enumerate(owner):
        mine.setdefault(u, []).append(j)
    total = np.bincount(owners, weights=weights)
    # the most both budgets together can suppress: the point budget plus the largest users' points
    allowed = point_budget + float(np.sort(total)[::-1][:int(user_budget)].sum())

    def close(suppressed: Iterable[int]) -> frozenset[int]:
        out = set(suppressed)
        while True:
            holders: dict[int, int] = {}
            for j in range(len(index)):
                if j not in out:
                    holders[cell[j]] = holders.get(cell[j], 0) + 1
            rare = {j for j in range(len(index)) if j not in out and holders[cell[j]] < k}
            if not rare:
                return frozenset(out)
            out |= rare

    def cost(suppressed: frozenset[int]) -> int:
        return base_cost + int(sum(weight[j] for j in suppressed))

    def violation(suppressed: frozenset[int]) -> list[int] | None:
        """The pairs of the first set held by fewer than k users, or None when the state is valid."""
        sets = {u: frozenset(cell[j] for j in js if j not in suppressed) for u, js in mine.items()}
        for u in sorted(sets):
            held = sorted(sets[u])
            for chosen in combinations(held, min(p, len(held))):
                if chosen and sum(1 for other in sets.values() if other.issuperset(chosen)) < k:
                    return [j for j in mine[u] if cell[j] in chosen]
        return None

    def over_budget(suppressed: frozenset[int]) -> list[int] | None:
        """None when the state is within both budgets, else the users it suppresses in part."""
        partial, points, users = [], 0.0, users_gone_before
        for u, js in mine.items():
            gone = [j for j in js if j in suppressed]
            if len(gone) == len(js):
                users += 1
            elif gone or suppressed_before[u]:
                partial.append(u)
                points += suppressed_before[u] + sum(weight[j] for j in gone)
        return partial if (points > point_budget or users > user_budget) else None

    best: frozenset[int] | None = None
    best_cost = float("inf")
    if start is not None:
        held = np.zeros(len(pairs), dtype=bool)
        held[inverse[start]] = True
        best = frozenset(j for j in range(len(index)) if not held[index[j]])
        best_cost = cost(best)
    stack: list[frozenset[int]] = [frozenset()]
    seen: set[frozenset[int]] = set()
    nodes = 0
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        nodes += 1
        if nodes > node_limit:
            return ExactOutcome(_kept(inverse, index, best), False)
        spent = cost(state)
        if spent >= best_cost or spent > allowed:
            continue
        bad = violation(state)
        if bad is None:
            partial = over_budget(state)
            if partial is None:
                best, best_cost = state, spent
                continue
            children = [close(state | set(mine[u])) for u in partial]
        else:
            children = [close(state | {j}) for j in bad]
        # depth first, the cheapest child on top of the stack
        stack.extend(sorted(children, key=cost, reverse=True))
    return ExactOutcome(_kept(inverse, index, best), True)


def _kept(inverse: np.ndarray, index: np.ndarray, suppressed: frozenset[int] | None) -> np.ndarray | None:
    """The kept points of a state: those of the pairs left by the closure and not suppressed."""
    if suppressed is None:
        return None
    keep = np.zeros(int(inverse.max()) + 1 if len(inverse) else 0, dtype=bool)
    keep[index[[j for j in range(len(index)) if j not in suppressed]]] = True
    kept: np.ndarray = keep[inverse]
    return kept


__all__ = ["least_suppression", "closure", "ExactOutcome", "PAIR_LIMIT", "NODE_LIMIT"]
