"""``unlinkable exposure JOB.yaml``: the thin shell of an exposure job (see :mod:`unlinkable.jobs.exposure`).

Outputs (staged, then renamed into place together when everything succeeded): ``--json`` the figures,
``--records`` per-record candidate counts (row number and count, never values), ``--report`` HTML.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from unlinkable.backends.choice import add_backend_argument
from unlinkable.jobs import Destinations, read_job, run_kind
from unlinkable.progress import Progress

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments."""
    parser.add_argument("job", type=Path, help="the exposure job file (.yaml or .json)")
    parser.add_argument("--json", dest="json_out", type=Path, metavar="OUT.json", help="write the figures as JSON")
    parser.add_argument("--records", type=Path, metavar="OUT.csv", help="write per-record candidate counts (no values)")
    parser.add_argument("--report", type=Path, metavar="OUT.html", help="write the HTML report")
    add_backend_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Run the job; print the plain-words summary; write the requested outputs together or not at all."""
    content, source = read_job(args.job)
    outcome = run_kind("exposure", content, source=source, backend=args.backend, progress=Progress(),
                       destinations=Destinations(json=args.json_out, records=args.records, report=args.report))
    print(outcome.summary)
    return 0
