"""Reading tables (CSV, Parquet, DataFrames) and writing outputs atomically.

Every cell is read as text: identifiers, ZIP codes and ARX's string-typed attributes must keep
their exact spelling (leading zeros, ``08``), and outputs must reproduce input bytes. Numeric
methods cast the columns they need, and say which cell failed.
"""

from __future__ import annotations

import codecs
import csv
import inspect
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from unlinkable.data.repeated_lines import lines_repeat, read_distinct_lines, remember
from unlinkable.errors import InputError, UnlinkableError

_CANDIDATE_DELIMITERS = (";", ",", "\t", "|")


def sniff_delimiter(first_line: str) -> str:
    """The delimiter that splits the header line into the most fields (``,`` when none does).

    Examples
    --------
    >>> sniff_delimiter("sex;age;race")
    ';'
    """
    counts = {d: first_line.count(d) for d in _CANDIDATE_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv(path: str | os.PathLike[str], *, delimiter: str | None = None,
             categorical: Sequence[str] = ()) -> pl.DataFrame:
    """Read a CSV file with a header line; every column as text, empty fields as null.

    Accepts CRLF or LF line ends and a missing final newline (ARX's files have all three). The
    columns named in ``categorical`` are read as polars Categorical columns: the same texts, each
    cell a code into the column's distinct values (a run that encodes those columns anyway gets
    their codes from the parser, and never holds one string per cell). A read begun ahead
    (:func:`read_ahead`) of exactly this one is waited for instead.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes(b"zip;age\\r\\n08150;34\\r\\n08151;35")
    >>> read_csv(p)["zip"].to_list()
    ['08150', '08151']
    """
    ahead = _claim_ahead(Path(path), delimiter, frozenset(categorical))
    if ahead is not None:
        return ahead
    return _parse_csv(Path(path), delimiter, frozenset(categorical))


class _Ahead:
    """A read of one CSV file running on its own thread (see :func:`read_ahead`)."""

    def __init__(self, path: Path, delimiter: str | None, categorical: frozenset[str]) -> None:
        self.request = (path, delimiter, categorical)
        self.identity = _identity(path)
        self.frame: pl.DataFrame | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, name="unlinkable-read-ahead", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            self.frame = _parse_csv(*self.request)
        except BaseException as exc:  # handed to the thread that takes the read (see result)
            self.error = exc

    def result(self) -> pl.DataFrame | None:
        """The frame, or the read's error (an input error, raised as the same read would raise
        it); None when the file has changed since the read began or the read failed otherwise
        (the caller then reads the file itself, and meets that failure on its own thread)."""
        self._thread.join()
        if _identity(self.request[0]) != self.identity:
            return None
        if isinstance(self.error, UnlinkableError):
            raise self.error
        return None if self.error is not None else self.frame


_ahead: _Ahead | None = None
_ahead_lock = threading.Lock()


def read_ahead(path: str | os.PathLike[str], *, delimiter: str | None = None, categorical: Sequence[str] = ()) -> None:
    """Begin reading a CSV file on a second thread, for the :func:`read_csv` of exactly that
    file, delimiter and categorical columns that comes later, which then waits for it.

    For the command line: it imports and validates a job for about half a second before it
    reads the job's table, and the read (mostly outside the GIL, on every core) can run
    meanwhile. A read that nobody asks for is never used: a later :func:`read_csv` of anything
    else, or of the same file changed since, reads as it would have. One read ahead at a time;
    errors are raised by the :func:`read_csv` that takes it, as they would have been.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("zip,age\\n08150,34\\n")
    >>> read_ahead(p, delimiter=",")
    >>> read_csv(p, delimiter=",")["zip"].to_list()
    ['08150']
    """
    global _ahead
    with _ahead_lock:
        _ahead = _Ahead(Path(path), delimiter, frozenset(categorical))


def _claim_ahead(path: Path, delimiter: str | None, categorical: frozenset[str]) -> pl.DataFrame | None:
    """The frame of the read begun ahead of this one (which is then let go), or None."""
    global _ahead
    with _ahead_lock:
        ahead = _ahead
        if ahead is None or ahead.request != (path, delimiter, categorical):
            return None
        _ahead = None
    return ahead.result()


def _identity(path: Path) -> tuple[int, ...] | None:
    """What tells a file changed between two reads: its device, inode, size and modification time."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _parse_csv(path: Path, delimiter: str | None, categorical: frozenset[str]) -> pl.DataFrame:
    """:func:`read_csv`'s read itself."""
    head = _read_head(path)
    raw: bytes | None = None
    if head.startswith(b"\xef\xbb\xbf") or len(head) < _HEAD or head.isspace() or not _READS_ONE_PATH:
        # a byte-order mark to drop, a small file, one that may be all blank, or a polars that would
        # expand a path as a glob: its bytes in memory
        raw = read_file_bytes(path)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw or raw.isspace():  # not raw.strip(): that copies the whole file
            raise InputError(f"{path}: the file is empty", hint="a data file needs a header line and at least one record")
        head = raw[:_HEAD]
    # Otherwise polars reads the file itself (mapped, not copied into a bytes object first: about
    # 0.1 s less on 250 MB); its bytes are read only to name a bad row.
    try:
        # a character cut at the end of the head is not an error (final=False)
        text_head = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8") from None
    header = text_head.splitlines()[0]
    sep = delimiter if delimiter is not None else sniff_delimiter(header)
    if len(sep) != 1:
        raise InputError(f"{path}: delimiter {sep!r} must be one character", hint='use e.g. ";" or ","')
    names = next(csv.reader([header], delimiter=sep, quotechar='"'))
    require_unique_names(names, where=str(path))
    overrides = {raw_name: pl.Categorical for raw_name in names if raw_name.strip().rstrip("\r") in categorical}

    def counted_fields() -> int:
        """The records of the file's bytes, or an InputError naming the first row whose field count is wrong."""
        return _check_field_counts(raw if raw is not None else read_file_bytes(path), sep, path)

    def parse(source: Path | bytes) -> pl.DataFrame:
        return pl.read_csv(
            source,
            glob=False,  # a path is that one file, even if its name has * ? [ ]
            separator=sep,
            has_header=True,
            infer_schema=False,
            schema_overrides=overrides or None,
            quote_char='"',
            truncate_ragged_lines=False,
        )

    repeated = read_distinct_lines(path, parse) if raw is None and lines_repeat(path) else None
    try:
        frame = repeated.frame if repeated is not None else parse(raw if raw is not None else path)
    except pl.exceptions.ComputeError as exc:
        counted_fields()  # names the row when a field count is the cause
        first = str(exc).splitlines()[0]
        raise InputError(
            f"{path}: cannot be read as CSV with delimiter {sep!r}: {first}",
            hint="give the right delimiter (job file `input: {delimiter: ...}` or --delimiter)",
        ) from None
    # Polars refuses a row with too many fields (above) and fills a short or blank row with nulls up
    # to its last column. So when the last column has no null, every row has the header's field
    # count and there is no blank line: the byte-level count (a whole pass over the file, about as
    # costly as the parse itself) is needed only otherwise.
    records = frame.height
    if frame.width and frame[frame.columns[-1]].null_count():
        records = counted_fields()
    if frame.height > records:
        # blank lines at the end of the file are not records (polars reads them as rows of nulls)
        frame = frame.head(records)
    frame = frame.rename({c: c.strip().rstrip("\r") for c in frame.columns})
    # Polars keeps a trailing '\r' in the last field of CRLF files on some versions.
    last = frame.columns[-1]
    if frame[last].dtype == pl.String:
        frame = frame.with_columns(pl.col(last).str.strip_suffix("\r"))
    elif frame[last].unique().cast(pl.String).str.ends_with("\r").any():  # a categorical: its distinct values
        frame = frame.with_columns(pl.col(last).cast(pl.String).str.strip_suffix("\r").cast(pl.Categorical))
    if frame.height == 0:
        raise InputError(f"{path}: the file has a header but no records", hint="a data file needs at least one record")
    if frame.width == 1:
        # One column is legitimate, but a header full of another delimiter means a wrong one was given.
        other = max(_CANDIDATE_DELIMITERS, key=header.count)
        if other != sep and header.count(other) > 0:
            raise InputError(
                f"{path}: read as one column with delimiter {sep!r}, but the header contains {other!r}",
                hint=f"the file seems to use {other!r} as delimiter; give delimiter {other!r}",
            )
    if repeated is not None and frame.height == repeated.record_line.shape[0]:
        remember(frame, repeated.record_line, repeated.first_record)  # (renamed and trimmed: the same records)
    return frame


def _check_field_counts(raw: bytes, sep: str, path: Path) -> int:
    """Raise an InputError naming the first record whose field count differs from the header's.

    Returns the number of data records, not counting blank lines at the end of the file. Counted
    on the bytes with numpy: a delimiter or line end is structural unless an odd number of
    double quotes precede it (inside a quoted field; ``""`` inside one counts twice).
    """
    sep_bytes = sep.encode("utf-8")
    data = np.frombuffer(raw, dtype=np.uint8)
    line_ends = np.flatnonzero(data == 10)
    if len(sep_bytes) != 1:
        return len(line_ends) + 1  # polars refuses a multi-byte delimiter with its own message
    ends, seps = line_ends, np.flatnonzero(data == sep_bytes[0])
    quotes = np.flatnonzero(data == 34)
    if quotes.size:
        ends = ends[np.searchsorted(quotes, ends) % 2 == 0]
        seps = seps[np.searchsorted(quotes, seps) % 2 == 0]
    if data.size and data[-1] != 10:
        ends = np.append(ends, data.size)
    starts = np.concatenate(([0], ends[:-1] + 1))
    fields = np.searchsorted(seps, ends) - np.searchsorted(seps, starts) + 1
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (data[np.minimum(starts, data.size - 1)] == 13))
    last = len(blank)
    while last > 1 and blank[last - 1]:
        last -= 1
    width = int(fields[0])
    if width > 1:
        bad = np.flatnonzero((fields[1:last] != width) | blank[1:last])
        if bad.size:
            record = int(bad[0]) + 1
            line = int(np.searchsorted(line_ends, starts[record])) + 1
            count = int(fields[record])
            what = "is empty" if blank[record] else f"has {count} field{'' if count == 1 else 's'}"
            raise InputError(
                f"{path}: row {record} (line {line}) {what}, but the header has {width}",
                hint=f"every row needs one field per column: check the delimiter ({sep!r} here), and quote a "
                     f"field that contains it or a line break (\"a{sep}b\")",
            )
    return last - 1


