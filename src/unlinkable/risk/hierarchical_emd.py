"""The hierarchical-ground-distance EMD of every class, compiled (``distances.hierarchical_distance``).

Per class, ARX's ``HierarchicalDistanceTCloseness`` walks the sensitive attribute's hierarchy up
from the leaves. A leaf's extra is ``q_i |class| |table| - p_i |table| |class|`` in exact integers
(the table's count times the class size, less the class's count times the table size); at each
level a node gets the positive and the negative extras of its children, the smaller of the two
times ``level / height`` is added to a running double, node by node in code order, and the
difference of the two goes up as the node's extra. The cost is divided by ``|table| |class|`` at
the end. numpy did this with (classes, nodes) temporaries, a sort per level and a Python loop
over nodes; this loop makes the same additions in the same order for each class (numba compiles
without fastmath and with numpy's error model, so an empty class gives NaN as before), and gives
the same bits. tests/risk/test_distances.py checks it against a node-by-node walk.

By hand: values a, b under x and c under y, all under *; the table holds one of each and the class
one a. Extras (table 3, class 1): a 1 - 3 = -2, b 1, c 1. Level 1 (weight 1/2): x gets +1 and -2,
so 0.5 * 1 is added and x carries -1; y carries +1. Level 2 (weight 1): * gets +1 and -1, 1 * 1 is
added. The cost 1.5 over 3 * 1 is 0.5:

>>> import numpy as np
>>> class_distances(np.array([[1, 0, 0]]), np.array([1, 1, 1]), np.array([0, 0, 1, 0, 0]),
...                 np.array([0, 3, 5]), np.array([2, 1])).tolist()
[0.5]
"""

from __future__ import annotations

import numpy as np

from unlinkable.compiled import compiled_ieee

__all__ = ["class_distances"]


@compiled_ieee
def class_distances(hist: np.ndarray, table_counts: np.ndarray, parents: np.ndarray, starts: np.ndarray,
                    widths: np.ndarray) -> np.ndarray:
    """The EMD of each class (row of ``hist``) to the table.

    Level ``l`` (1-based) of the hierarchy has ``widths[l - 1]`` nodes; ``parents[starts[l - 1]:
    starts[l]]`` gives the level-``l`` parent of each node of level ``l - 1`` (of each value, for
    ``l = 1``)."""
    n_classes, n_values = hist.shape
    height = widths.shape[0]
    widest = n_values
    for level in range(height):
        widest = max(widest, widths[level], starts[level + 1] - starts[level])
    total = np.int64(0)
    for v in range(table_counts.shape[0]):
        total += table_counts[v]
    weights = np.empty(height, dtype=np.float64)
    for level in range(1, height + 1):
        weights[level - 1] = level / float(height)
    out = np.empty(n_classes, dtype=np.float64)
    # Level l reads the extras of the level below only up to that level's width (the nodes it
    # wrote), so nothing is zeroed between levels; only leaves beyond ``hist``'s values are.
    extras = np.zeros(widest, dtype=np.int64)
    pos = np.zeros(widest, dtype=np.int64)
    neg = np.zeros(widest, dtype=np.int64)
    for c in range(n_classes):
        size = np.int64(0)
        for v in range(n_values):
            size += hist[c, v]
        for v in range(n_values):
            extras[v] = table_counts[v] * size - hist[c, v] * total
        for v in range(n_values, starts[1] - starts[0]):
            extras[v] = 0
        cost = 0.0
        for level in range(1, height + 1):
            width = widths[level - 1]
            for node in range(width):
                pos[node] = 0
                neg[node] = 0
            lo = starts[level - 1]
            for child in range(starts[level] - lo):
                e = extras[child]
                p = parents[lo + child]
                if e > 0:
                    pos[p] += e
                else:
                    neg[p] -= e
            weight = weights[level - 1]
            for node in range(width):
                cost += weight * float(min(pos[node], neg[node]))
                extras[node] = pos[node] - neg[node]
        out[c] = cost / (float(total) * float(size))
    return out
