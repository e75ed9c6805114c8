"""An anonymize job: SDC steps and/or privacy models, verified, then every output written together.

What ``unlinkable anonymize`` and :func:`unlinkable.run_job` run. Nothing is written unless the
independent verifier accepts the release.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from unlinkable.backend_selection import get_backend
from unlinkable.backends.choice import job_backend
from unlinkable.config import InputSpec, Job
from unlinkable.data.formulas import escape_for_csv
from unlinkable.data.io import read_table
from unlinkable.data.outputs import OutputSet
from unlinkable.data.roles import KEPT_AS_IS, Role, column_roles
from unlinkable.errors import ConfigError, InternalError
from unlinkable.jobs.inputs import job_inputs
from unlinkable.jobs.outcome import NO_DESTINATIONS, Destinations, Outcome, where
from unlinkable.progress import Progress
from unlinkable.results import AnonymizationResult, SdcResult
from unlinkable.risk.options import AssessSection

log = logging.getLogger(__name__)


def run_anonymize(job: Job, *, backend: str | None = None, destinations: Destinations = NO_DESTINATIONS,
                  progress: Progress | None = None) -> Outcome:
    """Run an anonymize job; its typed result and the one-line summary the command prints.

    A job may hold SDC ``steps``, privacy models (``privacy``), or both: the steps run first and the
    models then anonymize their result. Every claim is re-checked by ``unlinkable.verify``; every
    output is staged in one :class:`~unlinkable.data.outputs.OutputSet` and renamed into place
    together at the end, so a failure, Ctrl-C or SIGTERM writes nothing. Errors are raised as
    :class:`~unlinkable.errors.UnlinkableError`.
    """
    shown = progress if progress is not None else Progress(enabled=False)
    if job.input is None:
        raise ConfigError(f"{where(job)}: the job has no `input`", hint="input: {path: data.csv, delimiter: ';'}")
    spec = job.spec
    if not spec.sdc_steps and spec.anonymize is None:
        raise ConfigError(f"{where(job)}: the job has neither `privacy` models nor SDC `steps`",
                          hint="add e.g. privacy: [{k-anonymity: {k: 5}}] or steps: [{local-suppression: {k: 3, attributes: [...]}}]")
    choice = job_backend(spec, backend)
    if choice.name != "numpy" and spec.sdc_steps:
        # every SDC step rewrites or perturbs records one by one (or draws per record): none is a
        # function of class counts and sensitive histograms, so none runs on the distributed path
        names = ", ".join(dict.fromkeys(name for name, _ in spec.sdc_steps))
        raise ConfigError(f"{where(job)}: the SDC step(s) {names} change records one by one and do not run on the "
                          f"{choice.name} backend", hint="run the steps with the numpy backend, or drop them "
                                                          "(privacy models run on Spark)")
    with OutputSet(inputs=job_inputs(job)) as outputs:
        if choice.name == "numpy":
            outputs.reserve(job.output.path, destinations.json, job.output.report)  # before the long search
            result, summary = _release(job, destinations, outputs, shown)
        else:
            outputs.reserve(destinations.json, job.output.report)
            outputs.reserve_folder(job.output.path)  # Spark writes a folder of parts
            result, summary = _release_distributed(job, destinations, outputs, shown, get_backend(choice))
        outputs.commit()
    shown.end()
    return Outcome(result, summary + (f"; wrote {job.output.path}" if job.output.path else ""))


def _release(job: Job, destinations: Destinations, outputs: OutputSet,
             shown: Progress) -> tuple[AnonymizationResult | SdcResult, str]:
    """Read, transform, verify and stage every output of the job; return the result and the one-line summary."""
    inp = _input(job)
    spec = job.spec
    shown.begin("read", inp.path.name)
    # The quasi-identifiers come out of the parser as categories: the search encodes them from
    # their codes, and no string per cell is held (SDC steps rewrite cells: they get text).
    frame = read_table(inp.path, delimiter=inp.delimiter,
                       categorical=() if spec.sdc_steps else job.names(Role.QUASI_IDENTIFIER))
    # Every column needs a role before anything runs: a column nobody named is never released.
    column_roles(frame.columns, [(role, job.names(role)) for role in Role], where=f"{where(job)}: {inp.path.name}",
                 hint="give it a role under `attributes`: identifier (dropped), quasi-identifier, sensitive, "
                      "or insensitive (kept as is), e.g. birth_date: {role: identifier}")
    identifiers = job.names(Role.IDENTIFIER)
    source = str(inp.path)

    delimiter = job.output.delimiter or inp.delimiter or _input_delimiter(inp.path)

    def stage_table(table: Any, rows: Callable[[], tuple[Any, int]] | None = None) -> dict[str, Any] | None:
        """Start writing the released table (formulas escaped) on a second thread; its escaping
        figures. ``rows``: which records share a row, as the anonymizer knows it (the writer checks it)."""
        if job.output.path is None:
            return None
        table, escaping = escape_for_csv(table, job.output.path, enabled=job.output.escape_formulas)
        outputs.table(job.output.path, table, delimiter=delimiter, background=True, rows=rows)
        return escaping.to_dict()

    result: AnonymizationResult | SdcResult | None = None
    work = frame
    if spec.sdc_steps:
        work, result = _run_steps(job, frame, identifiers, source, shown)
    if spec.anonymize is not None:
        anonymized, summary = _anonymize(job, frame, work, identifiers, source, shown, outputs, stage_table)
        if isinstance(result, SdcResult):
            anonymized = replace(anonymized, steps=result.steps, claims=result.claims)
        result, kind = anonymized, "anonymize"
    else:
        assert isinstance(result, SdcResult)  # a job runs steps, privacy models, or both (checked above)
        result, kind = replace(result, formula_escaping=stage_table(work)), "sdc"
        summary = (f"ran {len(result.steps)} step(s) on {frame.height} records; "
                   + "; ".join(f"{c['name']} k={c['k']} {c['status']}" for c in result.claims))
    uniqueness = result.release["released_uniqueness"] if isinstance(result, AnonymizationResult) else result.released_uniqueness
    summary += _kept_warnings(uniqueness)

    shown.begin("write")
    payload = result.to_dict()
    json_text = json.dumps(payload, indent=2, default=str) + "\n"
    report_html = None
    if job.output.report is not None:
        from unlinkable.report.html import render

        report_html = render(kind, result)
    if destinations.json is not None:
        outputs.text(destinations.json, json_text)
    if report_html is not None and job.output.report is not None:
        outputs.text(job.output.report, report_html)
    return result, summary


def _release_distributed(job: Job, destinations: Destinations, outputs: OutputSet, shown: Progress,
                         engine: Any) -> tuple[AnonymizationResult, str]:
    """``_release`` on a backend that keeps the records (Spark): the search runs here on the
    distinct tuples, the release is computed, verified and written as parts where the records
    are; only tuples, class counts and figures come back."""
    inp = _input(job)
    from unlinkable.assessment import assess
    from unlinkable.jobs.assess import job_hierarchies
    from unlinkable.spark.write import escape_formulas_spark, write_parts
    from unlinkable.verify_spark import verify_release_spark

    shown.begin("start", f"a {engine.name} session")
    engine.session  # noqa: B018 - started here, so its start-up is shown as such
    shown.begin("read", f"{inp.path.name} (on {engine.name})")
    table = engine.read(inp.path, delimiter=inp.delimiter)
    columns = engine.columns(table)
    column_roles(columns, [(role, job.names(role)) for role in Role], where=f"{where(job)}: {inp.path.name}",
                 hint="give it a role under `attributes`: identifier (dropped), quasi-identifier, sensitive, "
                      "or insensitive (kept as is), e.g. birth_date: {role: identifier}")
    identifiers = job.names(Role.IDENTIFIER)
    quasi_identifiers = job.names(Role.QUASI_IDENTIFIER)
    hierarchies = job_hierarchies(job, engine, table)
    anonymizer = job_anonymizer(job, hierarchies=hierarchies, identifiers=identifiers, progress=shown, backend=engine)
    result = anonymizer.fit(table)
    shown.begin("verify", f"on {engine.name}")
    assert result.paired is not None  # a distributed fit pairs the release with its input
    paired, originals = result.paired
    paired.persist()  # verified, measured and written: computed once, kept by the executors
    try:
        verify_release_spark(paired, originals=originals, quasi_identifiers=quasi_identifiers, models=anonymizer.models,
                             suppression_limit=anonymizer.suppression_limit, hierarchies=hierarchies,
                             identifiers=identifiers, input_columns=columns)
        shown.begin("risk", f"before and after, on {engine.name}")
        source = str(inp.path)
        release, risk_after = result.to_dict(), result.assess_release()
        before = assess(table, quasi_identifiers=quasi_identifiers, suda2=False, source=source, identifiers=identifiers, backend=engine)
        anonymized = AnonymizationResult(release=release, risk_after=risk_after, source=source,
                                         records=before["records"], identifiers=tuple(identifiers),
                                         risk_before=before.to_dict(), backend=engine.name)
        released = result.table
        if job.output.path is not None:
            released, escaping = escape_formulas_spark(released, job.output.path, enabled=job.output.escape_formulas)
            anonymized = replace(anonymized, formula_escaping=escaping.to_dict())
        payload = anonymized.to_dict()
        shown.begin("write", f"parts on {engine.name}")
        if job.output.path is not None:
            write_parts(outputs, job.output.path, released,
                        delimiter=job.output.delimiter or inp.delimiter
                        or (_input_delimiter(inp.path) if inp.path.is_file() else ","))
        if destinations.json is not None:
            outputs.text(destinations.json, json.dumps(payload, indent=2, default=str) + "\n")
        if job.output.report is not None:
            from unlinkable.report.html import render

            outputs.text(job.output.report, render("anonymize", anonymized))
    finally:
        paired.unpersist()
    levels = ", ".join(f"{k}={v}" for k, v in result.transformation.items())
    summary = (f"anonymized {before['records']} records on {engine.name}: {levels}; loss {result.loss_string}; "
               f"{result.suppressed} suppressed; {result.equivalence_classes} classes; "
               f"{result.nodes_checked}/{result.lattice_size} transformations checked")
    return anonymized, summary + _kept_warnings(anonymized.release["released_uniqueness"])


def _input(job: Job) -> InputSpec:
    if job.input is None:  # run_anonymize refuses such a job first
        raise InternalError("an anonymize job without input reached the release")
    return job.input


def _kept_warnings(uniqueness: Mapping[str, Any] | None) -> str:
    """The summary's warning about kept columns that single records out ("" when none does)."""
    flagged = [e for e in (uniqueness or {}).get("kept_columns", []) if e["warn"]]
    if not flagged:
        return ""
    return "; warning: " + "; ".join(
        f"kept column {e['column']!r} makes {max(e['alone'], e['with_quasi_identifiers']):.1%} of records unique"
        for e in flagged)


