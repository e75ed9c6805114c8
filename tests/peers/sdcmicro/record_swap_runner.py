"""sdcMicro's recordSwap cases (kind ``recordSwap``, from ``scripts/record_swap_cases.py``) run through
``unlinkable.sdc.record_swap``.

The data are sdcMicro's ``createDat()`` households on R's stream (``create_dat.py``); each recordSwap
call of the R test becomes a ``record_swap`` call (or, for an sdcMicroObj, the job-file step
``record-swap``), and each expectation a check of the same property, recomputed here without
unlinkable's code (risk counts by grouping, partners from ``swapped_with`` as R's ``hid_swapped``).
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl
import pytest
from create_dat import create_dat
from r_random import RRandom

from unlinkable.errors import UnlinkableError
from unlinkable.sdc.pipeline import Pipeline
from unlinkable.sdc.record_swap import HouseholdRiskWarning, household_risk, record_swap

#: R argument -> record_swap keyword (return_swapped_id: unlinkable always gives the partners)
_KEYWORDS = {"hid": "household", "hierarchy": "hierarchy", "similar": "similar", "swaprate": "swaprate",
             "risk": "risk", "risk_threshold": "risk_threshold", "k_anonymity": "k_anonymity",
             "risk_variables": "risk_variables", "carry_along": "carry_along", "seed": "seed"}


@lru_cache(maxsize=2)
def households(n: int, seed: int) -> pl.DataFrame:
    return create_dat(n, RRandom(seed))


def counts_risk(df: pl.DataFrame, hierarchy: list[str], risk_variables: list[str]) -> np.ndarray:
    """1 / the count of each record's risk variables in its area at each level, household maximum
    (the R test's own computation, by grouping)."""
    out = []
    for level in range(len(hierarchy)):
        keys = risk_variables + hierarchy[:level + 1]
        per = df.with_columns((1.0 / pl.len().over(keys)).alias("r"))
        out.append(per.select(pl.col("r").max().over("hid")).to_series().to_numpy())
    return np.column_stack(out)


def _value(v: Any, df: pl.DataFrame) -> Any:
    if isinstance(v, dict):
        if "createDat" in v:
            return households(v["createDat"], v["seed"])
        if "as_data_frame" in v:  # R's data.frame instead of a data.table: pandas instead of polars
            return _value(v["as_data_frame"], df).to_pandas()
        if "data_frame" in v:
            return pl.DataFrame({"r": np.arange(v["data_frame"], dtype=float)})
        if "vector" in v:
            length = v["length"]["records"] * df.height if isinstance(v["length"], dict) else v["length"]
            return np.full(length, float(v["vector"]))
        if "matrix" in v:
            cells = _value(v["matrix"], df)
            if "set" in v:  # risk[index] <- value, index = sample(1:cells, size) after set.seed
                s = v["set"]["cells"]
                index = RRandom(s["seed"]).sample(list(range(1, s["sample_cells"] * df.height + 1)), s["size"])
                cells[np.asarray(index) - 1] = float(v["set"]["value"])
            return cells.reshape((-1, v["ncol"]), order="F")
        if "r_list" in v:
            return {k: _value(x, df) for k, x in v["r_list"].items()}
        if "household_counts" in v:
            return counts_risk(df, v["household_counts"]["hierarchy"], v["household_counts"]["risk_variables"])
    return v


def call(args: dict, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series | None]:
    """Run one R call: the swapped table (and swapped_with when the function ran)."""
    if "sdcObj" in args:
        # sdcMicro's createSdcObj(hhId, keyVars, seed, options): the job file's record-swap step
        params = {_KEYWORDS[k]: v for k, v in {**args["sdcObj"], **args}.items() if k in _KEYWORDS}
        result = Pipeline([("record-swap", params)], identifiers=["hid"],
                          insensitive=[c for c in df.columns if c != "hid"]).run(df)
        return result.table, None
    data = _value(args["data"], df)
    kwargs = {_KEYWORDS[k]: _value(v, df) for k, v in args.items() if k in _KEYWORDS}
    if kwargs.get("carry_along") is None:
        kwargs.pop("carry_along", None)
    res = record_swap(data, **kwargs)
    return res.table, res.swapped_with


def _swapped(table: pl.DataFrame, partner: pl.Series) -> pl.Series:
    return table["hid"].filter(table["hid"] != partner).unique()


def run_record_swap_case(case: dict) -> None:
    df = households(case["data"]["createDat"], case["data"]["seed"])
    runs: dict[str, tuple[pl.DataFrame, pl.Series | None]] = {}
    for name, args in case["runs"].items():
        if "$warning" in args:
            with pytest.warns(HouseholdRiskWarning):
                runs[name] = call(args, df)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("error", HouseholdRiskWarning)
                runs[name] = call(args, df)
    for exp in case["expect"]:
        check = exp["check"]
        if check == "r_only":
            continue
        if check in ("error", "no_error"):
            if check == "error":
                with pytest.raises(UnlinkableError):
                    call(exp["args"], df)
            else:
                call(exp["args"], df)
            continue
        if check == "household_risk_is_counts":
            got = household_risk(df, household="hid", hierarchy=exp["hierarchy"], risk_variables=exp["risk_variables"])
            assert np.array_equal(got, counts_risk(df, exp["hierarchy"], exp["risk_variables"])), exp["r"]
            continue
        if check == "same_table":
            a, b = (runs[r][0] for r in exp["runs"])
            common = [c for c in a.columns if c in b.columns]
            assert a.select(common).equals(b.select(common)), exp["r"]
            continue
        table, partner = runs[exp["run"]]
        assert partner is not None
        swapped = _swapped(table, partner)
        if check == "swapped_households":
            other = _swapped(*runs[exp["other_run"]]).len() if "other_run" in exp else exp["value"]  # type: ignore[arg-type]
            assert (swapped.len() == other) if exp["op"] == "==" else (swapped.len() >= other), exp["r"]
        elif check == "household_constant":
            spread = table.group_by("hid").agg(pl.col(exp["columns"]).n_unique())
            assert spread.select(pl.max_horizontal(exp["columns"]).max()).item() == 1, exp["r"]
        elif check == "areas_from_partner":
            cols = exp["columns"]
            before = df.select(["hid", *cols]).unique()
            after = table.select(cols).with_columns(partner.alias("hid")).unique()
            joined = before.join(after, on="hid", suffix="_2")
            assert joined.height == after.height, exp["r"]
            assert all((joined[c] == joined[f"{c}_2"]).all() for c in cols), exp["r"]
        elif check == "others_unchanged":
            assert table.drop(exp["columns"]).equals(df.drop(exp["columns"])), exp["r"]
        elif check in ("swapped_above_level", "area_changed_at_level"):
            risk = counts_risk(df, exp["hierarchy"], exp["risk_variables"])
            risky = risk > 1.0 / exp["threshold_k"]
            level = np.where(risky.any(axis=1), np.argmax(risky, axis=1), len(exp["hierarchy"]))
            if check == "swapped_above_level":  # levels run 0..len(hierarchy): "> len" selects nobody, as in R
                moved = (table["hid"] != partner).to_numpy()
                assert moved[level > exp["level"]].all(), exp["r"]
            else:
                at = level == exp["level"]  # none on createDat(10000) at level 0: R's all() of nothing holds too
                assert (table[exp["column"]].to_numpy()[at] != df[exp["column"]].to_numpy()[at]).all(), exp["r"]
        elif check == "swapped_keep_own_profile":
            # as R reads it: each swapped household's profile in the output against its own in the input
            rows = table["hid"].is_in(swapped.implode())
            assert table.filter(rows).select(exp["columns"]).equals(df.filter(rows).select(exp["columns"])), exp["r"]
        elif check == "given_risk_swapped":
            risk = _value(case["runs"][exp["run"]]["risk"], df)
            top = pl.DataFrame(risk, schema=["a", "b", "c"]).with_columns(df["hid"]).group_by("hid").agg(pl.all().max())
            due = top.filter(pl.sum_horizontal("a", "b", "c") > 1)["hid"]
            assert due.is_in(swapped.implode()).all() and due.len() > 0, exp["r"]
        else:
            raise AssertionError(f"unknown check {check}")


# --- infoLoss ---------------------------------------------------------------------------------

_R_MATH = {"sqrt": np.sqrt, "abs": np.abs, "log": np.log, "exp": np.exp}


def r_function(spec: dict) -> Any:
    """An R one-expression function of the test (``function(x, y) { sqrt(x^2 + y^2) }``) as Python: R's
    ``^`` is ``**``; a name the body does not define raises NameError, as R's 'object not found'."""
    body = spec["body"].replace("^", "**")
    names = spec["function"]
    return lambda *args: eval(body, {"__builtins__": {}}, {**_R_MATH, **dict(zip(names, args))})  # noqa: S307


def _table(v: Any, df: pl.DataFrame) -> Any:
    if isinstance(v, dict) and "recordSwap" in v:
        table = call(v["recordSwap"], df)[0]
        return table.rename(v.get("rename") or {})
    if isinstance(v, dict) and "undefined" in v:
        return None
    return _value(v, df)


def info_loss(args: dict, df: pl.DataFrame) -> Any:
    from unlinkable.sdc.table_loss import table_information_loss

    keywords = {"table_vars": "table_vars", "metric": "metrics", "hid": "household", "probs": "probs",
                "quantvals": "quantvals", "apply_quantvals": "apply_quantvals", "exclude_zeros": "exclude_zeros",
                "only_inner_cells": "only_inner_cells"}
    kwargs = {keywords[k]: v for k, v in args.items() if k in keywords}
    if "custom_metric" in args:
        kwargs["custom_metrics"] = {k: r_function(f) for k, f in args["custom_metric"]["r_list"].items()}
    return table_information_loss(_table(args["data"], df), _table(args["data_swapped"], df), **kwargs)


def run_info_loss_case(case: dict) -> None:
    df = households(case["data"]["createDat"], case["data"]["seed"])
    for exp in case["expect"]:
        if exp["check"] == "error":
            with pytest.raises(UnlinkableError):
                info_loss(exp["args"], df)
            continue
        loss = info_loss(exp["args"], df)
        swapped = _table(exp["args"]["data_swapped"], df)
        if exp["check"] == "measure_column":
            assert exp["name"] in loss.measures.columns, exp["r"]
        elif exp["check"] == "cell_count":
            a, b = exp["table_vars"]
            expected = df.select(a, b).unique().height + df[a].n_unique() + df[b].n_unique()
            assert loss.cells.height == expected, exp["r"]
        elif exp["check"] == "cell_counts":
            # each table counted again on its own, margins with the other variable missing
            table_vars = exp["args"]["table_vars"]
            counted = []
            for frame, label in ((df, "count_o"), (swapped, "count_s")):
                parts = [frame.group_by(list(s)).agg(pl.len().cast(pl.Int64).alias(label))
                         for s in ([table_vars[0]], [table_vars[1]], table_vars)]
                counted.append(pl.concat(parts, how="diagonal").select(*table_vars, label))
            expected = counted[0].join(counted[1], on=table_vars, how="inner", nulls_equal=True)
            got = loss.cells.select(*table_vars, "count_o", "count_s")
            assert expected.sort(table_vars).equals(got.sort(table_vars)), exp["r"]
        elif exp["check"] == "quantiles":
            cells = {"count_o": loss.cells["count_o"].to_numpy().astype(float),
                     "count_s": loss.cells["count_s"].to_numpy().astype(float)}
            names = dict(_R_MATH)
            if "function_def" in exp:
                names[exp["metric"]] = r_function(exp["function_def"])
            x = eval(exp["expression"], {"__builtins__": {}}, {**names, **cells})  # noqa: S307
            expected = np.quantile(x, exp["probs"])
            labels = [{0.0: "Min", 0.5: "Median", 1.0: "Max"}.get(p, f"{round(100 * p)}%") for p in exp["probs"]]
            got = loss.measures.filter(pl.col("what").is_in(labels))
            assert got["what"].to_list() == labels, exp["r"]
            assert (got[exp["metric"]].to_numpy() == expected).all(), exp["r"]
        else:
            raise AssertionError(f"unknown check {exp['check']}")
