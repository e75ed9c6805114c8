"""rho-uncertainty (Cao et al., VLDB 2010): no rule "known items => a sensitive item" reaches confidence rho.

A rule ``X => s`` (``s`` a sensitive item, ``X`` a non-empty itemset without ``s``, sensitive
items allowed in it) has confidence ``sup(X + s) / sup(X)``. The release is rho-uncertain when
every rule has confidence below ``rho``. Cao's definition bounds no size of ``X``; here ``m``
bounds it when given, and without ``m`` every size up to the longest record is checked, which is
refused when the itemsets to enumerate exceed ``RHO_LIMIT`` (then give ``m``: the number of items
an adversary may know).

Sensitive items are never generalized (a rule about a category would hide the item it is about):
they are released as they are or suppressed everywhere. Violations are fixed by the greedy step of
:mod:`unlinkable.points.generalize` on the items of each violating rule: generalizing a known
item (its support grows) or suppressing an item of the rule, the cheapest in NCP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.constraints import check_float, check_int, check_keys
from unlinkable.errors import ConfigError, shown
from unlinkable.points.cut import ItemCut
from unlinkable.points.encoded import Points
from unlinkable.points.generalize import Budget, fix_round
from unlinkable.points.km_anonymity import decode, occurring
from unlinkable.points.subsets import Itemsets, subset_count

#: itemsets (all sizes) enumerated per check at most
RHO_LIMIT = 80_000_000


@dataclass(frozen=True)
class RhoUncertainty:
    """The model's parameters, checked (``m`` None: antecedents of every size).

    Examples
    --------
    >>> RhoUncertainty.from_params({"rho": 0.5, "sensitive_items": ["hiv"], "m": 2})
    RhoUncertainty(rho=0.5, sensitive_items=('hiv',), m=2)
    """

    rho: float
    sensitive_items: tuple[str, ...]
    m: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> RhoUncertainty:
        example = "rho-uncertainty: {rho: 0.5, sensitive_items: [hiv, hepatitis], m: 2}"
        if not isinstance(params, Mapping):
            raise ConfigError(f"rho-uncertainty takes {{rho, sensitive_items}}, got {shown(params)}", hint=example)
        check_keys(params, ("rho", "sensitive_items", "m"), "rho-uncertainty")
        rho = check_float(params.get("rho"), "rho-uncertainty.rho", low=0.0, high=1.0)
        if rho <= 0.0:
            raise ConfigError("rho-uncertainty.rho must be above 0", hint=example)
        items = params.get("sensitive_items")
        if not isinstance(items, list) or not items or not all(isinstance(i, (str, int)) and not isinstance(i, bool) for i in items):
            raise ConfigError(f"rho-uncertainty.sensitive_items must be a non-empty list of items, got {shown(items)}", hint=example)
        m = params.get("m")
        return cls(rho, tuple(dict.fromkeys(str(i) for i in items)),
                   None if m is None else check_int(m, "rho-uncertainty.m", low=1, high=6))

    def to_dict(self) -> dict[str, Any]:
        params: dict[str, Any] = {"rho": self.rho, "sensitive_items": list(self.sensitive_items)}
        if self.m is not None:
            params["m"] = self.m
        return {"rho-uncertainty": params}

    def sensitive_mask(self, labels: Sequence[str], where: str = "rho-uncertainty") -> np.ndarray:
        """Which codes of the input dictionary are sensitive (every named item must occur)."""
        index = {label: i for i, label in enumerate(labels)}
        missing = [item for item in self.sensitive_items if item not in index]
        if missing:
            raise ConfigError(f"{where}: sensitive item {shown(missing[0], 40)} does not occur in the data",
                              hint="name items as they are written in the data")
        mask = np.zeros(len(labels), dtype=bool)
        mask[[index[item] for item in self.sensitive_items]] = True
        return mask


def antecedent_sizes(points: Points, m: int | None) -> int:
    """The largest antecedent size to check: ``m``, or the longest record minus one (bounded by RHO_LIMIT)."""
    lengths = points.sets().lengths()
    longest = int(lengths.max()) if len(lengths) else 0
    top = max(0, longest - 1) if m is None else m
    total = sum(subset_count(lengths, size) for size in range(1, top + 2))
    if total > RHO_LIMIT:
        raise ConfigError(f"rho-uncertainty over antecedents of up to {top} items needs {total:,} itemsets, more than "
                          f"{RHO_LIMIT:,}", hint="give rho-uncertainty an m: how many items an adversary may know")
    return top


@dataclass(frozen=True, eq=False)
class RhoViolations:
    """Per antecedent size: the itemsets (antecedent and consequent, ascending) of violating rules, and the rules."""

    itemsets: tuple[np.ndarray, ...]
    rules: tuple[int, ...]


def rho_violations(released: Points, sensitive: np.ndarray, rho: float, m: int,
                   itemsets: Itemsets | None = None) -> RhoViolations:
    """Every rule ``X => s`` with ``|X| <= m`` and confidence >= ``rho``, by antecedent size.

    ``sensitive`` flags the released codes that are sensitive items. An itemset holding two
    sensitive items may carry two rules (one towards each).

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1, 1, 2], [0, 1, 0, 1, 0], labels=("a", "hiv"))
    >>> v = rho_violations(p, np.array([False, True]), 0.6, 1)
    >>> [s.tolist() for s in v.itemsets], v.rules
    ([[[0, 1]]], (1,))
    >>> rho_violations(p, np.array([False, True]), 0.7, 1).rules
    (0,)
    """
    itemsets = itemsets or Itemsets(released)
    d = max(len(released.labels), 1)
    found, rules = [], []
    for size in range(1, m + 1):
        keys, counts = occurring(itemsets, size + 1)
        members = decode(keys, d, size + 1)
        bad = np.zeros(len(keys), dtype=bool)
        count = 0
        smaller = itemsets.supports(size)
        for j in range(size + 1):
            rows = np.flatnonzero(sensitive[members[:, j]]) if len(members) else np.zeros(0, dtype=np.int64)
            if not len(rows):
                continue
            rest = np.delete(members[rows], j, axis=1)
            antecedent = np.zeros(len(rows), dtype=np.int64)
            for col in range(size):
                antecedent = antecedent * d + rest[:, col]
            hit = counts[rows] / smaller.of(antecedent) >= rho
            bad[rows] |= hit
            count += int(np.count_nonzero(hit))
        found.append(members[bad])
        rules.append(count)
    return RhoViolations(tuple(found), tuple(rules))


def rho_anonymize(points: Points, cut: ItemCut, model: RhoUncertainty, *, budget: Budget,
                  sensitive: np.ndarray) -> tuple[ItemCut, int]:
    """The cut made rho-uncertain from ``cut`` on (``sensitive`` flags input codes), and the rounds taken.

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> p = Points.from_codes([0, 0, 1], [0, 2, 1], labels=("a", "b", "hiv"))
    >>> g = Hierarchy([["a", "ab", "*"], ["b", "ab", "*"], ["hiv", "hiv", "*"]]).encode(p.labels)
    >>> model = RhoUncertainty(0.6, ("hiv",), 1)
    >>> cut, _ = rho_anonymize(p, ItemCut.identity(g), model, budget=Budget(np.ones(3, int), 0), sensitive=model.sensitive_mask(p.labels))
    >>> cut.node_labels()
    ['ab', 'ab', 'hiv']
    """
    m = antecedent_sizes(points, model.m)
    rounds = 0
    while True:
        released = cut.apply(points)
        codes, _ = cut.released()
        flags = np.zeros(len(released.labels), dtype=bool)
        flags[codes[(codes >= 0) & sensitive]] = True
        violations = [v for v in rho_violations(released, flags, model.rho, m).itemsets if len(v)]
        if not violations:
            return cut, rounds
        width = max(v.shape[1] for v in violations)
        members = np.concatenate([np.pad(v, ((0, 0), (0, width - v.shape[1])), constant_values=-1) for v in violations])
        cut = fix_round(cut, members, budget=budget, sensitive=sensitive, what=f"{model.rho}-uncertainty")
        rounds += 1


__all__ = ["RhoUncertainty", "RhoViolations", "rho_violations", "rho_anonymize", "antecedent_sizes", "RHO_LIMIT"]
