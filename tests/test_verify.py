"""The independent verifier: valid releases pass, tampered ones raise VerificationError."""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unlinkable.errors import VerificationError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.models.average_risk import AverageReidentificationRisk
from unlinkable.models.kanonymity import KAnonymity
from unlinkable.models.ldiversity import DistinctLDiversity, RecursiveCLDiversity
from unlinkable.models.tcloseness import EqualDistanceTCloseness
from unlinkable.verify import verify_release

ZIP = Hierarchy([["47677", "4767*", "476**", "*"], ["47602", "4760*", "476**", "*"], ["47678", "4767*", "476**", "*"],
                 ["47905", "4790*", "479**", "*"], ["47909", "4790*", "479**", "*"], ["47906", "4790*", "479**", "*"]])
ORIGINAL = pl.DataFrame({"zip": ["47677", "47602", "47678", "47905", "47909", "47906"],
                         "disease": ["flu", "ulcer", "flu", "cancer", "flu", "ulcer"],
                         "name": ["A", "B", "C", "D", "E", "F"]})
RELEASE = pl.DataFrame({"zip": ["476**"] * 3 + ["479**"] * 3, "disease": ORIGINAL["disease"]})


def verify(output, models, limit=0.0):
    verify_release(output, original=ORIGINAL, quasi_identifiers=["zip"], models=models,
                   suppression_limit=limit, hierarchies={"zip": ZIP})


def test_valid_release_passes():
    verify(RELEASE, [KAnonymity(k=3), DistinctLDiversity(attribute="disease", l=2), AverageReidentificationRisk(threshold=0.34)])


def test_class_below_k():
    out = RELEASE.with_columns(zip=pl.Series(["4767*", "4760*", "4767*", "479**", "479**", "479**"]))
    with pytest.raises(VerificationError, match="not a global generalization"):
        verify(out, [KAnonymity(k=2)])
    with pytest.raises(VerificationError, match=r"k-anonymity \(k=4\): 2 released class"):
        verify(RELEASE, [KAnonymity(k=4)])


def test_changed_insensitive_value():
    out = RELEASE.with_columns(disease=pl.Series(["flu", "ulcer", "flu", "cancer", "flu", "flu"]))
    with pytest.raises(VerificationError, match="'disease' is not a quasi-identifier but 1 of its values changed"):
        verify(out, [KAnonymity(k=2)])


def test_too_many_suppressions():
    out = RELEASE.with_columns(zip=pl.Series(["*", "476**", "476**", "479**", "479**", "479**"]))
    verify(out, [KAnonymity(k=2)], limit=1 / 6)
    with pytest.raises(VerificationError, match="suppresses 1 records, more than the limit"):
        verify(out, [KAnonymity(k=2)], limit=0.1)


def test_l_diversity_violation_names_the_class_not_raw_values():
    with pytest.raises(VerificationError, match=r"distinct 3-diversity of 'disease': 1 released class") as info:
        verify(RELEASE, [DistinctLDiversity(attribute="disease", l=3)])
    assert "zip=476**" in str(info.value) and "47677" not in str(info.value)
    with pytest.raises(VerificationError, match="recursive"):
        verify(RELEASE, [RecursiveCLDiversity(attribute="disease", c=1.0, l=2)])   # 476**: flu 2 < 1 * 1 fails


def test_t_closeness_violation():
    verify(RELEASE, [EqualDistanceTCloseness(attribute="disease", t=0.34)])
    with pytest.raises(VerificationError, match="closeness"):
        # 476**: flu 2/3, ulcer 1/3 vs table flu 1/2, ulcer 1/3, cancer 1/6 -> 1/6
        verify(RELEASE, [EqualDistanceTCloseness(attribute="disease", t=0.1)])


def test_row_count_and_columns():
    with pytest.raises(VerificationError, match="rows"):
        verify(RELEASE.head(5), [KAnonymity(k=2)])
    with pytest.raises(VerificationError, match="column 'extra'"):
        verify(RELEASE.with_columns(extra=pl.lit("x")), [KAnonymity(k=2)])


