"""HTML reports: every kind renders from hand-made payloads, offline, escaped, and without identifier values.

The payloads below are hand-made: realistic shapes and magnitudes (adult-like), not reference numbers.
Expected strings are worked out by hand in comments next to each assertion.
"""

from __future__ import annotations

import copy
import doctest
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError
from unlinkable.report import charts, html
from unlinkable.report.html import KINDS, render, write_report

FIXED_TIME = "2024-01-01 00:00 UTC"
IDENTIFIERS = ["name", "ssn"]
# Values of the identifier columns; a report must never print them (test-only key below).
IDENTIFIER_VALUES = ["Alice Zymurgy", "123-45-6789", "Bob Quixotic", "987-65-4321"]


def assess_payload() -> dict:
    return {
        "source": {"path": "data/adult.csv"},
        "records": 30162,
        "quasi_identifiers": ["age", "sex", "zip", "birth_date", "education"],
        "sensitive": "occupation",
        "identifiers": list(IDENTIFIERS),
        "equivalence_classes": {
            "count": 21000,
            "min_size": 1,
            "max_size": 310,
            "mean_size": 1.4363,
            "size_histogram": [[1, 15512], [2, 3000], [3, 1200], [4, 600], [7, 400], [12, 200], [40, 60], [310, 28]],
        },
        "prosecutor": {
            "highest_risk": 1.0,
            "average_risk": 0.6962,
            "lowest_risk": 0.0032,
            "records_at_highest_risk": 0.5143,
            "records_at_risk": 0.7124,
            "threshold": 0.2,
        },
        "journalist": {
            "highest_risk": 1.0,
            "average_risk": 0.6962,
            "lowest_risk": 0.0032,
            "records_at_highest_risk": 0.5143,
            "records_at_risk": 0.7124,
            "threshold": 0.2,
        },
        "marketer": {"average_risk": 0.6962},
        "sample_uniques": 0.5143,
        "population_uniques": {
            "pitman": 0.0123,
            "zayatz": None,  # unavailable: must read "not available", never 0
            "snb": 0.0456,
            "dankar": 0.0123,
            "dankar_model": "Pitman",
            "population_size": 317238626,
            "sampling_fraction": 0.0000951,
        },
        "individual_risk": {
            "expected_reidentifications": 14893.2,
            "global_risk": 0.4938,
            "household_expected_reidentifications": 15001.7,
            "kanonymity_violations": {"2": 15512, "3": 21512, "5": 25112},
        },
        "suda2": {
            "records_with_score": 16000,
            "max_score": 3.71,
            "attribute_contributions": {"age": 24.5, "sex": 3.2, "zip": 31.0, "birth_date": 36.1, "education": 5.2},
        },
        "diversity": {
            "attribute": "occupation",
            "distinct_l": 1,
            "entropy_l": 1.0,
            "recursive_c_l": {"c": 4, "l": 1, "holds": False},
            "t_closeness": {"equal": 0.93, "ordered": None},
        },
        "uniqueness_by_attributes": [
            {"attributes": ["birth_date"], "sample_uniques": 0.21},
            {"attributes": ["zip"], "sample_uniques": 0.05},
            {"attributes": ["age"], "sample_uniques": 0.0},
            {"attributes": ["birth_date", "zip"], "sample_uniques": 0.63},
            {"attributes": ["age", "sex"], "sample_uniques": 0.001},
            {"attributes": ["age", "sex", "zip"], "sample_uniques": 0.31},
            {"attributes": ["birth_date", "zip", "sex"], "sample_uniques": 0.70},
        ],
    }


