"""The classification metric against ARX itself: optima and losses on adult that
scripts/arx_classification_reference.py obtained by running ARX 3.9.2 (tests/reference/arx_classification.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unlinkable.anonymizer import Anonymizer
from unlinkable.data.io import read_table
from unlinkable.utility.classification import ClassificationMetric

HERE = Path(__file__).resolve().parent
CASES = json.loads((HERE.parent / "reference" / "arx_classification.json").read_text(encoding="utf-8"))["cases"]
ADULT = HERE.parents[1].parent / "shared" / "data" / "arx" / "adult"


def _anonymizer(case):
    header = (ADULT / "adult.csv").read_text(encoding="utf-8").splitlines()[0].split(";")
    qis = [a for a in header if (ADULT / f"adult_hierarchy_{a}.csv").exists()]
    return qis, Anonymizer(quasi_identifiers=qis, hierarchies={q: ADULT / f"adult_hierarchy_{q}.csv" for q in qis},
                           privacy=[{"k-anonymity": {"k": case["k"]}}], suppression_limit=case["suppression_limit"],
                           metric=ClassificationMetric(case["response"], gs_factor=case["gs_factor"]), progress=False)


@pytest.fixture(scope="module")
def adult():
    return read_table(ADULT / "adult.csv", delimiter=";")


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"k{c['k']}-gs{c['gs_factor']}-{'+'.join(c['response'])}")
def test_loss_of_arx_optimum(case, adult):
    # ARX sums its penalties class by class in its own order: equal to the last few ulps
    _, anonymizer = _anonymizer(case)
    assert anonymizer.score(adult, case["transformation"]).loss == pytest.approx(float(case["loss"]), rel=1e-13)


def test_same_optimum_as_arx(adult):
    case = CASES[-1]
    qis, anonymizer = _anonymizer(case)
    result = anonymizer.fit(adult)
    assert [result.transformation[q] for q in qis] == case["transformation"]
