"""Dictionary encoding: every column the kernels touch becomes int32 codes once.

Codes follow first appearance in the column (ARX's dictionary order), ``-1`` marks a missing
value. Kernels below this layer never see strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from unlinkable.data.gather import BLOCK, take_blocks
from unlinkable.errors import InputError, did_you_mean, shown

MISSING = -1
_NEWEST = pl.CompatLevel.newest()


@dataclass(frozen=True, eq=False)
class EncodedColumn:
    """One column as int32 codes plus the label of every code."""

    name: str
    codes: np.ndarray
    dictionary: tuple[str, ...]

    @property
    def cardinality(self) -> int:
        return len(self.dictionary)


def encode_column(series: pl.Series) -> EncodedColumn:
    """Dictionary-encode a column (values as text, nulls as ``-1``).

    Examples
    --------
    >>> import polars as pl
    >>> col = encode_column(pl.Series("zip", ["81675", "81667", "81675", None]))
    >>> col.codes.tolist(), col.dictionary
    ([0, 1, 0, -1], ('81675', '81667'))
    """
    if isinstance(series.dtype, (pl.Categorical, pl.Enum)):
        return _encode_categories(series)
    if series.dtype != pl.String:
        series = series.cast(pl.String)
    # Arrow's string_view is polars' own layout: handed over without copying (the default
    # compatibility level rewrites every string into a large_string buffer first).
    arrow = series.to_arrow(compat_level=_NEWEST)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    encoded = dictionary_encode(arrow)
    indices = encoded.indices
    if indices.null_count:
        indices = indices.fill_null(MISSING)
    indices = arrow_ints(indices).astype(np.int32)
    dictionary = tuple(encoded.dictionary.to_pylist())
    return EncodedColumn(series.name, indices, dictionary)


def _encode_categories(series: pl.Series, out: np.ndarray | None = None) -> EncodedColumn:
    """:func:`encode_column` of a Categorical or Enum column: its categories' codes renumbered in
    first-appearance order (one pass over the codes; no text is read per cell).

    Examples
    --------
    >>> import polars as pl
    >>> col = _encode_categories(pl.Series("a", ["y", None, "x", "y"], dtype=pl.Enum(["x", "y"])))
    >>> col.codes.tolist(), col.dictionary
    ([0, -1, 1, 0], ('y', 'x'))
    """
    physical = series.to_physical()
    missing = physical.null_count()
    # the codes chunk by chunk, as the parser left them: each chunk is read in place (a contiguous
    # copy of the whole column would be one more array as long as the table), nulls as code 0
    parts = [chunk.fill_null(0).to_numpy() if chunk.null_count() else chunk.to_numpy() for chunk in physical.get_chunks()]
    top: Any = physical.max()  # None when every value is missing
    # which codes occur, marked block by block (np.bincount would first cast every uint32 code to intp)
    seen = np.zeros(int(top or 0) + 1, dtype=bool)
    for part in parts:
        for lo in range(0, part.shape[0], BLOCK):
            seen[part[lo:lo + BLOCK]] = True
    if missing and sum(int(np.count_nonzero(part == 0)) for part in parts) == missing:
        seen[0] = False  # code 0 stands only for the nulls filled in
    # Every category present usually shows up in the first rows already: then their order there
    # is the column's first-appearance order, and the whole column is never hashed.
    distinct = series.head(_HEAD).unique(maintain_order=True).drop_nulls()
    if distinct.len() != int(np.count_nonzero(seen)):
        distinct = series.unique(maintain_order=True).drop_nulls()
    present = distinct.to_physical().to_numpy()
    rank = np.full(seen.shape[0], MISSING, dtype=np.int32)
    rank[present] = np.arange(present.shape[0], dtype=np.int32)
    coded = np.empty(series.len(), dtype=np.int32) if out is None else out
    start = 0
    for part in parts:  # every code is an index of rank
        take_blocks(rank, part, coded[start:start + part.shape[0]])
        start += part.shape[0]
    if missing:
        coded[physical.is_null().to_numpy()] = MISSING
    return EncodedColumn(series.name, coded, tuple(distinct.cast(pl.String).to_list()))


#: columns up to this many rows are encoded through numpy object arrays (Arrow's per-call cost dominates)
_SMALL = 512
#: the rows in which a categorical column's order of first appearance is looked for first
_HEAD = 1 << 16
_POOL: ThreadPoolExecutor | None = None


def encode_columns(columns: Sequence[pl.Series], *, out: np.ndarray | None = None) -> list[EncodedColumn]:
    """:func:`encode_column` of each column: the same codes and dictionaries, cheaper for a table.

    Short text columns without nulls go through one ``np.unique`` each; many long columns are
    encoded on two threads (Arrow's hashing releases the GIL). With ``out``, an int32 array of
    one column per series (column-major, so each column is contiguous), the codes are written
    into it and each column's codes are that column of ``out``: a table's code matrix is then
    built without a second copy of its codes.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> [c.codes.tolist() for c in encode_columns([pl.Series("a", ["x", "y", "x"]), pl.Series("b", [2, None, 2])])]
    [[0, 1, 0], [0, -1, 0]]
    >>> matrix = np.empty((3, 1), dtype=np.int32, order="F")
    >>> encode_columns([pl.Series("a", ["x", "y", "x"])], out=matrix)[0].codes.base is matrix, matrix[:, 0].tolist()
    (True, [0, 1, 0])
    """
    if out is not None:
        if out.dtype != np.int32 or out.ndim != 2 or out.shape[1] != len(columns) or not out.flags.f_contiguous:
            raise ValueError("out must be a column-major int32 array with one column per series")
        categorical = [isinstance(s.dtype, (pl.Categorical, pl.Enum)) for s in columns]
        others = iter(encode_columns([s for s, c in zip(columns, categorical) if not c]))
        jobs = [j for j, c in enumerate(categorical) if c]

        def encode(j: int) -> EncodedColumn:
            return _encode_categories(columns[j], out[:, j])

        # each column's codes go to a column of their own: two threads (polars and numpy's take run outside the GIL)
        parallel = len(jobs) > 1 and out.shape[0] >= 20_000
        coded = dict(zip(jobs, _pool().map(encode, jobs) if parallel else map(encode, jobs)))
        return [_into(coded[j] if c else next(others), out, j) for j, c in enumerate(categorical)]
    series = list(columns)
    n = max((s.len() for s in series), default=0)
    if n <= _SMALL:
        return [_encode_small(s) if s.dtype == pl.String and not s.null_count() else encode_column(s) for s in series]
    if n < 20_000 or len(series) < 4 or all(isinstance(s.dtype, (pl.Categorical, pl.Enum)) for s in series):
        return [encode_column(s) for s in series]
    return list(_pool().map(encode_column, series))


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="unlinkable-encode")
    return _POOL


def _into(column: EncodedColumn, out: np.ndarray, j: int) -> EncodedColumn:
    """``column`` with its codes in column ``j`` of ``out`` (copied there unless written there)."""
    view = out[:, j]
    if not np.shares_memory(column.codes, view):
        view[:] = column.codes
    return EncodedColumn(column.name, view, column.dictionary)


def _encode_small(series: pl.Series) -> EncodedColumn:
    """``encode_column`` for a short text column without nulls: the same codes and dictionary
    (first-appearance order), from one ``np.unique`` over the values."""
    values = np.array(series.to_list(), dtype=object)
    if values.shape[0] == 0:
        return EncodedColumn(series.name, np.zeros(0, dtype=np.int32), ())
    uniq, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty(order.shape[0], dtype=np.int64)
    rank[order] = np.arange(order.shape[0])
    return EncodedColumn(series.name, rank[inverse.ravel()].astype(np.int32), tuple(uniq[order].tolist()))


def dictionary_encode(array: pa.Array) -> pa.DictionaryArray:
    """Arrow's ``dictionary_encode``: each value's index into the distinct values, in
    first-appearance order.

    The array method imports ``pyarrow.compute``, which builds a Python wrapper for every Arrow
    function (about 0.05 s of a run, in its encoding phase); the function is called directly.

    Examples
    --------
    >>> import pyarrow as pa
    >>> encoded = dictionary_encode(pa.array(["b", "a", "b"]))
    >>> encoded.indices.to_pylist(), encoded.dictionary.to_pylist()
    ([0, 1, 0], ['b', 'a'])
    """
    from pyarrow._compute import call_function  # (itself 0.01 s to import: not before a run needs it)

    encoded: pa.DictionaryArray = call_function("dictionary_encode", [array])
    return encoded


def int64_array(key: np.ndarray) -> pa.Array:
    """An int64 numpy array as an Arrow array over the same memory (``pa.array`` would import pandas).

    >>> int64_array(np.array([3, 1])).to_pylist()
    [3, 1]
    """
    key = np.ascontiguousarray(key, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), key.shape[0], [None, pa.py_buffer(key)])


def first_appearance(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense ids (intp) of an int64 array's values, numbered in first-appearance order, and the
    distinct values in that order (Arrow's hash table).

    >>> ids, distinct = first_appearance(np.array([5, 7, 5, 9]))
    >>> ids.tolist(), distinct.tolist()
    ([0, 1, 0, 2], [5, 7, 9])
    """
    encoded = dictionary_encode(int64_array(key))
    return arrow_ints(encoded.indices).astype(np.intp), arrow_ints(encoded.dictionary)


def arrow_ints(array: pa.Array) -> np.ndarray:
    """A read-only numpy view of a null-free Arrow integer array.

    Arrow's own ``to_numpy`` imports pandas when it is installed (about 0.15 s of start-up);
    reading the value buffer directly does not.

    Examples
    --------
    >>> import pyarrow as pa
    >>> arrow_ints(pa.array([3, 1, 2], type=pa.int32())[1:]).tolist()
    [1, 2]
    """
    if array.null_count:
        raise ValueError("arrow_ints needs an array without nulls")
    dtype = np.dtype(array.type.to_pandas_dtype())
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)


