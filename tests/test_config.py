from __future__ import annotations

import pytest

from unlinkable.config import load_job
from unlinkable.constraints import check_float, check_int
from unlinkable.data.roles import Role
from unlinkable.errors import ConfigError


def test_job_roles_and_paths(tmp_path):
    job = tmp_path / "job.yaml"
    job.write_text(
        "input: {path: data.csv, delimiter: ';'}\n"
        "attributes:\n"
        "  age: {role: quasi-identifier, hierarchy: age.csv}\n"
        "  name: {role: identifier}\n"
        "  w: {role: weight}\n"
        "population: {size: 1000}\n"
        "privacy:\n  - k-anonymity: {k: 5}\n"
    )
    parsed = load_job(job)
    assert parsed.input.path == tmp_path / "data.csv"
    assert parsed.names(Role.QUASI_IDENTIFIER) == ["age"]
    assert parsed.names(Role.IDENTIFIER) == ["name"]
    assert parsed.population_size == 1000
    assert parsed.sections["privacy"] == [{"k-anonymity": {"k": 5}}]


def test_json_syntax_job(tmp_path):
    job = tmp_path / "job.json"
    job.write_text('{"input": {"path": "d.csv"}, "attributes": {"a": {"role": "sensitive"}}}')
    assert load_job(job).names(Role.SENSITIVE) == ["a"]


@pytest.mark.parametrize(
    "text, match",
    [
        ("attributes: {a: {role: wizard}}", "unknown role 'wizard'"),
        ("population: {size: 5, sampling_fraction: 0.1}", "not both"),
        ("population: {sampling_fraction: 1.5}", "sampling_fraction"),
        ("input: {delimiter: ';'}", "needs a `path`"),
        ("[1, 2", "not a readable YAML"),
        ("- just a list", "mapping of sections"),
    ],
)
def test_bad_job_files(tmp_path, text, match):
    job = tmp_path / "job.yaml"
    job.write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_job(job)


def test_parameter_checks_share_one_wording():
    with pytest.raises(ConfigError, match="'k' parameter must be a whole number >= 1, got 0"):
        check_int(0, "k", low=1)
    with pytest.raises(ConfigError, match="'t' parameter must be a number in"):
        check_float(2, "t", low=0, high=1)


def test_an_attribute_without_a_role_is_an_error():
    # issue 8: insensitive is written down, never assumed
    from unlinkable.config import parse_job

    with pytest.raises(ConfigError, match="attribute 'birth_date' has no role"):
        parse_job({"input": {"path": "d.csv"}, "attributes": {"birth_date": {}}})
    job = parse_job({"input": {"path": "d.csv"}, "attributes": {"birth_date": {"role": "insensitive"}}})
    assert job.attributes[0].role.value == "insensitive"
