"""The independent re-check of SDC step claims (verify.verify_steps)."""

from __future__ import annotations

import polars as pl
import pytest

from unlinkable.errors import VerificationError
from unlinkable.verify import verify_steps

ORIGINAL = pl.DataFrame({
    "a": ["1", "1", "1", "2", "2"],
    "b": ["x", "x", "y", "y", "y"],
    "other": ["p", "q", "r", "s", "t"],
})
LS = {"name": "local-suppression", "params": {"k": 2, "attributes": ["a", "b"]}}


def test_suppression_reaching_k_passes():
    # (1,x)(1,x)(1,NA)(2,y)(2,y): (1,NA) is compatible with both (1,x) -> fk 3; (1,x) -> 2 + 1 = 3
    out = ORIGINAL.with_columns(pl.Series("b", ["x", "x", None, "y", "y"]))
    claims = verify_steps(out, original=ORIGINAL, steps=[LS])
    assert claims[0]["status"] == "verified"


def test_a_record_below_k_fails():
    with pytest.raises(VerificationError, match="compatible with only 1"):
        verify_steps(ORIGINAL, original=ORIGINAL, steps=[LS])  # (1,y) is alone


def test_changed_untouched_column_fails():
    out = ORIGINAL.with_columns(pl.Series("b", ["x", "x", None, "y", "y"]), pl.Series("other", ["p", "q", "r", "s", "CHANGED"]))
    with pytest.raises(VerificationError, match="column 'other' changed"):
        verify_steps(out, original=ORIGINAL, steps=[LS])


def test_lost_rows_fail():
    with pytest.raises(VerificationError, match="rows"):
        verify_steps(ORIGINAL.head(4), original=ORIGINAL, steps=[LS])


def test_claim_overwritten_by_a_later_step_is_superseded():
    pram = {"name": "pram", "params": {"attribute": "b"}}
    suppressed = ORIGINAL.with_columns(pl.Series("b", ["x", "x", None, "y", "y"]))
    prammed = suppressed.with_columns(pl.Series("b", ["y", "x", None, "y", "x"]))
    claims = verify_steps(prammed, original=ORIGINAL, steps=[LS, pram], stages=[ORIGINAL, suppressed, prammed])
    assert claims[0]["status"] == "superseded"


def test_steps_on_the_same_column_without_stages_fail_closed():
    pram = {"name": "pram", "params": {"attribute": "b"}}
    with pytest.raises(VerificationError, match="cannot be checked"):
        verify_steps(ORIGINAL, original=ORIGINAL, steps=[LS, pram])


def test_a_step_without_a_checker_fails_closed():
    with pytest.raises(VerificationError, match="no independent checker for the SDC step 'scramble'"):
        verify_steps(ORIGINAL, original=ORIGINAL, steps=[{"name": "scramble", "params": {"attribute": "other"}}])


def test_local_suppression_may_only_blank_values():
    out = ORIGINAL.with_columns(pl.Series("b", ["x", "x", "x", "y", "y"]))
    with pytest.raises(VerificationError, match="1 value.* of 'b' were changed instead of kept or suppressed .first at row 3"):
        verify_steps(out, original=ORIGINAL, steps=[LS])


# Hand-worked: R's cut(c(5, 10, 11, 40, 41), c(0, 10, 40, 100)) is 1 1 2 2 3 (intervals (a, b]).
AGES = pl.DataFrame({"age": ["5", "10", "11", "40", "41"]})
RECODE = {"name": "recode", "params": {"attribute": "age", "breaks": [0, 10, 40, 100]}}


def test_recode_is_checked_against_the_intervals():
    good = pl.DataFrame({"age": [1, 1, 2, 2, 3]})
    assert verify_steps(good, original=AGES, steps=[RECODE]) == []
    labelled = {"name": "recode", "params": {**RECODE["params"], "labels": ["child", "adult", "older"]}}
    assert verify_steps(pl.DataFrame({"age": ["child", "child", "adult", "adult", "older"]}), original=AGES,
                        steps=[labelled]) == []
    with pytest.raises(VerificationError, match="not coded to the interval that contains them .first at row 2"):
        verify_steps(pl.DataFrame({"age": [1, 2, 2, 2, 3]}), original=AGES, steps=[RECODE])


def test_top_bottom_is_checked_against_the_caps():
    step = {"name": "top-bottom", "params": {"attribute": "age", "top": 40, "bottom": 6, "bottom_value": 0}}
    assert verify_steps(pl.DataFrame({"age": [0, 10, 11, 40, 40]}), original=AGES, steps=[step]) == []
    with pytest.raises(VerificationError, match="capped"):
        verify_steps(pl.DataFrame({"age": [0, 10, 11, 40, 41]}), original=AGES, steps=[step])


