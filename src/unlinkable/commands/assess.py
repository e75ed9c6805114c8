"""``unlinkable assess``: a job file, or a data file with --qi; JSON, per-record CSV and HTML out."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from unlinkable.backend_selection import get_backend
from unlinkable.backends.choice import add_backend_argument, job_backend
from unlinkable.data.formulas import escape_for_csv
from unlinkable.data.outputs import OutputSet
from unlinkable.data.roles import Role
from unlinkable.errors import ConfigError
from unlinkable.progress import Progress

_JOB_SUFFIXES = (".yaml", ".yml", ".json")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="a job file (.yaml/.json), or a data file (.csv/.parquet) with --qi")
    parser.add_argument("--qi", help="quasi-identifiers, comma-separated (data-file form)")
    parser.add_argument("--sensitive", help="sensitive attribute(s), comma-separated")
    parser.add_argument("--hierarchy", action="append", default=[], metavar="COL=FILE", help="hierarchy file for a column (repeatable)")
    parser.add_argument("--weights", help="sampling-weight column")
    parser.add_argument("--household", help="household-id column")
    parser.add_argument("--identifier", action="append", default=[], metavar="COL", help="identifier column (never shown)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--population-size", type=int)
    group.add_argument("--sampling-fraction", type=float)
    parser.add_argument("--delimiter", help="CSV delimiter (sniffed when omitted)")
    parser.add_argument("--risk-method", choices=("approx", "exact"),
                        help="sdcMicro indivRisk's formula for classes of 3 or more (default approx, or the job "
                             "file's assess.individual_risk.method)")
    parser.add_argument("--qual", type=float,
                        help="sdcMicro indivRisk's quality factor (default 1, or the job file's assess.individual_risk.qual)")
    parser.add_argument("--model-risk", choices=("default", "CE", "PML", "weightedLLM", "IPF"),
                        help="also estimate sdcMicro modRisk's model-based global risk with this method (needs weights)")
    parser.add_argument("--model-bound", type=float, default=float("inf"),
                        help="modRisk's bound: sum only cells with at most this many records (default: no bound)")
    parser.add_argument("--risky-cells", metavar="T1,T2,...",
                        help="sdcMicro riskyCells: per combination of 1, 2, ... quasi-identifiers, count the cells "
                             "with at most T1, T2, ... records")
    parser.add_argument("--json", dest="json_out", metavar="OUT.json", help="write all figures as JSON")
    parser.add_argument("--records", metavar="OUT.csv", help="write per-record risks (no attribute values)")
    parser.add_argument("--report", metavar="OUT.html", help="write the HTML report")
    add_backend_argument(parser)


def options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of :func:`unlinkable.assess` from the command line or the job file."""
    source = Path(args.source)
    if source.suffix.lower() in _JOB_SUFFIXES:
        if args.qi:
            raise ConfigError("--qi is for the data-file form; a job file names its quasi-identifiers under `attributes`",
                              hint="drop --qi, or pass a data file")
        from unlinkable.config import assess_options, load_job

        job = load_job(source)
        if job.input is None:
            raise ConfigError(f"{source}: the job file has no `input` section", hint="input: {path: data.csv}")
        qis = job.names(Role.QUASI_IDENTIFIER)
        if not qis:
            raise ConfigError(f"{source}: no attribute has role quasi-identifier", hint="attributes: {age: {role: quasi-identifier}}")
        engine = get_backend(job_backend(job.sections, getattr(args, "backend", None)))
        frame = engine.read(job.input.path, delimiter=job.input.delimiter)
        hierarchies = job_hierarchies(job, engine, frame)
        weights = job.names(Role.WEIGHT)
        household = job.names(Role.HOUSEHOLD)
        risk = _flags_over(assess_options(job.sections.get("assess")), args)
        return dict(
            backend=engine,
            data=frame,
            source=str(job.input.path),
            quasi_identifiers=qis,
            sensitive=job.names(Role.SENSITIVE) or None,
            hierarchies=hierarchies,
            weights=weights[0] if weights else None,
            household=household[0] if household else None,
            identifiers=job.names(Role.IDENTIFIER),
            population_size=job.population_size,
            sampling_fraction=job.population_size is None and job.sampling_fraction or None,
            model_risk=args.model_risk,
            model_risk_bound=args.model_bound,
            risky_cells=_thresholds(args.risky_cells),
            **risk,
        )
    if not args.qi:
        raise ConfigError(f"{source}: name the quasi-identifiers with --qi a,b,c (or pass a job file)", hint="e.g. --qi age,sex,zip")
    hierarchies = {}
    for item in args.hierarchy:
        if "=" not in item:
            raise ConfigError(f"--hierarchy {item!r} must be COL=FILE", hint="e.g. --hierarchy age=age.csv")
        col, path = item.split("=", 1)
        hierarchies[col] = path
    return dict(
        backend=getattr(args, "backend", None),
        data=str(source),
        source=str(source),
        delimiter=args.delimiter,
        quasi_identifiers=args.qi,
        sensitive=args.sensitive,
        hierarchies=hierarchies,
        weights=args.weights,
        household=args.household,
        identifiers=args.identifier,
        population_size=args.population_size,
        sampling_fraction=args.sampling_fraction,
        model_risk=args.model_risk,
        model_risk_bound=args.model_bound,
        risky_cells=_thresholds(args.risky_cells),
        **_flags_over({}, args),
    )


