"""Job files and parameters, validated once into frozen objects.

A job file (YAML 1.2, so JSON syntax reads too) is shared by every command::

    input: {path: adult.csv, delimiter: ";"}      # relative to the job file
    attributes:
      age: {role: quasi-identifier, hierarchy: adult_hierarchy_age.csv}   # or {intervals: [5, 10, 20]}
      occupation: {role: sensitive}
    population: {size: 317238626}                 # or {sampling_fraction: 0.01}
    privacy: [...]; suppression_limit: 0.05; metric: loss; search: {...}; output: {...}; steps: [...]

Sections a command does not use are kept as plain data for the command that does, but every
section is checked when the file is read: an unknown key at any level is an error with a "did you
mean" hint, and so is a key given twice. Job files are small, so the reader is bounded: at most
``MAX_JOB_BYTES`` (1 MB), no YAML aliases (``*name``: they let a few lines expand to gigabytes),
and at most ``MAX_DEPTH`` levels of nesting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from unlinkable.constraints import check_float, check_int, check_keys
from unlinkable.data.roles import Role
from unlinkable.errors import ConfigError, UnlinkableError, did_you_mean, shown
from unlinkable.hierarchies import builders
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.hierarchies.io import read_hierarchy

_HIERARCHY_KINDS = ("hierarchy", "intervals", "masking", "dates", "grouping")

#: the largest job file read (bytes)
MAX_JOB_BYTES = 1_000_000
#: the deepest nesting of lists and mappings in a job file
MAX_DEPTH = 32

#: top-level sections of a job file, by kind: ``table`` jobs (assess, anonymize) and ``exposure`` jobs
SECTIONS: dict[str, tuple[str, ...]] = {
    "table": ("input", "attributes", "population", "output", "privacy", "suppression_limit", "metric",
              "search", "local_recoding", "steps", "seed", "assess", "backend", "spark"),
    "exposure": ("release", "auxiliary", "attributes", "truth_key", "population", "what_if", "seed", "backend", "spark"),
}
#: the settings of one attribute, by job kind
ATTRIBUTE_KEYS: dict[str, tuple[str, ...]] = {
    "table": ("role", *_HIERARCHY_KINDS),
    "exposure": ("auxiliary", "tolerance", *_HIERARCHY_KINDS),
}
_OUTPUT_KEYS = ("path", "delimiter", "report", "escape_formulas")


@dataclass(frozen=True)
class HierarchySpec:
    """How to obtain one attribute's hierarchy: a file, or a builder with its parameters."""

    kind: str
    value: Any
    base_dir: Path = Path(".")

    def build(self, column: str, values: Sequence[str | None]) -> Hierarchy:
        """The hierarchy for ``column`` whose data values are ``values``."""
        if self.kind == "hierarchy":
            if isinstance(self.value, Hierarchy):
                return self.value.with_name(column)
            return read_hierarchy(self.base_dir / str(self.value), name=column)
        if self.kind == "intervals":
            spec = self.value if isinstance(self.value, Mapping) else {"widths": self.value}
            return builders.intervals(values, spec["widths"], start=spec.get("start"), column=column)
        if self.kind == "masking":
            spec = self.value if isinstance(self.value, Mapping) else {}
            return builders.masking(values, mask=spec.get("mask", "*"), column=column)
        if self.kind == "dates":
            spec = self.value if isinstance(self.value, Mapping) else {}
            return builders.dates(values, format=spec.get("format", "%Y-%m-%d"),
                                  levels=spec.get("levels", ("day", "month", "year", "decade")), column=column)
        if self.kind == "grouping":
            return builders.grouping(values, self.value, column=column)
        raise ConfigError(f"unknown hierarchy kind {self.kind!r}", hint=f"use one of {', '.join(_HIERARCHY_KINDS)}")


@dataclass(frozen=True)
class AttributeSpec:
    name: str
    role: Role
    hierarchy: HierarchySpec | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InputSpec:
    path: Path
    delimiter: str | None = None


@dataclass(frozen=True)
class OutputSpec:
    path: Path | None = None
    delimiter: str | None = None
    report: Path | None = None
    #: prefix ' to text cells a spreadsheet would run as formulas (see unlinkable.data.formulas)
    escape_formulas: bool = True


