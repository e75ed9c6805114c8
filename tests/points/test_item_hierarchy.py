"""Item hierarchies: builders, and coarsened figures equal to the figures of coarsened baskets."""

from __future__ import annotations

import json

import pytest

from unlinkable.cli import main
from unlinkable.errors import HierarchyError
from unlinkable.points.assess import assess_points
from unlinkable.points.encoded import Points
from unlinkable.points.hierarchy import coarsen, encode_items, fanout, from_parent_child


def test_fanout_groups_in_numeric_order():
    h = fanout(["10", "9", "2", "100"], fanout=2)
    assert [r[0] for r in h.rows] == ["2", "9", "10", "100"]
    assert [r[1] for r in h.rows] == ["2-9", "2-9", "10-100", "10-100"]
    assert {r[-1] for r in h.rows} == {"*"}
    with pytest.raises(HierarchyError, match="not a whole number"):
        fanout(["1", "x"])


@pytest.mark.parametrize("text, message", [
    ("a,b\na,c\n", "two parents"),
    ("a,b\nb,a\n", "cycle"),
    ("a\n", "not 'child,parent'"),
])
def test_parent_child_errors(tmp_path, text, message):
    f = tmp_path / "t.csv"
    f.write_text(text)
    with pytest.raises(HierarchyError, match=message):
        from_parent_child(f)


def test_parent_child_adds_a_top_for_several_roots(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("a,x\nb,y\n")
    assert from_parent_child(f).rows == (("a", "x", "*"), ("b", "y", "*"))


def test_coarsened_figures_equal_figures_of_relabelled_baskets():
    rows = [["1", "2"], ["2", "3"], ["3", "4"], ["1", "4"]]
    pts = Points.from_codes([r for r, row in enumerate(rows) for _ in row], [int(i) - 1 for row in rows for i in row],
                            labels=("1", "2", "3", "4"))
    h = fanout(pts.labels, fanout=2)
    got = assess_points(pts, k=2, m=2, ps=[1, 2], hierarchy=h).to_dict()["coarsened"][0]
    # by hand: level 1 relabels 1,2 -> A and 3,4 -> B: baskets {A}, {A,B}, {B}, {A,B}
    by_hand = Points.from_codes([0, 1, 1, 2, 3, 3], [0, 0, 1, 1, 0, 1], labels=("A", "B"))
    expected = assess_points(by_hand, k=2, m=2, ps=[1, 2]).to_dict()
    assert got["level"] == 1 and got["km"] == expected["km"] and got["unicity"] == expected["unicity"]
    assert coarsen(pts, encode_items(pts, h), 1).sets().lengths().tolist() == [1, 2, 1, 2]


def test_job_with_hierarchy_file(tmp_path):
    (tmp_path / "b.txt").write_text("milk tea\nmilk\ntea bread\n")
    (tmp_path / "h.csv").write_text("milk;drink;*\ntea;drink;*\nbread;food;*\n")
    (tmp_path / "job.yaml").write_text("input: {path: b.txt, format: basket-lines}\nitems: {hierarchy: h.csv}\n"
                                       "assess: {km: {k: 2, m: 1}, unicity: {p: [1], mode: exact}}\n")
    out = tmp_path / "o.json"
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    assert [c["level"] for c in d["coarsened"]] == [1, 2]
    assert d["coarsened"][0]["distinct_items"] == 2 and d["coarsened"][0]["km"]["affected_records"] == 1
    (tmp_path / "h.csv").write_text("milk;drink;*\n")
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(out)]) == 2