#: bytes of a CSV file read first (header, delimiter, encoding); a file no longer than this is read whole
_HEAD = 1 << 16
#: whether this polars' read_csv can be told a path is one file, not a glob (older ones cannot)
_READS_ONE_PATH = "glob" in inspect.signature(pl.read_csv).parameters


def _read_head(path: Path) -> bytes:
    """The first ``_HEAD`` bytes of an input file, or an InputError saying why they cannot be read."""
    if not path.exists():
        return read_file_bytes(path)  # its error
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD)
    except OSError:
        return read_file_bytes(path)  # its error (a folder, no permission)


def read_file_bytes(path: Path) -> bytes:
    """The bytes of an input file, or an InputError saying why they cannot be read.

    Examples
    --------
    >>> import tempfile
    >>> read_file_bytes(Path(tempfile.mkdtemp()))
    Traceback (most recent call last):
    ...
    unlinkable.errors.InputError: ...: is a directory, not a file...
    """
    if not path.exists():
        raise InputError(f"{path}: no such file", hint="check the path; relative paths in a job file are relative to the job file")
    if not path.is_file():
        raise InputError(f"{path}: is a directory, not a file", hint="give the path of a CSV or Parquet file, not a folder")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})", hint="check the permissions") from None


def read_table(source: Any, *, delimiter: str | None = None, categorical: Sequence[str] = ()) -> pl.DataFrame:
    """Any supported input as a polars DataFrame: a CSV or Parquet path, or a pandas/polars DataFrame.

    ``categorical`` names CSV columns to read as categories (see :func:`read_csv`).

    Examples
    --------
    >>> import polars as pl
    >>> read_table(pl.DataFrame({"a": [1]})).shape
    (1, 1)
    """
    if isinstance(source, pl.DataFrame):
        return source
    if isinstance(source, pl.LazyFrame):
        return source.collect()
    if _is_pandas(source):
        require_unique_names([str(c) for c in source.columns], where="data")
        return _from_pandas(source)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.suffix.lower() in (".parquet", ".pq"):
            raw = read_file_bytes(path)
            try:
                return pl.read_parquet(raw)
            except Exception as exc:  # noqa: BLE001 - pyarrow/polars raise many types
                raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__})", hint="check the file") from None
        return read_csv(path, delimiter=delimiter, categorical=categorical)
    raise InputError(
        f"cannot read data of type {type(source).__name__}",
        hint="pass a CSV/Parquet path, a polars DataFrame or a pandas DataFrame",
    )


