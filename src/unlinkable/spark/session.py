"""A Spark session from :class:`~unlinkable.backends.choice.SparkSettings`, and Spark's failures
as one-line errors.

Java is looked for before Spark is started (``JAVA_HOME``, then ``java`` on the path), so a
machine without it gets one line saying so instead of a JVM launcher trace. Any failure of Spark
itself (a session that does not start, a job that fails) becomes a ``BackendError``; a path Spark
cannot read becomes an ``InputError``. Both exit 2 on the command line.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from unlinkable.backends.choice import SparkSettings
from unlinkable.errors import BackendError, InputError, UnlinkableError

#: settings unlinkable gives a session it starts, unless the job sets them itself
DEFAULTS = {
    "spark.ui.showConsoleProgress": "false",  # unlinkable shows its own progress, stage by stage
    "spark.sql.session.timeZone": "UTC",
}

_INSTALL_HINT = "pip install 'unlinkable[spark]' (pyspark 4 and a Java 17 runtime)"


def find_java() -> str | None:
    """The java executable Spark will start: ``$JAVA_HOME/bin/java``, else ``java`` on the path.

    Examples
    --------
    >>> find_java() is None or find_java().endswith("java")
    True
    """
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None
    return shutil.which("java")


def spark_session(settings: SparkSettings | None = None) -> Any:
    """The active Spark session (when no master is named), or a new one for ``settings``.

    Without a master, a session started by ``spark-submit`` takes the master given to it, and
    one started from a plain ``python`` runs on this machine's cores (``local[*]``).

    Raises ``BackendError`` (exit 2) when pyspark or Java is missing or the session fails.

    Examples
    --------
    >>> from unlinkable.backends.choice import SparkSettings
    >>> callable(spark_session)
    True
    """
    settings = settings or SparkSettings()
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise BackendError("the Spark backend needs pyspark, which is not installed", hint=_INSTALL_HINT) from None
    active = SparkSession.getActiveSession()
    if active is not None and settings.master is None:
        return active
    if find_java() is None:
        where = "JAVA_HOME does not hold bin/java" if os.environ.get("JAVA_HOME") else "no java on the PATH"
        raise BackendError(f"Spark needs a Java runtime (17 or newer) and none was found ({where})",
                           hint="install one (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
    builder = SparkSession.builder.appName(settings.app_name)
    if settings.master is not None:
        builder = builder.master(settings.master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:
        # not launched by spark-submit (which names the master itself): this machine's cores
        builder = builder.master("local[*]")
    for key, value in {**DEFAULTS, **settings.conf}.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
    except Exception as exc:  # noqa: BLE001 - py4j and the JVM raise many kinds; all mean "no session"
        raise BackendError(f"the Spark session did not start: {first_line(exc)}",
                           hint="check spark.master and the spark.conf settings (for one machine: master: local[2])") from None
    return session


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's text (Spark's messages run to pages)."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__


@contextmanager
def spark_errors(doing: str, *, path: str | None = None) -> Iterator[None]:
    """Turn a failure of Spark while ``doing`` into one line: ``InputError`` for an unreadable
    ``path``, ``BackendError`` otherwise. unlinkable's own errors pass through."""
    try:
        yield
    except UnlinkableError:
        raise
    except Exception as exc:  # noqa: BLE001 - py4j/pyspark errors have no common base we can name
        text = first_line(exc)
        if path is not None and any(tag in str(exc) for tag in ("PATH_NOT_FOUND", "FileNotFoundException",
                                                                 "AccessDeniedException", "Permission denied",
                                                                 "UNABLE_TO_INFER_SCHEMA", "MALFORMED")):
            raise InputError(f"{path}: Spark cannot read it: {text}",
                             hint="check the path, its permissions and its format (Parquet or CSV with a header)") from None
        raise BackendError(f"Spark failed while {doing}: {text}",
                           hint="see the Spark driver log; check the spark.conf settings (memory, partitions)") from None


__all__ = ["DEFAULTS", "find_java", "first_line", "spark_errors", "spark_session"]
