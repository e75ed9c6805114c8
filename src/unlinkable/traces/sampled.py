"""Sampled attacks: exact risks of a seeded sample of target users, with 95% confidence intervals.

Exact counting builds every instance of every user (``C(L, k)`` per user), which explodes for long
traces and large k. The sampled mode draws ``targets`` users uniformly without replacement
(``numpy.random.default_rng([seed, k])``) and computes *their* risks exactly against every user:
each instance of a target is checked against the users holding its rarest item (candidate
checking, compiled), so only the targets' instances are ever built. The mean risk over all users
is estimated by the targets' mean, with a 95% normal interval corrected for sampling without
replacement; the number of users at risk 1 by the targets' share, with a 95% Wilson interval,
scaled to all users. Matching rules are the exact mode's (:mod:`unlinkable.traces.attacks`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from unlinkable.compiled import compiled
from unlinkable.constraints import check_int
from unlinkable.errors import ConfigError
from unlinkable.points.unicity import wilson
from unlinkable.traces.attacks import attack_items
from unlinkable.traces.table import Traces

Z95 = 1.959963984540054
#: instances checked per target at most (a target with more is refused: sample fewer points)
INSTANCE_LIMIT = 2_000_000


@compiled
def _least_support(insts: np.ndarray, rarest: np.ndarray, post_start: np.ndarray, post_user: np.ndarray,
                   indptr: np.ndarray, items: np.ndarray, ordered: bool) -> int:  # pragma: no cover - compiled
    """The smallest support among a target's instances (rows of ``insts``, rarest first).

    Counting an instance stops once it reaches the best so far (it cannot lower the minimum), and
    the search stops at 1 (the target alone): both cut work, neither changes the answer.
    """
    best = np.iinfo(np.int64).max
    for r in range(insts.shape[0]):
        if best == 1:
            break
        item = rarest[r]
        count = _count(insts[r], post_user[post_start[item]:post_start[item + 1]], indptr, items, ordered, best)
        if count < best:
            best = count
    return best


@compiled
def _count(inst: np.ndarray, candidates: np.ndarray, indptr: np.ndarray, items: np.ndarray,
           ordered: bool, stop_at: int) -> int:  # pragma: no cover - compiled
    """How many candidates hold the instance (a sub-multiset, or a subsequence when ordered), up to ``stop_at``."""
    k = len(inst)
    total = 0
    for c in candidates:
        if total >= stop_at:
            break
        start, stop = indptr[c], indptr[c + 1]
        if ordered:
            j = 0
            for pos in range(start, stop):
                if j < k and items[pos] == inst[j]:
                    j += 1
            total += j == k
        else:
            ok = True
            for a in range(k):
                if a > 0 and inst[a] == inst[a - 1]:
                    continue  # counted with its first copy
                need = 1
                while a + need < k and inst[a + need] == inst[a]:
                    need += 1
                have = 0
                for pos in range(start, stop):
                    have += items[pos] == inst[a]
                if have < need:
                    ok = False
                    break
            total += ok
    return total


@dataclass(frozen=True)
class SampledRisk:
    """Exact risks of the sampled targets, and the estimates for all users."""

    targets: np.ndarray
    risk: np.ndarray
    users: int

    @property
    def mean_risk(self) -> float:
        return math.fsum(self.risk.tolist()) / len(self.risk)

    def ci95(self) -> tuple[float, float]:
        """95% interval of the mean risk over all users (normal, finite-population corrected)."""
        n, big = len(self.risk), self.users
        if n < 2 or n == big:
            return (self.mean_risk, self.mean_risk)
        half = Z95 * float(np.std(self.risk, ddof=1)) / np.sqrt(n) * np.sqrt((big - n) / (big - 1))
        return (max(0.0, self.mean_risk - half), min(1.0, self.mean_risk + half))

    def to_dict(self) -> dict[str, Any]:
        at1 = int(np.count_nonzero(self.risk == 1.0))
        low, high = wilson(at1, len(self.risk))
        return {"mean_risk": self.mean_risk, "users_at_risk_1": round(at1 / len(self.risk) * self.users),
                "sampled": {"targets": len(self.risk), "mean_risk_ci95": list(self.ci95()),
                            "users_at_risk_1_ci95": [round(low * self.users), round(high * self.users)]}}


def sampled_attack(t: Traces, attack: str, k: int, *, targets: int, seed: int = 0) -> SampledRisk:
    """Exact risks of ``targets`` users drawn at random, for one attack (tolerance 0).

    Examples
    --------
    >>> import polars as pl
    >>> from unlinkable.traces.table import encode_traces
    >>> t = encode_traces(pl.DataFrame({"u": [1, 1, 2, 2, 3], "c": ["a", "b", "a", "b", "a"]}), user="u", place="c")
    >>> s = sampled_attack(t, "location", 2, targets=3)
    >>> s.risk.round(4).tolist(), bool(s.mean_risk == sum(s.risk) / 3)
    ([0.5, 0.5, 0.3333], True)
    """
    k = check_int(k, "k", low=1)
    n_users = len(t.users)
    targets = min(check_int(targets, "targets", low=1), n_users)
    rng = np.random.default_rng([seed, k])
    chosen = np.sort(rng.choice(n_users, size=targets, replace=False))
    indptr, items, options = attack_items(t, attack, 2 if attack == "home_work" else k)
    if options.get("weights") is not None:
        from unlinkable.traces.tolerance import tolerant_min_support

        # proportions: the tolerance engine at tolerance 0 checks candidates the same way
        user, place, visits = _visit_vector(t)
        support = tolerant_min_support(indptr, place, visits, np.diff(t.indptr), k, attack, 0.0, targets=chosen)
        return SampledRisk(chosen, 1.0 / support[chosen], n_users)
    ordered = bool(options.get("ordered", False))
    size = 2 if attack == "home_work" else k
    holders = _holders(indptr, items)
    post_start, post_user = _postings(indptr, items)
    risk = np.empty(len(chosen), dtype=np.float64)
    for i, u in enumerate(chosen):
        mine = items[indptr[u]:indptr[u + 1]]
        s = min(size, len(mine))
        if s == 0:
            risk[i] = np.inf
            continue
        if math.comb(len(mine), s) > INSTANCE_LIMIT:
            raise ConfigError(f"a sampled target has {math.comb(len(mine), s):,} instances of {s} points", hint="use a smaller k")
        inst = mine[_combinations(len(mine), s)]
        if not ordered:  # a multiset's copies side by side, as _count reads them (repeated rows cost nothing)
            inst = np.sort(inst, axis=1)
        rarest = inst[np.arange(len(inst)), np.argmin(holders[inst], axis=1)]
        # the instances whose rarest point is held least first: they are likeliest to be held by the target alone
        order = np.argsort(holders[rarest], kind="stable")
        best = _least_support(np.ascontiguousarray(inst[order]), rarest[order], post_start, post_user, indptr, items, ordered)
        risk[i] = 1.0 / best
    return SampledRisk(chosen, risk, n_users)


@functools.lru_cache(maxsize=64)
def _combinations(length: int, size: int) -> np.ndarray:
    """Every ``size``-combination of ``range(length)``, one per row (shared by targets of one length)."""
    index = np.array(list(combinations(range(length), size)), dtype=np.int64).reshape(-1, size)
    index.setflags(write=False)
    return index


def _visit_vector(t: Traces) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_places = int(t.place.max()) + 1
    pairs, visits = np.unique(t.user * n_places + t.place, return_counts=True)
    return pairs // n_places, pairs % n_places, visits.astype(np.int64)


def _holders(indptr: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Users holding each item."""
    owner = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    n_items = int(items.max()) + 1 if len(items) else 1
    return np.bincount(np.unique(owner * n_items + items) % n_items, minlength=n_items)


def _postings(indptr: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each item, the users holding it (ascending): CSR offsets and user ids."""
    owner = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    n_items = int(items.max()) + 1 if len(items) else 1
    pairs = np.unique(items.astype(np.int64) * (len(indptr) - 1) + owner)
    item, user = pairs // (len(indptr) - 1), pairs % (len(indptr) - 1)
    return np.r_[0, np.cumsum(np.bincount(item, minlength=n_items))], user


__all__ = ["sampled_attack", "SampledRisk", "INSTANCE_LIMIT"]
