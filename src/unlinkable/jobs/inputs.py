"""The files a job reads, so that no output of the run can overwrite one of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["job_inputs"]


def job_inputs(job: Any) -> list[Path]:
    """The job file, its input table, hierarchy files and every other file its sections name.

    Sections are searched for strings that name an existing file relative to the job file
    (auxiliary tables of the linkage and delta-presence models, exposure's release and
    auxiliary tables), so a section added later is covered without a change here.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from unlinkable.config import load_job
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "d.csv").write_text("age\\n3\\n"); _ = (d / "voters.csv").write_text("age\\n3\\n")
    >>> _ = (d / "job.yaml").write_text("input: d.csv\\nprivacy: [{linkage: {auxiliary: voters.csv, 'on': [age], max_unique_link_share: 0.1}}]\\n")
    >>> sorted(p.name for p in job_inputs(load_job(d / "job.yaml")))
    ['d.csv', 'job.yaml', 'voters.csv']
    """
    files: list[Path] = []
    if job.source is not None:
        files.append(Path(job.source))
    if job.input is not None:
        files.append(Path(job.input.path))
    for spec in job.hierarchy_specs().values():
        if spec.kind == "hierarchy" and isinstance(spec.value, (str, Path)):
            files.append(spec.base_dir / str(spec.value))
    for text in _strings(job.sections):
        candidate = job.base_dir / text
        try:
            if candidate.is_file():
                files.append(candidate)
        except (OSError, ValueError):  # a string that is no possible path (too long, NUL)
            continue
    return list(dict.fromkeys(files))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
