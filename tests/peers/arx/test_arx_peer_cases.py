"""ARX's own JUnit cases (``cases.json``, written by ``scripts/extract_arx_cases.py``) run through unlinkable.

Every case names its ARX test file and index. A case runs when its data is in ``../shared/data/arx``
(adult, test, test2); the others are skipped as "data not obtainable". A case that needs something
unlinkable does not do (yet) is marked ``xfail(strict=True)`` with the reason from ``MISSING``, the
one table keyed by feature: when a feature lands, delete its entry and the cases must pass. A
missing variant is never replaced by a neighbour (Shannon for Grassberger, say): the case stops
with ``NotImplementedError`` before running; a "defect" entry runs the case and expects it to fail.

Comparison, as ARX's tests do it: ``AbstractAnonymizationTest`` compares the loss string exactly
(``Double.toString``), or within the test's delta when it gives one; we also compare the
transformation (ARX only prints a note when it differs with an equal loss, so a tie broken
differently is reported in the message). The one case with solution-space statistics
(TestSolutionSpaceClassification2) is checked on its loss and optimum only: its seven counts
(transformations, checks, anonymous, not anonymous, probably (not) anonymous, utility known) count
ARX's internal marks on its lattice after the search, which depend on which nodes ARX's FLASH
happened to check and infer, not on the result (unlinkable's FLASH checks 2118 of the 4320 nodes
where ARX marks 2326), so they are not ported. ``AbstractTestUtilityMetrics`` compares each listed
transformation's loss within 1e-8 (a text loss exactly), computed here with ``unlinkable.score``.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
CASES = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
SHARED_ARX = HERE.parents[2].parent / "shared" / "data" / "arx"
USA = 317238626  # ARXPopulationModel.Region.USA, as the risk-based cases use it (see POPULATION below)

#: feature -> why cases that need it are marked. One table: remove an entry when the feature lands.
MISSING: dict[str, str] = {
    # ARX features outside unlinkable's scope for now
}

#: case id -> why that one case is marked, where the reason is not a missing feature.
_GRASSBERGER = ("peer bug: ARX stops summing the Grassberger entropy as soon as a partial sum passes the bound, "
                "which is invalid when G(1) < 0; unlinkable finds a lower loss (see models/grassberger.py)")
_PAYOUT_TIE = ("peer test: ARX's test does not assert the transformation (it only notes a difference); the one it "
               "lists, [1, 3, 0, 1, 3, 0, 0, 1], needs 129 subset records suppressed, over the limit of 120, while "
               "unlinkable's [1, 3, 0, 1, 3, 0, 1, 0] has exactly ARX's loss string 2095548.2581994554")
KNOWN: dict[str, str] = {
    "TestAnonymizationProfitability-4": _PAYOUT_TIE,
    "TestAnonymizationEntropyLDiversity-0": _GRASSBERGER,
    "TestAnonymizationEntropyLDiversity-3": _GRASSBERGER,
}


def _reasons(case: dict) -> list[str]:
    """Why a ported case is marked: its missing features, or its entry in KNOWN."""
    reasons = [MISSING[f] for f in _features(case) if f in MISSING]
    return reasons + ([KNOWN[case["id"]]] if case["id"] in KNOWN else [])


#: data we cannot obtain (not in ARX's repository: see ../shared/data/arx/README.md)
NOT_OBTAINABLE = "data not obtainable"

POPULATION = {"Region.USA": USA}


# ---------------------------------------------------------------- reading a case
def _metric(case: dict) -> tuple[dict | str, list[str]]:
    """unlinkable's metric for ARX's quality model, and the features it needs."""
    qm = case["config"]["quality_model"]
    # a monotonic variant differs when records are suppressed: in a search with a limit above 0, and
    # whenever a single transformation is scored (its violating classes are suppressed regardless)
    suppressing = (case["config"]["suppression_limit"] or 0) > 0 or case["kind"] == "utility"
    if qm is None:   # createDataDependentConfiguration: the quality model is the DP search's score
        factory = case["config"]["built_by"]["args"][0]["call"].split(".")[-1]
        if factory == "createClassificationMetric":   # with the test's response variables
            return {"name": "classification", "response": case["response_attributes"]}, []
        qm = {"factory": factory, "args": []}
    name, args = qm["factory"], qm["args"]
    flags = [a for a in args if isinstance(a, bool)]
    monotonic = bool(flags and flags[0])
    if name in ("createPrecomputedEntropyMetric", "createEntropyMetric"):
        if monotonic and suppressing:
            return "entropy-monotonic", ["monotonic-entropy"]
        return "entropy", []
    if name == "createDiscernabilityMetric":
        if monotonic and suppressing:
            return "discernibility-monotonic", ["monotonic-dm"]
        return "discernibility", []
    if name == "createPrecisionMetric":
        return ("precision-monotonic", ["monotonic-precision"]) if monotonic and suppressing else ("precision", [])
    if name == "createAECSMetric":
        return "aecs", []
    if name == "createHeightMetric":
        return "height", []
    if name in ("createLossMetric", "createPrecomputedLossMetric"):
        features, metric = [], {"name": "loss"}
        if any(isinstance(a, dict) and a.get("ref") == "AggregateFunction.RANK" for a in args):
            features.append("loss-rank")
            metric["aggregate"] = "rank"
        numbers = [a for a in args if isinstance(a, float) and not isinstance(a, bool)]
        if name == "createLossMetric" and numbers and numbers[0] != 0.5:
            features.append("loss-gs-factor")
            metric["gs_factor"] = numbers[0]
        return (metric if len(metric) > 1 else "loss"), features
    if name == "createEntropyBasedInformationLossMetric":
        return "entropy-based-information-loss", []
    if name == "createPublisherPayoutMetric":
        assert args == [False], args   # ARX's prosecutor form, the one its tests use
        return {"name": "publisher-payout", **_cost_benefit(case), **_gs_factor(args)}, ["profitability"]
    raise AssertionError(f"unknown ARX quality model {qm}")


@lru_cache(maxsize=8)
def _header(dataset: str) -> tuple[str, ...]:
    """The dataset's column names (its first line only: a case reads them up to three times)."""
    with (SHARED_ARX / dataset / f"{dataset}.csv").open(encoding="utf-8") as f:
        return tuple(f.readline().rstrip("\r\n").split(";"))


