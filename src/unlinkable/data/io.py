"""Reading tables (CSV, Parquet, DataFrames) and writing outputs atomically.

Every cell is read as text: identifiers, ZIP codes and ARX's string-typed attributes must keep
their exact spelling (leading zeros, ``08``), and outputs must reproduce input bytes. Numeric
methods cast the columns they need, and say which cell failed.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from unlinkable.errors import InputError

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


def read_csv(path: str | os.PathLike[str], *, delimiter: str | None = None) -> pl.DataFrame:
    """Read a CSV file with a header line; every column as text, empty fields as null.

    Accepts CRLF or LF line ends and a missing final newline (ARX's files have all three).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes(b"zip;age\\r\\n08150;34\\r\\n08151;35")
    >>> read_csv(p)["zip"].to_list()
    ['08150', '08151']
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file", hint="check the path; relative paths in a job file are relative to the job file")
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise InputError(f"{path}: the file is empty", hint="a data file needs a header line and at least one record")
    try:
        text_head = raw[:65536].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8") from None
    header = text_head.splitlines()[0]
    sep = delimiter if delimiter is not None else sniff_delimiter(header)
    if len(sep) != 1:
        raise InputError(f"{path}: delimiter {sep!r} must be one character", hint='use e.g. ";" or ","')
    require_unique_names(next(csv.reader([header], delimiter=sep, quotechar='"')), where=str(path))
    try:
        frame = pl.read_csv(
            raw,
            separator=sep,
            has_header=True,
            infer_schema=False,
            quote_char='"',
            truncate_ragged_lines=False,
        )
    except pl.exceptions.ComputeError as exc:
        first = str(exc).splitlines()[0]
        raise InputError(
            f"{path}: cannot be read as CSV with delimiter {sep!r}: {first}",
            hint="give the right delimiter (job file `input: {delimiter: ...}` or --delimiter)",
        ) from None
    frame = frame.rename({c: c.strip().rstrip("\r") for c in frame.columns})
    # Polars keeps a trailing '\r' in the last field of CRLF files on some versions.
    last = frame.columns[-1]
    frame = frame.with_columns(pl.col(last).str.strip_suffix("\r"))
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
    return frame


def read_table(source: Any, *, delimiter: str | None = None) -> pl.DataFrame:
    """Any supported input as a polars DataFrame: a CSV or Parquet path, or a pandas/polars DataFrame.

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
        return pl.from_pandas(source)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.suffix.lower() in (".parquet", ".pq"):
            if not path.exists():
                raise InputError(f"{path}: no such file", hint="check the path")
            try:
                return pl.read_parquet(path)
            except Exception as exc:  # noqa: BLE001 - pyarrow/polars raise many types
                raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__})", hint="check the file") from None
        return read_csv(path, delimiter=delimiter)
    raise InputError(
        f"cannot read data of type {type(source).__name__}",
        hint="pass a CSV/Parquet path, a polars DataFrame or a pandas DataFrame",
    )


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


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    A failure leaves no file and no partial file behind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> _ = atomic_write(target, lambda p: p.write_text("done"))
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp creates 0600; give the file the mode an ordinary open() would (0666 less umask)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
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
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        return atomic_write(path, lambda p: frame.write_parquet(p))
    return atomic_write(
        path,
        lambda p: frame.write_csv(p, separator=delimiter, line_terminator="\n", quote_style="necessary", null_value=""),
    )