def job_anonymizer(job: Job, *, hierarchies: Mapping[str, Any], identifiers: Sequence[str], progress: Any = False,
                   backend: Any = None) -> Any:
    """The :class:`~unlinkable.anonymizer.Anonymizer` an anonymize job describes (its models, metric,
    search, local recoding and roles), for ``anonymize`` and ``score``: the job's
    :class:`~unlinkable.anonymizer_options.AnonymizeSection` completed with the roles and
    hierarchies the data brings and the backend it runs on."""
    from unlinkable.anonymizer import Anonymizer

    settings = job.spec.anonymize
    if settings is None:  # the commands refuse a job without privacy models first
        raise InternalError("an anonymizer was asked of a job without privacy models")
    spec = settings.completed(quasi_identifiers=job.names(Role.QUASI_IDENTIFIER), hierarchies=hierarchies,
                              identifiers=list(identifiers), sensitive=job.names(Role.SENSITIVE),
                              insensitive=_kept_as_is(job), backend=backend, spark=None)
    return Anonymizer.from_spec(spec, progress=progress)


def _kept_as_is(job: Job) -> list[str]:
    """Columns the job keeps unchanged (insensitive, weights, household ids): ``insensitive`` to the API."""
    return [name for role in KEPT_AS_IS for name in job.names(role)]


