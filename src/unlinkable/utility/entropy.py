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
    >>> ev = Evaluation((1,), np.array([2]), np.array([[0]]), np.array([False]), 2, [gm], ["q"])
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
    reads_representatives = False
    monotone_generalization = True
    monotone_suppression = False

    def __init__(self) -> None:
        self._freq: dict = {}

    def prepare(self, counts_per_attribute: list[np.ndarray]) -> None:
        """Input frequency of every original code, per attribute."""
        self._freq = {i: np.asarray(c, dtype=np.float64) for i, c in enumerate(counts_per_attribute)}

    def evaluate(self, ev: Evaluation) -> Score:
        # Exact without per-record work: released, a record of value v costs log2(g/f) where f is the
        # input frequency of v and g that of its generalized value; suppressed, it costs log2(n/f),
        # i.e. log2(n/g) more, which depends only on the class's generalized value.
        per, bound = {}, []
        suppressed = np.asarray(ev.suppressed, dtype=bool)
        supp_rows = np.flatnonzero(suppressed)
        supp_sizes = ev.sizes[supp_rows].astype(np.float64) if supp_rows.size else None
        for i, (gm, name) in enumerate(zip(ev.maps, ev.names)):
            freq = self._freq[i]
            lv = ev.levels[i]
            gen_of = gm.table[:, lv]
            gen_freq = np.bincount(gen_of, weights=freq, minlength=gm.cardinality(lv))
            present = freq > 0
            released = float(np.sum(freq[present] * np.log2(gen_freq[gen_of[present]] / freq[present])))
            extra = 0.0
            if supp_sizes is not None:
                g = gen_freq[ev.gen_of(i, supp_rows)]
                extra = float(np.sum(supp_sizes * np.log2(ev.n / g)))
            per[name] = released + extra
            bound.append(released)
        return Score(float(sum(per.values())), per, float(sum(bound)))


__all__ = ["EntropyMetric"]
