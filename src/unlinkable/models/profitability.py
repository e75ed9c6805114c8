"""Profitability: the game-theoretic models of ARX (``criteria/Profitability*``).

Wan et al., "A game theoretic framework for analyzing re-identification risk", PLoS ONE 10(3),
2015; ARX 3.9.2 ``ProfitabilityProsecutor``, ``ProfitabilityJournalist`` and their ``NoAttack``
forms. The game and its amounts are in ``risk/cost_benefit.py``. Two variants:

- ``no-attack``: a class is released only when attacking it does not pay the adversary,
  ``gain / size < cost``, i.e. at least ``no_attack_size()`` records (a k-anonymity, or for a
  journalist a k-map against the population, with k from the costs); monotone.
- ``profitable``: a class is released when the publisher's expected payout from each of its
  records is positive, ``benefit * (1 - IL) - [attack pays] * loss * p > 0``; not monotone (ARX).

A prosecutor's success probability is 1 / class size. A journalist attacks with the data table as
the population and a research subset as the release (as delta-presence: ``subset`` names the
subset's rows; utility and suppression count the subset's records, and the other rows of the data
table are suppressed in the output, as ARX's ``performSuppression`` does): p = 1 / population class
size. As in ARX, a class without released (subset) records never passes ``profitable``, but
such a class is not suppressed and does not reject the transformation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import check_keys
from unlinkable.errors import ConfigError, InputError, did_you_mean, shown
from unlinkable.models.base import ClassStatistics, Param, PrivacyModel
from unlinkable.risk.cost_benefit import COST_BENEFIT_KEYS, CostBenefit, entropy_information_loss

VARIANTS = ("profitable", "no-attack")
ATTACKERS = ("prosecutor", "journalist")


class Profitability(PrivacyModel):
    """Release only classes that are profitable for the publisher, or not worth attacking.

    Parameters
    ----------
    variant : {"profitable", "no-attack"}
    attacker : {"prosecutor", "journalist"}
    game : CostBenefit
        Publisher benefit and loss, adversary gain and cost.
    subset : str or Path, optional
        The research subset (rows of the data table); required for a journalist.

    Examples
    --------
    >>> m = Profitability(variant="no-attack", attacker="prosecutor", adversary_gain=120, adversary_cost=20)
    >>> m.k, m.check(ClassStatistics(np.array([0] * 7 + [1] * 6), np.array([7, 6]))).tolist()
    (7, [True, False])

    Notes
    -----
    Wan et al. (2015); ARX ``Profitability*``. Context needed: ``maps``, ``levels`` and
    ``class_codes`` (``profitable``), ``in_subset`` (journalist).
    """

    name = "profitability"
    per_class = True
    parameters = {"variant": Param(), "attacker": Param(), "subset": Param(required=False, path=True),
                  **{key: Param(required=False) for key in COST_BENEFIT_KEYS}}
    example = "{variant: no-attack, attacker: prosecutor, adversary_gain: 300, adversary_cost: 4}"

    def __init__(self, *, variant: str, attacker: str, game: CostBenefit | None = None, subset: str | Path | None = None,
                 **amounts: float) -> None:
        self.variant = _one_of(variant, VARIANTS, "variant")
        self.attacker = _one_of(attacker, ATTACKERS, "attacker")
        if amounts:
            # the game's amounts as keywords (a job file writes them beside variant and attacker)
            if game is not None:
                raise ConfigError("profitability: give the game or its amounts, not both", hint="e.g. adversary_gain=300")
            check_keys(amounts, COST_BENEFIT_KEYS, "profitability", noun="parameter")
            game = CostBenefit(**amounts)
        self.game = game if game is not None else CostBenefit()
        if not isinstance(self.game, CostBenefit):
            raise ConfigError(f"profitability: the game must be a CostBenefit, got {shown(game)}", hint="CostBenefit(...)")
        if self.attacker == "journalist" and (not isinstance(subset, (str, Path)) or not str(subset)):
            raise ConfigError("profitability against a journalist needs the research subset ('subset': a file of rows "
                              "of the data table)", hint="e.g. subset: research_subset.csv")
        if self.attacker == "prosecutor" and subset is not None:
            raise ConfigError("profitability against a prosecutor takes no 'subset' (a journalist's)",
                              hint="use attacker: journalist with a research subset, or leave subset out")
        self.subset = None if subset is None else str(subset)
        # ARX: the no-attack forms are monotone, the payout form is not
        self.monotone_generalization = self.monotone_suppression = self.variant == "no-attack"
        # what the engine passes (PrivacyModel.needs, search/context.py): the classes' codes for the
        # payout form, the research subset for a journalist
        self.needs = frozenset(({"levels", "class_codes"} if self.variant == "profitable" else set())
                               | ({"in_subset"} if self.attacker == "journalist" else set()))

    @property
    def k(self) -> int:
        """The class size (population size for a journalist) at which an attack stops paying."""
        return self.game.no_attack_size()

    def minimal_class_size(self) -> int:
        return self.k if (self.variant, self.attacker) == ("no-attack", "prosecutor") else 1

    def research_subset(self, data: pl.DataFrame) -> np.ndarray:
        """Bool per row of ``data``: is it in the research subset? (for ``context["in_subset"]``)."""
        from unlinkable.data.io import read_table
        from unlinkable.models.dpresence import subset_mask

        return subset_mask(data, read_table(self.subset))

    def _population(self, stats: ClassStatistics) -> np.ndarray:
        """Records of the data table (the population) in each class."""
        if stats.context.get("in_subset") is None:
            raise InputError("profitability: the research-subset membership of the records is missing",
                             hint="this is probably a bug: the engine must pass context['in_subset']")
        rc = np.asarray(stats.record_class)
        return np.bincount(rc[rc >= 0], minlength=stats.classes).astype(np.float64)

    def check(self, stats: ClassStatistics) -> np.ndarray:
        sizes = np.asarray(stats.sizes).astype(np.float64)
        journalist = self.attacker == "journalist"
        if self.variant == "no-attack":
            return (self._population(stats) if journalist else sizes) >= self.k
        ctx = stats.context
        if "class_codes" not in ctx:
            raise InputError("profitability: the classes' generalized codes are missing",
                             hint="this is probably a bug: the engine must pass context['class_codes']")
        loss = entropy_information_loss(ctx["levels"], np.asarray(ctx["class_codes"]), ctx["maps"])
        count = np.maximum(sizes, 1.0)
        success = 1.0 / count
        if journalist:
            population = self._population(stats)
            success = np.where(population > 0, 1.0 / np.maximum(population, 1.0), success)
        return (sizes > 0) & (self.game.publisher_payout(loss, success) > 0)

    def describe(self) -> str:
        g = self.game
        costs = (f"(publisher benefit {g.publisher_benefit}, loss {g.publisher_loss}; adversary gain "
                 f"{g.adversary_gain}, cost {g.adversary_cost})")
        who = "a prosecutor" if self.attacker == "prosecutor" else "a journalist (the data table being the population)"
        if self.variant == "no-attack":
            return (f"no-attack profitability against {who} {costs}: every released class is large enough "
                    f"({self.k} records) that re-identifying a record costs the adversary more than it gains.")
        return (f"profitability against {who} {costs}: every released class is one from which the publisher "
                f"expects a positive payout, net of the expected loss from a rational adversary's attack.")

    def to_dict(self) -> dict[str, Any]:
        params: dict[str, Any] = {"variant": self.variant, "attacker": self.attacker, **self.game.to_dict()}
        if self.subset is not None:
            params["subset"] = self.subset
        return {"profitability": params}


def _one_of(value: Any, allowed: tuple[str, ...], what: str) -> str:
    key = str(value).strip().lower().replace("_", "-")
    if key not in allowed:
        raise ConfigError(f"profitability: unknown {what} {shown(value)}",
                          hint=(did_you_mean(key, allowed).strip() + f" use {' or '.join(allowed)}").strip())
    return key


__all__ = ["ATTACKERS", "Profitability", "VARIANTS"]
