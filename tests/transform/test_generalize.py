from unittest import mock

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import unlinkable.transform.generalize as generalize
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.transform.generalize import Generalizer, _bottom_keys, _first_rows, generalized_frame
from unlinkable.transform.suppress import suppression_budget, violating_classes


def _brute(codes, maps, levels):
    rows = [tuple(int(gm.table[c, lv]) for c, gm, lv in zip(r, maps, levels)) for r in codes.tolist()]
    return sorted(np.unique(rows, axis=0, return_counts=True)[1].tolist())


def _three_maps():
    """Three attributes of 8, 6 and 5 codes with hierarchies of 4, 3 and 2 levels."""
    h1 = Hierarchy([[str(i), str(i // 2), str(i // 4), "*"] for i in range(8)])
    h2 = Hierarchy([[str(i), str(i % 3), "*"] for i in range(6)])
    h3 = Hierarchy([[str(i), "*"] for i in range(5)])
    return [h1.encode([str(i) for i in range(8)]), h2.encode([str(i) for i in range(6)]),
            h3.encode([str(i) for i in range(5)])]


def test_rollup_matches_direct_grouping():
    rng = np.random.default_rng(1)
    h1 = Hierarchy([[str(i), str(i // 2), str(i // 4), "*"] for i in range(8)])
    h2 = Hierarchy([[str(i), str(i % 3), "*"] for i in range(6)])
    d1, d2 = [str(i) for i in range(8)], [str(i) for i in range(6)]
    maps = [h1.encode(d1), h2.encode(d2)]
    codes = np.column_stack([rng.integers(0, 8, 200), rng.integers(0, 6, 200)])
    g = Generalizer(codes, maps)
    for levels in [(0, 0), (1, 0), (2, 1), (3, 2), (1, 1), (0, 2)]:
        nc = g.classes(levels, need_bottom_map=True)
        assert sorted(nc.sizes.tolist()) == _brute(codes, maps, levels)
        rc = g.record_class(nc)
        assert np.bincount(rc, minlength=nc.classes).tolist() == nc.sizes.tolist()


def test_output_frame_suppression_and_identifiers():
    h = Hierarchy([["a", "x"], ["b", "x"]])
    gm = h.encode(["a", "b"])
    df = pl.DataFrame({"id": ["1", "2"], "q": ["a", "b"], "o": ["u", "v"]})
    out = generalized_frame(df, quasi_identifiers=["q"], maps=[gm], codes=np.array([[0], [1]]), levels=[1],
                            suppressed=np.array([True, False]), identifiers=["id"])
    assert out.columns == ["q", "o"]
    assert out["q"].to_list() == ["*", "x"] and out["o"].to_list() == ["u", "v"]


def test_budget_and_violations():
    assert suppression_budget(0.05, 7) == 0 and suppression_budget(0.5, 7) == 3
    mask, records = violating_classes(np.array([4, 1, 2]), np.array([True, False, True]))
    assert mask.tolist() == [False, True, False] and records == 1


def test_representatives_do_not_depend_on_the_rollup_path():
    # Each class's representative is its member with the lexicographically smallest codes,
    # whichever finer node the classes were rolled up from.
    rng = np.random.default_rng(7)
    h1 = Hierarchy([[str(i), str(i // 2), str(i // 4), "*"] for i in range(8)])
    h2 = Hierarchy([[str(i), str(i % 3), "*"] for i in range(6)])
    maps = [h1.encode([str(i) for i in range(8)]), h2.encode([str(i) for i in range(6)])]
    codes = np.column_stack([rng.integers(0, 8, 300), rng.integers(0, 6, 300)])
    target = (2, 1)
    paths = [[], [(1, 0)], [(0, 1)], [(1, 0), (2, 0), (1, 1)]]
    seen = []
    for path in paths:
        g = Generalizer(codes, maps)
        for lv in path:
            g.classes(lv)
        nc = g.classes(target)
        rc = g.record_class(nc)
        expect = [min(map(tuple, codes[rc == c].tolist())) for c in range(nc.classes)]
        assert [tuple(r) for r in nc.rep.tolist()] == expect
        seen.append(sorted(expect))
    assert all(s == seen[0] for s in seen)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 400), path=st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 1)), min_size=1, max_size=8))
def test_hashed_classes_come_in_first_record_order(seed, rows, path):
    # A generalizer that hashes (not canonical) numbers the classes of every node, whatever the
    # roll-up path, in the order of their first records: ARX's order, which the metrics then
    # read without sorting (first_record_order). Brute force: each class's first record.
    rng = np.random.default_rng(seed)
    maps = _three_maps()
    codes = np.column_stack([rng.integers(0, 8, rows), rng.integers(0, 6, rows), rng.integers(0, 5, rows)])
    g = Generalizer(codes, maps, canonical=False)
    assert g.first_record_order
    for levels in path:
        nc = g.classes(levels, need_bottom_map=True)
        rc = g.record_class(nc)
        first = [int(np.flatnonzero(rc == c)[0]) for c in range(nc.classes)]
        assert first == sorted(first)
        assert g.first_records(nc).tolist() == first


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(0, 6), max_size=80))
def test_first_rows_of_groups_numbered_by_first_appearance(values):
    # ids numbered 0, 1, 2, ... in order of first appearance, as hashing numbers them
    number: dict[int, int] = {}
    ids = np.array([number.setdefault(v, len(number)) for v in values], dtype=np.intp)
    want = [values.index(v) for v in number]
    assert _first_rows(ids).tolist() == want


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(0, 90), block=st.integers(1, 9), seed=st.integers(0, 2**16), fortran=st.booleans())
def test_bottom_keys_by_blocks_and_threads_equal_the_column_sums(rows, block, seed, fortran):
    # small blocks: one block, several, a last short one, and (rows >= 4 blocks) the two threads
    rng = np.random.default_rng(seed)
    cards = [3, 5, 2]
    codes = np.column_stack([rng.integers(0, c, rows) for c in cards]).astype(np.int32)
    codes = np.asfortranarray(codes) if fortran else np.ascontiguousarray(codes)
    terms = [rng.integers(0, 1000, c) * 10**(3 * i) for i, c in enumerate(cards)]
    want = sum(terms[i][codes[:, i]] for i in range(len(cards))) if rows else np.zeros(0, dtype=np.int64)
    with mock.patch.object(generalize, "BLOCK", block):
        assert _bottom_keys(codes, terms).tolist() == np.asarray(want).tolist()


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(-3, 12), max_size=90))
def test_keys_hashed_in_two_halves_number_as_one_hashing(values):
    # a large key array is hashed in two halves on two threads, then merged: the same ids and
    # distinct keys, in first-appearance order, as one pass (and as counted here by hand)
    from unlinkable.transform.generalize import _encode_in_halves, _group_keys

    key = np.array(values, dtype=np.int64)
    order = list(dict.fromkeys(values))
    ids, distinct = _encode_in_halves(key)
    assert ids.dtype == np.intp and ids.tolist() == [order.index(v) for v in values]
    assert distinct.tolist() == order
    whole = _group_keys(key, with_first=False)
    if key.shape[0] > 48:  # (a few keys go through a dictionary, not Arrow)
        assert whole[0].tolist() == ids.tolist() and whole[3].tolist() == order


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(-(2**40), 2**40) | st.integers(-3, 12), min_size=1, max_size=120),
       path=st.sampled_from(["dictionary", "sort", "hash"]))
