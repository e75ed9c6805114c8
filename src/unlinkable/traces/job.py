"""The trajectory job file: a point table with ``trajectories:``, ``assess:`` and ``privacy:``.

::

    input: {path: stays.csv}                                  # CSV or Parquet; delimiter: optional
    trajectories: {user: uid, lat: lat, lng: lng, time: datetime}   # or place: <col> instead of lat/lng
    preprocess: {speed_filter: {}, stay_points: {}, space: {grid_m: 1000}, time: {bin: 1h}}   # optional
    assess:
      attacks:                       # skmob's names; k = knowledge length (default: all eight at k=2)
        - location: {k: 2}
        - location_sequence: {k: 4, mode: sampled, targets: 2000}   # exact risks of 2000 drawn users
        - location_time: {k: 1, time_precision: hour}
        - location_frequency: {k: 1, tolerance: 0.1}
        - home_work: {}
      unicity: {p: [1, 2, 4], mode: exact, space: {grid_m: 1000}, time: {bin: 1h}}
      curve: {p: 4, space: [250, 1000, 5000], time: [1h, 1d], mode: sampled}   # optional
    privacy: [{trajectory-k-anonymity: {k: 5, p: 2}}]                # anonymize
    anonymize:                       # optional; the defaults of unlinkable.traces.kanonymity
      space: [500, 1000, 2000, 5000]   # candidate cell sizes, metres, or H3 resolutions: {h3: 8}
      time: [1h, 4h, 1d]               # candidate time bins
      point_suppression: 0.05          # share of the input's points
      user_suppression: 0.05           # share of the input's users
      home_work: {radius_m: 300}       # suppress points near each user's two top cells first
                                       # (with coarsen_m: 5000, move them to 5 km cell centres instead)
    output: {path: released.csv, report: report.html}   # CSV or Parquet; the HTML report
    seed: 0                          # sampled modes; the release's pseudonym order

Every key is checked (unknown keys get a "did you mean" hint).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from unlinkable.constraints import check_float, check_int, check_keys, check_section
from unlinkable.data.io import read_table
from unlinkable.errors import ConfigError, InputError, shown
from unlinkable.points.job import unicity_settings
from unlinkable.traces import is_traces_job
from unlinkable.traces.assess import DEFAULT_ATTACKS, Attack, TraceAssessment, assess_traces
from unlinkable.traces.attacks import ATTACKS
from unlinkable.traces.kanonymity import TraceRelease, space_levels
from unlinkable.traces.preprocess import Preprocess
from unlinkable.traces.release import anonymize_traces
from unlinkable.traces.resolution import Space, bin_seconds
from unlinkable.traces.time_keys import FIELDS

SECTIONS = ("input", "trajectories", "preprocess", "assess", "privacy", "anonymize", "output", "seed")
_ANONYMIZE_KEYS = ("space", "time", "point_suppression", "user_suppression", "home_work")
_OUTPUT_KEYS = ("path", "delimiter", "escape_formulas", "report")
_INPUT_KEYS = ("path", "delimiter")
_COLUMNS = ("user", "lat", "lng", "place", "time")
_ATTACK_KEYS = {"location_time": ("k", "time_precision", "mode", "targets"),
                "location_frequency": ("k", "tolerance", "mode", "targets"),
                "location_probability": ("k", "tolerance", "mode", "targets"),
                "location_proportion": ("k", "tolerance", "mode", "targets"), "home_work": ()}


@dataclass(frozen=True)
class TracesJob:
    source: Path
    path: Path
    delimiter: str | None
    columns: Mapping[str, str | None]
    attacks: tuple[Attack, ...]
    ps: tuple[int, ...]
    mode: str
    space: Space
    time_bin: str | None
    curve: Mapping[str, Any] | None
    seed: int
    #: trajectory-k-anonymity's k and p, and the search options (anonymize only)
    model: Mapping[str, int] | None = None
    options: Mapping[str, Any] | None = None
    output: Path | None = None
    output_delimiter: str = ","
    escape_formulas: bool = True
    report: Path | None = None
    preprocess: Preprocess | None = None

    def read(self, *, cells: bool = True) -> tuple[pl.DataFrame, dict[str, Any]]:
        """The point table, preprocessed as the job asks (``cells=False``: no cells or bins), and the step counts."""
        frame = read_table(self.path, delimiter=self.delimiter)
        if self.preprocess is None:
            return frame, {}
        try:
            return self.preprocess.apply(frame, self.columns, cells=cells)
        except InputError as exc:
            raise InputError(f"{self.path}: {exc.message}", hint=exc.hint) from None

    def assess_attacks(self, frame: pl.DataFrame, columns: Mapping[str, str | None]) -> list[dict[str, Any]]:
        """The job's attacks (no unicity) as their JSON figures, on any point table with those columns."""
        usable = tuple(a for a in self.attacks if a.attack != "location_time" or columns.get("time") is not None)
        result = assess_traces(frame, **columns, attacks=usable, ps=())  # type: ignore[arg-type]
        return [a.to_dict() for a in result.attacks]

    def release(self, frame: pl.DataFrame) -> TraceRelease:
        """The verified release the job asks for; input errors name the data file."""
        if self.model is None:
            raise ConfigError(f"{self.source}: the job has no `privacy: [{{trajectory-k-anonymity: {{k, p}}}}]`",
                              hint="privacy: [{trajectory-k-anonymity: {k: 5, p: 2}}]")
        try:
            return anonymize_traces(frame, self.columns, k=self.model["k"], p=self.model["p"], seed=self.seed, **(self.options or {}))
        except InputError as exc:
            raise InputError(f"{self.path}: {exc.message}", hint=exc.hint) from None

    def inputs(self) -> list[Path]:
        return [self.source, self.path] if self.source != _NO_FILE else [self.path]

    def assess(self, frame: pl.DataFrame) -> TraceAssessment:
        """The assessment the job asks for; input errors name the data file."""
        try:
            return assess_traces(frame, **self.columns, attacks=self.attacks, ps=self.ps, mode=self.mode, seed=self.seed,  # type: ignore[arg-type]
                                 space=self.space, time_bin=self.time_bin, curve=None if self.curve is None else dict(self.curve))
        except InputError as exc:
            raise InputError(f"{self.path}: {exc.message}", hint=exc.hint) from None


