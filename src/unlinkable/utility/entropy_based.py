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

import math

import numpy as np

from unlinkable.utility.base import Evaluation, Score, UtilityMetric


def _sequential_sum(terms: np.ndarray) -> float:
    """Left-to-right sum, as Java's loop adds (``cumsum`` accumulates in order; ``sum`` is pairwise)."""
    return float(np.cumsum(terms)[-1]) if terms.size else 0.0


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

    def __init__(self) -> None:
        self._shares: dict[tuple[int, int, int], np.ndarray] = {}

    def _share(self, i: int, gm, level: int) -> np.ndarray:
        """ARX's ``DomainShare.getShare`` per generalized code: rows under the value / domain size."""
        key = (i, level, id(gm))
        hit = self._shares.get(key)
        if hit is None:
            if len(self._shares) > 4096:
                self._shares.clear()
            hit = self._shares[key] = gm.row_counts[level].astype(np.float64) / float(gm.domain_size)
        return hit

    def evaluate(self, ev: Evaluation) -> Score:
        max_il = 1.0
        for gm in ev.maps:
            max_il *= float(gm.domain_size)
        max_il = math.log10(max_il)
        order = ev.arx_order()
        sizes = np.asarray(ev.sizes, dtype=np.int64).take(order)
        if not bool((sizes > 0).all()):
            order, sizes = order[sizes > 0], sizes[sizes > 0]   # ARX skips empty classes (subset)
        count = sizes.astype(np.float64)
        if max_il == 0.0 or not math.isfinite(max_il):
            loss = np.zeros_like(count)     # no information, none lost
        else:
            product = np.ones_like(count)
            for i, (gm, level) in enumerate(zip(ev.maps, ev.levels)):
                product = product * self._share(i, gm, level).take(ev.gen_of(i, order))
            with np.errstate(divide="ignore"):
                per_record = np.log10(product) / max_il + 1.0
            if bool(np.isnan(per_record).any()) or bool(((per_record <= -0.001) | (per_record >= 1.001)).any()):
                raise ArithmeticError("entropy-based information loss out of [0, 1]; this is probably a bug")
            loss = count * np.clip(per_record, 0.0, 1.0)
        suppressed = np.asarray(ev.suppressed, dtype=bool).take(order)
        real = _sequential_sum(np.where(suppressed, count, loss))
        return Score(real, None, _sequential_sum(loss))


__all__ = ["EntropyBasedInformationLossMetric"]
