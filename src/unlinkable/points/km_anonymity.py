"""k^m-anonymity (Terrovitis et al., PVLDB 2008): no itemset of up to m items in fewer than k records.

An adversary who knows up to ``m`` items of a person's record finds at least ``k`` records with
them. With ``classes`` (the equivalence classes of ordinary quasi-identifiers, Poulis et al. 2013)
the supports are counted within each class: an adversary who knows the quasi-identifiers as well
still finds ``k`` records.

:func:`km_anonymize` is Apriori Anonymization with a global cut of the item hierarchy: sizes
1, 2 ... m in turn; while an itemset of the current size violates, each violating itemset lifts
(or, within the suppression budget, suppresses) one of its items, the cheapest in NCP
(:mod:`unlinkable.points.generalize`). Lifting and suppressing never create a violation of a
smaller size (a coarser cut only merges supports), so one pass over the sizes is enough.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.constraints import check_int, check_keys
from unlinkable.errors import ConfigError, NoSolutionError, shown
from unlinkable.points.cut import ItemCut
from unlinkable.points.encoded import Points
from unlinkable.points.generalize import Budget, fix_round
from unlinkable.points.subsets import Itemsets, keys_by_chunk


@dataclass(frozen=True)
class KmAnonymity:
    """The model's parameters, checked.

    Examples
    --------
    >>> KmAnonymity.from_params({"k": 5, "m": 2})
    KmAnonymity(k=5, m=2)
    """

    k: int
    m: int

    @classmethod
    def from_params(cls, params: Any) -> KmAnonymity:
        if not isinstance(params, Mapping):
            raise ConfigError(f"km-anonymity takes {{k, m}}, got {shown(params)}", hint="km-anonymity: {k: 5, m: 2}")
        check_keys(params, ("k", "m"), "km-anonymity")
        return cls(check_int(params.get("k"), "km-anonymity.k", low=2), check_int(params.get("m", 2), "km-anonymity.m", low=1, high=6))

    def to_dict(self) -> dict[str, Any]:
        return {"km-anonymity": {"k": self.k, "m": self.m}}


def decode(keys: np.ndarray, d: int, size: int) -> np.ndarray:
    """The item codes of packed itemset keys, one column per item (ascending)."""
    return np.stack([(keys // d ** (size - 1 - j)) % d for j in range(size)], axis=1).astype(np.int64)


def occurring(itemsets: Itemsets, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys and supports of the itemsets of ``size`` that occur."""
    counted = itemsets.supports(size)
    if counted.keys is None:
        keys = np.flatnonzero(counted.counts > 0)
        return keys, counted.counts[keys]
    return counted.keys, counted.counts


def km_violations(released: Points, size: int, k: int, *, classes: np.ndarray | None = None,
                  itemsets: Itemsets | None = None) -> np.ndarray:
    """The distinct itemsets of ``size`` with support below ``k`` (within each class when given).

    Examples
    --------
    >>> p = Points.from_codes([0, 0, 1, 1, 2], [0, 1, 0, 1, 0], labels="ab")
    >>> km_violations(p, 2, 3).tolist(), km_violations(p, 1, 2, classes=np.array([0, 0, 1])).tolist()
    ([[0, 1]], [[0]])
    """
    d = max(len(released.labels), 1)
    if classes is None:
        keys, counts = occurring(itemsets or Itemsets(released), size)
        return decode(keys[counts < k], d, size)
    span = d ** size
    n_classes = int(classes.max()) + 1 if len(classes) else 1
    if n_classes * span >= 2 ** 62:
        raise ConfigError(f"itemsets of size {size} over {d:,} items in {n_classes:,} classes do not fit 64-bit keys",
                          hint="use a smaller m, or coarsen the items first")
    parts = [(classes[rows][:, None] * span + keys).ravel() for rows, keys in keys_by_chunk(released.sets(), size)]
    if not parts:
        return np.zeros((0, size), dtype=np.int64)
    compound, counts = np.unique(np.concatenate(parts), return_counts=True)
    return decode(np.unique(compound[counts < k] % span), d, size)


def km_anonymize(points: Points, cut: ItemCut, model: KmAnonymity, *, budget: Budget, sensitive: np.ndarray,
                 classes: np.ndarray | None = None) -> tuple[ItemCut, int]:
    """The cut made k^m-anonymous from ``cut`` on, and the number of rounds it took.

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> p = Points.from_codes([0, 1, 2, 3], [1, 2, 0, 0], labels=("bread", "milk", "tea"))
    >>> g = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]]).encode(p.labels)
    >>> cut, rounds = km_anonymize(p, ItemCut.identity(g), KmAnonymity(2, 1), budget=Budget(np.ones(3, int), 0),
    ...                            sensitive=np.zeros(3, bool))
    >>> cut.node_labels(), rounds
    (['bread', 'drink', 'drink'], 1)
    """
    minimum = points.records if classes is None else int(np.bincount(classes).min())
    if minimum < model.k:
        where = "record(s)" if classes is None else "record(s) in the smallest class of the quasi-identifiers"
        raise NoSolutionError(f"{minimum} {where} cannot be {model.k}^{model.m}-anonymous",
                              hint="k must be at most the number of records")
    rounds = 0
    for size in range(1, model.m + 1):
        while True:
            bad = km_violations(cut.apply(points), size, model.k, classes=classes)
            if not len(bad):
                break
            cut = fix_round(cut, bad, budget=budget, sensitive=sensitive, what=f"{model.k}^{model.m}-anonymity")
            rounds += 1
    return cut, rounds


__all__ = ["KmAnonymity", "km_violations", "km_anonymize", "occurring", "decode"]
