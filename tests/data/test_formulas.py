"""CSV formula escaping (issue 8 item 7): hand-worked tables, a property against a brute-force oracle,
and the anonymize command end to end."""

import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.cli import main
from unlinkable.data.formulas import TRIGGERS, _may_hold_formula, escape_for_csv, escape_formulas
from unlinkable.errors import VerificationError


def test_hand_worked_table():
    frame = pl.DataFrame({
        "name": ["=HYPERLINK(\"x\")", "+49 30 1234", "-", "@SUM(A1)", "\tcmd", "\rcmd", "plain", None],
        "amount": ["-3", "+1.5e3", "-0.5", ".5", "-1e-3", "12", "-x", "+"],
        "count": [1, -2, 3, 4, 5, 6, 7, 8],
    })
    out, done = escape_formulas(frame)
    assert out["name"].to_list() == ["'=HYPERLINK(\"x\")", "'+49 30 1234", "'-", "'@SUM(A1)", "'\tcmd", "'\rcmd", "plain", None]
    # numbers are never changed; "-x" and a lone "+" are not numbers
    assert out["amount"].to_list() == ["-3", "+1.5e3", "-0.5", ".5", "-1e-3", "12", "'-x", "'+"]
    assert out["count"].to_list() == frame["count"].to_list()
    assert done.columns == {"name": 6, "amount": 2} and done.cells == 8
    assert done.to_dict() == {"enabled": True, "escaped_cells": 8, "columns": {"name": 6, "amount": 2}, "headers": []}


def test_hand_worked_headers():
    frame = pl.DataFrame({"=cmd|' /C calc'!A0": ["a"], "+49": ["=1"], "-3": [1], "1e5": [2], "@": [3], "plain": [4]})
    out, done = escape_formulas(frame)
    # the header row is text cells too; "-3" and "1e5" read as numbers and are left alone
    assert out.columns == ["'=cmd|' /C calc'!A0", "+49", "-3", "1e5", "'@", "plain"]
    assert out.row(0) == ("a", "'=1", 1, 2, 3, 4)
    assert done.headers == ("=cmd|' /C calc'!A0", "@") and done.columns == {"+49": 1} and done.cells == 3
    assert done.to_dict()["escaped_cells"] == 3


def test_a_header_that_would_take_another_columns_name_is_refused():
    with pytest.raises(VerificationError, match="column '@a'.*name of another column"):
        escape_formulas(pl.DataFrame({"@a": [1], "'@a": [2]}))


def test_off_changes_nothing():
    frame = pl.DataFrame({"a": ["=1"]})
    out, done = escape_formulas(frame, enabled=False)
    assert out.equals(frame) and done.to_dict() == {"enabled": False, "escaped_cells": 0, "columns": {}, "headers": []}


def test_parquet_is_left_alone():
    frame = pl.DataFrame({"a": ["=1"]})
    assert escape_for_csv(frame, "x.parquet")[0].equals(frame)
    assert escape_for_csv(frame, "x.csv")[0]["a"].to_list() == ["'=1"]


def test_merging_two_values_is_refused():
    with pytest.raises(VerificationError, match="column 'a'"):
        escape_formulas(pl.DataFrame({"a": ["=a", "'=a"]}))


def _oracle(cell):
    import re

    if cell is None or cell[:1] not in ("=", "+", "-", "@", "\t", "\r"):
        return cell
    if re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", cell):
        return cell
    return "'" + cell


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="=+-@\t\r'.eE0123456789ax ", max_size=6)), min_size=1, max_size=30))
def test_matches_cell_by_cell_oracle(cells):
    frame = pl.DataFrame({"a": cells}, schema={"a": pl.String})
    expected = [_oracle(c) for c in cells]
    distinct = len(set(cells)) == len(set(expected))
    if not distinct:
        with pytest.raises(VerificationError):
            escape_formulas(frame)
        return
    out, done = escape_formulas(frame)
    assert out["a"].to_list() == expected
    assert done.cells == sum(a != b for a, b in zip(cells, expected))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="=+-@'0ax", max_size=4)), min_size=1, max_size=30),
       st.lists(st.text(alphabet="=+-@'0ax", max_size=4), max_size=4), st.sampled_from(["enum", "categorical"]))
def test_enum_and_categorical_columns_match_the_oracle(cells, unused, kind):
    """A released quasi-identifier is an Enum: escaped in its labels (unused ones too), counted per cell."""
    labels = list(dict.fromkeys([c for c in cells if c is not None] + unused))
    dtype = pl.Enum(labels) if kind == "enum" else pl.Categorical
    frame = pl.DataFrame({"a": pl.Series(cells, dtype=pl.String).cast(dtype), "n": list(range(len(cells)))})
    expected = [_oracle(c) for c in cells]
    if len(set(cells)) != len(set(expected)):
        with pytest.raises(VerificationError, match="column 'a'"):
            escape_formulas(frame)
        return
    out, done = escape_formulas(frame)
    assert out["a"].cast(pl.String).to_list() == expected and out["n"].to_list() == frame["n"].to_list()
    cells_escaped = sum(a != b for a, b in zip(cells, expected))
    assert done.cells == cells_escaped and done.columns == ({"a": cells_escaped} if cells_escaped else {})