def _after_payload() -> dict:
    after = assess_payload()
    # 5*300 + 8*400 + 20*300 + 60*100 + 6731*2 = 30,162 records in 1,102 classes
    after["equivalence_classes"] = {"count": 1102, "min_size": 5, "max_size": 6731, "mean_size": 27.37,
                                    "size_histogram": [[5, 300], [8, 400], [20, 300], [60, 100], [6731, 2]]}
    after["suda2"] = {"records_with_score": 0, "max_score": 0.0,
                      "attribute_contributions": {"age": 0.0, "sex": 0.0, "zip": 0.0, "birth_date": 0.0, "education": 0.0}}
    for model in ("prosecutor", "journalist"):
        after[model] = {"highest_risk": 0.2, "average_risk": 0.0398, "lowest_risk": 0.0011,
                        "records_at_highest_risk": 0.05, "records_at_risk": 0.0, "threshold": 0.2}
    after["marketer"] = {"average_risk": 0.0398}
    after["sample_uniques"] = 0.0
    after["population_uniques"] = dict(after["population_uniques"], pitman=0.0, zayatz=None, snb=0.0, dankar=0.0)
    after["individual_risk"] = {"expected_reidentifications": 310.5, "global_risk": 0.0103,
                                "household_expected_reidentifications": 330.0,
                                "kanonymity_violations": {"2": 0, "3": 0, "5": 0}}
    after.pop("uniqueness_by_attributes")
    return after


def anonymize_payload() -> dict:
    return {
        "source": {"path": "data/adult.csv"},
        "identifiers": list(IDENTIFIERS),
        "records": 30162,
        "risk_before": assess_payload(),
        "risk_after": _after_payload(),
        "transformation": {"age": 2, "sex": 0, "zip": 3, "birth_date": 2, "education": 1},
        "metric": "loss",
        "loss": 0.4123,
        "loss_per_attribute": {"age": 0.31, "sex": 0.0, "zip": 0.62, "birth_date": 0.55, "education": 0.2},
        "suppressed": 1207,
        "equivalence_classes": 1200,
        "optimal": True,
        "nodes_checked": 212,
        "lattice": {"size": 1440, "checked": 212, "pruned": 1228, "optimum": {"age": 2, "sex": 0, "zip": 3, "birth_date": 2, "education": 1}},
        # [original value, its generalized label] as the Anonymizer reports them; only the label is shown.
        "examples": {
            "age": ["34", "[30-40["],
            "zip": ["81675", "816**"],
            "birth_date": ["1972-03-14", "1970s"],
            "education": ["Bachelors", "Higher education"],
            "sex": ["Female", "Female"],
        },
        "privacy": [
            {"name": "k-anonymity", "params": {"k": 5},
             "description": "Every record is indistinguishable from at least 4 others on its quasi-identifiers."},
            {"name": "l-diversity", "params": {"attribute": "occupation", "variant": "recursive", "c": 4, "l": 3},
             "description": "Every group has at least 3 well-represented occupations."},
        ],
    }


def exposure_payload() -> dict:
    return {
        "release_records": 30162,
        "auxiliary_records": 120000,
        "auxiliary_name": "voters.csv",
        "unique_link_share": 612 / 30162,
        "expected_reidentifications": 1432.25,
        "candidates_histogram": [[0, 2000], [1, 612], [2, 900], [3, 1100], [4, 950], [7, 5000], [25, 12000], [400, 7600]],
        "reverse_unique_share": 0.0041,
        "true_reidentification_rate": 0.0187,
        "unique_link_precision": 0.923,
        "what_if": [
            {"attribute": "zip", "action": "drop", "unique_link_share": 0.004},
            {"attribute": "age", "action": "generalize", "unique_link_share": 0.011},
            {"attribute": "sex", "action": "drop", "unique_link_share": 0.018},
        ],
        "copula": {"population_size": 317238626, "mean_correctness": 0.27, "records_above_0_5": 4100},
    }