def _from_pandas(frame: Any) -> pl.DataFrame:
    """A pandas DataFrame as polars; a column that mixes types is an InputError naming it.

    pyarrow refuses an object column holding, say, ints and strings with a bare ``ArrowInvalid``;
    the column, the first row of another type and the types are named instead (never a value).
    """
    try:
        return pl.from_pandas(frame)
    except Exception as exc:  # noqa: BLE001 - pyarrow and polars raise many types for one cause
        failure = exc
    for position, name in enumerate(frame.columns):
        column = frame.iloc[:, position]
        if column.dtype != object:
            continue
        # per-row Python, but only on this error path and only for object columns
        missing = column.isna().to_numpy()
        kinds = [None if gone else type(v).__name__ for v, gone in zip(column.tolist(), missing)]
        present = [k for k in kinds if k is not None]
        if len(set(present)) > 1:
            first_row = next(i for i, k in enumerate(kinds) if k is not None)
            other_row = next(i for i, k in enumerate(kinds) if k is not None and k != kinds[first_row])
            raise InputError(
                f"data: column {str(name)!r} mixes types ({', '.join(sorted(set(present))[:6])}); row {other_row + 1} "
                f"is of type {kinds[other_row]}, row {first_row + 1} of type {kinds[first_row]}",
                hint=f"give the column one type, e.g. df[{str(name)!r}] = df[{str(name)!r}].astype(str)",
            )
    reason = str(failure).splitlines()[0] if str(failure) else ""
    raise InputError(f"data: the DataFrame cannot be converted ({type(failure).__name__}: {reason})",
                     hint="give every column one plain type (numbers, text, booleans or dates)")


