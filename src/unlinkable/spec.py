"""The job file as frozen, typed specs (pydantic v2), checked once as they are parsed, and their
JSON Schema for editors.

``config.py`` reads a job file (YAML/JSON, bounded) and hands its content to :func:`parse_spec`,
the one check of a job: each section's validator runs the section's worded check (in the order
the sections are declared, which is the file's order of checks), so a mistake is one line naming
the file, the key path and the value, with a hint and a "did you mean"; what passes becomes one
frozen spec (:class:`TableJobSpec`, :class:`ExposureJobSpec`, :class:`PointsJobSpec` or
:class:`TracesJobSpec`) whose fields are typed sections. A set-valued or a trajectory job runs the
worded checks of its package's job module (``points/job.py``, ``traces/job.py``) as its spec is
parsed, and the spec keeps the job they leave (``.job``). The search's and the assessment's sections are the specs those layers
own (``search.options.SearchSection``, ``risk.options.AssessSection``), which ``Anonymizer(...)``
and ``assess(...)`` parse their arguments into too. The same classes give the JSON Schema that
``unlinkable schema`` prints: an editor that knows it completes section and parameter names and
flags an unknown key as it is typed.

The entries of ``privacy`` and ``steps`` are derived from the registries, never listed here: a
privacy model's entry from its declared ``parameters`` (``models/base.py``), an SDC step's from its
``StepSpec`` (``sdc/pipeline.py``). Adding a model or a step changes the schema by itself.

A model's or a step's values are checked by the model and the step themselves (one constraints
vocabulary); the schema types what a value is (a number, a list of names, a path) where that is
fixed, and leaves the rest open. What the worded checks let through and the types refuse is mapped
into the error tree too (:func:`parse_spec`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self, Union, overload

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo, create_model, field_validator, model_validator

from unlinkable.constraints import check_float, check_int, check_keys
from unlinkable.data.roles import Role
from unlinkable.errors import ConfigError, did_you_mean, shown
from unlinkable.hierarchies.builders import HIERARCHY_KINDS
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.section import Section

if TYPE_CHECKING:
    from unlinkable.anonymizer_options import AnonymizeSection
    from unlinkable.points.job import PointsJob
    from unlinkable.traces.job import TracesJob

#: the JSON Schema dialect of :func:`json_schema`
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Spec(Section):
    """A section of a job file (``section.Section``: frozen, unknown keys refused); its keys may be
    given by their aliases (a privacy model's name) or their field names."""

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
    snapshot_limit: int | None = Field(None, description="the most distinct quasi-identifier tuples the search brings to "
                                                         "the driver at once (default 5,000,000); above it each "
                                                         "transformation is grouped in Spark")

    def settings(self) -> dict[str, Any]:
        """The settings given, as ``backends.choice.parse_backend`` reads them."""
        return self.model_dump(exclude_none=True)


_BACKENDS = Literal["numpy", "spark"]


class TruthKey(_Spec):
    release: str
    auxiliary: str


# ---------------------------------------------------------------------------------------------
# The worded checks. Each section's values are checked here, once, as the spec is parsed (the
# job specs' validators below call them in the file's order), so that every refusal names the
# file, the key path and the value with a hint; pydantic's own types only back them up.

#: top-level sections of a job file, by kind: ``table`` jobs (assess, anonymize) and ``exposure`` jobs
SECTIONS: dict[str, tuple[str, ...]] = {
    "table": ("input", "attributes", "population", "output", "privacy", "suppression_limit", "metric",
              "search", "local_recoding", "steps", "seed", "assess", "backend", "spark"),
    "exposure": ("release", "auxiliary", "attributes", "truth_key", "population", "what_if", "seed", "backend", "spark"),
}
#: the settings of one attribute, by job kind
ATTRIBUTE_KEYS: dict[str, tuple[str, ...]] = {
    "table": ("role", *HIERARCHY_KINDS),
    "exposure": ("auxiliary", "tolerance", *HIERARCHY_KINDS),
}
_OUTPUT_KEYS = ("path", "delimiter", "report", "escape_formulas")


def table_source(value: Any, name: str) -> dict[str, Any] | None:
    """A table section (``input``, ``release``, ``auxiliary``) as ``{path, delimiter}``: a mapping or
    its path alone, the path checked, the delimiter as one character (``tab`` read as a tab).

    Examples
    --------
    >>> table_source("d.csv", "input"), table_source({"path": "d.tsv", "delimiter": "tab"}, "input")["delimiter"]
    ({'path': 'd.csv', 'delimiter': None}, '\\t')
    """
    if value is None:
        return None
    example = "input: {path: data.csv, delimiter: ';'}" if name == "input" else f"{name}: {{path: {name}.csv, delimiter: ','}}"
    table = _mapping(value, name, ("path", "delimiter"), example)
    return {"path": _file_path(table.get("path"), f"{name}.path"), "delimiter": _delimiter(table.get("delimiter"), f"{name}.delimiter")}


def output_section(value: Any) -> dict[str, Any] | None:
    """The ``output`` section with its paths and delimiter checked."""
    if value is None:
        return None
    out = _mapping(value, "output", _OUTPUT_KEYS, "output: {path: out.csv, delimiter: ';', report: report.html}")
    return {"path": _file_path(out["path"], "output.path") if out.get("path") is not None else None,
            "delimiter": _delimiter(out.get("delimiter"), "output.delimiter"),
            "report": _file_path(out["report"], "output.report") if out.get("report") is not None else None,
            "escape_formulas": _escape_formulas(out.get("escape_formulas", True))}


def population_section(raw: Any) -> dict[str, Any] | None:
    """The ``population`` section: its size or its sampling fraction, not both."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ConfigError("`population` must be a mapping", hint="population: {size: 317238626} or {sampling_fraction: 0.01}")
    check_keys(raw, ("size", "sampling_fraction"), "`population`")
    size, fraction = raw.get("size"), raw.get("sampling_fraction")
    if size is not None and fraction is not None:
        raise ConfigError("`population` takes `size` or `sampling_fraction`, not both", hint="keep one")
    if size is not None:
        size = check_int(size, "population.size", low=1)
    if fraction is not None:
        fraction = check_float(fraction, "population.sampling_fraction", low=0.0, high=1.0, low_open=True)
    return {"size": size, "sampling_fraction": fraction}


def attribute_settings(raw: Any, *, kind: str = "table") -> dict[str, dict[str, Any]]:
    """Each attribute's settings, checked, as a mapping: a table job's role written out (a role given
    alone, a hierarchy's attribute a quasi-identifier, never insensitive by default).

    Examples
    --------
    >>> attribute_settings({"age": "qi", "zip": {"masking": True}})
    {'age': {'role': 'quasi-identifier'}, 'zip': {'masking': True, 'role': 'quasi-identifier'}}
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError("`attributes` must map column names to settings", hint="attributes: {age: {role: quasi-identifier}}")
    allowed = ATTRIBUTE_KEYS[kind]
    out: dict[str, dict[str, Any]] = {}
    for name, settings in raw.items():
        if settings is None:
            settings = {}
        if isinstance(settings, str) and kind == "table":
            settings = {"role": settings}
        if not isinstance(settings, Mapping):
            raise ConfigError(f"attribute {shown(name)}: settings must be a mapping, got {shown(settings)}",
                              hint="e.g. {role: quasi-identifier}" if kind == "table" else "e.g. {auxiliary: AGE}")
        check_keys(settings, allowed, f"attribute {shown(name)}", noun="setting")
        kinds = [k for k in HIERARCHY_KINDS if k in settings]
        if len(kinds) > 1:
            raise ConfigError(f"attribute {shown(name)}: give one of {', '.join(kinds)}, not several", hint="one hierarchy per attribute")
        if kinds:
            _builder_spec(kinds[0], settings[kinds[0]], f"attribute {shown(name)}")
        checked = dict(settings)
        if kind == "table":
            if "role" not in settings and not kinds:
                # insensitive (kept as is) is a choice the job writes down, never a default
                raise ConfigError(f"attribute {shown(name)} has no role",
                                  hint="give role: identifier (dropped), quasi-identifier, sensitive or insensitive (kept as is)")
            role_text = settings.get("role", "quasi-identifier")
            try:
                if not isinstance(role_text, str):
                    raise ValueError(role_text)
                role = Role.parse(role_text)
            except ValueError:
                roles = [r.value for r in Role]
                raise ConfigError(
                    f"attribute {shown(name)}: unknown role {shown(role_text)}",
                    hint=(did_you_mean(role_text, roles).strip() + " roles are " + ", ".join(roles)).strip(),
                ) from None
            checked["role"] = role.value  # as the schema names it (Role.parse reads other spellings too)
        out[str(name)] = checked
    return out


def _builder_spec(kind: str, value: Any, where: str) -> Any:
    """Check a hierarchy setting's shape (the builder checks the values against the data later)."""
    where = f"{where}: `{kind}`"
    if kind == "hierarchy":
        if isinstance(value, Hierarchy):
            return value
        return _file_path(value, kind)
    if kind == "intervals":
        spec = value if isinstance(value, Mapping) else {"widths": value}
        check_keys(spec, ("widths", "start"), where)
        widths = spec.get("widths")
        if not isinstance(widths, list) or not widths:
            raise ConfigError(f"{where}: the widths must be a list of numbers, got {shown(widths)}", hint="e.g. intervals: [5, 10, 20]")
        for w in widths:
            check_float(w, f"{kind} width", low=0.0, low_open=True)
            if w == float("inf"):
                raise ConfigError(f"{where}: an interval width must be finite, got {shown(w)}", hint="e.g. intervals: [5, 10, 20]")
        if spec.get("start") is not None:
            start = check_float(spec["start"], f"{kind} start")
            if start != start or start in (float("inf"), float("-inf")):
                raise ConfigError(f"{where}: start must be a finite number, got {shown(spec['start'])}", hint="e.g. start: 0")
        return value
    if kind in ("masking", "dates"):
        if value is None or value is True:
            return {}
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: must be a mapping, got {shown(value)}",
                              hint="e.g. masking: {mask: '*'}" if kind == "masking" else "e.g. dates: {format: '%Y-%m-%d', levels: [day, month, year]}")
        if kind == "masking":
            check_keys(value, ("mask",), where)
            mask = value.get("mask", "*")
            if not isinstance(mask, str) or len(mask) != 1:
                raise ConfigError(f"{where}: mask must be one character, got {shown(mask)}", hint="e.g. mask: '*'")
        else:
            check_keys(value, ("format", "levels"), where)
            if not isinstance(value.get("format", ""), str):
                raise ConfigError(f"{where}: format must be text, got {shown(value['format'])}", hint="e.g. format: '%Y-%m-%d'")
            levels = value.get("levels", ["day"])
            if not isinstance(levels, list) or not all(isinstance(v, str) for v in levels):
                raise ConfigError(f"{where}: levels must be a list of words, got {shown(levels)}", hint="e.g. levels: [day, month, year]")
        return value
    # grouping: one {value: group} mapping per level
    if not isinstance(value, list) or not value or not all(isinstance(level, Mapping) for level in value):
        raise ConfigError(f"{where}: must be a list of {{value: group}} mappings, one per level, got {shown(value)}",
                          hint="e.g. grouping: [{flu: respiratory, cold: respiratory}]")
    for level in value:
        for k, v in level.items():
            if isinstance(k, (Mapping, list)) or isinstance(v, (Mapping, list)) or v is None:
                raise ConfigError(f"{where}: {shown(k)}: {shown(v)} is not a value and its group", hint="e.g. flu: respiratory")
    return value


def _escape_formulas(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"`output.escape_formulas` must be true or false, got {shown(value)}",
                          hint="output: {escape_formulas: false} writes formula-like cells unescaped")
    return value


def _mapping(value: Any, name: str, keys: Sequence[str], example: str) -> Mapping[str, Any]:
    """A section written as a mapping (or as its path alone), with known keys and a ``path``."""
    if isinstance(value, str):
        value = {"path": value}
    if not isinstance(value, Mapping):
        raise ConfigError(f"`{name}` must be a mapping, got {shown(value)}", hint=example)
    check_keys(value, keys, f"`{name}`")
    if "path" in keys and value.get("path") is None and name != "output":
        raise ConfigError(f"`{name}` needs a `path`", hint=example)
    return value


def _file_path(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise ConfigError(f"`{name}` must be a file path, got {shown(value)}", hint="e.g. data/people.csv (relative to the job file)")
    return value


def _delimiter(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"`{name}` must be one character, got {shown(value)}", hint='e.g. ";" or ","')
    text = "\t" if value in ("\\t", "tab") else value
    if len(text) != 1 or text in ('"', "\n", "\r"):
        raise ConfigError(f"`{name}` must be one character other than a quote or line end, got {shown(value)}", hint='e.g. ";" or ","')
    return text


class _Job(_Spec):
    """A table or exposure job: each section checked in the file's order by the worded checks above
    (fields are validated in the order they are declared), then typed."""

    #: ``table`` or ``exposure``: which sections the job may have
    kind: ClassVar[str] = "table"

    @model_validator(mode="before")
    @classmethod
    def _sections(cls, raw: Any) -> Any:
        if not isinstance(raw, Mapping):
            raise ConfigError("a job file must be a mapping of sections (input, attributes, ...)",
                              hint="see the README for an example")
        check_keys(raw, SECTIONS[cls.kind], "the job file", noun="section")
        return raw

    @field_validator("input", "release", "auxiliary", mode="before", check_fields=False)
    @classmethod
    def _table(cls, value: Any, info: ValidationInfo) -> Any:
        return table_source(value, str(info.field_name))

    @field_validator("attributes", mode="before", check_fields=False)
    @classmethod
    def _attributes(cls, value: Any) -> Any:
        return attribute_settings(value, kind=cls.kind)

    @field_validator("population", mode="before", check_fields=False)
    @classmethod
    def _population(cls, value: Any) -> Any:
        return population_section(value)

    @field_validator("output", mode="before", check_fields=False)
    @classmethod
    def _output(cls, value: Any) -> Any:
        return output_section(value)

    @field_validator("seed", mode="before", check_fields=False)
    @classmethod
    def _seed(cls, value: Any) -> Any:
        return None if value is None else check_int(value, "seed", low=0)

    @field_validator("backend", mode="before", check_fields=False)
    @classmethod
    def _backend(cls, value: Any) -> Any:
        from unlinkable.backends.choice import parse_backend

        parse_backend(value)
        return value

    @field_validator("spark", mode="before", check_fields=False)
    @classmethod
    def _spark(cls, value: Any, info: ValidationInfo) -> Any:
        from unlinkable.backends.choice import parse_backend

        if value is not None:
            parse_backend(info.data.get("backend"), value)
        return value

    @field_validator("suppression_limit", mode="before", check_fields=False)
    @classmethod
    def _suppression_limit(cls, value: Any) -> Any:
        return None if value is None else check_float(value, "suppression_limit", low=0.0, high=1.0)

    @field_validator("local_recoding", mode="before", check_fields=False)
    @classmethod
    def _local_recoding(cls, value: Any) -> Any:
        if value not in (None, False):
            from unlinkable.transform.local_recoding import LocalRecoding

            LocalRecoding.from_config(value)
        return value

    @field_validator("metric", mode="before", check_fields=False)
    @classmethod
    def _metric(cls, value: Any) -> Any:
        if value is not None:
            from unlinkable.utility import metric_from_name

            metric_from_name(value)
        return value

    @field_validator("privacy", mode="before", check_fields=False)
    @classmethod
    def _privacy(cls, value: Any, info: ValidationInfo) -> Any:
        """The anonymizer's settings parsed into its spec (``anonymizer_options.AnonymizeSection``): every
        model built once with the job's population and folder, its parameters checked by its class;
        the sections read here are declared (so checked) before ``privacy``."""
        if value is None or (isinstance(value, list) and not value):
            return value  # no model: the job runs steps alone, or the command says what is missing
        from unlinkable.anonymizer_options import AnonymizeSection
        from unlinkable.models import ModelContext

        if not isinstance(value, (list, Mapping)):
            raise ConfigError(f"`privacy` must be a list of models, got {shown(value)}", hint="privacy: [{k-anonymity: {k: 5}}]")
        data = info.data
        population = data.get("population")
        context = ModelContext(base_dir=(info.context or {}).get("base_dir", Path(".")),
                               population_size=getattr(population, "size", None),
                               sampling_fraction=getattr(population, "sampling_fraction", None))
        search = data.get("search")
        if search is not None and not isinstance(search, str):
            search = search.model_dump(exclude_none=True)
        if isinstance(search, str):
            search = {"algorithm": search}
        from unlinkable.search.algorithms import SEEDED

        if search is not None and search.get("algorithm") in SEEDED and search.get("seed") is None \
                and data.get("seed") is not None:
            search = {**search, "seed": data["seed"]}  # a seeded search without a seed of its own takes the job's
        recoding = data.get("local_recoding")
        spark = data.get("spark")
        settings = {"privacy": value, "suppression_limit": data.get("suppression_limit"), "metric": data.get("metric"),
                    "search": search, "local_recoding": recoding.model_dump(exclude_none=True)
                    if isinstance(recoding, BaseModel) else recoding,
                    "backend": data.get("backend"), "spark": spark.settings() if spark is not None else None}
        if info.context is not None:
            info.context["anonymize"] = AnonymizeSection.parse(settings, context={"models": context})
        else:
            AnonymizeSection.parse(settings, context={"models": context})
        return value

    @field_validator("steps", mode="before", check_fields=False)
    @classmethod
    def _steps(cls, value: Any, info: ValidationInfo) -> Any:
        if value is not None:
            from unlinkable.sdc.pipeline import Pipeline, split_steps

            Pipeline(value, seed=info.data.get("seed"))
            if info.context is not None:
                info.context["steps"] = tuple(split_steps(value))
        return value

    @field_validator("truth_key", mode="before", check_fields=False)
    @classmethod
    def _truth_key(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise ConfigError(f"`truth_key` must be a mapping, got {shown(value)}", hint="truth_key: {release: pid, auxiliary: pid}")
        check_keys(value, ("release", "auxiliary"), "`truth_key`")
        for side in ("release", "auxiliary"):
            if not isinstance(value.get(side), str):
                raise ConfigError(f"`truth_key.{side}` must be a column name, got {shown(value.get(side))}",
                                  hint="truth_key: {release: pid, auxiliary: pid}")
        return value

    @field_validator("what_if", mode="before", check_fields=False)
    @classmethod
    def _what_if(cls, value: Any) -> Any:
        if not isinstance(value, bool):
            raise ConfigError(f"`what_if` must be true or false, got {shown(value)}", hint="what_if: false")
        return value


class _TableJob(_Job):
    kind: ClassVar[str] = "table"

    _anonymize_spec: AnonymizeSection | None = PrivateAttr(None)
    _step_pairs: tuple[tuple[str, dict[str, Any]], ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _typed(self, info: ValidationInfo) -> Self:
        """Keep what the privacy and steps checks built (frozen: private attributes are set once, here)."""
        found = info.context or {}
        self._anonymize_spec = found.get("anonymize")
        self._step_pairs = found.get("steps", ())
        return self

    @property
    def anonymize(self) -> AnonymizeSection | None:
        """The anonymizer's settings (models, suppression limit, metric, search with the job's seed,
        local recoding, backend), without the roles the data brings; None without privacy models."""
        return self._anonymize_spec

    @property
    def sdc_steps(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        """The SDC steps as checked ``(name, parameters)`` pairs, in order (empty without steps)."""
        return self._step_pairs


class _ExposureJob(_Job):
    kind: ClassVar[str] = "exposure"


class _ReadJob(_Spec):
    """A set-valued or trajectory job: its worded checks (those of its package's job module) run
    before the types, and leave the job as its commands read it (:attr:`job`)."""

    _job: Any = PrivateAttr(None)

    @classmethod
    def _read(cls, raw: Any, source: Path | None) -> Any:
        raise NotImplementedError  # each kind names its reader

    @model_validator(mode="before")
    @classmethod
    def _checked(cls, raw: Any, info: ValidationInfo) -> Any:
        job = cls._read(raw, (info.context or {}).get("source"))
        if info.context is not None:
            info.context["job"] = job
        return raw

    @model_validator(mode="after")
    def _kept(self, info: ValidationInfo) -> Self:
        self._job = (info.context or {}).get("job")
        return self

    @property
    def job(self) -> Any:
        """The checked job (``points.job.PointsJob`` or ``traces.job.TracesJob``), its paths resolved."""
        return self._job


class _PointsJob(_ReadJob):
    @classmethod
    def _read(cls, raw: Any, source: Path | None) -> Any:
        from unlinkable.points.job import parse_points_job

        return parse_points_job(raw, source=source)


class _TracesJob(_ReadJob):
    @classmethod
    def _read(cls, raw: Any, source: Path | None) -> Any:
        from unlinkable.traces.job import traces_job_from_content

        return traces_job_from_content(raw, source=source)


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


def _build() -> tuple[type[BaseModel], type[BaseModel], type[BaseModel], type[BaseModel]]:
    privacy = _union(_privacy_entries())
    steps = _union(_step_entries())
    metric_names = __import__("unlinkable.utility", fromlist=["METRICS"]).METRICS

    from unlinkable.risk.options import AssessSection
    from unlinkable.search.algorithms import ALGORITHMS
    from unlinkable.search.options import SearchSection

    algorithms = Literal[ALGORITHMS]  # type: ignore[valid-type]  # the algorithms' names
    # fields in the order their checks run (a job with two mistakes is refused for the first)
    table_fields: dict[str, Any] = dict(
        input=(TableSource | _Path | None, None),
        attributes=(dict[str, TableAttribute | _ROLES | None], {}),
        population=(PopulationSection | None, None),
        output=(OutputSection | None, None),
        seed=(Annotated[int, Field(ge=0)] | None, None),
        backend=(_BACKENDS | None, None),
        spark=(SparkSection | None, None),
        suppression_limit=(Annotated[float, Field(ge=0.0, le=1.0)] | None, None),
        # the search's own spec (what Anonymizer(search=...) parses into too), a name alone as well
        search=(Annotated[SearchSection | algorithms | None, Field(union_mode="left_to_right")], None),
        assess=(AssessSection | None, None),  # the assessment's own spec (what assess(...) parses into too)
        local_recoding=(LocalRecodingSection | bool | None, None),
        metric=(Literal[tuple(sorted(metric_names))] | dict[str, Any] | None, None),
        privacy=(list[privacy] | privacy | None, None),  # type: ignore[valid-type]  # built from the registry
        steps=(list[steps | tuple[str, dict[str, Any]]] | None, None),  # type: ignore[valid-type]  # built from the registry
    )
    table = create_model("TableJobSpec", __base__=_TableJob,
                         __doc__="A table job: assess it, or anonymize it with privacy models and/or SDC steps.",
                         **table_fields)
    exposure_fields: dict[str, Any] = dict(
        attributes=(dict[str, ExposureAttribute | None], ...),
        population=(PopulationSection | None, None),
        release=(TableSource | _Path, ...),
        auxiliary=(TableSource | _Path, ...),
        seed=(Annotated[int, Field(ge=0)] | None, None),
        backend=(_BACKENDS | None, None),
        spark=(SparkSection | None, None),
        truth_key=(TruthKey | None, None),
        what_if=(bool, True),
    )
    exposure = create_model("ExposureJobSpec", __base__=_ExposureJob,
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
    points = create_model("PointsJobSpec", __base__=_PointsJob,
                          __doc__="A set-valued (points per person) job: baskets or transactions, assessed or anonymized.",
                          **points_fields)
    # the sections of a trajectory job (unlinkable.traces.job: each checked in its words, then typed here)
    traces_fields: dict[str, Any] = dict(
        input=(TableSource | _Path, ...),
        trajectories=(dict[str, str], Field(..., description="user, and place or lat and lng; time optional")),
        preprocess=(dict[str, Any] | None, None),
        assess=(dict[str, Any] | None, None),
        privacy=(list[dict[str, Any]] | None, Field(None, description="[{trajectory-k-anonymity: {k: 5, p: 2}}]")),
        anonymize=(dict[str, Any] | None, None),
        output=(dict[str, Any] | None, None),
        seed=(Annotated[int, Field(ge=0)] | None, None),
    )
    traces = create_model("TracesJobSpec", __base__=_TracesJob,
                          __doc__="A trajectory job: location traces, assessed or released with trajectory k-anonymity.",
                          **traces_fields)
    return table, exposure, points, traces


TableJobSpec, ExposureJobSpec, PointsJobSpec, TracesJobSpec = _build()
#: the spec of each kind of job
SPECS: dict[str, type[BaseModel]] = {"table": TableJobSpec, "exposure": ExposureJobSpec, "points": PointsJobSpec,
                                     "traces": TracesJobSpec}


def parse_spec(raw: Any, *, kind: str = "table", source: str | Path | None = None, base_dir: Path | None = None) -> BaseModel:
    """The frozen, typed spec of a job's content, every value checked once on the way; a mistake is
    one :class:`ConfigError` naming the file, the key path and the value, with a hint.

    ``base_dir`` is the folder the job's paths are relative to (the job file's; default: the
    current folder): the privacy models that read a file are built from it when they are checked.

    Examples
    --------
    >>> spec = parse_spec({"input": "d.csv", "privacy": [{"k-anonymity": {"k": 5}}], "search": {"algorithm": "optimal"}})
    >>> spec.search.algorithm, spec.input.path
    ('optimal', 'd.csv')
    >>> try:
    ...     parse_spec({"privacy": [{"k-anonymity": {"k": 5, "kk": 1}}]})
    ... except ConfigError as exc:
    ...     print(exc.one_line())
    k-anonymity: unknown parameter 'kk' (hint: did you mean 'k'? k-anonymity takes k)
    """
    if kind not in SPECS:
        raise ConfigError(f"unknown kind of job {kind!r}", hint=f"one of {', '.join(SPECS)}")
    try:
        return SPECS[kind].model_validate(raw, by_alias=True, context={"base_dir": base_dir or Path("."),
                                                                       "source": None if source is None else Path(source)})
    except ValidationError as exc:
        raise _config_error(exc, raw, SPECS[kind], source) from None
    except ConfigError as exc:  # a section's own worded check (e.g. search.options.SearchSection)
        if source is None or str(source) in exc.message:
            raise
        raise ConfigError(f"{source}: {exc.message}", hint=exc.hint) from None


@overload
def parse_job_of(raw: Any, *, kind: Literal["points"], source: str | Path | None = None) -> PointsJob: ...
@overload
def parse_job_of(raw: Any, *, kind: Literal["traces"], source: str | Path | None = None) -> TracesJob: ...
def parse_job_of(raw: Any, *, kind: str, source: str | Path | None = None) -> Any:
    """The checked set-valued (``points``) or trajectory (``traces``) job of a content: the ``.job``
    of its spec, parsed by :func:`parse_spec`.

    Examples
    --------
    >>> parse_job_of({"input": {"path": "b.txt", "format": "basket-lines"}}, kind="points").format
    'basket-lines'
    """
    spec: Any = parse_spec(raw, kind=kind, source=source)
    return spec.job


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
    """The JSON Schema of a job file: a table, exposure, set-valued (points) or trajectory job.

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
                           "a set-valued job or a trajectory job.",
            "anyOf": [{"$ref": f"#/$defs/{spec.__name__}"} for spec in SPECS.values()], "$defs": defs}


def schema_text() -> str:
    """:func:`json_schema` as the JSON text ``unlinkable schema`` prints."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


__all__ = ["TableJobSpec", "ExposureJobSpec", "PointsJobSpec", "TracesJobSpec", "SPECS", "parse_spec", "parse_job_of", "json_schema", "schema_text"]
