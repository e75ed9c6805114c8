"""A score job: what one transformation of an anonymize job costs (ARX's ``getInformationLoss``).

The job's metric and privacy models applied to the given hierarchy levels (the classes a model
rejects are suppressed). What ``unlinkable score`` runs; nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from unlinkable.errors import ConfigError
from unlinkable.jobs.outcome import Outcome, where

__all__ = ["run_score"]


def run_score(content: Mapping[str, Any], *, source: Path | None, levels: Mapping[str, int]) -> Outcome:
    """Score ``levels`` (one hierarchy level per quasi-identifier) under an anonymize job's models and metric.

    Returns the :class:`~unlinkable.anonymizer.TransformationScore` as the outcome's result.
    """
    from unlinkable.config import job_from_content
    from unlinkable.data.io import read_table
    from unlinkable.data.roles import Role
    from unlinkable.jobs.anonymize import job_anonymizer

    job = job_from_content(content, source=source)
    if job.input is None:
        raise ConfigError(f"{where(job)}: the job has no `input`", hint="input: {path: data.csv, delimiter: ';'}")
    if job.spec.anonymize is None:
        raise ConfigError(f"{where(job)}: the job has no `privacy` models", hint="add e.g. privacy: [{k-anonymity: {k: 5}}]")
    frame = read_table(job.input.path, delimiter=job.input.delimiter)
    anonymizer = job_anonymizer(job, hierarchies=job.build_hierarchies(frame), progress=False,
                                identifiers=[c for c in job.names(Role.IDENTIFIER) if c in frame.columns])
    return Outcome(anonymizer.score(frame, dict(levels)))