@dataclass(frozen=True)
class Job:
    """A validated job file."""

    source: Path | None
    input: InputSpec | None
    attributes: tuple[AttributeSpec, ...]
    population_size: int | None = None
    sampling_fraction: float | None = None
    output: OutputSpec = OutputSpec()
    sections: Mapping[str, Any] = field(default_factory=dict)
    #: the whole job as a frozen, typed spec (``unlinkable.spec``), every section typed
    spec: Any = None
    #: an exposure job's ``release`` and ``auxiliary`` tables, by section name
    tables: Mapping[str, InputSpec] = field(default_factory=dict)

    def names(self, role: Role) -> list[str]:
        return [a.name for a in self.attributes if a.role == role]

    def attribute(self, name: str) -> AttributeSpec | None:
        return next((a for a in self.attributes if a.name == name), None)

    def hierarchy_specs(self) -> dict[str, HierarchySpec]:
        return {a.name: a.hierarchy for a in self.attributes if a.hierarchy is not None}

    def build_hierarchies(self, frame: Any) -> dict[str, Hierarchy]:
        """The hierarchy of every attribute that names one and is a column of ``frame``.

        Builders (intervals, masking, ...) derive theirs from the column's values; a hierarchy
        file needs none (listing a column's distinct values is a pass over every record).
        """
        return {name: spec.build(name, _distinct_text(frame[name]) if spec.kind != "hierarchy" else [])
                for name, spec in self.hierarchy_specs().items() if name in frame.columns}

    @property
    def base_dir(self) -> Path:
        return self.source.parent if self.source else Path(".")


def _distinct_text(column: Any) -> list[str | None]:
    """A column's distinct values as text, in first-appearance order (a categorical one from its codes)."""
    import polars as pl

    if isinstance(column.dtype, (pl.Categorical, pl.Enum)):
        return list(column.unique(maintain_order=True).cast(pl.String).to_list())
    return list(column.cast(str).unique(maintain_order=True).to_list())


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases, without duplicate keys and with bounded nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
            raise ConfigError(f"line {mark.line + 1}: YAML aliases (*name) are not allowed in a job file",
                              hint="write the value out in full where it is needed")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
            raise ConfigError(f"line {mark.line + 1}: nested more than {MAX_DEPTH} levels deep",
                              hint="a job file needs only a few levels of nesting")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    hash(key)
                except TypeError:
                    raise ConfigError(f"line {line}: a key must be a plain value, got {type(key).__name__}",
                                      hint="write keys as words, e.g. k: 5") from None
                if key in first:
                    raise ConfigError(f"line {line}: key {shown(key)} is given twice (first at line {first[key]})",
                                      hint="keep one of them; a later key would silently replace the earlier one")
                first[key] = line
        return super().construct_mapping(node, deep)


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_yaml_map)  # type: ignore[type-var]  # stubs: SafeConstructor


def read_job_file(path: str | Path) -> Any:
    """The parsed content of a YAML/JSON job file, read with the bounds of this module.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "job.yaml"
    >>> _ = p.write_text("k: 1\\nk: 2\\n")
    >>> read_job_file(p)
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: ...job.yaml: line 2: key 'k' is given twice (first at line 1)...
    """
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such job file", hint="check the path")
    if not path.is_file():
        raise ConfigError(f"{path}: is a directory, not a file", hint="give the path of a job file (.yaml or .json)")
    size = path.stat().st_size
    if size > MAX_JOB_BYTES:
        raise ConfigError(f"{path}: a job file of {size:,} bytes is larger than the limit of {MAX_JOB_BYTES:,}",
                          hint="a job file describes the data; put the data itself in a CSV or Parquet file")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})", hint="save the job file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})", hint="check the permissions") from None
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc.message}", hint=exc.hint) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: not a readable YAML/JSON job file{where}", hint="check the indentation and brackets") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply", hint="a job file needs only a few levels of nesting") from None
    finally:
        loader.dispose()


def load_job(path: str | Path, *, kind: str = "table") -> Job:
    """Read and validate a job file (YAML or JSON syntax).

    ``kind`` is ``"table"`` (assess, anonymize) or ``"exposure"``; it decides which sections exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "job.yaml"
    >>> _ = p.write_text("input: {path: d.csv}\\nattributes:\\n  age: {role: quasi-identifier, intervals: [5, 10]}\\n")
    >>> load_job(p).names(Role.QUASI_IDENTIFIER)
    ['age']
    """
    path = Path(path)
    return job_from_content(read_job_file(path), source=path, kind=kind)


