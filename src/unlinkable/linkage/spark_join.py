"""The exposure count with its release-versus-auxiliary join run in Spark.

The rules are those of :class:`unlinkable.risk.links.Auxiliary` (``linkage/exposure.py`` describes
them): a release value is a token (a wildcard, a value or label at some hierarchy level, or a
tolerance range); an auxiliary value matches it when it is missing or ``*``, when it generalizes
to the token's label, or when its rank lies in the token's range. The tokens are resolved on the
driver once per distinct value of each column (the dictionaries come from Spark, never the
records), with the same code as the numpy count, and shipped to Spark as small tables.

Spark then does what ``Auxiliary.count`` does on one machine: for every pattern of token kinds
among the release's distinct tuples and every pattern of missing values among the auxiliary
table's, one join of the two tables' distinct tuples (equality on the key attributes, the range
conditions as a filter), summing the other side's records. What comes back to the driver is how
many records have each candidate count (and each reverse count): every exposure figure is a
function of those histograms, so they equal numpy's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from unlinkable.risk.links import RANGE, WILDCARD, AttributeLink, Auxiliary
from unlinkable.spark.session import spark_errors

_W = "__unlinkable_w"
_ID = "__unlinkable_id"


class SparkJoin:
    """Both tables as their distinct tuples of the shared attributes, encoded and cached in Spark.

    Examples
    --------
    >>> callable(SparkJoin.histograms)
    True
    """

    def __init__(self, session: Any, release: Any, auxiliary: Any, links: Sequence[AttributeLink]) -> None:
        self.session = session
        self.links = list(links)
        k = len(self.links)
        rel_dicts = _dictionaries(release, [link.release for link in self.links])
        aux_dicts = _dictionaries(auxiliary, [link.auxiliary for link in self.links])
        # the auxiliary attributes prepared on their distinct values only (one column each, padded)
        width = max([len(d) for d in aux_dicts] + [1])
        padded = pl.DataFrame({f"a{a}": list(d) + [None] * (width - len(d)) for a, d in enumerate(aux_dicts)},
                              schema={f"a{a}": pl.String for a in range(k)})
        renamed = [AttributeLink(link.release, f"a{a}", link.hierarchy, link.tolerance, link.tolerance_kind)
                   for a, link in enumerate(self.links)]
        self.aux = Auxiliary(padded, renamed)
        self.release_dictionaries = rel_dicts
        # release codes: index into the column's dictionary, a missing value the last token
        self._release = _encoded(session, release, [link.release for link in self.links],
                                 [{v: i for i, v in enumerate(d)} for d in rel_dicts], [len(d) for d in rel_dicts], "r")
        # auxiliary codes: the prepared attribute's code (-1: missing or *)
        aux_codes = []
        for attr, values in zip(self.aux.attrs, aux_dicts):
            aux_codes.append({v: int(attr.codes[attr.index[v]]) for v in values})
        self._auxiliary = _encoded(session, auxiliary, [link.auxiliary for link in self.links], aux_codes, [-1] * k, "x")
        masks = [_missing_bit(a) for a in range(k)]
        self._masks = sorted(int(r[0]) for r in _rows(self._auxiliary.select(_sum(masks).alias("m")).distinct()))

    def close(self) -> None:
        self._release.unpersist()
        self._auxiliary.unpersist()

    def histograms(self, dictionaries: Sequence[Sequence[str | None]], *, use: Sequence[int] | None = None,
                   reverse: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(candidate counts, release records with each), and the same for the reverse counts
        (empty unless ``reverse``), for the release read with ``dictionaries`` (a what-if lifts one)."""
        from pyspark.sql import functions as F

        use = list(range(len(self.links))) if use is None else list(use)
        tokens = {a: self.aux.attrs[a].tokens(dictionaries[a]) for a in use}
        release = self._release.select(
            _ID, _W, *[_lookup(values, f"r{a}").alias(f"{name}{a}") for a in use
                       for name, values in (("kind", tokens[a].kind), ("key", tokens[a].key), ("lo", tokens[a].lo),
                                            ("hi", tokens[a].hi))])
        patterns = [tuple(int(x) for x in row) for row in _rows(release.select(*[f"kind{a}" for a in use]).distinct())]
        forward, backward = [], []
        for pattern in patterns:
            kinds = dict(zip(use, pattern))
            rows = release.where(_all([F.col(f"kind{a}") == k for a, k in kinds.items()]))
            for mask in self._masks:
                active = [(a, k) for a, k in kinds.items() if k != WILDCARD and not (mask >> a) & 1]
                aux = self._auxiliary.where(_sum([_missing_bit(a) for a in range(len(self.links))]) == mask)
                f, b = self._join(rows, aux, active, reverse)
                forward.append(f)
                if b is not None:
                    backward.append(b)
        counts = _histogram(self._release, forward)
        if not reverse:
            return counts[0], counts[1], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        back = _histogram(self._auxiliary, backward)
        return counts[0], counts[1], back[0], back[1]

    def _join(self, rows: Any, aux: Any, active: list[tuple[int, int]], reverse: bool) -> tuple[Any, Any]:
        """(release id, candidates) and (auxiliary id, release records) of one pattern pair."""
        from pyspark.sql import functions as F

        keys = [(a, k) for a, k in active if k != RANGE]
        ranges = [a for a, k in active if k == RANGE]
        # the auxiliary value at the token's level (-1: outside the hierarchy, matches nothing)
        side = aux.select(_ID, _W, *[(_lookup(self.aux.attrs[a].level_codes[level], f"x{a}") if level else F.col(f"x{a}"))
                                     .alias(f"ak{a}") for a, level in keys],
                          *[_lookup(self.aux.attrs[a].rank, f"x{a}").alias(f"rank{a}") for a in ranges])
        if any(level for _, level in keys):
            side = side.where(_all([F.col(f"ak{a}") >= 0 for a, level in keys if level]))
        if not active:  # every pair matches: each side counts the other's records
            total_aux = side.agg(F.sum(_W).alias("t"))
            total_rel = rows.agg(F.sum(_W).alias("t"))
            forward = rows.crossJoin(total_aux).select(F.col(_ID), F.col("t").alias("c"))
            backward = side.crossJoin(total_rel).select(F.col(_ID), F.col("t").alias("c")) if reverse else None
            return forward, backward
        matched = [F.col(f"key{a}") == F.col(f"ak{a}") for a, _ in keys]
        matched += [(F.col(f"lo{a}") <= F.col(f"rank{a}")) & (F.col(f"rank{a}") <= F.col(f"hi{a}")) for a in ranges]
        a_cols = [f"ak{a}" for a, _ in keys] + [f"rank{a}" for a in ranges]
        r_cols = [f"key{a}" for a, _ in keys] + [c for a in ranges for c in (f"lo{a}", f"hi{a}")]
        grouped_aux = side.groupBy(*a_cols).agg(F.sum(_W).alias("aw"))
        # the grouped side is at most one row per distinct key: broadcast, so each join is one pass
        forward = rows.select(_ID, *r_cols).join(F.broadcast(grouped_aux), _all(matched)).groupBy(_ID) \
            .agg(F.sum("aw").alias("c"))
        backward = None
        if reverse:
            grouped_rel = rows.groupBy(*r_cols).agg(F.sum(_W).alias("rw"))
            backward = side.select(_ID, *a_cols).join(F.broadcast(grouped_rel), _all(matched)).groupBy(_ID) \
                .agg(F.sum("rw").alias("c"))
        return forward, backward


