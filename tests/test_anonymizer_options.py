"""One spec for everything an Anonymizer is told: its arguments and a job file's settings parse into
the same AnonymizeSection, and the anonymizer reads that spec only."""

from __future__ import annotations

import pytest

from unlinkable.anonymizer import Anonymizer
from unlinkable.anonymizer_options import AnonymizeSection
from unlinkable.config import job_from_content
from unlinkable.errors import ConfigError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.jobs.anonymize import job_anonymizer
from unlinkable.transform.local_recoding import LocalRecoding

ZIP = Hierarchy([["81667", "816**", "*"], ["81675", "816**", "*"]])
SETTINGS = {"privacy": [{"k-anonymity": {"k": 2}}, {"l-diversity": {"attribute": "disease", "variant": "distinct", "l": 2}}],
            "suppression_limit": 0.1, "metric": {"name": "loss", "gs_factor": 0.25},
            "local_recoding": {"gs_factor": 0.1}}


def _fields(spec: AnonymizeSection) -> dict[str, object]:
    """The spec's values, the metric by its settings (each spec holds a private copy of it)."""
    given = spec.given()
    metric = given.pop("metric")
    return {**given, "metric": (type(metric), metric.name, vars(metric).get("gs_factor"))}


def test_the_api_and_the_job_file_give_the_same_spec():
    job = job_from_content({"input": "d.csv", "attributes": {"zip": "quasi-identifier", "disease": "sensitive",
                                                             "name": "identifier", "visits": "insensitive"},
                            **SETTINGS})
    from_job = job_anonymizer(job, hierarchies={"zip": ZIP}, identifiers=["name"]).spec
    from_api = Anonymizer(quasi_identifiers=["zip"], hierarchies={"zip": ZIP}, identifiers=["name"], sensitive="disease",
                          insensitive=["visits"], progress=False, **SETTINGS).spec
    assert _fields(from_job) == _fields(from_api)
    assert from_api.local_recoding == LocalRecoding(gs_factor=0.1)
    assert from_api.privacy[1].sensitive_attributes() == ("disease",)


def test_a_seeded_search_takes_the_job_s_seed_unless_it_has_its_own():
    base = {"input": "d.csv", "attributes": {"zip": "quasi-identifier"}, "privacy": [{"k-anonymity": {"k": 2}}],
            "seed": 7}
    assert job_from_content({**base, "search": "genetic"}).spec.anonymize.search.seed == 7
    assert job_from_content({**base, "search": {"algorithm": "genetic", "seed": 3}}).spec.anonymize.search.seed == 3
    assert job_from_content({**base, "search": "lightning"}).spec.anonymize.search.seed is None


def test_the_spec_is_frozen_and_the_caller_s_metric_untouched():
    from unlinkable.utility import metric_from_name

    metric = metric_from_name("loss")
    anonymizer = Anonymizer(quasi_identifiers=["zip"], hierarchies={"zip": ZIP}, privacy=[{"k-anonymity": {"k": 2}}],
                            metric=metric, progress=False)
    assert anonymizer.spec.metric is not metric and anonymizer.metric is not anonymizer.spec.metric
    with pytest.raises(Exception, match="frozen"):
        anonymizer.spec.suppression_limit = 0.5  # type: ignore[misc]


def test_a_spec_without_roles_makes_no_anonymizer():
    settings = job_from_content({"input": "d.csv", "privacy": [{"k-anonymity": {"k": 2}}]}).spec.anonymize
    with pytest.raises(ConfigError, match="at least one quasi-identifier"):
        Anonymizer.from_spec(settings, progress=False)
