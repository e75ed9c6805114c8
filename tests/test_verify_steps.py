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
    claims = verify_steps(ORIGINAL, original=ORIGINAL, steps=[LS, pram])
    assert claims[0]["status"] == "superseded"


def test_microaggregation_groups():
    original = pl.DataFrame({"v": [1.0, 2.0, 3.0, 10.0, 11.0, 12.0]})
    step = {"name": "microaggregation", "params": {"attributes": ["v"], "k": 3}}
    good = pl.DataFrame({"v": [2.0, 2.0, 2.0, 11.0, 11.0, 11.0]})
    assert verify_steps(good, original=original, steps=[step])[0]["status"] == "verified"
    bad = pl.DataFrame({"v": [2.0, 2.0, 2.0, 11.0, 11.0, 12.0]})
    with pytest.raises(VerificationError, match="a group has 1"):
        verify_steps(bad, original=original, steps=[step])
