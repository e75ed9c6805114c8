"""The job file as frozen, typed specs (pydantic v2), and their JSON Schema for editors.

``config.py`` reads a job file and checks every value with its own worded messages; the checked
content is then parsed here into one frozen spec (:class:`TableJobSpec`, :class:`ExposureJobSpec`
or :class:`PointsJobSpec`), whose fields are typed sections. The same classes give the JSON
Schema that ``unlinkable schema`` prints: an editor that knows it completes section and parameter
names and flags an unknown key as it is typed.

The entries of ``privacy`` and ``steps`` are derived from the registries, never listed here: a
privacy model's entry from its declared ``parameters`` (``models/base.py``), an SDC step's from its
``StepSpec`` (``sdc/pipeline.py``). Adding a model or a step changes the schema by itself.

Values are checked by the models and steps themselves (one constraints vocabulary); the schema
types what a value is (a number, a list of names, a path) where that is fixed, and leaves the rest
open. A job the schema rejects is mapped into the error tree (:func:`parse_spec`): one line naming
the file, the key path and the value, with a hint.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from unlinkable.errors import ConfigError, did_you_mean, shown

#: the JSON Schema dialect of :func:`json_schema`
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Spec(BaseModel):
    """A section: frozen, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


_ROLES = Literal["identifier", "quasi-identifier", "sensitive", "insensitive", "weight", "household",
                 # aliases Role.parse reads too
                 "qi", "quasi-identifying", "id", "identifying", "weights", "hh", "household-id"]
_Delimiter = Annotated[str, Field(min_length=1, max_length=3, description='one character, or "tab"')]
_Path = Annotated[str, Field(min_length=1, description="a file path, relative to the job file")]


class TableSource(_Spec):
    """A table to read: its path and, for CSV, its delimiter (sniffed when left out)."""

    path: _Path
    delimiter: _Delimiter | None = None


class OutputSection(_Spec):
    """Where an anonymization writes: the released table, its delimiter and the HTML report."""

    path: _Path | None = None
    delimiter: _Delimiter | None = None
    report: _Path | None = None
    escape_formulas: bool = Field(True, description="prefix ' to text cells a spreadsheet would run as formulas")


class PopulationSection(_Spec):
    """The population a sample was drawn from: its size or the sampling fraction (one of the two)."""

    size: Annotated[int, Field(ge=1)] | None = None
    sampling_fraction: Annotated[float, Field(gt=0.0, le=1.0)] | None = None


class Intervals(_Spec):
    widths: list[Annotated[float, Field(gt=0.0)]] = Field(min_length=1)
    start: float | None = None


class Masking(_Spec):
    mask: Annotated[str, Field(min_length=1, max_length=1)] = "*"


class Dates(_Spec):
    format: str = "%Y-%m-%d"
    levels: list[str] | None = None


class _Hierarchies(_Spec):
    """One way to give an attribute's hierarchy (at most one of them)."""

    hierarchy: _Path | None = Field(None, description="an ARX hierarchy file (CSV, one row per value)")
    intervals: list[Annotated[float, Field(gt=0.0)]] | Intervals | None = Field(None, description="interval widths, level by level")
    # `masking: true` / `dates: true` take the builder's defaults, as the job-file checks allow
    masking: Masking | Literal[True] | None = None
    dates: Dates | Literal[True] | None = None
    grouping: list[dict[str, Any]] | None = Field(None, description="one {value: group} mapping per level")


class TableAttribute(_Hierarchies):
    """An attribute of a table job: its role and, for a quasi-identifier, its hierarchy."""

    role: _ROLES | None = None


class ExposureAttribute(_Hierarchies):
    """A release column of an exposure job: its auxiliary column, tolerance and hierarchy."""

    auxiliary: str | None = Field(None, description="the auxiliary table's column (default: the same name)")
    tolerance: float | str | None = Field(None, description='a number, or days as "3d"')


class LocalRecodingSection(_Spec):
    gs_factor: float | None = None
    max_iterations: int | None = None
    adaption_factor: float | None = None


