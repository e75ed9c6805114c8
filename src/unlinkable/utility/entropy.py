"""Non-uniform entropy: bits lost per value, from input frequencies (ARX ``MetricMDNUNMEntropyPrecomputed``).

Per attribute, as ARX 3.9.2 computes it: the generalization part sums, over the input values v
in dictionary order, ``f(v) * log2(f(g(v)) / f(v))`` (f: input frequency, g: the generalized
value), over every record, suppressed or not; the suppression part sums, over the generalized
values w of the suppressed records, ``c(w) * log2(S / c(w))`` (c: suppressed records with value w,
S: all suppressed records). Each attribute's loss is rounded down to 10 decimals before the
attributes are summed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from unlinkable.utility.base import Evaluation, Score, UtilityMetric, floor10, sequential_sum

#: Java's ``Math.log(2)``: ARX's log2(x) is ``Math.log(x) / LOG2``
_LOG2 = math.log(2.0)


class EntropyMetric(UtilityMetric):
    """Non-uniform entropy with ARX's charge for suppressed records (see the module docstring).

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
    ``MetricMDNUNMEntropyPrecomputed`` (generalization and suppression factors 1).
    """

    name = "entropy"
    reads_representatives = False
    monotone_generalization = True
    monotone_suppression = False

    def __init__(self) -> None:
        self._freq: dict[Any, Any] = {}

    def prepare(self, counts_per_attribute: list[np.ndarray]) -> None:
        """Input frequency of every original code, per attribute."""
        self._freq = {i: np.asarray(c, dtype=np.float64) for i, c in enumerate(counts_per_attribute)}

    def evaluate(self, ev: Evaluation) -> Score:
        per, bound = {}, []
        suppressed = np.asarray(ev.suppressed, dtype=bool)
        supp_rows = np.flatnonzero(suppressed)
        supp_sizes = ev.sizes[supp_rows].astype(np.int64) if supp_rows.size else None
        total_supp = float(supp_sizes.sum()) if supp_sizes is not None else 0.0
        for i, (gm, name) in enumerate(zip(ev.maps, ev.names)):
            freq = self._freq[i]
            lv = ev.levels[i]
            gen_of = gm.table[:, lv]
            gen_freq = np.bincount(gen_of, weights=freq, minlength=gm.cardinality(lv))
            present = np.flatnonzero(freq > 0)
            a = freq[present]
            # ARX: a * log2(a / b), summed in dictionary order; the sign is switched at the end
            raw = sequential_sum(a * (np.log(a / gen_freq[gen_of[present]]) / _LOG2))
            released = floor10(-raw) if raw != 0.0 else 0.0
            bound.append(released)
            if supp_sizes is not None and total_supp > 0:
                counts = np.bincount(ev.gen_of(i, supp_rows), weights=supp_sizes,
                                     minlength=gm.cardinality(lv)).astype(np.float64)
                c = counts[counts > 0]
                raw += sequential_sum(c * (np.log(c / total_supp) / _LOG2))
            per[name] = (floor10(-raw) if raw != 0.0 else 0.0) + 0.0
        return Score(float(sum(per.values())), per, float(sum(bound)))


__all__ = ["EntropyMetric"]