#: how a job given as a mapping names itself (its paths are relative to the current folder)
_NO_FILE = Path("the job")


def traces_job_from_content(raw: Any, *, source: Path | None = None) -> TracesJob:
    """The worded checks of a trajectory job's content (that of the job file ``source``, or a mapping
    given in Python: ``source`` None, its paths relative to the current folder) and the job they
    leave: what ``spec.parse_spec(raw, kind="traces")`` runs as the spec is parsed, the one way a
    trajectory job is read (its ``.job``).

    Examples
    --------
    >>> traces_job_from_content({"input": "t.csv", "trajectories": {"user": "u", "place": "cell"}}).path
    PosixPath('t.csv')
    """
    path = source if source is not None else _NO_FILE
    try:
        return _parse(raw, path)
    except ConfigError as exc:
        if source is None or str(path) in exc.message:
            raise
        raise ConfigError(f"{path}: {exc.message}", hint=exc.hint) from None


def _attack(entry: Any, time: bool) -> Attack:
    example = "- location: {k: 2}"
    if isinstance(entry, str):
        entry = {entry: {}}
    if not isinstance(entry, Mapping) or len(entry) != 1:
        raise ConfigError(f"an entry of `assess.attacks` must be one attack name with its parameters, got {shown(entry)}", hint=example)
    ((name, params),) = entry.items()
    check_keys({name: None}, ATTACKS, "`assess.attacks`", noun="attack")
    params = check_section(params if params is not None else {}, f"assess.attacks.{name}", _ATTACK_KEYS.get(name, ("k", "mode", "targets")), example)
    if name == "home_work":
        return Attack(name)
    k = check_int(params.get("k", 2), f"assess.attacks.{name}.k", low=1, high=10)
    precision = params.get("time_precision", "hour")
    if name == "location_time":
        if not time:
            raise ConfigError("the location_time attack needs a time column", hint="trajectories: {..., time: <column>}")
        if not isinstance(precision, str) or precision.lower() not in FIELDS:
            raise ConfigError(f"`assess.attacks.location_time.time_precision` {shown(precision)} is not one of {', '.join(FIELDS)}",
                              hint="time_precision: hour")
    tolerance = params.get("tolerance", 0.0)
    mode = params.get("mode", "exact")
    targets = check_int(params.get("targets", 1000), f"assess.attacks.{name}.targets", low=1)
    return Attack(name, k, str(precision).lower(), tolerance, mode, targets)


