"""Job files and parameters, validated once into frozen objects.

A job file (YAML 1.2, so JSON syntax reads too) is shared by every command::

    input: {path: adult.csv, delimiter: ";"}      # relative to the job file
    attributes:
      age: {role: quasi-identifier, hierarchy: adult_hierarchy_age.csv}   # or {intervals: [5, 10, 20]}
      occupation: {role: sensitive}
    population: {size: 317238626}                 # or {sampling_fraction: 0.01}
    privacy: [...]; suppression_limit: 0.05; metric: loss; search: {...}; output: {...}; steps: [...]

Every section is checked when the file is read, once, by parsing it into its frozen spec
(``unlinkable.spec``: an unknown key at any level is an error with a "did you mean" hint), and a
key given twice is refused here; sections a command does not use are kept for the command that
does. Job files are small, so the reader is bounded: at most
``MAX_JOB_BYTES`` (1 MB), no YAML aliases (``*name``: they let a few lines expand to gigabytes),
and at most ``MAX_DEPTH`` levels of nesting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from unlinkable.data.roles import Role
from unlinkable.errors import ConfigError, shown
from unlinkable.hierarchies import builders
from unlinkable.hierarchies.builders import HIERARCHY_KINDS
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.hierarchies.io import read_hierarchy
from unlinkable.spec import SECTIONS, attribute_settings, parse_spec

#: the largest job file read (bytes)
MAX_JOB_BYTES = 1_000_000
#: the deepest nesting of lists and mappings in a job file
MAX_DEPTH = 32

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
        raise ConfigError(f"unknown hierarchy kind {self.kind!r}", hint=f"use one of {', '.join(HIERARCHY_KINDS)}")


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
    """The job of a content: its frozen spec (``unlinkable.spec``: every section checked there, once,
    in the error tree's words) and the paths, roles and hierarchies the jobs read, resolved
    against ``base_dir``; the command-specific sections are kept for their command.

    Examples
    --------
    >>> parse_job({"input": {"path": "d.tsv", "delimiter": "tab"}, "attributes": {"age": {"intervals": [5]}}}).input
    InputSpec(path=PosixPath('d.tsv'), delimiter='\\t')
    """
    if kind not in SECTIONS:
        raise ConfigError(f"unknown kind of job {kind!r}", hint=f"one of {', '.join(SECTIONS)}")
    spec: Any = parse_spec(raw, kind=kind, source=source, base_dir=base_dir)
    input_spec = _table(spec.input, base_dir) if kind == "table" else None
    # from the content as written (the spec's numbers are floats: 5 would label intervals 5.0)
    settings = attribute_settings(raw.get("attributes"), kind=kind)
    attributes = tuple(_attribute(name, given, base_dir, kind) for name, given in settings.items())
    population = spec.population
    size = population.size if population is not None else None
    fraction = population.sampling_fraction if population is not None else None
    output = OutputSpec()
    if kind == "table" and spec.output is not None:
        out = spec.output
        output = OutputSpec(base_dir / out.path if out.path is not None else None, out.delimiter,
                            base_dir / out.report if out.report is not None else None, out.escape_formulas)
    tables = {name: _table(getattr(spec, name), base_dir) for name in ("release", "auxiliary") if kind == "exposure"}
    known = {"input", "attributes", "population", "output"}
    sections = {k: v for k, v in raw.items() if k not in known}
    return Job(source, input_spec, attributes, size, fraction, output, sections, spec,
               {name: table for name, table in tables.items() if table is not None})


def _table(source: Any, base_dir: Path) -> InputSpec | None:
    """A checked table section (its spec, or its path alone) as the path to read and its delimiter."""
    if source is None:
        return None
    if isinstance(source, str):
        return InputSpec(base_dir / source)
    return InputSpec(base_dir / source.path, source.delimiter)


def _attribute(name: str, settings: Mapping[str, Any], base_dir: Path, kind: str) -> AttributeSpec:
    """One checked attribute's role, hierarchy and other settings."""
    kinds = [k for k in HIERARCHY_KINDS if k in settings]
    hierarchy = HierarchySpec(kinds[0], settings[kinds[0]], base_dir) if kinds else None
    role = Role.parse(settings["role"]) if kind == "table" else Role.INSENSITIVE
    options = {k: v for k, v in settings.items() if k != "role" and k not in HIERARCHY_KINDS}
    return AttributeSpec(name, role, hierarchy, options)


__all__ = ["Job", "AttributeSpec", "HierarchySpec", "InputSpec", "OutputSpec", "load_job", "parse_job",
           "read_job_file", "MAX_JOB_BYTES", "MAX_DEPTH"]
