"""The publisher-adversary game of ARX's profitability models (``risk/RiskModelCostBenefit``).

Wan et al., "A game theoretic framework for analyzing re-identification risk", PLoS ONE 10(3),
2015; Prasser et al., "A scalable and pragmatic method for the safe sharing of high-quality health
data", IEEE JBHI 22(2), 2018; ARX 3.9.2 ``risk/RiskModelCostBenefit.java``,
``ARXCostBenefitConfiguration.java`` and ``metric/v2/MetricSDNMEntropyBasedInformationLoss.java``.

A record released in a class has re-identification probability p (1/class size for a prosecutor,
1/population class size for a journalist). The adversary expects ``gain * p - cost`` from an
attack and attacks when that is positive; the publisher then loses ``loss * p``. The publisher
gains ``benefit * (1 - IL)``, IL being the class's entropy-based information loss: with the share
of the domain each generalized value covers (hierarchy rows under it / rows),
``IL = log10(prod of shares) / log10(prod of domain sizes) + 1``, clamped to [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.constraints import Interval, check


@dataclass(frozen=True)
class CostBenefit:
    """The game's four amounts (ARX's defaults: benefit 1200, loss 300, gain 300, cost 4).

    Examples
    --------
    >>> game = CostBenefit(publisher_benefit=1200, publisher_loss=300, adversary_gain=1200, adversary_cost=2)
    >>> game.no_attack_size()                      # a class of s records deters when 1200 / s < 2
    601
    >>> game.publisher_payout(np.array([0.5]), np.array([0.5])).tolist()   # 600 - 150: an attack pays
    [450.0]
    """

    publisher_benefit: float = 1200.0
    publisher_loss: float = 300.0
    adversary_gain: float = 300.0
    adversary_cost: float = 4.0

    def __post_init__(self) -> None:
        for name in ("publisher_benefit", "publisher_loss", "adversary_gain", "adversary_cost"):
            value = check(getattr(self, name), Interval(float, 0, None, finite=True), name, hint=f"e.g. {name}: 300")
            object.__setattr__(self, name, float(value))

    def publisher_payout(self, information_loss: np.ndarray, success: np.ndarray) -> np.ndarray:
        """The publisher's expected payout per record, with ARX's operations in ARX's order."""
        attacked = self.adversary_gain * success - self.adversary_cost > 0
        return self.publisher_benefit * (1.0 - information_loss) - np.where(attacked, self.publisher_loss * success, 0.0)

    def no_attack_size(self) -> int:
        """Smallest class size at which an attack does not pay (``gain / size < cost``), as ARX rounds it."""
        if self.adversary_gain == 0:
            return 1
        if self.adversary_cost == 0:
            return 2 ** 31 - 1   # ARX: Integer.MAX_VALUE (no class is large enough)
        threshold = self.adversary_gain / self.adversary_cost
        return int(threshold) + 1 if threshold == math.floor(threshold) else math.ceil(threshold)

    def to_dict(self) -> dict[str, float]:
        return {"publisher_benefit": self.publisher_benefit, "publisher_loss": self.publisher_loss,
                "adversary_gain": self.adversary_gain, "adversary_cost": self.adversary_cost}


#: the parameter names of a cost-benefit configuration in job files
COST_BENEFIT_KEYS = ("publisher_benefit", "publisher_loss", "adversary_gain", "adversary_cost")


def entropy_information_loss(levels: Sequence[int], class_codes: np.ndarray, maps: Sequence[Any]) -> np.ndarray:
    """ARX's entropy-based information loss of each class (``getEntropyBasedInformationLoss``).

    ``class_codes[c, i]`` is class c's generalized code of quasi-identifier i at ``levels[i]``;
    ``maps`` are the quasi-identifiers' ``GeneralizationMap``s (their row counts and domain sizes).

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "ab", "*"], ["b", "ab", "*"], ["c", "c", "*"], ["d", "d", "*"]]).encode(["a", "b", "c", "d"])
    >>> entropy_information_loss([1], np.array([[0], [1]]), [gm]).tolist()   # shares 2/4 and 1/4 of 4 values
    [0.5, 0.0]
    """
    max_il = 1.0
    for gm in maps:
        max_il *= float(gm.domain_size)
    max_il = math.log10(max_il)
    classes = class_codes.shape[0]
    if max_il == 0 or not math.isfinite(max_il):
        return np.zeros(classes)
    product = np.ones(classes)
    for i, (gm, level) in enumerate(zip(maps, levels)):
        product = product * (gm.row_counts[int(level)].astype(np.float64) / float(gm.domain_size))[class_codes[:, i]]
    return np.clip(np.log10(product) / max_il + 1.0, 0.0, 1.0)


__all__ = ["COST_BENEFIT_KEYS", "CostBenefit", "entropy_information_loss"]
