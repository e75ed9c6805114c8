"""An exposure job: how much of a release can be joined to an auxiliary table, its outputs written together.

What ``unlinkable exposure`` and :func:`unlinkable.run_job` run. Job file (paths relative to it)::

    release: {path: release.csv, delimiter: ","}
    auxiliary: {path: voters.csv, delimiter: ","}
    attributes:                       # release column -> auxiliary column, hierarchy, tolerance
      age: {auxiliary: AGE, hierarchy: age_hierarchy.csv, tolerance: 1}
      sex: {auxiliary: SEX}
    truth_key: {release: pid, auxiliary: pid}     # optional: evaluation mode
    population: {size: 317238626}                 # optional: Gaussian-copula estimator
    what_if: true                                 # optional (default true)
    seed: 0                                       # optional, for the copula estimator
    backend: spark                                # optional: numpy (default) or spark, with
    spark: {master: "local[2]"}                   #   the Spark settings (--backend overrides)

Outputs (staged, then renamed into place together when everything succeeded): ``--json`` the figures,
``--records`` per-record candidate counts (row number and count, never values), ``--report`` HTML.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from unlinkable.config import Job
from unlinkable.errors import ConfigError
from unlinkable.jobs.outcome import NO_DESTINATIONS, Destinations, Outcome, where
from unlinkable.progress import Progress

__all__ = ["exposure_arguments", "run_exposure"]


def exposure_arguments(job: Job, backend: str | None = None) -> dict[str, Any]:
    """The keyword arguments of :func:`unlinkable.linkage.exposure.exposure` for an exposure job.

    ``backend`` (``--backend``) overrides the job file's ``backend``; on Spark the tables are read
    by Spark and stay there.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from unlinkable.config import load_job
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "r.csv").write_text("age\\n34\\n"); _ = (d / "a.csv").write_text("AGE\\n34\\n")
    >>> _ = (d / "job.yaml").write_text("release: r.csv\\nauxiliary: a.csv\\nattributes: {age: {auxiliary: AGE}}\\n")
    >>> exposure_arguments(load_job(d / "job.yaml", kind="exposure"))["on"]
    {'age': 'AGE'}
    """
    from unlinkable.backend_selection import get_backend
    from unlinkable.backends.choice import job_backend
    engine = get_backend(job_backend(job.spec, backend))
    tables = [job.tables.get(name) for name in ("release", "auxiliary")]
    if tables[0] is None or tables[1] is None:
        missing = "release" if tables[0] is None else "auxiliary"
        raise ConfigError(f"{where(job)}: the job needs a `{missing}` section with a `path`",
                          hint=f"{missing}: {{path: {missing}.csv, delimiter: \",\"}}")
    release_table, auxiliary_table = tables[0], tables[1]
    if not job.attributes:
        raise ConfigError(f"{where(job)}: no shared attribute: `attributes` is empty",
                          hint="attributes: {age: {auxiliary: AGE}} names a release column and its auxiliary column")
    release = engine.read(release_table.path, delimiter=release_table.delimiter)
    auxiliary = engine.read(auxiliary_table.path, delimiter=auxiliary_table.delimiter)
    aux_columns = engine.columns(auxiliary)
    on: dict[str, str] = {}
    hierarchies: dict[str, Any] = {}
    tolerance: dict[str, Any] = {}
    for spec in job.attributes:
        aux_col = str(spec.options.get("auxiliary", spec.name))
        on[spec.name] = aux_col
        if spec.options.get("tolerance") is not None:
            tolerance[spec.name] = spec.options["tolerance"]
        if spec.hierarchy is not None:
            # Builders (intervals, masking, ...) derive the hierarchy from the raw auxiliary values.
            values = engine.values(auxiliary, aux_col) if aux_col in aux_columns else []
            hierarchies[spec.name] = spec.hierarchy.build(spec.name, [v for v in values if v not in (None, "*")])
    # truth_key, what_if and seed were checked with the job (config.parse_job)
    truth = job.spec.truth_key.model_dump() if job.spec.truth_key is not None else None
    what_if = job.spec.what_if
    population = job.population_size
    if population is None and job.sampling_fraction is not None:
        from unlinkable.risk.sampling import population_size

        population = population_size(engine.count(release), sampling_fraction=job.sampling_fraction)
    seed = job.spec.seed if job.spec.seed is not None else 0
    return dict(release=release, auxiliary=auxiliary, on=on, hierarchies=hierarchies, tolerance=tolerance,
                truth_key=truth, what_if=what_if, population_size=population, seed=seed,
                auxiliary_name=auxiliary_table.path.name, backend=engine)


def run_exposure(job: Job, *, backend: str | None = None, destinations: Destinations = NO_DESTINATIONS,
                 progress: Progress | None = None) -> Outcome:
    """Run an exposure job; its :class:`~unlinkable.linkage.exposure.ExposureResult` and the
    plain-words summary the command prints."""
    from unlinkable.data.formulas import escape_for_csv
    from unlinkable.data.outputs import OutputSet
    from unlinkable.jobs.inputs import job_inputs
    from unlinkable.linkage.exposure import exposure

    shown = progress if progress is not None else Progress(enabled=False)
    with OutputSet(inputs=job_inputs(job)) as outputs:
        outputs.reserve(destinations.json, destinations.records, destinations.report)
        shown.begin("read")
        kwargs = exposure_arguments(job, backend)
        name = kwargs.pop("auxiliary_name")
        shown.begin("risk", "linkage against the auxiliary table")
        result = replace(exposure(**kwargs), auxiliary_name=name)
        payload = result.to_dict()
        shown.begin("write")
        if destinations.report:
            from unlinkable.report.html import render

            outputs.text(destinations.report, render("exposure", result))
        if destinations.json:
            outputs.text(destinations.json, json.dumps(payload, indent=2, allow_nan=False) + "\n")
        if destinations.records:
            outputs.table(destinations.records, escape_for_csv(result.records(), destinations.records)[0])
        outputs.commit()
    shown.end()
    return Outcome(result, "\n".join(_summary(payload, result.summary())))


def _summary(payload: Mapping[str, Any], text: str) -> list[str]:
    lines = [text + "."]
    lines.append(f"Expected correct re-identifications: {payload['expected_reidentifications']:,.1f} "
                 f"(each compatible candidate equally likely).")
    lines.append(f"{payload['reverse_unique_share']:.1%} of the {payload['auxiliary_records']:,} people in "
                 f"{payload['auxiliary_name']} can be placed in exactly one release record.")
    if "true_reidentification_rate" in payload:
        precision = payload["unique_link_precision"]
        lines.append(f"Evaluation: true re-identification rate {payload['true_reidentification_rate']:.1%}; "
                     + (f"{precision:.1%} of the unique links are the right person." if precision is not None
                        else "no unique links to check."))
    if payload.get("what_if"):
        best = payload["what_if"][0]
        verb = "dropping" if best["action"] == "drop" else "generalizing one level"
        lines.append(f"Largest single improvement: {verb} {best['attribute']!r} -> unique-link share "
                     f"{best['unique_link_share']:.1%}.")
    if payload.get("copula"):
        c = payload["copula"]
        lines.append(f"Copula estimate (population {c['population_size']:,}): mean correctness likelihood "
                     f"{c['mean_correctness']:.1%}; {c['records_above_0_5']:,} records above 0.5.")
    return lines
