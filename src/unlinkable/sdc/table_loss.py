"""How much a perturbation (record swapping) changed frequency tables: sdcMicro's ``infoLoss``.

The counts of every cell of the table over ``table_vars`` and of all its margins (every non-empty
subset of the variables, in R's ``combn`` order) are taken on the original and on the perturbed
table; each metric compares a cell's original count x with its perturbed count y:

* ``absD`` |x - y|; ``relabsD`` |x - y| / x (0 where x is 0); ``abssqrtD`` |sqrt(x) - sqrt(y)|;
* any function ``f(x, y)`` given in ``custom_metrics`` (checked once on 1..10 against 10..1).

The result holds the cell counts, the distribution of y - x, each metric's quantiles (R's type 7)
and mean, its cumulative distribution (over ``quantvals`` intervals for the metrics in
``apply_quantvals``), and the cells that became zero or stopped being zero. Aggregate counts only:
no record is in it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import Boolean, Names, Rule, check
from unlinkable.data.io import read_table
from unlinkable.errors import ConfigError, InputError

__all__ = ["TableLoss", "table_information_loss", "METRICS"]

_OWNER = "table_information_loss"
#: metric names as the metrics and apply_quantvals parameters list them (the words of Names, about metrics)
_METRIC_NAMES = Rule("a non-empty list of distinct metric names", Names().convert)
#: sdcMicro's defaults
PROBS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
QUANTVALS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, math.inf)

Metric = Callable[[np.ndarray, np.ndarray], Any]


def _abs_d(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.abs(x - y)
    return out


def _rel_abs_d(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.abs(x - y) / x
    out[np.isinf(out)] = 0.0
    kept: np.ndarray = out
    return kept


def _abs_sqrt_d(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.abs(np.sqrt(x) - np.sqrt(y))
    return out


#: the built-in metrics, by sdcMicro's names
METRICS: dict[str, Metric] = {"absD": _abs_d, "relabsD": _rel_abs_d, "abssqrtD": _abs_sqrt_d}


@dataclass(frozen=True)
class TableLoss:
    """``cells``: table_vars (null in a margin), count_o, count_s; ``overview``: noise (count_o - count_s),
    cnt, pct; ``measures``: what (Min, 10%, ..., Mean, ..., Max) and one column per metric;
    ``cumulative``: per metric, cat, cnt, pct; ``false_zero`` / ``false_nonzero``: cells that became
    zero / stopped being zero."""

    cells: pl.DataFrame
    overview: pl.DataFrame
    measures: pl.DataFrame
    cumulative: Mapping[str, pl.DataFrame]
    false_zero: int
    false_nonzero: int


def table_information_loss(original: Any, perturbed: Any, *, table_vars: Sequence[str],
                           metrics: Sequence[str] = ("absD", "relabsD", "abssqrtD"),
                           custom_metrics: Mapping[str, Metric] | None = None, household: str | None = None,
                           probs: Sequence[float] = PROBS, quantvals: Sequence[float] = QUANTVALS,
                           apply_quantvals: Sequence[str] = ("relabsD", "abssqrtD"), exclude_zeros: bool = False,
                           only_inner_cells: bool = False) -> TableLoss:
    """Compare the frequency tables of ``original`` and ``perturbed`` (sdcMicro ``infoLoss``).

    Parameters
    ----------
    original, perturbed : path, polars or pandas DataFrame
    table_vars : list of str
        The variables of the table; both tables need them.
    metrics : names from :data:`METRICS`
    custom_metrics : mapping of name -> function f(x, y) of two count arrays, returning an array
    household : str, optional
        Count households (the first record of each) instead of records.
    probs : quantiles of each metric to report, in [0, 1]
    quantvals : two or more interval bounds for the cumulative distributions of ``apply_quantvals``
    exclude_zeros : leave out the cells whose perturbed count is 0
    only_inner_cells : leave out the margins

    Examples
    --------
    >>> import polars as pl
    >>> a = pl.DataFrame({"region": [1, 1, 2, 2], "sex": [1, 2, 1, 2]})
    >>> b = pl.DataFrame({"region": [1, 2, 2, 2], "sex": [1, 2, 1, 2]})
    >>> loss = table_information_loss(a, b, table_vars=["region", "sex"])
    >>> loss.cells.height, loss.false_zero, loss.measures.filter(pl.col("what") == "Max")["absD"].item()
    (8, 1, 1.0)
    """
    frames = {"original": read_table(original), "perturbed": read_table(perturbed)}
    names = _names(table_vars)
    for label, frame in frames.items():
        for name in names:
            if name not in frame.columns:
                raise InputError(f"{_OWNER}: table variable {name!r} is not a column of the {label} table",
                                 hint=f"the {label} table's columns are {frame.columns[:20]}")
    named = _names(metrics, what="metrics", empty=True)
    unknown = [m for m in named if m not in METRICS]
    if unknown:
        raise ConfigError(f"{_OWNER}: unknown metric {unknown[0]!r}",
                          hint=f"the metrics are {', '.join(METRICS)}; pass others as custom_metrics")
    chosen: dict[str, Metric] = {m: METRICS[m] for m in named}
    chosen.update(_custom(custom_metrics))
    if not chosen:
        raise ConfigError(f"{_OWNER}: no metric", hint="name metrics, or give custom_metrics")
    if household is not None:
        if not isinstance(household, str) or any(household not in f.columns for f in frames.values()):
            raise InputError(f"{_OWNER}: household must name a column of both tables, got {household!r}",
                             hint="give the household column, or leave household out to count records")
        frames = {k: f.unique(subset=[household], keep="first", maintain_order=True) for k, f in frames.items()}
    quantiles = _numbers(probs, "probs", low=0.0, high=1.0)
    bounds = _numbers(quantvals, "quantvals")
    if len(bounds) < 2:
        raise ConfigError(f"{_OWNER}: quantvals must hold two or more bounds, got {len(bounds)}",
                          hint="e.g. quantvals=[0, 0.1, 0.5, inf]")
    apply_quantvals = _names(apply_quantvals, what="apply_quantvals", empty=True)
    exclude = check(exclude_zeros, Boolean(), "exclude_zeros", owner=_OWNER)
    inner = check(only_inner_cells, Boolean(), "only_inner_cells", owner=_OWNER)

    subsets = [tuple(names)] if inner else [c for r in range(1, len(names) + 1)
                                            for c in itertools.combinations(names, r)]
    cells = _counts(frames["original"], subsets, names, "count_o").join(
        _counts(frames["perturbed"], subsets, names, "count_s"), on=names, how="full", coalesce=True, nulls_equal=True)
    cells = cells.with_columns(pl.col("count_o", "count_s").fill_null(0)).sort(names, nulls_last=True)
    if exclude:
        cells = cells.filter(pl.col("count_s") != 0)
    x, y = cells["count_o"].to_numpy().astype(float), cells["count_s"].to_numpy().astype(float)
    overview = (cells.group_by(noise=pl.col("count_o") - pl.col("count_s")).agg(cnt=pl.len())
                .with_columns(pct=pl.col("cnt") / max(cells.height, 1)).sort("noise"))
    labels = _quantile_names(quantiles)
    measures: dict[str, Any] = {"what": labels}
    cumulative = {}
    for name, fn in chosen.items():
        d = np.asarray(fn(x, y), dtype=float)
        measures[name] = _distribution(d, quantiles)
        cumulative[name] = _cumulative(d, bounds if name in apply_quantvals else None)
    return TableLoss(cells, overview, pl.DataFrame(measures), cumulative,
                     int(((x != 0) & (y == 0)).sum()), int(((x == 0) & (y != 0)).sum()))


def _names(value: Any, *, what: str = "table_vars", empty: bool = False) -> list[str]:
    if empty and isinstance(value, (list, tuple)) and not value:
        return []
    example = ["absD"] if what == "metrics" else ["relabsD"] if what == "apply_quantvals" else ["region", "national"]
    constraint = Names() if what == "table_vars" else _METRIC_NAMES
    names: list[str] = check(value, constraint, what, owner=_OWNER, hint=f"e.g. {what}={example}")
    return names


def _numbers(value: Any, what: str, *, low: float | None = None, high: float | None = None) -> list[float]:
    rng = f" in [{low:g}, {high:g}]" if low is not None and high is not None else ""
    numbers: list[float] = check(value, Rule(f"a list of numbers{rng}", partial(_number_list, low=low, high=high)), what,
                                 owner=_OWNER, hint=f"fix {what}")
    return numbers


def _number_list(value: Any, *, low: float | None, high: float | None) -> list[float] | None:
    """``value`` (a list of numbers, or one number) as floats within the bounds, else None."""
    items = [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else value
    if not isinstance(items, (list, tuple)) or any(isinstance(v, (bool, str)) for v in items):
        return None
    out = [float(v) for v in items]  # a value that is not a number: TypeError/ValueError, a mismatch
    if any(math.isnan(v) or (low is not None and v < low) or (high is not None and v > high) for v in out):
        return None
    return out


def _custom(custom: Mapping[str, Metric] | None) -> dict[str, Metric]:
    if custom is None:
        return {}
    if not isinstance(custom, Mapping) or not all(callable(f) for f in custom.values()):
        raise ConfigError(f"{_OWNER}: custom_metrics must map names to functions f(x, y)", hint="e.g. {'sqD': f}")
    probe_x, probe_y = np.arange(1.0, 11.0), np.arange(10.0, 0.0, -1.0)
    for name, fn in custom.items():
        try:
            out = np.asarray(fn(probe_x, probe_y), dtype=float)
        except Exception as exc:  # noqa: BLE001 - the user's function: any failure is a bad parameter
            raise ConfigError(f"{_OWNER}: custom metric {name!r} failed on 1..10 against 10..1: "
                              f"{type(exc).__name__}: {exc}", hint="fix the function; it gets two arrays of counts") from None
        if out.shape != probe_x.shape:
            raise ConfigError(f"{_OWNER}: custom metric {name!r} must return one number per cell",
                              hint="return an array as long as its inputs")
    return dict(custom)


def _counts(frame: pl.DataFrame, subsets: list[tuple[str, ...]], names: list[str], label: str) -> pl.DataFrame:
    parts = []
    for subset in subsets:
        counted = frame.group_by(list(subset)).agg(pl.len().alias(label))
        missing = [pl.lit(None, dtype=frame.schema[n]).alias(n) for n in names if n not in subset]
        parts.append(counted.with_columns(missing).select([*names, label]))
    return pl.concat(parts).with_columns(pl.col(label).cast(pl.Int64))


def _quantile_names(probs: list[float]) -> list[str]:
    """R's quantile names (``"10%"``), Min/Median/Max for 0, 0.5 and 1, and Mean after the last p < 0.5."""
    names = [{0.0: "Min", 0.5: "Median", 1.0: "Max"}.get(p, f"{100 * p:.7g}%") for p in probs]
    below = [i for i, p in enumerate(probs) if p < 0.5]
    at = below[-1] + 1 if below else 0
    return names[:at] + ["Mean"] + names[at:]