def test_keys_grouped_by_any_path_in_first_appearance_order(values, path):
    # every path of _group_keys (a dict for a few keys, a stable sort for some hundreds, Arrow's
    # hash beyond) gives the ids, first rows and keys counted here by hand
    from unlinkable.transform.generalize import _group_keys

    key = np.array(values, dtype=np.int64)
    order = list(dict.fromkeys(values))
    small, sorted_ = {"dictionary": (200, 200), "sort": (0, 200), "hash": (0, 0)}[path]
    with mock.patch.object(generalize, "_SMALL", small), mock.patch.object(generalize, "_SORTED", sorted_):
        ids, count, first, keys = _group_keys(key)
    assert ids.tolist() == [order.index(v) for v in values] and count == len(order)
    assert first.tolist() == [values.index(v) for v in order] and keys.tolist() == order


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), rows=st.integers(1, 40), levels=st.lists(st.integers(0, 2), min_size=3, max_size=3))
def test_released_columns_built_on_two_threads_equal_those_built_on_one(seed, rows, levels):
    # a large table's released columns are built every other one on a second thread: the same
    # frame, in the input's column order, identifiers dropped, '*' in the suppressed rows
    rng = np.random.default_rng(seed)
    h = Hierarchy([["a", "ab", "*"], ["b", "ab", "*"], ["c", "cd", "*"], ["d", "cd", "*"]])
    gm = h.encode(["a", "b", "c", "d"])
    codes = rng.integers(0, 4, (rows, 3))
    letters = np.array(["a", "b", "c", "d"])
    df = pl.DataFrame({"q0": letters[codes[:, 0]], "id": [str(i) for i in range(rows)], "q1": letters[codes[:, 1]],
                       "o": ["u"] * rows, "q2": letters[codes[:, 2]]})
    suppressed = rng.random(rows) < 0.3
    args = dict(quasi_identifiers=["q0", "q1", "q2"], maps=[gm] * 3, codes=codes, levels=levels, suppressed=suppressed,
                identifiers=["id"])
    one = generalized_frame(df, **args)
    with mock.patch.object(generalize, "_SPLIT", 1):
        two = generalized_frame(df, **args)
    assert two.columns == one.columns == ["q0", "q1", "o", "q2"] and two.equals(one)
    for j, q in enumerate(["q0", "q1", "q2"]):
        want = ["*" if s else h.rows[c][levels[j]] for c, s in zip(codes[:, j].tolist(), suppressed.tolist())]
        assert two[q].to_list() == want


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 300), distinct=st.integers(1, 40), canonical=st.booleans(),
       path=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 1)), min_size=1, max_size=6))