def sdc_payload() -> dict:
    before = assess_payload()
    after = _after_payload()
    return {
        "source": "DataFrame",
        "identifiers": list(IDENTIFIERS),
        "records": 30162,
        "steps": [
            {"method": "recode", "params": {"attribute": "age", "breaks": [0, 15, 30, 45, 60, 100]},
             "summary": {"intervals": 5}},
            {"method": "local-suppression", "params": {"k": 3, "attributes": ["urbrur", "water", "sex", "age"]},
             "summary": {"suppressed": 674, "suppressed_per_attribute": {"urbrur": 20, "water": 100, "sex": 4, "age": 550}}},
            {"microaggregation": {"attributes": ["income", "expend"], "method": "mdav", "k": 3},
             "summary": "1527 groups of at least 3 records"},
            {"method": "pram", "params": {"attribute": "roof", "retain": 0.8, "seed": 7}, "summary": {"changed": 201}},
        ],
        "risk_before": before,
        "risk_after": after,
        "utility": {"il1s": 1532.77, "il1": 412.5, "eigen": 0.0123, "drisk": 0.0411,
                    "mean_change": {"income": 0.0012, "expend": -0.0004}, "correlation_change": 0.018},
    }


def traces_payload() -> dict:
    """A trajectory anonymize result: the attacks before and after, the release, unicity, curve and maps."""
    bands = {"1": 700, "2": 120, "3-4": 90, "5-9": 60, "10+": 30}
    after_bands = {"1": 0, "2": 0, "3-4": 0, "5-9": 400, "10+": 500}
    return {
        "users": {"input": 1000, "released": 900, "suppressed": 100, "home_work_removed": 0},
        "points": {"input": 20000, "released": 15000, "suppressed": 3000, "home_work_suppressed": 2000},
        "model": {"trajectory-k-anonymity": {"k": 5, "p": 2}},
        "resolution": {"grid_m": 5000.0, "time_bin": "1d"},
        "loss": 1.3,
        "risk": {"before": [{"attack": "location", "k": 2, "mean_risk": 0.81, "users_at_risk_1": 700, "users_by_compatible": bands},
                            {"attack": "home_work", "k": None, "mean_risk": 0.64, "users_at_risk_1": 600, "users_by_compatible": bands}],
                 "after": [{"attack": "location", "k": 2, "mean_risk": 0.05, "users_at_risk_1": 0, "users_by_compatible": after_bands},
                           {"attack": "home_work", "k": None, "mean_risk": 0.1, "users_at_risk_1": 0, "users_by_compatible": after_bands}]},
        "unicity": [{"p": 2, "value": 0.93, "exact": True, "ci95": None}, {"p": 4, "value": 0.99, "exact": False, "ci95": [0.98, 1.0]}],
        "curve": {"p": 2, "points": [{"grid_m": 500.0, "time_bin": "1h", "value": 0.97}, {"grid_m": 5000.0, "time_bin": "1d", "value": 0.15}],
                  "power_law": {"exponent": -0.42, "scale": 3.1, "r2": 0.97}},
        "map": {"grid_m": 5000.0, "min_users": 10, "cells": [[0, 0, 12], [0, 1, 140], [1, 1, 55]], "suppressed_cells": 3},
    }


PAYLOADS = {"assess": assess_payload, "anonymize": anonymize_payload, "exposure": exposure_payload, "sdc": sdc_payload,
            "traces": traces_payload}


def text_of(document: str) -> str:
    """Visible text, roughly: tags dropped, whitespace collapsed (entities kept)."""
    inline_dropped = re.sub(r"</?(?:strong|em|span|code)\b[^>]*>", "", document)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline_dropped))


@pytest.fixture(params=KINDS)
def kind(request) -> str:
    return request.param


def test_every_kind_renders_a_complete_document(kind):
    out = render(kind, PAYLOADS[kind](), generated_at=FIXED_TIME)
    assert out.lstrip().startswith("<!DOCTYPE html>")
    assert out.rstrip().endswith("</html>")
    assert 'id="headline"' in out
    assert out.count("<svg") >= 1
    assert 'id="method"' in out


def test_rendering_is_deterministic(kind):
    assert render(kind, PAYLOADS[kind](), generated_at=FIXED_TIME) == render(kind, PAYLOADS[kind](), generated_at=FIXED_TIME)


