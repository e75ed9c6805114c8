"""A CSV file whose lines repeat is read by parsing each distinct line once (data/repeated_lines.py).

The oracle is the whole parse of the same file (the read as it was before this path existed): the
same frame, the same types, the same error.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.data import io, repeated_lines
from unlinkable.data.io import read_csv
from unlinkable.data.repeated_lines import lines_of, lines_repeat, read_distinct_lines
from unlinkable.errors import InputError

#: over the 64 KiB that io reads into memory instead of handing polars the path
_BIG = 70_000


def _repeated(header: str, rows: list[str], *, end: str = "\n", final: bool = True) -> bytes:
    """The header and the rows, the rows repeated in turn until the file passes _BIG bytes."""
    body = end.join(rows) + end
    copies = _BIG // max(len(body), 1) + 1
    text = header + end + body * copies
    return (text if final else text[: -len(end)]).encode("utf-8")


def _both_reads(path, categorical=()):
    """(read_csv with every file taken for repeating, read_csv with none)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(io, "lines_repeat", lambda p: True)
        fast = _read_or_error(path, categorical)
        mp.setattr(io, "lines_repeat", lambda p: False)
        whole = _read_or_error(path, categorical)
    return fast, whole


def _read_or_error(path, categorical):
    try:
        return read_csv(path, delimiter=";", categorical=categorical)
    except InputError as exc:
        return str(exc)


def _same(fast, whole):
    """The same error, or the same columns and texts; a column the whole parse reads as categories
    is read line by line as an Enum of its values in order of first appearance."""
    if isinstance(whole, str):
        assert fast == whole
        return
    assert fast.columns == whole.columns
    for name in whole.columns:
        if whole[name].dtype == pl.Categorical and fast[name].dtype != pl.Categorical:
            assert fast[name].dtype == pl.Enum(whole[name].unique(maintain_order=True).drop_nulls().cast(pl.String))
        else:
            assert fast[name].dtype == whole[name].dtype
    assert fast.cast(pl.String).equals(whole.cast(pl.String))


_CELL = st.sampled_from(["a", "b", "ä", "", " x", "1,5", "07", "y y"])


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(_CELL, _CELL, _CELL), min_size=1, max_size=12),
       crlf=st.booleans(), final=st.booleans(), categorical=st.sampled_from([(), ("a",), ("a", "b", "c")]))
def test_the_read_of_distinct_lines_equals_the_whole_parse(tmp_path_factory, rows, crlf, final, categorical):
    path = tmp_path_factory.mktemp("r") / "t.csv"
    path.write_bytes(_repeated("a;b;c", [";".join(r) for r in rows], end="\r\n" if crlf else "\n", final=final))
    fast, whole = _both_reads(path, categorical)
    _same(fast, whole)


