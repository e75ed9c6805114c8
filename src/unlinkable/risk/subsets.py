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

from unlinkable.backends.numpy import DEFAULT_BACKEND


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
    row is one record (its distinct tuples are found first).

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
    out: list[dict[str, Any]] = []
    for size in range(1, min(max_size, m) + 1):
        for subset in combinations(range(m), size):
            ids, _ = backend.group([codes[:, j] for j in subset], [cardinalities[j] for j in subset])
            uniques = int(np.count_nonzero(np.bincount(ids, weights=weight) == 1))
            out.append({
                "attributes": [names[j] for j in subset],
                "sample_uniques": uniques / n if n else 0.0,
                "unique_records": uniques,
            })
    return out
