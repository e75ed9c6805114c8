"""The independent verifier, run in Spark: the release is regrouped where the records are.

The checks are those of :func:`unlinkable.verify.verify_release`, from the release's text: each
quasi-identifier is a global generalization of the input (its level inferred from the distinct
(input, output) pairs of the released rows), at most ``floor(limit * n)`` rows are suppressed,
and the released classes satisfy every model, by the same plain checkers
(:func:`unlinkable.verify.check_models`). Spark only counts: the distinct pairs, the class sizes,
the (class, value) counts of a sensitive attribute and its counts over the input come back to
the driver, never a record.

The release carries the input's quasi-identifiers beside its own (hidden columns, dropped before
writing), so each record's input and output text are compared on the same row. Columns other
than the quasi-identifiers are the input's own columns, passed through untouched by construction.
The linkage checker's exposure count groups the release in Spark. A model whose checker needs the
rows themselves (delta-presence, inclusion) cannot be checked here: the verifier fails closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from unlinkable.errors import VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.spark.session import spark_errors
from unlinkable.verify import SUPPRESSED, check_models, levels_from_pairs, star_rows_released

_FLAG = "__unlinkable_released"


class _Grouped:
    """A table that lives in Spark, as the checkers read it: its columns, and ``group_by(...).len()``
    counted in Spark (one row per class comes back)."""

    def __init__(self, frame: Any, columns: Sequence[str], height: int) -> None:
        self._frame = frame
        self.columns = list(columns)
        self.height = height

    def group_by(self, columns: str | Sequence[str]) -> _Counted:
        return _Counted(self._frame, [columns] if isinstance(columns, str) else list(columns))

    def drop(self, *columns: str, strict: bool = True) -> Any:
        """The rows without ``columns``, as the Spark frame they are: the linkage checker measures
        them with the exposure measure, which groups them in Spark (tuples with counts come back)."""
        return self._frame.drop(*columns)

    def __getattr__(self, name: str) -> Any:
        raise VerificationError(f"this model's check reads the records themselves ({name}), which stay in Spark; "
                                f"nothing was written", hint="run this job with the numpy backend")


class _Counted:
    def __init__(self, frame: Any, columns: list[str]) -> None:
        self._frame, self._columns = frame, columns

    def len(self) -> pl.DataFrame:
        from pyspark.sql import functions as F

        with spark_errors("counting the released classes"):
            grouped = self._frame.groupBy(*self._columns).agg(F.count(F.lit(1)).alias("len"))
            return pl.from_arrow(grouped.toArrow())  # type: ignore[return-value]


def verify_release_spark(paired: Any, *, originals: Mapping[str, str], quasi_identifiers: list[str], models: list[Any],
                         suppression_limit: float, hierarchies: Mapping[str, Hierarchy],
                         identifiers: Sequence[str] = (), input_columns: Sequence[str] = ()) -> None:
    """Check a release computed in Spark; raise ``VerificationError`` if any guarantee does not hold.

    Parameters
    ----------
    paired : pyspark.sql.DataFrame
        The release as it will be written, plus the input's text of each quasi-identifier in the
        hidden column ``originals[q]``.
    originals : mapping of str to str
        Quasi-identifier -> its hidden input column in ``paired``.
    input_columns : sequence of str
        The input's columns (the release may only drop some: identifiers).

    Examples
    --------
    >>> callable(verify_release_spark)
    True
    """
    from pyspark.sql import functions as F

    hidden = set(originals.values())
    output_columns = [c for c in paired.columns if c not in hidden]
    present = [c for c in identifiers if c in output_columns]
    if present:
        raise VerificationError(f"the release still has the identifier column {present[0]!r}; nothing was written",
                                hint="identifiers are dropped from every output; this is probably a bug")
    extra = [c for c in output_columns if input_columns and c not in input_columns]
    if extra:
        raise VerificationError(f"the release has a column {extra[0]!r} that the input does not have",
                                hint="this is probably a bug in the writer")
    missing = [q for q in quasi_identifiers if q not in output_columns or q not in originals]
    if missing:
        raise VerificationError(f"the release lacks the quasi-identifier {missing[0]!r}", hint="this is probably a bug")
    text = paired.select(*[paired[c].cast("string").alias(c) for c in [*output_columns, *sorted(hidden)]])
    star = F.lit(True)
    for q in quasi_identifiers:
        star = star & F.coalesce(F.col(q) == F.lit(SUPPRESSED), F.lit(False))
    with spark_errors("verifying the release"):
        totals = text.agg(F.count(F.lit(1)).alias("n"), F.sum(F.when(star, 1).otherwise(0)).alias("s")).first()
        n, suppressed_records = int(totals["n"]), int(totals["s"] or 0)
        kept = text.where(~star)
        # every quasi-identifier's distinct (input, output) pairs in one job: (position, input, output) rows
        triples = F.explode(F.array(*[F.struct(F.lit(j).alias("q"), F.col(originals[q]).alias("i"), F.col(q).alias("o"))
                                      for j, q in enumerate(quasi_identifiers)])).alias("p")
        found = pl.from_arrow(kept.select(triples).select("p.q", "p.i", "p.o").distinct().toArrow())
        pairs: dict[str, list[tuple[Any, Any]]] = {q: [] for q in quasi_identifiers}
        for j, i, o in found.rows():  # type: ignore[union-attr]
            pairs[quasi_identifiers[j]].append((i, o))
    known = quasi_identifiers[:next((j for j, q in enumerate(quasi_identifiers) if q not in hierarchies),
                                    len(quasi_identifiers))]
    levels = levels_from_pairs({q: pairs[q] for q in known}, hierarchies)
    if len(known) != len(quasi_identifiers):
        levels = None
    released_rows = text if star_rows_released(suppressed_records, n, suppression_limit, levels, quasi_identifiers,
                                               hierarchies) else kept
    released = _Grouped(released_rows.select(*output_columns), ["_row", *output_columns], n)
    original = _Grouped(text.select(*output_columns), output_columns, n)
    classes = {}
    if quasi_identifiers:
        counted = released.group_by(quasi_identifiers).len()
        classes = {tuple(row[:-1]): int(row[-1]) for row in counted.iter_rows()}
    check_models(models, classes=classes, released=released, original=original, output=released,
                 quasi_identifiers=quasi_identifiers, hierarchies=hierarchies, levels=levels, suppressed=None, n=n,
                 full_output=released, full_original=original)


__all__ = ["verify_release_spark"]
