"""Anonymize set-valued data: k^m-anonymity and rho-uncertainty by one global recoding of the items.

The models run in turn on one :class:`~unlinkable.points.cut.ItemCut`: k^m-anonymity first, then
rho-uncertainty (its fixes only coarsen or suppress, which keeps k^m-anonymity). Without
suppression and with at most ``OPTIMAL_CUTS`` cuts of the hierarchy, every cut is tried (sensitive
items kept as they are) and the release is the cut of least NCP under which every model holds
(``optimal``); otherwise Apriori Anonymization's greedy rounds choose it. The suppression budget is
a share of the input's item occurrences (distinct items per record); with a budget, the release
without suppression is computed too (exhaustively where it can be) and the one of lower NCP is
kept, but it is not claimed optimal: releases with suppression were searched greedily only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.constraints import check_float
from unlinkable.errors import ConfigError, NoSolutionError, shown
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.points.cut import ItemCut, item_occurrences
from unlinkable.points.encoded import Points
from unlinkable.points.generalize import Budget
from unlinkable.points.hierarchy import encode_items
from unlinkable.points.km_anonymity import KmAnonymity, km_anonymize
from unlinkable.points.optimal_cut import cuts_by_ncp, optimal_cut
from unlinkable.points.rho_uncertainty import RhoUncertainty, rho_anonymize

PointsModel = KmAnonymity | RhoUncertainty

#: set-valued privacy models (each has a checker in verify.py; tests/test_verify_contract.py asserts it)
MODELS: dict[str, Any] = {"km-anonymity": KmAnonymity, "rho-uncertainty": RhoUncertainty}


def parse_models(entries: Any, where: str = "privacy") -> tuple[PointsModel, ...]:
    """``[{name: params}, ...]`` as checked model objects (each model at most once).

    Examples
    --------
    >>> parse_models([{"km-anonymity": {"k": 5, "m": 2}}])
    (KmAnonymity(k=5, m=2),)
    """
    example = "privacy: [{km-anonymity: {k: 5, m: 2}}]"
    if isinstance(entries, Mapping):
        entries = [entries]
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"`{where}` must be a list of models, got {shown(entries)}", hint=example)
    models: list[PointsModel] = []
    for entry in entries:
        if not isinstance(entry, Mapping) or len(entry) != 1:
            raise ConfigError(f"`{where}`: each entry is one {{model: parameters}}, got {shown(entry)}", hint=example)
        ((name, params),) = entry.items()
        if name not in MODELS:
            raise ConfigError(f"`{where}`: {shown(name)} is not a set-valued privacy model",
                              hint=f"one of {', '.join(MODELS)}")
        if any(type(model) is MODELS[name] for model in models):
            raise ConfigError(f"`{where}`: {name} is given twice", hint="give each model once")
        models.append(MODELS[name].from_params(params))
    return tuple(models)


@dataclass(frozen=True, eq=False)
class PointsRelease:
    """The released records, the cut that made them, and how it was found."""

    models: tuple[PointsModel, ...]
    cut: ItemCut
    points: Points
    rounds: int
    optimal: bool
    #: how many cuts the exhaustive search had (None: too many, not run) and checked
    search: Mapping[str, Any]
    suppressed_occurrences: int
    total_occurrences: int

    def generalization(self, original: Points) -> dict[str, str | None]:
        """Each input item's released label (None when suppressed)."""
        return self.cut.generalization(original.labels)


