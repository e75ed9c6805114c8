"""``unlinkable score JOB.yaml --levels age=2,sex=0,zip=1``: what one transformation costs.

ARX's ``getInformationLoss`` of a node: the job's metric and privacy models applied to the given
hierarchy levels (the classes a model rejects are suppressed). Prints the figures as JSON on
standard output; writes no file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from unlinkable.config import load_job
from unlinkable.data.io import read_table
from unlinkable.data.roles import KEPT_AS_IS, Role
from unlinkable.errors import ConfigError
from unlinkable.models import ModelContext


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
    from unlinkable.anonymizer import Anonymizer

    levels = parse_levels(args.levels)
    job = load_job(args.job)
    if job.input is None:
        raise ConfigError(f"{args.job}: the job has no `input`", hint="input: {path: data.csv, delimiter: ';'}")
    sections = job.sections
    if not sections.get("privacy"):
        raise ConfigError(f"{args.job}: the job has no `privacy` models", hint="add e.g. privacy: [{k-anonymity: {k: 5}}]")
    frame = read_table(job.input.path, delimiter=job.input.delimiter)
    context = ModelContext(base_dir=job.base_dir, population_size=job.population_size,
                           sampling_fraction=job.sampling_fraction)
    anonymizer = Anonymizer(
        quasi_identifiers=job.names(Role.QUASI_IDENTIFIER),
        hierarchies=job.build_hierarchies(frame),
        privacy=sections.get("privacy") or [],
        suppression_limit=sections.get("suppression_limit", 0.0),
        metric=sections.get("metric", "loss"),
        identifiers=[c for c in job.names(Role.IDENTIFIER) if c in frame.columns],
        sensitive=job.names(Role.SENSITIVE),
        insensitive=[name for role in KEPT_AS_IS for name in job.names(role)],
        progress=False,
        context=context,
    )
    print(json.dumps(anonymizer.score(frame, levels).to_dict(), indent=2))
    return 0
