"""Which quasi-identifiers make people unique: sample uniques for every attribute subset.

For each subset of up to ``max_size`` quasi-identifiers the records are grouped on that subset
alone and the share of records alone in their class is reported, so a report can say
"birth date + ZIP alone make 63% of records unique".

The records enter only through their distinct tuples on all the attributes and the count of
each: a subset's classes are unions of tuples, so grouping the tuples and adding their counts
gives every class's size. A 3-million-record table with 20 thousand distinct tuples costs
20 thousand rows per subset, not 3 million.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np

from unlinkable.backends.numpy import DEFAULT_BACKEND, NumpyBackend


def uniqueness_by_attributes(
    codes: np.ndarray,
    cardinalities: Sequence[int],
    names: Sequence[str],
    *,
    max_size: int = 4,
    counts: np.ndarray | None = None,
    backend: Any = DEFAULT_BACKEND,
) -> list[dict[str, Any]]:
    """Share of sample-unique records for every subset of at most ``max_size`` attributes.

    ``codes`` is an (n, m) matrix of non-negative codes (missing already mapped to a code of its
    own), ``cardinalities`` the code bound of each column. With ``counts``, the rows of ``codes``
    are distinct tuples and ``counts[t]`` the number of records carrying tuple t; without, each
    row is one record (its distinct tuples are found first). ``backend.group`` forms each subset's
    classes; for the numpy backend they are formed here instead, each subset's from a smaller
    one's, with the same counts.

    Examples
    --------
    >>> import numpy as np
    >>> codes = np.array([[0, 0], [0, 1], [1, 1]])
    >>> [(d["attributes"], round(d["sample_uniques"], 3)) for d in uniqueness_by_attributes(codes, [2, 2], ["sex", "zip"])]
    [(['sex'], 0.333), (['zip'], 0.333), (['sex', 'zip'], 1.0)]
    >>> rows = uniqueness_by_attributes(np.array([[0, 0], [1, 1]]), [2, 2], ["sex", "zip"], counts=np.array([2, 1]))
    >>> [(d["attributes"], d["unique_records"]) for d in rows]
    [(['sex'], 1), (['zip'], 1), (['sex', 'zip'], 1)]
    """
    codes = np.asarray(codes)
    if counts is None:
        from unlinkable.risk.distinct import distinct_tuples

        tuples = distinct_tuples(codes)
        codes, counts = tuples.codes, tuples.counts
    weight = np.asarray(counts, dtype=np.float64)  # integer sums, exact in float64 below 2**53
    n = int(np.asarray(counts).sum())
    m = codes.shape[1]
    fast = None
    if min(max_size, m) >= 1 and _formed_here(backend, codes, cardinalities, weight):
        fast = _unique_records_by_subset(codes, weight, min(max_size, m))
    out: list[dict[str, Any]] = []
    for size in range(1, min(max_size, m) + 1):
        for subset in combinations(range(m), size):
            if fast is not None:
                uniques = fast[subset]
            else:
                ids, _ = backend.group([codes[:, j] for j in subset], [cardinalities[j] for j in subset])
                uniques = int(np.count_nonzero(np.bincount(ids, weights=weight) == 1))
            out.append({
                "attributes": [names[j] for j in subset],
                "sample_uniques": uniques / n if n else 0.0,
                "unique_records": uniques,
            })
    return out


def _formed_here(backend: Any, codes: np.ndarray, cardinalities: Sequence[int], weight: np.ndarray) -> bool:
    """Whether ``_unique_records_by_subset`` stands in for ``backend.group``: for the numpy backend
    itself (not a subclass, which may group otherwise), on rows with positive weights and codes
    within their bounds. Elsewhere the backend groups every subset, as it always did."""
    rows, m = codes.shape
    if type(backend) is not NumpyBackend or not rows or len(cardinalities) < m:
        return False
    bounds = np.maximum(np.asarray(cardinalities[:m]), 1)  # combined_key reads a bound of 0 as 1
    return bool(weight.min() > 0 and codes.min() >= 0 and np.all(codes.max(axis=0) < bounds))


def _unique_records_by_subset(codes: np.ndarray, weight: np.ndarray, max_size: int) -> dict[tuple[int, ...], int]:
    """Records alone in their class, for every subset of at most ``max_size`` columns of ``codes``.

    The numpy backend's ``group`` forms each subset's classes from scratch; here a subset's classes
    are those of its prefix (the subset without its last column) split by the last column's code,
    visited depth first so only one chain of class ids is held. Keys are counted with ``bincount``
    up to a space of 2**20 (or 4 keys per row), so most subsets cost a few passes over the rows and
    no sort. The class ids differ from ``group``'s but the classes are the same, and ``bincount``
    adds each class's weights in row order whatever its id: every sum, hence every count, is the
    one of the general path.

    ``weight`` must be positive (an occupied class then has a positive sum) and ``codes``
    non-negative.
    """
    rows, m = codes.shape
    if weight.min() > 1:
        # Every class weighs more than 1 (a float sum of positive terms is at least the largest):
        # no record is unique on all columns, so none is on fewer (stacked copies of a table).
        return dict.fromkeys((s for size in range(1, max_size + 1) for s in combinations(range(m), size)), 0)
    limit = max(4 * rows, 1 << 20)  # a bincount over 2**20 keys costs less than sorting 20 thousand
    columns: list[np.ndarray] = []
    bounds: list[int] = []
    for j in range(m):
        col = codes[:, j].astype(np.int64)  # a contiguous copy: a column of a C-ordered matrix is strided
        bound = int(col.max()) + 1
        if bound > rows:  # more codes than rows: renumber the used ones, so every key space is <= rows**2
            _, inverse = np.unique(col, return_inverse=True)
            col = inverse.reshape(-1).astype(np.int64)
            bound = int(col.max()) + 1
        columns.append(col)
        bounds.append(bound)
    # Buffers written in place and reused: a fresh array per subset costs more in page faults than
    # the arithmetic (arrays this size go back to the system when freed). A key is spent before the
    # visit goes deeper, so one is enough; the class ids of every prefix on the path are kept.
    key_buffer = np.empty(rows, dtype=np.int64)
    ids = np.empty((max_size - 1, rows), dtype=np.int64)  # ids[s - 1]: the classes of the prefix of size s
    dense = np.empty(min(limit, rows * rows), dtype=np.int64)
    ranks = np.arange(rows, dtype=np.int64)
    out: dict[tuple[int, ...], int] = {}

    def visit(prefix: tuple[int, ...], prefix_ids: np.ndarray | None, bound: int) -> None:
        """The subsets extending ``prefix``, whose classes are ``prefix_ids`` (< ``bound``)."""
        size = len(prefix) + 1
        for j in range(prefix[-1] + 1 if prefix else 0, m):
            subset = (*prefix, j)
            if prefix_ids is None:
                key = columns[j]
            else:
                key = np.multiply(prefix_ids, bounds[j], out=key_buffer)
                key += columns[j]
            space = bound * bounds[j]  # ids < bound <= rows and codes < bounds[j] <= rows: below 2**62
            extend = size < max_size and j + 1 < m  # a prefix of larger subsets: its class ids are needed
            if space <= limit:
                sums = np.bincount(key, weights=weight, minlength=space)
                out[subset] = int(np.count_nonzero(sums == 1))
                if extend:  # ids 0..k-1 of the k occupied keys, in key order (only occupied keys are read)
                    occupied = np.flatnonzero(sums)
                    dense[occupied] = ranks[:occupied.shape[0]]
                    # every key is < space <= dense's length, so "clip" clips nothing and skips the check
                    visit(subset, np.take(dense, key, out=ids[size - 1], mode="clip"), occupied.shape[0])
            else:
                found, inverse = np.unique(key, return_inverse=True)
                classes = inverse.reshape(-1)
                out[subset] = int(np.count_nonzero(np.bincount(classes, weights=weight) == 1))
                if extend:
                    visit(subset, classes, found.shape[0])

    visit((), None, 1)
    return out