def anonymize_points(points: Points, hierarchy: Hierarchy, models: Sequence[PointsModel], *,
                     suppression_limit: float = 0.0, classes: np.ndarray | None = None) -> PointsRelease:
    """Generalize (and suppress within the budget) until every model holds.

    Examples
    --------
    >>> h = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]])
    >>> p = Points.from_codes([0, 1, 2, 3], [1, 2, 0, 0], labels=("bread", "milk", "tea"))
    >>> r = anonymize_points(p, h, [KmAnonymity(2, 1)])
    >>> sorted(r.generalization(p).items()), r.optimal
    ([('bread', 'bread'), ('milk', 'drink'), ('tea', 'drink')], True)
    """
    if not models:
        raise ConfigError("no set-valued privacy model to apply", hint="privacy: [{km-anonymity: {k: 5, m: 2}}]")
    limit = check_float(suppression_limit, "suppression_limit", low=0.0, high=1.0)
    gmap = encode_items(points, hierarchy)
    occ = item_occurrences(points)
    total = int(occ.sum())
    budget = Budget(occ, int(np.floor(limit * total + 1e-9)))
    sensitive = np.zeros(len(points.labels), dtype=bool)
    for model in models:
        if isinstance(model, RhoUncertainty):
            sensitive |= model.sensitive_mask(points.labels)
    found: list[tuple[ItemCut, int, bool, dict[str, Any]]] = []
    failure: NoSolutionError | None = None
    # with a budget the greedy rounds may suppress an item a later lift would have covered: the
    # release without suppression is tried too, and the one of lower NCP is kept
    for allowed in ([budget, Budget(occ, 0)] if budget.limit > 0 else [budget]):
        try:
            found.append(_search(points, gmap, models, allowed, sensitive, classes))
        except NoSolutionError as exc:
            failure = failure or exc
    released = [f[0].apply(points) for f in found]  # each cut applied once
    if budget.limit > 0 and not any(_keeps_an_item(r) for r in released):
        # The greedy rounds from the input's own items may suppress every item (each too rare alone)
        # where a coarser cut would have kept them; from each cut of a small hierarchy in turn (least
        # NCP first), the first whose rounds release something is kept. Never claimed optimal.
        rescued = _from_each_cut(points, gmap, models, budget, sensitive, classes)
        if rescued is not None:
            found.append(rescued)
            released.append(rescued[0].apply(points))
    if not found:
        assert failure is not None
        raise failure
    best = min(range(len(found)), key=lambda i: (not _keeps_an_item(released[i]), found[i][0].ncp(points, occ)))
    cut, rounds, optimal, search = found[best]
    optimal = optimal and budget.limit == 0
    return PointsRelease(tuple(models), cut, released[best], rounds, optimal, search, budget.used(cut), total)


def _keeps_an_item(released: Points) -> bool:
    return bool((released.lengths() > 0).any())


def _from_each_cut(points: Points, gmap: Any, models: Sequence[PointsModel], budget: Budget, sensitive: np.ndarray,
                   classes: np.ndarray | None) -> tuple[ItemCut, int, bool, dict[str, Any]] | None:
    """The greedy rounds within ``budget`` started from each cut of the hierarchy after the input's
    own items (tried already), least NCP first (:func:`cuts_by_ncp`): the first release that keeps
    an item, or None (also when the hierarchy has more than ``OPTIMAL_CUTS`` cuts)."""
    starts = cuts_by_ncp(points, gmap, sensitive)
    if starts is None:
        return None
    for checked, start in enumerate(starts, 1):
        if not start.levels.any():
            continue   # the input's own items: the search within the budget began there
        try:
            cut, rounds, _, _ = _search(points, gmap, models, budget, sensitive, classes, start=start)
        except NoSolutionError:
            continue
        if _keeps_an_item(cut.apply(points)):
            return cut, rounds, False, {"cuts": len(starts), "checked": checked}
    return None


def _search(points: Points, gmap: Any, models: Sequence[PointsModel], budget: Budget, sensitive: np.ndarray,
            classes: np.ndarray | None, start: ItemCut | None = None) -> tuple[ItemCut, int, bool, dict[str, Any]]:
    """One search within ``budget`` (the greedy rounds from ``start``, the input's items by default):
    the cut, its rounds, whether the exhaustive search found it, its figures."""
    cut = ItemCut.identity(gmap) if start is None else start
    rounds = 0
    optimal = False
    search: dict[str, Any] = {"cuts": None, "checked": 0}
    if budget.limit == 0 and start is None:
        best, search = optimal_cut(points, gmap, models, sensitive=sensitive, classes=classes)
        if best is not None:
            return best, rounds, True, search
    km = next((model for model in models if isinstance(model, KmAnonymity)), None)
    if km is not None:
        cut, rounds = km_anonymize(points, cut, km, budget=budget, sensitive=sensitive, classes=classes)
    for model in models:
        if isinstance(model, RhoUncertainty):
            cut, more = rho_anonymize(points, cut, model, budget=budget, sensitive=sensitive)
            rounds += more
    return cut, rounds, optimal, search


__all__ = ["PointsModel", "PointsRelease", "MODELS", "parse_models", "anonymize_points"]
