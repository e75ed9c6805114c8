"""Writing a Spark release: Parquet or CSV parts in a hidden folder, renamed into place with the
run's other outputs (:meth:`unlinkable.data.outputs.OutputSet.folder`), so a failed or stopped
run leaves nothing behind; and spreadsheet formulas escaped in Spark, as for every released CSV.

The output is a folder of part files (``anonymized.parquet/part-*.parquet``), as Spark writes:
every executor writes its own part, and no record passes through the driver. The folder must be
on a file system this process can rename in (local runs, or a shared mount on a cluster).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from unlinkable.data.formulas import NUMBER_PATTERN, TRIGGER_PATTERN, FormulaEscaping, escaped_headers
from unlinkable.data.outputs import OutputSet
from unlinkable.errors import VerificationError
from unlinkable.spark.session import spark_errors

_PARQUET = (".parquet", ".pq")


def escape_formulas_spark(frame: Any, path: str | os.PathLike[str], *, enabled: bool = True) -> tuple[Any, FormulaEscaping]:
    """``data.formulas.escape_for_csv`` in Spark: a ``'`` before every text cell, and column name,
    a spreadsheet would run as a formula, for a CSV output (a Parquet output keeps text typed and
    is left alone).

    Examples
    --------
    >>> escape_formulas_spark(None, "out.parquet")[1].to_dict()
    {'enabled': False, 'escaped_cells': 0, 'columns': {}, 'headers': []}
    """
    if Path(path).suffix.lower() in _PARQUET or not enabled:
        return frame, FormulaEscaping(enabled=False)
    escaped, found = _escape_cells(frame)
    renamed = escaped_headers(list(frame.columns))
    if renamed:
        escaped = escaped.withColumnsRenamed(renamed)
    return escaped, FormulaEscaping(enabled=True, columns=found, headers=tuple(renamed))


def _escape_cells(frame: Any) -> tuple[Any, dict[str, int]]:
    """The text cells escaped in Spark, and the escaped cells per column (columns with none left out)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    text = [f.name for f in frame.schema.fields if isinstance(f.dataType, StringType)]
    if not text:
        return frame, {}

    def needs(c: str) -> Any:
        return F.coalesce(F.col(c).rlike(TRIGGER_PATTERN) & ~F.col(c).rlike(NUMBER_PATTERN), F.lit(False))

    with spark_errors("escaping spreadsheet formulas"):
        counts = frame.agg(*[F.sum(F.when(needs(c), 1).otherwise(0)).alias(c) for c in text]).first()
        hit = {c: int(counts[c]) for c in text if counts[c]}
        if not hit:
            return frame, {}
        escaped = frame.withColumns({c: F.when(needs(c), F.concat(F.lit("'"), F.col(c))).otherwise(F.col(c)) for c in hit})
        before = frame.agg(*[F.countDistinct(c).alias(c) for c in hit]).first()
        after = escaped.agg(*[F.countDistinct(c).alias(c) for c in hit]).first()
    for c in hit:
        if before[c] != after[c]:
            raise VerificationError(
                f"column {c!r}: escaping spreadsheet formulas would make two different values equal "
                f"(a value starting with = + - @ and the same value already starting with ')",
                hint="set output: {escape_formulas: false} and open the file in a spreadsheet only as text")
    return escaped, hit


def write_parts(outputs: OutputSet, path: str | os.PathLike[str], frame: Any, *, delimiter: str = ",") -> Path:
    """Stage ``frame`` as a folder of Parquet (``.parquet``/``.pq``) or CSV parts at ``path``.

    CSV parts each have the header line; a missing value is an empty field.
    """
    parquet = Path(path).suffix.lower() in _PARQUET

    def write(tmp: Path) -> None:
        with spark_errors("writing the release"):
            writer = frame.write.mode("overwrite")
            if parquet:
                writer.parquet(str(tmp))
            else:
                writer.option("header", True).option("sep", delimiter).option("quote", '"').option("escape", '"') \
                    .option("nullValue", "").option("emptyValue", "").csv(str(tmp))
        # Hadoop's local file system leaves a checksum beside every part: not part of the output
        for crc in tmp.glob(".*.crc"):
            crc.unlink(missing_ok=True)

    return outputs.folder(path, write)


__all__ = ["escape_formulas_spark", "write_parts"]
