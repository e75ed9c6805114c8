"""A trajectory job (``trajectories:``): its assessment, or its verified release, every output written together.

What ``unlinkable assess`` / ``unlinkable anonymize`` and :func:`unlinkable.run_job` run on a job
with ``trajectories:`` (``traces/job.py`` reads it). The outputs are staged in one OutputSet and
appear together or not at all; nothing is released unless the independent verifier accepts it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from unlinkable.data.formulas import escape_for_csv
from unlinkable.data.outputs import OutputSet
from unlinkable.errors import ConfigError
from unlinkable.jobs.outcome import NO_DESTINATIONS, Destinations, Outcome
from unlinkable.progress import Progress
from unlinkable.report.html import render
from unlinkable.results import TracesAnonymizationResult, TracesAssessmentResult
from unlinkable.spec import parse_job_of
from unlinkable.traces.cells import cell_counts
from unlinkable.traces.job import TracesJob
from unlinkable.traces.kanonymity import TraceRelease

__all__ = ["run_traces_assess", "run_traces_anonymize", "risk_before_after"]


def run_traces_assess(content: Mapping[str, Any], *, source: Path | None, destinations: Destinations = NO_DESTINATIONS,
                      progress: Progress | None = None) -> Outcome:
    """Trajectory assess: attack and unicity figures as JSON, per-user risks as CSV (no coordinates).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "t.csv").write_text("u,cell\\n1,a\\n1,b\\n2,a\\n")
    >>> content = {"input": {"path": str(d / "t.csv")}, "trajectories": {"user": "u", "place": "cell"},
    ...            "assess": {"attacks": ["location"], "unicity": {"p": 1}}}
    >>> run_traces_assess(content, source=None).result.to_dict()["attacks"][0]["mean_risk"]
    0.75
    """
    shown = progress if progress is not None else Progress(enabled=False)
    job = parse_job_of(content, kind="traces", source=source)
    with OutputSet(inputs=job.inputs()) as outputs:
        outputs.reserve(destinations.json, destinations.records, destinations.report)
        shown.begin("read", job.path.name)
        frame, steps = job.read()
        shown.begin("risk")
        result = TracesAssessmentResult(job.assess(frame), steps)
        figures = result.to_dict()
        shown.begin("write")
        if destinations.json:
            outputs.text(destinations.json, json.dumps(figures, indent=2) + "\n")
        if destinations.records:
            outputs.table(destinations.records, escape_for_csv(result.records(), destinations.records)[0], delimiter=",")
        if destinations.report:
            outputs.text(destinations.report, render("traces", {**figures, **_maps(job, frame, None)}))
        outputs.commit()
    shown.end()
    return Outcome(result, json.dumps(figures, indent=2))


def _maps(job: TracesJob, frame: pl.DataFrame, release: TraceRelease | None) -> dict[str, Any]:
    """Aggregated cell counts for the report (never in the JSON): input, and the release's."""
    if job.columns.get("lat") is None:
        return {}
    # H3 releases are mapped on a metric grid of about their cell size
    grid = (release.grid_m or round(release.space.size_m)) if release is not None else job.space.grid_m or 1000.0
    maps = {"map": cell_counts(frame, job.columns, grid_m=grid)}
    if release is not None:
        maps["map_after"] = cell_counts(release.points, {"user": "user", "lat": "lat", "lng": "lng"}, grid_m=grid)
    return maps


def risk_before_after(job: TracesJob, frame: pl.DataFrame, release: TraceRelease) -> dict[str, Any]:
    """The job's attacks on the input as given and on the released points (aggregates only)."""
    before = job.assess_attacks(frame, job.columns)
    columns = {"user": "user", "lat": "lat", "lng": "lng", "place": None,
               "time": "time" if release.time_bin is not None else None}
    after = job.assess_attacks(release.points, columns)
    return {"before": before, "after": after}


def run_traces_anonymize(content: Mapping[str, Any], *, source: Path | None,
                         destinations: Destinations = NO_DESTINATIONS, progress: Progress | None = None) -> Outcome:
    """Trajectory anonymize: the least-loss verified release as points, its figures as JSON.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "t.csv").write_text("u,lat,lng\\n1,45.0,7.0\\n2,45.0001,7.0\\n3,45.0002,7.0\\n")
    >>> content = {"input": {"path": str(d / "t.csv")}, "trajectories": {"user": "u", "lat": "lat", "lng": "lng"},
    ...            "assess": {"attacks": ["location"]}, "privacy": [{"trajectory-k-anonymity": {"k": 3, "p": 1}}],
    ...            "anonymize": {"space": [1000]}, "output": {"path": str(d / "out.csv")}}
    >>> run_traces_anonymize(content, source=None).result.to_dict()["risk"]["after"][0]["mean_risk"]
    0.3333333333333333
    """
    shown = progress if progress is not None else Progress(enabled=False)
    job = parse_job_of(content, kind="traces", source=source)
    if job.output is None:
        raise ConfigError(f"{job.source}: the job has no `output`", hint="output: {path: released.csv}")
    with OutputSet(inputs=job.inputs()) as outputs:
        outputs.reserve(job.output, destinations.json, job.report)
        shown.begin("read", job.path.name)
        frame, steps = job.read(cells=False)
        shown.begin("search")
        release = job.release(frame)  # verified inside, fail closed
        shown.begin("risk")
        result = TracesAnonymizationResult(release, steps, risk_before_after(job, frame, release))
        shown.begin("write")
        table, escaping = escape_for_csv(release.points, job.output, enabled=job.escape_formulas)
        outputs.table(job.output, table, delimiter=job.output_delimiter)
        result = replace(result, formula_escaping=escaping.to_dict())
        figures = result.to_dict()
        if destinations.json:
            outputs.text(destinations.json, json.dumps(figures, indent=2) + "\n")
        if job.report:
            outputs.text(job.report, render("traces", {**figures, **_maps(job, frame, release)}))
        outputs.commit()
    shown.end()
    r = figures["resolution"]
    summary = (f"released {figures['users']['released']:,} of {figures['users']['input']:,} users at "
               f"{release.space.label}{', ' + r['time_bin'] if r['time_bin'] else ''}: {job.output}")
    return Outcome(result, summary)
