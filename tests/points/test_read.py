"""Input forms of points per record, and their strict validation."""

from __future__ import annotations

import json

import pandas as pd
import polars as pl
import pytest

from unlinkable.cli import main
from unlinkable.errors import ConfigError, InputError
from unlinkable.points.read import from_list_column, read_basket_lines, read_transactions


def test_three_forms_give_the_same_sets(tmp_path):
    lines = tmp_path / "b.txt"
    lines.write_text("milk tea \nbread\n\n")
    long = tmp_path / "t.csv"
    long.write_text("card;sku\nx;milk\ny;bread\nx;tea\n")
    a = read_basket_lines(lines).sets()
    b = read_transactions(long, record="card", item="sku").sets()
    c = from_list_column(pd.DataFrame({"basket": [["milk", "tea"], ["bread"]]}), "basket").sets()
    for p in (b, c):
        assert p.labels == a.labels and p.items.tolist() == a.items.tolist() and p.indptr.tolist() == a.indptr.tolist()


def test_comma_separator_and_time_order(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("a, b,c\nc\n")
    assert read_basket_lines(f, separator=",").lengths().tolist() == [3, 1]
    df = pl.DataFrame({"r": [1, 1, 1], "i": ["a", "b", "c"], "t": ["2024-01-03", "2024-01-01", "2024-01-02"]})
    p = read_transactions(df, record="r", item="i", time="t")
    assert [p.labels[c] for c in p.items] == ["b", "c", "a"]


@pytest.mark.parametrize("text, sep, message", [
    ("a b\n\nc\n", " ", "line 2 is an empty basket"),
    ("a,,b\n", ",", "line 1: an empty item"),
    ("", " ", "no baskets"),
])
def test_bad_basket_lines(tmp_path, text, sep, message):
    f = tmp_path / "b.txt"
    f.write_text(text)
    with pytest.raises(InputError, match=message):
        read_basket_lines(f, separator=sep)


def test_bad_long_tables():
    df = pl.DataFrame({"card": ["x", None], "sku": ["a", "b"], "t": ["1", "soon" * 100]})
    with pytest.raises(InputError, match="column 'card' row 2: the record is missing"):
        read_transactions(df, record="card", item="sku")
    with pytest.raises(ConfigError, match="did you mean 'sku'"):
        read_transactions(df, record="t", item="skus")
    with pytest.raises(InputError, match="row 2: value .*not a number or date-time") as err:
        read_transactions(df, record="sku", item="sku", time="t")
    assert len(str(err.value)) < 300  # the value is truncated


def test_cli_assess_basket_lines(tmp_path, capsys):
    (tmp_path / "b.txt").write_text("1 2 3\n1 2\n1 2 4\n")
    (tmp_path / "job.yaml").write_text("input: {path: b.txt, format: basket-lines}\n"
                                       "assess: {km: {k: 2, m: 2}, unicity: {p: [1, 2], mode: exact}}\n")
    out, rec = tmp_path / "o.json", tmp_path / "r.csv"
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(out), "--records", str(rec)]) == 0
    d = json.loads(out.read_text())
    assert list(d) == ["records", "distinct_items", "unicity", "km"]
    # items 3 and 4 occur once: itemsets {3}, {4}, {1,3}, {2,3}, {1,4}, {2,4} violate k=2
    assert d["km"] == {"k": 2, "m": 2, "violating_itemsets": 6, "affected_records": 2}
    assert d["unicity"][0] == {"p": 1, "value": (1 / 3 + 0 + 1 / 3) / 3, "exact": True, "ci95": None, "eligible_records": 3}
    assert rec.read_text() == "record,smallest_support\n1,1\n2,3\n3,1\n"


def test_cli_strict_job_and_bad_input(tmp_path, capsys):
    (tmp_path / "b.txt").write_text("1 2\n\n3\n")
    (tmp_path / "job.yaml").write_text("input: {path: b.txt, format: basket-lines}\nassess: {km: {k: 2, n: 2}}\n")
    out = tmp_path / "o.json"
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(out)]) == 2
    assert "unknown key 'n'" in capsys.readouterr().err and not out.exists()
    (tmp_path / "job.yaml").write_text("input: {path: b.txt, format: basket-lines}\n")
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(out)]) == 2
    assert "line 2 is an empty basket" in capsys.readouterr().err and not out.exists()


def test_cli_long_table(tmp_path):
    (tmp_path / "t.csv").write_text("card,sku\nAlice,milk\nBob,milk\nAlice,tea\n")
    (tmp_path / "job.yaml").write_text("input: {path: t.csv}\ntransactions: {record: card, item: sku}\n"
                                       "assess: {km: {k: 2, m: 1}, unicity: {p: [1]}}\n")
    out = tmp_path / "o.json"
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(out)]) == 0
    text = out.read_text()
    assert "Alice" not in text and "tea" not in text
    assert json.loads(text)["km"]["affected_records"] == 1
