"""Height: the sum of the generalization levels (ARX ``MetricMDHeight``)."""

from __future__ import annotations

from unlinkable.utility.base import Evaluation, Score, UtilityMetric


class HeightMetric(UtilityMetric):
    """Sum of levels; suppression is not counted, so the metric is monotone.

    Examples
    --------
    >>> import numpy as np
    >>> HeightMetric().evaluate(Evaluation((1, 2), np.array([1]), np.zeros((1, 2), int), np.array([False]), 1, [], ["a", "b"])).value
    3.0

    Notes
    -----
    Samarati (2001); ARX ``MetricMDHeight``.
    """

    name = "height"
    monotone_generalization = True
    monotone_suppression = True

    def evaluate(self, ev: Evaluation) -> Score:
        per = {name: float(lv) for name, lv in zip(ev.names, ev.levels)}
        total = float(sum(ev.levels))
        return Score(total, per, total)


__all__ = ["HeightMetric"]