def _hierarchy(dataset: str, attribute: str) -> Path:
    return SHARED_ARX / dataset / f"{dataset}_hierarchy_{attribute}.csv"


def _models(case: dict) -> tuple[list[dict], dict[str, Path], list[str]]:
    """unlinkable's privacy entries, extra hierarchies (sensitive attributes) and needed features."""
    dataset, sensitive = case["dataset"], case["sensitive"]
    out, hierarchies, features = [], {}, []
    built_by = case["config"].get("built_by")
    if built_by is not None and built_by["call"] == "createDataDependentConfiguration":
        out.append(_data_dependent(built_by["args"]))
    for m in case["config"]["privacy_models"]:
        cls, args = m.get("class"), m.get("args", [])
        expr = m.get("expression")
        if cls is None and expr and expr.get("call") == "getPopulationUniqueness":
            threshold, model = expr["args"]
            out.append({"population-uniqueness": {"threshold": threshold, "estimator": model["ref"].split(".")[-1].lower(),
                                                  "population_size": USA}})
            features.append("table-level-suppression")
            continue
        args = [sensitive if a == "<sensitive>" else a for a in args]
        if cls == "KAnonymity":
            out.append({"k-anonymity": {"k": args[0]}})
        elif cls == "DistinctLDiversity":
            out.append({"l-diversity": {"attribute": args[0], "variant": "distinct", "l": args[1]}})
        elif cls == "EntropyLDiversity":
            params = {"attribute": args[0], "variant": "entropy", "l": args[1]}
            if len(args) > 2 and args[2].get("ref", "").endswith("GRASSBERGER"):
                features.append("grassberger")
                params["estimator"] = "grassberger"
            out.append({"l-diversity": params})
        elif cls == "RecursiveCLDiversity":
            out.append({"l-diversity": {"attribute": args[0], "variant": "recursive", "c": args[1], "l": args[2]}})
        elif cls == "EqualDistanceTCloseness":
            out.append({"t-closeness": {"attribute": args[0], "distance": "equal", "t": args[1]}})
        elif cls == "OrderedDistanceTCloseness":
            # ARX orders a text attribute's values lexicographically
            out.append({"t-closeness": {"attribute": args[0], "distance": "ordered", "t": args[1], "order": "lexicographic"}})
            features.append("ordered-tcloseness-text")
        elif cls == "HierarchicalDistanceTCloseness":
            out.append({"t-closeness": {"attribute": args[0], "distance": "hierarchical", "t": args[1]}})
            hierarchies[args[0]] = _hierarchy(dataset, args[0])
        elif cls == "DPresence":
            subset = args[2]
            out.append({"delta-presence": {"delta_min": args[0], "delta_max": args[1],
                                           "subset": str(SHARED_ARX / subset["subset_of"] / subset["subset_file"])}})
            if case["config"]["quality_model"]["factory"] != "createHeightMetric":   # no record counts in it
                features.append("dpresence-subset")
        elif cls == "KMap":
            if len(args) == 2:   # KMap(k, DataSubset): the data table is the population
                subset = args[1]
                out.append({"k-map": {"k": args[0], "subset": str(SHARED_ARX / subset["subset_of"] / subset["subset_file"])}})
            else:
                k, significance, population, estimator = args
                size = POPULATION[population["args"][0]["ref"]]
                est = "zero-truncated-poisson" if estimator["ref"].endswith("ZERO_TRUNCATED_POISSON") else "poisson"
                out.append({"k-map": {"k": k, "estimator": est, "significance": significance, "population_size": size}})
        elif cls == "AverageReidentificationRisk":
            out.append({"average-risk": {"threshold": args[0]}})
            features.append("table-level-suppression")
        elif cls == "SampleUniqueness":
            out.append({"sample-uniqueness": {"threshold": args[0]}})
            features.append("table-level-suppression")
        elif cls in ("BasicBLikeness", "EnhancedBLikeness"):
            features.append("beta-likeness")
            out.append({"beta-likeness": {"attribute": args[0], "variant": "basic" if cls.startswith("Basic") else "enhanced",
                                          "beta": args[1]}})
        elif cls == "Inclusion":
            # ARX's research subset as the rule that draws it; _setup writes the rows to a file
            out.append({"inclusion": {"subset": args[0]}})
        elif cls == "EDDifferentialPrivacy":
            out.append(_differential_privacy(args))
        elif cls and cls.startswith("Profitability"):
            features.append("profitability")
            out.append(_profitability(case, cls, args))
        else:
            raise AssertionError(f"unknown ARX privacy model {m}")
    return out, hierarchies, features


