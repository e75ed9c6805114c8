"""The backend object for a choice: numpy in this process, or Spark.

``backends.choice`` validates the choice; this module, one layer up, turns it into a backend
object, so that the backends and the Spark package never import each other in a loop. Spark is
imported only when it is chosen.
"""

from __future__ import annotations

from typing import Any

from unlinkable.backends.choice import BACKENDS, BackendChoice, SparkSettings, is_spark_frame, parse_backend
from unlinkable.errors import ConfigError, shown


def get_backend(backend: Any = None, *, spark: Any = None, data: Any = None) -> Any:
    """The backend object for a name (or an object implementing ``backends.base.Backend``).

    ``None`` means numpy, unless ``data`` is a pyspark DataFrame, which selects Spark.

    Examples
    --------
    >>> get_backend().name, get_backend("numpy").name
    ('numpy', 'numpy')
    """
    if backend is not None and not isinstance(backend, str):
        if isinstance(backend, BackendChoice):
            backend, spark = backend.name, backend.spark
        elif all(hasattr(backend, a) for a in ("name", "snapshot", "generalize", "suppress")):
            return backend
        else:
            raise ConfigError(f"backend must be a name ({', '.join(BACKENDS)}) or a backend object, got {shown(backend)}",
                              hint="e.g. backend='spark'")
    if backend is None and is_spark_frame(data):
        backend = "spark"
    if isinstance(spark, SparkSettings):
        choice = BackendChoice(backend or "spark", spark)
    else:
        choice = parse_backend(backend, spark)
    if choice.name == "numpy":
        if is_spark_frame(data):
            raise ConfigError("a pyspark DataFrame was given with backend='numpy'",
                              hint="use backend='spark', or pass a polars/pandas frame or a path")
        from unlinkable.backends.numpy import NumpyBackend

        return NumpyBackend()
    from unlinkable.spark.backend import SparkBackend

    return SparkBackend(choice.spark or SparkSettings())


__all__ = ["get_backend"]
