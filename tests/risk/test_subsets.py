"""Sample uniques per attribute subset: the numpy backend's path against plain Python grouping."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from unlinkable.backends.numpy import NumpyBackend
from unlinkable.risk.subsets import uniqueness_by_attributes


class GroupingBackend(NumpyBackend):
    """The numpy backend under another type: ``uniqueness_by_attributes`` calls its ``group`` for
    every subset, as it does for any backend but the numpy one (the general path)."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def group(self, columns, cardinalities):
        self.calls.append(len(columns))
        return super().group(columns, cardinalities)


def brute_force(codes: np.ndarray, counts: list[float], names: list[str], max_size: int) -> list[dict]:
    """Each subset's classes in a dict; a class's weight is added in row order, as bincount adds it."""
    rows = codes.tolist()
    n = int(sum(counts))
    out = []
    for size in range(1, min(max_size, len(names)) + 1):
        for subset in combinations(range(len(names)), size):
            weights: dict[tuple[int, ...], float] = {}
            for row, c in zip(rows, counts):
                key = tuple(row[j] for j in subset)
                weights[key] = weights.get(key, 0.0) + float(c)
            uniques = sum(1 for w in weights.values() if w == 1)
            out.append({"attributes": [names[j] for j in subset], "sample_uniques": uniques / n if n else 0.0,
                        "unique_records": uniques})
    return out


@st.composite
def tables(draw):
    """Codes of 1-6 columns (some columns with few values, some with more values than rows) and a
    positive weight per row: record counts, mostly 1 and 2, or fractions whose sums can be 1."""
    m = draw(st.integers(1, 6))
    cards = draw(st.lists(st.sampled_from([1, 2, 3, 5, 8, 300]), min_size=m, max_size=m))
    rows = draw(st.integers(1, 40))
    codes = np.array([[draw(st.integers(0, c - 1)) for c in cards] for _ in range(rows)], dtype=np.int64).reshape(rows, m)
    pool = draw(st.sampled_from([[1, 1, 1, 2, 3], [2, 3, 7], [0.25, 0.5, 0.75, 1.0, 2.0]]))
    counts = draw(st.lists(st.sampled_from(pool), min_size=rows, max_size=rows))
    return codes, cards, counts


@settings(max_examples=200)
@given(tables(), st.integers(1, 6))
@example((np.array([[0, 0], [0, 1], [1, 1]]), [2, 2], [1, 1, 1]), 2)
@example((np.array([[0, 0], [0, 0], [1, 1]]), [2, 2], [0.5, 0.5, 2.0]), 2)  # two halves make one unique record
@example((np.array([[4, 0, 1]]), [300, 1, 2], [1]), 4)
def test_uniqueness_by_attributes_against_a_dictionary(table, max_size):
    codes, cards, counts = table
    names = [f"q{j}" for j in range(codes.shape[1])]
    fast = uniqueness_by_attributes(codes, cards, names, max_size=max_size, counts=np.array(counts))
    general = uniqueness_by_attributes(codes, cards, names, max_size=max_size, counts=np.array(counts),
                                       backend=GroupingBackend())
    expected = brute_force(codes, counts, names, max_size)
    assert fast == expected and general == expected
    assert all(type(d["unique_records"]) is int and type(d["sample_uniques"]) is float for d in fast)


def test_wide_key_spaces_are_sorted():
    # 3,000 tuples with 3,000 codes per column: a pair's key space (about 9 million) is past the
    # 2**20 that bincount counts, so its classes are found by sorting.
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 3000, (3000, 3))
    codes[1500:, :2] = codes[:1500, :2]  # half the pairs on the first two columns repeat
    counts = rng.integers(1, 3, 3000)
    names = ["a", "b", "c"]
    fast = uniqueness_by_attributes(codes, [3000] * 3, names, counts=counts)
    assert fast == brute_force(codes, counts.tolist(), names, 4)
    assert fast == uniqueness_by_attributes(codes, [3000] * 3, names, counts=counts, backend=GroupingBackend())


def test_no_record_unique_on_all_attributes_is_unique_on_none():
    # every tuple counts 2 or more records (a table stacked twice): no subset has a unique record
    codes = np.array([[0, 1, 2], [1, 1, 0], [0, 0, 2]])
    rows = uniqueness_by_attributes(codes, [2, 2, 3], ["a", "b", "c"], counts=np.array([2, 5, 3]))
    assert [d["unique_records"] for d in rows] == [0] * 7
    assert rows == brute_force(codes, [2, 5, 3], ["a", "b", "c"], 4)


def test_another_backend_groups_every_subset():
    codes = np.array([[0, 1, 2], [1, 1, 0], [0, 0, 2], [1, 0, 1]])
    counts = np.array([1, 2, 1, 1])
    backend = GroupingBackend()
    rows = uniqueness_by_attributes(codes, [2, 2, 3], ["a", "b", "c"], counts=counts, max_size=2, backend=backend)
    assert backend.calls == [1, 1, 1, 2, 2, 2]
    assert rows == uniqueness_by_attributes(codes, [2, 2, 3], ["a", "b", "c"], counts=counts, max_size=2)


def test_codes_past_their_bounds_are_grouped_as_before():
    # A code at or past its column's stated bound collides in the numpy backend's mixed-radix key
    # (here (0, 2) and (1, 0) with bounds 2, 2): the backend's answer is kept, not a better one.
    codes = np.array([[0, 2], [1, 0], [1, 1]])
    rows = uniqueness_by_attributes(codes, [2, 2], ["a", "b"], counts=np.array([1, 1, 1]))
    assert rows == uniqueness_by_attributes(codes, [2, 2], ["a", "b"], counts=np.array([1, 1, 1]),
                                            backend=GroupingBackend())
    assert rows[-1]["unique_records"] == 1