def tuples_fit(table: Any, columns: Sequence[str], limit: int) -> bool:
    """Whether ``table`` has at most ``limit`` distinct tuples of ``columns`` (one Spark job; at
    most ``limit + 1`` groups are counted, none come back)."""
    with spark_errors("counting distinct tuples"):
        return int(table.select(*columns).distinct().limit(limit + 1).count()) <= limit


def _dictionaries(table: Any, columns: Sequence[str]) -> list[tuple[str, ...]]:
    """Each column's distinct values as text (missing left out), from one Spark job."""
    from pyspark.sql import functions as F

    cells = F.explode(F.array(*[F.struct(F.lit(j).alias("j"), F.col(c).cast("string").alias("v"))
                                for j, c in enumerate(columns)])).alias("c")
    with spark_errors("listing the values of the shared attributes"):
        found = pl.from_arrow(table.select(cells).select("c.j", "c.v").where(F.col("v").isNotNull()).distinct()
                              .toArrow())
    assert isinstance(found, pl.DataFrame)
    return [tuple(sorted(found.filter(pl.col("j") == j)["v"].to_list())) for j in range(len(columns))]


def _encoded(session: Any, table: Any, columns: Sequence[str], codes: Sequence[dict[str, int]],
             missing: Sequence[int], prefix: str) -> Any:
    """The distinct tuples of ``columns`` with their records (``_W``) and an id, each value as its
    code (``x{j}``/``r{j}``); cached and pinned, so the ids stay the same across the counts."""
    from pyspark.sql import functions as F

    grouped = table.select(*[F.col(c).cast("string").alias(f"v{j}") for j, c in enumerate(columns)]) \
        .groupBy(*[f"v{j}" for j in range(len(columns))]).agg(F.count(F.lit(1)).alias(_W))
    for j, mapping in enumerate(codes):
        lookup = session.createDataFrame(list(mapping.items()), schema=f"v{j} string, {prefix}{j} long")
        grouped = grouped.join(F.broadcast(lookup), f"v{j}", "left") \
            .withColumn(f"{prefix}{j}", F.coalesce(F.col(f"{prefix}{j}"), F.lit(int(missing[j])))).drop(f"v{j}")
    with spark_errors("grouping a table into its distinct tuples"):
        return grouped.withColumn(_ID, F.monotonically_increasing_id()).localCheckpoint(eager=True)


