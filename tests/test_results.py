"""Each command's typed result: its ``to_dict()`` is what the command writes as JSON, key for key.

The command runs in process; the result object it serialises is caught on its way to ``to_dict``
and serialised again after the run: the two must be equal (same keys, same figures).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from unlinkable.anonymizer import Result, TransformationFigures, TransformationScore
from unlinkable.cli import main
from unlinkable.results import AnonymizationResult, AssessmentResult, ExposureResult, SdcResult


def _caught(monkeypatch: pytest.MonkeyPatch, cls: type) -> list[Any]:
    """Record every instance of ``cls`` whose ``to_dict`` is called."""
    seen: list[Any] = []
    original = cls.to_dict

    def to_dict(self: Any) -> dict[str, Any]:
        seen.append(self)
        out: dict[str, Any] = original(self)
        return out

    monkeypatch.setattr(cls, "to_dict", to_dict)
    return seen


def _plain(seen: list[Any]) -> Any:
    """The JSON of the one result the command serialised (its report may serialise it again)."""
    assert seen and all(result is seen[0] for result in seen)
    return json.loads(json.dumps(seen[0].to_dict(), default=str))


@pytest.fixture()
def table(tmp_path: Path) -> Path:
    rows = [f"{i},{20 + i % 7},{'fm'[i % 2]},{'123'[i % 3]},{i % 4}" for i in range(60)]
    (tmp_path / "t.csv").write_text("pid,age,sex,zone,score\n" + "\n".join(rows) + "\n")
    (tmp_path / "age.csv").write_text("".join(f"{a};{a // 5 * 5};*\n" for a in range(20, 27)))
    return tmp_path


def test_assess_json_is_the_results_to_dict(table: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _caught(monkeypatch, AssessmentResult)
    assert main(["assess", str(table / "t.csv"), "--qi", "age,sex,zone", "--json", str(table / "a.json"),
                 "--report", str(table / "a.html")]) == 0
    assert json.loads((table / "a.json").read_text()) == _plain(seen)


def test_exposure_json_is_the_results_to_dict(table: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (table / "job.yaml").write_text("release: {path: t.csv}\nauxiliary: {path: t.csv}\n"
                                    "attributes:\n  age: {auxiliary: age}\n  sex: {auxiliary: sex}\n")
    seen = _caught(monkeypatch, ExposureResult)
    assert main(["exposure", str(table / "job.yaml"), "--json", str(table / "e.json"), "--report",
                 str(table / "e.html")]) == 0
    written = json.loads((table / "e.json").read_text())
    assert written == _plain(seen) and written["auxiliary_name"] == "t.csv"


_ROLES = "attributes:\n  pid: {role: identifier}\n  age: {role: quasi-identifier, hierarchy: age.csv}\n" \
         "  sex: quasi-identifier\n  zone: quasi-identifier\n  score: insensitive\n"
_STEPS = "steps:\n  - local-suppression: {k: 2, attributes: [sex, zone]}\n"
_PRIVACY = "privacy:\n  - k-anonymity: {k: 3}\nsuppression_limit: 0.1\n"


@pytest.mark.parametrize("sections, cls", [(_PRIVACY, AnonymizationResult), (_STEPS, SdcResult),
                                           (_STEPS + _PRIVACY, AnonymizationResult)],
                         ids=["privacy", "steps", "steps-then-privacy"])
def test_anonymize_json_is_the_results_to_dict(table: Path, monkeypatch: pytest.MonkeyPatch, sections: str,
                                               cls: type) -> None:
    (table / "sex.csv").write_text("f;*\nm;*\n")
    (table / "zone.csv").write_text("1;*\n2;*\n3;*\n")
    roles = _ROLES
    if "k-anonymity" in sections:
        roles = roles.replace("  sex: quasi-identifier", "  sex: {role: quasi-identifier, hierarchy: sex.csv}")
        roles = roles.replace("  zone: quasi-identifier", "  zone: {role: quasi-identifier, hierarchy: zone.csv}")
    (table / "job.yaml").write_text("input: {path: t.csv}\n" + roles + sections
                                    + "output: {path: out.csv, report: out.html}\n")
    seen = _caught(monkeypatch, cls)
    assert main(["anonymize", str(table / "job.yaml"), "--json", str(table / "r.json")]) == 0
    written = json.loads((table / "r.json").read_text())
    assert written == _plain(seen)
    assert written["records"] == 60 and written["identifiers"] == ["pid"] and "formula_escaping" in written
    assert ("steps" in written) == ("steps:" in sections) and ("transformation" in written) == (cls is AnonymizationResult)


@pytest.mark.parametrize("cls", [AssessmentResult, ExposureResult, AnonymizationResult, SdcResult, Result,
                                 TransformationScore])
def test_results_are_frozen(cls: type) -> None:
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_the_optimum_and_a_scored_transformation_share_their_figures() -> None:
    shared = {f.name for f in dataclasses.fields(TransformationFigures)}
    assert shared <= {f.name for f in dataclasses.fields(Result)}
    assert shared <= {f.name for f in dataclasses.fields(TransformationScore)}


def test_no_property_of_a_result_assesses() -> None:
    # the released table's risk is an explicit method, not computed on first access
    assert not isinstance(getattr(Result, "risk_after", None), property)
    assert callable(Result.assess_release)
