"""Non-uniform entropy: bits lost per value, from input frequencies (ARX ``MetricMDNUEntropy``)."""

from __future__ import annotations

import numpy as np

from unlinkable.utility.base import Evaluation, Score, UtilityMetric


class EntropyMetric(UtilityMetric):
    """Sum over records and attributes of -log2(freq(original value) / freq(released value)).

    Frequencies are counted in the input; a suppressed value has the frequency n.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> ev = Evaluation((1,), np.array([1, 1]), np.array([[0], [0]]), np.array([False, False]), 2, [gm], ["q"],
    ...                 rep=np.array([[0], [1]]))
    >>> metric = EntropyMetric()
    >>> metric.prepare([np.array([1.0, 1.0])])   # input frequency of each original code
    >>> metric.evaluate(ev).value
    2.0

    Notes
    -----
    Gionis and Tassa, "k-Anonymization with minimal loss of information", TKDE 2009; ARX
    ``MetricMDNUEntropyPrecomputed``.
    """

    name = "entropy"
    reads_representatives = True
    monotone_generalization = True
    monotone_suppression = False

    def __init__(self) -> None:
        self._freq: dict = {}

    def prepare(self, counts_per_attribute: list[np.ndarray]) -> None:
        """Input frequency of every original code, per attribute."""
        self._freq = {i: c for i, c in enumerate(counts_per_attribute)}

    def evaluate(self, ev: Evaluation) -> Score:
        per, bound = {}, []
        sizes = ev.sizes.astype(np.float64)
        for i, (gm, name) in enumerate(zip(ev.maps, ev.names)):
            freq = self._freq[i]
            lv = ev.levels[i]
            gen_freq = np.bincount(gm.table[:, lv], weights=freq, minlength=gm.cardinality(lv))
            # Each class holds records of possibly several original values; use the class representative's
            # ratio weighted by size (exact when the class is pure at level 0, an estimate otherwise).
            orig = freq[ev.rep[:, i]]
            ratio = orig / gen_freq[ev.gen[:, i]]
            cost = -np.log2(ratio) * sizes
            supp_cost = -np.log2(orig / ev.n) * sizes
            per[name] = float(np.where(ev.suppressed, supp_cost, cost).sum())
            bound.append(float(cost.sum()))
        return Score(float(sum(per.values())), per, float(sum(bound)))


__all__ = ["EntropyMetric"]
