"""ARX's entropy-based information loss (``metric/v2/MetricSDNMEntropyBasedInformationLoss``).

A record whose value of attribute i is generalized to a value covering a share ``p_i`` of that
attribute's domain (hierarchy rows under the value over all rows, ``D_i``) has lost
``IL = -log10(prod_i 1 / (p_i D_i)) / maxIL`` of its information, with ``maxIL = log10(prod_i D_i)``:
0 when nothing is generalized, 1 when every attribute is generalized to the whole domain. ARX
computes it as ``log10(prod_i p_i) / maxIL + 1``, clipped to [0, 1] (0 when ``maxIL`` is 0).
The table's loss sums ``IL`` over released records and charges 1 per suppressed record
(generalization and suppression factors 1, ARX's default gs-factor 0.5); the lower bound sums
``IL`` over every record. Classes are added in ARX's order (by first record), in doubles.
"""

from __future__ import annotations

import numpy as np

from unlinkable.utility.base import Evaluation, Score, UtilityMetric, sequential_sum


class EntropyBasedInformationLossMetric(UtilityMetric):
    """Entropy-based information loss: per record, the share of ``log10`` of the domain it lost.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> ev = Evaluation((1,), np.array([3]), np.array([[0]]), np.array([False]), 3, [gm], ["q"])
    >>> EntropyBasedInformationLossMetric().evaluate(ev).value   # '*' covers the domain: 1 per record
    3.0

    Notes
    -----
    Kohlmayer et al., "Utility-driven data de-identification" (the publisher's loss in ARX's
    game-theoretic models), ARX 3.9.2 ``Metric.createEntropyBasedInformationLossMetric()``.
    """

    name = "entropy-based-information-loss"
    monotone_generalization = True
    monotone_suppression = False

    def evaluate(self, ev: Evaluation) -> Score:
        from unlinkable.risk.cost_benefit import entropy_information_loss

        order = ev.arx_order()
        sizes = np.asarray(ev.sizes, dtype=np.int64).take(order)
        if not bool((sizes > 0).all()):
            order, sizes = order[sizes > 0], sizes[sizes > 0]   # ARX skips empty classes (subset)
        count = sizes.astype(np.float64)
        codes = np.column_stack([ev.gen_of(i, order) for i in range(len(ev.maps))]) if ev.maps else \
            np.zeros((order.shape[0], 0), dtype=np.int64)
        with np.errstate(divide="ignore"):
            loss = count * entropy_information_loss(ev.levels, codes, ev.maps)
        suppressed = np.asarray(ev.suppressed, dtype=bool).take(order)
        return Score(sequential_sum(np.where(suppressed, count, loss)), None, sequential_sum(loss))


__all__ = ["EntropyBasedInformationLossMetric"]