def test_report_is_self_contained(kind):
    out = render(kind, PAYLOADS[kind](), generated_at=FIXED_TIME)
    # No remote or protocol-relative resource of any kind.
    assert not re.search(r"""(?:src|href|action|data|poster)\s*=\s*["']?\s*(?:[a-z]+:)?//""", out, re.I)
    assert not re.search(r"\b(?:src|href)\s*=", out, re.I)  # in fact nothing is loaded at all
    assert "<script" not in out.lower()
    assert "<link" not in out.lower()
    assert "@import" not in out
    assert "url(" not in out
    assert "http://" not in out and "https://" not in out
    # The browser is told to fetch nothing.
    assert "Content-Security-Policy" in out and "default-src 'none'" in out


def test_assess_headline_in_plain_words():
    out = text_of(render("assess", assess_payload(), generated_at=FIXED_TIME))
    # 0.5143 of 30,162 records: 0.5143 * 30162 = 15512.3 -> 15,512 people; 51.43% -> "51.4%".
    assert "51.4% of records are unique on their quasi-identifiers" in out
    assert "single out 15,512 of 30,162 people" in out
    # {birth_date, zip} is the smallest subset reaching 80% of the best share (0.63 >= 0.8 * 0.70),
    # while the best single attribute (0.21) does not.
    assert "birth_date + zip alone make 63% of records unique" in out


def test_assess_sections_and_figures():
    out = render("assess", assess_payload(), generated_at=FIXED_TIME)
    for section in ("analysed", "classes", "attackers", "population", "individual", "suda2", "uniqueness", "diversity", "method"):
        assert f'id="{section}"' in out, section
    txt = text_of(out)
    assert "data/adult.csv" in txt
    assert "age, sex, zip, birth_date, education" in txt
    assert "317,238,626" in txt  # population size with separators
    # Highest prosecutor risk 1.0 -> "100%"; lowest 0.0032 -> 0.3%, 1/0.0032 = 312.5 -> "1 in 312" (banker's rounding).
    assert "0.3% (1 in 312)" in txt
    assert "1 in 1)" not in txt  # odds above 1 in 2 are not spelled out
    # k-anonymity violations: 15,512 of 30,162 = 51.43% -> 51.4%
    assert "15,512" in txt and "2-anonymity" in txt
    for cite in ("Benedetti", "Pitman", "Zayatz", "Dankar", "SNB", "SUDA2", "Manning", "ARX", "sdcMicro"):
        assert cite in txt, cite
    assert out.count("<svg") == 3  # class sizes, SUDA2 contributions, uniqueness by subset


def test_unavailable_estimator_is_not_zero():
    out = render("assess", assess_payload(), generated_at=FIXED_TIME)
    row = re.search(r"<th scope=\"row\">Zayatz</th>(.*?)</tr>", out, re.S)
    assert row is not None
    assert "not available" in row.group(1)
    assert "0.00%" not in row.group(1) and ">0<" not in row.group(1)


def test_class_size_buckets_are_summed():
    out = render("assess", assess_payload(), generated_at=FIXED_TIME)
    # Bucket 5-9 holds the 400 classes of size 7: 400 * 7 = 2,800 records.
    row = re.search(r"<td>5\u20139</td><td class=\"num\">([\d,]+)</td><td class=\"num\">([\d,]+)</td>", out)
    assert row is not None and row.groups() == ("400", "2,800")


def test_anonymize_before_after_and_generalization():
    out = render("anonymize", anonymize_payload(), generated_at=FIXED_TIME)
    txt = text_of(out)
    for section in ("guarantees", "before-after", "generalization", "loss", "lattice"):
        assert f'id="{section}"' in out, section
    assert "proven optimal" in txt
    assert "51.4% before, 0% after" in txt
    assert "816**" in txt and "[30-40[" in txt
    assert "81675" not in txt and "1972-03-14" not in txt  # generalized values only
    assert "Every record is indistinguishable from at least 4 others" in txt
    # Model names survive although an identifier column is called "name" (regression: keys such as
    # "name" inside a privacy entry are structure, not attribute-keyed figures).
    assert "k-anonymity" in txt and "l-diversity" in txt
    # lattice 1440 nodes, 212 checked, 1228 pruned
    assert "1,440" in txt and "1,228" in txt
    # 1207 suppressed of 30162 = 4.0017% -> "4.0%"
    assert "1,207 records (4.0%) were suppressed" in txt