def _parse(raw: Any, path: Path) -> TracesJob:
    if not isinstance(raw, Mapping):
        raise ConfigError("a job file must be a mapping of sections", hint="input: {path: stays.csv}")
    check_keys(raw, SECTIONS, "the trajectory job file", noun="section")
    inp = raw.get("input")
    if isinstance(inp, str):
        inp = {"path": inp}
    inp = check_section(inp, "input", _INPUT_KEYS, "input: {path: stays.csv}")
    if not isinstance(inp.get("path"), str) or not inp["path"]:
        raise ConfigError("`input.path` must name the data file", hint="input: {path: stays.csv}")
    delimiter = inp.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise ConfigError(f"`input.delimiter` must be one character, got {shown(delimiter)}", hint='delimiter: ";"')
    example = "trajectories: {user: uid, lat: lat, lng: lng, time: datetime}"
    cols = check_section(raw.get("trajectories"), "trajectories", _COLUMNS, example)
    for key, value in cols.items():
        if not isinstance(value, str) or not value:
            raise ConfigError(f"`trajectories.{key}` must name a column, got {shown(value)}", hint=example)
    if "user" not in cols:
        raise ConfigError("`trajectories.user` must name the user column", hint=example)
    if ("place" in cols) == ("lat" in cols or "lng" in cols) or ("place" not in cols and not ("lat" in cols and "lng" in cols)):
        raise ConfigError("`trajectories` takes either place or both lat and lng", hint=example)
    columns = {key: cols.get(key) for key in _COLUMNS}
    has_time = "time" in cols
    section = check_section(raw.get("assess") or {}, "assess", ("attacks", "unicity", "curve"),
                       "assess: {attacks: [{location: {k: 2}}], unicity: {p: [1, 2, 4]}}")
    attacks = DEFAULT_ATTACKS if has_time else tuple(a for a in DEFAULT_ATTACKS if a.attack != "location_time")
    if section.get("attacks") is not None:
        if not isinstance(section["attacks"], list) or not section["attacks"]:
            raise ConfigError(f"`assess.attacks` must be a list of attacks, got {shown(section['attacks'])}", hint="attacks: [{location: {k: 2}}]")
        attacks = tuple(_attack(entry, has_time) for entry in section["attacks"])
    uni = check_section(section.get("unicity") or {}, "assess.unicity", ("p", "mode", "space", "time"),
                   "unicity: {p: [1, 2, 4], mode: exact, space: {grid_m: 1000}, time: {bin: 1h}}")
    ps, mode = unicity_settings(uni, "p: [1, 2, 4]")
    space_raw = check_section(uni.get("space") or {}, "assess.unicity.space", ("grid_m", "h3"), "space: {grid_m: 1000}")
    space = Space(grid_m=space_raw.get("grid_m"), h3=space_raw.get("h3"))
    if space_raw and "place" in cols:
        raise ConfigError("`assess.unicity.space` cuts cells from lat/lng; this job has place", hint="drop space, or give lat and lng")
    time_raw = check_section(uni.get("time") or {}, "assess.unicity.time", ("bin",), "time: {bin: 1h}")
    time_bin = time_raw.get("bin")
    if time_bin is not None:
        bin_seconds(time_bin, "assess.unicity.time.bin")
        if not has_time:
            raise ConfigError("`assess.unicity.time` needs a time column", hint="trajectories: {..., time: <column>}")
    curve = None
    if section.get("curve") is not None:
        curve = dict(check_section(section["curve"], "assess.curve", ("p", "space", "time", "mode"),
                              "curve: {p: 4, space: [250, 1000, 5000], time: [1h, 1d]}"))
        for key in ("space", "time"):
            if key in curve and (not isinstance(curve[key], list) or not curve[key]):
                raise ConfigError(f"`assess.curve.{key}` must be a non-empty list, got {shown(curve[key])}",
                                  hint="space: [250, 1000, 5000], time: [1h, 1d]")
        if "place" in cols:
            raise ConfigError("`assess.curve` cuts cells from lat/lng; this job has place", hint="drop curve, or give lat and lng")
    seed = check_int(raw.get("seed", 0), "seed", low=0)
    model, options = _privacy(raw, has_time)
    preprocess = Preprocess.from_mapping(raw["preprocess"]) if raw.get("preprocess") is not None else None
    if preprocess is not None and preprocess.space is not None and "place" in cols:
        raise ConfigError("`preprocess.space` cuts cells from lat/lng; this job has place", hint="drop it, or give lat and lng")
    output, out_delimiter, escape, report = None, ",", True, None
    if raw.get("output") is not None:
        out = check_section(raw["output"], "output", _OUTPUT_KEYS, "output: {path: released.csv}")
        if not isinstance(out.get("path"), str) or not out["path"]:
            raise ConfigError("`output.path` must name the released file", hint="output: {path: released.csv}")
        output = path.parent / out["path"]
        out_delimiter = out.get("delimiter", ",")
        if not isinstance(out_delimiter, str) or len(out_delimiter) != 1:
            raise ConfigError(f"`output.delimiter` must be one character, got {shown(out_delimiter)}", hint='delimiter: ","')
        if out.get("report") is not None:
            if not isinstance(out["report"], str) or not out["report"]:
                raise ConfigError(f"`output.report` must name an HTML file, got {shown(out['report'])}", hint="report: report.html")
            report = path.parent / out["report"]
        escape = out.get("escape_formulas", True)
        if not isinstance(escape, bool):
            raise ConfigError(f"`output.escape_formulas` must be true or false, got {shown(escape)}", hint="escape_formulas: true")
    return TracesJob(path, path.parent / inp["path"], delimiter, columns, attacks, ps, mode, space,
                     time_bin, curve, seed, model, options, output, out_delimiter, escape, report, preprocess)


