"""Random small anonymization problems for the metric tests (imported by test_*.py beside it)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models.kanonymity import KAnonymity
from unlinkable.search import NodeEvaluator
from unlinkable.search.lattice import Lattice
from unlinkable.transform.generalize import Generalizer


@st.composite
def problems(draw):
    """(codes, maps, k, suppression limit): 1-3 attributes, 3-level hierarchies, some rows unused."""
    n = draw(st.integers(3, 30))
    m = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    cols, maps = [], []
    for _ in range(m):
        card = draw(st.integers(2, 5))
        extra = draw(st.integers(0, 2))   # hierarchy rows absent from the data: domain > data
        rows = [[f"v{i}", f"g{i // 2}", "*"] for i in range(card + extra)]
        codes = rng.integers(0, card, n)
        dictionary = [f"v{c}" for c in dict.fromkeys(codes.tolist())]
        enc = {v: i for i, v in enumerate(dictionary)}
        cols.append(np.array([enc[f"v{c}"] for c in codes]))
        maps.append(Hierarchy(rows).encode(dictionary))
    k = min(draw(st.integers(1, 4)), n)
    return np.column_stack(cols), maps, k, draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))


def evaluator(codes, maps, k, limit, metric):
    """A NodeEvaluator for k-anonymity and ``metric``, and its lattice."""
    lattice = Lattice([gm.levels for gm in maps])
    names = [f"q{j}" for j in range(len(maps))]
    return NodeEvaluator(Generalizer(codes, maps), lattice, names, [KAnonymity(k=k)], metric,
                         suppression_limit=limit), lattice
