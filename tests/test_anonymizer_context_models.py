"""k-map (population table), delta-presence (research subset) and linkage inside the optimal search.

Each release is re-checked independently: k-map by generalizing the population with the chosen
levels and counting, linkage by recomputing exposure on the produced table, delta-presence by the
verifier.
"""

from __future__ import annotations

from collections import Counter

import polars as pl
import pytest

import unlinkable
from unlinkable.datasets import census, census_hierarchies
from unlinkable.verify import verify_release

QIS = ["age", "sex", "zip"]
#: the roles of the census columns besides the quasi-identifiers (every column needs one)
ROLES = dict(identifiers=["person_id", "birth_date", "marital_status", "education", "occupation"],
             sensitive=["income", "diagnosis"])


@pytest.fixture(scope="module")
def population():
    return census(3000, seed=11)


@pytest.fixture(scope="module")
def hierarchies(population):
    h = census_hierarchies(population)
    return {q: h[q] for q in QIS}


def test_k_map_with_a_population_table(tmp_path, population, hierarchies):
    pop_path = tmp_path / "population.csv"
    population.write_csv(pop_path)
    sample = population.sample(300, seed=5)
    anonymizer = unlinkable.Anonymizer(quasi_identifiers=QIS, hierarchies=hierarchies,
                                       privacy=[{"k-map": {"k": 5, "population": str(pop_path)}}],
                                       suppression_limit=0.05, **ROLES)
    result = anonymizer.fit(sample)
    levels = result.transformation
    # independent: every released class matches at least 5 population records
    pop_classes = Counter(tuple(hierarchies[q].generalize(r[q], levels[q]) for q in QIS) for r in population.iter_rows(named=True))
    released = result.table.filter(pl.col("age") != "*")
    for row in released.select(QIS).unique().iter_rows():
        assert pop_classes[tuple(row)] >= 5, row
    verify_release(result.table, original=sample, quasi_identifiers=QIS, models=anonymizer.models,
                   suppression_limit=0.05, hierarchies=hierarchies)


def test_delta_presence_with_a_research_subset(tmp_path, population, hierarchies):
    data = population.head(1000)
    subset_path = tmp_path / "subset.csv"
    data.head(120).write_csv(subset_path)
    anonymizer = unlinkable.Anonymizer(quasi_identifiers=QIS, hierarchies=hierarchies,
                                       privacy=[{"delta-presence": {"delta_min": 0.0, "delta_max": 0.5, "subset": str(subset_path)}}],
                                       suppression_limit=0.05, **ROLES)
    result = anonymizer.fit(data)
    verify_release(result.table, original=data, quasi_identifiers=QIS, models=anonymizer.models,
                   suppression_limit=0.05, hierarchies=hierarchies)


def test_linkage_model_bounds_the_unique_link_share(tmp_path, population, hierarchies):
    data = population.head(500)
    voters = population.head(800).select(QIS)
    voters_path = tmp_path / "voters.csv"
    voters.write_csv(voters_path)
    before = unlinkable.exposure(data, voters, on=QIS, hierarchies=hierarchies, what_if=False).to_dict()
    assert before["unique_link_share"] > 0.01  # the raw table is exposed
    anonymizer = unlinkable.Anonymizer(quasi_identifiers=QIS, hierarchies=hierarchies,
                                       privacy=[{"linkage": {"auxiliary": str(voters_path), "on": QIS, "max_unique_link_share": 0.01}}],
                                       suppression_limit=0.05, **ROLES)
    result = anonymizer.fit(data)
    after = unlinkable.exposure(result.table, voters, on=QIS, hierarchies=hierarchies, what_if=False).to_dict()
    assert after["unique_link_share"] <= 0.01
    verify_release(result.table, original=data, quasi_identifiers=QIS, models=anonymizer.models,
                   suppression_limit=0.05, hierarchies=hierarchies)


def test_verifier_rejects_a_release_above_the_linkage_limit(tmp_path, population, hierarchies):
    from unlinkable.errors import VerificationError
    from unlinkable.models import model_from_config

    data = population.head(500)
    voters_path = tmp_path / "voters.csv"
    population.head(800).select(QIS).write_csv(voters_path)
    model = model_from_config({"linkage": {"auxiliary": str(voters_path), "on": QIS, "max_unique_link_share": 0.01}})
    # the raw table as "release": well above 1% unique links
    with pytest.raises(VerificationError, match="linkage"):
        verify_release(data, original=data, quasi_identifiers=QIS, models=[model], suppression_limit=0.05,
                       hierarchies=hierarchies)