#: TestAnonymizationProfitability's getConfigN() and ARX's defaults (scripts/extract_arx_cost_benefit.py)
COST_BENEFIT = json.loads((HERE / "cost_benefit.json").read_text(encoding="utf-8"))


def _cost_benefit(case: dict) -> dict:
    """The case's ARXCostBenefitConfiguration: setCostBenefitConfiguration(getConfigN()), else ARX's defaults."""
    calls = [c for c in case["config"]["other_calls"] if c["call"] == "setCostBenefitConfiguration"]
    if not calls:
        return dict(COST_BENEFIT["defaults"])
    return dict(COST_BENEFIT["configurations"][calls[-1]["args"][0]["call"]])


def _gs_factor(args: list) -> dict:
    numbers = [a for a in args if isinstance(a, float) and not isinstance(a, bool)]
    return {"gs_factor": numbers[0]} if numbers else {}


def _profitability(case: dict, cls: str, args: list) -> dict:
    """ProfitabilityProsecutor / ProfitabilityJournalist(subset), and their NoAttack forms."""
    params = {"variant": "no-attack" if cls.endswith("NoAttack") else "profitable",
              "attacker": "journalist" if "Journalist" in cls else "prosecutor", **_cost_benefit(case)}
    if args:
        (subset,) = args
        params["subset"] = str(SHARED_ARX / subset["subset_of"] / subset["subset_file"])
    return {"profitability": params}


#: ARX's test constants (TestAnonymizationDifferentialPrivacy: commons-math Log().value(2) and (3))
_CONSTANTS = {"LN2": math.log(2), "LN3": math.log(3)}