class SparkSection(_Spec):
    """Spark settings of a job on the spark backend."""

    master: str | None = Field(None, description="the master URL, e.g. local[2]")
    conf: dict[str, Any] | None = Field(None, description="Spark settings, e.g. {spark.executor.memory: 4g}")
    app_name: str | None = Field(None, description="the application's name in the cluster's UI (default unlinkable)")
    snapshot_limit: int | None = Field(None, description="the most groups the search brings to the driver at once "
                                                         "(default 5,000,000); above it each transformation is "
                                                         "grouped in Spark")


_BACKENDS = Literal["numpy", "spark"]


class TruthKey(_Spec):
    release: str
    auxiliary: str


def _entry(name: str, keys: Mapping[str, bool], doc: str, path_keys: Sequence[str] = ()) -> type[BaseModel]:
    """A one-key mapping ``{name: {parameters}}`` whose parameters are ``keys`` (key -> required)."""
    fields: dict[str, Any] = {key: ((str if key in path_keys else Any), ... if required else None)
                              for key, required in keys.items()}
    ident = "".join(part.capitalize() for part in name.replace("_", "-").split("-"))
    params = create_model(f"{ident}Parameters", __base__=_Spec, __doc__=doc, **fields)
    entry: dict[str, Any] = {ident.lower() or "entry": (params, Field(alias=name))}
    built: type[BaseModel] = create_model(f"{ident}Entry", __base__=_Spec, **entry)
    return built


def _privacy_entries() -> list[type[BaseModel]]:
    import importlib

    from unlinkable.models import REGISTRY
    from unlinkable.models.base import Variants

    entries = []
    for name, target in REGISTRY.items():
        module, _, attribute = target.partition(":")
        builder = getattr(importlib.import_module(f"unlinkable.models.{module}"), attribute)
        classes = list(builder.classes.values()) if isinstance(builder, Variants) else [builder]
        keys: dict[str, bool] = {}
        for cls in classes:
            for key, param in cls.parameters.items():
                keys[key] = keys.get(key, True) and param.required
        for cls in classes:  # a key some variant lacks is not required of every entry
            for key in keys:
                if key not in cls.parameters:
                    keys[key] = False
        if isinstance(builder, Variants):
            keys[builder.key] = False
        paths = [key for cls in classes for key, param in cls.parameters.items() if param.path]
        entries.append(_entry(name, keys, f"privacy model {name}, e.g. {classes[0].example}", paths))
    return entries


def _step_entries() -> list[type[BaseModel]]:
    from unlinkable.sdc.pipeline import REGISTRY

    return [_entry(name, {key: key in spec.required for key in spec.params}, f"SDC step {name}")
            for name, spec in REGISTRY.items()]


def _union(types: Sequence[type[BaseModel]]) -> Any:
    return Union[tuple(types)]  # noqa: UP007 - built from a list at run time


