"""Set-valued reports: the sections are there, and no basket, record or item label of the data is in the HTML."""

from __future__ import annotations

from unlinkable.cli import main

HIERARCHY = "milk;drink;*\ntea;drink;*\ncoffee;drink;*\nbread;food;*\nrice;food;*\n"


def test_assess_and_anonymize_reports_name_no_item(tmp_path):
    (tmp_path / "b.txt").write_text("milk bread\ntea bread\ncoffee rice\nmilk rice\ntea bread\nmilk\n")
    (tmp_path / "items.csv").write_text(HIERARCHY)
    (tmp_path / "job.yaml").write_text(
        "input: {path: b.txt, format: basket-lines}\nitems: {hierarchy: items.csv}\n"
        "assess: {km: {k: 2, m: 2}, unicity: {p: [1, 2], mode: exact}}\n"
        "privacy: [{km-anonymity: {k: 2, m: 2}}]\noutput: {path: out.txt, report: release.html}\n")
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "a.json"),
                 "--report", str(tmp_path / "assess.html")]) == 0
    assert main(["anonymize", str(tmp_path / "job.yaml")]) == 0
    assess, release = (tmp_path / "assess.html").read_text(), (tmp_path / "release.html").read_text()
    for html in (assess, release):
        for item in ("milk", "tea", "coffee", "bread", "rice", "drink"):
            assert item not in html
    assert "Unicity against resolution" in assess and "k^m violations by itemset size" in assess
    assert "What to do" in assess and "km-anonymity" in assess
    assert "holds on the release" in release and "How the items were generalized" in release


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from unlinkable.report.views.points import render_points  # noqa: E402

KEYS = ["records", "distinct_items", "unicity", "km", "km_by_size", "coarsened", "km_before", "km_after", "rho_before",
        "rho_after", "generalization", "ncp", "top_itemsets", "optimal", "suppressed_occurrences", "released_items"]


@settings(max_examples=60, deadline=None)
@given(payload=st.dictionaries(st.sampled_from(KEYS), st.recursive(
           st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=True) | st.text(max_size=5),
           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["k", "m", "p", "value", "level", "items",
                                                                                         "affected_records", "violating_by_size"]),
                                                                        inner, max_size=4), max_leaves=10), max_size=8),
       kind=st.sampled_from(["points-assess", "points-anonymize"]))
def test_malformed_payloads_never_crash(payload, kind):
    assert "</html>" in render_points(kind, payload, generated_at="t")


def test_text_is_escaped_and_nothing_is_fetched():
    evil = '<script>alert("x")</script>'
    out = render_points("points-assess", {"records": 3, "km": {"k": evil, "m": 1, "affected_records": 1}}, generated_at="t")
    assert "<script" not in out and "&lt;script&gt;" in out
    assert "default-src 'none'" in out and "http://" not in out and "https://" not in out
