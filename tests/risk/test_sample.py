"""Sample-based risk: ARX reference values, a hand-worked table, a brute-force oracle, properties."""

from __future__ import annotations

import collections
import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.errors import ConfigError, InputError
from unlinkable.risk.sample import SampleRisk, sample_risk


def _class_sizes_from_csv(path: Path, qis: list[str]) -> np.ndarray:
    """Count equivalence classes straight from the raw CSV rows, independently of the library."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh, delimiter=";")
        header = next(rows)
        idx = [header.index(q) for q in qis]
        counts = collections.Counter(tuple(row[i] for i in idx) for row in rows if row)
    return np.array(list(counts.values()), dtype=np.int64)


def _risk_entries(arx_reference: dict) -> list[tuple[str, dict]]:
    return [(name, entry) for name, ref in sorted(arx_reference.items()) for entry in ref["risk_original"]]


@pytest.fixture(scope="module")
def reference_cases(arx_reference, arx_data):
    cases = []
    for name, entry in _risk_entries(arx_reference):
        sizes = _class_sizes_from_csv(arx_data / name / f"{name}.csv", entry["quasi_identifiers"])
        cases.append((name, entry, sizes))
    assert cases, "no risk_original entries in the ARX reference"
    return cases


def test_matches_arx_reference(reference_cases):
    for name, ref, sizes in reference_cases:
        r = sample_risk(sizes, threshold=ref["prosecutor_summary"]["threshold"])
        eq = ref["equivalence_classes"]
        sr = ref["sample_reidentification_risk"]
        pros = ref["prosecutor_summary"]
        jour = ref["journalist_summary"]
        where = f"{name} {ref['id']}"
        assert r.records == ref["records"], where
        assert r.classes == eq["count"], where
        assert r.mean_size == eq["avg_size"], where
        assert r.size_histogram == eq["size_histogram"], where
        assert r.min_size == eq["size_histogram"][0][0], where
        assert r.max_size == eq["size_histogram"][-1][0], where
        # getSampleBasedReidentificationRisk()
        assert r.highest_risk == sr["highest_risk"], where
        assert r.average_risk == sr["average_risk"], where
        assert r.lowest_risk == sr["lowest_risk"], where
        assert r.records_at_highest_risk == sr["fraction_records_affected_by_highest_risk"], where
        assert r.records_at_lowest_risk == sr["fraction_records_affected_by_lowest_risk"], where
        assert r.highest_risk == sr["estimated_prosecutor_risk"], where
        assert r.journalist_highest_risk == sr["estimated_journalist_risk"], where
        assert r.marketer == sr["estimated_marketer_risk"], where
        # getSampleBasedRiskSummary(threshold)
        assert r.threshold == pros["threshold"], where
        assert r.records_at_risk == pros["records_at_risk"], where
        assert r.highest_risk == pros["highest_risk"], where
        assert r.average_risk == pros["average_risk"], where
        assert r.lowest_risk == pros["lowest_risk"], where
        assert r.journalist_records_at_risk == jour["records_at_risk"], where
        assert r.journalist_highest_risk == jour["highest_risk"], where
        assert r.journalist_average_risk == jour["average_risk"], where
        assert r.marketer == ref["marketer_summary_success_rate"], where
        # getSampleBasedUniquenessRisk()
        assert r.sample_uniques == ref["sample_uniques"]["fraction"], where
        assert r.sample_unique_count == ref["sample_uniques"]["count"], where


def test_to_dict_matches_reference(reference_cases):
    for _, ref, sizes in reference_cases:
        d = sample_risk(sizes).to_dict()
        assert set(d) == {"equivalence_classes", "prosecutor", "journalist", "marketer", "sample_uniques"}
        assert d["equivalence_classes"]["count"] == ref["equivalence_classes"]["count"]
        assert d["equivalence_classes"]["size_histogram"] == ref["equivalence_classes"]["size_histogram"]
        assert d["prosecutor"]["records_at_risk"] == ref["prosecutor_summary"]["records_at_risk"]
        assert d["journalist"]["average_risk"] == ref["journalist_summary"]["average_risk"]
        assert d["marketer"]["average_risk"] == ref["marketer_summary_success_rate"]
        assert d["sample_uniques"] == ref["sample_uniques"]["fraction"]
        assert set(d["prosecutor"]) == {
            "highest_risk",
            "average_risk",
            "lowest_risk",
            "records_at_highest_risk",
            "records_at_risk",
            "threshold",
        }


def test_hand_worked_table():
    # Six records, QI values: a a b c c c  -> classes of size 2, 1, 3.
    # risks per record: 1/2 1/2 1 1/3 1/3 1/3
    # highest 1 (one record: 1/6), lowest 1/3 (three records: 3/6), average = 3 classes / 6 = 0.5
    # at risk with threshold 0.4 (risk > 0.4): the two 1/2 records and the unique -> 3/6
    # at risk with threshold 0.5 (strictly greater): only the unique -> 1/6
    r = sample_risk(np.array([2, 1, 3]), threshold=0.4)
    assert (r.records, r.classes, r.min_size, r.max_size) == (6, 3, 1, 3)
    assert r.mean_size == 2.0
    assert r.size_histogram == [[1, 1], [2, 1], [3, 1]]
    assert r.highest_risk == 1.0
    assert r.lowest_risk == 1 / 3
    assert r.average_risk == 0.5
    assert r.records_at_highest_risk == 1 / 6
    assert r.records_at_lowest_risk == 0.5
    assert r.records_at_risk == 0.5
    assert sample_risk(np.array([2, 1, 3]), threshold=0.5).records_at_risk == 1 / 6
    assert r.sample_unique_count == 1 and r.sample_uniques == 1 / 6
    assert r.marketer == r.average_risk


def test_threshold_is_strict():
    # A class of 5 has risk exactly 0.2: not above the default threshold.
    assert sample_risk(np.array([5, 5])).records_at_risk == 0.0
    assert sample_risk(np.array([4, 5])).records_at_risk == 4 / 9


def test_no_uniques():
    r = sample_risk(np.array([3, 4]))
    assert r.sample_unique_count == 0 and r.sample_uniques == 0.0


def _brute_force(sizes: list[int], threshold: float) -> dict:
    risks = [1.0 / s for s in sizes for _ in range(s)]  # one entry per record
    n = len(risks)
    return {
        "highest": max(risks),
        "lowest": min(risks),
        "average": sum(risks) / n,
        "at_risk": sum(1 for x in risks if x > threshold) / n,
        "at_highest": sum(1 for x in risks if x == max(risks)) / n,
        "uniques": sum(1 for s in sizes if s == 1) / n,
    }


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=30),
    threshold=st.sampled_from([0.0, 0.1, 0.2, 1 / 3, 0.5, 1.0]),
)
def test_against_per_record_oracle(sizes, threshold):
    r = sample_risk(np.array(sizes), threshold=threshold)
    o = _brute_force(sizes, threshold)
    assert r.highest_risk == o["highest"]
    assert r.lowest_risk == o["lowest"]
    assert r.average_risk == pytest.approx(o["average"], rel=1e-12)
    assert r.records_at_risk == pytest.approx(o["at_risk"], rel=1e-12)
    assert r.records_at_highest_risk == pytest.approx(o["at_highest"], rel=1e-12)
    assert r.sample_uniques == pytest.approx(o["uniques"], rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=40),
    data=st.data(),
)
def test_merging_classes_never_raises_highest_risk(sizes, data):
    # Generalizing further merges classes: assign each class to a group and add the sizes up.
    groups = data.draw(st.lists(st.integers(0, len(sizes) - 1), min_size=len(sizes), max_size=len(sizes)))
    merged = np.bincount(np.array(groups), weights=np.array(sizes)).astype(np.int64)
    merged = merged[merged > 0]
    before, after = sample_risk(np.array(sizes)), sample_risk(merged)
    assert after.records == before.records
    assert after.highest_risk <= before.highest_risk
    assert after.min_size >= before.min_size
    assert after.average_risk <= before.average_risk
    assert after.records_at_risk <= before.records_at_risk


def test_result_is_frozen():
    r = sample_risk(np.array([1]))
    assert isinstance(r, SampleRisk)
    with pytest.raises(AttributeError):
        r.records = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    "bad",
    [np.array([], dtype=np.int64), np.array([[1, 2]]), np.array([1.5, 2.0]), np.array([2, 0, 3])],
)
def test_bad_class_sizes(bad):
    with pytest.raises(InputError):
        sample_risk(bad)


@pytest.mark.parametrize("bad", [-0.1, 1.5, "0.2", True])
def test_bad_threshold(bad):
    with pytest.raises(ConfigError):
        sample_risk(np.array([1, 2]), threshold=bad)
