"""The Spark backend: the records stay in Spark; only distinct tuples with counts come back.

``snapshot`` is one distributed ``groupBy`` on the quasi-identifiers (plus one per sensitive
attribute); what reaches the driver is one row per distinct tuple (its values, its count and its
first row id), never a record. The driver encodes those rows exactly as the numpy backend encodes
records (values in first-appearance order), so every figure computed from the snapshot is the
numpy backend's, bit for bit. ``generalize`` and ``suppress`` are broadcast joins against small
tables built on the driver (a value -> label map per column; the suppressed classes), so the
released table is computed where the records are.

Row order: a tuple's first record is the smallest ``monotonically_increasing_id`` of its records,
which follows the input's order for one file (partitions in file order). For a folder or glob,
Spark decides the order of the files, and tuples, dictionaries and the search's tie-breaks follow it.
"""

from __future__ import annotations

import glob as globbing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from unlinkable.backends.base import SensitiveHistogram, Snapshot
from unlinkable.backends.choice import SparkSettings, is_spark_frame
from unlinkable.backends.distinct import DistinctTuples
from unlinkable.data.table import encode_column
from unlinkable.errors import InputError
from unlinkable.spark.session import spark_errors, spark_session

_ROW = "__unlinkable_row"
_COUNT = "__unlinkable_count"
_FIRST = "__unlinkable_first"
_PARQUET = (".parquet", ".pq")


