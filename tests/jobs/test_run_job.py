"""``unlinkable.run_job`` runs every kind of job as its command does and returns the command's typed result."""

from __future__ import annotations

import json

import polars as pl
import pytest

import unlinkable
from unlinkable.cli import main
from unlinkable.errors import ConfigError
from unlinkable.jobs import job_kind


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("jobs")
    pl.DataFrame({"pid": [f"p{i}" for i in range(12)], "age": [20, 21, 22, 23, 30, 31, 32, 33, 40, 41, 42, 43],
                  "sex": ["f", "m"] * 6}).write_csv(d / "d.csv")
    (d / "age.csv").write_text("\n".join(f"{a};{a // 10 * 10}s;*" for a in (20, 21, 22, 23, 30, 31, 32, 33, 40, 41, 42, 43)) + "\n")
    (d / "sex.csv").write_text("f;*\nm;*\n")
    (d / "anonymize.yaml").write_text(
        "input: d.csv\nattributes:\n  pid: identifier\n  age: {role: quasi-identifier, hierarchy: age.csv}\n"
        "  sex: {role: quasi-identifier, hierarchy: sex.csv}\nprivacy: [{k-anonymity: {k: 2}}]\n"
        "output: {path: out.csv}\n")
    (d / "exposure.yaml").write_text("release: d.csv\nauxiliary: d.csv\nattributes: {age: {}, sex: {}}\nwhat_if: false\n")
    return d


def test_an_anonymize_job_gives_the_commands_result_and_writes_its_outputs(folder):
    result = unlinkable.run_job(folder / "anonymize.yaml")
    assert isinstance(result, unlinkable.AnonymizationResult)
    released = pl.read_csv(folder / "out.csv")
    assert "pid" not in released.columns and released.height == 12
    assert main(["anonymize", str(folder / "anonymize.yaml"), "--json", str(folder / "r.json")]) == 0
    written = json.loads((folder / "r.json").read_text())
    expected = json.loads(json.dumps(result.to_dict(), default=str))
    for figures in (written, expected):
        figures.pop("runtime_s")  # the only figure that differs between two runs
    assert written == expected


def test_a_mapping_is_a_job_with_paths_from_the_current_folder(folder, monkeypatch):
    monkeypatch.chdir(folder)
    result = unlinkable.run_job({"input": "d.csv", "attributes": {"age": "quasi-identifier", "sex": "quasi-identifier"}})
    expected = unlinkable.assess("d.csv", quasi_identifiers=["age", "sex"])
    assert isinstance(result, unlinkable.AssessmentResult)
    assert result.to_dict() == expected.to_dict()


def test_an_exposure_job_gives_the_exposure_result(folder):
    result = unlinkable.run_job(folder / "exposure.yaml")
    assert isinstance(result, unlinkable.ExposureResult)
    # the release joined to itself: each record matches the records sharing its age and sex (all distinct here)
    assert result.to_dict()["unique_link_share"] == 1.0


def test_a_trajectory_job_gives_the_commands_result_issue_10(tmp_path):
    # hand-worked: users 1 {a, b} and 2 {a}; knowing one place, a is shared (risk 1/2), b is
    # user 1's alone (risk 1): user 1's risk is 1, user 2's 1/2, the mean 3/4
    (tmp_path / "t.csv").write_text("u,cell\n1,a\n1,b\n2,a\n")
    (tmp_path / "job.yaml").write_text("input: t.csv\ntrajectories: {user: u, place: cell}\n"
                                       "assess: {attacks: [location], unicity: {p: 1}}\n")
    result = unlinkable.run_job(tmp_path / "job.yaml")
    assert isinstance(result, unlinkable.results.TracesAssessmentResult)
    assert result.to_dict()["attacks"][0]["mean_risk"] == 0.75
    assert main(["assess", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "r.json")]) == 0
    assert json.loads((tmp_path / "r.json").read_text()) == result.to_dict()


def test_a_trajectory_release_is_written_by_run_job_issue_10(tmp_path):
    # three users within 1 km of each other: one 1 km cell holds all three, 3-anonymous at p = 1
    (tmp_path / "t.csv").write_text("u,lat,lng\n1,45.0,7.0\n2,45.0001,7.0\n3,45.0002,7.0\n")
    (tmp_path / "job.yaml").write_text(
        "input: t.csv\ntrajectories: {user: u, lat: lat, lng: lng}\nassess: {attacks: [location]}\n"
        "privacy: [{trajectory-k-anonymity: {k: 3, p: 1}}]\nanonymize: {space: [1000]}\noutput: {path: out.csv}\n")
    assert job_kind(unlinkable.jobs.read_job(tmp_path / "job.yaml")[0]) == "traces-anonymize"
    result = unlinkable.run_job(tmp_path / "job.yaml")
    assert isinstance(result, unlinkable.results.TracesAnonymizationResult)
    assert result.to_dict()["users"]["released"] == 3 and pl.read_csv(tmp_path / "out.csv").height == 3
    with pytest.raises(ConfigError, match="numpy backend only"):
        unlinkable.run_job(tmp_path / "job.yaml", backend="spark")


def test_the_kind_of_a_job_follows_its_sections():
    assert job_kind({"input": {"path": "b.txt", "format": "basket-lines"}}) == "points"
    assert job_kind({"input": "d.csv", "steps": [{"pram": {"attribute": "a"}}]}) == "anonymize"


@pytest.mark.parametrize("job, message", [
    (42, "a job is a job file's path or its content as a mapping, got 42"),
    ({"input": "d.csv", "privacy": [{"k-anonymity": {"k": 0}}], "attributes": {"a": "quasi-identifier"}},
     "the 'k' parameter must be a whole number >= 1, got 0"),
])
def test_a_bad_job_is_one_config_error(job, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        unlinkable.run_job(job)
