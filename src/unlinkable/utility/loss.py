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
        per: dict[str, float] = {}
        bound: list[float] = []
        keep = ~ev.suppressed
        sizes = ev.sizes.astype(np.int64)
        supp_records = int(sizes[ev.suppressed].sum())
        for i, (gm, name) in enumerate(zip(ev.maps, ev.names)):
            rc = gm.row_counts[ev.levels[i]][ev.gen[:, i]].astype(np.int64)
            weighted = sizes * rc
            released = int(weighted[keep].sum())
            all_rows = int(weighted.sum())
            d = gm.domain_size
            total = (released + supp_records * d) / d
            per[name] = _normalize(total, ev.n, d)
            bound.append(_normalize(all_rows / d, ev.n, d))
        return Score(geometric_mean_loss(per.values()), per, geometric_mean_loss(bound))


__all__ = ["LossMetric", "geometric_mean_loss"]