class SparkBackend:
    """Group, generalize and suppress a table in Spark (pyspark 4; ``unlinkable[spark]``).

    Parameters
    ----------
    settings : SparkSettings, optional
        Master URL and Spark configuration; the session is started on first use.
    session : pyspark.sql.SparkSession, optional
        A session to use instead.

    Examples
    --------
    >>> from unlinkable.backends.choice import SparkSettings
    >>> SparkBackend(SparkSettings(master="local[2]")).name
    'spark'
    """

    name = "spark"

    def __init__(self, settings: SparkSettings | None = None, *, session: Any = None) -> None:
        self.settings = settings or SparkSettings()
        self._session = session

    @property
    def session(self) -> Any:
        """The Spark session (started on first use)."""
        if self._session is None:
            self._session = spark_session(self.settings)
        return self._session

    # -- reading ------------------------------------------------------------------------------
    def read(self, source: Any, *, delimiter: str | None = None, categorical: Sequence[str] = ()) -> Any:
        """A pyspark DataFrame as it is; a Parquet/CSV file, folder or glob read by Spark (every
        column as text for CSV, ``categorical`` ones too); a polars/pandas frame handed over to
        Spark (small tables)."""
        if is_spark_frame(source):
            return source
        if isinstance(source, (str, Path)) or hasattr(source, "__fspath__"):
            return self._read_path(str(Path(source)) if not _has_scheme(str(source)) else str(source), delimiter)
        from unlinkable.data.io import read_table

        frame = read_table(source)
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(c, StringType(), True) for c in frame.columns])
        text = frame.select([pl.col(c).cast(pl.String) for c in frame.columns])
        with spark_errors("taking over an in-memory table"):
            return self.session.createDataFrame(text.rows(), schema=schema)

    def _read_path(self, path: str, delimiter: str | None) -> Any:
        files = [] if _has_scheme(path) else _local_files(path)
        first = files[0] if files else path
        reader = self.session.read
        with spark_errors("reading the input", path=path):
            if first.lower().endswith(_PARQUET):
                return reader.parquet(path)
            sep = delimiter
            if sep is None:
                from unlinkable.data.io import sniff_delimiter

                sep = sniff_delimiter(_header_line(first)) if files else ","
            # every column as text (as the numpy reader), an empty field as missing, a malformed
            # row an error (never silently padded)
            frame = reader.csv(path, header=True, sep=sep, inferSchema=False, quote='"', escape='"',
                               mode="FAILFAST", encoding="UTF-8")
            frame.schema  # noqa: B018 - resolves the path now, so a missing one fails here
            return frame

    @property
    def snapshot_limit(self) -> int:
        """The most distinct tuples the search brings to the driver at once (``spark: {snapshot_limit: ...}``)."""
        return self.settings.snapshot_limit

    def grouping(self, table: Any, keys: Sequence[str], sensitive: Sequence[str] = ()) -> SparkGrouping:
        """``table`` encoded in Spark for grouping at any generalization of ``keys``
        (``backends.base.Grouping``): its encoded distinct tuples stay cached in Spark."""
        from unlinkable.data.table import require_names

        require_names(table.columns, [*keys, *sensitive])
        return SparkGrouping(self, table, list(keys), list(sensitive))

    def columns(self, table: Any) -> list[str]:
        return list(table.columns)

    def values(self, table: Any, column: str) -> list[str | None]:
        """The distinct values of ``column`` as text (None: missing), in first-appearance order:
        what a hierarchy builder reads (one groupBy; the values come back, not the records)."""
        from pyspark.sql import functions as F

        text = table.select(table[column].cast("string").alias(column), F.monotonically_increasing_id().alias(_ROW))
        with spark_errors(f"listing the values of {column!r}"):
            found = _collect(text.groupBy(column).agg(F.min(_ROW).alias(_FIRST)))
        return found.sort(_FIRST)[column].to_list()

    # -- grouping -------------------------------------------------------------------------------
    def snapshot(self, table: Any, columns: Sequence[str], *, sensitive: Sequence[str] = ()) -> Snapshot:
        """One distributed groupBy on ``columns`` (and one per sensitive attribute); one row per
        distinct tuple comes back, never a record."""
        from pyspark.sql import functions as F

        from unlinkable.data.table import require_names

        cols, sensitive_names = list(columns), list(sensitive)
        require_names(table.columns, [*cols, *sensitive_names])
        text = table.select(*[table[c].cast("string").alias(c) for c in [*cols, *sensitive_names]],
                            F.monotonically_increasing_id().alias(_ROW))
        with spark_errors("grouping the records into distinct tuples"):
            grouped = _collect(text.groupBy(*cols).agg(F.count(F.lit(1)).alias(_COUNT), F.min(_ROW).alias(_FIRST)))
        grouped = grouped.sort(_FIRST)
        encoded = [encode_column(grouped[c]) for c in cols]
        m = len(cols)
        codes = np.empty((grouped.height, m), dtype=np.int64)
        for j, e in enumerate(encoded):
            codes[:, j] = e.codes
        counts = grouped[_COUNT].cast(pl.Int64).to_numpy().astype(np.int64)
        first = grouped[_FIRST].cast(pl.Int64).to_numpy().astype(np.int64)
        if m == 0:
            codes = np.zeros((1 if counts.size else 0, 0), dtype=np.int64)
        tuples = DistinctTuples(codes, counts, first, None)
        histograms = {}
        index = grouped.select(cols).with_row_index("__t")
        for name in sensitive_names:
            with spark_errors(f"counting the values of {name!r} per tuple"):
                cells = _collect(text.groupBy(*cols, name).agg(F.count(F.lit(1)).alias(_COUNT),
                                                              F.min(_ROW).alias(_FIRST)))
            cells = cells.sort(_FIRST)
            values = encode_column(cells[name])
            cells = cells.with_columns(pl.Series("__v", values.codes, dtype=pl.Int64))
            cells = cells.join(index, on=cols, how="left", nulls_equal=True) if cols else \
                cells.with_columns(pl.lit(0, dtype=pl.UInt32).alias("__t"))
            cells = cells.sort(["__t", "__v"])
            histograms[name] = SensitiveHistogram(values.dictionary, cells["__t"].cast(pl.Int64).to_numpy(),
                                                  cells["__v"].to_numpy(), cells[_COUNT].cast(pl.Int64).to_numpy())
        return Snapshot(tuple(cols), tuple(e.dictionary for e in encoded), tuples, histograms)

    def unique_records(self, table: Any, columns: Sequence[str]) -> int:
        """Records unique on ``columns`` (their text; missing a value of its own), counted in Spark."""
        from pyspark.sql import functions as F

        text = table.select(*[table[c].cast("string").alias(c) for c in columns])
        with spark_errors("counting unique records"):
            classes = text.groupBy(*columns).agg(F.count(F.lit(1)).alias(_COUNT))
            row = classes.where(F.col(_COUNT) == 1).agg(F.count(F.lit(1))).first()
        return int(row[0]) if row is not None else 0

    def count(self, table: Any) -> int:
        """The number of records of ``table``."""
        with spark_errors("counting records"):
            return int(table.count())

    # -- transforming -----------------------------------------------------------------------------
    def generalize(self, table: Any, recodings: Mapping[str, Mapping[str, str]]) -> Any:
        """Each named column's text (missing read as ``""``) replaced by its label, by a broadcast
        join with a (value, label) table per column; a value without a label becomes missing
        (the verifier then refuses the release)."""
        from pyspark.sql import functions as F
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField("__value", StringType(), False), StructField("__label", StringType(), True)])
        out = table
        for column, mapping in recodings.items():
            labels = self.session.createDataFrame(list(mapping.items()), schema=schema)
            keyed = out.withColumn("__key", F.coalesce(out[column].cast("string"), F.lit("")))
            joined = keyed.join(F.broadcast(labels), F.col("__key") == F.col("__value"), "left")
            out = joined.withColumn(column, F.col("__label")).drop("__key", "__value", "__label")
        return out

    def suppress(self, table: Any, columns: Sequence[str], classes: Sequence[tuple[str, ...]], *,
                 value: str = "*") -> Any:
        """``value`` in every one of ``columns`` of the records whose tuple is one of ``classes``
        (a broadcast join with the classes)."""
        from pyspark.sql import functions as F
        from pyspark.sql.types import BooleanType, StringType, StructField, StructType

        columns = list(columns)
        wanted = sorted({tuple(c) for c in classes}, key=lambda c: tuple("" if v is None else v for v in c))
        if not wanted or not columns:
            return table
        keys = [f"__q{j}" for j in range(len(columns))]
        sides = [f"__s{j}" for j in range(len(columns))]
        schema = StructType([*(StructField(s, StringType(), True) for s in sides), StructField("__hit", BooleanType(), False)])
        listed = self.session.createDataFrame([(*c, True) for c in wanted], schema=schema)
        keyed = table.select("*", *[table[c].cast("string").alias(k) for c, k in zip(columns, keys)])
        condition = None
        for k, s in zip(keys, sides):
            part = F.col(k).eqNullSafe(F.col(s))
            condition = part if condition is None else condition & part
        joined = keyed.join(F.broadcast(listed), condition, "left")
        hit = F.col("__hit").isNotNull()
        out = joined
        for c, k in zip(columns, keys):
            out = out.withColumn(c, F.when(hit, F.lit(value)).otherwise(F.col(k)))
        return out.drop(*keys, *sides, "__hit")