def test_anonymize_heuristic_says_not_proven():
    p = anonymize_payload()
    p["optimal"] = False
    txt = text_of(render("anonymize", p, generated_at=FIXED_TIME))
    assert "not proven optimal" in txt


def test_exposure_headline_and_charts():
    out = render("exposure", exposure_payload(), generated_at=FIXED_TIME)
    txt = text_of(out)
    # 612 / 30162 = 2.03% -> "2.0%"
    assert "612 of 30,162 records (2.0%) match exactly one person in voters.csv" in txt
    assert out.count("<svg") == 2  # candidates histogram, what-if
    assert 'id="evaluation"' in out and 'id="copula"' in out
    # Best what-if: drop zip -> 0.4%
    assert "drop zip" in txt and "falls from 2.0% to 0.4%" in txt
    assert "Rocher" in txt


def test_exposure_histogram_formats_agree():
    base = exposure_payload()
    pairs = base["candidates_histogram"]
    as_dict = {str(k): c for k, c in pairs}
    as_list = [0] * 401
    for k, c in pairs:
        as_list[k] = c
    charts_of = []
    for hist in (pairs, as_dict, as_list):
        p = dict(base, candidates_histogram=hist)
        out = render("exposure", p, generated_at=FIXED_TIME)
        charts_of.append(re.findall(r"<svg.*?</svg>", out, re.S)[0])
    assert charts_of[0] == charts_of[1] == charts_of[2]


def test_exposure_without_evaluation_or_copula():
    p = exposure_payload()
    p["true_reidentification_rate"] = None
    p["unique_link_precision"] = None
    del p["copula"]
    out = render("exposure", p, generated_at=FIXED_TIME)
    assert 'id="evaluation"' not in out and 'id="copula"' not in out


def test_sdc_steps_and_utility():
    out = render("sdc", sdc_payload(), generated_at=FIXED_TIME)
    txt = text_of(out)
    for name in ("recode", "local-suppression", "microaggregation", "pram"):
        assert name in txt
    assert "1527 groups of at least 3 records" in txt
    assert "674" in txt
    assert "IL1s" in txt and "1,533" in txt  # 1532.77 to 4 significant digits
    assert "dRisk" in txt and "4.1%" in txt
    assert "+0.12%" in txt and "-0.04%" in txt  # mean changes 0.0012 and -0.0004
    assert 'id="before-after"' in out


def _plant_identifier_values(kind: str) -> dict:
    """A payload with identifier values planted where a careless upstream might put them."""
    p = PAYLOADS[kind]()
    a, b = IDENTIFIER_VALUES[0], IDENTIFIER_VALUES[1]
    p["identifiers"] = list(IDENTIFIERS)
    p["identifier_values"] = list(IDENTIFIER_VALUES)  # test-only key: must never be rendered
    p["rows"] = [{"name": a, "ssn": b, "age": 34}]
    p["preview"] = f"{a},{b},34"
    p["examples"] = dict(p.get("examples", {}), name=[a], ssn=[b])
    p["transformation"] = dict(p.get("transformation", {}), ssn=0)
    p["loss_per_attribute"] = dict(p.get("loss_per_attribute", {}), name=0.0)
    p["diversity"] = {"name": a, "ssn": b, "sample": [a, b], "attribute": "occupation", "note": a}
    for nested in ("risk_before", "risk_after"):
        if nested in p:
            p[nested]["suda2"]["attribute_contributions"][IDENTIFIER_VALUES[2]] = 1.0
            p[nested]["suda2"]["attribute_contributions"]["name"] = 1.0
            p[nested]["diversity"]["value_of_name"] = IDENTIFIER_VALUES[3]
    if kind == "assess":
        p["suda2"]["attribute_contributions"]["ssn"] = 5.0
        p["equivalence_classes"]["examples"] = [a, b]
    if kind == "sdc":
        p["steps"][0]["summary"]["ssn"] = b
        p["steps"][0]["summary"]["first_record"] = a
        p["steps"][1]["params"]["name"] = {"value": a}
    if kind == "exposure":
        p["linked_pairs"] = [{"release": 1, "auxiliary_name": a}]
    return p


