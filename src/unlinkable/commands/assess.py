"""``unlinkable assess``: a job file, or a data file with --qi; JSON, per-record CSV and HTML out.

A thin shell: the data-file form's flags (``--qi``, ``--sensitive``, ``--hierarchy``, ...) are
written as the job file would say them (``input``, ``attributes`` with roles, ``population``),
and ``--risk-method``, ``--qual``, ``--model-risk``, ``--model-bound`` and ``--risky-cells`` into
its ``assess`` section, over the job file's own. The job then runs as :func:`unlinkable.run_job`
runs it (:mod:`unlinkable.jobs.assess`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from unlinkable.backends.choice import add_backend_argument
from unlinkable.commands import flag
from unlinkable.constraints import Interval
from unlinkable.errors import ConfigError
from unlinkable.jobs import Destinations, job_kind, read_job, run_kind
from unlinkable.progress import Progress
from unlinkable.risk.model_based import METHODS as MODEL_RISK_METHODS

__all__ = ["configure", "run", "job_content", "print_summary"]

_JOB_SUFFIXES = (".yaml", ".yml", ".json")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="a job file (.yaml/.json), or a data file (.csv/.parquet) with --qi")
    parser.add_argument("--qi", help="quasi-identifiers, comma-separated (data-file form)")
    parser.add_argument("--sensitive", help="sensitive attribute(s), comma-separated")
    parser.add_argument("--hierarchy", action="append", default=[], metavar="COL=FILE", help="hierarchy file for a column (repeatable)")
    parser.add_argument("--weights", help="sampling-weight column")
    parser.add_argument("--household", help="household-id column")
    parser.add_argument("--identifier", action="append", default=[], metavar="COL", help="identifier column (never shown)")
    exclusive = parser.add_mutually_exclusive_group()
    exclusive.add_argument("--population-size", type=flag(Interval(int, 1, None)))
    exclusive.add_argument("--sampling-fraction", type=flag(Interval(float, 0, 1, closed="right")))
    parser.add_argument("--delimiter", help="CSV delimiter (sniffed when omitted)")
    parser.add_argument("--risk-method", choices=("approx", "exact"),
                        help="sdcMicro indivRisk's formula for classes of 3 or more (default approx, or the job "
                             "file's assess.individual_risk.method)")
    parser.add_argument("--qual", type=flag(Interval(float, 0, None, closed="right", finite=True)),
                        help="sdcMicro indivRisk's quality factor (default 1, or the job file's assess.individual_risk.qual)")
    parser.add_argument("--model-risk", choices=MODEL_RISK_METHODS,
                        help="also estimate sdcMicro modRisk's model-based global risk with this method (needs weights; "
                             "the job file's assess.model_risk.method)")
    parser.add_argument("--model-bound", type=flag(Interval(float, 0, None, closed="right")),
                        help="modRisk's bound: sum only cells with at most this many records (default: no bound)")
    parser.add_argument("--risky-cells", metavar="T1,T2,...", type=_thresholds,
                        help="sdcMicro riskyCells: per combination of 1, 2, ... quasi-identifiers, count the cells "
                             "with at most T1, T2, ... records (the job file's assess.risky_cells)")
    parser.add_argument("--json", dest="json_out", type=Path, metavar="OUT.json", help="write all figures as JSON")
    parser.add_argument("--records", type=Path, metavar="OUT.csv", help="write per-record risks (no attribute values)")
    parser.add_argument("--report", type=Path, metavar="OUT.html", help="write the HTML report")
    add_backend_argument(parser)


def _thresholds(text: str) -> list[int]:
    """--risky-cells 50,25,10 -> [50, 25, 10]."""
    read = flag(Interval(int, 0, None))
    try:
        return [read(v) for v in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"must be whole numbers >= 0 separated by commas, got {text[:40]!r}") from None


def job_content(args: argparse.Namespace) -> tuple[Mapping[str, Any], Path | None]:
    """The job the arguments describe (its content, and its file if one was given).

    A job file is read as it is; a data file with ``--qi`` becomes the job file that says the same.
    Either way the ``assess`` flags are written into its ``assess`` section.
    """
    source = Path(args.source)
    if source.suffix.lower() in _JOB_SUFFIXES:
        if args.qi:
            from unlinkable.traces import is_traces_job

            if source.is_file() and is_traces_job(read_job(source)[0]):
                raise ConfigError(f"{source}: --qi is not for trajectories; the job file names its columns under "
                                  f"`trajectories`", hint="drop --qi")
            raise ConfigError("--qi is for the data-file form; a job file names its quasi-identifiers under `attributes`",
                              hint="drop --qi, or pass a data file")
        content, path = read_job(source)
        if job_kind(content).startswith("traces-"):
            return content, path  # the assess flags are about tables
        return _with_assess_flags(content, args), path
    if not args.qi:
        raise ConfigError(f"{source}: name the quasi-identifiers with --qi a,b,c (or pass a job file)", hint="e.g. --qi age,sex,zip")
    attributes: dict[str, dict[str, Any]] = {}

    def give(names: list[str], role: str, option: str) -> None:
        for name in names:
            if name in attributes and "role" in attributes[name]:
                raise ConfigError(f"column {name!r} is both {_ROLE_WORDS[attributes[name]['role']]} and {_ROLE_WORDS[role]}",
                                  hint="give each column one role")
            if names.count(name) > 1:
                raise ConfigError(f"{option} lists {name!r} twice", hint="name each column once")
            attributes.setdefault(name, {})["role"] = role

    give(_split(args.qi), "quasi-identifier", "--qi")
    give(_split(args.sensitive), "sensitive", "--sensitive")
    give(list(args.identifier), "identifier", "--identifier")
    give([args.weights] if args.weights else [], "weight", "--weights")
    give([args.household] if args.household else [], "household", "--household")
    for item in args.hierarchy:
        if "=" not in item:
            raise ConfigError(f"--hierarchy {item!r} must be COL=FILE", hint="e.g. --hierarchy age=age.csv")
        column, path = item.split("=", 1)
        # a hierarchy of a column with no other role (a sensitive column's, for t-closeness) is only read
        attributes.setdefault(column, {"role": "insensitive"})["hierarchy"] = path
    described: dict[str, Any] = {"input": {"path": str(source), "delimiter": args.delimiter}, "attributes": attributes}
    if args.population_size is not None:
        described["population"] = {"size": args.population_size}
    elif args.sampling_fraction is not None:
        described["population"] = {"sampling_fraction": args.sampling_fraction}
    return _with_assess_flags(described, args), None


_ROLE_WORDS = {"quasi-identifier": "a quasi-identifier", "sensitive": "sensitive", "identifier": "an identifier",
               "weight": "the weights", "household": "the household id"}


def _split(text: str | None) -> list[str]:
    return [v.strip() for v in (text or "").split(",") if v.strip()]


def _with_assess_flags(content: Mapping[str, Any], args: argparse.Namespace) -> Mapping[str, Any]:
    """``content`` with the assess flags written into its ``assess`` section (they win over the job's)."""
    individual = {key: value for key, value in (("method", args.risk_method), ("qual", args.qual)) if value is not None}
    model = {key: value for key, value in (("method", args.model_risk), ("bound", args.model_bound)) if value is not None}
    if args.model_risk is None:
        model = {}  # a bound alone changes nothing (no model-based risk asked for)
    if not (individual or model or args.risky_cells is not None):
        return content
    section = content.get("assess")
    if section is not None and not isinstance(section, Mapping):
        return content  # the job's own section is wrong: its check says so
    merged: dict[str, Any] = dict(section or {})
    for key, given in (("individual_risk", individual), ("model_risk", model)):
        if given:
            current = merged.get(key)
            merged[key] = {**current, **given} if isinstance(current, Mapping) else given
    if args.risky_cells is not None:
        merged["risky_cells"] = args.risky_cells
    return {**content, "assess": merged}


def run(args: argparse.Namespace) -> int:
    """Assess, then write the requested outputs, showing the phases on a terminal."""
    content, source = job_content(args)
    kind = job_kind(content) if source is not None else "assess"
    # assess runs any job's assessment: an anonymize job's input, a trajectory job's attacks
    kind = {"anonymize": "assess", "exposure": "assess", "traces-anonymize": "traces-assess"}.get(kind, kind)
    outcome = run_kind(kind, content, source=source, backend=args.backend, progress=Progress(),
                       destinations=Destinations(json=args.json_out, records=args.records, report=args.report))
    figures = outcome.result.to_dict()
    if not args.json_out or sys.stdout.isatty():
        if kind in ("points", "traces-assess"):
            print(json.dumps(figures, indent=2))
        else:
            print_summary(figures)
    records = {"points": "per-record smallest supports", "traces-assess": "per-user risks"}.get(kind, "per-record risks")
    labels = ("figures", records, "report")
    for label, path in zip(labels, (args.json_out, args.records, args.report)):
        if path:
            print(f"{label}: {path}", file=sys.stderr)
    return 0


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