def _differential_privacy(args: list):
    """EDDifferentialPrivacy(epsilon, delta, DataGeneralizationScheme.create(degree), deterministic)."""
    from unlinkable.models.differential_privacy import DifferentialPrivacy

    epsilon, delta, scheme, deterministic = args
    epsilon = _CONSTANTS[epsilon["ref"]] if isinstance(epsilon, dict) else epsilon
    assert scheme["call"] == "DataGeneralizationScheme.create", scheme
    degree = scheme["args"][0]["ref"].split(".")[-1].lower().replace("_", "-")
    return DifferentialPrivacy(epsilon=epsilon, delta=delta, generalization=degree, deterministic=deterministic)


def _suppression_limit(case: dict) -> float:
    """The case's limit; createDataDependentConfiguration uses ARXConfiguration.create(1d, metric)."""
    built_by = case["config"].get("built_by")
    if built_by is not None and built_by["call"] == "createDataDependentConfiguration":
        return 1.0
    return case["config"]["suppression_limit"]


def _data_dependent(args: list):
    """createDataDependentConfiguration(metric, epsilon, searchBudget, delta, steps): EDDifferentialPrivacy(
    epsilon, delta, null, true) with setDPSearchBudget(searchBudget) and a step limit of ``steps`` expansions."""
    from unlinkable.models.differential_privacy import DifferentialPrivacy

    _, epsilon, budget, delta, steps = args
    return DifferentialPrivacy(epsilon=epsilon, delta=delta, search_budget=budget, steps=steps, deterministic=True)


def _require(features: list[str]) -> None:
    """Stop before running when a feature is missing (no stand-in variant is ever run instead)."""
    for f in features:
        if f in MISSING and not MISSING[f].startswith("defect"):
            raise NotImplementedError(MISSING[f])


def _features(case: dict) -> list[str]:
    _, metric_features = _metric(case)
    _, _, model_features = _models(case)
    features = metric_features + model_features
    if case["test"] in ("TestAnonymizationGenetic", "TestAnonymizationHeuristic", "TestAnonymizationHeuristicTopDown"):
        features.append("search-heuristic")
    if case.get("hashcode") is not None:
        features.append("local-recoding")
    if case["config"].get("other_calls"):
        features.append("profitability")
    if case.get("practical_monotonicity"):
        features.append("practical-monotonicity")
    return list(dict.fromkeys(features))


def _params() -> list:
    params = []
    for case in CASES["cases"]:
        marks = []
        if not case["data_available"]:
            marks.append(pytest.mark.skip(reason=f"{NOT_OBTAINABLE}: {case['dataset']}.csv is not in ARX's repository"))
        elif case.get("builders") is not None:
            marks.append(pytest.mark.skip(reason=f"{NOT_OBTAINABLE}: the hierarchy-builder file data/hierarchy-age.ahs"))
        else:
            reasons = _reasons(case)
            if reasons:
                marks.append(pytest.mark.xfail(strict=True, reason="; ".join(reasons)))
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


# ---------------------------------------------------------------- running a case
def _subset_file(rule: dict, dataset: str, folder: Path) -> Path:
    """ARX's ``getSubset``: rows drawn with ``java.util.Random`` (``unlinkable.java_random``), written as a table."""
    from unlinkable.java_random import JavaRandom

    data = _data(dataset)
    assert data.height == rule["rows"], f"ARX's subset indexes {rule['rows']} rows, {dataset} has {data.height}"
    rng = JavaRandom(rule["seed"])
    rows = sorted({rng.next_int(rule["bound"]) for _ in range(rule["draws"])})
    path = folder / f"subset_{rule['draws']}.csv"
    data[rows].write_csv(path)
    return path


