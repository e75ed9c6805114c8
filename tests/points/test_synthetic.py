"""The synthetic basket generator: seeded, shaped as documented, readable back."""

from __future__ import annotations

import numpy as np

from unlinkable.points.hierarchy import encode_items
from unlinkable.points.read import read_basket_lines
from unlinkable.points.synthetic import synthetic_baskets, write_basket_lines


def test_same_seed_same_baskets_other_seed_other_baskets():
    a, b, c = (synthetic_baskets(500, n_items=100, seed=s) for s in (3, 3, 4))
    assert np.array_equal(a.points.items, b.points.items) and np.array_equal(a.person, b.person)
    assert not np.array_equal(a.points.items, c.points.items)


def test_shape_popularity_repeat_visits_and_hierarchy():
    b = synthetic_baskets(5_000, n_items=200, zipf=1.2, seed=0)
    support = np.bincount(b.points.sets().items, minlength=200)
    assert support.max() > 20 * np.median(support)  # a few items are far more popular
    visits = np.bincount(b.person)
    assert visits.max() > 5 and (visits == 0).any()  # some people come back often, some never
    levels = encode_items(b.points, b.hierarchy)
    assert levels.cardinality(1) == 10 and levels.cardinality(levels.max_level) == 1


def test_round_trip_through_basket_lines(tmp_path):
    b = synthetic_baskets(50, n_items=30, seed=2)
    write_basket_lines(b.points, str(tmp_path / "b.txt"))
    back = read_basket_lines(tmp_path / "b.txt").sets()
    sets = b.points.sets()
    assert [back.labels[i] for i in back.items] == [sets.labels[i] for i in sets.items]
    assert np.array_equal(back.indptr, sets.indptr)
