"""Precision (Sweeney's Prec): the mean relative generalization height, suppressed records cost 1."""

from __future__ import annotations

import numpy as np

from unlinkable.utility.base import Evaluation, Score, UtilityMetric


class PrecisionMetric(UtilityMetric):
    """Per attribute: mean over records of level / max level (1 for a suppressed record); mean over attributes.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "x", "*"], ["b", "x", "*"]]).encode(["a", "b"])
    >>> ev = Evaluation((1,), np.array([2]), np.array([[0]]), np.array([False]), 2, [gm], ["q"])
    >>> PrecisionMetric().evaluate(ev).value
    0.5

    Notes
    -----
    Sweeney, "Achieving k-anonymity privacy protection using generalization and suppression", 2002;
    ARX ``MetricMDPrecision`` (arithmetic mean over attributes).
    """

    name = "precision"
    monotone_generalization = True
    monotone_suppression = False

    def evaluate(self, ev: Evaluation) -> Score:
        sizes = ev.sizes.astype(np.int64)
        supp = int(sizes[ev.suppressed].sum())
        per, bound = {}, []
        for gm, name, lv in zip(ev.maps, ev.names, ev.levels):
            rel = lv / gm.max_level if gm.max_level else 0.0
            per[name] = ((ev.n - supp) * rel + supp) / ev.n if ev.n else 0.0
            bound.append(rel)
        value = float(np.mean(list(per.values()))) if per else 0.0
        return Score(value, per, float(np.mean(bound)) if bound else 0.0)


__all__ = ["PrecisionMetric"]
