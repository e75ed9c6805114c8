"""record_swap: hand-worked households, the risk counts by brute force, the pipeline step and its
verifier, and properties of every swap (pairs, similarity, risky households, untouched columns)."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError, VerificationError
from unlinkable.sdc.pipeline import Pipeline
from unlinkable.sdc.record_swap import HouseholdRiskWarning, household_risk, record_swap
from unlinkable.verify import verify_steps


def people(hid, region, size, age, kind=None):
    cols = {"hid": hid, "region": region, "size": size, "age": age}
    if kind is not None:
        cols["kind"] = kind
    return pl.DataFrame(cols)


def test_every_household_swaps_across_the_two_regions_at_rate_one():
    # 4 households, rate 1: 4 * 1 / 2 = 2 swaps, one per region; donors lie in the other region
    # and have the same size, so both pairs are forced: (1, 3) and (2, 4)
    df = people([1, 1, 2, 3, 3, 4], [1, 1, 1, 2, 2, 2], [2, 2, 1, 2, 2, 1], [30, 40, 50, 30, 40, 50])
    for seed in range(5):
        res = record_swap(df, household="hid", hierarchy=["region"], similar=["size"], risk_variables=["age"],
                          k_anonymity=0, swaprate=1.0, seed=seed)
        assert res.table["region"].to_list() == [2, 2, 2, 1, 1, 1]
        assert res.swapped_with.to_list() == [3, 3, 4, 1, 1, 2]
        assert (res.swapped_households, res.no_donor, res.risky_households) == (4, 0, 0)
        assert res.table.drop("region").equals(df.drop("region"))


def test_risky_households_swap_even_at_rate_zero():
    # every (age, region) cell holds one person: with k = 2 all four are risky at the region level
    df = people([1, 2, 3, 4], [1, 1, 2, 2], [1, 1, 1, 1], [1, 2, 2, 1])
    res = record_swap(df, household="hid", hierarchy=["region"], similar=["size"], risk_variables=["age"],
                      k_anonymity=2, swaprate=0.0, seed=1)
    assert res.table["region"].to_list() == [2, 2, 1, 1]
    assert (res.swapped_households, res.risky_households) == (4, 4)
    # cells of two: nobody is risky, and a rate of 0 swaps nobody
    safe = people([1, 2, 3, 4], [1, 1, 2, 2], [1, 1, 1, 1], [1, 1, 2, 2])
    res = record_swap(safe, household="hid", hierarchy=["region"], similar=["size"], risk_variables=["age"],
                      k_anonymity=2, swaprate=0.0, seed=1)
    assert res.table.equals(safe) and res.swapped_households == 0


def test_the_next_similarity_profile_is_tried_and_no_donor_is_reported():
    # household 1 is risky; region 2 has no household of its size and kind, but one of its size
    df = people([1, 2, 3], [1, 2, 2], [1, 1, 2], [1, 2, 2], kind=[1, 2, 1])
    res = record_swap(df, household="hid", hierarchy=["region"], similar=[["size", "kind"], ["size"]],
                      risk_variables=["age"], k_anonymity=2, swaprate=0.0, seed=1)
    assert res.swapped_with.to_list() == [2, 1, 3] and res.table["region"].to_list() == [2, 1, 2]
    alone = record_swap(df, household="hid", hierarchy=["region"], similar=[["size", "kind"]],
                        risk_variables=["age"], k_anonymity=2, swaprate=0.0, seed=1)
    assert alone.table.equals(df) and alone.no_donor == 1 and alone.swapped_households == 0


def brute_force_risk(df, hierarchy, risk_variables):
    rows = df.to_dicts()
    out = np.zeros((len(rows), len(hierarchy)))
    for lv in range(len(hierarchy)):
        keys = [tuple(r[c] for c in risk_variables + hierarchy[:lv + 1]) for r in rows]
        count = Counter(keys)
        per_record = [1.0 / count[k] for k in keys]
        best: dict = {}
        for r, v in zip(rows, per_record):
            best[r["hid"]] = max(best.get(r["hid"], 0.0), v)
        out[:, lv] = [best[r["hid"]] for r in rows]
    return out


def test_household_risk_is_the_household_maximum_of_one_over_the_cell_count():
    rng = np.random.default_rng(4)
    hid = np.repeat(np.arange(40), rng.integers(1, 4, 40))
    df = pl.DataFrame({"hid": hid, "a": rng.integers(0, 2, 40)[hid], "b": rng.integers(0, 3, 40)[hid],
                       "age": rng.integers(0, 3, hid.size), "sex": rng.integers(0, 2, hid.size)})
    got = household_risk(df, household="hid", hierarchy=["a", "b"], risk_variables=["age", "sex"])
    assert np.array_equal(got, brute_force_risk(df, ["a", "b"], ["age", "sex"]))


def test_a_given_risk_equal_to_the_counts_gives_the_same_swap():
    df = pl.DataFrame({"hid": np.repeat(np.arange(60), 2), "r": np.repeat(np.arange(60) % 3, 2),
                       "size": np.repeat(np.arange(60) % 2, 2), "age": np.arange(120) % 7})
    risk = household_risk(df, household="hid", hierarchy=["r"], risk_variables=["age"])
    by_counts = record_swap(df, household="hid", hierarchy=["r"], similar=["size"], risk_variables=["age"],
                            k_anonymity=2, swaprate=0.2, seed=9)
    given_risk = record_swap(df.with_columns(risk_r=risk[:, 0]), household="hid", hierarchy=["r"], similar=["size"],
                             risk=["risk_r"], risk_threshold=0.5, swaprate=0.2, seed=9)
    assert given_risk.table.drop("risk_r").equals(by_counts.table)
    with pytest.warns(HouseholdRiskWarning):
        record_swap(df, household="hid", hierarchy=["r"], similar=["size"], risk=np.arange(120.0)[:, None] / 120,
                    risk_threshold=0.5, swaprate=0.0, seed=9)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"hierarchy": ["nope"]}, InputError, "unknown column 'nope'"),
    ({"similar": [["size"], ["nope"]]}, InputError, "unknown column 'nope'"),
    ({"swaprate": 1.5}, ConfigError, "'swaprate' parameter must be a number in"),
    ({"swaprate": "0.1x"}, ConfigError, "'swaprate' parameter"),
    ({"k_anonymity": -1}, ConfigError, "'k_anonymity' parameter must be a whole number >= 0"),
    ({"seed": 1.5}, ConfigError, "'seed' parameter"),
    ({"risk_threshold": -1}, ConfigError, "'risk_threshold' parameter"),
    ({"risk_variables": []}, ConfigError, "risk_variables"),
    ({"risk": np.ones((4, 2))}, ConfigError, r"risk has shape \(4, 2\), expected \(4, 1\)"),
    ({"risk": -np.ones((4, 1))}, InputError, "risk of row 1 at level 1 is not a number >= 0"),
    ({"risk": ["age", "size"]}, ConfigError, "risk names 2 column"),
    ({"carry_along": ["age"]}, InputError, "carry_along column 'age' differs within a household"),
    ({"carry_along": ["hid"]}, ConfigError, "household column 'hid' cannot be swapped"),
])
def test_bad_parameters_are_one_line_errors(kwargs, error, match):
    df = people([1, 1, 2, 3], [1, 1, 2, 2], [2, 2, 1, 1], [3, 4, 3, 4])
    args = {"household": "hid", "hierarchy": ["region"], "similar": ["size"], "risk_variables": ["age"], "seed": 1, **kwargs}
    with pytest.raises(error, match=match):
        record_swap(df, **args)


def test_missing_values_and_split_households_are_refused():
    df = pl.DataFrame({"hid": [1, 1, 2], "region": [1, 2, 2], "size": [2, 2, 1], "age": [1, None, 3]})
    with pytest.raises(InputError, match="hierarchy column 'region' differs within a household"):
        record_swap(df, household="hid", hierarchy=["region"], similar=["size"], risk_variables=["size"])
    with pytest.raises(InputError, match=r"column 'age' has a missing value \(row 2\)"):
        record_swap(df.with_columns(region=pl.lit(1)), household="hid", hierarchy=["region"], similar=["size"],
                    risk_variables=["age"])


def synthetic(n_households: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    size = rng.integers(1, 4, n_households)
    hid = np.repeat(np.arange(n_households) * 7 + 3, size)  # household values need not be 0..n-1
    top = rng.integers(0, 3, n_households)
    low = top * 10 + rng.integers(0, 3, n_households)
    return pl.DataFrame({"hid": hid, "top": np.repeat(top, size), "low": np.repeat(low, size),
                         "size": np.repeat(size, size), "age": rng.integers(0, 4, hid.size),
                         "income": rng.integers(0, 1000, hid.size), "tag": np.repeat(rng.integers(0, 5, n_households), size)})


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 60), data_seed=st.integers(0, 10**6), seed=st.integers(0, 2**32 - 1),
       rate=st.floats(0, 1), k=st.integers(0, 4), two_profiles=st.booleans())
def test_households_exchange_areas_in_pairs(n, data_seed, seed, rate, k, two_profiles):
    df = synthetic(n, data_seed)
    similar = [["size", "tag"], ["size"]] if two_profiles else [["size"]]
    res = record_swap(df, household="hid", hierarchy=["top", "low"], similar=similar, risk_variables=["age"],
                      k_anonymity=k, swaprate=rate, carry_along=["tag"], seed=seed)
    out = res.table
    assert out.drop("top", "low", "tag").equals(df.drop("top", "low", "tag"))
    before = {r["hid"]: r for r in df.unique("hid", keep="first").to_dicts()}
    after = out.group_by("hid").agg(pl.col("top", "low", "tag").n_unique())
    assert after.select(pl.max_horizontal("top", "low", "tag").max()).item() == 1
    partner = dict(zip(df["hid"].to_list(), res.swapped_with.to_list()))
    new = {r["hid"]: r for r in out.unique("hid", keep="first").to_dicts()}
    swapped = 0
    for h, p in partner.items():
        assert partner[p] == h
        if p != h:
            swapped += 1
            assert before[h]["size"] == before[p]["size"]
            assert before[h]["top"] != before[p]["top"] or before[h]["low"] != before[p]["low"]
            assert all(new[h][c] == before[p][c] for c in ("top", "low", "tag"))
        else:
            assert all(new[h][c] == before[h][c] for c in ("top", "low", "tag"))
    assert swapped == res.swapped_households and swapped % 2 == 0
    # a risky household swaps across the level where it is risky, unless no donor was left
    if k > 0 and res.no_donor == 0:
        risk = household_risk(df, household="hid", hierarchy=["top", "low"], risk_variables=["age"])
        hids = df["hid"].to_numpy()
        for lv, col in enumerate(("top", "low")):
            first = (risk[:, lv] > 1 / k) & ((risk[:, :lv] <= 1 / k).all(axis=1))
            for h in set(hids[first].tolist()):
                assert new[h][col] != before[h][col]
    # at least the rate's swaps, when no household is risky and no donor is missing
    if k == 0 and res.no_donor == 0:
        assert swapped >= 2 * np.floor(n * rate / 2) - 2 * len(set(df["low"].to_list()))


def test_pipeline_step_is_the_function_and_is_verified():
    df = synthetic(200, 1)
    params = {"household": "hid", "hierarchy": ["top", "low"], "similar": ["size"], "risk_variables": ["age"],
              "k_anonymity": 2, "swaprate": 0.1, "carry_along": ["tag"], "seed": 5}
    result = Pipeline([("record-swap", params)], identifiers=["hid"], quasi_identifiers=["top", "low", "age"],
                      insensitive=["size", "income", "tag"]).run(df)
    direct = record_swap(df, **params)
    assert result.table.equals(direct.table.drop("hid"))
    step = result.steps[0]
    assert "seed" not in step["params"] and step["swapped_households"] == direct.swapped_households > 0
    assert verify_steps(result.table, original=df, steps=list(result.steps), stages=result.stages,
                        identifiers=["hid"]) == []
    # one household moved alone, or split, is caught
    swapped = result.stages[1]
    lonely = swapped.with_columns(pl.when(pl.col("hid") == swapped["hid"][0]).then(pl.lit(2)).otherwise(pl.col("top"))
                                  .alias("top"))
    moved = swapped.with_columns(pl.when(pl.col("hid") == swapped["hid"][0]).then(pl.col("top").shift(-1))
                                 .otherwise(pl.col("top")).alias("top"))
    for bad in (lonely, moved):
        if bad.equals(swapped):
            continue
        with pytest.raises(VerificationError, match="record-swap"):
            verify_steps(bad.drop("hid"), original=df, steps=list(result.steps), stages=[df, bad], identifiers=["hid"])


def test_same_seed_same_table():
    df = synthetic(100, 2)
    args = {"household": "hid", "hierarchy": ["top", "low"], "similar": ["size"], "risk_variables": ["age"], "swaprate": 0.3}
    assert record_swap(df, **args, seed=3).table.equals(record_swap(df, **args, seed=3).table)


def test_job_file_step_writes_a_verified_release_without_seed_or_pairs(tmp_path):
    from unlinkable.cli import main

    synthetic(120, 3).write_csv(tmp_path / "people.csv")
    (tmp_path / "job.yaml").write_text(
        "input: {path: people.csv, delimiter: ','}\n"
        "attributes:\n  hid: {role: identifier}\n  top: {role: quasi-identifier}\n  low: {role: quasi-identifier}\n"
        "  age: {role: quasi-identifier}\n  size: {role: insensitive}\n  income: {role: sensitive}\n"
        "  tag: {role: insensitive}\n"
        "steps:\n  - record-swap: {household: hid, hierarchy: [top, low], similar: [size], risk_variables: [age],\n"
        "                  k_anonymity: 2, swaprate: 0.2, seed: 987654}\n"
        "output: {path: swapped.csv, delimiter: ','}\n")
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "result.json")]) == 0
    text = (tmp_path / "result.json").read_text()
    assert "987654" not in text and "swapped_with" not in text
    step = json.loads(text)["steps"][0]
    assert step["name"] == "record-swap" and step["swapped_households"] > 0
    released = pl.read_csv(tmp_path / "swapped.csv")
    assert "hid" not in released.columns and released.height == synthetic(120, 3).height
