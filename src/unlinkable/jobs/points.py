"""A set-valued assess job (points per person): unicity and k^m figures, smallest supports per record.

What ``unlinkable assess`` and :func:`unlinkable.run_job` run on a job with ``transactions:`` or
a basket-lines input (``points/job.py`` reads it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from unlinkable.errors import ConfigError
from unlinkable.jobs.outcome import NO_DESTINATIONS, Destinations, Outcome
from unlinkable.progress import Progress

__all__ = ["run_points"]


def run_points(content: Mapping[str, Any], *, source: Path | None, destinations: Destinations = NO_DESTINATIONS,
               progress: Progress | None = None) -> Outcome:
    """Assess a set-valued job: the figures as JSON, the smallest supports per record as CSV."""
    from unlinkable.data.outputs import OutputSet
    from unlinkable.points.assess import assess_points
    from unlinkable.spec import parse_job_of

    shown = progress if progress is not None else Progress(enabled=False)
    job = parse_job_of(content, kind="points", source=source)
    with OutputSet(inputs=job.inputs()) as outputs:
        outputs.reserve(destinations.json, destinations.records, destinations.report)
        shown.begin("read", job.path.name)
        points = job.read()
        shown.begin("risk")
        result = assess_points(points, k=job.k, m=job.m, ps=job.ps, mode=job.mode, seed=job.seed,
                               hierarchy=job.hierarchy(points), resolutions=job.resolutions)
        figures = result.to_dict()
        shown.begin("write")
        if destinations.json:
            outputs.text(destinations.json, json.dumps(figures, indent=2) + "\n")
        if destinations.records:
            if result.km is None:
                raise ConfigError(f"{job.source}: --records needs `assess: {{km: {{k, m}}}}`", hint="assess: {km: {k: 5, m: 2}}")
            outputs.table(destinations.records, result.per_record(), delimiter=",")
        if destinations.report:
            from unlinkable.report.views.points import render_points

            by_size = list(result.km.violating_by_size) if result.km is not None else []
            outputs.text(destinations.report, render_points("points-assess", {**figures, "km_by_size": by_size}))
        outputs.commit()
    shown.end()
    return Outcome(result, json.dumps(figures, indent=2))