def _setup(case: dict, folder: Path | None = None):
    dataset, sensitive = case["dataset"], case["sensitive"]
    privacy, extra_hierarchies, _ = _models(case)
    for entry in privacy:
        rule = entry.get("inclusion", {}).get("subset") if isinstance(entry, dict) else None
        if isinstance(rule, dict):
            entry["inclusion"]["subset"] = str(_subset_file(rule["java_random_subset"], dataset, folder))
    used = {p[next(iter(p))].get("attribute") for p in privacy if isinstance(p, dict)} - {None}
    # ARX's test fixture: every attribute with a hierarchy file is a quasi-identifier except the
    # test's sensitive attribute (sensitive when a model uses it, else left out).
    qis = [a for a in _header(dataset) if a != sensitive and _hierarchy(dataset, a).exists()]
    hierarchies = {q: _hierarchy(dataset, q) for q in qis}
    hierarchies.update(extra_hierarchies)
    metric, _ = _metric(case)
    rule = case["config"].get("attribute_weights")
    if rule is not None:
        # TestUtilityMetricsLoss's weight(...): every column weighs its header position + offset
        weights = {a: float(i + rule["offset"]) for i, a in enumerate(_header(dataset)) if a in qis}
        metric = {**({"name": metric} if isinstance(metric, str) else metric), "weights": weights}
    insensitive = [a for a in _header(dataset) if a not in qis and a not in used]
    identifiers = []
    if case.get("hashcode") is not None:
        # ARX's fixture gives the test's sensitive attribute no type unless a model uses it; ARX's
        # default type is "identifying", released as '*' (which the hash code covers)
        identifiers = [a for a in insensitive if a == sensitive]
        insensitive = [a for a in insensitive if a not in identifiers]
    extra = {"practical_monotonicity": True} if case.get("practical_monotonicity") else {}
    extra.update(_search(case))
    return dict(**extra, quasi_identifiers=qis, hierarchies=hierarchies, privacy=privacy,
                suppression_limit=_suppression_limit(case), metric=metric,
                sensitive=sorted(used) or None, insensitive=insensitive, identifiers=identifiers), qis


#: ARX's AnonymizationAlgorithm -> unlinkable's search
SEARCHES = {"BEST_EFFORT_BOTTOM_UP": "lightning", "BEST_EFFORT_TOP_DOWN": "top-down", "BEST_EFFORT_GENETIC": "genetic"}


def _search(case: dict) -> dict:
    """The search options of a case whose test class sets ARX's algorithm and limits."""
    search = case.get("search")
    if search is None:
        return {}
    from unlinkable.search.genetic import ARX_DETERMINISTIC_SEED

    # ARX stops when (int) elapsed milliseconds > the time limit: never for Integer.MAX_VALUE
    assert search["time_limit_ms"] == "Integer.MAX_VALUE", search
    options = {"search": SEARCHES[search["algorithm"]], "step_limit": search["step_limit"]}
    if search["algorithm"] == "BEST_EFFORT_GENETIC":
        assert search["genetic_deterministic"], search   # ARX's seeded mode: new Random(0xDEADBEEF)
        options["seed"] = ARX_DETERMINISTIC_SEED
    return options


@lru_cache(maxsize=4)
def _data(dataset: str):
    from unlinkable.data.io import read_table

    return read_table(SHARED_ARX / dataset / f"{dataset}.csv", delimiter=";")


@pytest.mark.parametrize("case", _params())
def test_arx_case(case, tmp_path):
    if case["kind"] == "utility":
        _check_utility(case)
    else:
        _check_anonymization(case, tmp_path)


def _check_anonymization(case: dict, folder: Path) -> None:
    from unlinkable.anonymizer import Anonymizer
    from unlinkable.errors import NoSolutionError

    _require(_features(case))
    options, qis = _setup(case, folder)
    if case.get("hashcode") is not None:
        _check_local_recoding(case, options)
        return
    anonymizer = Anonymizer(progress=False, **options)
    anonymizer._check_memo = _shared_checks(case, anonymizer)
    if case["transformation"] is None:
        with pytest.raises(NoSolutionError):
            anonymizer.fit(_data(case["dataset"]))
        return
    result = anonymizer.fit(_data(case["dataset"]))
    levels = [result.transformation[q] for q in qis]
    if result.selection_score is not None:   # ARX reports the data-dependent search's score as the loss
        assert result.selection_score == case["loss"], (levels, case["transformation"])
    elif case["delta"] is not None:
        assert abs(float(result.loss_string) - float(case["loss"])) <= case["delta"], (result.loss_string, levels)
    else:
        assert result.loss_string == case["loss"], (levels, case["transformation"])
    assert levels == case["transformation"], f"equal loss, other optimum: {levels} vs ARX {case['transformation']}"


#: the checks of the configuration TestUtilityMetricsLoss runs now (one at a time per worker)
_SHARED_CHECKS: dict[str, Any] = {}