def _anonymize(job: Any, original: Any, frame: Any, identifiers: list[str], source: str, shown: Progress,
               outputs: OutputSet, stage_table: Callable[..., dict[str, Any] | None]) -> tuple[AnonymizationResult, str]:
    from unlinkable.assessment import assess
    from unlinkable.verify import verify_release

    quasi_identifiers = job.names(Role.QUASI_IDENTIFIER)
    hierarchies = job.build_hierarchies(frame)
    anonymizer = job_anonymizer(job, hierarchies=hierarchies, progress=shown,
                                identifiers=[c for c in identifiers if c in frame.columns])  # SDC steps dropped them
    result = anonymizer.fit(frame)
    released = result.table
    table = released
    if any(m.samples_records for m in anonymizer.models):
        import polars as pl

        # SafePub publishes the released sample only: the rows left out of the sample and the suppressed ones ('*' in every
        # quasi-identifier) are dropped, or their number would tell the input's size
        table = table.filter(~pl.all_horizontal([pl.col(q).cast(pl.String) == "*" for q in quasi_identifiers]))
    # The release is verified, and written to its temporary file, on two more threads while the
    # risk before and after is measured here on the search's codes: the three mostly run outside
    # the GIL, on both cores. The writer, the longest of the three, starts first: it groups its
    # rows here, alone (0.1 s; 0.2 s beside the verifier), and its thread then only copies bytes.
    # Nothing is renamed into place unless the verifier accepts the release (OutputSet.commit
    # waits for it and for the writer).
    escaping = stage_table(table, result.release_rows if table is released else None)
    outputs.check(lambda: verify_release(released, original=frame, quasi_identifiers=quasi_identifiers, models=anonymizer.models,
                                         suppression_limit=anonymizer.suppression_limit, hierarchies=hierarchies,
                                         identifiers=identifiers, local=result.local_recoding is not None))
    shown.begin("risk", "before and after")
    # no SDC step ran first: the search read the input itself, and grouped it by these columns
    same = frame is original and list(result.quasi_identifiers) == list(quasi_identifiers)
    risk_before = assess(original, quasi_identifiers=quasi_identifiers, suda2=False, source=source, identifiers=identifiers,
                         encoded=result.input_codes if same else None,
                         grouped=result.input_tuples if same else None).to_dict()
    release = result.to_dict()
    risk_after = result.assess_release()
    result.drop_codes()
    shown.begin("verify")  # running since the fit ended; the commit waits for it
    anonymized = AnonymizationResult(release=release, risk_after=risk_after, source=source, records=frame.height,
                                     identifiers=tuple(identifiers), risk_before=risk_before, formula_escaping=escaping)
    levels = ", ".join(f"{k}={v}" for k, v in result.transformation.items())
    summary = (f"anonymized {frame.height} records: {levels}; loss {result.loss_string}; "
               f"{result.suppressed} suppressed; {result.equivalence_classes} classes; "
               f"{result.nodes_checked}/{result.lattice_size} transformations checked")
    return anonymized, summary