_CELL = st.one_of(st.none(), st.text(alphabet="=+-@\t\r'.0a é€", max_size=20))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_CELL, max_size=12), min_size=1, max_size=3), st.integers(0, 3))
def test_first_byte_screen_matches_the_first_characters(chunks, skip):
    """The string-view screen says True exactly when a cell starts with a trigger, over short
    (inlined) and long cells, multi-byte characters, nulls, several chunks and a sliced column."""
    series = pl.concat([pl.Series("a", c, dtype=pl.String) for c in chunks], rechunk=False)[skip:]
    cells = series.to_list()
    starts = any(c is not None and c[:1] in TRIGGERS for c in cells)
    screened = _may_hold_formula(series)
    # a null's view is unspecified by Arrow: it may only make the screen say True (then cells are checked)
    assert screened == starts or (screened and None in cells)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="=+-@\t\r'.eE0123456789ax ", min_size=1, max_size=5), min_size=1, max_size=8,
                unique=True))
def test_headers_match_the_cell_oracle(names):
    frame = pl.DataFrame({name: [i] for i, name in enumerate(names)})
    expected = [_oracle(name) for name in names]
    if any(e != n and e in names for e, n in zip(expected, names)):  # "=a" beside "'=a"
        with pytest.raises(VerificationError):
            escape_formulas(frame)
        return
    out, done = escape_formulas(frame)
    assert out.columns == expected and out.row(0) == tuple(range(len(names)))
    assert done.cells == len(done.headers) == sum(e != n for e, n in zip(expected, names))


def _job(tmp_path, *, escape=None):
    rows = ["age,sex,note,@flag"] + [f"{30 + i % 2},{'fm'[i % 2]},{'=1+1' if i == 0 else '-2' if i == 1 else 'ok'},{i % 3}"
                                     for i in range(10)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    out = "{path: out.csv" + ("" if escape is None else f", escape_formulas: {escape}") + ", report: r.html}"
    (tmp_path / "job.yaml").write_text(
        "input: {path: d.csv}\n"
        "attributes:\n"
        "  age: {role: quasi-identifier, intervals: [10]}\n"
        "  sex: {role: quasi-identifier, masking: {}}\n"
        "  note: {role: insensitive}\n"
        "  '@flag': {role: insensitive}\n"
        "privacy: [{k-anonymity: {k: 2}}]\n"
        f"output: {out}\n")
    return tmp_path / "job.yaml"


def test_anonymize_escapes_and_counts(tmp_path):
    job = _job(tmp_path)
    assert main(["anonymize", str(job), "--json", str(tmp_path / "r.json")]) == 0
    released = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert released.columns == ["age", "sex", "note", "'@flag"]
    notes = released["note"].to_list()
    assert notes[0] == "'=1+1" and notes[1] == "-2" and notes[2:] == ["ok"] * 8
    assert released["'@flag"].to_list() == [str(i % 3) for i in range(10)]  # numbers never change
    figures = json.loads((tmp_path / "r.json").read_text())["formula_escaping"]
    assert figures == {"enabled": True, "escaped_cells": 2, "columns": {"note": 1}, "headers": ["@flag"]}
    report = (tmp_path / "r.html").read_text()
    assert "Cells escaped against spreadsheet formulas" in report and "the header cell of @flag" in report


def test_anonymize_escaping_switched_off(tmp_path):
    job = _job(tmp_path, escape="false")
    assert main(["anonymize", str(job), "--json", str(tmp_path / "r.json")]) == 0
    released = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert released["note"][0] == "=1+1" and released.columns[-1] == "@flag"
    assert json.loads((tmp_path / "r.json").read_text())["formula_escaping"]["enabled"] is False
    assert "escaping switched off" in (tmp_path / "r.html").read_text()


def test_anonymize_escapes_a_quasi_identifiers_labels(tmp_path):
    """A hierarchy label a spreadsheet would run is escaped in the released (Enum) column."""
    (tmp_path / "d.csv").write_text("zip,note\n" + "".join(f"{z},n\n" for z in ["81667", "81675"] * 3))
    (tmp_path / "h.csv").write_text("81667;=816**;*\n81675;=816**;*\n")
    (tmp_path / "job.yaml").write_text(
        "input: {path: d.csv}\nattributes:\n  zip: {role: quasi-identifier, hierarchy: h.csv}\n"
        "  note: {role: insensitive}\nprivacy: [{k-anonymity: {k: 4}}]\noutput: {path: out.csv}\n")
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "r.json")]) == 0
    assert pl.read_csv(tmp_path / "out.csv", infer_schema=False)["zip"].to_list() == ["'=816**"] * 6
    figures = json.loads((tmp_path / "r.json").read_text())["formula_escaping"]
    assert figures == {"enabled": True, "escaped_cells": 6, "columns": {"zip": 6}, "headers": []}


def test_escape_formulas_must_be_boolean(tmp_path):
    job = _job(tmp_path, escape="'no'")
    assert main(["anonymize", str(job)]) == 2
    assert not (tmp_path / "out.csv").exists()
