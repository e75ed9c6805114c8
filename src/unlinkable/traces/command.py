"""The trajectory forms of ``unlinkable assess`` (and later ``anonymize``): run a traces job file.

The command modules only dispatch here when the job file has ``trajectories:``; the outputs are
staged in one OutputSet and appear together or not at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import polars as pl

from unlinkable.data.formulas import escape_for_csv
from unlinkable.data.outputs import OutputSet
from unlinkable.errors import ConfigError
from unlinkable.progress import Progress
from unlinkable.report.html import render
from unlinkable.traces.cells import cell_counts
from unlinkable.traces.job import TracesJob
from unlinkable.traces.kanonymity import TraceRelease


def run_assess(args: argparse.Namespace, job: TracesJob, shown: Progress) -> int:
    """Trajectory assess: attack and unicity figures as JSON, per-user risks as CSV (no coordinates).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from unlinkable.traces.job import load_traces_job
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "t.csv").write_text("u,cell\\n1,a\\n1,b\\n2,a\\n")
    >>> _ = (d / "job.yaml").write_text("input: {path: t.csv}\\ntrajectories: {user: u, place: cell}\\n"
    ...                                 "assess: {attacks: [location], unicity: {p: 1}}\\n")
    >>> args = argparse.Namespace(json_out=str(d / "out.json"), records=None, report=None)
    >>> run_assess(args, load_traces_job(d / "job.yaml"), Progress(enabled=False))
    0
    >>> json.loads((d / "out.json").read_text())["attacks"][0]["mean_risk"]
    0.75
    """
    report = getattr(args, "report", None)
    with OutputSet(inputs=job.inputs()) as outputs:
        outputs.reserve(args.json_out, args.records, report)
        shown.begin("read", job.path.name)
        frame, steps = job.read()
        shown.begin("risk")
        result = job.assess(frame)
        figures = {**result.to_dict(), **({"preprocess": steps} if steps else {})}
        shown.begin("write")
        if args.json_out:
            outputs.text(args.json_out, json.dumps(figures, indent=2) + "\n")
        if args.records:
            outputs.table(args.records, escape_for_csv(result.per_user(), args.records)[0], delimiter=",")
        if report:
            outputs.text(report, render("traces", {**figures, **_maps(job, frame, None)}))
        outputs.commit()
    shown.end()
    if not args.json_out or sys.stdout.isatty():
        print(json.dumps(figures, indent=2))
    for label, path in (("figures", args.json_out), ("per-user risks", args.records), ("report", report)):
        if path:
            print(f"{label}: {path}", file=sys.stderr)
    return 0


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


def run_anonymize(args: argparse.Namespace, job: TracesJob, shown: Progress) -> int:
    """Trajectory anonymize: the least-loss verified release as points, its figures as JSON.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from unlinkable.traces.job import load_traces_job
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "t.csv").write_text("u,lat,lng\\n1,45.0,7.0\\n2,45.0001,7.0\\n3,45.0002,7.0\\n")
    >>> _ = (d / "job.yaml").write_text("input: {path: t.csv}\\ntrajectories: {user: u, lat: lat, lng: lng}\\n"
    ...     "assess: {attacks: [location]}\\nprivacy: [{trajectory-k-anonymity: {k: 3, p: 1}}]\\n"
    ...     "anonymize: {space: [1000]}\\noutput: {path: out.csv}\\n")
    >>> args = argparse.Namespace(json_out=d / "out.json", report=None)
    >>> run_anonymize(args, load_traces_job(d / "job.yaml"), Progress(enabled=False))
    0
    >>> json.loads((d / "out.json").read_text())["risk"]["after"][0]["mean_risk"]
    0.3333333333333333
    """
    if job.output is None:
        raise ConfigError(f"{job.source}: the job has no `output`", hint="output: {path: released.csv}")
    with OutputSet(inputs=job.inputs()) as outputs:
        outputs.reserve(job.output, args.json_out, job.report)
        shown.begin("read", job.path.name)
        frame, steps = job.read(cells=False)
        shown.begin("search")
        release = job.release(frame)  # verified inside, fail closed
        shown.begin("risk")
        figures = {**release.to_dict(), **({"preprocess": steps} if steps else {}),
                   "risk": risk_before_after(job, frame, release)}
        shown.begin("write")
        table, escaping = escape_for_csv(release.points, job.output, enabled=job.escape_formulas)
        outputs.table(job.output, table, delimiter=job.output_delimiter)
        figures["formula_escaping"] = escaping.to_dict()
        if args.json_out:
            outputs.text(args.json_out, json.dumps(figures, indent=2) + "\n")
        if job.report:
            outputs.text(job.report, render("traces", {**figures, **_maps(job, frame, release)}))
        outputs.commit()
    shown.end()
    r = figures["resolution"]
    print(f"released {figures['users']['released']:,} of {figures['users']['input']:,} users at "
          f"{release.space.label}{', ' + r['time_bin'] if r['time_bin'] else ''}: {job.output}", file=sys.stderr)
    if args.json_out:
        print(f"figures: {args.json_out}", file=sys.stderr)
    return 0


__all__ = ["run_assess", "run_anonymize", "risk_before_after"]
