"""Which backend runs a job: named explicitly, validated once, numpy by default.

The backend object for a choice is made by :func:`unlinkable.backend_selection.get_backend`, which
sits above the backends it can return (Spark's among them), so that nothing here imports Spark.

The same choice is written three ways: ``backend="spark"`` (with ``spark={...}``) in Python,
``backend: spark`` with ``spark: {master: ..., conf: {...}}`` in a job file, ``--backend spark``
on the command line. A pyspark DataFrame given to the Python API selects Spark by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from unlinkable.errors import ConfigError, did_you_mean, shown

#: the backends unlinkable knows, the first being the default
BACKENDS = ("numpy", "spark")
_SPARK_KEYS = ("master", "conf", "app_name", "snapshot_limit")
#: the default of ``snapshot_limit``: a few hundred MiB of codes, counts and classes on the driver
SNAPSHOT_LIMIT = 5_000_000


@dataclass(frozen=True)
class SparkSettings:
    """How to reach Spark: the master URL (None: an active session, else ``local[*]``) and
    Spark configuration entries (``spark.executor.memory``, ``spark.sql.shuffle.partitions``, ...)."""

    master: str | None = None
    conf: Mapping[str, str] = field(default_factory=dict)
    app_name: str = "unlinkable"
    #: the most distinct tuples the search brings to the driver at once: the distinct (quasi-identifier,
    #: sensitive value) tuples when they are fewer, else each checked transformation's classes,
    #: grouped in Spark (``search/floors.py``)
    snapshot_limit: int = SNAPSHOT_LIMIT


@dataclass(frozen=True)
class BackendChoice:
    """A validated backend name and, for Spark, its settings."""

    name: str = "numpy"
    spark: SparkSettings | None = None


def parse_backend(backend: Any = None, spark: Any = None, *, where: str = "backend") -> BackendChoice:
    """Validate a backend name and Spark settings (a job file's ``backend`` and ``spark``).

    Examples
    --------
    >>> parse_backend("spark", {"master": "local[2]", "conf": {"spark.sql.shuffle.partitions": 8}}).spark.conf
    {'spark.sql.shuffle.partitions': '8'}
    >>> parse_backend("sprak")
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: unknown backend 'sprak'...did you mean 'spark'?...
    """
    name = "numpy" if backend is None else backend
    if not isinstance(name, str) or name not in BACKENDS:
        raise ConfigError(f"unknown backend {shown(name)}",
                          hint=(did_you_mean(str(name), BACKENDS).strip() + f" backends are {', '.join(BACKENDS)}").strip())
    if spark is None:
        return BackendChoice(name, SparkSettings() if name == "spark" else None)
    if name != "spark":
        raise ConfigError(f"`spark` settings are given but the backend is {name}",
                          hint="add backend: spark, or drop the spark section")
    if not isinstance(spark, Mapping):
        raise ConfigError(f"`spark` must be a mapping, got {shown(spark)}",
                          hint="spark: {master: 'local[2]', conf: {spark.executor.memory: 4g}}")
    for key in spark:
        if key not in _SPARK_KEYS:
            raise ConfigError(f"`spark`: unknown key {shown(key)}",
                              hint=f"{did_you_mean(str(key), _SPARK_KEYS).strip() or 'check the spelling;'} "
                                   f"`spark` takes {', '.join(_SPARK_KEYS)}")
    master = spark.get("master")
    if master is not None and (not isinstance(master, str) or not master.strip()):
        raise ConfigError(f"`spark.master` must be a master URL, got {shown(master)}",
                          hint="e.g. local[2], spark://host:7077, yarn")
    app_name = spark.get("app_name", "unlinkable")
    if not isinstance(app_name, str) or not app_name.strip():
        raise ConfigError(f"`spark.app_name` must be text, got {shown(app_name)}", hint="e.g. app_name: census-release")
    limit = spark.get("snapshot_limit", SNAPSHOT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigError(f"`spark.snapshot_limit` must be a whole number of groups >= 1, got {shown(limit)}",
                          hint="the most distinct tuples the driver holds at once, e.g. snapshot_limit: 5000000")
    conf = spark.get("conf") or {}
    if not isinstance(conf, Mapping):
        raise ConfigError(f"`spark.conf` must map Spark settings to values, got {shown(conf)}",
                          hint="conf: {spark.executor.memory: 4g, spark.sql.shuffle.partitions: 200}")
    checked = {}
    for key, value in conf.items():
        if not isinstance(key, str) or not key.startswith("spark."):
            raise ConfigError(f"`spark.conf`: {shown(key)} is not a Spark setting", hint="Spark settings start with spark., e.g. spark.executor.memory")
        if isinstance(value, (Mapping, list)) or value is None:
            raise ConfigError(f"`spark.conf.{key}` must be a single value, got {shown(value)}", hint="e.g. 4g or 200")
        checked[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return BackendChoice(name, SparkSettings(master, checked, app_name, limit))


def job_backend(spec: Any, flag: str | None = None) -> BackendChoice:
    """The backend of a job: ``--backend`` (``flag``) over the job spec's ``backend``; Spark settings
    from its ``spark`` section (``spec.SparkSection``: its ``settings()``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> job_backend(SimpleNamespace(backend="spark", spark=None)).name
    'spark'
    >>> job_backend(SimpleNamespace(backend=None, spark=None), "spark").name
    'spark'
    """
    name = flag if flag is not None else spec.backend
    spark = spec.spark.settings() if name == "spark" and spec.spark is not None else None
    return parse_backend(name, spark)


def add_backend_argument(parser: Any) -> None:
    """``--backend {numpy,spark}`` for a command (over the job file's ``backend``)."""
    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="where the records are processed: numpy (this process, the default) or spark "
                             "(overrides the job file's backend; Spark settings come from its spark section)")


def is_spark_frame(data: Any) -> bool:
    """Whether ``data`` is a pyspark DataFrame (without importing pyspark)."""
    return type(data).__module__.startswith("pyspark.") and type(data).__name__ == "DataFrame"


__all__ = ["BACKENDS", "BackendChoice", "SparkSettings", "add_backend_argument", "is_spark_frame", "job_backend",
           "parse_backend"]