def test_a_generalizer_of_distinct_lines_equals_the_one_of_their_records(seed, rows, distinct, canonical, path):
    """Grouped from the distinct rows (numbered by first record, as a read of repeated lines numbers
    them), the classes, their order, representatives, every record's class and every class's first
    record are those grouped from the records themselves."""
    rng = np.random.default_rng(seed)
    maps = _three_maps()
    pool = np.column_stack([rng.integers(0, 8, distinct), rng.integers(0, 6, distinct), rng.integers(0, 5, distinct)])
    records = pool[rng.integers(0, distinct, rows)]
    # each record's line and the lines in order of first record, by brute force
    seen: dict[tuple, int] = {}
    record_line = np.array([seen.setdefault(tuple(r), len(seen)) for r in records.tolist()], dtype=np.uint32)
    lines = np.array(list(seen), dtype=np.int64).reshape(len(seen), 3)
    first_record = np.array([record_line.tolist().index(j) for j in range(len(seen))], dtype=np.int64)
    whole = Generalizer(records, maps, canonical=canonical)
    by_lines = Generalizer.of_lines(lines, record_line, first_record, maps, canonical=canonical)
    assert by_lines.n == whole.n == rows
    assert by_lines.record_bottom.tolist() == whole.record_bottom.tolist()
    assert by_lines.bottom_first.tolist() == whole.bottom_first.tolist()
    for levels in [(0, 0, 0), *path]:
        a, b = whole.classes(levels, need_bottom_map=True), by_lines.classes(levels, need_bottom_map=True)
        assert b.sizes.tolist() == a.sizes.tolist()
        assert b.rep.tolist() == a.rep.tolist()
        assert by_lines.record_class(b).tolist() == whole.record_class(a).tolist()
        assert by_lines.first_records(b).tolist() == whole.first_records(a).tolist()
