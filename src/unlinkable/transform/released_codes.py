"""The released quasi-identifiers as codes: what encoding the written text would give, without the text.

A released quasi-identifier holds the label of its record's generalized value at the chosen level,
or ``*`` for a suppressed record. The risk assessment of the released table reads these columns
as codes in first-appearance order (``data.table.encode_column``). Hashing 3 million label strings
per column to get them back costs more than deriving them from the codes the search already has:
one gather of each record's generalized code, then a renumbering in the order each label first
appears. Labels equal as text share a code (a level's own ``*`` and the suppression ``*``), so the
result is exactly ``encode_column`` of the released column.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from unlinkable.data.table import EncodedColumn
from unlinkable.hierarchies.hierarchy import GeneralizationMap

__all__ = ["first_appearance", "released_codes", "released_table_codes", "released_texts"]


def released_texts(gm: GeneralizationMap, level: int, suppression_value: str = "*") -> tuple[list[str], np.ndarray]:
    """The texts of a released quasi-identifier at ``level`` (the level's labels, then
    ``suppression_value``) and, per text, the index of the first text equal to it: labels equal as
    text (a level's own ``*`` and the suppression ``*``) are one value of the released column.

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "x", "*"], ["b", "y", "*"]]).encode(["a", "b"])
    >>> texts, merged = released_texts(gm, 2)
    >>> texts, merged.tolist()
    (['*', '*'], [0, 0])
    """
    texts = [*gm.labels[level], suppression_value]
    first_of: dict[str, int] = {}
    return texts, np.array([first_of.setdefault(t, i) for i, t in enumerate(texts)], dtype=np.int64)


def released_codes(name: str, gm: GeneralizationMap, level: int, codes: np.ndarray, suppressed: np.ndarray,
                   suppression_value: str = "*") -> EncodedColumn:
    """``encode_column`` of a released quasi-identifier, from its input codes (no nulls).

    Parameters
    ----------
    name : the column's name
    gm : its hierarchy encoded against the input column's dictionary
    level : the released level
    codes : the input codes of every record (``encode_column``'s, none missing)
    suppressed : per record, whether it is suppressed (released as ``suppression_value``)

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "x", "*"], ["b", "y", "*"], ["c", "y", "*"]]).encode(["c", "a", "b"])
    >>> col = released_codes("q", gm, 1, np.array([0, 1, 2, 0]), np.array([True, False, False, False]))
    >>> col.codes.tolist(), col.dictionary
    ([0, 1, 2, 2], ('*', 'x', 'y'))
    >>> released_codes("q", gm, 2, np.array([0, 1]), np.array([True, False])).dictionary  # one '*'
    ('*',)
    """
    texts, merged = released_texts(gm, level, suppression_value)
    values = merged.astype(np.int32).take(np.asarray(gm.table[:, level], dtype=np.int32)).take(np.asarray(codes))
    suppressed = np.asarray(suppressed, dtype=bool)
    if suppressed.any():
        values[suppressed] = merged[-1]
    order, rank = first_appearance(values, len(texts))
    return EncodedColumn(name, rank.take(values), tuple(texts[int(i)] for i in order))


def first_appearance(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The values of ``values`` (each in ``0 .. size-1``) in the order they first appear, and each
    value's place in that order (int32; -1 for a value that does not appear).

    Examples
    --------
    >>> order, rank = first_appearance(np.array([2, 0, 2]), 4)
    >>> order.tolist(), rank.tolist()
    ([2, 0], [1, -1, 0, -1])
    """
    n = int(values.shape[0])
    first = np.full(size, n, dtype=np.int64)
    # assigned back to front, so each value keeps the first position that shows it
    first[values[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)
    seen = np.flatnonzero(first < n)
    order = seen[np.argsort(first[seen], kind="stable")]
    rank = np.full(size, -1, dtype=np.int32)
    rank[order] = np.arange(order.shape[0], dtype=np.int32)
    return order, rank


def released_table_codes(names: Sequence[str], maps: Sequence[GeneralizationMap], levels: Sequence[int],
                         codes: Sequence[np.ndarray], suppressed: np.ndarray) -> dict[str, EncodedColumn]:
    """:func:`released_codes` of every quasi-identifier (``codes``: the input codes, one array per column).

    Examples
    --------
    >>> import numpy as np
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "*"], ["b", "*"]]).encode(["a", "b"])
    >>> out = released_table_codes(["q"], [gm], [0], [np.array([1, 0])], np.array([False, False]))
    >>> out["q"].codes.tolist(), out["q"].dictionary
    ([0, 1], ('b', 'a'))
    """
    return {q: released_codes(q, gm, int(lv), c, suppressed) for q, gm, lv, c in zip(names, maps, levels, codes)}
