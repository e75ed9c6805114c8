"""Pipeline: parameter validation at construction, step order, summaries, seeds, lazy step modules."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

import numpy as np
import pandas as pd
import polars as pl
import pytest

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.noise import add_noise
from unlinkable.sdc.pipeline import REGISTRY, Pipeline, PipelineResult
from unlinkable.sdc.pram import pram
from unlinkable.sdc.rank_swap import rank_swap
from unlinkable.sdc.recode import recode
from unlinkable.sdc.top_bottom import top_bottom_code


def frame(n: int = 60) -> pl.DataFrame:
    rng = np.random.default_rng(0)
    return pl.DataFrame(
        {
            "age": rng.integers(2, 90, n),
            "roof": rng.integers(1, 4, n),
            "sex": rng.integers(1, 3, n),
            "income": rng.normal(1000, 300, n),
            "savings": rng.normal(50, 10, n),
        }
    )


#: the role of every column of frame()
ROLES = dict(quasi_identifiers=["age", "roof", "sex"], sensitive=["income", "savings"])

STEPS = [
    ("recode", {"attribute": "age", "breaks": [1, 18, 65, 100]}),
    ("top-bottom", {"attribute": "income", "top": 1400.0, "bottom": 600.0}),
    ("pram", {"attribute": "roof", "retain": 0.7, "invariant": True, "strata": ["sex"], "seed": 7}),
    ("noise", {"attributes": ["savings"], "noise": 20.0, "seed": 8}),
    ("rank-swap", {"attributes": ["income"], "p": 10.0, "seed": 9}),
]


def test_run_equals_calling_the_functions_in_order():
    df = frame()
    result = Pipeline(STEPS, **ROLES).run(df)
    assert isinstance(result, PipelineResult)
    expected = recode(df, attribute="age", breaks=[1, 18, 65, 100])
    expected = top_bottom_code(expected, attribute="income", top=1400.0, bottom=600.0)
    pr = pram(expected, attribute="roof", retain=0.7, invariant=True, strata=["sex"], seed=7)
    expected = add_noise(pr.table, attributes=["savings"], noise=20.0, seed=8)
    expected = rank_swap(expected, attributes=["income"], p=10.0, seed=9)
    assert result.table.equals(expected)
    assert [s["name"] for s in result.steps] == [name for name, _ in STEPS]
    assert [s["step"] for s in result.steps] == list(range(len(STEPS)))
    assert result.steps[2]["changed"] == pr.changed == result.steps[2]["changed_cells"]
    assert result.steps[3]["changed_cells"] == df.height  # noise moves every value
    assert result.steps[0]["new_nulls"] == 0


def test_pipeline_seed_fills_missing_step_seeds_reproducibly():
    steps = [("pram", {"attribute": "roof", "retain": 0.5}), ("noise", {"attributes": ["savings"]})]
    a = Pipeline(steps, seed=42, **ROLES).run(frame())
    b = Pipeline(steps, seed=42, **ROLES).run(frame())
    c = Pipeline(steps, seed=43, **ROLES).run(frame())
    assert a.table.equals(b.table) and not a.table.equals(c.table)
    assert all("seed" not in s["params"] for s in a.steps)


def test_step_summaries_never_hold_a_seed():
    """Issue 8: a seed and the release together give back the unperturbed values."""
    result = Pipeline(STEPS, **ROLES).run(frame())
    assert all("seed" not in s["params"] for s in result.steps)


def test_no_seed_draws_from_os_entropy():
    steps = [("noise", {"attributes": ["savings"], "noise": 50.0})]
    a, b = Pipeline(steps, **ROLES).run(frame()), Pipeline(steps, **ROLES).run(frame())
    assert not a.table.equals(b.table)
    assert "seed" not in a.steps[0]["params"]


def test_pandas_input():
    out = Pipeline([("top-bottom", {"attribute": "x", "top": 2})], sensitive=["x"]).run(pd.DataFrame({"x": [1, 5]}))
    assert out.table["x"].to_list() == [1, 2] and out.steps[0]["changed_cells"] == 1


@pytest.mark.parametrize(
    ("steps", "pattern"),
    [
        ([("recode", {"attribute": "age", "breaks": [1, 2]}), ("scramble", {})], r"steps\[1\]: unknown step 'scramble'"),
        ([("pram", {"retain": 0.5})], r"steps\[0\] \('pram'\): parameter 'attribute' is missing"),
        ([("pram", {"attribute": "roof", "retain": "high"})], r"steps\[0\] \('pram'\): the 'retain' parameter must be a number in \[0, 1\]"),
        ([("noise", {"attributes": ["a"], "nois": 10})], r"steps\[0\] \('noise'\): unknown parameter 'nois'"),
        ([("noise", {"attributes": ["a"], "method": "rotate"})], r"the 'method' parameter must be one of"),
        ([("rank-swap", {"attributes": [], "p": 5})], r"the 'attributes' parameter must be a non-empty list"),
        ([("local-suppression", {"k": 0, "attributes": ["a"]})], r"the 'k' parameter must be a whole number >= 1"),
        ([("microaggregation", {"attributes": ["a"], "k": 2.5})], r"the 'k' parameter must be a whole number"),
        ([("recode", {"attribute": "age", "breaks": [1]})], r"the 'breaks' parameter"),
        ([("top-bottom", {"attribute": "age", "top": True})], r"the 'top' parameter must be a finite number"),
        ([("pram", {"attribute": "roof", "retain": 0.5, "seed": -3})], r"the 'seed' parameter"),
        ([("pram",)], r"steps\[0\] must be written as \{name: \{parameters\}\}"),
        ([("pram", [1, 2])], r"steps\[0\] \('pram'\): the parameters must be a mapping, got \[1, 2\]"),
        ([{"pram": {"attribute": "roof"}, "noise": {}}], r"steps\[0\] must be written as \{name: \{parameters\}\}"),
    ],
)
def test_construction_errors_name_step_and_parameter(steps, pattern):
    with pytest.raises(ConfigError, match=pattern):
        Pipeline(steps)


def test_steps_must_be_a_list():
    with pytest.raises(ConfigError):
        Pipeline({"pram": {}})


def test_missing_column_at_run_names_the_step():
    with pytest.raises(InputError, match=r"steps\[0\] \('noise'\): no column 'nope'"):
        Pipeline([("noise", {"attributes": ["nope"], "seed": 1})], **ROLES).run(frame())


@dataclass
class _FakeSuppression:
    table: pl.DataFrame
    suppressed: dict
    total_suppressed: int


@dataclass
class _FakeAggregation:
    table: pl.DataFrame
    n_groups: int


def test_suppression_and_microaggregation_are_looked_up_lazily(monkeypatch):
    # Stand-ins record the call, so this checks the wiring only, not the other engineer's methods.
    calls = {}

    def local_suppression(data, *, k, attributes, importance=None, alpha=1.0, method="heuristic"):
        calls["ls"] = (k, attributes, importance)
        return _FakeSuppression(data.with_columns(pl.lit(None).alias(attributes[0])), {attributes[0]: data.height}, data.height)

    def microaggregation(data, *, attributes, k=3, method="mdav", aggregate="mean"):
        calls["ma"] = (attributes, k, method)
        return _FakeAggregation(data.with_columns(pl.col(attributes[0]).mean()), 1)

    monkeypatch.setitem(sys.modules, "unlinkable.sdc.local_suppression", types.SimpleNamespace(local_suppression=local_suppression))
    monkeypatch.setitem(sys.modules, "unlinkable.sdc.microaggregation", types.SimpleNamespace(microaggregation=microaggregation))
    steps = [
        ("local-suppression", {"k": 3, "attributes": ["sex"], "importance": [1]}),
        ("microaggregation", {"attributes": ["income"], "method": "mdav", "k": 3}),
    ]
    df = frame(10)
    out = Pipeline(steps, **ROLES).run(df)
    assert calls == {"ls": (3, ["sex"], [1]), "ma": (["income"], 3, "mdav")}
    assert out.steps[0]["suppressed"] == {"sex": 10} and out.steps[0]["total_suppressed"] == 10
    assert out.steps[0]["changed_cells"] == 10
    assert out.steps[1]["n_groups"] == 1


def test_real_suppression_and_microaggregation_run(sdc_data):
    """sdcMicro's testdata through recode, local suppression and MDAV; each step's figures recounted from its stages."""
    from collections import Counter

    df = pl.read_csv(sdc_data / "testdata.csv")
    out = Pipeline(
        [
            ("recode", {"attribute": "age", "breaks": [1, 9, 19, 29, 39, 49, 59, 69, 100], "outside": "null"}),
            ("local-suppression", {"k": 3, "attributes": ["urbrur", "water", "sex", "age"]}),
            ("microaggregation", {"attributes": ["expend", "income", "savings"], "k": 3}),
        ],
        quasi_identifiers=["urbrur", "water", "sex", "age"], sensitive=["expend", "income", "savings"],
        insensitive=[c for c in df.columns if c not in ("urbrur", "water", "sex", "age", "expend", "income", "savings")],
    ).run(df)
    assert out.table.height == df.height
    keys = ["urbrur", "water", "sex", "age"]
    before, after = out.stages[1], out.stages[2]
    blanked = {c: after[c].null_count() - before[c].null_count() for c in keys}
    assert out.steps[1]["suppressed"] == blanked and out.steps[1]["total_suppressed"] == sum(blanked.values()) > 0
    # k = 3 holds afterwards, a blank matching any value (sdcMicro's reading), by brute force over the key patterns
    patterns = Counter(after.select(keys).iter_rows())
    for pattern in patterns:
        compatible = sum(n for other, n in patterns.items()
                         if all(a is None or b is None or a == b for a, b in zip(pattern, other)))
        assert compatible >= 3, pattern
    # MDAV: groups of exactly k, the last of k..2k-1, so floor(n / k) groups, each one centroid
    assert out.steps[2]["n_groups"] == df.height // 3
    assert out.table.select("expend", "income", "savings").unique().height == df.height // 3


def test_registry_names_match_the_job_file():
    assert set(REGISTRY) == {"recode", "top-bottom", "pram", "noise", "rank-swap", "local-suppression",
                             "risk-suppression", "shuffle", "synthetic", "microaggregation", "record-swap"}


def test_sdcmicro_variants_from_step_parameters(sdc_data):
    """recode's method and local-suppression's strata/combs pass through the job-file parameters,
    and the verifier re-checks the narrower claims (each subset, within each stratum)."""
    from unlinkable.sdc.local_suppression import local_suppression
    from unlinkable.sdc.recode import recode
    from unlinkable.verify import verify_steps

    df = pl.read_csv(sdc_data / "testdata2.csv")
    steps = [
        ("recode", {"attribute": "age", "breaks": 4, "method": "equal-amount"}),
        ("local-suppression", {"k": [3, 4], "attributes": ["urbrur", "roof", "walls"], "combs": [3, 2],
                               "strata": ["sex"], "method": "sdcmicro"}),
    ]
    qis = ["urbrur", "roof", "walls", "age", "sex"]
    out = Pipeline(steps, quasi_identifiers=qis, insensitive=[c for c in df.columns if c not in qis]).run(df)
    recoded = recode(df, attribute="age", breaks=4, method="equal-amount")
    direct = local_suppression(recoded, k=[3, 4], attributes=["urbrur", "roof", "walls"], combs=[3, 2],
                               strata=["sex"], method="sdcmicro")
    assert out.table.equals(direct.table)
    claims = verify_steps(out.table, original=df, steps=list(out.steps), stages=out.stages)
    assert [c["status"] for c in claims] == ["verified"]


@pytest.mark.parametrize("params, pattern", [
    ({"k": [2, "x"], "attributes": ["a"]}, "k"),
    ({"k": 2, "attributes": ["a"], "combs": ["1"]}, "combs"),
])
def test_local_suppression_variant_parameters_are_checked(params, pattern):
    with pytest.raises(ConfigError, match=pattern):
        Pipeline([("local-suppression", params)])


def test_recode_method_is_checked():
    with pytest.raises(ConfigError, match="method"):
        Pipeline([("recode", {"attribute": "a", "breaks": 3, "method": "logEqui"})])


def test_every_column_needs_a_role_and_identifiers_are_dropped():
    # issue 8: a column without a role is an error naming it; identifiers never reach the output
    df = frame(10).with_columns(pl.Series("person", [f"P{i}" for i in range(10)]))
    step = [("pram", {"attribute": "roof", "retain": 0.5, "seed": 1})]
    with pytest.raises(ConfigError, match="data: column 'person' has no role"):
        Pipeline(step, **ROLES).run(df)
    out = Pipeline(step, identifiers=["person"], **ROLES).run(df)
    assert "person" not in out.table.columns and out.roles["person"] == "identifier"
    with pytest.raises(ConfigError, match=r"steps\[0\] \('pram'\) works on 'person', an identifier"):
        Pipeline([("pram", {"attribute": "person", "retain": 0.5, "seed": 1})], identifiers=["person"], **ROLES).run(df)


def test_released_uniqueness_counts_kept_columns():
    # 'person' kept as is: every record is unique on it alone (brute force: 10 distinct values)
    df = frame(10).with_columns(pl.Series("person", [f"P{i}" for i in range(10)]))
    out = Pipeline([("pram", {"attribute": "roof", "retain": 0.5, "seed": 1})], insensitive=["person"], **ROLES).run(df)
    figures = out.released_uniqueness
    assert figures["columns"] == ["age", "roof", "sex", "person"] and figures["sample_uniques"] == 1.0
    assert figures["kept_columns"][0]["alone"] == 1.0 and figures["kept_columns"][0]["warn"]


def test_romm_noise_step_is_verified_and_refuses_missing_values():
    from unlinkable.verify import verify_steps

    df = frame()
    out = Pipeline([("noise", {"attributes": ["income", "savings"], "method": "ROMM", "p": 0.01, "seed": 5})],
                   **ROLES).run(df)
    verify_steps(out.table, original=df, steps=list(out.steps), stages=out.stages)
    assert out.steps[0]["changed_cells"] > 0
    holed = df.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("savings")).alias("savings"))
    with pytest.raises(InputError, match=r"column 'savings' has missing values, which ROMM cannot mix"):
        Pipeline([("noise", {"attributes": ["savings"], "method": "ROMM", "seed": 5})], **ROLES).run(holed)


def test_outdect_noise_step_is_verified_and_moves_only_outliers():
    from unlinkable.verify import verify_steps

    df = frame()
    out = Pipeline([("noise", {"attributes": ["income", "savings"], "method": "outdect", "seed": 5})], **ROLES).run(df)
    verify_steps(out.table, original=df, steps=list(out.steps), stages=out.stages)
    assert 0 < out.steps[0]["changed_cells"] < df.height  # the records at the top (99% quantile) at least


def test_synthetic_step_replaces_its_columns_and_is_verified():
    from unlinkable.verify import verify_steps

    df = frame()
    out = Pipeline([("synthetic", {"attributes": ["income", "savings"], "seed": 2})], **ROLES).run(df)
    verify_steps(out.table, original=df, steps=list(out.steps), stages=out.stages)
    assert out.table.select("age", "roof", "sex").equals(df.select("age", "roof", "sex"))
    assert out.steps[0]["changed_cells"] == 2 * df.height
