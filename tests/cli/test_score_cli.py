"""``unlinkable score``: the figures of one transformation, as the anonymize run reports its optimum."""

from __future__ import annotations

import json

import pytest

from unlinkable.cli import main
from unlinkable.datasets import write_census_job


def test_score_of_the_optimum_matches_the_anonymize_result(tmp_path, capsys):
    job = write_census_job(tmp_path / "demo", n=600, seed=3)
    assert main(["anonymize", str(job), "--json", str(tmp_path / "result.json")]) == 0
    result = json.loads((tmp_path / "result.json").read_text())
    capsys.readouterr()
    levels = ",".join(f"{q}={lv}" for q, lv in result["transformation"].items())
    assert main(["score", str(job), "--levels", levels]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert scored["transformation"] == result["transformation"]
    assert scored["loss_string"] == result["loss_string"]
    assert scored["suppressed"] == result["suppressed"]
    assert scored["equivalence_classes"] == result["equivalence_classes"]
    assert scored["anonymous"] is True


@pytest.mark.parametrize("levels, message", [("age=x", "NAME=LEVEL"), ("age=1,age=2", "twice"), ("nope=0", "not a quasi-identifier")])
def test_bad_levels_exit_2(tmp_path, capsys, levels, message):
    job = write_census_job(tmp_path / "demo", n=200, seed=3)
    assert main(["score", str(job), "--levels", levels]) == 2
    assert message in capsys.readouterr().err
