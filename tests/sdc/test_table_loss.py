"""table_information_loss (sdcMicro infoLoss): a hand-worked 4-record table, the options, the errors."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from unlinkable.errors import ConfigError, InputError
from unlinkable.sdc.table_loss import table_information_loss

# one record moved from region 1 to region 2 (sex 2): cells (region, sex) and both margins
BEFORE = pl.DataFrame({"region": [1, 1, 2, 2], "sex": [1, 2, 1, 2]})
AFTER = pl.DataFrame({"region": [1, 2, 2, 2], "sex": [1, 2, 1, 2]})


def test_cells_metrics_and_distributions_by_hand():
    loss = table_information_loss(BEFORE, AFTER, table_vars=["region", "sex"])
    got = {(r["region"], r["sex"]): (r["count_o"], r["count_s"]) for r in loss.cells.to_dicts()}
    assert got == {(1, 1): (1, 1), (1, 2): (1, 0), (2, 1): (1, 1), (2, 2): (1, 2),
                   (1, None): (2, 1), (2, None): (2, 3), (None, 1): (2, 2), (None, 2): (2, 2)}
    m = {r["what"]: r for r in loss.measures.to_dicts()}
    # absD: 0 0 0 0 1 1 1 1 -> median (type 7) 0.5, mean 0.5, 60% at position 4.2 -> 1
    assert (m["Min"]["absD"], m["Median"]["absD"], m["Mean"]["absD"], m["60%"]["absD"], m["Max"]["absD"]) == (0, 0.5, 0.5, 1, 1)
    # relabsD: |x - y| / x = 0 1 .5 0 1 .5 0 0; abssqrtD of (1, 0) is 1
    assert m["Mean"]["relabsD"] == 3 / 8 and m["Max"]["abssqrtD"] == 1.0
    assert loss.measures["what"].to_list()[:7] == ["Min", "10%", "20%", "30%", "40%", "Mean", "Median"]
    assert loss.cumulative["relabsD"].filter(pl.col("cat") == "[0,0.5]")["cnt"].item() == 6
    assert loss.cumulative["relabsD"]["cat"].to_list()[-1] == "[0,Inf]"
    assert loss.cumulative["absD"].to_dicts() == [{"cat": "0", "cnt": 4, "pct": 0.5}, {"cat": "1", "cnt": 8, "pct": 1.0}]
    assert loss.overview.select("noise", "cnt").rows() == [(-1, 2), (0, 4), (1, 2)]
    assert (loss.false_zero, loss.false_nonzero) == (1, 0)


def test_inner_cells_zero_exclusion_households_and_custom_metrics():
    inner = table_information_loss(BEFORE, AFTER, table_vars=["region", "sex"], only_inner_cells=True)
    assert inner.cells.height == 4
    kept = table_information_loss(BEFORE, AFTER, table_vars=["region", "sex"], exclude_zeros=True)
    assert kept.cells.height == 7 and kept.false_zero == 0
    homes = pl.DataFrame({"h": [1, 1, 2], "region": [1, 1, 2]})
    moved = pl.DataFrame({"h": [1, 1, 2], "region": [2, 2, 1]})
    by_home = table_information_loss(homes, moved, table_vars=["region"], household="h")
    assert by_home.cells.select("count_o", "count_s").rows() == [(1, 1), (1, 1)]
    squared = table_information_loss(BEFORE, AFTER, table_vars=["region"], metrics=[],
                                      custom_metrics={"sq": lambda x, y: (x - y) ** 2})
    assert squared.measures.columns == ["what", "sq"] and math.isclose(squared.measures["sq"][-1], 1.0)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"table_vars": ["region", "age"]}, InputError, "'age' is not a column of the original table"),
    ({"metrics": ["abs2error"]}, ConfigError, "unknown metric 'abs2error'"),
    ({"household": "hid"}, InputError, "household must name a column of both tables"),
    ({"probs": 2}, ConfigError, r"'probs' parameter must be a list of numbers in \[0, 1\]"),
    ({"quantvals": [-1]}, ConfigError, "quantvals must hold two or more bounds"),
    ({"apply_quantvals": 1}, ConfigError, "'apply_quantvals' parameter must be a non-empty list of distinct metric names"),
    ({"exclude_zeros": "YES"}, ConfigError, "'exclude_zeros' parameter must be true or false"),
    ({"custom_metrics": {"bad": lambda x, y: np.sqrt(x ** 2 + z ** 2)}}, ConfigError,  # noqa: F821
     "custom metric 'bad' failed on 1..10 against 10..1: NameError"),
])
def test_bad_parameters(kwargs, error, match):
    args = {"table_vars": ["region", "sex"], **kwargs}
    with pytest.raises(error, match=match):
        table_information_loss(BEFORE, AFTER, **args)