def _run_steps(job: Any, frame: Any, identifiers: list[str], source: str, shown: Progress) -> tuple[Any, SdcResult]:
    """Run the SDC pipeline, verify its claims, and gather before/after risk and utility figures."""
    from unlinkable.assessment import assess
    from unlinkable.data.numeric import numeric_columns
    from unlinkable.sdc.numeric_utility import numeric_utility
    from unlinkable.sdc.pipeline import Pipeline, step_attributes
    from unlinkable.verify import verify_steps

    steps = job.spec.sdc_steps
    seed = job.spec.seed
    shown.begin("steps", f"({len(steps)} SDC steps)")
    pipeline = Pipeline(steps, seed=seed, identifiers=identifiers, quasi_identifiers=job.names(Role.QUASI_IDENTIFIER),
                        sensitive=job.names(Role.SENSITIVE), insensitive=_kept_as_is(job))
    result = pipeline.run(frame)
    shown.begin("verify")
    claims = verify_steps(result.table, original=frame, steps=list(result.steps), stages=result.stages,
                          identifiers=identifiers)
    sdc = SdcResult(source=source, records=frame.height, identifiers=tuple(identifiers), steps=tuple(result.steps),
                    claims=tuple(claims), roles=dict(result.roles), released_uniqueness=dict(result.released_uniqueness))
    keys = job.names(Role.QUASI_IDENTIFIER) or sorted({a for c in claims if c["name"] == "local-suppression" for a in c["attributes"]})
    if keys:
        weights = job.names(Role.WEIGHT)
        options = dict(quasi_identifiers=keys, weights=weights[0] if weights else None, suda2=True,
                       **AssessSection.parse(job.spec.assess).arguments())
        shown.begin("risk", "before and after")
        sdc = replace(sdc, risk_before=assess(frame, source=source, identifiers=identifiers, **options).to_dict(),
                      risk_after=assess(result.table, source=source, **options).to_dict())  # identifiers are dropped
    numeric = sorted({a for s in result.steps if s["name"] in ("microaggregation", "noise", "rank-swap", "shuffle", "top-bottom")
                      for a in step_attributes(s)})
    if numeric:
        before = numeric_columns(frame, numeric, where=source)
        after = numeric_columns(result.table, numeric, where=source)
        utility = numeric_utility(before, after, attributes=numeric)
        sdc = replace(sdc, utility=_plain_utility(utility))
    return result.table, sdc


def _plain_utility(utility: Any) -> dict[str, Any]:
    import dataclasses

    if dataclasses.is_dataclass(utility) and not isinstance(utility, type):
        data = dataclasses.asdict(utility)
    elif hasattr(utility, "to_dict"):
        data = utility.to_dict()
    else:
        data = dict(utility)
    plain: dict[str, Any] = json.loads(json.dumps(data, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))
    return plain


def _input_delimiter(path: Path) -> str:
    from unlinkable.data.io import sniff_delimiter

    if path.suffix.lower() in (".parquet", ".pq"):
        return ","
    with open(path, encoding="utf-8", errors="replace") as fh:
        return sniff_delimiter(fh.readline())


__all__ = ["run_anonymize", "job_anonymizer"]