def _distribution(d: np.ndarray, probs: list[float]) -> list[float]:
    values = [float(v) for v in np.quantile(d, probs)] if d.size else [math.nan] * len(probs)
    below = [i for i, p in enumerate(probs) if p < 0.5]
    at = below[-1] + 1 if below else 0
    return values[:at] + [float(d.mean()) if d.size else math.nan] + values[at:]


def _cumulative(d: np.ndarray, bounds: list[float] | None) -> pl.DataFrame:
    if bounds is None:
        values, counts = np.unique(d, return_counts=True)
        cats = [f"{v:.15g}" for v in values]
    else:
        edges = np.asarray(bounds)
        # R's cut(include.lowest = TRUE): (a, b], the first interval closed on the left too
        index = np.searchsorted(edges, d, side="left") - 1
        index[d == edges[0]] = 0
        counts = np.bincount(index[(index >= 0) & (index < len(edges) - 1)], minlength=len(edges) - 1)
        lower = f"{edges[0]:.3g}"
        cats = [f"[{lower},{_r_bound(b)}]" for b in edges[1:]]
    cnt = np.cumsum(counts)
    return pl.DataFrame({"cat": cats, "cnt": cnt.astype(np.int64), "pct": cnt / max(d.size, 1)})


def _r_bound(b: float) -> str:
    return "Inf" if math.isinf(b) else f"{b:.3g}"