def test_identifier_values_never_appear(kind):
    payload = _plant_identifier_values(kind)
    out = render(kind, payload, generated_at=FIXED_TIME)
    for value in payload["identifier_values"]:
        assert value not in out, value
        assert value.replace("-", "&#45;") not in out
    # Names of identifiers may be listed (they are not values), but nothing keyed by them is shown.
    assert "never shown" in out or kind == "exposure"


def test_identifier_values_never_appear_in_nested_assess_dicts():
    # Only the nested assess dict knows the identifiers.
    p = anonymize_payload()
    del p["identifiers"]
    p["risk_after"]["identifiers"] = ["ssn"]
    p["examples"]["ssn"] = [IDENTIFIER_VALUES[1]]
    out = render("anonymize", p, generated_at=FIXED_TIME)
    assert IDENTIFIER_VALUES[1] not in out


def test_payload_text_is_escaped(kind):
    evil = '<script>alert("x")</script>'
    p = PAYLOADS[kind]()
    if kind == "assess":
        p["quasi_identifiers"].append(evil)
        p["suda2"]["attribute_contributions"][evil] = 10.0
        p["source"] = {"path": "a&b<i>.csv"}
    elif kind == "anonymize":
        p["examples"]["zip"] = [evil]
        p["loss_per_attribute"][evil] = 0.5
        p["privacy"][0]["description"] = evil
    elif kind == "exposure":
        p["auxiliary_name"] = evil
        p["what_if"][0]["attribute"] = evil
    elif kind == "traces":
        p["risk"]["before"][0]["attack"] = evil
        p["resolution"]["time_bin"] = evil
    else:
        p["steps"][2]["summary"] = evil
        p["utility"]["mean_change"][evil] = 0.1
    out = render(kind, p, generated_at=FIXED_TIME)
    assert "<script" not in out
    assert "&lt;script&gt;" in out
    if kind == "assess":
        assert "a&amp;b&lt;i&gt;.csv" in out


def test_missing_keys_are_tolerated(kind):
    full = PAYLOADS[kind]()
    assert "<!DOCTYPE html>" in render(kind, {}, generated_at=FIXED_TIME)
    for key in full:
        p = copy.deepcopy(full)
        del p[key]
        assert "</html>" in render(kind, p, generated_at=FIXED_TIME), key
        p = copy.deepcopy(full)
        p[key] = None
        assert "</html>" in render(kind, p, generated_at=FIXED_TIME), key


def test_missing_nested_keys_are_tolerated():
    for kind in ("assess", "anonymize", "sdc"):
        full = PAYLOADS[kind]()
        target = full if kind == "assess" else full["risk_after"]
        for key in list(target):
            if isinstance(target[key], dict):
                for sub in list(target[key]):
                    p = copy.deepcopy(full)
                    (p if kind == "assess" else p["risk_after"])[key].pop(sub)
                    assert "</html>" in render(kind, p, generated_at=FIXED_TIME), (kind, key, sub)


def test_section_without_its_figures_is_omitted():
    p = assess_payload()
    del p["suda2"], p["diversity"], p["population_uniques"]
    out = render("assess", p, generated_at=FIXED_TIME)
    assert 'id="suda2"' not in out and 'id="diversity"' not in out and 'id="population"' not in out
    assert "Manning" not in out  # its method note goes too
    assert 'id="uniqueness"' in out


