from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.backends.numpy import NumpyBackend


@settings(max_examples=60)
@given(st.data())
def test_grouping_matches_brute_force(data):
    m = data.draw(st.integers(1, 4))
    n = data.draw(st.integers(1, 60))
    cards = data.draw(st.lists(st.integers(1, 6), min_size=m, max_size=m))
    cols = [np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n))) for c in cards]
    ids, sizes = NumpyBackend().group(cols, cards)
    rows = list(zip(*(c.tolist() for c in cols)))
    expected = Counter(rows)
    # same partition: records share an id exactly when their tuples are equal
    for i in range(n):
        assert sizes[ids[i]] == expected[rows[i]]
    assert len(sizes) == len(expected)
    assert sorted(sizes.tolist()) == sorted(expected.values())


def test_huge_key_space_is_compacted_not_overflowed():
    rng = np.random.default_rng(0)
    cols = [rng.integers(0, 1 << 20, 1000) for _ in range(5)]
    ids, sizes = NumpyBackend().group(cols, [1 << 20] * 5)
    assert sizes.sum() == 1000
    assert len(set(map(tuple, np.column_stack(cols).tolist()))) == len(sizes)


@settings(max_examples=60)
@given(st.data())
def test_class_sizes_and_record_sizes_agree_with_group(data):
    n = data.draw(st.integers(1, 80))
    big = data.draw(st.booleans())  # exercise the sort path with a huge key space
    cards = [1 << 40 if big else 5, 3]
    cols = [np.array(data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))),
            np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))]
    ids, sizes = NumpyBackend().group(cols, cards)
    assert NumpyBackend().class_sizes(cols, cards).tolist() == sizes.tolist()
    assert NumpyBackend().record_sizes(cols, cards).tolist() == sizes[ids].tolist()


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["20", "30", ""]), st.sampled_from(["f", "m"]), st.sampled_from(["a", "b"])),
                     min_size=1, max_size=40))
def test_quasi_identifiers_read_as_categories_assess_as_text(rows):
    # the assess job reads its quasi-identifiers as categories (grouped from their codes): the
    # same figures as the same columns read as text; the other columns stay text
    import tempfile
    from pathlib import Path

    from unlinkable.assessment import assess
    from unlinkable.backends.numpy import NumpyBackend

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.csv"
        path.write_text("age;sex;job\n" + "".join(";".join(r) + "\n" for r in rows))
        text = NumpyBackend().read(path, delimiter=";")
        categories = NumpyBackend().read(path, delimiter=";", categorical=["age", "sex"])
    assert [str(t) for t in categories.dtypes] == ["Categorical", "Categorical", "String"]
    assert categories.select(pl.all().cast(pl.String)).equals(text)
    figures = [assess(frame, quasi_identifiers=["age", "sex"], suda2=True).to_dict() for frame in (text, categories)]
    assert figures[0] == figures[1]