def _build() -> tuple[type[BaseModel], type[BaseModel], type[BaseModel]]:
    privacy = _union(_privacy_entries())
    steps = _union(_step_entries())
    metric_names = __import__("unlinkable.utility", fromlist=["METRICS"]).METRICS

    from unlinkable.risk.options import AssessSection
    from unlinkable.search.algorithms import ALGORITHMS
    from unlinkable.search.options import SearchSection

    algorithms = Literal[ALGORITHMS]  # type: ignore[valid-type]  # the algorithms' names
    table_fields: dict[str, Any] = dict(
        input=(TableSource | _Path | None, None),
        attributes=(dict[str, TableAttribute | _ROLES | None], {}),
        population=(PopulationSection | None, None),
        output=(OutputSection | None, None),
        privacy=(list[privacy] | privacy | None, None),  # type: ignore[valid-type]  # built from the registry
        suppression_limit=(Annotated[float, Field(ge=0.0, le=1.0)] | None, None),
        metric=(Literal[tuple(sorted(metric_names))] | dict[str, Any] | None, None),
        # the search's own spec (what Anonymizer(search=...) parses into too), a name alone as well
        search=(Annotated[SearchSection | algorithms | None, Field(union_mode="left_to_right")], None),
        local_recoding=(LocalRecodingSection | bool | None, None),
        steps=(list[steps | tuple[str, dict[str, Any]]] | None, None),  # type: ignore[valid-type]  # built from the registry
        seed=(Annotated[int, Field(ge=0)] | None, None),
        assess=(AssessSection | None, None),  # the assessment's own spec (what assess(...) parses into too)
        backend=(_BACKENDS | None, None),
        spark=(SparkSection | None, None),
    )
    table = create_model("TableJobSpec", __base__=_Spec,
                         __doc__="A table job: assess it, or anonymize it with privacy models and/or SDC steps.",
                         **table_fields)
    exposure_fields: dict[str, Any] = dict(
        release=(TableSource | _Path, ...),
        auxiliary=(TableSource | _Path, ...),
        attributes=(dict[str, ExposureAttribute | None], ...),
        truth_key=(TruthKey | None, None),
        population=(PopulationSection | None, None),
        what_if=(bool, True),
        seed=(Annotated[int, Field(ge=0)] | None, None),
        backend=(_BACKENDS | None, None),
        spark=(SparkSection | None, None),
    )
    exposure = create_model("ExposureJobSpec", __base__=_Spec,
                            __doc__="An exposure job: how much of a release can be joined to an auxiliary table.",
                            **exposure_fields)
    # the set-valued models (unlinkable.points.anonymize.MODELS), each with its keys (key -> required)
    points_privacy = _union([_entry("k-anonymity", {"k": True}, "k-anonymity on the quasi-identifiers of relational + transaction data"),
                             _entry("km-anonymity", {"k": True, "m": False}, "privacy model km-anonymity, e.g. {k: 5, m: 2}"),
                             _entry("rho-uncertainty", {"rho": True, "sensitive_items": True, "m": False},
                                    "privacy model rho-uncertainty, e.g. {rho: 0.5, sensitive_items: [hiv]}")])
    points_fields: dict[str, Any] = dict(
        input=(dict[str, Any], ...),
        transactions=(dict[str, Any] | None, None),
        items=(dict[str, Any] | None, None),
        assess=(dict[str, Any] | None, None),
        seed=(Annotated[int, Field(ge=0)] | None, None),
        privacy=(list[points_privacy] | points_privacy | None, None),  # type: ignore[valid-type]  # built at run time
        suppression_limit=(Annotated[float, Field(ge=0.0, le=1.0)] | None, None),
        output=(dict[str, Any] | None, None),
        attributes=(dict[str, dict[str, Any]] | None, None),
    )
    points = create_model("PointsJobSpec", __base__=_Spec,
                          __doc__="A set-valued (points per person) job: baskets or transactions, assessed or anonymized.",
                          **points_fields)
    return table, exposure, points


TableJobSpec, ExposureJobSpec, PointsJobSpec = _build()
#: the spec of each kind of job
SPECS: dict[str, type[BaseModel]] = {"table": TableJobSpec, "exposure": ExposureJobSpec, "points": PointsJobSpec}


def parse_spec(raw: Any, *, kind: str = "table", source: str | Path | None = None) -> BaseModel:
    """The frozen, typed spec of a job's content; a mismatch is one :class:`ConfigError`.

    Examples
    --------
    >>> spec = parse_spec({"input": "d.csv", "privacy": [{"k-anonymity": {"k": 5}}], "search": {"algorithm": "optimal"}})
    >>> spec.search.algorithm, spec.input
    ('optimal', 'd.csv')
    >>> try:
    ...     parse_spec({"privacy": [{"k-anonymity": {"k": 5, "kk": 1}}]})
    ... except ConfigError as exc:
    ...     print(exc.one_line())
    privacy[0].k-anonymity: unknown key 'kk' (hint: did you mean 'k'? known: k)
    """
    if kind not in SPECS:
        raise ConfigError(f"unknown kind of job {kind!r}", hint=f"one of {', '.join(SPECS)}")
    try:
        return SPECS[kind].model_validate(raw, by_alias=True)
    except ValidationError as exc:
        raise _config_error(exc, raw, SPECS[kind], source) from None
    except ConfigError as exc:  # a section's own worded check (e.g. search.options.SearchSection)
        if source is None or str(source) in exc.message:
            raise
        raise ConfigError(f"{source}: {exc.message}", hint=exc.hint) from None


