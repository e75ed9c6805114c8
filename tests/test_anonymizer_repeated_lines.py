"""A table read line by line (data/repeated_lines.py) is encoded and grouped on its distinct lines
(``Anonymizer._setup``): the optimum, every figure and the released table are those of the same
records fitted without their lines."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

from unlinkable.anonymizer import Anonymizer
from unlinkable.data.io import read_csv
from unlinkable.data.repeated_lines import lines_of, remember
from unlinkable.models.kanonymity import KAnonymity
from unlinkable.models.ldiversity import DistinctLDiversity
from unlinkable.transform.generalize import Generalizer

QI8 = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "salary-class"]


@pytest.fixture(scope="module")
def adult(arx_data):
    return read_csv(arx_data / "adult" / "adult.csv", delimiter=";", categorical=[*QI8, "occupation"])


def _with_lines(frame):
    """The same records as another frame object, with each record's line (brute force: a dict of rows)."""
    seen: dict[tuple, int] = {}
    first: list[int] = []
    lines = []
    for r, row in enumerate(frame.rows()):
        lines.append(seen.setdefault(row, len(seen)))
        if lines[-1] == len(first):
            first.append(r)
    copy = frame.clone()
    remember(copy, np.array(lines, dtype=np.uint32), np.array(first, dtype=np.int64))
    assert lines_of(copy) is not None and lines_of(frame) is None
    return copy


@pytest.mark.parametrize("options", [
    {"privacy": [KAnonymity(k=5)], "suppression_limit": 0.05, "metric": "loss", "insensitive": ["occupation"]},
    {"privacy": [KAnonymity(k=10)], "suppression_limit": 0.0, "metric": "entropy", "insensitive": ["occupation"]},
    {"privacy": [DistinctLDiversity(attribute="occupation", l=3)], "suppression_limit": 0.04, "metric": "loss",
     "sensitive": "occupation"},
], ids=["k5-loss", "k10-entropy", "distinct-l3"])
def test_a_fit_on_distinct_lines_equals_the_fit_on_records(adult, arx_data, options):
    hierarchies = {q: arx_data / "adult" / f"adult_hierarchy_{q}.csv" for q in QI8}

    def fit(frame):
        return Anonymizer(quasi_identifiers=QI8, hierarchies=hierarchies, progress=False, **options).fit(frame)

    lined = _with_lines(adult)
    with mock.patch.object(Generalizer, "of_lines", wraps=Generalizer.of_lines) as of_lines:
        by_lines = fit(lined)
    assert of_lines.call_count == 1  # the distinct lines were grouped, not the records
    by_records = fit(adult)
    assert by_lines.transformation == by_records.transformation
    assert by_lines.loss_string == by_records.loss_string
    assert (by_lines.suppressed, by_lines.equivalence_classes) == (by_records.suppressed, by_records.equivalence_classes)
    assert by_lines.table.equals(by_records.table)
    rows, count = by_lines.release_rows()
    expected_rows, expected_count = by_records.release_rows()
    assert count == expected_count and rows.tolist() == expected_rows.tolist()
    assert by_lines.assess_release() == by_records.assess_release()
