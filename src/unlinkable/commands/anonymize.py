"""``unlinkable anonymize JOB.yaml [--json OUT.json] [--backend B]``: the thin shell of an anonymize job.

Arguments in, :func:`unlinkable.jobs.anonymize.run_anonymize` (what :func:`unlinkable.run_job`
runs) in the middle, the one-line summary out. Nothing is written unless the independent verifier
accepts the release.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from unlinkable.backends.choice import add_backend_argument
from unlinkable.jobs import Destinations, read_job, run_kind
from unlinkable.progress import Progress

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments."""
    parser.add_argument("job", type=Path, help="job file (YAML or JSON)")
    parser.add_argument("--json", dest="json_out", type=Path, default=None, metavar="OUT.json",
                        help="also write the result as JSON")
    add_backend_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Run the job, showing its phases on a terminal; print its summary."""
    from unlinkable.commands.anonymize_points import points_job, run_points

    set_valued = points_job(args.job)
    if set_valued is not None:
        shown = Progress()
        try:
            return run_points(args, set_valued, shown)
        finally:
            shown.abort()
    from unlinkable.traces import is_traces_job

    content, source = read_job(args.job)
    if is_traces_job(content):
        outcome = run_kind("traces-anonymize", content, source=source, backend=args.backend,
                           destinations=Destinations(json=args.json_out), progress=Progress())
        print(outcome.summary, file=sys.stderr)
        if args.json_out:
            print(f"figures: {args.json_out}", file=sys.stderr)
        return 0
    outcome = run_kind("anonymize", content, source=source, backend=args.backend,
                       destinations=Destinations(json=args.json_out), progress=Progress())
    print(outcome.summary)
    return 0
