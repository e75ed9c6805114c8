"""A chain of sdcMicro-style methods, configured as in a job file and validated up front.

::

    Pipeline([
        {"recode": {"attribute": "age", "breaks": [0, 18, 65, 120]}},
        {"pram": {"attribute": "roof", "retain": 0.8, "seed": 7}},
    ]).run(df)  ->  PipelineResult(table, steps=(summary per step, ...))

A step is written ``{name: {parameters}}`` in Python as in a job file's ``steps:`` (and as a
privacy model is written); :func:`split_steps` reads that one shape for both (a ``(name,
parameters)`` pair reads too, in both).

Step names map through :data:`REGISTRY` to a parameter schema and a runner. Every parameter is
checked when the pipeline is built, so a typo fails before any data is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import AnyOf, Boolean, Constraint, Interval, Names, OneOf, Optional, Rule, Text, check
from unlinkable.data.io import read_table
from unlinkable.data.roles import Role, column_roles, kept_as_is
from unlinkable.errors import ConfigError, InputError, did_you_mean, shown
from unlinkable.risk.released import released_uniqueness
from unlinkable.sdc.recode import RECODE_METHODS

__all__ = ["Pipeline", "PipelineResult", "REGISTRY", "StepSpec", "split_steps", "step_attributes"]


# --- parameter constraints (unlinkable.constraints: one vocabulary, one message template) --------

_str = Text()
_str_list = Names()
_bool = Boolean()
_seed = Optional(Interval(int, 0, None))
_list = Rule("a list", lambda v: list(v) if isinstance(v, (list, tuple)) else None)


def _number(low: float | None = None, high: float | None = None) -> Interval:
    return Interval(float, low, high, finite=True)


def _int(low: int) -> Interval:
    return Interval(int, low, None)


def _plain_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _break_list(value: Any) -> list[float] | int | None:
    if _plain_int(value):
        return int(value) if value >= 2 else None
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        return None
    for v in value:
        _number().convert(v)
    return list(value)


_breaks = Rule("a list of at least two cut points or a number of intervals >= 2", _break_list)
_int_list = Rule("a list of whole numbers",
                 lambda v: list(v) if isinstance(v, (list, tuple)) and all(_plain_int(x) for x in v) else None)
#: one k, or (with ``combs``) one k per subset size
_k = AnyOf((Interval(int, 1, None),
            Rule("a list of whole numbers >= 1 (one per combs entry)",
                 lambda v: list(v) if isinstance(v, (list, tuple)) and v and all(_plain_int(x) and x >= 1 for x in v) else None)))
#: sdcMicro's integers (1 = suppressed last), or the attribute names, most important first
_importance = Rule("a list of whole numbers (1 = suppressed last) or of attribute names, most important first",
                   lambda v: list(v) if isinstance(v, (list, tuple)) and v and (all(isinstance(x, str) for x in v)
                                                                                 or all(_plain_int(x) for x in v)) else None)


def _choice(*options: str) -> OneOf:
    return OneOf(tuple(options))


def _importance_ranks(names: list[str], attributes: list[str]) -> list[int]:
    """Attribute names in order of importance -> sdcMicro's rank per attribute (first name = 1)."""
    if sorted(names) != sorted(attributes):
        raise ConfigError(f"local-suppression: importance {names!r} must list each of the attributes {attributes!r} once",
                          hint="name every attribute once, most important (suppressed last) first")
    return [names.index(a) + 1 for a in attributes]


def _transition(value: Any) -> Any:
    if isinstance(value, Mapping):
        return value if all(isinstance(row, Mapping) for row in value.values()) else None
    if isinstance(value, np.ndarray) or (isinstance(value, (list, tuple)) and all(isinstance(r, (list, tuple)) for r in value)):
        return value
    return None


_matrix = Rule("a {from: {to: probability}} mapping or a square list of rows", _transition)


@dataclass(frozen=True)
class StepSpec:
    """A step: its parameter checks, which are required, which name columns, and its runner."""

    params: Mapping[str, Constraint]
    required: tuple[str, ...]
    columns: tuple[str, ...]
    run: Callable[[pl.DataFrame, dict[str, Any]], tuple[pl.DataFrame, dict[str, Any]]]
    random: bool = False
    #: parameters naming columns the step only reads to group records, which may be identifiers
    reads: tuple[str, ...] = ()