def test_the_read_of_distinct_lines_is_the_one_taken_when_lines_repeat(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_bytes(_repeated("zip;sex;age", ["08150;m;34", "08151;f;", "08150;m;34", "08152;f;51"]))
    taken = []
    real = repeated_lines.read_distinct_lines

    def spy(*args):
        taken.append(real(*args))
        return taken[-1]

    monkeypatch.setattr(repeated_lines, "MIN_BYTES", 1 << 10)
    monkeypatch.setattr(io, "read_distinct_lines", spy)
    frame = read_csv(path, delimiter=";", categorical=["zip", "sex"])
    assert len(taken) == 1 and taken[0] is not None and taken[0].frame.equals(frame)
    assert frame.dtypes == [pl.Enum(["08150", "08151", "08152"]), pl.Enum(["m", "f"]), pl.String]
    lines = path.read_text().splitlines()[1:]
    assert frame.height == len(lines)
    assert [";".join(v or "" for v in row) for row in frame.rows()] == lines  # every record, in file order


@pytest.mark.parametrize(("rows", "why"), [
    (['"a";1', "b;2"], "a quoted field"),
    (["a;1", '"b', 'c";2'], "a line break inside a quoted field"),
    (["a;1", "", "b;2"], "a blank line"),
    (["a;1", "b\x1fc;2"], "the byte that splits no line"),
    (["a;1", "k;v", "b;2"], "a record spelled as the header"),
    (["a;1", "b;2;3"], "a record with too many fields"),
    (["a;1", "b\rx;2"], "a carriage return inside a line"),
])
def test_lines_that_are_not_records_are_left_to_the_whole_parse(tmp_path, rows, why):
    path = tmp_path / "t.csv"
    path.write_bytes(_repeated("k;v", rows))

    def parse(text):
        return pl.read_csv(text, separator=";", infer_schema=False, truncate_ragged_lines=False)

    assert read_distinct_lines(path, parse) is None, why
    fast, whole = _both_reads(path)
    _same(fast, whole)


def test_a_bad_row_is_named_by_its_place_in_the_file(tmp_path):
    path = tmp_path / "t.csv"
    body = _repeated("k;v", ["a;1", "b;2"])
    path.write_bytes(body + b"c;3;4\n" + body.split(b"\n", 1)[1])
    fast, whole = _both_reads(path)
    bad_row = body.count(b"\n")  # the records before it, and the header line
    assert isinstance(whole, str) and f"row {bad_row} " in whole
    assert fast == whole


def test_a_sample_says_whether_lines_repeat(tmp_path, monkeypatch):
    monkeypatch.setattr(repeated_lines, "MIN_BYTES", 1 << 20)
    repeating, distinct, small = tmp_path / "r.csv", tmp_path / "d.csv", tmp_path / "s.csv"
    repeating.write_text("a;b\n" + "".join(f"{i % 300};x\n" for i in range(200_000)))
    distinct.write_text("a;b\n" + "".join(f"{i};x\n" for i in range(200_000)))
    small.write_text("a;b\n" + "1;x\n" * 1000)
    assert repeating.stat().st_size > 1 << 20 and distinct.stat().st_size > 1 << 20
    assert lines_repeat(repeating)
    assert not lines_repeat(distinct)
    assert not lines_repeat(small)  # under MIN_BYTES: parsed whole
    assert not lines_repeat(tmp_path / "missing.csv")  # the whole parse names the error


def test_a_sample_of_one_long_line_says_no(tmp_path, monkeypatch):
    monkeypatch.setattr(repeated_lines, "MIN_BYTES", 1 << 20)
    path = tmp_path / "wide.csv"
    path.write_text("a;b\n" + "x" * (1 << 21) + ";1\n")
    assert not lines_repeat(path)


def test_adult_stacked_is_read_by_its_distinct_lines_with_the_frame_of_the_whole_parse(shared_dir, tmp_path, monkeypatch):
    """ARX's adult stacked four times (10 MB): the sample finds the repeats on its own, and the frame
    is the one the whole parse gives."""
    adult = (shared_dir / "data" / "arx" / "adult" / "adult.csv").read_bytes()
    header, _, records = adult.partition(b"\n")
    path = tmp_path / "stacked.csv"
    path.write_bytes(header + b"\n" + records * 4)
    assert lines_repeat(path)
    taken = []
    real = io.read_distinct_lines
    monkeypatch.setattr(io, "read_distinct_lines", lambda *args: taken.append(real(*args)) or taken[-1])
    quasi = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation"]
    fast = read_csv(path, delimiter=";", categorical=quasi)
    assert len(taken) == 1 and taken[0] is not None
    monkeypatch.setattr(io, "lines_repeat", lambda p: False)
    whole = read_csv(path, delimiter=";", categorical=quasi)
    _same(fast, whole)
    # each record's line is kept beside the frame read line by line (a search groups the lines)
    assert lines_of(whole) is None
    record_line, first_record = lines_of(fast)
    seen: dict[tuple, int] = {}
    first: list[int] = []
    for r, row in enumerate(whole.rows()):  # brute force: each row's number in order of first appearance
        if seen.setdefault(row, len(seen)) == len(first):
            first.append(r)
    assert record_line.tolist() == [seen[row] for row in whole.rows()]
    assert first_record.tolist() == first and len(first) < fast.height
    assert records.endswith(b"\n") and fast.height == 4 * records.count(b"\n")


def test_a_file_smaller_than_the_sample_is_its_own_sample(tmp_path, monkeypatch):
    """Sixteen blocks would overlap: the file's own lines decide (at most a third of them distinct)."""
    monkeypatch.setattr(repeated_lines, "MIN_BYTES", 1 << 10)
    for name, distinct, expected in [("third.csv", 1000, True), ("half.csv", 1500, False), ("all.csv", 3000, False)]:
        path = tmp_path / name
        path.write_text("a;b\n" + "".join(f"{i % distinct};x\n" for i in range(3000)))
        assert lines_repeat(path) is expected, name
