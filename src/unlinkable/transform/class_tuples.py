"""The distinct quasi-identifier tuples of the input and of the release, from the search's classes.

An assessment first groups the records of a table into their distinct quasi-identifier tuples
(:func:`unlinkable.backends.distinct.distinct_tuples`). The search has done that grouping already:
its bottom classes are the input's distinct tuples (when level 0 of every hierarchy tells every
value apart), and the released tuples are the chosen transformation's classes, each labelled at
its level, with the suppressed records (``*`` in every quasi-identifier) as one more tuple.
Handing those over spares the assessments before and after two passes over the records. The
tuples come in the order their first records appear, with ``encode_column``'s codes (values
numbered in the order they first appear) and the same counts, so every figure computed from them
is the one the records give, bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from unlinkable.backends.base import Snapshot
from unlinkable.backends.distinct import DistinctTuples
from unlinkable.data.table import EncodedColumn
from unlinkable.hierarchies.hierarchy import GeneralizationMap
from unlinkable.transform.generalize import Generalizer
from unlinkable.transform.released_codes import first_appearance, released_texts

__all__ = ["input_tuples", "released_tuples"]


def input_tuples(generalizer: Generalizer, names: Sequence[str], columns: Sequence[EncodedColumn],
                 maps: Sequence[GeneralizationMap]) -> Snapshot | None:
    """The input's distinct tuples of ``names``: the generalizer's bottom classes in first-record order.

    ``columns`` are the quasi-identifiers as the search encoded them (``encode_column``, no missing
    value) and ``generalizer`` grouped every record of them. None when a hierarchy's level 0
    merges two values: its bottom classes are then coarser than the input's tuples. The record of
    each tuple is not kept (per-record outputs are not available from this grouping).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.data.table import encode_column
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> import polars as pl
    >>> col = encode_column(pl.Series("q", ["b", "a", "b"]))
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(col.dictionary)
    >>> g = Generalizer(col.codes.reshape(-1, 1), [gm])
    >>> snap = input_tuples(g, ["q"], [col], [gm])
    >>> snap.tuples.codes.tolist(), snap.tuples.counts.tolist(), snap.dictionaries
    ([[0], [1]], [2, 1], (('b', 'a'),))
    """
    if any(np.unique(gm.table[:, 0]).shape[0] != gm.table.shape[0] for gm in maps):
        return None
    bottom = generalizer.bottom
    first = np.asarray(generalizer.bottom_first, dtype=np.int64)
    order = np.argsort(first, kind="stable")  # a canonical search numbers its classes by key
    codes = np.ascontiguousarray(bottom.rep_cols.take(order, axis=1).T, dtype=np.int64)
    tuples = DistinctTuples(codes, bottom.sizes.take(order).astype(np.int64), first.take(order), None)
    return Snapshot(tuple(names), tuple(c.dictionary for c in columns), tuples, {})


def released_tuples(rep_cols: np.ndarray, sizes: np.ndarray, first: np.ndarray, suppressed: np.ndarray,
                    names: Sequence[str], maps: Sequence[GeneralizationMap], levels: Sequence[int],
                    suppression_value: str = "*") -> Snapshot:
    """The released table's distinct tuples of ``names``, from the classes of the released transformation.

    Per class: ``rep_cols[i]`` an input code of attribute i of one of its records, ``sizes`` its
    records, ``first`` its first record (``Generalizer.first_records``), and ``suppressed``
    whether its records are released as ``suppression_value`` in every quasi-identifier. A class
    and the suppressed records whose labels are equal as text (every level's own ``*``) are one
    tuple of the released table, as its text makes them.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> from unlinkable.data.table import encode_column
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> col = encode_column(pl.Series("q", ["a", "b", "c", "a"]))
    >>> gm = Hierarchy([["a", "x", "*"], ["b", "y", "*"], ["c", "y", "*"]]).encode(col.dictionary)
    >>> g = Generalizer(col.codes.reshape(-1, 1), [gm])
    >>> node = g.classes((1,))
    >>> snap = released_tuples(node.rep_cols, node.sizes, g.first_records(node), np.array([False, True]), ["q"], [gm], [1])
    >>> snap.dictionaries, snap.tuples.codes.tolist(), snap.tuples.counts.tolist()
    ((('x', '*'),), [[0], [1]], [2, 2])
    """
    classes = int(sizes.shape[0])
    suppressed = np.asarray(suppressed, dtype=bool)
    texts: list[list[str]] = []
    values = np.empty((classes, len(names)), dtype=np.int64)
    for i, (gm, level) in enumerate(zip(maps, levels)):
        labels, merged = released_texts(gm, int(level), suppression_value)
        column = merged.take(np.asarray(gm.table[:, int(level)], dtype=np.int64).take(rep_cols[i]))
        column[suppressed] = merged[-1]
        values[:, i] = column
        texts.append(labels)
    # classes whose released text is equal (the suppressed ones, and any class labelled '*' throughout) are one tuple
    distinct, tuple_of = np.unique(values, axis=0, return_inverse=True)
    tuple_of = tuple_of.reshape(-1)
    count = distinct.shape[0]
    tuple_first = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(tuple_first, tuple_of, first)
    counts = np.bincount(tuple_of, weights=np.asarray(sizes, dtype=np.float64), minlength=count).astype(np.int64)
    order = np.argsort(tuple_first, kind="stable")
    distinct, counts, tuple_first = distinct.take(order, axis=0), counts.take(order), tuple_first.take(order)
    codes = np.empty_like(distinct)
    dictionaries = []
    for i, labels in enumerate(texts):
        # each label numbered in the order it first appears (tuples are in first-record order)
        ranked, rank = first_appearance(distinct[:, i], len(labels))
        codes[:, i] = rank.take(distinct[:, i])
        dictionaries.append(tuple(labels[int(k)] for k in ranked))
    return Snapshot(tuple(names), tuple(dictionaries), DistinctTuples(codes, counts, tuple_first, None), {})
