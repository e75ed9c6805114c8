"""Publisher payout (ARX ``MetricSDNMPublisherPayout``): what the publisher forgoes, summed over records.

ARX 3.9.2 ``Metric.createPublisherPayoutMetric(journalist)`` and ``metric/v2/MetricSDNMPublisherPayout``:
with the game of ``risk/cost_benefit.py``, a released record of a class costs
``g * (benefit - payout)`` (payout with the class's entropy-based information loss and
re-identification probability 1 / class size), a suppressed record ``s * benefit``, with ARX's
generalization and suppression factors g and s of the gs-factor (0.5: both 1). Lower is better.
Classes without measured records (outside a research subset) count nothing. The lower bound is
the same sum with p = 0 for every class, suppressed or not, as ARX's. The sum runs class by class
in floating point, as ARX's does. Only the prosecutor's probability is available (ARX's
``createPublisherPayoutMetric(false)``).
"""

from __future__ import annotations

import numpy as np

from unlinkable.risk.cost_benefit import CostBenefit, entropy_information_loss
from unlinkable.utility.base import Evaluation, Score, UtilityMetric
from unlinkable.utility.gs_factor import factors


class PublisherPayoutMetric(UtilityMetric):
    """The publisher's forgone payout (ARX's publisher payout metric, prosecutor model).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> m = PublisherPayoutMetric(CostBenefit(publisher_benefit=100, publisher_loss=50, adversary_gain=10, adversary_cost=4))
    >>> ev = Evaluation((0,), np.array([2, 3]), np.array([[0], [1]]), np.array([False, True]), 5, [gm], ["q"])
    >>> m.evaluate(ev).value   # class of 2 at IL 0: 2 x 25 (the attack pays, p = 1/2); 3 suppressed: 3 x 100
    350.0
    """

    name = "publisher-payout"
    monotone_generalization = False   # ARX: not monotone
    monotone_suppression = False

    def __init__(self, game: CostBenefit | None = None, gs_factor: float = 0.5) -> None:
        self.game = game if game is not None else CostBenefit()
        self.gs_factor = float(gs_factor)

    def evaluate(self, ev: Evaluation) -> Score:
        sizes = np.asarray(ev.sizes).astype(np.float64)
        g_factor, s_factor = factors(self.gs_factor)
        measured = sizes > 0
        loss = entropy_information_loss(ev.levels, np.asarray(ev.gen), ev.maps)
        top = self.game.publisher_benefit
        real_payout = self.game.publisher_payout(loss, 1.0 / np.maximum(sizes, 1.0))
        bound_payout = self.game.publisher_payout(loss, np.zeros_like(sizes))
        real = np.where(np.asarray(ev.suppressed, dtype=bool), s_factor * sizes * top, g_factor * sizes * (top - real_payout))
        bound = g_factor * sizes * (top - bound_payout)
        # ARX adds class by class: a running (cumulative) sum repeats its rounding exactly
        value = float(np.cumsum(np.where(measured, real, 0.0))[-1]) if sizes.size else 0.0
        lower = float(np.cumsum(np.where(measured, bound, 0.0))[-1]) if sizes.size else 0.0
        return Score(value, None, lower)

    def describe(self) -> str:
        return "publisher payout"


__all__ = ["PublisherPayoutMetric"]
