"""The genetic search's settings (ARX's setGeneticAlgorithm*): checked where they enter (Python, job
file), and with non-default values the search ARX runs: optima on adult that
scripts/arx_genetic_reference.py obtained from ARX 3.9.2 (tests/reference/arx_genetic.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unlinkable.anonymizer import Anonymizer
from unlinkable.data.io import read_table
from unlinkable.errors import ConfigError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.search.genetic import ARX_DETERMINISTIC_SEED, GENETIC_SETTINGS, GeneticOptions
from unlinkable.search.options import SearchSection

HERE = Path(__file__).resolve().parent
REFERENCE = json.loads((HERE.parent / "reference" / "arx_genetic.json").read_text(encoding="utf-8"))
ADULT = HERE.parents[1].parent / "shared" / "data" / "arx" / "adult"


def _anonymizer(case: dict, genetic: dict | None) -> tuple[list[str], Anonymizer]:
    header = (ADULT / "adult.csv").read_text(encoding="utf-8").splitlines()[0].split(";")
    qis = [a for a in header if (ADULT / f"adult_hierarchy_{a}.csv").exists()]
    return qis, Anonymizer(quasi_identifiers=qis, hierarchies={q: ADULT / f"adult_hierarchy_{q}.csv" for q in qis},
                           privacy=[{"k-anonymity": {"k": case["k"]}}], suppression_limit=case["suppression_limit"],
                           search="genetic", seed=ARX_DETERMINISTIC_SEED, step_limit=case["step_limit"],
                           genetic=genetic, progress=False)


@pytest.fixture(scope="module")
def adult():
    if not ADULT.exists():
        pytest.skip("ARX's adult data (../shared/data/arx/adult) is absent")
    return read_table(ADULT / "adult.csv", delimiter=";")


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=lambda c: f"k{c['k']}-pop{c['subpopulation_size']}-it{c['iterations']}")
def test_non_default_settings_give_arx_s_optimum(case, adult):
    qis, anonymizer = _anonymizer(case, {key: case[key] for key in GENETIC_SETTINGS})
    result = anonymizer.fit(adult)
    assert [result.transformation[q] for q in qis] == case["transformation"]
    assert result.loss_string == case["loss"]  # ARX prints its score with Double.toString


def test_the_settings_change_the_search(adult):
    """With ARX's defaults the first configuration's search ends elsewhere (its checked count differs)."""
    case = REFERENCE["cases"][0]
    tuned = _anonymizer(case, {key: case[key] for key in GENETIC_SETTINGS})[1]
    default = _anonymizer(case, None)[1]
    assert tuned.genetic != GeneticOptions() and default.genetic is None
    assert tuned.fit(adult).nodes_checked != default.fit(adult).nodes_checked


def test_job_file_settings_are_checked():
    # the job file's search section and Anonymizer's arguments parse into one spec (issue 10)
    options = SearchSection.parse({"algorithm": "genetic", "seed": 1, "iterations": 5, "elite_fraction": 0.5})
    assert options.genetic == GeneticOptions(iterations=5, elite_fraction=0.5)
    assert SearchSection.parse({"algorithm": "genetic", "seed": 1}).genetic is None
    anonymizer = Anonymizer(quasi_identifiers=["a"], hierarchies={"a": Hierarchy([["1", "*"]])},
                            privacy=[{"k-anonymity": {"k": 1}}], search="genetic", seed=1, genetic=options.genetic)
    assert anonymizer.genetic == GeneticOptions(iterations=5, elite_fraction=0.5)
    assert anonymizer.search_spec == Anonymizer(quasi_identifiers=["a"], hierarchies={"a": Hierarchy([["1", "*"]])},
                                                privacy=[{"k-anonymity": {"k": 1}}], search=options).search_spec
    with pytest.raises(ConfigError, match="setting of the genetic search, not of lightning"):
        SearchSection.parse({"algorithm": "lightning", "iterations": 5})
    with pytest.raises(ConfigError, match="the 'elite_fraction' parameter must be a number in \\[0, 1\\], got 1.5"):
        SearchSection.parse({"algorithm": "genetic", "seed": 1, "elite_fraction": 1.5})
    with pytest.raises(ConfigError, match="'iterations' parameter must be a whole number >= 1"):
        SearchSection.parse({"algorithm": "genetic", "seed": 1, "iterations": 0})
    with pytest.raises(ConfigError, match="did you mean 'iterations'"):
        SearchSection.parse({"algorithm": "genetic", "seed": 1, "iteration": 5})


def test_python_settings_are_checked():
    with pytest.raises(ConfigError, match="`search.iterations` is a setting of the genetic search, not of optimal"):
        Anonymizer(quasi_identifiers=["a"], hierarchies={"a": Hierarchy([["1", "*"]])},
                   privacy=[{"k-anonymity": {"k": 2}}], genetic={"iterations": 5})
    with pytest.raises(ConfigError, match="unknown setting 'mutation'"):
        GeneticOptions.from_mapping({"mutation": 0.5})
    with pytest.raises(ConfigError, match="production_fraction"):
        GeneticOptions(production_fraction=0.0)