class SparkGrouping:
    """A table encoded in Spark once: every column's dictionary (its distinct values in
    first-appearance order, one job for all columns), then the distinct tuples of codes with their
    counts and first row, cached by the executors. Grouping at a transformation is one ``groupBy``
    of those tuples on their generalized codes (each hierarchy level a small array literal); at most
    ``limit + 1`` groups come back, never a record."""

    def __init__(self, backend: SparkBackend, table: Any, keys: list[str], sensitive: list[str]) -> None:
        from pyspark.sql import functions as F

        self._keys = len(keys)
        names = [*keys, *sensitive]
        # quasi-identifiers as text with a missing value as "" (a value, as the search reads them)
        text = table.select(*[F.coalesce(table[c].cast("string"), F.lit("")).alias(f"v{j}") for j, c in enumerate(keys)],
                            *[table[c].cast("string").alias(f"v{j}") for j, c in enumerate(sensitive, start=len(keys))],
                            F.monotonically_increasing_id().alias(_ROW))
        with spark_errors("listing the values of the columns"):
            cells = F.explode(F.array(*[F.struct(F.lit(j).alias("j"), F.col(f"v{j}").alias("v"), F.col(_ROW).alias("r"))
                                        for j in range(len(names))])).alias("c")
            found = _collect(text.select(cells).select("c.j", "c.v", "c.r").where(F.col("v").isNotNull())
                             .groupBy("j", "v").agg(F.min("r").alias(_FIRST))) if names else pl.DataFrame()
        dictionaries = []
        for j in range(len(names)):
            mine = found.filter(pl.col("j") == j).sort(_FIRST) if names else found
            dictionaries.append(tuple(mine["v"].to_list()))
        self.dictionaries = tuple(dictionaries)
        session = backend.session
        coded = text
        for j, dictionary in enumerate(self.dictionaries):
            lookup = session.createDataFrame([(v, i) for i, v in enumerate(dictionary)], schema=f"__v string, c{j} long")
            coded = coded.join(F.broadcast(lookup), coded[f"v{j}"] == lookup["__v"], "left").drop("__v", f"v{j}")
        coded = coded.select(*[F.coalesce(F.col(f"c{j}"), F.lit(-1)).alias(f"c{j}") for j in range(len(names))], _ROW)
        self._width = len(names)
        codes = [f"c{j}" for j in range(self._width)]
        self._tuples = coded.groupBy(*codes).agg(F.count(F.lit(1)).alias(_COUNT), F.min(_ROW).alias(_FIRST))
        self._tuples.persist()
        with spark_errors("counting the records"):
            total = self._tuples.agg(F.sum(_COUNT)).first()
        self.records = int(total[0] or 0) if total is not None else 0

    def value_counts(self) -> list[np.ndarray]:
        from pyspark.sql import functions as F

        if not self._keys:
            return []
        cells = F.explode(F.array(*[F.struct(F.lit(j).alias("j"), F.col(f"c{j}").alias("c"), F.col(_COUNT).alias("n"))
                                    for j in range(self._keys)])).alias("x")
        with spark_errors("counting the values of the columns"):
            found = _collect(self._tuples.select(cells).select("x.j", "x.c", "x.n").groupBy("j", "c")
                             .agg(F.sum("n").alias("n")))
        out = []
        for j in range(self._keys):
            mine = found.filter(pl.col("j") == j)
            counts = np.zeros(len(self.dictionaries[j]), dtype=np.int64)
            counts[mine["c"].to_numpy().astype(np.int64)] = mine["n"].to_numpy().astype(np.int64)
            out.append(counts)
        return out

    def _generalized(self, generalization: Sequence[np.ndarray]) -> list[Any]:
        from pyspark.sql import functions as F

        out = []
        for j in range(self._keys):
            table = np.asarray(generalization[j], dtype=np.int64)
            if table.size and np.array_equal(table, np.arange(table.size)):
                out.append(F.col(f"c{j}").alias(f"g{j}"))           # level 0: the code itself
            elif table.size and (table == table[0]).all():
                out.append(F.lit(int(table[0])).cast("long").alias(f"g{j}"))  # one value (the top level)
            else:
                values = F.array(*[F.lit(int(x)) for x in table.tolist()])
                out.append(F.element_at(values, F.col(f"c{j}").cast("int") + 1).cast("long").alias(f"g{j}"))
        return out

    def at(self, generalization: Sequence[np.ndarray], *, smallest: bool, limit: int) -> Snapshot | None:
        from pyspark.sql import functions as F

        codes = [f"c{j}" for j in range(self._width)]
        reps = codes[:self._keys]
        frame = self._tuples.select(*self._generalized(generalization), *codes, _COUNT, _FIRST)
        by = [f"g{j}" for j in range(self._keys)] + codes[self._keys:]
        rep = F.struct(*[F.col(c) for c in reps])
        # the smallest member's codes (a struct compares field by field) or the first record's
        chosen = (F.min(rep) if smallest else F.min_by(rep, F.col(_FIRST))).alias("rep") if reps else F.lit(0).alias("rep")
        grouped = frame.groupBy(*by).agg(F.sum(_COUNT).alias(_COUNT), F.min(_FIRST).alias(_FIRST), chosen)
        columns = [*(F.col(f"rep.{c}").alias(c) for c in reps), *codes[self._keys:], _COUNT, _FIRST]
        with spark_errors("grouping the records at a transformation"):
            found = _collect(grouped.select(*columns).limit(limit + 1))
        if found.height > limit:
            return None
        found = found.sort(_FIRST)
        matrix = np.column_stack([found[c].to_numpy().astype(np.int64) for c in codes]) if codes else \
            np.zeros((found.height, 0), dtype=np.int64)
        tuples = DistinctTuples(matrix, found[_COUNT].cast(pl.Int64).to_numpy(), found[_FIRST].cast(pl.Int64).to_numpy(),
                                None)
        return Snapshot(tuple(codes), self.dictionaries, tuples, {})

    def small_records(self, generalization: Sequence[np.ndarray], size: int) -> int:
        from pyspark.sql import functions as F

        frame = self._tuples.select(*self._generalized(generalization), _COUNT)
        with spark_errors("counting the records of small classes"):
            classes = frame.groupBy(*[f"g{j}" for j in range(self._keys)]).agg(F.sum(_COUNT).alias(_COUNT))
            row = classes.where(F.col(_COUNT) < size).agg(F.sum(_COUNT)).first()
        return int(row[0] or 0) if row is not None else 0

    def close(self) -> None:
        self._tuples.unpersist()


