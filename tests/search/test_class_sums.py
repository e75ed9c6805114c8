"""Per-class sums of a per-record weight through the bottom classes (search._NodeStatistics, used by
delta-presence and the research subset) against the sums over the records, at random nodes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models.base import ClassStatistics
from unlinkable.search import _NodeStatistics
from unlinkable.search.lattice import Lattice
from unlinkable.transform.generalize import Generalizer


@st.composite
def tables(draw):
    """Codes of 1-3 attributes (2-6 values each, 3-level hierarchies) and their generalizer."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 80))
    maps, cols = [], []
    for _ in range(draw(st.integers(1, 3))):
        card = draw(st.integers(2, 6))
        rows = [[f"v{i}", f"g{i // 2}", "*"] for i in range(card)]
        maps.append(Hierarchy(rows).encode([r[0] for r in rows]))
        cols.append(rng.integers(0, card, n))
    return np.column_stack(cols), maps, rng


@settings(max_examples=80, deadline=None)
@given(tables(), st.data(), st.sampled_from(["mask", "counts", "fractions"]), st.booleans())
def test_sums_through_the_bottom_are_the_sums_over_the_records(table, data, kind, canonical):
    codes, maps, rng = table
    g = Generalizer(codes, maps, canonical=canonical)
    lattice = Lattice([gm.levels for gm in maps])
    weights = {"mask": rng.random(codes.shape[0]) < 0.5, "counts": rng.integers(0, 4, codes.shape[0]),
               "fractions": rng.random(codes.shape[0])}[kind]
    for _ in range(3):
        nc = g.classes(lattice.level_tuple(data.draw(st.integers(0, lattice.size - 1))), need_bottom_map=True)
        stats = _NodeStatistics(g, nc, {}, {})
        rows = ClassStatistics(g.record_class(nc), nc.sizes)   # the records' own classes
        assert stats.class_sums(weights).tolist() == rows.class_sums(weights).tolist()
        assert stats.class_sums().tolist() == rows.class_sums().tolist() == nc.sizes.astype(float).tolist()
    # whole numbers go through the bottom classes; fractions are summed over the records
    assert (g.class_sums(g.bottom, weights) is None) == (kind == "fractions")
