"""Brute force over the whole lattice: the oracle the optimal search is tested against."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from unlinkable.search import NodeEvaluator
    from unlinkable.search.flash import NodeResult


def exhaustive_search(evaluator: NodeEvaluator) -> tuple[list[int], dict[int, NodeResult]]:
    """Every anonymous node with the lowest loss and, among those, the lowest level sum.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> from unlinkable.models.kanonymity import KAnonymity
    >>> from unlinkable.search import NodeEvaluator
    >>> from unlinkable.search.lattice import Lattice
    >>> from unlinkable.transform.generalize import Generalizer
    >>> from unlinkable.utility.loss import LossMetric
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> ev = NodeEvaluator(Generalizer(np.array([[0], [0]]), [gm]), Lattice([2]), ["q"], [KAnonymity(k=2)],
    ...                    LossMetric(), suppression_limit=0.0)
    >>> exhaustive_search(ev)[0]
    [0]

    Notes
    -----
    No pruning at all, so it is correct whatever the models and the metric declare.
    """
    lat = evaluator.lattice
    results = {v: evaluator.result(v) for v in range(lat.size)}
    anon = [v for v, r in results.items() if r.anonymous]
    if not anon:
        return [], results
    best = min(results[v].loss for v in anon)
    tied = [v for v in anon if results[v].loss == best]
    low = min(int(lat.level_sum[v]) for v in tied)
    return [v for v in tied if int(lat.level_sum[v]) == low], results


__all__ = ["exhaustive_search"]
