"""An assess job: every risk figure of a table, its per-record risks and its report, written together.

What ``unlinkable assess`` and :func:`unlinkable.run_job` run on a table job. The figures come from
:func:`unlinkable.assess`; the JSON, per-record CSV and HTML report asked for are staged in one
:class:`~unlinkable.data.outputs.OutputSet` and renamed into place together, or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from unlinkable.config import Job
from unlinkable.data.formulas import escape_for_csv
from unlinkable.data.outputs import OutputSet
from unlinkable.data.roles import Role
from unlinkable.errors import ConfigError
from unlinkable.jobs.outcome import NO_DESTINATIONS, Destinations, Outcome, where
from unlinkable.progress import Progress
from unlinkable.risk.options import AssessSection

__all__ = ["assess_arguments", "job_hierarchies", "run_assess", "run_assessment"]


def run_assess(job: Job, *, backend: str | None = None, destinations: Destinations = NO_DESTINATIONS,
               progress: Progress | None = None) -> Outcome:
    """Assess a table job (the command line writes its flags into the job's ``assess`` section)."""
    from unlinkable.jobs.inputs import job_inputs

    return run_assessment(lambda: assess_arguments(job, backend=backend),
                          inputs=job_inputs(job), destinations=destinations, progress=progress,
                          label=job.source.name if job.source is not None else job.input.path.name if job.input else "")


def run_assessment(arguments: Callable[[], Mapping[str, Any]], *, inputs: Sequence[Path],
                   destinations: Destinations = NO_DESTINATIONS, progress: Progress | None = None,
                   label: str = "") -> Outcome:
    """Assess with the keyword arguments ``arguments()`` gives (the read phase); stage the outputs
    asked for in one OutputSet and rename them together."""
    from unlinkable.assessment import assess

    shown = progress if progress is not None else Progress(enabled=False)
    with OutputSet(inputs=inputs) as outputs:
        outputs.reserve(destinations.json, destinations.records, destinations.report)
        shown.begin("read", label)
        options = arguments()
        shown.begin("risk")
        result = assess(**options)
        figures = result.to_dict()
        shown.begin("write")
        if destinations.json:
            outputs.text(destinations.json, json.dumps(figures, indent=2) + "\n")
        if destinations.records:
            if not result.per_record:
                raise ConfigError(f"--records is not available on the {figures.get('backend')} backend: per-record risks "
                                  f"would bring every record to this machine", hint="drop --records, or use --backend numpy")
            # numbers only today; escaped all the same, so a text column added later is safe too
            outputs.table(destinations.records, escape_for_csv(result.records(), destinations.records)[0], delimiter=",")
        if destinations.report:
            from unlinkable.report.html import render

            outputs.text(destinations.report, render("assess", result))
        outputs.commit()
    shown.end()
    return Outcome(result)


def assess_arguments(job: Job, *, backend: str | None = None) -> dict[str, Any]:
    """The keyword arguments of :func:`unlinkable.assess` for a table job (its table read by its backend).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from unlinkable.config import load_job
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "d.csv").write_text("age,sex\\n34,f\\n")
    >>> _ = (d / "job.yaml").write_text("input: d.csv\\nattributes: {age: quasi-identifier, sex: quasi-identifier}\\n")
    >>> assess_arguments(load_job(d / "job.yaml"))["quasi_identifiers"]
    ['age', 'sex']
    """
    from unlinkable.backend_selection import get_backend
    from unlinkable.backends.choice import job_backend

    if job.input is None:
        raise ConfigError(f"{where(job)}: the job file has no `input` section", hint="input: {path: data.csv}")
    quasi_identifiers = job.names(Role.QUASI_IDENTIFIER)
    if not quasi_identifiers:
        raise ConfigError(f"{where(job)}: no attribute has role quasi-identifier", hint="attributes: {age: {role: quasi-identifier}}")
    engine = get_backend(job_backend(job.spec, backend))
    # the quasi-identifiers are only grouped: read as categories, they are encoded from their codes
    frame = engine.read(job.input.path, delimiter=job.input.delimiter, categorical=quasi_identifiers)
    weights = job.names(Role.WEIGHT)
    household = job.names(Role.HOUSEHOLD)
    return dict(
        backend=engine,
        data=frame,
        source=str(job.input.path),
        quasi_identifiers=quasi_identifiers,
        sensitive=job.names(Role.SENSITIVE) or None,
        hierarchies=job_hierarchies(job, engine, frame),
        weights=weights[0] if weights else None,
        household=household[0] if household else None,
        identifiers=job.names(Role.IDENTIFIER),
        population_size=job.population_size,
        sampling_fraction=job.population_size is None and job.sampling_fraction or None,
        **AssessSection.parse(job.spec.assess).arguments(),
    )


def job_hierarchies(job: Job, engine: Any, table: Any) -> dict[str, Any]:
    """The job's hierarchies for ``table``: builders (intervals, masking, ...) read the distinct
    values of their column, in first-appearance order, from the backend."""
    if engine.name == "numpy":
        return dict(job.build_hierarchies(table))
    columns = engine.columns(table)
    # a hierarchy file is read as it is; only builders need the column's values (one Spark job each)
    return {name: spec.build(name, engine.values(table, name) if spec.kind != "hierarchy" else [])
            for name, spec in job.hierarchy_specs().items() if name in columns}