# ---------------------------------------------------------------------------------------------
# ARX reference optima for l-diversity and t-closeness on adult qi8 are accepted.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("model_name", ["distinct-l-diversity", "t-closeness (equal ground distance)"])
def test_adult_reference_release_is_accepted(arx_data, arx_reference, model_name):
    config = next(c for c in arx_reference["adult"]["configurations"] if c["privacy_model"]["model"] == model_name)
    frame = pl.read_csv(arx_data / "adult" / "adult.csv", separator=";", infer_schema=False)
    hierarchies, generalized = {}, {}
    for qi, level in config["optimum"]["levels"].items():
        rows = [r.split(";") for r in (arx_data / "adult" / f"adult_hierarchy_{qi}.csv").read_text().splitlines() if r]
        hierarchies[qi] = Hierarchy(rows)
        table = {r[0]: r[level] for r in rows}
        generalized[qi] = [table[v] for v in frame[qi].to_list()]
    sens = config["sensitive_attribute"]
    pm = config["privacy_model"]
    model = DistinctLDiversity(attribute=sens, l=pm["l"]) if "diversity" in model_name else EqualDistanceTCloseness(attribute=sens, t=pm["t"])
    # Suppress the classes that fail, judged by plain Python (the verifier must accept the result).
    qis = list(config["optimum"]["levels"])
    keys = list(zip(*(generalized[q] for q in qis)))
    values = frame[sens].to_list()
    by_class: dict = {}
    for key, v in zip(keys, values):
        by_class.setdefault(key, []).append(v)
    total = len(values)
    q = {v: values.count(v) / total for v in set(values)}

    def passes(vals):
        if "diversity" in model_name:
            return len(set(vals)) >= pm["l"]
        p = {v: vals.count(v) / len(vals) for v in set(vals)}
        return 0.5 * sum(abs(p.get(v, 0) - q[v]) for v in q) <= pm["t"]

    bad = {key for key, vals in by_class.items() if not passes(vals)}
    suppress = np.array([key in bad for key in keys])
    assert int(suppress.sum()) == config["suppressed_records"]
    out = frame.with_columns([pl.Series(qi, np.where(suppress, "*", np.array(generalized[qi], dtype=object)).tolist())
                              for qi in qis])
    verify_release(out, original=frame, quasi_identifiers=qis, models=[model],
                   suppression_limit=config["suppression_limit"], hierarchies=hierarchies)
    # one suppressed record fewer allowed than ARX used: too many suppressions
    with pytest.raises(VerificationError, match="suppresses"):
        verify_release(out, original=frame, quasi_identifiers=qis, models=[model],
                       suppression_limit=(config["suppressed_records"] - 0.5) / frame.height, hierarchies=hierarchies)


def test_an_identifier_left_in_the_release_is_refused():
    with pytest.raises(VerificationError, match="still has the identifier column 'name'"):
        verify_release(RELEASE.with_columns(ORIGINAL["name"]), original=ORIGINAL, quasi_identifiers=["zip"],
                       models=[KAnonymity(k=3)], suppression_limit=0.0, hierarchies={"zip": ZIP}, identifiers=["name"])
    verify_release(RELEASE, original=ORIGINAL, quasi_identifiers=["zip"], models=[KAnonymity(k=3)],
                   suppression_limit=0.0, hierarchies={"zip": ZIP}, identifiers=["name"])


def test_released_rows_are_grouped_without_copying_them():
    # issue 10: classes and histograms come from grouping the whole output with a released flag;
    # they equal the groups of the filtered rows.
    from unlinkable.verify import _classes, _histograms, _Released

    out = pl.DataFrame({"q": ["a", "a", "*", "b", "a", "*"], "s": ["x", "y", "x", "x", "x", "z"]})
    keep = np.array([True, True, False, True, True, False])
    rows = out.with_row_index("_row").filter(pl.Series(keep))
    released = _Released(out, keep)
    assert _classes(released, ["q"]) == _classes(rows, ["q"]) == {("a",): 3, ("b",): 1}
    assert _histograms(released, ["q"], "s") == _histograms(rows, ["q"], "s")
    assert released._rows is None  # nothing was copied
    assert released.columns == rows.columns and released.height == rows.height
    assert released.filter(pl.col("q") == "a")["_row"].to_list() == [0, 1, 4]