def _privacy(raw: Mapping[str, Any], has_time: bool) -> tuple[dict[str, int] | None, dict[str, Any] | None]:
    """``privacy: [{trajectory-k-anonymity: {k, p}}]`` and the ``anonymize:`` options, checked."""
    example = "privacy: [{trajectory-k-anonymity: {k: 5, p: 2}}]"
    if raw.get("privacy") is None:
        if raw.get("anonymize") is not None:
            raise ConfigError("`anonymize` options need a `privacy` model", hint=example)
        return None, None
    models = raw["privacy"]
    if not isinstance(models, list) or len(models) != 1 or not isinstance(models[0], Mapping) or len(models[0]) != 1:
        raise ConfigError(f"`privacy` must list one model for trajectories, got {shown(models)}", hint=example)
    ((name, params),) = models[0].items()
    check_keys({name: None}, ("trajectory-k-anonymity",), "`privacy`", noun="trajectory privacy model")
    params = check_section(params, "privacy.trajectory-k-anonymity", ("k", "p"), example)
    model = {"k": check_int(params.get("k"), "trajectory-k-anonymity k", low=2),
             "p": check_int(params.get("p", 2), "trajectory-k-anonymity p", low=1, high=6)}
    section = check_section(raw.get("anonymize") or {}, "anonymize", _ANONYMIZE_KEYS,
                       "anonymize: {space: [500, 1000, 2000], time: [1h, 1d], user_suppression: 0.05}")
    options: dict[str, Any] = {}
    if "space" in section:
        if not isinstance(section["space"], list) or not section["space"]:
            raise ConfigError(f"`anonymize.space` must list cell sizes in metres or H3 resolutions, got {shown(section['space'])}",
                              hint="space: [500, 1000, 2000], or [{h3: 9}, {h3: 8}]")
        options["space"] = space_levels(section["space"])
    if "time" in section:
        if not isinstance(section["time"], list) or not section["time"]:
            raise ConfigError(f"`anonymize.time` must list time bins, got {shown(section['time'])}", hint="time: [1h, 4h, 1d]")
        if not has_time:
            raise ConfigError("`anonymize.time` needs a time column", hint="trajectories: {..., time: <column>}")
        options["time"] = [b for b in section["time"] if bin_seconds(b, "anonymize.time")]
    for key in ("point_suppression", "user_suppression"):
        if key in section:
            options[key] = check_float(section[key], f"anonymize.{key}", low=0.0, high=1.0)
    if section.get("home_work") is not None:
        hw = check_section(section["home_work"], "anonymize.home_work", ("radius_m", "coarsen_m"),
                           "home_work: {radius_m: 300} (suppress), or {radius_m: 300, coarsen_m: 5000}")
        options["home_work_radius_m"] = check_float(hw.get("radius_m"), "anonymize.home_work.radius_m", low=0.0)
        if hw.get("coarsen_m") is not None:
            options["home_work_coarsen_m"] = check_float(hw["coarsen_m"], "anonymize.home_work.coarsen_m", low=1.0)
    return model, options


__all__ = ["TracesJob", "traces_job_from_content", "is_traces_job", "SECTIONS"]
