"""The trajectory forms of ``unlinkable assess`` (and later ``anonymize``): run a traces job file.

The command modules only dispatch here when the job file has ``trajectories:``; the outputs are
staged in one OutputSet and appear together or not at all.
"""

from __future__ import annotations

import argparse
import json
import sys

from unlinkable.data.formulas import escape_for_csv
from unlinkable.data.outputs import OutputSet
from unlinkable.errors import ConfigError
from unlinkable.progress import Progress
from unlinkable.traces.job import TracesJob


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
    if getattr(args, "report", None):
        raise ConfigError(f"{job.source}: --report is not available for trajectories yet", hint="use --json and --records")
    with OutputSet(inputs=job.inputs()) as outputs:
        outputs.reserve(args.json_out, args.records)
        shown.begin("read", job.path.name)
        frame = job.read()
        shown.begin("risk")
        result = job.assess(frame)
        figures = result.to_dict()
        shown.begin("write")
        if args.json_out:
            outputs.text(args.json_out, json.dumps(figures, indent=2) + "\n")
        if args.records:
            outputs.table(args.records, escape_for_csv(result.per_user(), args.records)[0], delimiter=",")
        outputs.commit()
    shown.end()
    if not args.json_out or sys.stdout.isatty():
        print(json.dumps(figures, indent=2))
    for label, path in (("figures", args.json_out), ("per-user risks", args.records)):
        if path:
            print(f"{label}: {path}", file=sys.stderr)
    return 0


__all__ = ["run_assess"]
