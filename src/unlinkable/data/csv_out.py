"""CSV output of a table with few distinct rows: each distinct row formatted once, then repeated.

A released table is mostly a few hundred distinct rows (its classes and the suppressed row),
repeated over millions of records. polars formats every cell of every record; here polars formats
one record of each distinct row, and the file is those lines gathered in record order. The bytes
are polars' own (the same options, the same values), so the file is the one ``write_csv`` writes;
the rows are grouped on their category codes, and before anything is written every record is
checked to carry the codes of the record whose line it gets.

Only tables whose every column is categorical (Enum or Categorical: the released
quasi-identifiers) are written this way, with no line break in any label and few distinct rows;
any other table is written by ``write_csv`` itself.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np
import polars as pl

from unlinkable.data.gather import BLOCK, take_blocks
from unlinkable.errors import InternalError

#: below this many rows polars' own writer is as fast
_MIN_ROWS = 100_000
#: distinct rows at most one per this many records, or formatting each record is no dearer
_ROWS_PER_LINE = 8
#: largest key space addressed directly (one int32 per key)
_MAX_SPACE = 1 << 24
#: records joined into one write
_CHUNK = 1 << 16


def write_csv(frame: Any, handle: BinaryIO, *, separator: str, min_rows: int = _MIN_ROWS,
              rows: Callable[[], tuple[np.ndarray, int]] | None = None) -> None:
    """Write ``frame`` as CSV (header, ``\\n`` line ends, quoting only where needed, nulls empty)
    into the binary file ``handle``: the bytes of polars' ``write_csv`` with these options.

    ``rows`` may say which records share a row (an anonymizer knows each record's class): the
    records are then not grouped again here, but the claim is still checked record by record.

    Examples
    --------
    >>> import io, polars as pl
    >>> frame = pl.DataFrame({"age": ["20-39", "*", "20-39"]}, schema={"age": pl.Enum(["20-39", "*"])})
    >>> out = io.BytesIO()
    >>> write_csv(frame, out, separator=";", min_rows=1)
    >>> out.getvalue()
    b'age\\n20-39\\n*\\n20-39\\n'
    """
    prepare_csv(frame, separator=separator, min_rows=min_rows, rows=rows)(handle)


def prepare_csv(frame: Any, *, separator: str, min_rows: int = _MIN_ROWS,
                rows: Callable[[], tuple[np.ndarray, int]] | None = None) -> Callable[[BinaryIO], None]:
    """:func:`write_csv` in two steps: the distinct rows are grouped, proven and formatted now,
    and what is returned writes the file. A background writer prepares on the calling thread,
    before the other threads start competing for the GIL, and then only copies bytes.

    >>> import io, polars as pl
    >>> out = io.BytesIO()
    >>> prepare_csv(pl.DataFrame({"a": [1, 2]}), separator=",")(out)
    >>> out.getvalue()
    b'a\\n1\\n2\\n'
    """
    lines = _distinct_lines(frame, separator, min_rows, rows)
    if lines is None:
        def by_polars(handle: BinaryIO) -> None:
            frame.write_csv(handle, separator=separator, line_terminator="\n", quote_style="necessary", null_value="")

        return by_polars
    header, texts, ids = lines

    def by_lines(handle: BinaryIO) -> None:
        handle.write(header)
        for lo in range(0, ids.shape[0], _CHUNK):
            handle.write(b"".join(texts.take(ids[lo:lo + _CHUNK]).tolist()))

    return by_lines


def _distinct_lines(frame: Any, separator: str, min_rows: int,
                    rows: Callable[[], tuple[np.ndarray, int]] | None = None) -> tuple[bytes, np.ndarray, np.ndarray] | None:
    """(header line, each distinct row's line, each record's distinct row), or None where this
    way does not apply or would not pay. ``rows()``, when given, claims a grouping (each record's
    row number below a count; a number may go unused): it spares the grouping here, and is
    proven like it."""
    if not isinstance(frame, pl.DataFrame):
        return None
    n = frame.height
    if n < max(min_rows, 1) or not frame.width:
        return None
    if not all(isinstance(dtype, (pl.Enum, pl.Categorical)) for dtype in frame.dtypes):
        return None
    codes: list[tuple[np.ndarray, int]] = []
    for name in frame.columns:
        column = frame[name]
        dtype = column.dtype
        # (an Enum's labels are read from its type: no pass over the column, nothing for polars' threads,
        # which the verifier keeps busy meanwhile)
        labels = dtype.categories.to_list() if isinstance(dtype, pl.Enum) else column.unique().drop_nulls().cast(pl.String).to_list()
        if any("\n" in label or "\r" in label for label in labels):
            return None  # a quoted line break: the formatted rows could not be told apart by line
        physical = column.to_physical()
        # codes are below the bound, and bound - 1 is free for a null (an Enum's codes index its
        # categories: no pass over the column to find the largest)
        bound = len(labels) + 1 if isinstance(dtype, pl.Enum) else int(physical.max() or 0) + 2  # type: ignore[arg-type]
        codes.append(((physical.fill_null(bound - 1) if physical.null_count() else physical).to_numpy(), bound))
    claimed = rows() if rows is not None else None
    grouped: tuple[np.ndarray | None, int]
    if claimed is not None and claimed[0].shape == (n,) and 0 <= int(claimed[0].min()) \
            and int(claimed[0].max()) < claimed[1]:
        grouped = claimed  # a claim in range: the proof below checks it
    else:
        grouped = _group(codes, n)
    ids, count = grouped
    if ids is None or count * _ROWS_PER_LINE > n:
        return None
    # a record of every distinct row (the last one: the scatter keeps the last write, and the
    # blocks come in order); block by block, as below, no pass makes a temporary as long as the table
    width = np.int32 if n < 1 << 31 else np.int64
    record = np.zeros(count, dtype=width)  # (a row number no record has keeps record 0: its line is never written)
    for lo in range(0, n, BLOCK):
        part = ids[lo:lo + BLOCK]
        record[part] = np.arange(lo, lo + part.shape[0], dtype=width)
    # The grouping is proven, not trusted: every record carries the codes of the record whose line
    # it is given, column by column (so equal codes, hence equal values, hence the same line).
    for lo in range(0, n, BLOCK):
        chosen: np.ndarray = record.take(ids[lo:lo + BLOCK])
        for values, _ in codes:
            if not np.array_equal(values.take(chosen), values[lo:lo + BLOCK]):
                raise InternalError("the CSV output grouped records with different values; nothing was written")
    buffer = io.BytesIO()
    frame[record].write_csv(buffer, separator=separator, line_terminator="\n", quote_style="necessary", null_value="")
    header, _, body = buffer.getvalue().partition(b"\n")
    texts = body.split(b"\n")
    if len(texts) != count + 1 or texts[-1]:
        return None  # not one line per row: let polars write it
    lines = np.empty(count, dtype=object)
    lines[:] = [text + b"\n" for text in texts[:-1]]
    return header + b"\n", lines, ids


def _group(codes: list[tuple[np.ndarray, int]], n: int) -> tuple[np.ndarray | None, int]:
    """Distinct-row ids of the records (rows equal in every code <=> ids equal) and their count,
    from mixed-radix keys addressed directly, renumbered whenever the key space would outgrow
    ``_MAX_SPACE``; (None, 0) when even the renumbered keys would."""
    key = np.zeros(n, dtype=np.int32)  # every key is below _MAX_SPACE = 2**24
    space = 1
    pending: list[tuple[np.ndarray, int]] = []
    for column, bound in codes:
        if space * bound > _MAX_SPACE:
            _fold(key, pending)
            pending = []
            key, space = _compact(key, space)
            if space * bound > _MAX_SPACE:
                return None, 0
        pending.append((column, bound))
        space *= bound
    _fold(key, pending)
    return _compact(key, space)


def _fold(key: np.ndarray, columns: list[tuple[np.ndarray, int]]) -> None:
    """``key = key * bound + column`` for each column in turn, in place, a block of rows at a time
    (the block's keys stay in the cache through all the columns).

    >>> key = np.array([1, 0], dtype=np.int32)
    >>> _fold(key, [(np.array([2, 1], dtype=np.uint8), 3)]); key.tolist()
    [5, 1]
    """
    for lo in range(0, key.shape[0], BLOCK):
        part = key[lo:lo + BLOCK]
        for column, bound in columns:
            part *= bound
            part += column[lo:lo + BLOCK]


def _compact(key: np.ndarray, space: int) -> tuple[np.ndarray, int]:
    """The keys renumbered 0, 1, ... in key order over the keys present, and how many are."""
    present = np.zeros(space, dtype=bool)
    present[key] = True
    rank = np.cumsum(present, dtype=np.int32)
    rank -= 1
    return take_blocks(rank, key), int(rank[-1]) + 1
