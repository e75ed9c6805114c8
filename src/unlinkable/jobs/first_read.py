"""The table a command line will read first, guessed from its raw job file, to read it ahead.

``unlinkable anonymize job.yaml`` spends about half a second importing and validating the job
before it reads the job's table, and reading 3 million records takes a second, mostly outside
the GIL on both cores. :func:`start_first_read` begins that read at once, on a second thread
(:func:`unlinkable.data.io.read_ahead`), from a light reading of the job file: the path, the
delimiter and the quasi-identifiers (read as categories). Nothing here validates the job, and
nothing is decided by it: the validated job reads its table through ``read_csv``, which takes
the frame read ahead only when it asked for exactly that read of the unchanged file. A guess
that does not match costs time, never a different result or error. Only the command line
reads ahead (``cli.console``); the Python API reads when asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from unlinkable.data.roles import Role
from unlinkable.hierarchies.builders import HIERARCHY_KINDS  # (given without a role: a quasi-identifier)

__all__ = ["first_read", "start_first_read"]

#: the commands whose first read is their job's input table, and the options that leave it alone
_OPTIONS = {"anonymize": ("--json",), "assess": ("--json", "--records", "--report")}
#: the job files this guess reads (larger ones are not guessed at)
_SUFFIXES = (".yaml", ".yml", ".json")
_MAX_BYTES = 1 << 20
#: sections of jobs that read something else first, or somewhere else (Spark)
_OTHER_KINDS = ("transactions", "trajectories", "release", "auxiliary", "spark")


def first_read(argv: Sequence[str]) -> tuple[Path, str | None, frozenset[str]] | None:
    """(path, delimiter, categorical columns) of the CSV file ``unlinkable <argv>`` reads first,
    as its job file reads without validation; None when the command line or the job is not
    one whose first read is sure (any doubt is None).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "job.yaml").write_text("input: {path: d.csv, delimiter: tab}\\n"
    ...                                 "attributes: {age: qi, id: identifier}\\nprivacy: [{k-anonymity: {k: 2}}]\\n")
    >>> path, delimiter, categorical = first_read(["anonymize", str(d / "job.yaml")])
    >>> path.name, delimiter, sorted(categorical)
    ('d.csv', '\\t', ['age'])
    >>> first_read(["anonymize", str(d / "job.yaml"), "--backend", "spark"]) is None
    True
    """
    job = _job_path(argv)
    if job is None:
        return None
    content = _content(job)
    if content is None or any(key in content for key in _OTHER_KINDS):
        return None
    if content.get("backend", "numpy") != "numpy":
        return None
    table = _input(content.get("input"))
    if table is None:
        return None
    path, delimiter = table
    if Path(path).suffix.lower() in (".parquet", ".pq"):
        return None
    quasi_identifiers = _quasi_identifiers(content.get("attributes"))
    if quasi_identifiers is None:
        return None
    steps = content.get("steps")
    if argv[0] == "anonymize" and steps:  # SDC steps rewrite cells: the anonymize job reads them as text
        quasi_identifiers = frozenset()
    return job.parent / path, delimiter, quasi_identifiers


def start_first_read(argv: Sequence[str]) -> None:
    """Begin reading, on a second thread, the table ``unlinkable <argv>`` will read first
    (:func:`first_read`), if it is sure."""
    guessed = first_read(argv)
    if guessed is None:
        return
    from unlinkable.data.io import read_ahead

    path, delimiter, categorical = guessed
    read_ahead(path, delimiter=delimiter, categorical=sorted(categorical))


def _job_path(argv: Sequence[str]) -> Path | None:
    """The job file of ``<command> JOB [options]`` when every option is one that leaves the read alone."""
    if len(argv) < 2 or argv[0] not in _OPTIONS:
        return None
    harmless = _OPTIONS[argv[0]]
    job: str | None = None
    words = list(argv[1:])
    while words:
        word = words.pop(0)
        if word in harmless and words:
            words.pop(0)  # its value
        elif any(word.startswith(option + "=") for option in harmless):
            continue
        elif word.startswith("-") or job is not None:
            return None
        else:
            job = word
    if job is None or Path(job).suffix.lower() not in _SUFFIXES:
        return None
    return Path(job)


def _content(job: Path) -> Mapping[str, Any] | None:
    """The job file's content as YAML reads it, or None (too large, unreadable, not a mapping)."""
    import yaml

    try:
        if not job.is_file() or job.stat().st_size > _MAX_BYTES:
            return None
        content = yaml.load(job.read_bytes().decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None  # the validation says what is wrong
    return content if isinstance(content, Mapping) else None


def _input(section: Any) -> tuple[str, str | None] | None:
    """The input section's path and delimiter (``tab`` spelled out), or None if it is not plain."""
    if isinstance(section, str) and section:
        return section, None
    if not isinstance(section, Mapping) or set(section) - {"path", "delimiter"}:
        return None
    path, delimiter = section.get("path"), section.get("delimiter")
    if not isinstance(path, str) or not path:
        return None
    if delimiter is None:
        return path, None
    if not isinstance(delimiter, str):
        return None
    delimiter = "\t" if delimiter in ("\\t", "tab") else delimiter
    return (path, delimiter) if len(delimiter) == 1 else None


def _quasi_identifiers(attributes: Any) -> frozenset[str] | None:
    """The attributes whose role is quasi-identifier (given, or implied by a hierarchy), or None
    when an entry is not plain."""
    if attributes is None:
        return frozenset()
    if not isinstance(attributes, Mapping):
        return None
    found = set()
    for name, settings in attributes.items():
        if isinstance(settings, str):
            settings = {"role": settings}
        if not isinstance(name, str) or not isinstance(settings, Mapping):
            return None
        role = settings.get("role", "quasi-identifier" if any(k in settings for k in HIERARCHY_KINDS) else None)
        if not isinstance(role, str):
            return None
        try:
            if Role.parse(role) is Role.QUASI_IDENTIFIER:
                found.add(name)
        except ValueError:
            return None
    return frozenset(found)