@settings(max_examples=40, deadline=None)
@given(
    payload=st.dictionaries(
        st.sampled_from(sorted(set(assess_payload()) | set(anonymize_payload()) | set(exposure_payload()) | set(sdc_payload())
                               | set(traces_payload()))),
        st.recursive(
            st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=True) | st.text(max_size=5),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
            max_leaves=8,
        ),
        max_size=6,
    ),
    kind=st.sampled_from(KINDS),
)
def test_malformed_payloads_never_crash(payload, kind):
    assert "</html>" in render(kind, payload, generated_at=FIXED_TIME)


def test_bad_kind_and_payload_raise_config_error():
    with pytest.raises(ConfigError, match="unknown report kind"):
        render("summary", {})
    with pytest.raises(ConfigError, match="must be a dict"):
        render("assess", [1, 2])


def test_write_report_atomic(tmp_path):
    from unlinkable.errors import OutputError

    with pytest.raises(OutputError, match="sub: no such folder"):
        write_report(tmp_path / "sub" / "r.html", "assess", assess_payload())
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "sub").mkdir()
    out = write_report(tmp_path / "sub" / "r.html", "assess", assess_payload())
    assert out == tmp_path / "sub" / "r.html"
    assert "15,512 of 30,162" in text_of(out.read_text(encoding="utf-8"))
    with pytest.raises(ConfigError):
        write_report(tmp_path / "bad.html", "nope", {})
    assert not (tmp_path / "bad.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["sub"]  # no temporary file left behind


def test_templates_ship_as_package_data():
    from importlib.resources import files

    folder = files("unlinkable.report") / "templates"
    names = {p.name for p in folder.iterdir()}
    assert {"base.html", "assess.html", "anonymize.html", "exposure.html", "sdc.html"} <= names


# ----------------------------------------------------------------------------- charts


def test_bar_chart_structure_and_escaping():
    svg = charts.bar_chart(["a<b", "c&d", "e"], [1, 2, 3], title="T <x>", x_label="X", y_label="Y", horizontal=True)
    assert svg.count('class="bar"') == 3
    assert "<title" in svg and "<desc" in svg and 'role="img"' in svg
    assert "a&lt;b" in svg and "c&amp;d" in svg and "T &lt;x&gt;" in svg
    assert "<x>" not in svg
    vertical = charts.bar_chart(["1", "2"], [5, 0], title="V", x_label="size", y_label="records")
    assert vertical.count('class="bar"') == 2 and ">size<" in vertical and ">records<" in vertical


def test_empty_and_degenerate_charts():
    assert "No data" in charts.bar_chart([], [], title="E", x_label="x", y_label="y")
    svg = charts.bar_chart(["a"], [float("nan")], title="N", x_label="x", y_label="y")
    assert "nan" not in svg.lower().replace("nan;", "")
    assert "No data" in charts.grouped_bar_chart([], [], title="G", x_label="x", y_label="y")


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=1e-9, max_value=1e12, allow_nan=False))
def test_nice_ticks_cover_the_maximum(maximum):
    ticks = charts.nice_ticks(maximum)
    assert ticks[0] == 0 and ticks[-1] >= maximum * (1 - 1e-9)
    steps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) <= 12
    assert all(s > 0 and abs(s - steps[0]) <= 1e-6 * steps[0] for s in steps)  # evenly spaced


def test_doctests():
    for module in (charts, html):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__


# ----------------------------------------------------------------------------- shapes the commands emit


