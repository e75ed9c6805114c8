"""Job files and parameters, validated once into frozen objects.

A job file (YAML 1.2, so JSON syntax reads too) is shared by every command::

    input: {path: adult.csv, delimiter: ";"}      # relative to the job file
    attributes:
      age: {role: quasi-identifier, hierarchy: adult_hierarchy_age.csv}   # or {intervals: [5, 10, 20]}
      occupation: {role: sensitive}
    population: {size: 317238626}                 # or {sampling_fraction: 0.01}
    privacy: [...]; suppression_limit: 0.05; metric: loss; search: {...}; output: {...}; steps: [...]

Sections a command does not use are kept as plain data for the command that does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from unlinkable.data.roles import Role
from unlinkable.errors import ConfigError, UnlinkableError
from unlinkable.hierarchies import builders
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.hierarchies.io import read_hierarchy

_HIERARCHY_KINDS = ("hierarchy", "intervals", "masking", "dates", "grouping")


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

    def names(self, role: Role) -> list[str]:
        return [a.name for a in self.attributes if a.role == role]

    def attribute(self, name: str) -> AttributeSpec | None:
        return next((a for a in self.attributes if a.name == name), None)

    def hierarchy_specs(self) -> dict[str, HierarchySpec]:
        return {a.name: a.hierarchy for a in self.attributes if a.hierarchy is not None}

    def build_hierarchies(self, frame: Any) -> dict[str, Hierarchy]:
        """The hierarchy of every attribute that names one and is a column of ``frame``.

        Builders (intervals, masking, ...) derive theirs from the column's values.
        """
        return {name: spec.build(name, frame[name].cast(str).unique(maintain_order=True).to_list())
                for name, spec in self.hierarchy_specs().items() if name in frame.columns}

    @property
    def base_dir(self) -> Path:
        return self.source.parent if self.source else Path(".")


def load_job(path: str | Path) -> Job:
    """Read and validate a job file (YAML or JSON syntax).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "job.yaml"
    >>> _ = p.write_text("input: {path: d.csv}\\nattributes:\\n  age: {role: quasi-identifier, intervals: [5, 10]}\\n")
    >>> load_job(p).names(Role.QUASI_IDENTIFIER)
    ['age']
    """
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such job file", hint="check the path")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: not a readable YAML/JSON job file{where}", hint="check the indentation and brackets") from None
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: a job file must be a mapping of sections (input, attributes, ...)", hint="see the README for an example")
    try:
        return parse_job(raw, base_dir=path.parent, source=path)
    except ConfigError as exc:
        if str(path) in exc.message:
            raise
        raise ConfigError(f"{path}: {exc.message}", hint=exc.hint) from None


def parse_job(raw: Mapping[str, Any], *, base_dir: Path = Path("."), source: Path | None = None) -> Job:
    """Validate the sections every command shares; keep the others for their command."""
    input_spec = None
    if "input" in raw and raw["input"] is not None:
        inp = raw["input"]
        if isinstance(inp, str):
            inp = {"path": inp}
        if not isinstance(inp, Mapping) or "path" not in inp:
            raise ConfigError("`input` needs a `path`", hint="input: {path: data.csv, delimiter: ';'}")
        input_spec = InputSpec(base_dir / str(inp["path"]), _delimiter(inp.get("delimiter"), "input.delimiter"))
    attributes = parse_attributes(raw.get("attributes") or {}, base_dir=base_dir)
    size, fraction = parse_population(raw.get("population"))
    output = OutputSpec()
    if raw.get("output") is not None:
        out = raw["output"]
        if isinstance(out, str):
            out = {"path": out}
        if not isinstance(out, Mapping):
            raise ConfigError("`output` must be a mapping", hint="output: {path: out.csv, delimiter: ';', report: report.html}")
        output = OutputSpec(
            base_dir / str(out["path"]) if out.get("path") else None,
            _delimiter(out.get("delimiter"), "output.delimiter"),
            base_dir / str(out["report"]) if out.get("report") else None,
            _escape_formulas(out.get("escape_formulas", True)),
        )
    known = {"input", "attributes", "population", "output"}
    sections = {k: v for k, v in raw.items() if k not in known}
    return Job(source, input_spec, attributes, size, fraction, output, sections)


def _escape_formulas(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"`output.escape_formulas` must be true or false, got {str(value)[:40]!r}",
                          hint="output: {escape_formulas: false} writes formula-like cells unescaped")
    return value


def parse_attributes(raw: Any, *, base_dir: Path = Path(".")) -> tuple[AttributeSpec, ...]:
    if not isinstance(raw, Mapping):
        raise ConfigError("`attributes` must map column names to settings", hint="attributes: {age: {role: quasi-identifier}}")
    specs = []
    for name, settings in raw.items():
        if settings is None:
            settings = {}
        if isinstance(settings, str):
            settings = {"role": settings}
        if not isinstance(settings, Mapping):
            raise ConfigError(f"attribute {name!r}: settings must be a mapping", hint="e.g. {role: quasi-identifier}")
        kinds = [k for k in _HIERARCHY_KINDS if k in settings]
        if len(kinds) > 1:
            raise ConfigError(f"attribute {name!r}: give one of {', '.join(kinds)}, not several", hint="one hierarchy per attribute")
        hierarchy = HierarchySpec(kinds[0], settings[kinds[0]], base_dir) if kinds else None
        role_text = settings.get("role", "quasi-identifier" if hierarchy is not None else "insensitive")
        try:
            role = Role.parse(role_text)
        except ValueError:
            raise ConfigError(
                f"attribute {name!r}: unknown role {role_text!r}",
                hint="roles are identifier, quasi-identifier, sensitive, insensitive, weight, household",
            ) from None
        options = {k: v for k, v in settings.items() if k != "role" and k not in _HIERARCHY_KINDS}
        specs.append(AttributeSpec(str(name), role, hierarchy, options))
    return tuple(specs)


def parse_population(raw: Any) -> tuple[int | None, float | None]:
    if raw is None:
        return None, None
    if not isinstance(raw, Mapping):
        raise ConfigError("`population` must be a mapping", hint="population: {size: 317238626} or {sampling_fraction: 0.01}")
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
    text = "\t" if value in ("\\t", "tab") else str(value)
    if len(text) != 1:
        raise ConfigError(f"`{name}` must be one character, got {value!r}", hint='e.g. ";" or ","')
    return text


def check_int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """A whole number in [low, high], or a ConfigError worded the same way everywhere."""
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, float) and value.is_integer())):
        raise ConfigError(f"the {name!r} parameter must be a whole number, got {value!r}", hint=_range_hint(low, high))
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"the {name!r} parameter must be {_range_text(low, high)}, got {value}", hint=_range_hint(low, high))
    return value


def check_float(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False) -> float:
    """A number in the given range, or a ConfigError worded the same way everywhere."""
    if isinstance(value, bool):
        raise ConfigError(f"the {name!r} parameter must be a number, got {value!r}", hint=_range_hint(low, high))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"the {name!r} parameter must be a number, got {value!r}", hint=_range_hint(low, high)) from None
    bad = number != number
    if low is not None:
        bad |= number <= low if low_open else number < low
    if high is not None:
        bad |= number >= high if high_open else number > high
    if bad:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ConfigError(f"the {name!r} parameter must be in {lo}{low}, {high}{hi}, got {value!r}", hint="change the value in the job file or call")
    return number


def _range_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"between {low} and {high}"
    if low is not None:
        return f">= {low}"
    if high is not None:
        return f"<= {high}"
    return "a whole number"


def _range_hint(low: Any, high: Any) -> str:
    return f"use a value {_range_text(low, high)}" if (low is not None or high is not None) else "use a number"


__all__ = ["Job", "AttributeSpec", "HierarchySpec", "InputSpec", "OutputSpec", "load_job", "parse_job",
           "check_int", "check_float", "UnlinkableError"]
