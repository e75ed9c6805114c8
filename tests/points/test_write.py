"""A set-valued release reads back with its job's own input settings: every form, every record that can be written.

The data are hand-made so that the greedy search suppresses one item (the hiv record holds nothing
else, and lifting hiv would take every item to the top: NCP 1 against 1/occurrences), which leaves a
record without items: it must be left out, counted, and the file must still read back.
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from basket_oracles import min_support  # tests/points/basket_oracles.py

from unlinkable.cli import main
from unlinkable.points.read import read_basket_lines, read_transactions

HIERARCHY = "milk;drink;*\ntea;drink;*\nbread;food;*\nrice;food;*\nhiv;hiv;*\n"
#: 7 baskets, 10 item occurrences; the 4th holds hiv only
BASKETS = [["milk", "bread"], ["milk", "bread"], ["tea", "rice"], ["hiv"], ["tea", "rice"], ["milk"], ["bread"]]


def _anonymize(tmp_path, job_text, capsys):
    (tmp_path / "items.csv").write_text(HIERARCHY)
    (tmp_path / "job.yaml").write_text(job_text + "items: {hierarchy: items.csv}\nsuppression_limit: 0.1\n"
                                       "privacy: [{km-anonymity: {k: 2, m: 1}}]\n")
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "r.json")]) == 0, capsys.readouterr().err
    return json.loads((tmp_path / "r.json").read_text())


@pytest.mark.parametrize("separator", [" ", ","])
def test_basket_lines_without_items_are_left_out_and_the_file_reads_back(tmp_path, capsys, separator):
    (tmp_path / "b.txt").write_text("".join(separator.join(b) + "\n" for b in BASKETS))
    figures = _anonymize(tmp_path, f"input: {{path: b.txt, format: basket-lines, separator: '{separator}'}}\n"
                                   "output: {path: out.txt}\n", capsys)
    assert "1 records left out" in capsys.readouterr().out
    back = read_basket_lines(tmp_path / "out.txt", separator=separator)  # the job's own reader and separator
    baskets = [[back.labels[c] for c in back.items[a:b]] for a, b in zip(back.indptr[:-1], back.indptr[1:])]
    assert len(baskets) == 6 and all(baskets) and "hiv" not in back.labels
    assert min_support(baskets, 1) >= 2
    assert (figures["records"], figures["released_records"], figures["suppressed_records"]) == (7, 6, 1)
    assert figures["records_without_items"] == 1 and figures["suppressed_occurrences"] == 1
    assert figures["columns"] == {"released": [], "not_released": []}
    # only hiv is below k=2 (milk and bread 3 records, tea and rice 2): the input in order, hiv's record left out
    assert [sorted(b) for b in baskets] == [sorted(b) for b in BASKETS if b != ["hiv"]]


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_long_tables_read_back_and_times_are_not_released(tmp_path, capsys, suffix):
    rows = [(f"p{r}", item, f"2026-01-0{1 + (r + j) % 9}") for r, b in enumerate(BASKETS) for j, item in enumerate(b)]
    frame = pl.DataFrame(rows, schema=["card", "sku", "when"], orient="row")
    if suffix == "csv":
        frame.write_csv(tmp_path / f"t.{suffix}")
    else:
        frame.write_parquet(tmp_path / f"t.{suffix}")
    figures = _anonymize(tmp_path, f"input: {{path: t.{suffix}}}\ntransactions: {{record: card, item: sku, time: when}}\n"
                                   f"output: {{path: out.{suffix}}}\n", capsys)
    assert "not released (no model covers them): when" in capsys.readouterr().out
    assert figures["columns"] == {"released": ["card", "sku"], "not_released": ["when"]}
    out = tmp_path / f"out.{suffix}"
    table = pl.read_csv(out) if suffix == "csv" else pl.read_parquet(out)
    assert table.columns == ["card", "sku"]  # no time column, and no identifier
    back = read_transactions(out, record="card", item="sku")
    assert back.records == figures["released_records"] == 6 and figures["suppressed_records"] == 1
    assert sorted(set(table["card"].to_list())) == list(range(1, 7))
    # the real command reads the release back with the job's input settings (the time, not released, left out)
    (tmp_path / "again.yaml").write_text(f"input: {{path: out.{suffix}}}\ntransactions: {{record: card, item: sku}}\n"
                                         "assess: {km: {k: 2, m: 1}, unicity: {p: [1]}}\n")
    assert main(["assess", str(tmp_path / "again.yaml"), "--json", str(tmp_path / "again.json")]) == 0
    again = json.loads((tmp_path / "again.json").read_text())
    assert again["records"] == 6 and again["km"]["violating_itemsets"] == 0


def test_relational_records_of_a_class_left_below_k_are_suppressed_too(tmp_path, capsys):
    # ages 30 x3 and 40 x3 are 3-anonymous as they are; in the 30s hiv is suppressed (k^m within the class),
    # its record has no item left, and the class keeps 2 < 3 released records: all three are left out
    baskets = [("30", ["milk"]), ("30", ["milk"]), ("30", ["hiv"]), ("40", ["bread"]), ("40", ["bread"]), ("40", ["bread"])]
    rows = ["card,age,sku"] + [f"c{i},{age},{item}" for i, (age, items) in enumerate(baskets) for item in items]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "items.csv").write_text(HIERARCHY)
    (tmp_path / "age.csv").write_text("30;30-49;*\n40;30-49;*\n")
    (tmp_path / "job.yaml").write_text(
        "input: {path: t.csv}\ntransactions: {record: card, item: sku}\nitems: {hierarchy: items.csv}\n"
        "attributes: {age: {role: quasi-identifier, hierarchy: age.csv}}\nsuppression_limit: 0.2\n"
        "privacy: [{k-anonymity: {k: 3}}, {km-anonymity: {k: 2, m: 1}}]\noutput: {path: out.csv}\n")
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "r.json")]) == 0, capsys.readouterr().err
    figures = json.loads((tmp_path / "r.json").read_text())
    assert (figures["released_records"], figures["suppressed_records"], figures["records_without_items"]) == (3, 3, 1)
    assert figures["relational"]["suppressed_records"] == 2 and figures["relational"]["classes"] == 1
    assert (tmp_path / "out.csv").read_text() == "card,sku,age\n1,bread,40\n2,bread,40\n3,bread,40\n"
    back = read_transactions(tmp_path / "out.csv", record="card", item="sku")
    assert back.records == 3


def test_a_label_that_would_not_read_back_writes_nothing(tmp_path, capsys):
    (tmp_path / "b.txt").write_text("milk,tea\nmilk\ntea\n")
    (tmp_path / "items.csv").write_text("milk; drink ;*\ntea; drink ;*\n")
    (tmp_path / "job.yaml").write_text("input: {path: b.txt, format: basket-lines, separator: ','}\n"
                                       "items: {hierarchy: items.csv}\nprivacy: [{km-anonymity: {k: 3, m: 1}}]\n"
                                       "output: {path: out.txt}\n")
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "r.json")]) == 2
    assert "would not read back" in capsys.readouterr().err
    assert not (tmp_path / "out.txt").exists() and not (tmp_path / "r.json").exists()
