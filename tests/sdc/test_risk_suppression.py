"""Threshold suppression by individual risk (sdcMicro localSupp): hand-worked cases and the pipeline step.

sdcMicro's own two localSupp cases run in tests/peers/sdcmicro.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.pipeline import Pipeline
from unlinkable.sdc.risk_suppression import risk_suppression
from unlinkable.verify import verify_steps

DF = pl.DataFrame({"sex": ["f", "f", "m", "m", "m", "f"], "age": ["30", "30", "40", "40", "50", None],
                   "w": [10.0, 10.0, 20.0, 20.0, 5.0, 8.0]})


def test_unweighted_risk_is_one_over_fk() -> None:
    # fk with the missing age a wildcard: f/30 -> 3, m/40 -> 2, m/50 -> 1, f/NA -> 3
    res = risk_suppression(DF, attribute="age", keys=["sex", "age"], threshold=0.4)
    assert res.table["age"].to_list() == ["30", "30", None, None, None, None]  # 1/2 and 1/1 > 0.4
    assert res.suppressed == 3  # the missing age of the last record was missing before
    res = risk_suppression(DF, attribute="age", keys=["sex", "age"], threshold=0.5)
    assert res.table["age"].to_list() == ["30", "30", "40", "40", None, None]  # 1/2 is not above 0.5
    assert res.suppressed == 1


def test_weighted_risk_uses_indivrisk() -> None:
    # m/50: fk = 1, Fk = 5 -> p = 1/5, risk = p/(1-p) ln(1/p) = 0.25 ln 5 = 0.402
    res = risk_suppression(DF, attribute="sex", keys=["sex", "age"], weights="w", threshold=0.4)
    assert res.table["sex"].to_list() == ["f", "f", "m", "m", None, "f"]
    res = risk_suppression(DF, attribute="sex", keys=["sex", "age"], weights="w", threshold=0.41)
    assert res.suppressed == 0


def test_pipeline_step_is_verified() -> None:
    result = Pipeline([("risk-suppression", {"attribute": "age", "keys": ["sex", "age"], "threshold": 0.6})],
                      quasi_identifiers=["sex", "age"], insensitive=["w"]).run(DF)
    assert result.steps[0]["suppressed"] == 1 and result.steps[0]["changed_cells"] == 1
    verify_steps(result.table, original=DF, steps=list(result.steps), stages=result.stages)
    forged = result.stages[1].with_columns(pl.Series("age", ["30", "30", "40", "41", None, None]))
    with pytest.raises(Exception, match="changed instead of kept or suppressed"):
        verify_steps(forged, original=DF, steps=list(result.steps), stages=(DF, forged))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ConfigError, match="not one of the keys"):
        risk_suppression(DF, attribute="w", keys=["sex", "age"])
    with pytest.raises(ConfigError, match="threshold"):
        risk_suppression(DF, attribute="age", keys=["sex", "age"], threshold=2)
    with pytest.raises(InputError, match="no column"):
        risk_suppression(DF, attribute="age", keys=["sex", "age"], weights="weight")
    with pytest.raises(InputError, match="not > 0"):
        risk_suppression(DF.with_columns(pl.lit(np.nan).alias("w")), attribute="age", keys=["sex", "age"], weights="w")
