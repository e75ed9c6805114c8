"""``unlinkable score JOB.yaml --levels age=2,sex=0,zip=1``: what one transformation costs.

ARX's ``getInformationLoss`` of a node: the job's metric and privacy models applied to the given
hierarchy levels (the classes a model rejects are suppressed). Prints the figures as JSON on
standard output; writes no file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from unlinkable.errors import ConfigError
from unlinkable.jobs import read_job

__all__ = ["configure", "parse_levels", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments."""
    parser.add_argument("job", type=Path, help="job file (YAML or JSON) with `privacy` models")
    parser.add_argument("--levels", required=True, metavar="QI=LEVEL,...",
                        help="one hierarchy level per quasi-identifier, e.g. age=2,sex=0,zip=1")


def parse_levels(text: str) -> dict[str, int]:
    """``"age=2,sex=0"`` as ``{"age": 2, "sex": 0}``.

    Examples
    --------
    >>> parse_levels("age=2, sex=0")
    {'age': 2, 'sex': 0}
    """
    levels: dict[str, int] = {}
    for part in (p.strip() for p in str(text).split(",")):
        name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value.lstrip("-").isdigit():
            raise ConfigError(f"--levels: {part[:40]!r} is not NAME=LEVEL", hint="e.g. --levels age=2,sex=0,zip=1")
        if name in levels:
            raise ConfigError(f"--levels: {name!r} is given twice", hint="give each quasi-identifier once")
        levels[name] = int(value)
    return levels


def run(args: argparse.Namespace) -> int:
    """Score the transformation and print it as JSON."""
    from unlinkable.jobs.score import run_score

    content, source = read_job(args.job)
    print(json.dumps(run_score(content, source=source, levels=parse_levels(args.levels)).result.to_dict(), indent=2))
    return 0
