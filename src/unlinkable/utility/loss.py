"""ARX's Loss metric (``metric/v2/MetricMDNMLoss``), per attribute and aggregated.

For an attribute with domain size D (hierarchy rows) a released record costs the share of the
domain its generalized value covers, a suppressed record costs 1; the sum L is normalized as
``(L - n/D) / (n - n/D)``, floored to 10 decimals, and the attributes are aggregated with ARX's
geometric mean ``prod((x_i + 1) ** (1/m)) - 1``.
"""

from __future__ import annotations

import math

import numpy as np

from unlinkable.utility.base import Evaluation, Score, UtilityMetric, floor10


def _normalize(total: float, n: int, domain: int) -> float:
    low = n / domain
    span = n - low
    x = (total - low) / span if span > 0 else 0.0
    return floor10(max(x, 0.0))


def geometric_mean_loss(values) -> float:
    """ARX's aggregate: the product of ``(x + 1) ** (1/m)``, minus 1, in that operation order.

    Examples
    --------
    >>> geometric_mean_loss([1.0, 1.0])
    1.0000000000000004
    """
    values = list(values)
    m = len(values)
    result = 1.0
    for v in values:
        result *= math.pow((v + 1.0) * 1.0, 1.0 / m)
    return result - 1.0


class LossMetric(UtilityMetric):
    """ARX's Loss: generalization and suppression weighted equally (gs-factor 0.5).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> ev = Evaluation((1,), np.array([4]), np.array([[0]]), np.array([False]), 4, [gm], ["q"])
    >>> LossMetric().evaluate(ev).value
    1.0

    Notes
    -----
    Iyengar, "Transforming data to satisfy privacy constraints", KDD 2002 (loss metric); ARX 3.9.2
    ``MetricMDNMLoss`` and ``ILMultiDimensionalGeometricMean``.
    """

    name = "loss"
    monotone_generalization = True
    monotone_suppression = False

    def evaluate(self, ev: Evaluation) -> Score:
        sizes = ev.sizes.astype(np.int64)
        keep = ~ev.suppressed
        supp_records = int(sizes[ev.suppressed].sum())
        rc = self._row_counts(ev)
        weighted = sizes[:, None] * rc
        released = weighted[keep].sum(axis=0).tolist()
        everything = weighted.sum(axis=0).tolist()
        per: dict[str, float] = {}
        bound: list[float] = []
        for i, (gm, name) in enumerate(zip(ev.maps, ev.names)):
            d = gm.domain_size
            per[name] = _normalize((released[i] + supp_records * d) / d, ev.n, d)
            bound.append(_normalize(everything[i] / d, ev.n, d))
        return Score(geometric_mean_loss(per.values()), per, geometric_mean_loss(bound))

    def _row_counts(self, ev: Evaluation) -> np.ndarray:
        """Hierarchy rows under each class's generalized value, one gather for all attributes."""
        key = id(ev.maps[0]) if ev.maps else 0
        cached = getattr(self, "_flat", None)
        if cached is None or cached[0] != key:
            flat = np.concatenate([c for gm in ev.maps for c in gm.row_counts]).astype(np.int64)
            starts, pos = [], 0
            for gm in ev.maps:
                starts.append([])
                for c in gm.row_counts:
                    starts[-1].append(pos)
                    pos += len(c)
            self._flat = (key, flat, starts)
        _, flat, starts = self._flat
        offset = np.array([starts[i][lv] for i, lv in enumerate(ev.levels)], dtype=np.int64)
        return flat[ev.gen + offset[None, :]]


__all__ = ["LossMetric", "geometric_mean_loss"]
