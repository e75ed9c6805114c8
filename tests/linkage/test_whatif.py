"""What-if: each single change recounted; agrees with exposure() run on the changed release."""

from __future__ import annotations

import polars as pl
import pytest

from unlinkable.errors import ConfigError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.linkage.exposure import exposure

ZIP_H = Hierarchy([[z, z[:4] + "*", z[:3] + "**", "*"] for z in ["81671", "81672", "81681", "81682"]])


def test_what_if_equals_rerun_on_changed_release():
    rel = pl.DataFrame({"zip": ["81671", "8168*", "81682", "*"], "sex": ["m", "f", "f", "m"]})
    aux = pl.DataFrame({"zip": ["81671", "81672", "81681", "81682", "81682"], "sex": ["m", "m", "f", "f", "m"]})
    e = exposure(rel, aux, on=["zip", "sex"], hierarchies={"zip": ZIP_H})
    got = {(w["attribute"], w["action"]): w["unique_link_share"] for w in e.what_if}
    # Generalizing zip one level: 81671 -> 8167*, 8168* -> 816**, 81682 -> 8168*, * stays.
    lifted = rel.with_columns(pl.Series("zip", ["8167*", "816**", "8168*", "*"]))
    assert got[("zip", "generalize")] == exposure(lifted, aux, on=["zip", "sex"], hierarchies={"zip": ZIP_H}, what_if=False).unique_link_share
    assert got[("zip", "drop")] == exposure(rel, aux, on=["sex"], what_if=False).unique_link_share
    assert got[("sex", "drop")] == exposure(rel, aux, on=["zip"], hierarchies={"zip": ZIP_H}, what_if=False).unique_link_share
    assert ("sex", "generalize") not in got  # no hierarchy, nothing to generalize
    shares = [w["unique_link_share"] for w in e.what_if]
    assert shares == sorted(shares)


def test_what_if_in_payload():
    rel = pl.DataFrame({"a": ["1", "2"]})
    aux = pl.DataFrame({"a": ["1", "2", "2"]})
    d = exposure(rel, aux, on=["a"]).to_dict()
    # Dropping the only attribute: both records match all 3 auxiliary records.
    assert d["what_if"] == [{"attribute": "a", "action": "drop", "unique_link_share": 0.0}]
    assert exposure(rel, aux, on=["a"], what_if=False).to_dict()["what_if"] == []
    with pytest.raises(ConfigError, match="the 'tolerance.a' parameter must be a number >= 0 or a number of days"):
        exposure(rel, aux, on=["a"], tolerance={"a": "x"})
