"""What every job returns and where the command line adds outputs: the shared pieces of ``jobs/``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Destinations", "NO_DESTINATIONS", "Outcome", "where"]


@dataclass(frozen=True)
class Destinations:
    """Outputs asked for besides those a job file names (the command line's ``--json``, ``--records``, ``--report``).

    Examples
    --------
    >>> Destinations(json=Path("r.json")).records is None
    True
    """

    json: Path | None = None
    records: Path | None = None
    report: Path | None = None


#: no outputs besides the job file's own (what :func:`unlinkable.run_job` writes)
NO_DESTINATIONS = Destinations()


@dataclass(frozen=True)
class Outcome:
    """A job's typed result and its summary (what the command prints).

    Examples
    --------
    >>> Outcome(result=None, summary="done").summary
    'done'
    """

    result: Any
    summary: str = ""


def where(job: Any) -> str:
    """How messages name a job: its file, or "the job" for one given as a mapping.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> where(SimpleNamespace(source=None))
    'the job'
    """
    return str(job.source) if job.source is not None else "the job"