def test_anonymize_result_shape_models_and_guarantees_without_risk_before():
    # Anonymizer.to_dict() names its models as in the job file and describes them in `guarantees`.
    p = anonymize_payload()
    del p["privacy"], p["risk_before"], p["records"]
    p["models"] = [{"k-anonymity": {"k": 5}}, {"l-diversity": {"attribute": "occupation", "variant": "distinct", "l": 2}}]
    p["guarantees"] = ["every combination is shared by at least 5 records", "at least 2 different occupations per group"]
    out = render("anonymize", p, generated_at=FIXED_TIME)
    txt = text_of(out)
    assert "k-anonymity (k = 5)" in txt
    assert "every combination is shared by at least 5 records" in txt
    assert "Released table" in txt and ">Before<" not in out
    # records fall back to risk_after's 30,162: 1,207 / 30,162 = 4.0%
    assert "1,207 records (4.0%) were suppressed" in txt


def test_exposure_prebinned_histogram_and_unique_link_count():
    p = exposure_payload()
    p["unique_links"] = 612
    p["candidates_histogram"] = {"0": 2000, "1": 612, "2": 900, "3-5": 2050, "6-10": 5000, ">10": 19600}
    out = render("exposure", p, generated_at=FIXED_TIME)
    svg = re.findall(r"<svg.*?</svg>", out, re.S)[0]
    assert svg.count('class="bar"') == 6
    assert "3-5: 2,050" in svg and "&gt;10: 19,600" in svg
    assert "612 of 30,162 records (2.0%)" in text_of(out)


def test_sdc_pipeline_step_shape():
    # Pipeline.run() summaries: step index, name, params and the step's figures side by side.
    p = sdc_payload()
    p["steps"] = [
        {"step": 0, "name": "local-suppression", "params": {"k": 3, "attributes": ["sex", "age"]},
         "changed_cells": 674, "suppressed": {"sex": 4, "age": 670}, "total_suppressed": 674},
        {"step": 1, "name": "microaggregation", "params": {"attributes": ["income"], "k": 3}, "changed_cells": 4000, "n_groups": 1527},
    ]
    txt = text_of(render("sdc", p, generated_at=FIXED_TIME))
    assert "1. local-suppression" in txt and "2. microaggregation" in txt
    assert "Cells suppressed in total 674" in txt and "Cells suppressed › age 670" in txt
    assert "Groups formed 1,527" in txt


def test_diversity_keyed_by_sensitive_attribute():
    p = assess_payload()
    p["diversity"] = {
        "occupation": {"attribute": "occupation", "classes": 21000, "distinct_l": 1, "entropy_l": 1.0,
                       "recursive_c_l2": None, "t_equal": 0.93, "t_ordered": None, "t_hierarchical": 0.88},
        "ssn": {"attribute": "ssn", "distinct_l": 1},  # an identifier: never shown
    }
    out = render("assess", p, generated_at=FIXED_TIME)
    txt = text_of(out)
    assert "Sensitive attribute: occupation" in txt
    assert "t-closeness, hierarchical ground distance 0.88" in txt
    row = re.search(r"recursive \(c,2\)-diversity holds</th>(.*?)</tr>", out)
    assert row is not None and "not available" in row.group(1)
    assert "Sensitive attribute: ssn" not in txt and "ssn</strong>" not in out


def test_a_kept_column_that_singles_out_records_is_named_with_its_share_never_its_values():
    # issue 8: the report warns in words, names the column and gives the share of unique records
    payload = {"records": 4, "released_uniqueness": {
        "records": 4, "columns": ["age", "birth_date"], "unique_records": 3, "sample_uniques": 0.75,
        "quasi_identifier_uniques": 0.0,
        "kept_columns": [{"column": "birth_date", "alone": 0.75, "with_quasi_identifiers": 0.75, "warn": True}]}}
    html = render("anonymize", payload, generated_at="fixed")
    assert "<strong>3</strong> of 4 records (<strong>75.0%</strong>) are unique" in html
    assert "<strong>birth_date</strong> is released as is, and it makes records unique" in html
    quiet = {**payload["released_uniqueness"], "kept_columns": [], "unique_records": 0, "sample_uniques": 0.0}
    assert "released as is, and it makes" not in render("sdc", {"released_uniqueness": quiet}, generated_at="fixed")
