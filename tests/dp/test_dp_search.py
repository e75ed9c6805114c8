"""SafePub's data-dependent search: ARX's score functions by hand, the exponential mechanism's pick,
the walk, the model's parameters and job-file keys, and a secure release the verifier accepts."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import polars as pl
import pytest

from unlinkable.anonymizer import Anonymizer
from unlinkable.dp.parameters import safepub_parameters
from unlinkable.dp.search import exponential_choice, score, search, to_double
from unlinkable.errors import ConfigError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models.differential_privacy import DifferentialPrivacy
from unlinkable.search.lattice import Lattice
from unlinkable.verify import verify_release

# one attribute, domain {a, b, c}; level 1 groups a and b, level 2 is '*'
H = Hierarchy([["a", "ab", "*"], ["b", "ab", "*"], ["c", "c", "*"]])
GM = H.encode(["a", "b", "c"])


def _hand(metric, sizes, suppressed, codes, level, n_total, k):
    return score(metric, sizes=np.array(sizes), suppressed=np.array(suppressed), gen=lambda i: np.array(codes),
                 levels=[level], maps=[GM], n_total=n_total, k=k)


def test_scores_by_hand():
    # level 1: classes 'ab' (5 sampled) released, 'c' (1) suppressed; 2 records withheld: n = 8, k = 3
    args = ([5, 1], [False, True], [0, 1], 1, 8, 3)
    outside = 3                                     # 1 suppressed + 2 withheld
    assert _hand("aecs", *args) == 2                # one released class + one for the rest
    # Loss: outside x 1 + 5 x share('ab') = 5 x 2/3; / 1 attribute / (k - 1)
    assert _hand("loss", *args) == -(outside + Fraction(10, 3)) / 2
    # Precision: 5 x level/max (1/2) + outside
    assert _hand("precision", *args) == -(Fraction(5, 2) + outside) / 2
    # Discernibility: n x outside + 5^2, over n x (k^2/(k-1) + 1)
    assert _hand("discernibility", *args) == -Fraction(8 * outside + 25, 8 * (Fraction(9, 2) + 1))
    # Entropy: value 'ab' counted 5 (squared) + n x outside
    assert _hand("entropy", *args) == -Fraction(25 + 8 * outside, 8) / (Fraction(9, 2) + 1)
    # at the root ('*') a released value counts like a suppressed one
    assert _hand("entropy", [6], [False], [0], 2, 8, 3) == -Fraction(8 * 8, 8) / (Fraction(9, 2) + 1)


def test_exponential_choice_matches_the_running_sums():
    scores = [1.0, 3.0, 2.0]
    weights = np.exp(0.5 * 0.7 * np.array(scores) - 0.5 * 0.7 * 3.0)
    edges = np.cumsum(weights / weights.sum())
    for u in np.linspace(0.0, 0.999, 37):
        assert exponential_choice(scores, 0.7, float(u)) == int(np.searchsorted(edges, u, side="right"))


def test_walk_keeps_the_best_pivot_and_scores_each_node_once():
    lat = Lattice([3, 2, 2])
    seen = []

    def node_score(node):
        seen.append(node)
        return Fraction(int(lat.level_sum[node]) % 3)

    node, best, checked = search(lat, node_score, steps=50, search_budget=1.0, deterministic=True)
    assert len(seen) == len(set(seen)) == checked
    assert best == max(Fraction(int(lat.level_sum[v]) % 3) for v in seen)
    assert node_score(node) == best


def test_model_spends_what_the_search_leaves():
    model = DifferentialPrivacy(epsilon=2.0, delta=1e-5, search_budget=1.0, steps=10)
    assert model.data_dependent and model.k == safepub_parameters(math.nextafter(1.0, -math.inf), 1e-5).k
    assert model.to_dict() == {"differential-privacy": {"epsilon": 2.0, "delta": 1e-5, "search_budget": 1.0, "steps": 10}}
    assert DifferentialPrivacy.from_config({"epsilon": 2, "delta": 1e-5, "search_budget": 0.5, "steps": 3}).steps == 3
    for bad in ({"epsilon": 2, "delta": 1e-5},                                        # no scheme, no search
                {"epsilon": 2, "delta": 1e-5, "search_budget": 2.0, "steps": 3},      # the whole budget
                {"epsilon": 2, "delta": 1e-5, "search_budget": 0.5, "steps": 0},
                {"epsilon": 2, "delta": 1e-5, "generalization": "low", "steps": 3},
                {"epsilon": 2, "delta": 1e-5, "search_budget": 0.5, "steps": 3, "deterministic": True}):
        with pytest.raises(ConfigError):
            DifferentialPrivacy.from_config(bad)


def test_to_double_is_numerator_over_denominator():
    assert to_double(Fraction(-387, 10)) == -38.7


AGE = Hierarchy([[str(a), f"{a // 10 * 10}s", "*"] for a in range(20, 60)])
SEX = Hierarchy([["m", "*"], ["f", "*"]])
FRAME = pl.DataFrame({"age": [str(20 + i % 40) for i in range(2000)], "sex": ["mf"[i % 2] for i in range(2000)]})


@pytest.mark.parametrize("metric", ["aecs", "loss", "entropy"])
def test_secure_release_is_verified(metric):
    model = DifferentialPrivacy(epsilon=2.0, delta=1e-3, search_budget=0.5, steps=4)
    result = Anonymizer(quasi_identifiers=["age", "sex"], hierarchies={"age": AGE, "sex": SEX}, privacy=[model],
                        metric=metric, progress=False).fit(FRAME)
    verify_release(result.table, original=FRAME, quasi_identifiers=["age", "sex"], models=[model], suppression_limit=0.0,
                   hierarchies={"age": AGE, "sex": SEX})
    assert "seed" not in str(result.to_dict()) and "selection_score" not in result.to_dict()
    sizes = result.table.group_by(["age", "sex"]).len()
    released = sizes.filter(pl.col("age") != "*")["len"].to_list()
    assert all(size >= model.k for size in released)


def test_metric_without_score_function_is_refused():
    model = DifferentialPrivacy(epsilon=2.0, delta=1e-3, search_budget=0.5, steps=4)
    with pytest.raises(ConfigError, match="no score function"):
        Anonymizer(quasi_identifiers=["age", "sex"], hierarchies={"age": AGE, "sex": SEX}, privacy=[model],
                   metric="height", progress=False).fit(FRAME)


def test_verifier_refuses_a_too_small_class():
    from unlinkable.errors import VerificationError

    model = DifferentialPrivacy(epsilon=2.0, delta=1e-8, search_budget=0.5, steps=4)
    table = FRAME.with_columns(pl.lit("*").alias("sex"))   # every age alone: classes of 50 < k
    assert model.k > 50
    with pytest.raises(VerificationError):
        verify_release(table, original=FRAME, quasi_identifiers=["age", "sex"], models=[model], suppression_limit=0.0,
                       hierarchies={"age": AGE, "sex": SEX})
