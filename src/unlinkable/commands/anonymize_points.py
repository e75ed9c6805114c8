"""``unlinkable anonymize JOB.yaml`` on set-valued data: a global recoding of the items, verified, written whole.

The release has the input's form: a basket-lines file gets one line per input record, in order,
with its released items (distinct, in the order of the released dictionary) joined by the
input's separator (a record whose items were all suppressed is an empty line); a long table gets
the columns ``record`` and ``item`` under the input's names, records numbered 1, 2, ... in order
of first appearance (never the input's identifiers), one row per released item. Times and
quantities are not released: the models protect items only. Item labels a spreadsheet would run
as a formula are escaped as in every CSV the package writes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from unlinkable.data.formulas import escape_for_csv, escape_formulas
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
    from unlinkable.points.job import is_points_job, load_points_job

    return load_points_job(path) if is_points_job(read_job_file(path)) else None


def run_points(args: argparse.Namespace, job: Any, shown: Progress) -> int:
    """Anonymize a set-valued job; stage the release, JSON and report in one OutputSet."""
    from unlinkable.points.release import release_points, release_relational

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
        figures = result.to_dict()
        if job.output is not None:
            figures["formula_escaping"] = {"escaped_cells": _write_release(outputs, job, result)}
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
    print(summary + (f"; wrote {job.output}" if job.output is not None else ""))
    return 0


def _write_release(outputs: OutputSet, job: Any, result: Any) -> int:
    """Stage the release in the input's form; the number of cells escaped as formulas."""
    sets = result.points.sets()
    labels = list(sets.labels)
    if job.format == "basket-lines":
        frame, escaping = escape_formulas(pl.DataFrame({"item": labels}, schema={"item": pl.String}))
        labels = frame["item"].to_list()
        words = np.asarray(labels, dtype=object)[sets.items] if len(labels) else np.zeros(0, dtype=object)
        clash = [label for label in labels if job.separator in label or "\n" in label or "\r" in label]
        if clash:
            raise ConfigError(f"{job.source}: a released label of the item hierarchy holds the separator "
                              f"{job.separator!r} or a line break", hint="rename that hierarchy node, or choose another separator")
        lines = [job.separator.join(words[a:b]) for a, b in zip(sets.indptr[:-1].tolist(), sets.indptr[1:].tolist())]
        outputs.text(job.output, "\n".join(lines) + "\n")
        return escaping.cells
    record = sets.record_of_point()
    words = np.asarray(labels, dtype=object)[sets.items] if len(labels) else np.zeros(0, dtype=object)
    table = pl.DataFrame({job.transactions["record"]: record + 1, job.transactions["item"]: pl.Series(words.tolist(), dtype=pl.String)})
    if result.attributes is not None:  # each row carries its record's released quasi-identifiers
        table = pl.concat([table, result.attributes[record]], how="horizontal")
    table, escaped = escape_for_csv(table, job.output)
    outputs.table(job.output, table, delimiter=job.delimiter or ",")
    return escaped.cells


__all__ = ["points_job", "run_points"]
