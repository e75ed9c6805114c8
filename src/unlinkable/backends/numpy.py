"""Reference backend: a polars table in this process, grouped with mixed-radix integer keys.

Columns are dictionary-encoded once (``data/table.py``) and grouped on their codes
(``backends/distinct.py``); small key spaces are counted with ``bincount`` in O(n), large ones
hashed or sorted. Keys never overflow: when the radix product would pass 2**62 the partial key
is compacted first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from unlinkable.backends.base import SensitiveHistogram, Snapshot
from unlinkable.backends.distinct import DistinctTuples, distinct_tuples
from unlinkable.data.table import EncodedColumn, encode_column, require_columns

_LIMIT = 1 << 62


class NumpyBackend:
    """The records in this process: a polars table, grouped on integer codes with numpy.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> ids, sizes = NumpyBackend().group([np.array([0, 1, 0]), np.array([2, 2, 2])], [2, 3])
    >>> ids.tolist(), sizes.tolist()
    ([0, 1, 0], [2, 1])
    >>> snap = NumpyBackend().snapshot(pl.DataFrame({"zip": ["1", "2", "1"]}), ["zip"])
    >>> snap.dictionaries, snap.tuples.counts.tolist()
    ((('1', '2'),), [2, 1])
    """

    name = "numpy"

    # -- the Backend protocol ---------------------------------------------------------------
    def read(self, source: Any, *, delimiter: str | None = None, categorical: Sequence[str] = ()) -> pl.DataFrame:
        """A CSV/Parquet path or a polars/pandas frame as a polars frame (``data.io.read_table``;
        the ``categorical`` columns of a CSV file as polars categories)."""
        from unlinkable.data.io import read_table

        return read_table(source, delimiter=delimiter, categorical=categorical)

    def columns(self, table: pl.DataFrame) -> list[str]:
        return list(table.columns)

    def snapshot(self, table: pl.DataFrame, columns: Sequence[str], *, sensitive: Sequence[str] = (),
                 encoded: Mapping[str, EncodedColumn] | None = None) -> Snapshot:
        """The distinct tuples of ``columns`` with counts, and each sensitive column's histogram.

        ``encoded`` holds columns the caller encoded already, exactly as ``encode_column`` would
        (the Anonymizer hands over its own): they are not encoded again.
        """
        require_columns(table, [*columns, *sensitive])
        given = dict(encoded or {})
        for name, col in given.items():
            if col.codes.shape[0] != table.height:
                raise ValueError(f"the given encoding of {name!r} has {col.codes.shape[0]} codes for {table.height} records")

        def encode(name: str) -> EncodedColumn:
            return given[name] if name in given else encode_column(table[name])

        encoded_columns = [encode(c) for c in columns]
        tuples = distinct_tuples([e.codes for e in encoded_columns])
        histograms = {}
        assert tuples.record_tuple is not None  # grouped here: every record's tuple is known
        for name in sensitive:
            col = encode(name)
            histograms[name] = tuple_histogram(tuples.record_tuple, len(tuples), col.codes, col.dictionary)
        return Snapshot(tuple(columns), tuple(e.dictionary for e in encoded_columns), tuples, histograms)

    def generalize(self, table: pl.DataFrame, recodings: Mapping[str, Mapping[str, str]]) -> pl.DataFrame:
        """Each named column's text (missing read as ``""``) replaced by its label; unknown values
        raise (a recoding covers the column's every value)."""
        return table.with_columns([
            pl.col(c).cast(pl.String).fill_null("").replace_strict(
                pl.Series(list(m.keys()), dtype=pl.String), pl.Series(list(m.values()), dtype=pl.String),
                return_dtype=pl.String)
            for c, m in recodings.items()])

    def suppress(self, table: pl.DataFrame, columns: Sequence[str], classes: Sequence[tuple[str, ...]], *,
                 value: str = "*") -> pl.DataFrame:
        """``value`` in every one of ``columns`` of the records whose tuple is one of ``classes``."""
        columns = list(columns)
        if not classes or not columns:
            return table
        listed = pl.DataFrame([list(c) for c in classes], schema={c: pl.String for c in columns}, orient="row")
        flag = "\x00suppressed"
        hit = table.select(pl.struct([pl.col(c).cast(pl.String) for c in columns])
                           .is_in(listed.select(pl.struct(columns)).to_series().implode()).alias(flag))[flag]
        return table.with_columns([pl.when(hit).then(pl.lit(value)).otherwise(pl.col(c).cast(pl.String)).alias(c)
                                   for c in columns])

    def unique_records(self, table: pl.DataFrame, columns: Sequence[str]) -> int:
        """Records unique on ``columns`` (their text; missing a value of its own)."""
        text = [pl.col(c).cast(pl.String) for c in columns]
        return int(table.select(pl.struct(text).is_unique().sum()).item()) if table.height else 0

    def grouping(self, table: pl.DataFrame, keys: Sequence[str], sensitive: Sequence[str] = ()) -> NumpyGrouping:
        """``table`` encoded for grouping at any generalization of ``keys`` (``backends.base.Grouping``)."""
        require_columns(table, [*keys, *sensitive])
        return NumpyGrouping(table, keys, sensitive)

    def values(self, table: pl.DataFrame, column: str) -> list[str | None]:
        """The distinct values of ``column`` as text (None: missing), in first-appearance order."""
        values: list[str | None] = table[column].cast(pl.String).unique(maintain_order=True).to_list()
        return values

    def count(self, table: pl.DataFrame) -> int:
        """The number of records of ``table``."""
        return table.height

    # -- kernels on integer codes (risk/subsets, risk/attribute_effect) ----------------------

    def group(self, columns: Sequence[np.ndarray], cardinalities: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        if not columns:
            raise ValueError("group needs at least one column")
        n = len(columns[0])
        key, space = combined_key(columns, cardinalities)
        if space <= max(4 * n, 1 << 16):
            counts = np.bincount(key, minlength=space)
            occupied = counts > 0
            dense = np.cumsum(occupied, dtype=np.int64) - 1
            return dense[key], counts[occupied]
        uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        return inverse.reshape(-1), counts

    def class_sizes(self, columns: Sequence[np.ndarray], cardinalities: Sequence[int]) -> np.ndarray:
        """The size of every class, in ascending key order (no per-record arrays kept).

        Large key spaces are sorted in place: one int64 key array is the only extra memory.
        """
        n = len(columns[0])
        key, space = combined_key(columns, cardinalities)
        if space <= max(4 * n, 1 << 16):
            counts = np.bincount(key, minlength=space)
            return counts[counts > 0]
        key.sort()
        ends = np.flatnonzero(key[1:] != key[:-1])
        del key
        bounds = np.empty(len(ends) + 2, dtype=np.int64)
        bounds[0], bounds[-1] = -1, n - 1
        bounds[1:-1] = ends
        return np.diff(bounds)

    def record_sizes(self, columns: Sequence[np.ndarray], cardinalities: Sequence[int]) -> np.ndarray:
        """The size of each record's class (cheaper than ``group`` when class ids are not needed).

        Large key spaces are counted with a multi-threaded hash aggregation instead of a sort.
        """
        n = len(columns[0])
        key, space = combined_key(columns, cardinalities)
        if space <= max(4 * n, 1 << 16):
            return np.asarray(np.bincount(key, minlength=space)[key])
        import polars as pl

        return pl.DataFrame({"k": key}).select(pl.len().over("k")).to_series().to_numpy().astype(np.int64, copy=False)


class NumpyGrouping:
    """A polars table encoded once and grouped at any generalization (``backends.base.Grouping``).

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> g = NumpyBackend().grouping(pl.DataFrame({"zip": ["2", "1", "2", None]}), ["zip"])
    >>> g.dictionaries, g.value_counts()[0].tolist()
    ((('2', '1', ''),), [2, 1, 1])
    >>> snap = g.at([np.array([0, 0, 1])], smallest=True, limit=10)
    >>> snap.tuples.codes.tolist(), snap.tuples.counts.tolist(), snap.tuples.first.tolist()
    ([[0], [2]], [3, 1], [0, 3])
    >>> g.at([np.array([0, 1, 2])], smallest=True, limit=2) is None, g.small_records([np.array([0, 0, 1])], 2)
    (True, 1)
    """

    def __init__(self, table: pl.DataFrame, keys: Sequence[str], sensitive: Sequence[str]) -> None:
        columns = [encode_column(table[k].cast(pl.String).fill_null("")) for k in keys]
        columns += [encode_column(table[c]) for c in sensitive]
        self._keys = len(keys)
        self._codes = [c.codes.astype(np.int64) for c in columns]
        self.dictionaries = tuple(c.dictionary for c in columns)
        self.records = table.height

    def value_counts(self) -> list[np.ndarray]:
        return [np.bincount(c, minlength=len(d)).astype(np.int64)
                for c, d in zip(self._codes[:self._keys], self.dictionaries)]

    def _generalized(self, generalization: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
        return {f"g{j}": np.asarray(generalization[j], dtype=np.int64)[self._codes[j]] for j in range(self._keys)}

    def at(self, generalization: Sequence[np.ndarray], *, smallest: bool, limit: int) -> Snapshot | None:
        width = len(self._codes)
        frame = pl.DataFrame({**self._generalized(generalization), **{f"c{j}": self._codes[j] for j in range(width)}}) \
            .with_row_index("row")
        by = [f"g{j}" for j in range(self._keys)] + [f"c{j}" for j in range(self._keys, width)]
        reps = [f"c{j}" for j in range(self._keys)]
        if smallest:  # the lexicographically smallest member's codes: the first after sorting on them
            frame = frame.sort(reps, maintain_order=True)
        grouped = frame.group_by(by, maintain_order=True).agg(
            pl.len().alias("count"), pl.col("row").min().alias("first"), *[pl.col(c).first() for c in reps])
        if grouped.height > limit:
            return None
        grouped = grouped.sort("first")
        codes = np.column_stack([grouped[f"c{j}"].to_numpy().astype(np.int64) for j in range(width)]) if width else \
            np.zeros((grouped.height, 0), dtype=np.int64)
        tuples = DistinctTuples(codes, grouped["count"].to_numpy().astype(np.int64),
                                grouped["first"].to_numpy().astype(np.int64), None)
        return Snapshot(tuple(f"c{j}" for j in range(width)), self.dictionaries, tuples, {})

    def small_records(self, generalization: Sequence[np.ndarray], size: int) -> int:
        if not self._keys:
            return self.records if self.records < size else 0
        sizes = pl.DataFrame(self._generalized(generalization)).group_by([f"g{j}" for j in range(self._keys)]).len()["len"]
        return int(sizes.filter(sizes < size).sum())

    def close(self) -> None:
        self._codes = []


def tuple_histogram(record_tuple: np.ndarray, tuples: int, codes: np.ndarray,
                    dictionary: tuple[str, ...]) -> SensitiveHistogram:
    """The non-zero (tuple, value) cells of a per-record code column (``-1`` = missing).

    Examples
    --------
    >>> import numpy as np
    >>> h = tuple_histogram(np.array([0, 1, 0, 0]), 2, np.array([1, 0, -1, 1]), ("a", "b"))
    >>> h.tuple_index.tolist(), h.value.tolist(), h.count.tolist()
    ([0, 0, 1], [-1, 1, 0], [1, 2, 1])
    """
    width = len(dictionary) + 1  # code -1..d-1 shifted to 0..d
    key = np.asarray(record_tuple, dtype=np.int64) * width + (np.asarray(codes, dtype=np.int64) + 1)
    space = tuples * width
    if space <= max(4 * key.shape[0], 1 << 16):
        counts = np.bincount(key, minlength=space)
        cells = np.flatnonzero(counts)
        count = counts[cells]
    else:
        cells, count = np.unique(key, return_counts=True)
    index, shifted = np.divmod(cells, width)
    return SensitiveHistogram(tuple(dictionary), index.astype(np.int64), shifted.astype(np.int64) - 1,
                              count.astype(np.int64))


def combined_key(columns: Sequence[np.ndarray], cardinalities: Sequence[int]) -> tuple[np.ndarray, int]:
    """One int64 key per record that is equal exactly when all codes are equal, and its bound."""
    key = np.array(columns[0], dtype=np.int64)  # a copy: updated in place below
    space = max(int(cardinalities[0]), 1)
    for col, card in zip(columns[1:], cardinalities[1:]):
        card = max(int(card), 1)
        if space * card >= _LIMIT:
            _, key = np.unique(key, return_inverse=True)
            key = key.reshape(-1).astype(np.int64)
            space = int(key.max()) + 1 if len(key) else 1
        # in place: no n-sized temporaries per column
        key *= card
        key += col
        space *= card
    return key, space


DEFAULT_BACKEND = NumpyBackend()
