"""``unlinkable anonymize JOB.yaml`` on set-valued data: a global recoding of the items, verified, written whole.

The release is written in the input's form by :mod:`unlinkable.points.write` (records whose every
item was suppressed left out and counted; times and quantities not released, and named in the
JSON's ``columns``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from unlinkable.data.outputs import OutputSet
from unlinkable.errors import ConfigError
from unlinkable.progress import Progress

_JOB_SUFFIXES = (".yaml", ".yml", ".json")


def points_job(path: Path) -> Any:
    """The set-valued job at ``path``, or None when it is not one (a table job)."""
    path = Path(path)
    if path.suffix.lower() not in _JOB_SUFFIXES or not path.is_file():
        return None
    from unlinkable.config import read_job_file
    from unlinkable.points.job import is_points_job
    from unlinkable.spec import parse_job_of

    content = read_job_file(path)
    return parse_job_of(content, kind="points", source=path) if is_points_job(content) else None


def run_points(args: argparse.Namespace, job: Any, shown: Progress) -> int:
    """Anonymize a set-valued job; stage the release, JSON and report in one OutputSet."""
    from unlinkable.points.release import release_points, release_relational
    from unlinkable.points.write import release_columns, write_release

    if not job.models:
        raise ConfigError(f"{job.source}: the job has no `privacy` models",
                          hint="privacy: [{km-anonymity: {k: 5, m: 2}}] (or rho-uncertainty: {rho, sensitive_items})")
    if getattr(args, "backend", None) not in (None, "numpy"):
        raise ConfigError(f"{job.source}: set-valued data is anonymized on the numpy backend only",
                          hint="drop --backend")
    if job.items is None:
        raise ConfigError(f"{job.source}: anonymizing items needs an item hierarchy",
                          hint="items: {hierarchy: items.csv} (ARX format), {fanout: 10} or {parent_child: taxonomy.csv}")
    with OutputSet(inputs=job.inputs()) as outputs:
        outputs.reserve(job.output, args.json_out, job.report)
        shown.begin("read", job.path.name)
        points = job.read()
        hierarchy = job.hierarchy(points)
        shown.begin("search")
        if job.quasi_identifiers:
            result = release_relational(points, job.record_attributes(), job.attribute_hierarchies(), hierarchy, job.models,
                                        k=job.k_anonymity, suppression_limit=job.suppression_limit)
        else:
            result = release_points(points, hierarchy, job.models, suppression_limit=job.suppression_limit)
        shown.begin("write")
        figures = {**result.to_dict(), "columns": release_columns(job)}
        if job.output is not None:
            figures["formula_escaping"] = {"escaped_cells": write_release(outputs, job, result)}
        if args.json_out is not None:
            outputs.text(args.json_out, json.dumps(figures, indent=2) + "\n")
        if job.report is not None:
            from unlinkable.report.views.points import render_points

            outputs.text(job.report, render_points("points-anonymize", figures))
        outputs.commit()
    shown.end()
    after = figures.get("km_after") or figures.get("rho_after") or {}
    summary = (f"released {figures['records']} records: {figures['released_items']} items from {figures['distinct_items']}, "
               f"ncp {figures['ncp']:.4f}, {figures['suppressed_occurrences']} occurrences suppressed, "
               f"{after.get('violating_itemsets', after.get('violating_rules', 0))} violations left")
    if figures["suppressed_records"]:
        summary += f"; {figures['suppressed_records']} records left out (no item left, or their class below k)"
    if figures["columns"]["not_released"]:
        summary += f"; not released (no model covers them): {', '.join(figures['columns']['not_released'])}"
    print(summary + (f"; wrote {job.output}" if job.output is not None else ""))
    return 0


__all__ = ["points_job", "run_points"]