@dataclass(frozen=True, eq=False)
class EncodedTable:
    """The encoded columns of one table, by name, in the order asked for."""

    n: int
    columns: dict[str, EncodedColumn]

    @classmethod
    def from_frame(cls, frame: pl.DataFrame, names: Sequence[str], *, source: str = "data") -> EncodedTable:
        """Encode ``names`` of ``frame``; an unknown name raises an InputError listing the columns."""
        require_columns(frame, names, source=source)
        return cls(frame.height, {name: encode_column(frame[name]) for name in names})

    def codes(self, names: Sequence[str] | None = None) -> np.ndarray:
        """An (n, m) int32 matrix of codes, one column per name."""
        names = list(self.columns) if names is None else list(names)
        if not names:
            return np.zeros((self.n, 0), dtype=np.int32)
        return np.column_stack([self.columns[name].codes for name in names])


def require_columns(frame: pl.DataFrame, names: Sequence[str], *, source: str = "data") -> None:
    """Raise an InputError naming the first column of ``names`` that ``frame`` lacks.

    Examples
    --------
    >>> import polars as pl
    >>> require_columns(pl.DataFrame({"age": [1]}), ["agee"])
    Traceback (most recent call last):
    ...
    unlinkable.errors.InputError: data: unknown column 'agee'...did you mean 'age'?...
    """
    require_names(frame.columns, names, source=source)


def require_names(columns: Sequence[str], names: Sequence[str], *, source: str = "data") -> None:
    """:func:`require_columns` for a table known by its column names (any backend's table).

    Examples
    --------
    >>> require_names(["age", "sex"], ["age"])
    """
    columns = list(columns)
    present = set(columns)
    for name in names:
        if name not in present:
            listed = ", ".join(columns[:20]) + (" ..." if len(columns) > 20 else "")
            raise InputError(
                f"{source}: unknown column {shown(name)}",
                hint=(did_you_mean(name, columns).strip() + f" the columns are: {listed}").strip(),
            )