# --- runners: import lazily so a step's module is needed only when that step is used ------------


def _run_recode(df: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
    from unlinkable.sdc.recode import recode

    out = recode(df, **params)
    nulls = int(out[params["attribute"]].null_count() - df[params["attribute"]].null_count())
    return out, {"new_nulls": nulls}


def _run_top_bottom(df: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
    from unlinkable.sdc.top_bottom import top_bottom_code

    return top_bottom_code(df, **params), {}


def _run_pram(df: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
    from unlinkable.sdc.pram import pram

    res = pram(df, **params)
    return res.table, {"changed": res.changed, "categories": list(res.categories), "transition": res.transition.tolist()}


def _run_noise(df: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
    from unlinkable.sdc.noise import add_noise

    if params.get("method") == "ROMM":
        # ROMM mixes all records into each one: a missing value would blank its whole column
        for name in params["attributes"]:
            if name in df.columns and df[name].null_count():
                raise InputError(f"noise: column {name!r} has missing values, which ROMM cannot mix",
                                 hint="impute or drop them first, or use another noise method")
    return add_noise(df, **params), {}


def _run_synthetic(df: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
    from unlinkable.sdc.synthetic import synthetic_normal

    return df.with_columns(synthetic_normal(df, **params)), {}


def _run_rank_swap(df: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
    from unlinkable.sdc.rank_swap import rank_swap

    return rank_swap(df, **params), {}


def _run_local_suppression(df: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
    from unlinkable.sdc.local_suppression import local_suppression

    importance = params.get("importance")
    if importance and isinstance(importance[0], str):
        params = {**params, "importance": _importance_ranks(list(importance), list(params["attributes"]))}
    res = local_suppression(df, **params)
    return res.table, {"suppressed": dict(res.suppressed), "total_suppressed": int(res.total_suppressed)}


def _run_risk_suppression(df: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
    from unlinkable.sdc.risk_suppression import risk_suppression

    res = risk_suppression(df, **params)
    return res.table, {"suppressed": res.suppressed}


def _run_shuffle(df: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
    from unlinkable.sdc.shuffle import shuffle

    params = dict(params)
    return shuffle(df, responses=params.pop("attributes"), **params), {}


def _run_record_swap(df: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
    from unlinkable.sdc.record_swap import record_swap

    res = record_swap(df, **params)
    # counts only: the pairs (res.swapped_with) would undo the swap
    return res.table, {"swapped_households": res.swapped_households, "risky_households": res.risky_households,
                       "no_donor": res.no_donor}


def _run_microaggregation(df: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
    from unlinkable.sdc.microaggregation import microaggregation

    res = microaggregation(df, **params)
    return res.table, {"n_groups": int(res.n_groups)}


_unit = _number(0.0, 1.0)
#: sdcMicro's similarity profiles: one list of columns, or a list of such lists (tried in order)
_profiles = Rule("a list of column names or a list of such lists",
                 lambda v: [list(v)] if isinstance(v, (list, tuple)) and v and all(isinstance(x, str) for x in v)
                 else ([list(p) for p in v] if isinstance(v, (list, tuple)) and v and all(
                     isinstance(p, (list, tuple)) and p and all(isinstance(x, str) for x in p) for p in v) else None))
_percent = _number(0.0, 100.0)

#: Step name -> specification. The names are those of the job file.
REGISTRY: dict[str, StepSpec] = {
    "recode": StepSpec(
        {"attribute": _str, "breaks": _breaks, "labels": _list, "right": _bool, "include_lowest": _bool, "outside": _choice("error", "null"),
         "method": _choice(*RECODE_METHODS)},
        ("attribute", "breaks"),
        ("attribute",),
        _run_recode,
    ),
    "top-bottom": StepSpec(
        {"attribute": _str, "top": _number(), "top_value": _number(), "bottom": _number(), "bottom_value": _number()},
        ("attribute",),
        ("attribute",),
        _run_top_bottom,
    ),
    "pram": StepSpec(
        {
            "attribute": _str,
            "retain": _unit,
            "transition": _matrix,
            "categories": _list,
            "invariant": _bool,
            "alpha": _unit,
            "strata": _str_list,
            "seed": _seed,
        },
        ("attribute",),
        ("attribute", "strata"),
        _run_pram,
        random=True,
    ),
    "noise": StepSpec(
        {"attributes": _str_list, "noise": _number(0.0),
         "method": _choice("additive", "correlated", "correlated2", "restr", "ROMM", "outdect"), "delta": _number(0.0, 1.0),
         "p": _number(0.0), "seed": _seed},
        ("attributes",),
        ("attributes",),
        _run_noise,
        random=True,
    ),
    "rank-swap": StepSpec(
        {"attributes": _str_list, "p": _percent, "r0": _unit, "k0": _number(0.0), "top": _percent, "bottom": _percent, "seed": _seed},
        ("attributes",),
        ("attributes",),
        _run_rank_swap,
        random=True,
    ),
    "local-suppression": StepSpec(
        {"k": _k, "attributes": _str_list, "importance": _importance, "alpha": _unit, "method": _str,
         "strata": _str_list, "combs": _int_list},
        ("k", "attributes"),
        ("attributes",),
        _run_local_suppression,
    ),
    "risk-suppression": StepSpec(
        {"attribute": _str, "keys": _str_list, "threshold": _unit, "weights": _str,
         "method": _choice("approx", "exact"), "qual": _number(0.0)},
        ("attribute", "keys"),
        ("attribute", "keys", "weights"),
        _run_risk_suppression,
    ),
    "shuffle": StepSpec(
        {"attributes": _str_list, "predictors": _str_list, "method": _choice("ds", "mvn", "mlm"),
         "covmethod": _choice("spearman", "pearson", "mcd"), "regmethod": _choice("lm", "MM"), "gadp": _bool, "seed": _seed},
        ("attributes", "predictors"),
        ("attributes", "predictors"),
        _run_shuffle,
        random=True,
    ),
    "synthetic": StepSpec(
        {"attributes": _str_list, "seed": _seed},
        ("attributes",),
        ("attributes",),
        _run_synthetic,
        random=True,
    ),
    "record-swap": StepSpec(
        {"household": _str, "hierarchy": _str_list, "similar": _profiles, "swaprate": _unit, "k_anonymity": _int(0),
         "risk_variables": _str_list, "risk": _str_list, "risk_threshold": _number(0.0), "carry_along": _str_list,
         "seed": _seed},
        ("household", "hierarchy", "similar"),
        ("household", "hierarchy", "risk_variables", "risk", "carry_along"),
        _run_record_swap,
        random=True,
        reads=("household",),
    ),
    "microaggregation": StepSpec(
        {"attributes": _str_list, "k": _int(1), "method": _str, "aggregate": _str},
        ("attributes",),
        ("attributes",),
        _run_microaggregation,
    ),
}


def split_steps(raw: Any) -> list[tuple[str, dict[str, Any]]]:
    """Steps as written, in Python or a job file's ``steps:``, as checked ``(name, parameters)`` pairs.

    A step is ``{name: {parameters}}`` (a ``(name, parameters)`` pair reads too); the name must be
    one of :data:`REGISTRY` (with a "did you mean" hint) and the parameters a mapping.

    Examples
    --------
    >>> split_steps([{"recode": {"attribute": "age", "breaks": [0, 50, 100]}}])
    [('recode', {'attribute': 'age', 'breaks': [0, 50, 100]})]
    """
    if isinstance(raw, (str, Mapping)) or not isinstance(raw, Sequence):
        raise ConfigError(f"`steps` must be a list of {{name: {{parameters}}}}, got {shown(raw)}",
                          hint='e.g. [{"pram": {"attribute": "roof", "retain": 0.8}}] (steps: [{pram: {...}}] in a job file)')
    pairs: list[tuple[str, dict[str, Any]]] = []
    for i, step in enumerate(raw):
        if isinstance(step, Mapping) and len(step) == 1:
            ((name, params),) = step.items()
        elif isinstance(step, (tuple, list)) and len(step) == 2:
            name, params = step
        else:
            raise ConfigError(f"steps[{i}] must be written as {{name: {{parameters}}}}, got {shown(step)}",
                              hint='e.g. {"local-suppression": {"k": 3, "attributes": ["age", "sex"]}}')
        if not isinstance(name, str) or name not in REGISTRY:
            raise ConfigError(f"steps[{i}]: unknown step {shown(name)}",
                              hint=(did_you_mean(str(name), REGISTRY).strip() + f" the steps are {', '.join(sorted(REGISTRY))}").strip())
        if params is None:
            params = {}
        if not isinstance(params, Mapping):
            raise ConfigError(f"steps[{i}] ({name!r}): the parameters must be a mapping, got {shown(params)}",
                              hint="give the step's parameters as a mapping of names to values")
        pairs.append((name, dict(params)))
    return pairs


@dataclass(frozen=True)
class PipelineResult:
    """The output table and one summary dict per step (name, params, changed cells, step figures).

    ``stages`` are the tables between the steps (input, after step 1, ..., output), which the
    verifier needs to check each step on its own input; polars shares unchanged columns, so they
    cost only the columns a step rewrote. ``table`` is the last stage without the identifiers.
    ``roles`` gives every input column's role; ``released_uniqueness`` measures ``table`` on every
    column not declared sensitive (:func:`unlinkable.risk.released.released_uniqueness`).
    """

    table: pl.DataFrame
    steps: tuple[dict[str, Any], ...]
    stages: tuple[pl.DataFrame, ...] = field(default=(), repr=False)
    roles: Mapping[str, str] = field(default_factory=dict)
    released_uniqueness: Mapping[str, Any] = field(default_factory=dict)


class Pipeline:
    """Run SDC methods one after another on a table.

    Parameters
    ----------
    steps : list of (name, params)
        Each step is a name from :data:`REGISTRY` (``recode``, ``top-bottom``, ``pram``, ``noise``,
        ``rank-swap``, ``local-suppression``, ``risk-suppression``, ``shuffle``, ``synthetic``, ``record-swap``,
        ``microaggregation``) and a dict of that method's
        keyword arguments (without the data).
    seed : int, optional
        Seeds the random steps that do not set their own ``seed`` (one independent stream per step,
        from ``numpy.random.SeedSequence``), so one number makes the whole run reproducible. Without
        any seed, a random step draws from the operating system's entropy. Seeds are never recorded
        in the step summaries.
    identifiers, quasi_identifiers, sensitive, insensitive : sequence of str
        The role of every column of the data: identifiers are dropped from the output, the
        others kept (changed only by the steps that name them). A column without a role is an
        error at :meth:`run`, so nothing is released that nobody looked at.

    Raises
    ------
    ConfigError
        Naming the step index (``steps[i]``), the step and the parameter: an unknown step name, an
        unknown, missing or ill-typed parameter.

    Notes
    -----
    The order of steps follows the sdcMicro workflow (Templ, Kowarik and Meindl, JSS 67(4), 2015):
    recode first, then suppress, then perturb.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"age": [23, 35, 47, 52], "roof": [1, 1, 2, 2]})
    >>> result = Pipeline([{"recode": {"attribute": "age", "breaks": [0, 40, 100]}},
    ...                    {"pram": {"attribute": "roof", "retain": 1.0, "seed": 1}}],
    ...                   quasi_identifiers=["age", "roof"]).run(df)
    >>> result.table["age"].to_list(), [s["changed_cells"] for s in result.steps]
    ([1, 1, 2, 2], [4, 0])
    """

    def __init__(self, steps: Sequence[Mapping[str, Mapping[str, Any]] | tuple[str, Mapping[str, Any]]], *,
                 seed: int | None = None,
                 identifiers: Sequence[str] = (), quasi_identifiers: Sequence[str] = (),
                 sensitive: Sequence[str] = (), insensitive: Sequence[str] = ()) -> None:
        pairs = split_steps(steps)
        seed = check(seed, _seed, "seed", owner="pipeline", hint="e.g. seed=42")
        streams = np.random.SeedSequence(seed).spawn(len(steps)) if seed is not None else [None] * len(steps)
        checked: list[tuple[str, dict[str, Any]]] = []
        for i, (name, params) in enumerate(pairs):
            spec = REGISTRY[name]
            where = f"pipeline steps[{i}] ({name!r})"
            for key in params:
                if key not in spec.params:
                    raise ConfigError(f"{where}: unknown parameter {shown(key)}",
                                      hint=(did_you_mean(key, spec.params).strip() + f" {name} takes {', '.join(sorted(spec.params))}").strip())
            for key in spec.required:
                if key not in params:
                    raise ConfigError(f"{where}: parameter {key!r} is missing", hint=f"{name} needs {list(spec.required)}")
            clean: dict[str, Any] = {}
            for key, value in params.items():
                clean[key] = check(value, spec.params[key], key, owner=where, hint=f"fix {key!r} in step {i}: {spec.params[key].hint()}")
            stream = streams[i]
            if spec.random and clean.get("seed") is None and stream is not None:
                clean["seed"] = int(stream.generate_state(1)[0])
            checked.append((name, clean))
        self.steps: tuple[tuple[str, dict[str, Any]], ...] = tuple(checked)
        self.columns_by_role = tuple((role, _names(names, role)) for role, names in (
            (Role.IDENTIFIER, identifiers), (Role.QUASI_IDENTIFIER, quasi_identifiers),
            (Role.SENSITIVE, sensitive), (Role.INSENSITIVE, insensitive)))

    def run(self, data: Any) -> PipelineResult:
        """Apply every step in order; return the final table and a summary per step.

        Each summary holds ``step`` (index), ``name``, ``params`` (without ``seed``: a seed
        and the release together give back the unperturbed values), ``changed_cells`` (cells of the
        step's columns that differ from the step's input, null-aware) and the step's own figures
        (``changed`` for pram, ``suppressed``/``total_suppressed``, ``n_groups``, ``new_nulls``).
        """
        table = read_table(data)
        roles = column_roles(table.columns, self.columns_by_role)
        identifiers = [c for c, r in roles.items() if r is Role.IDENTIFIER]
        summaries = []
        stages = [table]
        for i, (name, params) in enumerate(self.steps):
            spec = REGISTRY[name]
            columns: list[str] = []
            for key in spec.columns:
                value = params.get(key)
                columns += [value] if isinstance(value, str) else list(value or [])
            missing = [c for c in columns if c not in table.columns]
            if missing:
                raise InputError(f"pipeline steps[{i}] ({name!r}): no column {missing[0]!r}", hint=f"the columns are {table.columns}")
            read_only = {c for key in spec.reads for c in ([params[key]] if isinstance(params.get(key), str) else params.get(key) or [])}
            identifiers_used = [c for c in columns if c in identifiers and c not in read_only]
            if identifiers_used:
                raise ConfigError(f"pipeline steps[{i}] ({name!r}) works on {identifiers_used[0]!r}, an identifier (dropped from the output)",
                                  hint="give the column another role, or remove it from the step")
            out, extra = spec.run(table, dict(params))
            touched = [c for c in columns if c in out.columns and (_is_target(params, c))]
            # The seed is a secret: with it and the release, perturbed values can be recomputed exactly.
            shown = {key: value for key, value in params.items() if key != "seed"}
            summaries.append({"step": i, "name": name, "params": shown, "changed_cells": _changed(table, out, touched), **extra})
            table = out
            stages.append(table)
        released = table.drop(identifiers)
        quasi_identifiers = [c for c, r in roles.items() if r is Role.QUASI_IDENTIFIER]
        uniqueness = released_uniqueness(released, quasi_identifiers=quasi_identifiers, kept=kept_as_is(roles))
        return PipelineResult(released, tuple(summaries), tuple(stages), {c: r.value for c, r in roles.items()}, uniqueness)


def _names(value: Any, role: Role) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"pipeline: the {role.value} columns must be a list of column names, got {value!r}",
                          hint="e.g. insensitive=['region']")
    return list(value)


def _is_target(params: Mapping[str, Any], column: str) -> bool:
    """Strata columns are read, not written; every other named column is a step's target."""
    strata = params.get("strata") or []
    return column not in ([strata] if isinstance(strata, str) else strata)


def _changed(before: pl.DataFrame, after: pl.DataFrame, columns: list[str]) -> int:
    total = 0
    for c in dict.fromkeys(columns):
        a, b = before[c], after[c]
        if a.dtype != b.dtype:
            a, b = a.cast(pl.String), b.cast(pl.String)
        total += int(a.ne_missing(b).sum())
    return total


def step_attributes(step: Mapping[str, Any]) -> list[str]:
    """The columns a step summary (``PipelineResult.steps`` item) says the step works on.

    Examples
    --------
    >>> step_attributes({"name": "pram", "params": {"attribute": "roof"}})
    ['roof']
    """
    params = step.get("params", {}) or {}
    names = list(params.get("attributes") or [])
    if params.get("attribute"):
        names.append(params["attribute"])
    # record swapping writes the areas and the columns carried along with them
    names += list(params.get("hierarchy") or []) + list(params.get("carry_along") or [])
    return [str(n) for n in names]
