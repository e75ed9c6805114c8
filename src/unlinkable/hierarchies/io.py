"""ARX's hierarchy CSV format: no header, one row per original value, one column per level."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from unlinkable.data.io import atomic_write_text, read_file_bytes
from unlinkable.errors import HierarchyError
from unlinkable.hierarchies.hierarchy import Hierarchy


def read_hierarchy(path: str | os.PathLike[str], *, delimiter: str = ";", name: str | None = None) -> Hierarchy:
    """Read an ARX hierarchy file (CRLF or LF, final newline optional).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "h.csv"
    >>> _ = p.write_text("male;*\\r\\nfemale;*")
    >>> read_hierarchy(p).values
    ('male', 'female')
    """
    path = Path(path)
    if not path.exists():
        raise HierarchyError(f"{path}: no such hierarchy file", hint="check the path; paths in a job file are relative to it")
    try:
        text = read_file_bytes(path).decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError as exc:
        raise HierarchyError(f"{path}: not UTF-8 text (byte {exc.start})", hint="save the hierarchy file as UTF-8") from None
    lines = [line for line in text.splitlines() if line.strip() != ""]
    if not lines:
        raise HierarchyError(f"{path}: the hierarchy file is empty", hint="one row per original value, one column per level")
    rows = list(csv.reader(lines, delimiter=delimiter, quotechar='"'))
    return Hierarchy(rows, name=name, source=str(path))


def write_hierarchy(hierarchy: Hierarchy, path: str | os.PathLike[str], *, delimiter: str = ";") -> Path:
    """Write a hierarchy in ARX's format, atomically."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(hierarchy.rows)
    return atomic_write_text(path, buf.getvalue())