def test_rank_swap_keeps_the_values():
    step = {"name": "rank-swap", "params": {"attributes": ["age"], "p": 50}}
    assert verify_steps(pl.DataFrame({"age": [10.0, 5.0, 11.0, 41.0, 40.0]}), original=AGES, steps=[step]) == []
    with pytest.raises(VerificationError, match="permutation"):
        verify_steps(pl.DataFrame({"age": [10.0, 5.0, 11.0, 41.0, 41.0]}), original=AGES, steps=[step])


def test_pram_stays_within_the_categories_and_keeps_missing_values():
    step = {"name": "pram", "params": {"attribute": "b"}}
    assert verify_steps(ORIGINAL.with_columns(pl.Series("b", ["y", "x", "y", "y", "x"])), original=ORIGINAL, steps=[step]) == []
    with pytest.raises(VerificationError, match="not categories"):
        verify_steps(ORIGINAL.with_columns(pl.Series("b", ["y", "x", "z", "y", "x"])), original=ORIGINAL, steps=[step])
    with pytest.raises(VerificationError, match="missing in only one"):
        verify_steps(ORIGINAL.with_columns(pl.Series("b", ["y", "x", None, "y", "x"])), original=ORIGINAL, steps=[step])


def test_noise_keeps_missing_values_and_gives_numbers():
    step = {"name": "noise", "params": {"attributes": ["age"]}}
    original = pl.DataFrame({"age": ["5", None, "11"]})
    assert verify_steps(pl.DataFrame({"age": [5.3, None, 10.2]}), original=original, steps=[step]) == []
    with pytest.raises(VerificationError, match="missing in only one"):
        verify_steps(pl.DataFrame({"age": [5.3, 1.0, 10.2]}), original=original, steps=[step])


def test_microaggregation_groups():
    original = pl.DataFrame({"v": [1.0, 2.0, 3.0, 10.0, 11.0, 12.0]})
    step = {"name": "microaggregation", "params": {"attributes": ["v"], "k": 3}}
    good = pl.DataFrame({"v": [2.0, 2.0, 2.0, 11.0, 11.0, 11.0]})
    assert verify_steps(good, original=original, steps=[step])[0]["status"] == "verified"
    bad = pl.DataFrame({"v": [2.0, 2.0, 2.0, 11.0, 11.0, 12.0]})
    with pytest.raises(VerificationError, match="a group has 1"):
        verify_steps(bad, original=original, steps=[step])


def test_strata_claim_is_checked_within_each_stratum():
    # overall (1,x) has 3 compatible records, but within stratum s=A only (1,x) twice and (1,y) once
    table = pl.DataFrame({"a": ["1", "1", "1", "1"], "b": ["x", "x", "y", "y"], "s": ["A", "A", "A", "B"]})
    step = {"name": "local-suppression", "params": {"k": 2, "attributes": ["a", "b"], "strata": ["s"]}}
    with pytest.raises(VerificationError, match="within each stratum"):
        verify_steps(table, original=table, steps=[step])
    fine = table.with_columns(pl.Series("s", ["A", "A", "B", "B"]))
    assert verify_steps(fine, original=fine, steps=[step])[0]["status"] == "verified"


def test_combs_claim_is_checked_on_every_subset():
    # every pair (a, b) is unique, but each single attribute repeats: combs=[1] holds, combs=[2] does not
    table = pl.DataFrame({"a": ["1", "1", "2", "2"], "b": ["x", "y", "x", "y"]})
    singles = {"name": "local-suppression", "params": {"k": [2], "attributes": ["a", "b"], "combs": [1]}}
    assert verify_steps(table, original=table, steps=[singles])[0]["status"] == "verified"
    pairs = {"name": "local-suppression", "params": {"k": [2], "attributes": ["a", "b"], "combs": [2]}}
    with pytest.raises(VerificationError, match="2-anonymity on a, b"):
        verify_steps(table, original=table, steps=[pairs])


def test_an_identifier_left_in_the_protected_table_is_refused():
    out = ORIGINAL.with_columns(pl.Series("b", ["x", "x", None, "y", "y"]))
    with pytest.raises(VerificationError, match="identifier column 'other'"):
        verify_steps(out, original=ORIGINAL, steps=[LS], identifiers=["other"])
