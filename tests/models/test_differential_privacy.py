"""(epsilon, delta)-differential privacy (SafePub): the model, the engine's sample and fixed scheme, the verifier."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from unlinkable.anonymizer import Anonymizer
from unlinkable.dp.sampling import arx_deterministic_sample
from unlinkable.errors import ConfigError, VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models import model_from_config
from unlinkable.models.differential_privacy import DifferentialPrivacy, scheme_level
from unlinkable.verify import verify_release

AGE = Hierarchy([[str(a), f"{a // 10 * 10}-{a // 10 * 10 + 9}", f"{a // 20 * 20}-{a // 20 * 20 + 19}", "*"]
                 for a in range(20, 60)])
SEX = Hierarchy([["m", "*"], ["f", "*"]])
# 2 sexes x 40 ages; 22 records of each decade and sex in 2 decades, 4 of each elsewhere
ROWS = [(str(a), s) for s in "mf" for a in range(20, 60) for _ in range(12 if a < 40 else 1)]
FRAME = pl.DataFrame({"age": [r[0] for r in ROWS], "sex": [r[1] for r in ROWS]})


def _anonymize(model, frame=FRAME):
    return Anonymizer(quasi_identifiers=["age", "sex"], hierarchies={"age": AGE, "sex": SEX}, privacy=[model],
                      progress=False).fit(frame)


def _verify(table, model):
    verify_release(table, original=FRAME, quasi_identifiers=["age", "sex"], models=[model], suppression_limit=0.0,
                   hierarchies={"age": AGE, "sex": SEX})


def test_scheme_levels_round_half_up_as_java():
    # ARX: Math.round(share * maximal level); 0.5 x 3 = 1.5 -> 2 (Python's round would give 2, 2.5 -> 2: Java 3)
    assert [scheme_level("medium", h) for h in (2, 4, 6)] == [1, 2, 3]
    assert DifferentialPrivacy(epsilon=2.0, delta=0.1, generalization={"age": 1, "sex": "complete"}).levels(["age", "sex", "x"], [4, 2, 3]) == [1, 1, 0]


def test_release_in_arx_mode_hand_checked():
    # eps 2, delta 0.1: k = 17 (independently bounded in tests/dp). Scheme "medium": age level
    # round(0.5 x 3) = 2 (20-year bands), sex level round(0.5 x 1) = 1 ('*'). Four classes of the
    # sample are possible: 20-39 and 40-59, and only those with >= 17 sampled records are released.
    model = DifferentialPrivacy(epsilon=2.0, delta=0.1, generalization="medium", deterministic=True)
    result = _anonymize(model)
    assert model.k == 17 and result.transformation == {"age": 2, "sex": 1}
    sampled = arx_deterministic_sample(FRAME.height, model.beta)
    young = np.array([int(a) < 40 for a in FRAME["age"].to_list()])
    expected = np.where(sampled & young, "20-39", np.where(sampled & ~young, "40-59", "*"))
    for mask in (young, ~young):
        if (sampled & mask).sum() < model.k:
            expected[sampled & mask] = "*"
    assert result.table["age"].to_list() == expected.tolist()
    _verify(result.table, model)


def test_secure_mode_draws_a_fresh_sample_and_states_no_seed():
    model = DifferentialPrivacy(epsilon=2.0, delta=0.1, generalization="medium")
    first, second = _anonymize(model), _anonymize(model)
    stars = [(t["age"] == "*").to_numpy() for t in (first.table, second.table)]
    assert not np.array_equal(*stars)   # 480 records kept with p = 0.86: equal draws have p ~ 1e-80
    text = json.dumps(first.to_dict(), default=str)
    assert "seed" not in text.lower() and "deterministic" not in text.lower()
    _verify(first.table, model)


def test_the_verifier_refuses_a_small_class_and_a_data_dependent_level():
    model = DifferentialPrivacy(epsilon=2.0, delta=0.1, generalization="medium", deterministic=True)
    table = _anonymize(model).table
    # all but three records of the 20-39 class suppressed: a class of 3 < k is released
    young = np.flatnonzero((table["age"] == "20-39").to_numpy())
    assert young.size >= model.k
    hide = np.isin(np.arange(table.height), young[3:])
    smaller = table.with_columns(*(pl.when(pl.Series(hide)).then(pl.lit("*")).otherwise(pl.col(q)).alias(q)
                                   for q in ("age", "sex")))
    with pytest.raises(VerificationError, match="fewer than 17 sampled records"):
        _verify(smaller, model)
    # every released age at level 1 (decades) instead of the scheme's level 2
    finer = table.with_columns(pl.Series("age", [a if a == "*" else AGE.rows[AGE_INDEX[o]][1]
                                                 for a, o in zip(table["age"].to_list(), FRAME["age"].to_list())]))
    with pytest.raises(VerificationError, match="scheme's level 2"):
        _verify(finer, model)
    fake = DifferentialPrivacy(epsilon=2.0, delta=0.1, generalization="medium", deterministic=True)
    fake._parameters = type(fake._parameters)(beta=fake.beta, k=3)   # a k that SafePub's bound refuses
    with pytest.raises(VerificationError, match="does not meet SafePub's bound"):
        _verify(table, fake)


AGE_INDEX = {row[0]: i for i, row in enumerate(AGE.rows)}


def test_job_file_entries():
    m = model_from_config({"differential-privacy": {"epsilon": 1, "delta": 1e-6, "generalization": {"age": "high"}}})
    assert m.to_dict() == {"differential-privacy": {"epsilon": 1.0, "delta": 1e-6, "generalization": {"age": "high"}}}
    with pytest.raises(ConfigError, match="unknown parameter 'deterministic'"):
        model_from_config({"differential-privacy": {"epsilon": 1, "delta": 1e-6, "generalization": "low",
                                                    "deterministic": True}})
    with pytest.raises(ConfigError, match="needs the parameter"):
        model_from_config({"differential-privacy": {"epsilon": 1, "delta": 1e-6}})
    with pytest.raises(ConfigError, match="low-medium"):
        model_from_config({"differential-privacy": {"epsilon": 1, "delta": 1e-6, "generalization": "low_medum"}})
    with pytest.raises(ConfigError):
        model_from_config({"differential-privacy": {"epsilon": 0, "delta": 1e-6, "generalization": "low"}})
    with pytest.raises(ConfigError):
        model_from_config({"differential-privacy": {"epsilon": 1, "delta": 1, "generalization": "low"}})


def test_not_combined_with_a_research_subset(tmp_path):
    path = tmp_path / "subset.csv"
    FRAME[:5].write_csv(path)
    anonymizer = Anonymizer(quasi_identifiers=["age", "sex"], hierarchies={"age": AGE, "sex": SEX}, progress=False,
                            privacy=[DifferentialPrivacy(epsilon=2.0, delta=0.1, generalization="low"), {"inclusion": {"subset": str(path)}}])
    with pytest.raises(ConfigError, match="research subset"):
        anonymizer.fit(FRAME)
