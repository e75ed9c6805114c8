"""`unlinkable anonymize` on set-valued jobs: the release in the input's form, re-checked by brute force, whole or absent."""

from __future__ import annotations

import json
from collections import Counter

from basket_oracles import min_support  # tests/points/basket_oracles.py

from unlinkable.cli import main

HIERARCHY = "milk;drink;*\ntea;drink;*\ncoffee;drink;*\nbread;food;*\nrice;food;*\nhiv;hiv;*\n"


def run_basket_job(tmp_path, baskets, settings):
    """Write the baskets, the item hierarchy and a basket-lines job with ``settings``; run anonymize; the JSON path."""
    (tmp_path / "b.txt").write_text(baskets)
    (tmp_path / "items.csv").write_text(HIERARCHY)
    (tmp_path / "job.yaml").write_text("input: {path: b.txt, format: basket-lines}\nitems: {hierarchy: items.csv}\n"
                                       + settings + "output: {path: out.txt}\n")
    out = tmp_path / "r.json"
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(out)]) == 0
    return out


def test_basket_lines_release(tmp_path, capsys):
    out = run_basket_job(tmp_path, "milk bread\ntea bread\ncoffee rice\nmilk rice\ntea bread\nmilk\n",
                         "privacy: [{km-anonymity: {k: 2, m: 2}}]\n")
    released = [line.split(" ") if line else [] for line in (tmp_path / "out.txt").read_text().split("\n")[:-1]]
    assert len(released) == 6 and min_support(released, 2) >= 2
    figures = json.loads(out.read_text())
    assert figures["km_after"]["violating_itemsets"] == 0 and figures["km_before"]["violating_itemsets"] > 0
    assert figures["optimal"] is True and figures["suppressed_items"] == 0
    for key in ("generalization", "ncp", "runtime_s", "top_itemsets", "suppressed_occurrences"):
        assert key in figures
    text = out.read_text()
    assert "milk" not in text and "coffee" not in text  # no input item that was generalized away is named
    assert "wrote" in capsys.readouterr().out


def test_long_table_release_renumbers_records(tmp_path):
    (tmp_path / "t.csv").write_text("card,sku,when\nAlice,milk,1\nBob,tea,2\nAlice,bread,3\nCarol,bread,4\nBob,rice,5\n")
    (tmp_path / "items.csv").write_text(HIERARCHY)
    (tmp_path / "job.yaml").write_text(
        "input: {path: t.csv}\ntransactions: {record: card, item: sku, time: when}\nitems: {hierarchy: items.csv}\n"
        "privacy: [{km-anonymity: {k: 2, m: 1}}]\noutput: {path: out.csv}\n")
    assert main(["anonymize", str(tmp_path / "job.yaml")]) == 0
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0] == "card,sku" and "Alice" not in "\n".join(lines)
    baskets: dict[str, list[str]] = {}
    for line in lines[1:]:
        record, item = line.split(",")
        baskets.setdefault(record, []).append(item)
    assert sorted(baskets) == ["1", "2", "3"] and min_support(list(baskets.values()), 1) >= 2


def test_rho_uncertainty_and_suppression_through_the_job(tmp_path):
    out = run_basket_job(tmp_path, "milk hiv\ntea\nbread\nbread rice\nmilk tea\nrice\n",
                         "suppression_limit: 0.2\nprivacy: [{rho-uncertainty: {rho: 0.5, sensitive_items: [hiv], m: 1}}]\n")
    figures = json.loads(out.read_text())
    assert figures["rho_before"]["violating_rules"] == 1 and figures["rho_after"]["violating_rules"] == 0
    assert figures["optimal"] is False


def test_no_solution_or_bad_job_writes_nothing(tmp_path, capsys):
    (tmp_path / "b.txt").write_text("milk\ntea\n")
    (tmp_path / "items.csv").write_text(HIERARCHY)
    job = tmp_path / "job.yaml"
    job.write_text("input: {path: b.txt, format: basket-lines}\nitems: {hierarchy: items.csv}\n"
                   "privacy: [{km-anonymity: {k: 3, m: 1}}]\noutput: {path: out.txt}\n")
    out = tmp_path / "r.json"
    assert main(["anonymize", str(job), "--json", str(out)]) == 2
    assert "cannot be 3^1-anonymous" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "out.txt").exists()
    job.write_text("input: {path: b.txt, format: basket-lines}\nprivacy: [{km-anonymity: {k: 2}}]\noutput: {path: out.txt}\n")
    assert main(["anonymize", str(job)]) == 2
    assert "needs an item hierarchy" in capsys.readouterr().err
    job.write_text("input: {path: b.txt, format: basket-lines}\nitems: {fanout: 2}\nprivacy: [{km-anonymity: {kk: 2}}]\n")
    assert main(["anonymize", str(job)]) == 2
    assert "unknown key 'kk'" in capsys.readouterr().err


def test_the_job_schema_knows_every_set_valued_model():
    from unlinkable.points.anonymize import MODELS
    from unlinkable.spec import parse_spec

    for name in MODELS:
        assert name in str(parse_spec({"input": {"path": "b.txt", "format": "basket-lines"}}, kind="points").model_json_schema())


def test_relational_and_transaction_data_hold_both_guarantees(tmp_path, capsys):
    rows = ["card,age,sku"] + [f"c{i},{30 + i % 4},{item}" for i in range(8) for item in (["milk", "bread"] if i % 2 else ["tea"])]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "items.csv").write_text(HIERARCHY)
    (tmp_path / "age.csv").write_text("30;30-31;*\n31;30-31;*\n32;32-33;*\n33;32-33;*\n")
    job = tmp_path / "job.yaml"
    job.write_text("input: {path: t.csv}\ntransactions: {record: card, item: sku}\nitems: {hierarchy: items.csv}\n"
                   "attributes: {age: {role: quasi-identifier, hierarchy: age.csv}}\n"
                   "privacy: [{k-anonymity: {k: 2}}, {km-anonymity: {k: 2, m: 2}}]\noutput: {path: out.csv}\n")
    out = tmp_path / "r.json"
    assert main(["anonymize", str(job), "--json", str(out)]) == 0, capsys.readouterr().err
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0] == "card,sku,age"
    records: dict[str, tuple[str, list[str]]] = {}
    for line in lines[1:]:
        record, item, age = line.split(",")
        records.setdefault(record, (age, []))[1].append(item)
    classes = Counter(age for age, _ in records.values())
    assert min(classes.values()) >= 2
    for age in classes:  # k^m within each class of the quasi-identifiers
        assert min_support([items for a, items in records.values() if a == age], 2) >= 2
    figures = json.loads(out.read_text())
    assert figures["relational"]["k"] == 2 and figures["relational"]["quasi_identifiers"] == ["age"]
    (tmp_path / "t.csv").write_text("card,age,sku\nx,30,milk\nx,31,tea\ny,30,tea\n")
    assert main(["anonymize", str(job)]) == 2
    assert "column 'age' row 2" in capsys.readouterr().err
