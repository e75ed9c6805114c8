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