def require_unique_names(names: list[str], *, where: str) -> None:
    """Refuse a table whose header repeats a column name (after trimming spaces).

    Renaming a repeat (``a_duplicated_0``) would release a second, unexamined copy of a column.

    Examples
    --------
    >>> require_unique_names(["age", "zip", " age"], where="t.csv")
    Traceback (most recent call last):
    ...
    unlinkable.errors.InputError: t.csv: column 'age' appears twice in the header (columns 1 and 3)...
    """
    seen: dict[str, int] = {}
    for i, raw in enumerate(names, start=1):
        name = str(raw).strip().rstrip("\r")
        if name in seen:
            shown = name if len(name) <= 60 else name[:57] + "..."
            raise InputError(f"{where}: column {shown!r} appears twice in the header (columns {seen[name]} and {i})",
                             hint="rename or remove one of them; every column needs one name and one role")
        seen[name] = i


def _is_pandas(obj: Any) -> bool:
    return type(obj).__module__.startswith("pandas") and type(obj).__name__ == "DataFrame"


def to_output_frame(frame: pl.DataFrame, like: Any) -> Any:
    """Return ``frame`` as the same kind of DataFrame the user passed in (pandas in, pandas out)."""
    if _is_pandas(like):
        return frame.to_pandas()
    return frame


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    A one-file :class:`unlinkable.data.outputs.OutputSet` (the commands stage all their outputs
    in one set). The folder must exist (a missing one is an :class:`~unlinkable.errors.OutputError`).
    A failure leaves no file and no partial file behind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> _ = atomic_write(target, lambda p: p.write_text("done"))
    >>> target.read_text()
    'done'
    """
    from unlinkable.data.outputs import OutputSet

    path = Path(path)
    with OutputSet() as outputs:
        outputs.file(path, write)
        outputs.commit()
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write text atomically (temp file, then rename)."""
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_table(frame: pl.DataFrame, path: str | os.PathLike[str], *, delimiter: str = ",") -> Path:
    """Write a table atomically as CSV (no quoting unless needed, ``\\n`` line ends) or Parquet.

    Null cells are written as empty CSV fields and as null in Parquet.

    Examples
    --------
    >>> import tempfile, pathlib, polars as pl
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "o.csv"
    >>> _ = write_table(pl.DataFrame({"a": ["1", None]}), p, delimiter=";")
    >>> p.read_text()
    'a\\n1\\n\\n'
    """
    from unlinkable.data.outputs import OutputSet

    path = Path(path)
    with OutputSet() as outputs:
        outputs.table(path, frame, delimiter=delimiter)
        outputs.commit()
    return path