def _thresholds(text: str | None) -> list[int] | None:
    """--risky-cells 50,25,10 -> [50, 25, 10]."""
    if text is None:
        return None
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise ConfigError(f"--risky-cells {text!r} must be whole numbers separated by commas",
                          hint="e.g. --risky-cells 50,25,10") from None
    return values


def _flags_over(options: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The individual-risk options, with ``--risk-method`` and ``--qual`` winning over the job file's."""
    if args.risk_method is not None:
        options["individual_risk_method"] = args.risk_method
    if args.qual is not None:
        options["qual"] = args.qual
    return options


def job_hierarchies(job: Any, engine: Any, table: Any) -> dict[str, Any]:
    """The job's hierarchies for ``table``: builders (intervals, masking, ...) read the distinct
    values of their column, in first-appearance order, from the backend."""
    if engine.name == "numpy":
        return dict(job.build_hierarchies(table))
    columns = engine.columns(table)
    # a hierarchy file is read as it is; only builders need the column's values (one Spark job each)
    return {name: spec.build(name, engine.values(table, name) if spec.kind != "hierarchy" else [])
            for name, spec in job.hierarchy_specs().items() if name in columns}


def run(args: argparse.Namespace) -> int:
    """Assess, then write the requested outputs, showing the phases on a terminal."""
    shown = Progress()
    try:
        return _run(args, shown)
    finally:
        shown.abort()


def _run(args: argparse.Namespace, shown: Progress) -> int:
    """Assess; stage the JSON, per-record CSV and report in one OutputSet; rename them together."""
    from unlinkable.assessment import assess

    traces_job = _traces_job(args)
    if traces_job is not None:
        from unlinkable.traces.command import run_assess

        return run_assess(args, traces_job, shown)
    points_job = _points_job(args)
    if points_job is not None:
        return _run_points(args, points_job, shown)
    with OutputSet(inputs=input_files(args)) as outputs:
        outputs.reserve(args.json_out, args.records, args.report)
        shown.begin("read", Path(args.source).name)
        options = options_from_args(args)
        shown.begin("risk")
        result = assess(**options)
        figures = result.to_dict()
        shown.begin("write")
        if args.json_out:
            outputs.text(args.json_out, json.dumps(figures, indent=2) + "\n")
        if args.records:
            if not result.per_record:
                raise ConfigError(f"--records is not available on the {figures.get('backend')} backend: per-record risks "
                                  f"would bring every record to this machine", hint="drop --records, or use --backend numpy")
            # numbers only today; escaped all the same, so a text column added later is safe too
            outputs.table(args.records, escape_for_csv(result.records(), args.records)[0], delimiter=",")
        if args.report:
            from unlinkable.report.html import render

            outputs.text(args.report, render("assess", result))
        outputs.commit()
    shown.end()
    if not args.json_out or sys.stdout.isatty():
        print_summary(figures)
    for label, path in (("figures", args.json_out), ("per-record risks", args.records), ("report", args.report)):
        if path:
            print(f"{label}: {path}", file=sys.stderr)
    return 0


def _traces_job(args: argparse.Namespace) -> Any:
    """The trajectory job, when the job file has ``trajectories:``."""
    source = Path(args.source)
    if source.suffix.lower() not in _JOB_SUFFIXES or not source.is_file():
        return None
    from unlinkable.config import read_job_file
    from unlinkable.traces.job import is_traces_job, load_traces_job

    if not is_traces_job(read_job_file(source)):
        return None
    if args.qi:
        raise ConfigError(f"{source}: --qi is not for trajectories; the job file names its columns under `trajectories`",
                          hint="drop --qi")
    return load_traces_job(source)


def _points_job(args: argparse.Namespace) -> Any:
    """The set-valued job, when the job file has ``transactions:`` or a basket-lines input."""
    source = Path(args.source)
    if source.suffix.lower() not in _JOB_SUFFIXES or not source.is_file():
        return None
    from unlinkable.config import read_job_file
    from unlinkable.points.job import is_points_job, load_points_job

    if not is_points_job(read_job_file(source)):
        return None
    if args.qi or args.report:
        raise ConfigError(f"{source}: {'--qi' if args.qi else '--report'} is not available for set-valued data (yet)",
                          hint="use --json and --records")
    return load_points_job(source)


def _run_points(args: argparse.Namespace, job: Any, shown: Progress) -> int:
    """Set-valued assess: unicity and k^m figures as JSON, smallest supports per record as CSV."""
    from unlinkable.points.assess import assess_points

    with OutputSet(inputs=job.inputs()) as outputs:
        outputs.reserve(args.json_out, args.records)
        shown.begin("read", job.path.name)
        points = job.read()
        shown.begin("risk")
        result = assess_points(points, k=job.k, m=job.m, ps=job.ps, mode=job.mode, seed=job.seed,
                               hierarchy=job.hierarchy(points))
        figures = result.to_dict()
        shown.begin("write")
        if args.json_out:
            outputs.text(args.json_out, json.dumps(figures, indent=2) + "\n")
        if args.records:
            if result.km is None:
                raise ConfigError(f"{job.source}: --records needs `assess: {{km: {{k, m}}}}`", hint="assess: {km: {k: 5, m: 2}}")
            outputs.table(args.records, result.per_record(), delimiter=",")
        outputs.commit()
    shown.end()
    if not args.json_out or sys.stdout.isatty():
        print(json.dumps(figures, indent=2))
    for label, path in (("figures", args.json_out), ("per-record smallest supports", args.records)):
        if path:
            print(f"{label}: {path}", file=sys.stderr)
    return 0


def input_files(args: argparse.Namespace) -> list[Path]:
    """The files the command reads: the data or job file, and the hierarchies it names."""
    source = Path(args.source)
    if source.suffix.lower() in _JOB_SUFFIXES and source.is_file():
        from unlinkable.commands.inputs import job_inputs
        from unlinkable.config import load_job

        return job_inputs(load_job(source))
    return [source, *(Path(item.split("=", 1)[1]) for item in args.hierarchy if "=" in item)]


def print_summary(d: dict[str, Any]) -> None:
    """A short readable table of the headline figures."""
    from rich.console import Console
    from rich.table import Table

    from unlinkable.report.verdict import verdict

    n = d["records"]
    ec = d["equivalence_classes"]
    table = Table(title=f"Re-identification risk of {d['source']} ({n:,} records)", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    judged = verdict(d)
    if judged is not None:
        table.add_row("verdict", f"{judged.level} re-identification risk")
    table.add_row("quasi-identifiers", ", ".join(d["quasi_identifiers"]))
    table.add_row("equivalence classes", f"{ec['count']:,} (sizes {ec['min_size']}..{ec['max_size']}, mean {ec['mean_size']:.2f})")
    table.add_row("sample uniques", f"{d['sample_uniques']:.2%} of records")
    p = d["prosecutor"]
    table.add_row("prosecutor risk (highest / average)", f"{p['highest_risk']:.4f} / {p['average_risk']:.4f}")
    table.add_row(f"records at risk (> {p['threshold']})", f"{p['records_at_risk']:.2%}")
    table.add_row("marketer risk", f"{d['marketer']['average_risk']:.4f}")
    pu = d.get("population_uniques")
    if pu:
        for name in ("pitman", "zayatz", "snb", "dankar"):
            v = pu.get(name)
            table.add_row(f"population uniques ({name})", "not available" if v is None else f"{v:.4%}")
    ir = d["individual_risk"]
    table.add_row("expected re-identifications (sdcMicro)", f"{ir['expected_reidentifications']:.2f}")
    kv = ir["kanonymity_violations"]
    table.add_row("records violating 2/3/5-anonymity", f"{kv['2']:,} / {kv['3']:,} / {kv['5']:,}")
    if d.get("suda2"):
        table.add_row("records with SUDA2 score > 0", f"{d['suda2']['records_with_score']:,}")
    top = _most_identifying(d.get("uniqueness_by_attributes") or [])
    if top:
        table.add_row("most identifying small subset", f"{' + '.join(top['attributes'])}: {top['sample_uniques']:.1%} unique")
    Console(stderr=False).print(table)


def _most_identifying(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The smallest subset that makes the most records unique (ties: fewer attributes first)."""
    if not rows:
        return None
    return max(rows, key=lambda r: (r["sample_uniques"], -len(r["attributes"])))
