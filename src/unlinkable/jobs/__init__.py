"""Running a job: :func:`run_job` from Python, and every command of the command line under it.

A job is a job file's path, or its content as a mapping (whose paths are relative to the current
folder). Its sections say what it does:

- ``release`` and ``auxiliary``: linkage exposure of a release (an ``ExposureResult``);
- ``transactions``, or an ``input`` of basket lines: a set-valued assessment (points per person);
- ``trajectories``: location traces, assessed (a ``TracesAssessmentResult``), or released with
  ``privacy: [{trajectory-k-anonymity: ...}]`` (a ``TracesAnonymizationResult``);
- ``privacy`` models or SDC ``steps``: an anonymization (an ``AnonymizationResult``, or an
  ``SdcResult`` for steps alone), verified before anything is written;
- anything else: a table assessment (an ``AssessmentResult``).

The job runs as its command would: the outputs its file names (``output: {path, report}``) are
staged and renamed into place together, or not at all. The command line adds the outputs of its
flags (``--json``, ``--records``, ``--report``) as :class:`Destinations`; each command module only
parses its arguments, calls the function of its job here and prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from unlinkable.errors import ConfigError, shown
from unlinkable.jobs.outcome import NO_DESTINATIONS, Destinations, Outcome

__all__ = ["Destinations", "Outcome", "job_kind", "read_job", "run_job", "run_kind", "KINDS"]

#: what a job can do, by the sections it has
KINDS = ("assess", "anonymize", "exposure", "points", "traces-assess", "traces-anonymize")


def job_kind(raw: Any) -> str:
    """What a job's content asks for: one of :data:`KINDS`.

    Examples
    --------
    >>> job_kind({"input": "d.csv", "privacy": [{"k-anonymity": {"k": 5}}]})
    'anonymize'
    >>> job_kind({"release": "r.csv", "auxiliary": "a.csv", "attributes": {"age": {}}})
    'exposure'
    >>> job_kind({"input": "d.csv", "attributes": {"age": "quasi-identifier"}})
    'assess'
    >>> job_kind({"input": "t.csv", "trajectories": {"user": "u", "place": "cell"}})
    'traces-assess'
    """
    from unlinkable.points.job import is_points_job
    from unlinkable.traces import is_traces_job

    if not isinstance(raw, Mapping):
        raise ConfigError(f"a job must be a mapping of sections (input, attributes, ...), got {shown(raw)}",
                          hint="see the README for an example")
    if is_traces_job(raw):
        return "traces-anonymize" if raw.get("privacy") else "traces-assess"
    if is_points_job(raw):
        return "points"
    if "release" in raw or "auxiliary" in raw:
        return "exposure"
    if raw.get("privacy") or raw.get("steps"):
        return "anonymize"
    return "assess"


def run_job(job: str | Path | Mapping[str, Any], *, backend: str | None = None, progress: bool = False) -> Any:
    """Run a job from Python, as its command would, and return its typed result.

    Parameters
    ----------
    job : path or mapping
        A job file (YAML or JSON), or its content (paths relative to the current folder).
    backend : {"numpy", "spark"}, optional
        Where the records are processed, over the job's own ``backend`` (as ``--backend``).
    progress : bool
        Show the phases on stderr (off by default in Python).

    Returns
    -------
    AssessmentResult, AnonymizationResult, SdcResult, ExposureResult, PointsAssessment,
    TracesAssessmentResult or TracesAnonymizationResult
        What the job's command computes; its ``to_dict()`` is the command's JSON.

    Examples
    --------
    >>> import tempfile, pathlib, polars as pl
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> pl.DataFrame({"zip": ["81675", "81675", "81667"], "sex": ["f", "f", "m"]}).write_csv(d / "d.csv")
    >>> result = run_job({"input": str(d / "d.csv"), "attributes": {"zip": "quasi-identifier", "sex": "quasi-identifier"}})
    >>> result.to_dict()["equivalence_classes"]["count"]
    2
    """
    from unlinkable.progress import Progress

    content, source = read_job(job)
    return run_kind(job_kind(content), content, source=source, backend=backend,
                    progress=Progress(enabled=progress)).result


def read_job(job: str | Path | Mapping[str, Any]) -> tuple[Mapping[str, Any], Path | None]:
    """A job's content and its file (None for a mapping), read with the job-file reader's bounds."""
    from unlinkable.config import read_job_file

    if isinstance(job, Mapping):
        return job, None
    if not isinstance(job, (str, Path)):
        raise ConfigError(f"a job is a job file's path or its content as a mapping, got {shown(job)}",
                          hint="run_job('job.yaml') or run_job({'input': 'data.csv', ...})")
    path = Path(job)
    content = read_job_file(path)
    if not isinstance(content, Mapping):
        raise ConfigError(f"{path}: a job file must be a mapping of sections (input, attributes, ...)",
                          hint="see the README for an example")
    return content, path


def run_kind(kind: str, content: Mapping[str, Any], *, source: Path | None, backend: str | None = None,
             destinations: Destinations = NO_DESTINATIONS, progress: Any = None) -> Outcome:
    """Run a job's content as ``kind`` (a command may run a job of another kind: ``assess`` on an anonymize job)."""
    from unlinkable.progress import Progress

    shown_progress = progress if progress is not None else Progress(enabled=False)
    try:
        outcome = _dispatch(kind, content, source=source, backend=backend, destinations=destinations,
                            progress=shown_progress)
    finally:
        shown_progress.abort()  # a phase still shown when the job failed leaves no line
    return outcome


def _dispatch(kind: str, content: Mapping[str, Any], *, source: Path | None, backend: str | None,
              destinations: Destinations, progress: Any) -> Outcome:
    if kind == "points":
        from unlinkable.jobs.points import run_points

        return run_points(content, source=source, destinations=destinations, progress=progress)
    if kind in ("traces-assess", "traces-anonymize"):
        if backend not in (None, "numpy"):
            raise ConfigError(f"{source or 'the job'}: location traces are processed on the numpy backend only",
                              hint="drop the backend")
        from unlinkable.jobs.traces import run_traces_anonymize, run_traces_assess

        run = run_traces_anonymize if kind == "traces-anonymize" else run_traces_assess
        return run(content, source=source, destinations=destinations, progress=progress)
    if kind not in KINDS:
        raise ConfigError(f"unknown kind of job {shown(kind)}", hint=f"one of {', '.join(KINDS)}")
    from unlinkable.config import job_from_content

    job = job_from_content(content, source=source, kind="exposure" if kind == "exposure" else "table")
    if kind == "exposure":
        from unlinkable.jobs.exposure import run_exposure

        return run_exposure(job, backend=backend, destinations=destinations, progress=progress)
    if kind == "anonymize":
        from unlinkable.jobs.anonymize import run_anonymize

        return run_anonymize(job, backend=backend, destinations=destinations, progress=progress)
    from unlinkable.jobs.assess import run_assess

    return run_assess(job, backend=backend, destinations=destinations, progress=progress)
