"""Hierarchical-distance EMD against a brute force that walks the tree node by node; the ordered
distance by blocks against the whole table of running sums."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.risk.distances import hierarchical_distance, ordered_distance_sum


def _brute(hist: list[list[int]], table: list[int], rows: list[list[str]]) -> list[float]:
    """Li et al.'s EMD with ARX's accumulation: per level, per node in code order, the weight times
    the smaller of the positive and negative extras of the node's children (exact integers
    scaled by |table| * |class|), added to a running double."""
    height = len(rows[0]) - 1
    labels = [list(dict.fromkeys(r[level] for r in rows)) for level in range(height + 1)]
    total = sum(table)
    out = []
    for counts in hist:
        size = sum(counts)
        extras = {v: table[v] * size - counts[v] * total for v in range(len(rows))}   # leaf -> extra
        child_of = {v: v for v in range(len(rows))}   # leaf -> its node at the current level
        cost = 0.0
        for level in range(1, height + 1):
            node_of = {v: labels[level].index(rows[v][level]) for v in range(len(rows))}
            pos = [0] * len(labels[level])
            neg = [0] * len(labels[level])
            seen = set()
            for v in range(len(rows)):
                child = child_of[v]
                if child in seen:
                    continue
                seen.add(child)
                e = extras[child]
                if e > 0:
                    pos[node_of[v]] += e
                else:
                    neg[node_of[v]] -= e
            for node in range(len(labels[level])):
                cost += level / float(height) * min(pos[node], neg[node])
            extras = {node_of[v]: pos[node_of[v]] - neg[node_of[v]] for v in range(len(rows))}
            child_of = node_of
        out.append(cost / (float(total) * float(size)))
    return out


@st.composite
def trees(draw):
    """A random hierarchy over 2-12 values with 1-3 levels above the leaves (the top a single '*')."""
    n = draw(st.integers(2, 12))
    height = draw(st.integers(1, 3))
    rows = [[f"v{i}"] for i in range(n)]
    groups = list(range(n))
    for level in range(1, height):
        width = draw(st.integers(1, max(1, len(set(groups)))))
        mapping = {g: draw(st.integers(0, width - 1)) for g in sorted(set(groups))}
        groups = [mapping[g] for g in groups]
        for i in range(n):
            rows[i].append(f"L{level}g{groups[i]}")
    for i in range(n):
        rows[i].append("*")
    return rows


@settings(max_examples=80, deadline=None)
@given(trees(), st.data())
def test_hierarchical_distance_equals_the_node_by_node_walk(rows, data):
    n = len(rows)
    hist = data.draw(st.lists(st.lists(st.integers(0, 10**5), min_size=n, max_size=n), min_size=1, max_size=6))
    hist = [h if sum(h) else [1] + h[1:] for h in hist]
    table = [sum(h[v] for h in hist) + data.draw(st.integers(0, 10**5)) for v in range(n)]
    values = tuple(r[0] for r in rows)
    gm = Hierarchy(rows).encode(values)
    got = hierarchical_distance(np.array(hist, dtype=np.int64), np.array(table, dtype=np.int64), gm).tolist()
    assert got == _brute(hist, table, rows)


def _ordered_distance_whole(hist, table_counts, order):
    """The ordered distance as one table of running sums (the implementation the blocked one
    replaced): ARX's running sums over the values in order, every class at once."""
    q = table_counts / float(table_counts.sum())
    sizes = hist.sum(axis=1).astype(np.float64)
    p = hist / np.where(sizes > 0, sizes, 1.0)[:, None]
    diff = (p - q[None, :])[:, order]
    return np.cumsum(np.abs(np.cumsum(diff, axis=1)), axis=1)[:, -1] if diff.shape[1] else np.zeros(hist.shape[0])


@settings(max_examples=60, deadline=None)
@given(classes=st.integers(1, 700), values=st.integers(1, 300), seed=st.integers(0, 2**16), empty=st.booleans())
def test_the_ordered_distance_by_blocks_has_the_bits_of_the_whole_table(classes, values, seed, empty):
    rng = np.random.default_rng(seed)
    hist = rng.integers(0, 4, (classes, values)) * (rng.random((classes, values)) < 0.2)
    if empty:
        hist[0] = 0  # a class without the attribute's values (suppressed cells)
    table = hist.sum(axis=0) + rng.integers(0, 3, values)
    table[0] += 1  # a table with at least one record
    order = rng.permutation(values)
    got, want = ordered_distance_sum(hist, table, order), _ordered_distance_whole(hist, table, order)
    assert got.tobytes() == want.tobytes()
    # a transposed (value-major) histogram, as the search keeps them
    assert ordered_distance_sum(np.ascontiguousarray(hist.T).T, table, order).tobytes() == want.tobytes()