def _collect(frame: Any) -> pl.DataFrame:
    """A small aggregated Spark result (one row per tuple or cell) as a polars frame, via Arrow."""
    return pl.from_arrow(frame.toArrow())  # type: ignore[return-value]


def _has_scheme(path: str) -> bool:
    head = path.split("/", 1)[0]
    return head.endswith(":") and len(head) > 2  # hdfs:, s3a:, file: ... (not a Windows drive)


def _local_files(path: str) -> list[str]:
    """The data files a local path, folder or glob names (as Spark would list them), or an
    ``InputError`` when there are none."""
    if any(ch in path for ch in "*?["):
        files = sorted(p for p in globbing.glob(path) if Path(p).is_file() or Path(p).is_dir())
        expanded = []
        for p in files:
            expanded.extend(_local_files(p) if Path(p).is_dir() else [p])
        files = expanded
    elif Path(path).is_dir():
        files = sorted(str(p) for p in Path(path).iterdir()
                       if p.is_file() and not p.name.startswith((".", "_")))
    elif Path(path).is_file():
        files = [path]
    else:
        raise InputError(f"{path}: no such file, folder or glob match", hint="check the path (relative paths start at the job file)")
    if not files:
        raise InputError(f"{path}: holds no data files", hint="give a Parquet or CSV file, a folder of them, or a glob")
    return files


def _header_line(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.readline().lstrip("\ufeff")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})", hint="check the path and its permissions") from None


__all__ = ["SparkBackend"]
