"""Reading a CSV file whose records repeat: each distinct line is parsed once.

Microdata of coded attributes repeats whole records (adult stacked 100 times: 3,016,200 lines,
19,503 distinct). Polars splits and hashes every field (27 million on that file, 1.8 CPU-s);
read as one column of whole lines instead, dictionary-encoded by the parser, it costs a quarter
of that. The distinct lines are then parsed as a small CSV of their own, by the same parser with
the same options, and the table is their rows taken in file order: the same frame, the same types
(but for the columns read as categories: Enums of their values, in order of first appearance).

A file whose lines do not repeat would pay the line pass for nothing, so a sample decides first
(:func:`lines_repeat`). And a line is a record only when no field is quoted (a quoted field may
hold a line break), no line is blank and no carriage return is left inside one; otherwise, or
when anything about the file is unexpected, :func:`read_distinct_lines` returns None and the
file is parsed as a whole, which also names the row of any error.

The frame read this way keeps, beside it, each record's line (:func:`lines_of`): a search then
encodes and groups the distinct lines, not the records (``Anonymizer``), with the same codes and
classes in the same order, since the lines are numbered in order of their first record.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from unlinkable.data.gather import BLOCK, take_blocks

#: files smaller than this are parsed whole (a few milliseconds; not worth a sample)
MIN_BYTES = 1 << 22
#: the sample: this many blocks of this many bytes, evenly spaced over the file
_BLOCKS = 16
_BLOCK_BYTES = 1 << 16
#: a byte that ends no field of a text file (ASCII's unit separator): each line is one field
_NO_FIELD_END = "\x1f"


def lines_repeat(path: Path) -> bool:
    """Whether a sample of the file's lines says its lines repeat enough for a read of distinct lines.

    The sample is sixteen evenly spaced blocks of 64 KiB (no randomness: the same file gives the
    same answer). When each distinct line of ``n`` occurs ``r`` times, ``s`` sampled lines hold
    about ``s * s * (r - 1) / (2 * n)`` repeats; the read pays off from ``r`` of about 3 (it
    parses a third of the lines, besides a pass that costs a quarter of a full parse), so the
    sample must hold at least ``s * s / n`` repeats. A wrong answer costs time, never a result.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a;b\\n" + "x;1\\ny;2\\n" * 600_000)   # 4.8 MB of two distinct lines
    >>> lines_repeat(p)
    True
    """
    sampled: list[bytes] = []
    try:
        size = path.stat().st_size
        if size < MIN_BYTES:
            return False
        whole = size <= _BLOCKS * _BLOCK_BYTES  # blocks would overlap: the file is its own sample
        step = 0 if whole else (size - _BLOCK_BYTES) // (_BLOCKS - 1)
        with path.open("rb") as handle:
            for block in range(1 if whole else _BLOCKS):
                handle.seek(block * step)
                # the first line of each block is cut (or, at the start, the header); so is the last
                sampled.extend(handle.read(-1 if whole else _BLOCK_BYTES).split(b"\n")[1:-1])
    except OSError:
        return False  # the whole parse says why the file cannot be read
    if not sampled:
        return False  # lines longer than a block: nothing to learn, and few lines to save
    count = len(sampled)
    distinct = len(set(sampled))
    if whole:
        return distinct * 3 <= count
    rows = size * count / sum(len(line) + 1 for line in sampled)
    return count - distinct >= count * count / rows


@dataclass(frozen=True)
class DistinctLines:
    """A table read line by line: its records, and each record's distinct line.

    ``record_line[r]`` numbers record ``r``'s line, the lines in order of their first record
    (``first_record``); ``frame`` holds every record (the lines' rows taken in file order).
    """

    frame: pl.DataFrame
    record_line: np.ndarray  # uint32, one per record
    first_record: np.ndarray  # int64, one per line: the first record that has it


def read_distinct_lines(path: Path, parse: Callable[[bytes], pl.DataFrame]) -> DistinctLines | None:
    """The table of a CSV file with a header line, each distinct line parsed once by ``parse``.

    ``parse`` reads a CSV text (a header line, then records) as the whole file would be read
    (polars' errors are taken for a reason to parse the whole file).
    Returns None when the lines cannot be taken for records (a quote, a blank line, a carriage
    return inside a line, a data line equal to the header, a field the parse does not accept):
    the caller then parses the file itself.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a;b\\nx;1\\ny;2\\nx;1\\n")
    >>> parse = lambda text: pl.read_csv(text, separator=";", infer_schema=False)
    >>> read = read_distinct_lines(p, parse)
    >>> read.frame.rows(), read.record_line.tolist(), read.first_record.tolist()
    ([('x', '1'), ('y', '2'), ('x', '1')], [0, 1, 0], [0, 1])
    """
    try:
        lines = pl.read_csv(path, glob=False, separator=_NO_FIELD_END, quote_char=None, has_header=False,
                            schema={"line": pl.Categorical}, truncate_ragged_lines=False)["line"]
    except pl.exceptions.PolarsError:
        return None  # not text, or a line holding the separator: the whole parse says what it is
    if lines.len() < 2 or lines.null_count():  # no record, or a blank line
        return None
    first_of_line = lines.arg_unique()  # each distinct line's first row, in that order (the header's is 0)
    distinct = lines.gather(first_of_line)
    text = distinct.cast(pl.String)
    if text.str.contains('["\r]').any():
        return None
    # the parser's codes are indices into categories shared by the process, not 0..m-1: renumber
    # them in order of first appearance (the header line is the first)
    present = distinct.to_physical().to_numpy()
    rank = np.zeros(int(present.max()) + 1, dtype=np.uint32)
    rank[present] = np.arange(present.shape[0], dtype=np.uint32)
    line_of_record = take_blocks(rank, lines.to_physical().to_numpy()[1:])
    if not line_of_record.all():  # a record spelled as the header
        return None
    first_record = first_of_line.to_numpy()[1:].astype(np.int64)
    first_record -= 1
    try:
        records = parse(("\n".join(text.to_list()) + "\n").encode("utf-8"))
    except pl.exceptions.PolarsError:
        return None  # the whole parse meets the same failure and names its row
    if records.height != present.shape[0] - 1:
        return None
    # Each category column becomes an Enum of its values in order of first appearance: the same
    # texts in one byte per record where a column has at most 256 values (a Categorical takes four).
    records = records.with_columns(
        pl.col(name).cast(pl.Enum(records[name].unique(maintain_order=True).drop_nulls().cast(pl.String)))
        for name, dtype in records.schema.items() if isinstance(dtype, pl.Categorical))
    line_of_record -= 1  # (in place: the header line was line 0)
    return DistinctLines(records.select(pl.all().gather(pl.Series(line_of_record))), line_of_record, first_record)


# Each frame read line by line, by its id, with a weak reference (an entry goes when its frame
# does) and its records' lines. A registry, not a column: every column of a table has a role.
_LINES: dict[int, tuple[weakref.ref[pl.DataFrame], np.ndarray, np.ndarray]] = {}
_LINES_LOCK = threading.Lock()  # a read ahead remembers on its own thread


def remember(frame: pl.DataFrame, record_line: np.ndarray, first_record: np.ndarray) -> None:
    """Keep, beside ``frame``, each record's line (numbered in order of first record) and each
    line's first record.

    >>> frame = pl.DataFrame({"a": ["x", "y", "x"]})
    >>> remember(frame, np.array([0, 1, 0], dtype=np.uint32), np.array([0, 1]))
    >>> [a.tolist() for a in lines_of(frame)], lines_of(pl.DataFrame({"a": ["x"]}))
    ([[0, 1, 0], [0, 1]], None)
    """
    key = id(frame)

    def forget(_: object) -> None:
        with _LINES_LOCK:
            if key in _LINES and _LINES[key][0]() is None:
                del _LINES[key]

    with _LINES_LOCK:
        _LINES[key] = (weakref.ref(frame, forget), record_line, first_record)


def lines_of(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """(each record's line, each line's first record) of a frame read line by line, or None."""
    with _LINES_LOCK:
        entry = _LINES.get(id(frame))
    if entry is None or entry[0]() is not frame:
        return None
    return entry[1], entry[2]


def records_per_line(record_line: np.ndarray, lines: int) -> np.ndarray:
    """How many records have each line (int64), counted a block at a time (``np.bincount`` would
    first cast every uint32 line number to intp).

    >>> records_per_line(np.array([0, 1, 0, 2, 1], dtype=np.uint32), 3).tolist()
    [2, 2, 1]
    """
    counts = np.zeros(lines, dtype=np.int64)
    for lo in range(0, record_line.shape[0], BLOCK):
        counts += np.bincount(record_line[lo:lo + BLOCK], minlength=lines)
    return counts
