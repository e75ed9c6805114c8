"""Average equivalence class size (ARX ``MetricSDAECS``): records / classes, suppressed records in one class."""

from __future__ import annotations

import numpy as np

from unlinkable.utility.base import Evaluation, Score, UtilityMetric


class AECSMetric(UtilityMetric):
    """n divided by the number of classes (all suppressed records count as one class).

    Examples
    --------
    >>> import numpy as np
    >>> AECSMetric().evaluate(Evaluation((0,), np.array([2, 2]), np.zeros((2, 1), int), np.array([False, False]), 4, [], ["q"])).value
    2.0

    Notes
    -----
    LeFevre, DeWitt, Ramakrishnan, "Mondrian multidimensional k-anonymity", ICDE 2006; ARX ``MetricSDAECS``.
    """

    name = "aecs"
    monotone_generalization = True
    monotone_suppression = False

    def evaluate(self, ev: Evaluation) -> Score:
        released = int(((~ev.suppressed) & (np.asarray(ev.sizes) > 0)).sum())
        classes = released + (1 if ev.suppressed.any() else 0)
        value = ev.n / classes if classes else 0.0
        return Score(float(value), None, None)


__all__ = ["AECSMetric"]
