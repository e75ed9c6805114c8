"""The typed job specs and their JSON Schema: the printed schema accepts the bundled jobs and refuses
an unknown key; the library's errors read as the error tree's (file, key path, value, hint)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from unlinkable.config import load_job, read_job_file
from unlinkable.errors import ConfigError
from unlinkable.spec import TableJobSpec, parse_spec

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


@pytest.fixture(scope="module")
def schema() -> dict:
    r = subprocess.run([sys.executable, "-m", "unlinkable", "schema"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    printed = json.loads(r.stdout)
    jsonschema.Draft202012Validator.check_schema(printed)
    return printed


def _bundled_jobs(tmp_path: Path) -> dict[str, object]:
    """The census job the demo writes, the README's anonymize and set-valued jobs, and an exposure job."""
    import yaml

    from unlinkable.datasets import write_census_job

    jobs: dict[str, object] = {"census": read_job_file(write_census_job(tmp_path, n=200, seed=1))}
    (block,) = re.findall(r"```yaml\n(.*?)```", README, flags=re.S)
    jobs["readme anonymize"] = yaml.safe_load(block)
    points = re.search(r'Path\("shop/job.yaml"\).write_text\(\n(.*?)\)\n', README, flags=re.S)
    assert points is not None
    jobs["readme points"] = yaml.safe_load("".join(eval(line.strip()) for line in points.group(1).splitlines()))  # noqa: S307
    jobs["exposure"] = {"release": {"path": "release.csv", "delimiter": ","}, "auxiliary": "voters.csv",
                        "attributes": {"age": {"auxiliary": "AGE", "tolerance": 1}, "sex": None},
                        "truth_key": {"release": "pid", "auxiliary": "pid"}, "what_if": False}
    return jobs


def test_printed_schema_accepts_the_bundled_jobs_and_refuses_an_unknown_key(schema, tmp_path):
    validator = jsonschema.Draft202012Validator(schema)
    for name, job in _bundled_jobs(tmp_path).items():
        errors = list(validator.iter_errors(job))
        assert not errors, (name, [e.message for e in errors])
        assert isinstance(job, dict)
        for section, bad in ((next(iter(job)), "typo"), ("privacy", None)):
            wrong = dict(job)
            if bad is None:
                wrong["privacy"] = [{"k-anonymity": {"k": 5, "kk": 1}}]   # an unknown model parameter
            else:
                wrong["tpyo"] = 1                                          # an unknown section
            assert list(validator.iter_errors(wrong)), (name, section)


def test_schema_names_every_model_and_step_from_the_registries(schema):
    from unlinkable.models import REGISTRY as MODELS
    from unlinkable.sdc.pipeline import REGISTRY as STEPS

    text = json.dumps(schema)
    for name in [*MODELS, *STEPS]:
        assert f'"{name}"' in text, name
    k = next(d for n, d in schema["$defs"].items() if n.startswith("KAnonymityParameters"))
    assert k["required"] == ["k"] and k["additionalProperties"] is False


def test_schema_written_to_a_file(tmp_path):
    out = tmp_path / "job.schema.json"
    r = subprocess.run([sys.executable, "-m", "unlinkable", "schema", "--out", str(out)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["title"] == "unlinkable job file"


def test_a_job_file_parses_into_a_frozen_typed_spec(tmp_path):
    (tmp_path / "job.yaml").write_text("input: {path: d.csv, delimiter: ';'}\n"
                                       "attributes: {age: {role: quasi-identifier, intervals: [5, 10]}, pid: identifier}\n"
                                       "privacy: [{k-anonymity: {k: 3}}]\nsearch: {algorithm: lightning, step_limit: 10}\n")
    job = load_job(tmp_path / "job.yaml")
    assert isinstance(job.spec, TableJobSpec)
    assert job.spec.search.algorithm == "lightning" and job.spec.search.step_limit == 10
    assert job.spec.input.delimiter == ";" and job.spec.attributes["age"].intervals == [5.0, 10.0]
    with pytest.raises(ValidationError):   # frozen
        job.spec.search.step_limit = 3


def test_the_spec_accepts_every_form_the_job_file_checks_accept(tmp_path):
    # builder shorthands (`masking: true`, `dates: true`) and the genetic search's settings
    (tmp_path / "job.yaml").write_text(
        "input: d.csv\n"
        "attributes: {zip: {role: quasi-identifier, masking: true}, born: {role: quasi-identifier, dates: true}}\n"
        "privacy: [{k-anonymity: {k: 3}}]\n"
        "search: {algorithm: genetic, seed: 1, iterations: 10, subpopulation_size: 20, production_fraction: 1.0}\n")
    job = load_job(tmp_path / "job.yaml")
    assert isinstance(job.spec, TableJobSpec)
    assert job.spec.attributes["zip"].masking is True and job.spec.search.iterations == 10
    with pytest.raises(ConfigError):
        parse_spec({"search": {"algorithm": "genetic", "production_fraction": 0.0}}, source="job.yaml")


# parse_spec is the one check of a job (issue 10): each section's worded check runs as it is parsed
@pytest.mark.parametrize(("raw", "message", "hint"), [
    ({"privacy": [{"k-anonymity": {"k": 5, "kk": 1}}]}, "job.yaml: k-anonymity: unknown parameter 'kk'", "did you mean 'k'?"),
    ({"privacy": [{"k-anonimity": {"k": 5}}]}, "job.yaml: unknown privacy model 'k-anonimity'", "did you mean 'k-anonymity'?"),
    ({"steps": [{"recode": {"attribute": "age"}}]}, "job.yaml: pipeline steps[0] ('recode'): parameter 'breaks' is missing",
     "recode needs"),
    ({"attributes": {"age": {"role": "qi", "intervls": [5]}}}, "job.yaml: attribute 'age': unknown setting 'intervls'",
     "did you mean 'intervals'?"),
    ({"population": {"size": 0}}, "job.yaml: the 'population.size' parameter must be a whole number >= 1, got 0", "whole number"),
    ({"search": "fastest"}, "job.yaml: unknown search algorithm 'fastest'", "use one of optimal"),
])
def test_schema_errors_read_as_the_error_tree(raw, message, hint):
    with pytest.raises(ConfigError) as caught:
        parse_spec(raw, source="job.yaml")
    assert caught.value.message == message
    assert hint in (caught.value.hint or "")


def test_set_valued_and_trajectory_jobs_parse_into_the_spec_family(tmp_path):
    from unlinkable.points.job import parse_points_job
    from unlinkable.section import Section
    from unlinkable.spec import parse_job_of
    from unlinkable.traces.job import traces_job_from_content

    source = tmp_path / "job.yaml"
    jobs = {"traces": ({"input": "t.csv", "trajectories": {"user": "u", "place": "cell"}, "seed": 3}, traces_job_from_content),
            "points": ({"input": {"path": "b.txt", "format": "basket-lines"}, "seed": 3}, parse_points_job)}
    for kind, (content, reader) in jobs.items():
        assert isinstance(parse_spec(content, kind=kind), Section)
        assert parse_job_of(content, kind=kind, source=source) == reader(content, source=source)
        with pytest.raises(ConfigError) as through_spec:
            parse_spec({**content, "seed": -1}, kind=kind, source=source)
        with pytest.raises(ConfigError) as own_words:
            reader({**content, "seed": -1}, source=source)
        assert through_spec.value.one_line() == own_words.value.one_line()
        assert through_spec.value.one_line().startswith(f"{source}: ")