def _config_error(exc: ValidationError, raw: Any, spec: type[BaseModel], source: str | Path | None) -> ConfigError:
    """The most telling of pydantic's errors, in the error tree's words: file, key path, value, hint.

    An entry of a union (a privacy model, a step, a section written as a word or a mapping) fails
    once per member; the error that reaches deepest into what the job wrote speaks for it, so an
    unknown parameter of k-anonymity is not reported as "this is not l-diversity".
    """
    found = [(_located(error["loc"], raw, error["type"]), error) for error in exc.errors(include_url=False)]
    shape = ("model_type", "model_attributes_type", "dict_type", "list_type", "tuple_type")
    (loc, depth), best = max(found, key=lambda item: (item[0][1], item[1]["type"] != "missing", item[1]["type"] not in shape))
    prefix = f"{source}: " if source is not None else ""
    if best["type"] == "extra_forbidden":
        where, key = _path_text(loc[:-1]), loc[-1]
        allowed = _allowed_keys(spec, loc[:-1])
        hint = (did_you_mean(str(key), allowed).strip() + (f" known: {', '.join(allowed)}" if allowed else "")).strip()
        return ConfigError(f"{prefix}{where or 'the job file'}: unknown key {shown(key)}",
                           hint=hint or "unlinkable schema prints every key a job file may have")
    if best["type"] == "missing":
        return ConfigError(f"{prefix}`{_path_text(loc)}` is missing", hint="unlinkable schema prints what each section needs")
    message = str(best["msg"])
    return ConfigError(f"{prefix}{_path_text(loc) or 'the job file'}: {message[:1].lower() + message[1:]}, got {shown(best.get('input'))}",
                       hint="unlinkable schema prints the type of every key")


def _located(loc: Sequence[Any], raw: Any, kind: str) -> tuple[list[Any], int]:
    """``loc`` without pydantic's names of union members, and how deep it reaches into ``raw``.

    A part is a key of the job only where the job has it; the other parts name the union member
    pydantic tried (``KAnonymityEntry``, ``str``, ``literal[...]``). The last part of a missing
    key is kept (the job lacks it by definition) and counts as reached.
    """
    kept: list[Any] = []
    depth = 0
    value = raw
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(value, Mapping) and part in value:
            value, depth = value[part], depth + 1
            kept.append(part)
        elif isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value):
            value, depth = value[part], depth + 1
            kept.append(part)
        elif last and kind == "missing" and isinstance(value, Mapping):
            kept.append(part)
            depth += 1
        elif last and kind == "extra_forbidden":
            kept.append(part)
    return kept, depth


def _path_text(loc: Sequence[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models inside a type annotation (through Optional, list, dict and unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()):
        found += [m for m in _models_in(arg) if m not in found]
    return found


def _allowed_keys(spec: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The keys the mapping at ``loc`` may have (for the did-you-mean hint)."""
    models: list[type[BaseModel]] = [spec]
    for part in loc:
        if isinstance(part, int):
            continue
        nxt: list[type[BaseModel]] = []
        for model in models:
            for name, field in model.model_fields.items():
                if part in (name, field.alias):
                    nxt += [m for m in _models_in(field.annotation) if m not in nxt]
        # no such field: a key of a free mapping (attributes: column -> settings), whose values are these models
        models = nxt or models
    keys: list[str] = []
    for model in models:
        keys += [f.alias or name for name, f in model.model_fields.items() if (f.alias or name) not in keys]
    return keys


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a job file: a table, exposure or set-valued (points) job.

    Examples
    --------
    >>> schema = json_schema()
    >>> sorted(schema["$defs"]["TableJobSpec"]["properties"])[:4]
    ['assess', 'attributes', 'backend', 'input']
    """
    defs: dict[str, Any] = {}
    for spec in SPECS.values():
        schema = spec.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[spec.__name__] = schema
    return {"$schema": DIALECT, "title": "unlinkable job file",
            "description": "A job file of unlinkable (YAML or JSON): a table job (assess, anonymize), an exposure job, "
                           "or a set-valued assessment.",
            "anyOf": [{"$ref": f"#/$defs/{spec.__name__}"} for spec in SPECS.values()], "$defs": defs}


def schema_text() -> str:
    """:func:`json_schema` as the JSON text ``unlinkable schema`` prints."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


__all__ = ["TableJobSpec", "ExposureJobSpec", "PointsJobSpec", "SPECS", "parse_spec", "json_schema", "schema_text"]
