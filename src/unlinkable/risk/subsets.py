"""Which quasi-identifiers make people unique: sample uniques for every attribute subset.

For each subset of up to ``max_size`` quasi-identifiers the records are grouped on that subset
alone and the share of records alone in their group is reported, so a report can say
"birth date + ZIP alone make 63% of records unique".
"""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

import numpy as np

from unlinkable.backends.numpy import DEFAULT_BACKEND


def uniqueness_by_attributes(
    codes: np.ndarray,
    cardinalities: Sequence[int],
    names: Sequence[str],
    *,
    max_size: int = 4,
    backend=DEFAULT_BACKEND,
) -> list[dict]:
    """Share of sample-unique records for every subset of at most ``max_size`` attributes.

    ``codes`` is an (n, m) matrix of non-negative codes (missing already mapped to a code of its
    own), ``cardinalities`` the code bound of each column.

    Examples
    --------
    >>> import numpy as np
    >>> codes = np.array([[0, 0], [0, 1], [1, 1]])
    >>> [(d["attributes"], round(d["sample_uniques"], 3)) for d in uniqueness_by_attributes(codes, [2, 2], ["sex", "zip"])]
    [(['sex'], 0.333), (['zip'], 0.333), (['sex', 'zip'], 1.0)]
    """
    n, m = codes.shape
    out: list[dict] = []
    for size in range(1, min(max_size, m) + 1):
        for subset in combinations(range(m), size):
            ids, sizes = backend.group([codes[:, j] for j in subset], [cardinalities[j] for j in subset])
            uniques = int((sizes == 1).sum())
            out.append({
                "attributes": [names[j] for j in subset],
                "sample_uniques": uniques / n if n else 0.0,
                "unique_records": uniques,
            })
    return out
