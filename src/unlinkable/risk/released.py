"""How unique the records of a released table are on every column that is not declared sensitive.

The risk figures of ``assess`` use the quasi-identifiers only. A column kept as is (insensitive,
a weight, a household id) is in the released table too, and a day-exact date or an exact income
makes records unique on its own. This module measures, on the released table's text (a missing
value is a value of its own, as a reader of the file sees it):

- the share of records unique on all released non-sensitive columns together;
- for each kept column: the share unique on it alone, and together with the quasi-identifiers,
  and whether it makes records unique that the quasi-identifiers alone do not (``warn``).

Figures are shares of all released records; a suppressed record (``*`` in every
quasi-identifier) counts like any other, since its kept columns are released.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl


def _unique_records(table: pl.DataFrame, columns: Sequence[str]) -> int:
    if not columns or table.height == 0:
        return 0 if table.height != 1 else 1
    # One hash-grouping pass over the row tuples (exact: equal hashes are compared by value).
    text = [pl.col(c) if table.schema[c] == pl.String else pl.col(c).cast(pl.String) for c in columns]
    return int(table.select(pl.struct(text).is_unique().sum()).item())


def released_uniqueness(table: pl.DataFrame | None, *, quasi_identifiers: Sequence[str], kept: Sequence[str],
                        quasi_identifier_uniques: int | None = None, records: int | None = None,
                        unique_records: Callable[[list[str]], int] | None = None) -> dict[str, Any]:
    """Uniqueness of a released table on its quasi-identifiers and the columns it keeps as is.

    Parameters
    ----------
    table : polars.DataFrame
        The table as released (identifiers dropped).
    quasi_identifiers : sequence of str
        Its quasi-identifiers, as released (generalized, suppressed or perturbed).
    kept : sequence of str
        The columns released unchanged and not declared sensitive.
    quasi_identifier_uniques : int, optional
        The number of records unique on the quasi-identifiers, when the caller already knows it
        from its classes (:func:`unique_on_class_labels`); then a table without kept columns
        needs no pass over its records.
    records, unique_records : optional
        For a table that lives elsewhere (a Spark DataFrame, ``table`` None): its number of
        records, and a function counting the records unique on some columns there.

    Returns
    -------
    dict
        ``records``, ``columns`` (every released non-sensitive column), ``unique_records`` and
        ``sample_uniques`` on all of them together, ``quasi_identifier_uniques`` (share on the
        quasi-identifiers alone), and ``kept_columns``: per kept column ``column``, ``alone``,
        ``with_quasi_identifiers`` (shares) and ``warn``.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"age": ["3*", "3*", "3*", "3*"], "born": ["1990-01-02", "1990-03-04", "1991-05-06", "1991-05-06"]})
    >>> r = released_uniqueness(t, quasi_identifiers=["age"], kept=["born"])
    >>> r["sample_uniques"], r["kept_columns"][0]["alone"], r["kept_columns"][0]["warn"]
    (0.5, 0.5, True)
    """
    n = table.height if table is not None else int(records or 0)
    def count(columns: list[str]) -> int:
        if unique_records is not None:
            return unique_records(columns)
        if table is None:
            raise ValueError("released_uniqueness needs the table or a unique_records function")
        return _unique_records(table, columns)
    share = (lambda count: count / n) if n else (lambda count: 0.0)
    quasi_identifier_names, kept = list(quasi_identifiers), list(kept)
    uniques = quasi_identifier_uniques if quasi_identifier_uniques is not None else (
        count(quasi_identifier_names) if quasi_identifier_names else 0)
    entries = []
    for column in kept:
        alone = share(count([column]))
        together = share(count([*quasi_identifier_names, column]))
        entries.append({"column": column, "alone": alone, "with_quasi_identifiers": together,
                        "warn": alone > 0 or together > share(uniques)})
    every = [*quasi_identifier_names, *kept]
    unique = count(every) if kept else uniques
    return {
        "records": n,
        "columns": every,
        "unique_records": unique,
        "sample_uniques": share(unique),
        "quasi_identifier_uniques": share(uniques),
        "kept_columns": entries,
    }


def unique_on_class_labels(labels: pl.DataFrame, sizes: Sequence[int]) -> int:
    """Records unique on their released text, from one row per class (its labels and size).

    Classes whose labels read the same (say a suppressed class and a class generalized to ``*``)
    are merged first, so the count is that of the released text, not of the classes.

    Examples
    --------
    >>> import polars as pl
    >>> unique_on_class_labels(pl.DataFrame({"age": ["3*", "4*", "*", "*"]}), [2, 1, 1, 1])  # 4* alone
    1
    """
    merged = labels.with_columns(pl.Series("_size", list(sizes), dtype=pl.Int64))
    totals = merged.group_by(labels.columns).agg(pl.col("_size").sum())["_size"]
    return int((totals == 1).sum())


__all__ = ["released_uniqueness", "unique_on_class_labels"]
