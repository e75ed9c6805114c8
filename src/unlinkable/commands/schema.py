"""``unlinkable schema [--out FILE]``: the JSON Schema of job files, for editors.

An editor that knows it (YAML language servers read ``# yaml-language-server: $schema=FILE`` at the
top of a job file) completes section and parameter names and flags an unknown key as it is typed.
The schema is derived from the same typed specs every job file is parsed into (``spec.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments."""
    parser.add_argument("--out", type=Path, default=None, metavar="FILE.json",
                        help="write the schema to this file (default: print it)")


def run(args: argparse.Namespace) -> int:
    """Print the schema, or write it (staged, then renamed into place)."""
    from unlinkable.data.outputs import OutputSet
    from unlinkable.spec import schema_text

    text = schema_text()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    with OutputSet() as outputs:
        outputs.reserve(args.out)
        outputs.text(args.out, text)
        outputs.commit()
    print(f"schema: {args.out}", file=sys.stderr)
    return 0