def _shared_checks(case: dict, anonymizer: Any) -> Any:
    """TestUtilityMetricsLoss runs each of its seven privacy configurations under ten or twenty
    metrics. A search's checks (classes, verdicts, suppression) do not depend on the metric, so the
    cases of one configuration share them (``search.CheckMemo``, property-tested against fresh
    checks in tests/search/test_check_memo.py): every case still runs its whole search and scores
    every transformation with its own metric; only the first case of a configuration in a worker
    checks each transformation from the records. The key is the whole case but its metric and
    expected results, and whether the metric reads representatives (which numbers the classes)."""
    if case["test"] != "TestUtilityMetricsLoss":
        return None
    from unlinkable.search import CheckMemo

    rest = {k: v for k, v in case.items() if k not in ("id", "index", "loss", "transformation", "delta")}
    rest["config"] = {k: v for k, v in case["config"].items() if k != "quality_model"}
    key = json.dumps([rest, bool(anonymizer.metric.reads_representatives)], sort_keys=True)
    if key not in _SHARED_CHECKS:
        _SHARED_CHECKS.clear()
        _SHARED_CHECKS[key] = CheckMemo()
    return _SHARED_CHECKS[key]


def _java_hash(text: str) -> int:
    """``String.hashCode()`` (UTF-16 code units, 32-bit wrap-around), unsigned."""
    h = 0
    for unit in memoryview(text.encode("utf-16-le")).cast("H"):
        h = (31 * h + unit) & 0xFFFFFFFF
    return h


def _output_hash(table, header: tuple[str, ...]) -> int:
    """ARX's local-recoding test hash over every cell of the output, row by row (an identifier is '*')."""
    columns = [table[c].to_list() if c in table.columns else ["*"] * table.height for c in header]
    cache: dict[str, int] = {}
    h = 23
    for row in zip(*columns):
        for value in row:
            x = cache.get(value)
            if x is None:
                x = cache[value] = _java_hash(value)
            h = (37 * h + x) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def _check_local_recoding(case: dict, options: dict) -> None:
    """ARX: anonymize, then ``optimizeIterative(output, gsFactor, maxIterations, adaptionFactor)``;
    the hash code of the output's cells must be ARX's. Verified as the CLI does before writing."""
    from unlinkable.anonymizer import Anonymizer
    from unlinkable.verify import verify_release

    call = case["local_recoding"]
    assert call["call"] == "optimizeIterative", call
    settings = {k: call[k] for k in ("gs_factor", "max_iterations", "adaption_factor")}
    anonymizer = Anonymizer(progress=False, local_recoding=settings, **options)
    data = _data(case["dataset"])
    result = anonymizer.fit(data)
    verify_release(result.table, original=data, quasi_identifiers=anonymizer.quasi_identifiers,
                   models=anonymizer.models, suppression_limit=anonymizer.suppression_limit,
                   hierarchies=anonymizer.hierarchies, identifiers=anonymizer.identifiers, local=True)
    assert _output_hash(result.table, _header(case["dataset"])) == case["hashcode"], result.local_recoding


def _check_utility(case: dict) -> None:
    from unlinkable.anonymizer import Anonymizer

    _require(_features(case))
    options, qis = _setup(case)
    data = _data(case["dataset"])
    anonymizer = Anonymizer(progress=False, **options)   # Anonymizer.score is unlinkable.score, set up once
    for node in case["node_losses"]:
        scored = anonymizer.score(data, node["transformation"])
        expected = node["loss"]
        try:
            assert abs(scored.loss - float(expected)) <= 1e-8, (node["transformation"], scored.loss_string, expected)
        except ValueError:
            assert scored.loss_string == expected, node["transformation"]


def test_readme_states_the_counts():
    """The README's counts are the runner's: cases, ported (data obtainable), passing, marked."""
    import re

    total = len(CASES["cases"])
    ported = [c for c in CASES["cases"] if c["data_available"] and c.get("builders") is None]
    marked = sum(bool(_reasons(c)) for c in ported)
    readme = (HERE.parents[2] / "README.md").read_text(encoding="utf-8")
    found = re.search(r"ARX's own JUnit suite: \*\*(\d+) cases, (\d+) ported, (\d+) passing, (\d+) marked", readme)
    assert found, "README: the ARX suite counts are missing from 'What agrees with what'"
    assert [int(x) for x in found.groups()] == [total, len(ported), len(ported) - marked, marked]
