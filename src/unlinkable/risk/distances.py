"""Distances between a class's distribution of a sensitive attribute and the whole table's.

The kernels of t-closeness (equal, ordered and hierarchical earth mover's distance) and of the
diversity figures of an assessment: they read a :class:`~unlinkable.data.sensitive.SensitiveColumn`
and histograms, never a privacy model. Rubner, Tomasi & Guibas (2000) for the earth mover's
distance; Li, Li & Venkatasubramanian (2007) for its use in t-closeness; ARX 3.9.2
``criteria/EqualDistanceTCloseness.java``, ``OrderedDistanceTCloseness.java`` and
``HierarchicalDistanceTCloseness.java``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from unlinkable.data.sensitive import SensitiveColumn
from unlinkable.errors import InputError, InternalError, shown

__all__ = ["global_counts", "equal_distance", "ordered_distance_sum", "value_order", "hierarchical_distance"]


def global_counts(column: SensitiveColumn) -> np.ndarray:
    """Counts of each value code over the whole table (missing values left out)."""
    known = column.codes >= 0
    weights = None if column.weights is None else column.weights[known]
    return np.bincount(column.codes[known], weights=weights, minlength=len(column.dictionary)).astype(np.int64)


def equal_distance(hist: np.ndarray | None, table_counts: np.ndarray,
                   sparse: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                   classes: int | None = None) -> np.ndarray:
    """Equal-ground-distance EMD of each class (row of ``hist``) to the table distribution.

    ``sparse`` optionally gives the non-zero cells of ``hist`` as (value, class, count) in value-major
    order (``ClassStatistics`` keeps them), saving a pass over the histogram; ``hist`` may then be
    None when ``classes`` gives the number of classes.

    Examples
    --------
    >>> equal_distance(np.array([[2, 0], [1, 1]]), np.array([3, 3])).tolist()
    [0.5, 0.0]
    """
    q = table_counts / float(table_counts.sum())
    if sparse is not None and hist is None:
        if classes is None:
            raise InternalError("equal_distance: without a histogram, the number of classes is needed")
        c = int(classes)
        # sums of integer counts: exact, the histogram's row sums
        sizes = np.bincount(sparse[1], weights=sparse[2], minlength=c)
    else:
        if hist is None:
            raise InternalError("equal_distance: give a histogram, or its sparse cells and the number of classes")
        c = hist.shape[0]
        sizes = hist.sum(axis=1).astype(np.float64)
    if sparse is None:
        assert hist is not None  # checked just above
        # Value-major (values x classes), visited only where a class holds the value.
        h = np.ascontiguousarray(hist.T)
        flat = h.ravel()
        nz = np.flatnonzero(flat != 0)
        v, cls = np.divmod(nz, c)
        counts = flat[nz]
    else:
        v, cls, counts = sparse
    p = counts / sizes[cls]
    qv = q[v]
    terms = np.abs(qv - p) - qv
    # ARX adds value by value over the class's buckets, starting from 1. bincount adds its weights
    # in input order, so a leading 1 per class followed by the terms in value order repeats those
    # additions exactly, for every class at once.
    idx = np.concatenate([np.arange(c), cls])
    weights = np.concatenate([np.ones(c), terms])
    return np.bincount(idx, weights=weights, minlength=c) / 2


#: cells (classes x values) of one block of :func:`ordered_distance_sum`: a block's rows stay in the cache
_ORDERED_BLOCK_CELLS = 1 << 15


def ordered_distance_sum(hist: np.ndarray, table_counts: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``sum_i |sum_{j<=i} (p_j - q_j)|`` over the values in ``order`` (not yet divided by m - 1).

    A block of classes at a time, in place: a numeric attribute has hundreds of values, and the
    whole table of running sums (classes x values, five temporaries of it) was fresh memory at every
    node checked. Each cell gets the same operations, so the sums have the same bits.

    >>> ordered_distance_sum(np.array([[2, 0, 0], [0, 1, 1]]), np.array([2, 1, 1]), np.array([0, 1, 2])).tolist()
    [0.75, 0.75]
    """
    q = table_counts / float(table_counts.sum())
    sizes = hist.sum(axis=1).astype(np.float64)
    divisor = np.where(sizes > 0, sizes, 1.0)[:, None]
    q_ordered = q[order][None, :]
    total = np.zeros(hist.shape[0])
    if not order.shape[0]:
        return total
    rows = max(1, _ORDERED_BLOCK_CELLS // order.shape[0])
    for lo in range(0, hist.shape[0], rows):
        hi = min(lo + rows, hist.shape[0])
        running = hist[lo:hi].take(order, axis=1) / divisor[lo:hi]
        running -= q_ordered
        # np.cumsum adds sequentially, like ARX's running sums.
        np.cumsum(running, axis=1, out=running)
        np.abs(running, out=running)
        np.cumsum(running, axis=1, out=running)
        total[lo:hi] = running[:, -1]
    return total


def value_order(column: SensitiveColumn, order: str | tuple[str, ...] | None = None) -> np.ndarray:
    """The column's value codes in the order of the ordered distance.

    ``order`` is None (numeric values, ascending; ties by code), ``"lexicographic"`` (text as Java's
    ``String.compareTo`` orders it: by UTF-16 code units, ARX's order for a string attribute), or an
    explicit sequence of every value, first to last (ARX's ordered string type).

    Examples
    --------
    >>> col = SensitiveColumn("edu", np.array([0, 1, 2]), ("HS-grad", "Bachelors", "Masters"))
    >>> value_order(col, ("HS-grad", "Bachelors", "Masters")).tolist(), value_order(col, "lexicographic").tolist()
    ([0, 1, 2], [1, 0, 2])
    """
    if order == "lexicographic":
        keys = [v.encode("utf-16-be") for v in column.dictionary]
        return np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    if order is not None:
        position = {v: i for i, v in enumerate(order)}
        missing = [v for v in column.dictionary if v not in position]
        if missing:
            raise InputError(f"ordered-distance t-closeness: value {shown(missing[0])} of {column.name!r} is not in the "
                             f"given order ({len(missing)} value(s) missing)",
                             hint="list every value of the attribute in `order`, first to last")
        ranks = np.array([position[v] for v in column.dictionary], dtype=np.int64)
        return np.argsort(ranks, kind="stable")
    if column.numeric is None:
        raise InputError(f"ordered-distance t-closeness needs numeric values of {column.name!r}",
                         hint=f"{column.name!r} must hold numbers, or give the order of its values (order: [...] or "
                              f"order: lexicographic), or use distance: equal or hierarchical")
    values = np.asarray(column.numeric, dtype=np.float64)
    if np.isnan(values).any():
        bad = column.dictionary[int(np.flatnonzero(np.isnan(values))[0])]
        raise InputError(f"ordered-distance t-closeness: value {shown(bad)} of {column.name!r} is not a number",
                         hint="give the order of the values (order: [...] or order: lexicographic), or use distance: "
                              "equal or hierarchical")
    return np.argsort(values, kind="stable")


def hierarchical_distance(hist: np.ndarray, table_counts: np.ndarray, hierarchy: Any) -> np.ndarray:
    """Hierarchical-ground-distance EMD (Li et al. 2007) of each class to the table distribution.

    ``hierarchy`` is the sensitive attribute's ``GeneralizationMap`` (``table[code, level]``).

    Examples
    --------
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> h = Hierarchy([["a", "x", "*"], ["b", "x", "*"], ["c", "y", "*"]]).encode(("a", "b", "c"))
    >>> hierarchical_distance(np.array([[1, 0, 0]]), np.array([1, 1, 1]), h).round(4).tolist()
    [0.5]
    """
    from unlinkable.risk.hierarchical_emd import class_distances

    n_classes = hist.shape[0]
    tree = _tree(hierarchy)
    if tree is None:
        return np.zeros(n_classes)
    parents, starts, widths = tree
    distances: np.ndarray = class_distances(np.ascontiguousarray(hist, dtype=np.int64),
                                            np.ascontiguousarray(table_counts, dtype=np.int64),
                                            parents, starts, widths)
    return distances


@functools.lru_cache(maxsize=32)
def _tree(hierarchy: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The tree of a hierarchy, level by level, as ``class_distances`` reads it: the parent of every
    node of the level below (the values at level 1), where each level starts, and each level's
    width; None for a hierarchy of one level. Built once per hierarchy (a search asks at every
    transformation; a ``GeneralizationMap`` is immutable and hashed by identity)."""
    table = np.asarray(hierarchy.table)
    height = table.shape[1] - 1
    if height <= 0:
        return None
    parents, starts, widths = [], [0], []
    child_nodes = np.arange(table.shape[0])
    for level in range(1, height + 1):
        parent_codes = table[:, level].astype(np.int64)
        widths.append(int(parent_codes.max()) + 1 if parent_codes.size else 0)
        parent_of_child = np.zeros(int(child_nodes.max()) + 1 if child_nodes.size else 0, dtype=np.int64)
        parent_of_child[child_nodes] = parent_codes
        parents.append(parent_of_child)
        starts.append(starts[-1] + parent_of_child.shape[0])
        child_nodes = parent_codes
    tree = np.concatenate(parents), np.array(starts, dtype=np.int64), np.array(widths, dtype=np.int64)
    for part in tree:
        part.flags.writeable = False  # shared by every later call
    return tree
