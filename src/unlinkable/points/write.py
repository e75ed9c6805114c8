"""A set-valued release written in its input's form, so that the job's own reader reads it back.

- A basket-lines input gets one line per released record, in input order, with its released
  items (distinct, in the order of the released dictionary) joined by the input's separator.
- A long table gets the columns ``record`` and ``item`` under the input's names (and, for
  relational + transaction data, the record's released quasi-identifiers on each of its rows),
  records numbered 1, 2, ... in order of first appearance among the released records (never the
  input's identifiers), one row per released item; CSV or Parquet by the output's suffix.

A record whose every item was suppressed is not written (an empty line is no basket to the
reader, and a long table has no row to give it): it is counted in ``suppressed_records``. Times
and quantities are not written: the privacy models protect items only, so releasing either would
hand out what no model has checked; :func:`release_columns` says so in the figures. Item labels a
spreadsheet would run as a formula are escaped as in every CSV the package writes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from unlinkable.data.formulas import escape_for_csv, escape_formulas
from unlinkable.data.outputs import OutputSet
from unlinkable.errors import ConfigError

__all__ = ["write_release", "release_columns"]


def release_columns(job: Any) -> dict[str, Any]:
    """The input's columns the release carries and the declared ones it leaves out (empty for basket-lines).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> job = SimpleNamespace(format="table", transactions={"record": "card", "item": "sku", "time": "when"},
    ...                       quasi_identifiers=None)
    >>> release_columns(job)
    {'released': ['card', 'sku'], 'not_released': ['when']}
    """
    if job.format == "basket-lines":
        return {"released": [], "not_released": []}
    tx = job.transactions
    released = [tx["record"], tx["item"], *list(job.quasi_identifiers or {})]
    return {"released": released, "not_released": [tx[key] for key in ("time", "quantity") if key in tx]}


def write_release(outputs: OutputSet, job: Any, result: Any) -> int:
    """Stage ``result``'s released records in ``job``'s input form; the number of cells escaped as formulas."""
    sets = result.points.sets()
    labels = list(sets.labels)
    if job.format == "basket-lines":
        frame, escaping = escape_formulas(pl.DataFrame({"item": labels}, schema={"item": pl.String}))
        labels = frame["item"].to_list()
        _check_separable(labels, job)
        words = np.asarray(labels, dtype=object)[sets.items] if len(labels) else np.zeros(0, dtype=object)
        lines = [job.separator.join(words[a:b]) for a, b in zip(sets.indptr[:-1].tolist(), sets.indptr[1:].tolist())]
        outputs.text(job.output, "".join(line + "\n" for line in lines))
        return escaping.cells
    record = sets.record_of_point()
    words = np.asarray(labels, dtype=object)[sets.items] if len(labels) else np.zeros(0, dtype=object)
    table = pl.DataFrame({job.transactions["record"]: record + 1,
                          job.transactions["item"]: pl.Series(words.tolist(), dtype=pl.String)})
    if result.attributes is not None:  # each row carries its record's released quasi-identifiers
        table = pl.concat([table, result.attributes[record]], how="horizontal")
    table, escaped = escape_for_csv(table, job.output)
    outputs.table(job.output, table, delimiter=job.delimiter or ",")
    return escaped.cells


def _check_separable(labels: list[str], job: Any) -> None:
    """Every released label reads back as itself from a basket line (else a ConfigError: nothing is written)."""
    spaced = job.separator == " "
    for label in labels:
        # a non-space separator's reader strips spaces around items; a space separator splits on them
        changed = label != label.strip() if not spaced else False
        if not label.strip() or changed or job.separator in label or "\n" in label or "\r" in label:
            raise ConfigError(f"{job.source}: a released label of the item hierarchy is empty, holds the separator "
                              f"{job.separator!r} or a line break, or starts or ends with a space, so the released "
                              "file would not read back", hint="rename that hierarchy node, or choose another separator")