def _histogram(table: Any, parts: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(count, records with it) over every row of ``table``, its count the sum of ``parts``."""
    from pyspark.sql import functions as F

    zero = table.select(_ID, F.lit(0).cast("long").alias("c"))
    union = zero
    for part in parts:
        union = union.unionByName(part.select(_ID, F.col("c").cast("long").alias("c")))
    per_row = union.groupBy(_ID).agg(F.sum("c").alias("c"))
    with spark_errors("counting candidates"):
        found = _rows(per_row.join(table.select(_ID, _W), _ID).groupBy("c").agg(F.sum(_W).alias("n")).orderBy("c"))
    return (np.array([int(r[0]) for r in found], dtype=np.int64), np.array([int(r[1]) for r in found], dtype=np.int64))


def _lookup(values: np.ndarray, column: str) -> Any:
    """``values[code]`` for the code in ``column``, as a column (a small array literal)."""
    from pyspark.sql import functions as F

    return F.element_at(F.array(*[F.lit(int(v)) for v in np.asarray(values).tolist()]),
                        F.col(column).cast("int") + 1).cast("long")


def _rows(frame: Any) -> list[Any]:
    with spark_errors("counting candidates"):
        return list(frame.collect())


def _missing_bit(a: int) -> Any:
    """Bit ``a`` when the auxiliary value of attribute ``a`` is missing (code -1)."""
    from pyspark.sql import functions as F

    return F.when(F.col(f"x{a}") < 0, F.lit(1 << a)).otherwise(F.lit(0))


def _sum(columns: list[Any]) -> Any:
    from pyspark.sql import functions as F

    out = F.lit(0)
    for c in columns:
        out = out + c
    return out


def _all(conditions: list[Any]) -> Any:
    from pyspark.sql import functions as F

    out = F.lit(True)
    for c in conditions:
        out = out & c
    return out


__all__ = ["SparkJoin", "tuples_fit"]
