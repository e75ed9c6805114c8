"""The backend contract: every operation of ``backends.base.Backend`` on every available backend,
compared exactly with a plain-Python oracle (so every backend gives the same values).

Spark runs on the one shared local[2] session (``spark_backend`` in conftest), on small tables.
"""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import polars as pl
import pytest

from unlinkable.backends.base import Backend

QIS = ["age", "zip", "sex"]


def _table(seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    n = 60
    pick = lambda values: [rng.choice(values) for _ in range(n)]  # noqa: E731
    return pl.DataFrame({
        "id": [str(i) for i in range(n)],
        "age": pick(["31", "34", "47", "52", None]),
        "zip": pick(["81675", "81667", "8167é", ""]),
        "sex": pick(["f", "m"]),
        "disease": pick(["flu", "cold", "gastritis", None]),
        "income": pick(["100", "200", None]),
    }, schema={c: pl.String for c in ("id", "age", "zip", "sex", "disease", "income")})


def _oracle_snapshot(frame: pl.DataFrame, columns, sensitive):
    """First-appearance dictionaries and tuples, counts and (tuple, value) cells, by plain loops."""
    rows = frame.select(columns).rows()
    dictionaries = []
    for j in range(len(columns)):
        seen: dict = {}
        for r in rows:
            if r[j] is not None and r[j] not in seen:
                seen[r[j]] = len(seen)
        dictionaries.append(seen)
    order: dict = {}
    for r in rows:
        order.setdefault(r, len(order))
    counts = Counter(rows)
    codes = [[-1 if v is None else dictionaries[j][v] for j, v in enumerate(t)] for t in order]
    hist = {}
    for name in sensitive:
        values = frame[name].to_list()
        vdict: dict = {}
        for v in values:
            if v is not None and v not in vdict:
                vdict[v] = len(vdict)
        cells = Counter((order[r], -1 if v is None else vdict[v]) for r, v in zip(rows, values))
        hist[name] = (tuple(vdict), sorted((t, v, c) for (t, v), c in cells.items()))
    return ([tuple(d) for d in dictionaries], codes, [counts[t] for t in order], hist)


def _as_polars(backend, table) -> pl.DataFrame:
    if backend.name == "numpy":
        return table
    return pl.from_arrow(table.toArrow())  # a small test table


@pytest.mark.parametrize("seed", [0, 1])
def test_snapshot_groups_as_the_oracle(any_backend, seed):
    frame = _table(seed)
    assert isinstance(any_backend, Backend)
    table = any_backend.read(frame)
    snap = any_backend.snapshot(table, QIS, sensitive=["disease", "income"])
    dictionaries, codes, counts, hist = _oracle_snapshot(frame, QIS, ["disease", "income"])
    assert [list(d) for d in snap.dictionaries] == [list(d) for d in dictionaries]
    assert snap.tuples.codes.tolist() == codes
    assert snap.tuples.counts.tolist() == counts
    assert snap.records == frame.height
    for name, (dictionary, cells) in hist.items():
        h = snap.sensitive[name]
        assert h.dictionary == dictionary
        assert list(zip(h.tuple_index.tolist(), h.value.tolist(), h.count.tolist())) == cells
    assert snap.tuples.per_record == (any_backend.name == "numpy")


def test_generalize_recodes_as_the_oracle(any_backend):
    frame = _table(2)
    recodings = {"age": {"31": "30-39", "34": "30-39", "47": "40-59", "52": "40-59", "": "?"},
                 "zip": {"81675": "8167*", "81667": "8166*", "8167é": "8167*", "": "?"}}
    out = _as_polars(any_backend, any_backend.generalize(any_backend.read(frame), recodings)).sort(
        pl.col("id").cast(pl.Int64))
    assert out.columns == frame.columns
    for column, mapping in recodings.items():
        assert out[column].to_list() == [mapping["" if v is None else v] for v in frame[column].to_list()]
    for column in ("id", "sex", "disease", "income"):
        assert out[column].to_list() == frame[column].to_list()


def test_suppress_as_the_oracle(any_backend):
    frame = _table(3)
    classes = [("31", "81675", "f"), (None, "", "m"), ("52", "81667", "m")]
    out = _as_polars(any_backend, any_backend.suppress(any_backend.read(frame), QIS, classes)).sort(
        pl.col("id").cast(pl.Int64))
    assert out.columns == frame.columns
    hit = [tuple(r) in set(classes) for r in frame.select(QIS).rows()]
    assert any(hit)
    for column in QIS:
        assert out[column].to_list() == ["*" if h else v for h, v in zip(hit, frame[column].to_list())]
    assert out["disease"].to_list() == frame["disease"].to_list()
    assert _as_polars(any_backend, any_backend.suppress(any_backend.read(frame), QIS, [])).height == frame.height


def test_values_and_counts_as_the_oracle(any_backend):
    frame = _table(4)
    table = any_backend.read(frame)
    for column in ("age", "zip", "disease"):
        assert any_backend.values(table, column) == list(dict.fromkeys(frame[column].to_list()))
    assert any_backend.count(table) == frame.height
    rows = Counter(frame.select(QIS).rows())
    assert any_backend.unique_records(table, QIS) == sum(1 for c in rows.values() if c == 1)


def test_spark_reads_csv_as_the_numpy_reader(spark_backend, tmp_path):
    from unlinkable.backends.numpy import NumpyBackend

    path = tmp_path / "people.csv"
    path.write_text('age;zip;note\n34;08150;"a; b"\n;08151;x\n34;08150;\n')
    numpy_snap = NumpyBackend().snapshot(NumpyBackend().read(path), ["age", "zip", "note"])
    spark_snap = spark_backend.snapshot(spark_backend.read(path), ["age", "zip", "note"])
    assert spark_snap.dictionaries == numpy_snap.dictionaries
    assert np.array_equal(spark_snap.tuples.codes, numpy_snap.tuples.codes)
    assert np.array_equal(spark_snap.tuples.counts, numpy_snap.tuples.counts)


def _oracle_grouping(frame: pl.DataFrame, keys, sensitive, generalization, smallest: bool):
    """Groups of (generalized key codes, sensitive codes) in first-record order, by plain loops."""
    key_rows = [tuple("" if v is None else v for v in r) for r in frame.select(keys).rows()]
    dictionaries = [list(dict.fromkeys(r[j] for r in key_rows)) for j in range(len(keys))]
    for name in sensitive:
        dictionaries.append(list(dict.fromkeys(v for v in frame[name].to_list() if v is not None)))
    codes = []
    for i, r in enumerate(key_rows):
        row = [dictionaries[j].index(v) for j, v in enumerate(r)]
        for s, name in enumerate(sensitive):
            v = frame[name][i]
            row.append(-1 if v is None else dictionaries[len(keys) + s].index(v))
        codes.append(tuple(row))
    groups: dict = {}
    for i, c in enumerate(codes):
        label = tuple(int(generalization[j][c[j]]) for j in range(len(keys))) + c[len(keys):]
        groups.setdefault(label, []).append(i)
    out = []
    for members in groups.values():
        rep = min(codes[i] for i in members) if smallest else codes[members[0]]
        out.append((list(rep), len(members)))
    return [tuple(d) for d in dictionaries], out


@pytest.mark.parametrize("smallest", [True, False])
def test_grouping_as_the_oracle(any_backend, smallest):
    frame = _table(5)
    grouping = any_backend.grouping(any_backend.read(frame), QIS, ["disease"])
    try:
        dictionaries, _ = _oracle_grouping(frame, QIS, ["disease"], [np.arange(9)] * 3, smallest)
        assert [tuple(d) for d in grouping.dictionaries] == dictionaries
        assert grouping.records == frame.height
        key_rows = [tuple("" if v is None else v for v in r) for r in frame.select(QIS).rows()]
        assert [c.tolist() for c in grouping.value_counts()] == [
            [sum(1 for r in key_rows if r[j] == v) for v in dictionaries[j]] for j in range(len(QIS))]
        rng = np.random.default_rng(5)
        for _ in range(4):  # random generalizations: each code mapped onto one of two or three groups
            generalization = [rng.integers(0, 3, size=len(d)) for d in dictionaries[:len(QIS)]]
            _, expected = _oracle_grouping(frame, QIS, ["disease"], generalization, smallest)
            snap = grouping.at(generalization, smallest=smallest, limit=len(expected))
            assert snap is not None
            assert list(zip(snap.tuples.codes.tolist(), snap.tuples.counts.tolist())) == expected
            assert grouping.at(generalization, smallest=smallest, limit=len(expected) - 1) is None
            key_sizes = Counter(tuple(int(generalization[j][dictionaries[j].index(r[j])]) for j in range(len(QIS)))
                                for r in key_rows)
            for size in (2, 4):
                small = sum(c for c in key_sizes.values() if c < size)
                assert grouping.small_records(generalization, size) == small
    finally:
        grouping.close()