@given(data=st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from(["x", "y"]), st.booleans()), max_size=30),
       width=st.integers(0, 2))
def test_classes_and_pairs_from_the_distinct_tuples_equal_those_of_the_rows(data, width):
    # issue 10: the verifier reads levels and classes from one grouping of (input, output) tuples;
    # they equal the released rows' own classes and (input, output) pairs, counted row by row here
    from unlinkable.verify import _classes, _classes_of_tuples, _released_tuples

    names = ["q", "r"][:width]
    original = pl.DataFrame({name: [row[0] for row in data] for name in names}, schema={n: pl.String for n in names})
    output = pl.DataFrame({name: [row[1] + (row[0] or "") for row in data] for name in names},
                          schema={n: pl.String for n in names})
    suppressed = np.array([row[2] for row in data], dtype=bool)
    tuples = _released_tuples(output, original, names, suppressed)
    kept = [i for i in range(len(data)) if not suppressed[i]]
    expected = Counter(tuple(output[name][i] for name in names) for i in kept)
    assert _classes_of_tuples(tuples, names) == dict(expected)
    if names:  # (a frame without columns has no rows)
        assert _classes_of_tuples(tuples, names) == _classes(output.filter(pl.Series(~suppressed)), names)
    for j, name in enumerate(names):
        pairs = {(original[name][i], output[name][i]) for i in kept}
        assert set(tuples.select(f"i{j}", f"o{j}").unique().rows()) == pairs


def test_delta_presence_refuses_a_released_population_only_row_and_checks_deltas(tmp_path):
    """Hand-worked: population q = a a b b, research subset = rows 1 and 3 (one a, one b)."""
    from unlinkable.models.dpresence import DeltaPresence

    original = pl.DataFrame({"q": ["a", "a", "b", "b"]})
    subset = tmp_path / "subset.csv"
    subset.write_text("q\na\nb\n")
    h = Hierarchy([["a", "a"], ["b", "b"]])
    check = lambda out, lo, hi: verify_release(  # noqa: E731
        pl.DataFrame({"q": out}), original=original, quasi_identifiers=["q"],
        models=[DeltaPresence(delta_min=lo, delta_max=hi, subset=subset)], suppression_limit=0.0, hierarchies={"q": h})
    check(["a", "*", "b", "*"], 0.5, 0.5)  # each class: 1 subset record of 2 in the population, delta 1/2
    with pytest.raises(VerificationError, match="1 record\\(s\\) outside the research subset are released"):
        check(["a", "*", "b", "b"], 0.5, 0.5)
    with pytest.raises(VerificationError, match="presence"):
        check(["a", "*", "b", "*"], 0.6, 1.0)  # delta 1/2 < 0.6


def test_empty_cells_named_by_the_hierarchy_are_accepted(tmp_path, monkeypatch):
    """An empty cell is read as missing; a hierarchy row with an empty first cell names it. A job
    that generalizes it must pass the verifier (it was refused as "not in its hierarchy")."""
    from unlinkable.cli import main

    ages = ["20"] * 3 + ["30"] * 3 + ["40"] * 6 + [""] * 6
    # written by hand: polars would quote the empty text ("") and so not leave the cell empty
    (tmp_path / "d.csv").write_text("age,visit\n" + "".join(f"{a},{i}\n" for i, a in enumerate(ages)))
    (tmp_path / "age.csv").write_text("20;<35;*\n30;<35;*\n40;>=35;*\n;missing;*\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.yaml").write_text(
        "input: d.csv\nprivacy: [{k-anonymity: {k: 6}}]\nsuppression_limit: 0.0\noutput: {path: out.csv}\n"
        "attributes: {age: {role: quasi-identifier, hierarchy: age.csv}, visit: insensitive}\n")
    assert main(["anonymize", "job.yaml"]) == 0
    released = pl.read_csv(tmp_path / "out.csv", infer_schema_length=0)
    # by hand: level 0 has classes of 3 (20, 30); level 1 gives <35, >=35 and missing, 6 each
    assert released.height == 18
    assert sorted(released.group_by("age").len().rows()) == [("<35", 6), (">=35", 6), ("missing", 6)]
