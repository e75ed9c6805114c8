"""``unlinkable anonymize JOB.yaml [--json OUT.json]``: run a job's privacy models, verify, write.

Nothing is written unless the independent verifier accepts the release.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from unlinkable.config import load_job
from unlinkable.data.io import atomic_write_text, read_table, write_table
from unlinkable.data.roles import Role
from unlinkable.errors import ConfigError
from unlinkable.models import ModelContext

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments."""
    parser.add_argument("job", type=Path, help="job file (YAML or JSON)")
    parser.add_argument("--json", dest="json_out", type=Path, default=None, metavar="OUT.json",
                        help="also write the result as JSON")


def run(args: argparse.Namespace) -> int:
    """Run the job; return the exit code (errors are raised as UnlinkableError)."""
    job = load_job(args.job)
    if job.input is None:
        raise ConfigError(f"{args.job}: the job has no `input`", hint="input: {path: data.csv, delimiter: ';'}")
    frame = read_table(job.input.path, delimiter=job.input.delimiter)
    sections = job.sections
    if "steps" in sections and "privacy" not in sections:
        return _run_pipeline(job, frame, args)
    from unlinkable.anonymizer import Anonymizer

    qis = job.names(Role.QUASI_IDENTIFIER)
    hierarchies = {}
    for attr in job.attributes:
        if attr.hierarchy is not None and attr.name in frame.columns:
            values = frame[attr.name].cast(str).unique(maintain_order=True).to_list()
            hierarchies[attr.name] = attr.hierarchy.build(attr.name, values)
    search = sections.get("search") or {}
    if isinstance(search, str):
        search = {"algorithm": search}
    if not isinstance(search, dict):
        raise ConfigError("`search` must be a mapping", hint="search: {algorithm: optimal}")
    context = ModelContext(base_dir=job.base_dir, population_size=job.population_size,
                           sampling_fraction=job.sampling_fraction)
    anonymizer = Anonymizer(
        quasi_identifiers=qis,
        hierarchies=hierarchies,
        privacy=sections.get("privacy") or [],
        suppression_limit=sections.get("suppression_limit", 0.0),
        metric=sections.get("metric", "loss"),
        search=str(search.get("algorithm", "optimal")),
        time_limit_s=search.get("time_limit_s"),
        identifiers=job.names(Role.IDENTIFIER),
        sensitive=job.names(Role.SENSITIVE),
        progress=True,
        context=context,
    )
    result = anonymizer.fit(frame)
    _verify(result, frame, qis, anonymizer, hierarchies)
    delimiter = job.output.delimiter or job.input.delimiter or _input_delimiter(job.input.path)
    payload = result.to_dict()
    if job.output.path is not None:
        write_table(result.table, job.output.path, delimiter=delimiter)
    if args.json_out is not None:
        atomic_write_text(args.json_out, json.dumps(payload, indent=2, default=str) + "\n")
    if job.output.report is not None:
        _report(job.output.report, payload)
    levels = ", ".join(f"{k}={v}" for k, v in result.transformation.items())
    print(f"anonymized {frame.height} records: {levels}; loss {result.loss_string}; "
          f"{result.suppressed} suppressed; {result.equivalence_classes} classes; "
          f"{result.nodes_checked}/{result.lattice_size} transformations checked"
          + (f"; wrote {job.output.path}" if job.output.path else ""))
    return 0


def _verify(result: Any, frame: Any, qis: list[str], anonymizer: Any, hierarchies: dict) -> None:
    try:
        from unlinkable.verify import verify_release
    except ImportError:
        log.warning("independent verification is pending: unlinkable.verify is not available")
        return
    verify_release(result.table, original=frame, quasi_identifiers=qis, models=anonymizer.models,
                   suppression_limit=anonymizer.suppression_limit, hierarchies=hierarchies)


def _report(path: Path, payload: dict) -> None:
    try:
        from unlinkable.report.html import render
    except ImportError:
        log.warning("HTML report not written: unlinkable.report.html is not available")
        return
    atomic_write_text(path, render("anonymize", payload))


def _input_delimiter(path: Path) -> str:
    from unlinkable.data.io import sniff_delimiter

    if path.suffix.lower() in (".parquet", ".pq"):
        return ","
    with open(path, encoding="utf-8", errors="replace") as fh:
        return sniff_delimiter(fh.readline())


def _run_pipeline(job: Any, frame: Any, args: argparse.Namespace) -> int:
    try:
        from unlinkable.sdc.pipeline import Pipeline
    except ImportError:
        raise ConfigError("this job has `steps`, but the SDC pipeline is not available in this version",
                          hint="use `privacy:` models instead") from None
    table = Pipeline(job.sections["steps"]).run(frame)
    table = getattr(table, "table", table)
    if job.output.path is not None:
        write_table(table, job.output.path, delimiter=job.output.delimiter or job.input.delimiter or ",")
    print(f"ran {len(job.sections['steps'])} step(s) on {frame.height} records", file=sys.stdout)
    return 0


__all__ = ["configure", "run"]
