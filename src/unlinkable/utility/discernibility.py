"""Discernibility, ARX's non-monotonic variant (``MetricSDNMDiscernability``).

DM = sum of |E|^2 over released classes + n * (suppressed records). The lower bound ignores
suppression: sum of |E|^2 over all classes (DM*).
"""

from __future__ import annotations

import numpy as np

from unlinkable.utility.base import Evaluation, Score, UtilityMetric


class DiscernibilityMetric(UtilityMetric):
    """Non-monotonic discernibility.

    Examples
    --------
    >>> import numpy as np
    >>> ev = Evaluation((0,), np.array([3, 1]), np.zeros((2, 1), int), np.array([False, True]), 4, [], [])
    >>> DiscernibilityMetric().evaluate(ev).value
    13.0

    Notes
    -----
    Bayardo and Agrawal, "Data privacy through optimal k-anonymization", ICDE 2005; ARX 3.9.2
    ``MetricSDNMDiscernability``.
    """

    name = "discernibility"
    monotone_generalization = True
    monotone_suppression = False

    def lower_bound(self, ev: Evaluation) -> float:
        """``evaluate(ev).lower_bound`` alone: the squares of all class sizes."""
        sizes = np.asarray(ev.sizes, dtype=np.int64)
        return float(int((sizes * sizes).sum()))

    def evaluate(self, ev: Evaluation) -> Score:
        sizes = np.asarray(ev.sizes, dtype=np.int64)
        sq = sizes * sizes
        total = int(sq.sum())
        if ev.suppressed.any():
            # exact integers: the released classes' squares are the total less the suppressed ones
            released = total - int(sq[ev.suppressed].sum())
            supp = int(sizes[ev.suppressed].sum())
        else:
            released, supp = total, 0
        return Score(float(released + ev.n * supp), None, float(total))


__all__ = ["DiscernibilityMetric"]
