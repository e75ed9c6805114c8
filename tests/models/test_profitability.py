"""Profitability (ARX's game-theoretic models) and the publisher payout metric, on hand-worked tables."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from unlinkable.anonymizer import Anonymizer
from unlinkable.errors import ConfigError, VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models import model_from_config
from unlinkable.models.base import ClassStatistics
from unlinkable.models.profitability import Profitability
from unlinkable.risk.cost_benefit import CostBenefit
from unlinkable.verify import verify_release

# 4 values: a share of 1/4 at level 0 (IL 0), 2/4 at level 1 (IL 0.5), 1 at level 2 (IL 1)
ZIP = Hierarchy([["a", "ab", "*"], ["b", "ab", "*"], ["c", "cd", "*"], ["d", "cd", "*"]])
FRAME = pl.DataFrame({"zip": ["a", "a", "c", "c", "c", "c", "c", "c"]})
# the adversary attacks when 50 p > 10, i.e. in classes of fewer than 5 records
GAME = {"publisher_benefit": 100, "publisher_loss": 300, "adversary_gain": 50, "adversary_cost": 10}


def _fit(privacy, metric="loss"):
    return Anonymizer(quasi_identifiers=["zip"], hierarchies={"zip": ZIP}, privacy=privacy, suppression_limit=0.5,
                      metric=metric, progress=False).fit(FRAME)


def _verify(table, privacy):
    verify_release(table, original=FRAME, quasi_identifiers=["zip"], models=[model_from_config(p) for p in privacy],
                   suppression_limit=0.5, hierarchies={"zip": ZIP})


def test_no_attack_size_rounds_as_arx():
    # ARX: threshold gain / cost; a whole threshold t needs t + 1 records (gain / t = cost does not deter)
    assert CostBenefit(adversary_gain=50, adversary_cost=10).no_attack_size() == 6
    assert CostBenefit(adversary_gain=50, adversary_cost=20).no_attack_size() == 3
    assert CostBenefit(adversary_gain=0, adversary_cost=20).no_attack_size() == 1


def test_profitable_prosecutor_hand_worked():
    # level 0: class a (2 records, IL 0) pays 100 - 300 / 2 < 0 and is suppressed; class c (6, no
    # attack) pays 100. Level 1: cd pays 50 but ab does not; level 2 pays 0 everywhere (IL 1).
    privacy = [{"profitability": {"variant": "profitable", "attacker": "prosecutor", **GAME}}]
    result = _fit(privacy)
    assert result.transformation == {"zip": 0} and result.suppressed == 2
    assert result.table["zip"].to_list() == ["*", "*", "c", "c", "c", "c", "c", "c"]
    _verify(result.table, privacy)
    with pytest.raises(VerificationError, match="no positive payout"):
        _verify(FRAME, privacy)   # class a released


def test_publisher_payout_metric_hand_worked():
    # level 0: 2 suppressed records cost 2 x 100; class c: 6 x (100 - 100) = 0. Level 1: 2 x 100
    # for ab, and cd 6 x (100 - 50) = 300: level 0 is the optimum at 200.
    privacy = [{"profitability": {"variant": "profitable", "attacker": "prosecutor", **GAME}}]
    result = _fit(privacy, metric={"name": "publisher-payout", **GAME})
    assert result.transformation == {"zip": 0} and result.loss_string == "200.0"


def test_no_attack_prosecutor_and_journalist():
    prosecutor = Profitability(variant="no-attack", attacker="prosecutor", game=CostBenefit(**GAME))
    assert prosecutor.check(ClassStatistics(np.array([0] * 5 + [1] * 6), np.array([5, 6]))).tolist() == [False, True]
    journalist = Profitability(variant="no-attack", attacker="journalist", game=CostBenefit(adversary_gain=20, adversary_cost=10), subset="s.csv")
    # population classes of 3 and 2 records (the subset holds 1 of each): k = 3 in the population
    stats = ClassStatistics(np.array([0, 0, 0, 1, 1]), np.array([1, 1]),
                            context={"in_subset": np.array([1, 0, 0, 1, 0], dtype=bool)})
    assert journalist.check(stats).tolist() == [True, False]


def test_journalist_release_is_verified(tmp_path):
    path = tmp_path / "subset.csv"
    FRAME[[0, 2, 3]].write_csv(path)
    # population classes a (2) and c (6); k = 3: a fails and its one subset record is suppressed
    privacy = [{"profitability": {"variant": "no-attack", "attacker": "journalist", "subset": str(path),
                                  "adversary_gain": 20, "adversary_cost": 10}}]
    result = _fit(privacy)
    assert result.transformation == {"zip": 0} and result.suppressed == 1
    # ARX releases the research subset only (HashGroupify.performSuppression): rows 2 and 3
    assert result.table["zip"].to_list() == ["*", "*", "c", "c", "*", "*", "*", "*"]
    _verify(result.table, privacy)
    with pytest.raises(VerificationError, match="worth attacking"):
        _verify(FRAME, privacy)
    shown = FRAME.with_columns(pl.Series("zip", ["*", "a", "c", "c", "c", "c", "c", "c"]))
    with pytest.raises(VerificationError, match="5 record\\(s\\) outside the research subset are released"):
        _verify(shown, privacy)


def test_job_file_entries():
    with pytest.raises(ConfigError, match="research subset"):
        model_from_config({"profitability": {"variant": "profitable", "attacker": "journalist"}})
    with pytest.raises(ConfigError, match="no-attack"):
        model_from_config({"profitability": {"variant": "no_atack", "attacker": "prosecutor"}})
    with pytest.raises(ConfigError, match="adversary_cost"):
        model_from_config({"profitability": {"variant": "profitable", "attacker": "prosecutor", "adversary_cost": -1}})
    with pytest.raises(ConfigError, match="unknown"):
        model_from_config({"profitability": {"variant": "profitable", "attacker": "prosecutor", "adversary_costs": 1}})
