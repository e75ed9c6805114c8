"""Data shuffling (sdcMicro shuffle, methods "ds", "mvn", "mlm"): invariants, sdcMicro's own "mlm"
output (tests/reference/mass_rlm.json, by scripts/mass_rlm_reference.py) and the pipeline step's verifier.

sdcMicro's own nine cases ("ds", and "mvn" with MCD and MM regression) run in tests/peers/sdcmicro.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.pipeline import Pipeline
from unlinkable.sdc.shuffle import shuffle
from unlinkable.verify import verify_steps


def _table(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, n).astype(float)
    income = age * 100 + rng.normal(0, 500, n)
    return pl.DataFrame({"age": age, "income": income, "savings": income * 0.1 + rng.normal(0, 50, n)})


def _conditional_eigenvalues(df: pl.DataFrame, cov: str) -> np.ndarray:
    """The eigenvalues of the responses' correlation given the predictor, as the "ds" method
    (Muralidhar and Sarathy) defines it, written out here: correlations of ranks or values,
    2 sin(pi r / 6), then the Schur complement."""
    m = df.select("income", "savings", "age").to_numpy()
    if cov == "spearman":
        m = np.column_stack([rankdata(m[:, j]) for j in range(3)])
    p = 2 * np.sin(np.pi * np.corrcoef(m, rowvar=False) / 6)
    conditional = p[:2, :2] - np.outer(p[:2, 2], p[2, :2]) / p[2, 2]
    return np.linalg.eigvalsh(conditional)


@settings(max_examples=20, deadline=None)
@given(st.integers(5, 60), st.integers(0, 10_000), st.sampled_from(["spearman", "pearson"]))
@example(n=5, seed=358, cov="spearman")  # found by hypothesis: not positive semi-definite, refused
def test_each_response_is_a_permutation_and_predictors_stay(n: int, seed: int, cov: str) -> None:
    df = _table(n, seed)
    try:
        out = shuffle(df, responses=["income", "savings"], predictors=["age"], covmethod=cov, seed=seed)
    except InputError as exc:
        # a few records can make the responses' conditional correlation, after Spearman's
        # 2 sin(pi r / 6), not positive semi-definite: MASS's mvrnorm (sdcMicro) stops there too
        assert "not positive semi-definite" in exc.message
        assert _conditional_eigenvalues(df, cov).min() < -1e-6 * abs(_conditional_eigenvalues(df, cov)).max()
        return
    for name in ("income", "savings"):
        assert sorted(out[name].to_list()) == sorted(df[name].to_list())
    assert out["age"].equals(df["age"])
    assert out.equals(shuffle(df, responses=["income", "savings"], predictors=["age"], covmethod=cov, seed=seed))


def test_rank_relation_to_the_predictor_is_kept() -> None:
    df = _table(2000, 3)
    out = shuffle(df, responses=["income", "savings"], predictors=["age"], seed=5)
    spearman = np.corrcoef(out["age"].rank().to_numpy(), out["income"].rank().to_numpy())[0, 1]
    original = np.corrcoef(df["age"].rank().to_numpy(), df["income"].rank().to_numpy())[0, 1]
    assert abs(spearman - original) < 0.05
    assert (out["income"].to_numpy() != df["income"].to_numpy()).mean() > 0.9  # records lose their values


def test_mcd_correlation_resists_outlying_records() -> None:
    """5% of the incomes are gross errors: Pearson's correlation of the values collapses and the shuffle
    loses the relation to age; the MCD's robust correlation keeps it (sdcMicro's covmethod "mcd")."""
    rng = np.random.default_rng(7)
    age = rng.normal(50, 10, 400)
    income = age * 100 + rng.normal(0, 150, 400)
    income[:20] = -1e7 - rng.random(20)
    df = pl.DataFrame({"age": age, "income": income, "savings": income * 0.1 + rng.normal(0, 30, 400)})

    def rank_correlation(cov: str) -> float:
        out = shuffle(df, responses=["income", "savings"], predictors=["age"], covmethod=cov, seed=3)
        return float(np.corrcoef(rankdata(age), rankdata(out["income"].to_numpy()))[0, 1])

    assert rank_correlation("mcd") > 0.9 > 0.5 > rank_correlation("pearson")  # the input's is 0.91
    out = Pipeline([("shuffle", {"attributes": ["income", "savings"], "predictors": ["age"], "covmethod": "mcd",
                                 "seed": 2})], quasi_identifiers=["age"], sensitive=["income", "savings"]).run(df)
    verify_steps(out.table, original=df, steps=list(out.steps), stages=out.stages)


def test_pipeline_step_is_verified_as_a_permutation() -> None:
    df = _table(50, 1)
    result = Pipeline([("shuffle", {"attributes": ["income", "savings"], "predictors": ["age"], "seed": 2})],
                      quasi_identifiers=["age"], sensitive=["income", "savings"]).run(df)
    verify_steps(result.table, original=df, steps=list(result.steps), stages=result.stages)
    forged = result.table.with_columns(pl.col("income") + 1)
    with pytest.raises(Exception, match="not a permutation"):
        verify_steps(forged, original=df, steps=list(result.steps), stages=(df, forged))


def test_bad_input_is_refused() -> None:
    df = _table(10, 1)
    with pytest.raises(ConfigError, match="two response"):
        shuffle(df, responses=["income"], predictors=["age"])
    with pytest.raises(ConfigError, match="both a response and a predictor"):
        shuffle(df, responses=["income", "age"], predictors=["age"])
    with pytest.raises(InputError, match="missing"):
        shuffle(df.with_columns(pl.lit(None, dtype=pl.Float64).alias("savings")), responses=["income", "savings"],
                predictors=["age"])


MLM = json.loads((Path(__file__).resolve().parents[1] / "reference" / "mass_rlm.json").read_text(encoding="utf-8"))["mlm"]


@pytest.mark.parametrize("case", MLM, ids=[c["name"] for c in MLM])
def test_mlm_gives_sdcmicros_shuffle(case: dict) -> None:
    df = pl.DataFrame(case["columns"])
    out = shuffle(df, responses=case["responses"], predictors=case["predictors"], method="mlm")
    assert out.select(case["responses"]).to_numpy().tolist() == case["shuffled"]


@settings(max_examples=10, deadline=None)
@given(st.integers(12, 40), st.integers(0, 10_000), st.sampled_from(["spearman", "pearson"]),
       st.sampled_from(["lm", "MM"]))
def test_mvn_permutes_each_response_and_is_reproducible(n: int, seed: int, cov: str, reg: str) -> None:
    rng = np.random.default_rng(seed)  # related but not rank-identical columns (their covariance is regular)
    age = rng.normal(45, 12, n)
    income = age * 100 + rng.normal(0, 1500, n)
    df = pl.DataFrame({"age": age, "income": income, "savings": income * 0.1 + rng.normal(0, 300, n)})
    args = {"responses": ["income", "savings"], "predictors": ["age"], "method": "mvn", "covmethod": cov,
            "regmethod": reg}
    out = shuffle(df, seed=seed, **args)
    for name in ("income", "savings"):
        assert sorted(out[name].to_list()) == sorted(df[name].to_list())
    assert out["age"].equals(df["age"])
    assert out.equals(shuffle(df, seed=seed, **args))


def test_mlm_hands_out_values_in_the_order_of_the_predictions() -> None:
    """Hand-worked: with one predictor the least-squares predictions rank as the predictor does when the
    slope is positive (savings: the k-th smallest value goes to the k-th youngest) and in reverse when it
    is negative (income falls with age here: the oldest gets the smallest)."""
    df = pl.DataFrame({"age": [50.0, 20, 40, 30, 10], "income": [1.0, 5, 3, 2, 4], "savings": [9.0, 7, 8, 6, 5]})
    out = shuffle(df, responses=["income", "savings"], predictors=["age"], method="mlm")
    assert out["income"].to_list() == [1.0, 4, 2, 3, 5]
    assert out["savings"].to_list() == [9.0, 6, 8, 7, 5]


def test_gadp_does_not_change_the_shuffle() -> None:
    """sdcMicro's gadp only adds a separate EGADP matrix to its result (drawn after the shuffle's)."""
    df = _table(30, 4)
    for method in ("ds", "mvn", "mlm"):
        runs = [shuffle(df, responses=["income", "savings"], predictors=["age"], method=method, gadp=g, seed=8)
                for g in (True, False)]
        assert runs[0].equals(runs[1])


def test_mvn_step_with_mm_regression_is_verified() -> None:
    df = _table(40, 2)
    steps = [("shuffle", {"attributes": ["income", "savings"], "predictors": ["age"], "method": "mvn",
                          "covmethod": "pearson", "regmethod": "MM", "gadp": False, "seed": 3})]
    result = Pipeline(steps, quasi_identifiers=["age"], sensitive=["income", "savings"]).run(df)
    verify_steps(result.table, original=df, steps=list(result.steps), stages=result.stages)
    with pytest.raises(ConfigError, match="regmethod"):
        Pipeline([("shuffle", {"attributes": ["income", "savings"], "predictors": ["age"], "regmethod": "lts"})],
                 quasi_identifiers=["age"], sensitive=["income", "savings"])
    with pytest.raises(ConfigError, match="method"):
        shuffle(df, responses=["income", "savings"], predictors=["age"], method="ds2")
