"""Relational + transaction data: ordinary quasi-identifiers beside each record's items (Poulis et al. 2013).

A long table may carry, on every row of a record, the record's own attributes (age, postcode):
they must be the same on all its rows. :func:`record_attributes` reads them as one row per record,
in the order records first appear (the order of :func:`~unlinkable.points.read.read_transactions`).
:func:`class_codes` numbers the distinct released attribute tuples: the classes within which
k^m-anonymity is then counted, so an adversary who knows a person's attributes and m of their
items still finds k records.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from unlinkable.data.io import read_table
from unlinkable.errors import ConfigError, InputError, did_you_mean, shown


def record_attributes(source: Any, *, record: str, columns: Sequence[str], delimiter: str | None = None) -> pl.DataFrame:
    """One row per record (first-appearance order) with its ``columns``; each must be constant within a record.

    Examples
    --------
    >>> df = pl.DataFrame({"card": ["x", "y", "x"], "sku": ["a", "b", "c"], "age": ["30", "40", "30"]})
    >>> record_attributes(df, record="card", columns=["age"])["age"].to_list()
    ['30', '40']
    """
    where = str(source) if isinstance(source, (str, os.PathLike)) else "data"
    frame = read_table(source, delimiter=delimiter)
    for name in [record, *columns]:
        if name not in frame.columns:
            raise ConfigError(f"{where}: no column {shown(name)}",
                              hint=did_you_mean(name, frame.columns).strip() or "name a column of the long table")
    text = frame.select(pl.col(record).cast(pl.String), *[pl.col(c).cast(pl.String) for c in columns])
    distinct = text.unique(maintain_order=True)
    twice = distinct[record].is_duplicated()
    if twice.any():
        first = distinct.filter(twice)[record][0]
        rows = text.with_row_index("row").filter(pl.col(record) == first)
        for name in columns:
            if rows[name].n_unique() > 1:
                row = int(rows.filter(pl.col(name) != rows[name][0])["row"][0])
                raise InputError(f"{where}: column {name!r} row {row + 1}: value {shown(text[name][row], 40)} differs from "
                                 "the record's earlier rows", hint=f"{name} describes the record: give it one value on all its rows")
    return distinct.select(columns)


def class_codes(released: pl.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """The class (0, 1, ... in the order of the text) of each row: rows with equal released text in ``columns`` share one.

    Examples
    --------
    >>> class_codes(pl.DataFrame({"age": ["3*", "4*", "3*"]}), ["age"]).tolist()
    [0, 1, 0]
    """
    key = released.select(pl.concat_str([pl.col(c).cast(pl.String).fill_null("\x00") for c in columns],
                                        separator="\x1f").alias("key"))["key"]
    return (key.rank("dense").cast(pl.Int64) - 1).to_numpy()


__all__ = ["record_attributes", "class_codes"]
