"""Issue 8 item 8: reports that agree with themselves and say what to do.

Payloads are hand-made; every expected figure is worked out by hand next to its assertion.
"""

import re

import pytest

from unlinkable.report.html import fmt_number, fmt_pct, render
from unlinkable.report.verdict import verdict

T = "2024-01-01 00:00 UTC"


def _text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&amp;", "&")


@pytest.mark.parametrize(("highest", "average", "uniques", "level"), [
    (1 / 11, 0.05, 0.0, "low"),        # k = 11, average 0.05: both at their low limits
    (1 / 10, 0.05, 0.0, "moderate"),   # k = 10: 0.1 > 1/11
    (0.2, 0.01, 0.0, "moderate"),      # k = 5: at the high limit, not above it
    (0.05, 0.06, 0.0, "moderate"),     # average above 5%
    (0.25, 0.01, 0.0, "high"),         # k = 4
    (1.0, 0.3, 0.1, "high"),           # unique records
])
def test_verdict_levels(highest, average, uniques, level):
    v = verdict({"sample_uniques": uniques, "prosecutor": {"highest_risk": highest, "average_risk": average}})
    assert v.level == level


def test_verdict_absent_without_figures():
    assert verdict({"records": 3}) is None


def _assess(**extra):
    # 10 records, classes of sizes 1, 1, 2, 6: 2 uniques (20%), highest risk 1, average 4/10.
    payload = {
        "records": 10, "quasi_identifiers": ["age", "sex", "zip"], "sample_uniques": 0.2,
        "equivalence_classes": {"count": 4, "min_size": 1, "max_size": 6, "mean_size": 2.5,
                                "size_histogram": [[1, 2], [2, 1], [6, 1]]},
        "prosecutor": {"highest_risk": 1.0, "average_risk": 0.4, "lowest_risk": 1 / 6, "records_at_risk": 0.4, "threshold": 0.2},
        "individual_risk": {"expected_reidentifications": 3.0, "global_risk": 0.3,
                            "kanonymity_violations": {"2": 1, "3": 2, "5": 2}},
        "attribute_effects": [
            {"attribute": "zip", "action": "drop", "sample_uniques": 0.0, "highest_risk": 0.5, "average_risk": 0.2, "records_at_risk": 0.2},
            {"attribute": "age", "action": "generalize", "sample_uniques": 0.1, "highest_risk": 1.0, "average_risk": 0.3, "records_at_risk": 0.3},
            {"attribute": "sex", "action": "drop", "sample_uniques": 0.2, "highest_risk": 1.0, "average_risk": 0.4, "records_at_risk": 0.4},
        ],
        "missing_values": {"age": 0, "sex": 1, "zip": 0},
    }
    payload.update(extra)
    return payload


def test_assess_report_opens_with_verdict_and_what_to_do():
    html = render("assess", _assess(), generated_at=T)
    text = _text(html)
    body = text[text.index("Re-identification risk assessment Generated"):]
    # the verdict comes before every other section
    assert body.index("High re-identification risk.") < body.index("What to do") < body.index("What was analysed")
    assert "(low if at most 1 in 11 (0.09), high if above 1 in 5 (0.2))" in text
    assert "EMA" in text and "Health Canada" in text and "El Emam" in text
    # what to do: the two changes that lower the risk, in the order given; dropping sex changes nothing
    assert "Drop zip : records unique fall from 20.0% to 0% , the average risk from 40.0% to 20.0%." in text
    assert "Generalize age one level in its hierarchy: records unique fall from 20.0% to 10.0%" in text
    assert "Drop sex" not in text
    # the best change still leaves a class of 2 (risk 0.5 > 0.2): one change is not enough
    assert "No single change is enough" in text


def test_low_verdict_needs_no_change():
    payload = _assess(sample_uniques=0.0, prosecutor={"highest_risk": 1 / 12, "average_risk": 0.04},
                      attribute_effects=[])
    text = _text(render("assess", payload, generated_at=T))
    assert "Low re-identification risk." in text and "no change is needed" in text


def test_missing_value_readings_side_by_side():
    text = _text(render("assess", _assess(), generated_at=T))
    # ARX: records in classes below 2 = 2 (two classes of 1); below 3 and 5: 2 + 2 = 4.
    # sdcMicro (wildcards): 1, 2, 2 from kanonymity_violations.
    assert "Records unique on their quasi-identifiers 2 (20.0%) 1 (10.0%)" in text
    assert "Records in classes smaller than 5 4 (40.0%) 2 (20.0%)" in text
    assert "The quasi-identifiers hold 1 missing values (sex: 1)" in text
    assert "value of its own" in text and "wildcard" in text
    no_missing = _text(render("assess", _assess(missing_values={"age": 0}), generated_at=T))
    assert "both readings give the same figures" in no_missing


def test_suda2_shares_are_labelled_with_their_sum():
    payload = _assess(suda2={"records_with_score": 2, "max_score": 3.0,
                             "attribute_contributions": {"age": 100.0, "sex": 55.0, "zip": 50.0}})
    text = _text(render("assess", payload, generated_at=T))
    # 100 + 55 + 50 = 205: the caption says so instead of calling them shares of a whole
    assert "add up to 205%, not 100%" in text


def test_round_off_noise_shows_as_zero():
    assert fmt_number(2.220446049250313e-16) == "0" and fmt_pct(-2.2e-16) == "0%"
    payload = {"steps": [{"name": "noise", "params": {"attribute": "income"}, "summary": {"mean_shift": 2.220446049250313e-16}}],
               "records": 10}
    html = render("sdc", payload, generated_at=T)
    assert "0000000000" not in html and "e-16" not in html


def test_one_class_count_in_anonymize_report():
    # 10 records: classes of 3 and 5 (ARX: 2 classes), plus 2 suppressed records that the risk
    # figures of the released table see as a third group.
    after = {"records": 10, "quasi_identifiers": ["age"], "sample_uniques": 0.0,
             "equivalence_classes": {"count": 3, "min_size": 2, "max_size": 5, "mean_size": 10 / 3,
                                     "size_histogram": [[2, 1], [3, 1], [5, 1]],
                                     "suppressed_records": 2, "count_excluding_suppressed": 2},
             "prosecutor": {"highest_risk": 0.5, "average_risk": 0.3}}
    before = {"records": 10, "quasi_identifiers": ["age"], "equivalence_classes": {"count": 7}}
    payload = {"records": 10, "suppressed": 2, "equivalence_classes": 2, "risk_before": before, "risk_after": after}
    text = _text(render("anonymize", payload, generated_at=T))
    assert "Equivalence classes 7 2" in text  # before / after
    assert "Equivalence classes in the output (suppressed records not counted, as in ARX) 2" in text
    assert "Equivalence classes (as ARX counts them: suppressed records are not a class) 2" in text
    assert "Suppressed records (every quasi-identifier *); the risk figures below treat them as one more class 2" in text
    assert not re.search(r"Equivalence classes[^0-9]*3\b", text)  # the risk count (3 groups) is never called classes


def test_anonymize_report_judges_the_released_table():
    # k = 5 release: highest risk 0.2 is not above 1 in 5 but above 1 in 11: moderate.
    after = {"records": 10, "sample_uniques": 0.0, "prosecutor": {"highest_risk": 0.2, "average_risk": 0.2}}
    text = _text(render("anonymize", {"records": 10, "risk_after": after}, generated_at=T))
    assert "The released table: Moderate re-identification risk." in text