def job_from_content(raw: Any, *, source: Path | None = None, kind: str = "table") -> Job:
    """Validate a job's content: that of the job file ``source``, or a mapping given in Python
    (``source`` None: its paths are relative to the current folder).

    Examples
    --------
    >>> job_from_content({"input": "d.csv", "attributes": {"age": "quasi-identifier"}}).input.path
    PosixPath('d.csv')
    """
    where = f"{source}: " if source is not None else ""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}a job file must be a mapping of sections (input, attributes, ...)",
                          hint="see the README for an example")
    try:
        return parse_job(raw, base_dir=source.parent if source is not None else Path("."), source=source, kind=kind)
    except ConfigError as exc:
        if source is None or str(source) in exc.message:
            raise
        raise ConfigError(f"{source}: {exc.message}", hint=exc.hint) from None


def parse_job(raw: Mapping[str, Any], *, base_dir: Path = Path("."), source: Path | None = None,
              kind: str = "table") -> Job:
    """Validate every section; keep the command-specific ones (checked) for their command."""
    if kind not in SECTIONS:
        raise ConfigError(f"unknown kind of job {kind!r}", hint=f"one of {', '.join(SECTIONS)}")
    check_keys(raw, SECTIONS[kind], "the job file", noun="section")
    input_spec = None
    if raw.get("input") is not None:
        inp = _mapping(raw["input"], "input", ("path", "delimiter"), "input: {path: data.csv, delimiter: ';'}")
        input_spec = InputSpec(base_dir / _path_text(inp.get("path"), "input.path"), _delimiter(inp.get("delimiter"), "input.delimiter"))
    attributes = parse_attributes(raw.get("attributes") or {}, base_dir=base_dir, kind=kind)
    size, fraction = parse_population(raw.get("population"))
    output = OutputSpec()
    if raw.get("output") is not None:
        out = _mapping(raw["output"], "output", _OUTPUT_KEYS, "output: {path: out.csv, delimiter: ';', report: report.html}")
        output = OutputSpec(
            base_dir / _path_text(out["path"], "output.path") if out.get("path") is not None else None,
            _delimiter(out.get("delimiter"), "output.delimiter"),
            base_dir / _path_text(out["report"], "output.report") if out.get("report") is not None else None,
            _escape_formulas(out.get("escape_formulas", True)),
        )
    tables: dict[str, InputSpec] = {}
    for name in ("release", "auxiliary"):
        if raw.get(name) is not None:
            table = _mapping(raw[name], name, ("path", "delimiter"), f"{name}: {{path: {name}.csv, delimiter: ','}}")
            tables[name] = InputSpec(base_dir / _path_text(table.get("path"), f"{name}.path"),
                                     _delimiter(table.get("delimiter"), f"{name}.delimiter"))
    known = {"input", "attributes", "population", "output"}
    sections = {k: v for k, v in raw.items() if k not in known}
    _check_sections(sections, base_dir=base_dir, population_size=size, sampling_fraction=fraction)
    # every value is checked above, with its own words; what passed becomes the typed spec (the
    # JSON Schema of `unlinkable schema`), which refuses anything those checks let through
    from unlinkable.spec import parse_spec

    spec = parse_spec(raw, kind=kind, source=source)
    return Job(source, input_spec, attributes, size, fraction, output, sections, spec, tables)


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


def _path_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise ConfigError(f"`{name}` must be a file path, got {shown(value)}", hint="e.g. data/people.csv (relative to the job file)")
    return value


