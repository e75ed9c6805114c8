"""One module per CLI command: ``configure(parser)`` and ``run(args) -> exit code``.

A command is a thin shell: its flags are checked by the constraints vocabulary as argparse reads
them (:func:`flag`), written into the job's content where a job file would say the same thing,
and the job runs through :mod:`unlinkable.jobs`, as :func:`unlinkable.run_job` runs it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from unlinkable.constraints import Constraint, Interval, Mismatch
from unlinkable.errors import shown

__all__ = ["flag"]


def flag(constraint: Constraint) -> Callable[[str], Any]:
    """An argparse ``type=`` that reads a flag's text by ``constraint``, worded as every parameter is.

    Examples
    --------
    >>> positive = flag(Interval(float, 0, None, closed="right"))
    >>> positive("2.5")
    2.5
    >>> positive("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a number > 0, got '-1'
    """

    def read(text: str) -> Any:
        value: Any = text
        if isinstance(constraint, Interval) and constraint.kind is int:
            try:
                value = int(text.strip())
            except ValueError:
                pass
        try:
            return constraint.convert(value)
        except Mismatch:
            raise argparse.ArgumentTypeError(f"must be {constraint.describe()}, got {shown(text)}") from None

    read.__name__ = "value"  # argparse names the type in its own messages
    return read
