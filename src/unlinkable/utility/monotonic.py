"""ARX's monotonic metrics: non-uniform entropy and discernibility that do not charge suppression.

ARX 3.9.2 offers each of these metrics in two forms. The non-monotonic ones (``entropy``,
``discernibility``) charge suppressed records, so suppressing more can lower the score and the
search may not prune with them. The monotonic ones score the generalization alone, as if nothing
were suppressed; a coarser transformation never scores better, with or without a suppression
limit, and FLASH prunes with them:

- ``entropy-monotonic`` (``Metric.createEntropyMetric(true)``, ``MetricMDNUEntropyPrecomputed``):
  for each attribute ``-sum_v f_v log2(f_v / g_v)`` over the input values v with input frequency
  f_v and g_v the input frequency of v's generalized value; ARX adds the terms value by value in
  dictionary order, negates, floors each attribute to 10 decimals and sums the attributes;
- ``discernibility-monotonic`` (DM*, ``Metric.createDiscernabilityMetric(true)``,
  ``MetricSDDiscernability``): ``sum |E|^2`` over all classes E, suppressed or not;
- ``precision-monotonic`` (``Metric.createPrecisionMetric(true)``, ``MetricMDPrecision``): per
  attribute level / height, as if nothing were suppressed, aggregated by ARX's arithmetic mean.

Bayardo and Agrawal, "Data privacy through optimal k-anonymization", ICDE 2005 (DM);
Gionis and Tassa, "k-Anonymization with minimal loss of information", TKDE 2009 (non-uniform entropy).
"""

from __future__ import annotations

import math

import numpy as np

from unlinkable.hierarchies.hierarchy import GeneralizationMap
from unlinkable.utility.base import Evaluation, Score, UtilityMetric, floor10
from unlinkable.utility.discernibility import DiscernibilityMetric

_LN2 = math.log(2.0)


class MonotonicEntropyMetric(UtilityMetric):
    """Non-uniform entropy of the generalization alone (suppression is not charged).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> metric = MonotonicEntropyMetric()
    >>> metric.prepare([np.array([1.0, 1.0])])   # input frequency of each original code
    >>> # one record of a and one of b generalized to '*': each loses log2(2 / 1) = 1 bit
    >>> ev = Evaluation((1,), np.array([2]), np.array([[0]]), np.array([True]), 2, [gm], ["q"])
    >>> metric.evaluate(ev).value                # the suppression of the class costs nothing more
    2.0

    Notes
    -----
    ARX ``MetricMDNUEntropyPrecomputed`` (``createEntropyMetric(true)``, aggregate SUM, gs-factor 0.5).
    """

    name = "entropy-monotonic"
    reads_representatives = False
    monotone_generalization = True
    monotone_suppression = True

    def __init__(self) -> None:
        self._freq: list[np.ndarray] = []
        self._cache: dict[tuple[int, int], float] = {}

    def prepare(self, counts_per_attribute: list[np.ndarray]) -> None:
        """Input frequency of every original code, per attribute (one call per search)."""
        self._freq = [np.asarray(c, dtype=np.float64) for c in counts_per_attribute]
        self._cache = {}

    def attribute_loss(self, i: int, gm: GeneralizationMap, level: int) -> float:
        """Entropy lost by attribute ``i`` at ``level``, floored to 10 decimals (cached per level)."""
        hit = self._cache.get((i, level))
        if hit is None:
            freq = self._freq[i]
            gen_of = gm.table[:, level]
            gen_freq = np.bincount(gen_of, weights=freq, minlength=gm.cardinality(level))
            present = np.flatnonzero(freq > 0)
            a = freq[present]
            terms = a * (np.log(a / gen_freq[gen_of[present]]) / _LN2)
            # np.cumsum adds one term after the other, in code order, as ARX's loop does.
            total = float(np.cumsum(terms)[-1]) if terms.size else 0.0
            hit = floor10(-total if total != 0.0 else total)
            self._cache[(i, level)] = hit
        return hit

    def evaluate(self, ev: Evaluation) -> Score:
        per = {name: self.attribute_loss(i, gm, ev.levels[i]) for i, (gm, name) in enumerate(zip(ev.maps, ev.names))}
        total = 0.0
        for value in per.values():  # ARX's SUM aggregate, attribute after attribute
            total += value
        return Score(total, per, total)

    def lower_bound(self, ev: Evaluation) -> float:
        """The score itself: it depends on the levels alone."""
        return self.evaluate(ev).value


class MonotonicDiscernibilityMetric(DiscernibilityMetric):
    """DM*: the sum of squared class sizes over all classes, suppressed or not.

    Examples
    --------
    >>> import numpy as np
    >>> ev = Evaluation((0,), np.array([3, 1]), np.zeros((2, 1), int), np.array([False, True]), 4, [], [])
    >>> MonotonicDiscernibilityMetric().evaluate(ev).value   # 3**2 + 1**2, suppression not charged
    10.0

    Notes
    -----
    Bayardo and Agrawal (2005), DM*; ARX ``MetricSDDiscernability`` (``createDiscernabilityMetric(true)``):
    the non-monotonic metric's lower bound (:meth:`DiscernibilityMetric.lower_bound`) is its score.
    """

    name = "discernibility-monotonic"
    monotone_generalization = True
    monotone_suppression = True

    def evaluate(self, ev: Evaluation) -> Score:
        value = self.lower_bound(ev)
        return Score(value, None, value)


class MonotonicPrecisionMetric(UtilityMetric):
    """Sweeney's precision of the generalization alone: the mean over attributes of level / height.

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "x", "*"], ["b", "x", "*"]]).encode(["a", "b"])
    >>> ev = Evaluation((1,), np.array([2]), np.array([[0]]), np.array([True]), 2, [gm], ["q"])
    >>> MonotonicPrecisionMetric().evaluate(ev).value      # level 1 of 2; the suppression costs nothing
    0.5

    Notes
    -----
    Sweeney (2002), precision; ARX ``MetricMDPrecision`` (``createPrecisionMetric(true)``): the
    non-monotonic metric's lower bound ``(level / height) * 1`` per attribute is its score, and
    ``ILMultiDimensionalArithmeticMean`` adds ``value / m`` attribute after attribute.
    """

    name = "precision-monotonic"
    monotone_generalization = True
    monotone_suppression = True

    def evaluate(self, ev: Evaluation) -> Score:
        from unlinkable.utility.aggregate import aggregate_function

        per = {name: (lv / gm.max_level if gm.max_level else 0.0) for gm, name, lv in zip(ev.maps, ev.names, ev.levels)}
        value = aggregate_function("arithmetic-mean")(list(per.values()), None) if per else 0.0
        return Score(value, per, value)

    def lower_bound(self, ev: Evaluation) -> float:
        """The score itself: it depends on the levels alone."""
        return self.evaluate(ev).value


__all__ = ["MonotonicEntropyMetric", "MonotonicDiscernibilityMetric", "MonotonicPrecisionMetric"]