def _check_sections(sections: Mapping[str, Any], *, base_dir: Path, population_size: int | None,
                    sampling_fraction: float | None) -> None:
    """Check the command-specific sections as a whole, so that a typo fails whichever command reads the file."""
    if sections.get("seed") is not None:
        check_int(sections["seed"], "seed", low=0)
    if "backend" in sections or "spark" in sections:
        from unlinkable.backends.choice import parse_backend

        parse_backend(sections.get("backend"), sections.get("spark"))
    if sections.get("suppression_limit") is not None:
        check_float(sections["suppression_limit"], "suppression_limit", low=0.0, high=1.0)
    if sections.get("search") is not None:
        from unlinkable.search.options import SearchSection

        SearchSection.parse(sections["search"])
    if sections.get("assess") is not None:
        from unlinkable.risk.options import AssessSection

        AssessSection.parse(sections["assess"])
    if sections.get("local_recoding") not in (None, False):
        from unlinkable.transform.local_recoding import LocalRecoding

        LocalRecoding.from_config(sections["local_recoding"])
    if sections.get("metric") is not None:
        from unlinkable.utility import metric_from_name

        metric_from_name(sections["metric"])
    if sections.get("privacy") is not None:
        from unlinkable.models import ModelContext, model_from_config

        privacy = sections["privacy"]
        if isinstance(privacy, Mapping):
            privacy = [privacy]
        if not isinstance(privacy, list):
            raise ConfigError(f"`privacy` must be a list of models, got {shown(privacy)}", hint="privacy: [{k-anonymity: {k: 5}}]")
        context = ModelContext(base_dir=base_dir, population_size=population_size, sampling_fraction=sampling_fraction)
        for item in privacy:
            model_from_config(item, context)
    if sections.get("steps") is not None:
        from unlinkable.sdc.pipeline import Pipeline

        Pipeline(sections["steps"], seed=sections.get("seed"))
    if sections.get("truth_key") is not None:
        truth = sections["truth_key"]
        if not isinstance(truth, Mapping):
            raise ConfigError(f"`truth_key` must be a mapping, got {shown(truth)}", hint="truth_key: {release: pid, auxiliary: pid}")
        check_keys(truth, ("release", "auxiliary"), "`truth_key`")
        for side in ("release", "auxiliary"):
            if not isinstance(truth.get(side), str):
                raise ConfigError(f"`truth_key.{side}` must be a column name, got {shown(truth.get(side))}",
                                  hint="truth_key: {release: pid, auxiliary: pid}")
    if "what_if" in sections and not isinstance(sections["what_if"], bool):
        raise ConfigError(f"`what_if` must be true or false, got {shown(sections['what_if'])}", hint="what_if: false")


def parse_attributes(raw: Any, *, base_dir: Path = Path("."), kind: str = "table") -> tuple[AttributeSpec, ...]:
    if not isinstance(raw, Mapping):
        raise ConfigError("`attributes` must map column names to settings", hint="attributes: {age: {role: quasi-identifier}}")
    allowed = ATTRIBUTE_KEYS[kind]
    specs = []
    for name, settings in raw.items():
        if settings is None:
            settings = {}
        if isinstance(settings, str) and kind == "table":
            settings = {"role": settings}
        if not isinstance(settings, Mapping):
            raise ConfigError(f"attribute {shown(name)}: settings must be a mapping, got {shown(settings)}",
                              hint="e.g. {role: quasi-identifier}" if kind == "table" else "e.g. {auxiliary: AGE}")
        check_keys(settings, allowed, f"attribute {shown(name)}", noun="setting")
        kinds = [k for k in _HIERARCHY_KINDS if k in settings]
        if len(kinds) > 1:
            raise ConfigError(f"attribute {shown(name)}: give one of {', '.join(kinds)}, not several", hint="one hierarchy per attribute")
        hierarchy = None
        if kinds:
            hierarchy = HierarchySpec(kinds[0], _builder_spec(kinds[0], settings[kinds[0]], f"attribute {shown(name)}"), base_dir)
        if kind == "table" and "role" not in settings and hierarchy is None:
            # insensitive (kept as is) is a choice the job writes down, never a default
            raise ConfigError(f"attribute {shown(name)} has no role",
                              hint="give role: identifier (dropped), quasi-identifier, sensitive or insensitive (kept as is)")
        role_text = settings.get("role", "quasi-identifier" if hierarchy is not None else "insensitive")
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
        options = {k: v for k, v in settings.items() if k != "role" and k not in _HIERARCHY_KINDS}
        specs.append(AttributeSpec(str(name), role, hierarchy, options))
    return tuple(specs)


def _builder_spec(kind: str, value: Any, where: str) -> Any:
    """Check a hierarchy setting's shape (the builder checks the values against the data later)."""
    where = f"{where}: `{kind}`"
    if kind == "hierarchy":
        if isinstance(value, Hierarchy):
            return value
        return _path_text(value, kind)
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


def parse_population(raw: Any) -> tuple[int | None, float | None]:
    if raw is None:
        return None, None
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
    return size, fraction


def _delimiter(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"`{name}` must be one character, got {shown(value)}", hint='e.g. ";" or ","')
    text = "\t" if value in ("\\t", "tab") else value
    if len(text) != 1 or text in ('"', "\n", "\r"):
        raise ConfigError(f"`{name}` must be one character other than a quote or line end, got {shown(value)}", hint='e.g. ";" or ","')
    return text


__all__ = ["Job", "AttributeSpec", "HierarchySpec", "InputSpec", "OutputSpec", "load_job", "parse_job",
           "read_job_file", "check_keys", "check_int", "check_float",
           "UnlinkableError", "MAX_JOB_BYTES", "MAX_DEPTH"]
