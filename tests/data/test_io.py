from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.data.io import atomic_write, read_csv, read_table, sniff_delimiter, write_table
from unlinkable.errors import InputError


@pytest.mark.parametrize(
    "raw",
    [b"a;b\r\n1;x\r\n2;y\r\n", b"a;b\n1;x\n2;y\n", b"a;b\r\n1;x\r\n2;y", b"a;b\n1;x\n2;y"],
    ids=["crlf", "lf", "crlf-no-final-newline", "lf-no-final-newline"],
)
def test_arx_style_files_read_the_same(tmp_path, raw):
    p = tmp_path / "t.csv"
    p.write_bytes(raw)
    frame = read_csv(p)
    assert frame.columns == ["a", "b"]
    assert frame.rows() == [("1", "x"), ("2", "y")]


def test_values_keep_their_spelling(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("zip,age\n08150,007\n")
    assert read_csv(p).row(0) == ("08150", "007")


def test_empty_field_is_null(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b\n1,\n")
    assert read_csv(p)["b"].to_list() == [None]


@pytest.mark.parametrize("name", ["y*.csv", "x[1].csv", "z?.csv"])
def test_a_file_name_with_glob_characters_is_that_file_only(tmp_path, name):
    # polars expands a path it is given as a glob: the parser is handed the file's bytes instead
    (tmp_path / name).write_text("a;b\n1;2\n")
    (tmp_path / "yz.csv").write_text("a;b\n3;4\n")
    (tmp_path / "z1.csv").write_text("a;b\n5;6\n")
    assert read_csv(tmp_path / name).rows() == [("1", "2")]


@pytest.mark.parametrize("name", ["big.csv", "b*g.csv", "b[1].csv"])
def test_a_large_file_read_by_path_equals_the_same_bytes_read_in_memory(tmp_path, name):
    """Files over 64 KiB are handed to polars by path (no glob); a byte-order mark makes read_csv
    take the bytes route, which must give the same frame, and a multi-byte character cut by the
    64 KiB head is no encoding error."""
    rows = [f"{i};{'ä' if i % 3 else 'b'}{i % 7};x{i}" for i in range(12_000)]
    # a longer last column name moves the head's end into the two bytes of an ä
    pad = next(p for p in range(64) if ("id;v;w" + "w" * p + "\n" + "\n".join(rows)).encode("utf-8")[(1 << 16) - 1] == 0xC3)
    body = ("id;v;w" + "w" * pad + "\n" + "\n".join(rows) + "\n").encode("utf-8")
    (tmp_path / name).write_bytes(body)
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + body)
    (tmp_path / "bg.csv").write_bytes(b"id;v;w\n0;0;0\n")   # what a glob of b*g.csv would also match
    with pytest.raises(UnicodeDecodeError):
        body[:1 << 16].decode("utf-8")
    by_path = read_csv(tmp_path / name, categorical=["v"])
    in_memory = read_csv(tmp_path / "bom.csv", categorical=["v"])
    assert by_path.height == 12_000
    assert by_path.equals(in_memory)
    assert by_path["v"].cast(pl.String).to_list() == [r.split(";")[1] for r in rows]


def test_a_polars_without_the_glob_option_reads_the_bytes(tmp_path, monkeypatch):
    import unlinkable.data.io as io

    rows = "".join(f"{i};a{i % 5}\n" for i in range(20_000))
    p = tmp_path / "b*g.csv"
    p.write_text("id;v\n" + rows)
    (tmp_path / "bg.csv").write_text("id;v\n0;0\n")
    by_path = read_csv(p)
    monkeypatch.setattr(io, "_READS_ONE_PATH", False)
    assert read_csv(p).equals(by_path) and by_path.height == 20_000


def test_a_short_row_in_a_large_file_is_named(tmp_path):
    rows = [f"{i};a;b" for i in range(30_000)]
    rows[20_000] = "20000;a"
    p = tmp_path / "short.csv"
    p.write_text("id;v;w\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError, match="row 20001"):
        read_csv(p)


def test_sniffing():
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a\tb") == "\t"
    assert sniff_delimiter("single") == ","


def test_empty_file_is_a_clear_error(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_csv(p)


def test_header_only_is_a_clear_error(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("a,b\n")
    with pytest.raises(InputError, match="no records"):
        read_csv(p)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_table(tmp_path / "nope.csv")


def test_ragged_csv_is_a_clear_error(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("a,b\n1,2,3\n")
    with pytest.raises(InputError, match="delimiter"):
        read_csv(p)


def test_pandas_and_polars_in(tmp_path):
    pd = pytest.importorskip("pandas")
    assert read_table(pd.DataFrame({"a": [1, 2]})).shape == (2, 1)
    assert read_table(pl.DataFrame({"a": [1]}).lazy()).shape == (1, 1)


def test_parquet_round_trip(tmp_path):
    frame = pl.DataFrame({"a": ["1", None], "b": ["x", "y"]})
    p = write_table(frame, tmp_path / "o.parquet")
    assert read_table(p).equals(frame)


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.csv"

    def boom(path):
        path.write_text("half")
        raise RuntimeError("fail")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_uses_ordinary_permissions(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        target = atomic_write(tmp_path / "o.txt", lambda p: p.write_text("x"))
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_repeated_column_name_is_an_error(tmp_path):
    # Renaming the repeat would release an unexamined raw copy of a quasi-identifier (issue 8).
    path = tmp_path / "dup.csv"
    path.write_text("zip;age;zip\n81675;34;81675\n")
    with pytest.raises(InputError, match=r"dup.csv: column 'zip' appears twice in the header \(columns 1 and 3\)"):
        read_table(path)
    path.write_text('zip,"age",age \n81675,34,34\n')
    with pytest.raises(InputError, match="column 'age' appears twice"):
        read_table(path)


def test_a_repeated_column_name_in_a_pandas_frame_is_an_error():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([[1, 2, 3]], columns=["a", "b", "a"])
    with pytest.raises(InputError, match="column 'a' appears twice"):
        read_table(frame)


def test_categorical_columns_read_the_same_text(tmp_path):
    # The anonymize command reads its quasi-identifiers as categories: the same texts, nulls and
    # CRLF handling as text columns (a last column included).
    path = tmp_path / "t.csv"
    path.write_bytes(b"zip;age;sex\r\n08150;34;m\r\n08151;;f\r\n08150;35;\r\n08150;34;m")
    text = read_csv(path)
    both = read_csv(path, categorical=["zip", "sex", "nope"])
    assert both.schema["zip"] == pl.Categorical and both.schema["sex"] == pl.Categorical
    assert both.schema["age"] == pl.String
    for name in text.columns:
        assert both[name].cast(pl.String).to_list() == text[name].to_list()


# --- a read begun ahead (read_ahead), taken by the read_csv that asks for exactly it ---------------

@pytest.fixture
def counted_parses(monkeypatch):
    """Every parse of a CSV file (on any thread); no read ahead is left behind."""
    import unlinkable.data.io as io

    calls: list[str] = []
    parse = io._parse_csv

    def counting(*args):
        calls.append(str(args[0]))
        return parse(*args)

    monkeypatch.setattr(io, "_parse_csv", counting)
    yield calls
    if io._ahead is not None:
        io._ahead._thread.join()
    io._ahead = None


def _plain(path, **kwargs):
    import unlinkable.data.io as io

    return io._parse_csv(path, kwargs.get("delimiter"), frozenset(kwargs.get("categorical", ())))


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["a", "b", "0x"]), st.sampled_from(["1", "22", ""])), min_size=1, max_size=8),
       categorical=st.sets(st.sampled_from(["k", "v"])))
def test_a_read_ahead_is_the_read(tmp_path_factory, rows, categorical):
    import unlinkable.data.io as io

    p = tmp_path_factory.mktemp("ahead") / "t.csv"
    p.write_text("k;v\n" + "".join(f"{k};{v}\n" for k, v in rows))
    io.read_ahead(p, delimiter=";", categorical=sorted(categorical))
    taken = read_csv(p, delimiter=";", categorical=list(categorical))
    assert io._ahead is None  # taken, and let go
    assert taken.equals(_plain(p, delimiter=";", categorical=categorical))


def test_the_read_that_asks_for_the_read_ahead_does_not_parse_again(tmp_path, counted_parses):
    from unlinkable.data.io import read_ahead

    p = tmp_path / "t.csv"
    p.write_text("a;b\n1;x\n")
    read_ahead(p, delimiter=";", categorical=["b"])
    assert read_csv(p, delimiter=";", categorical=["b"]).rows() == [("1", "x")]
    assert counted_parses == [str(p)]


@pytest.mark.parametrize("other", [dict(delimiter=None, categorical=["b"]), dict(delimiter=";", categorical=[]),
                                   dict(delimiter=";", categorical=["a", "b"])],
                         ids=["delimiter", "fewer-categories", "more-categories"])
def test_another_read_of_the_file_reads_it_itself(tmp_path, counted_parses, other):
    from unlinkable.data.io import read_ahead

    p = tmp_path / "t.csv"
    p.write_text("a;b\n1;x\n")
    read_ahead(p, delimiter=";", categorical=["b"])
    frame = read_csv(p, **other)
    assert len(counted_parses) == 2  # the read ahead, and this one
    assert frame.equals(_plain(p, **other))


def test_a_file_changed_after_the_read_ahead_began_is_read_again(tmp_path, counted_parses):
    import unlinkable.data.io as io

    p = tmp_path / "t.csv"
    p.write_text("a;b\n1;x\n")
    io.read_ahead(p, delimiter=";")
    io._ahead._thread.join()
    p.write_text("a;b\n2;y\n3;z\n")
    assert read_csv(p, delimiter=";").rows() == [("2", "y"), ("3", "z")]


def test_the_read_aheads_error_is_the_reads_error(tmp_path, counted_parses):
    from unlinkable.data.io import read_ahead

    p = tmp_path / "t.csv"
    p.write_text("a;b\n1;x\n2;y;extra\n")
    with pytest.raises(InputError) as plain:
        read_csv(p, delimiter=";")
    read_ahead(p, delimiter=";")
    with pytest.raises(InputError) as ahead:
        read_csv(p, delimiter=";")
    assert str(ahead.value) == str(plain.value)
    assert "row 2" in str(ahead.value)
    assert len(counted_parses) == 2  # the plain read and the read ahead: its error was raised, not met again
