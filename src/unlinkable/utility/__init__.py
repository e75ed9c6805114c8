"""Utility metrics: one module per metric, one small interface (``utility/base.py``).

``metric_from_name("loss")`` returns a fresh metric; names follow the job file
(loss | discernibility | entropy | precision | aecs | height | entropy-monotonic |
discernibility-monotonic | precision-monotonic | publisher-payout | entropy-based-information-loss |
classification).
"""

from __future__ import annotations

from typing import Any

from unlinkable.errors import ConfigError, did_you_mean, shown
from unlinkable.utility.aecs import AECSMetric
from unlinkable.utility.base import Evaluation, Score, UtilityMetric, java_double_string
from unlinkable.utility.classification import ClassificationMetric
from unlinkable.utility.discernibility import DiscernibilityMetric
from unlinkable.utility.entropy import EntropyMetric
from unlinkable.utility.entropy_based import EntropyBasedInformationLossMetric
from unlinkable.utility.height import HeightMetric
from unlinkable.utility.loss import LossMetric
from unlinkable.utility.monotonic import MonotonicDiscernibilityMetric, MonotonicEntropyMetric, MonotonicPrecisionMetric
from unlinkable.utility.precision import PrecisionMetric
from unlinkable.utility.publisher_payout import PublisherPayoutMetric

METRICS = {
    "loss": LossMetric,
    "discernibility": DiscernibilityMetric,
    "dm": DiscernibilityMetric,
    "entropy": EntropyMetric,
    "precision": PrecisionMetric,
    "aecs": AECSMetric,
    "height": HeightMetric,
    "entropy-monotonic": MonotonicEntropyMetric,
    "discernibility-monotonic": MonotonicDiscernibilityMetric,
    "dm*": MonotonicDiscernibilityMetric,
    "precision-monotonic": MonotonicPrecisionMetric,
    "publisher-payout": PublisherPayoutMetric,
    "entropy-based-information-loss": EntropyBasedInformationLossMetric,
    "classification": ClassificationMetric,
}


def _publisher_payout(options: dict[str, Any]) -> UtilityMetric:
    """``metric: {name: publisher-payout, publisher_benefit: 1200, ..., gs_factor: 0.5}`` (the game's amounts)."""
    from unlinkable.constraints import check_float, check_keys
    from unlinkable.risk.cost_benefit import COST_BENEFIT_KEYS, CostBenefit

    check_keys(options, ("name", *COST_BENEFIT_KEYS, "gs_factor"), "`metric`")
    game = CostBenefit(**{key: options[key] for key in COST_BENEFIT_KEYS if key in options})
    return PublisherPayoutMetric(game, check_float(options.get("gs_factor", 0.5), "gs_factor", low=0.0, high=1.0))


def metric_from_name(name: str | dict[str, Any] | UtilityMetric) -> UtilityMetric:
    """A metric by its job-file name.

    Examples
    --------
    >>> metric_from_name("loss").name
    'loss'
    >>> metric_from_name({"name": "loss", "gs_factor": 0.1, "aggregate": "rank"}).aggregate
    'rank'
    """
    if isinstance(name, UtilityMetric):
        return name
    options: dict[str, Any] = {}
    if isinstance(name, dict) and str(name.get("name", "")).strip().lower() == "publisher-payout":
        return _publisher_payout({k: v for k, v in name.items() if k != "name"})
    if isinstance(name, dict) and str(name.get("name", "")).strip().lower() == "classification":
        from unlinkable.constraints import check_keys

        # ARX's createClassificationMetric(gsFactor) with the data definition's response variables
        check_keys(name, ("name", "response", "gs_factor"), "`metric`")
        if "response" not in name:
            raise ConfigError("the classification metric needs its response attributes",
                              hint="metric: {name: classification, response: [salary-class]}")
        return ClassificationMetric(name["response"], gs_factor=name.get("gs_factor", 0.5))
    if isinstance(name, str) and name.strip().lower() == "classification":
        raise ConfigError("the classification metric needs its response attributes",
                          hint="metric: {name: classification, response: [salary-class]}")
    if isinstance(name, dict):
        # job file: metric: {name: loss, weights: {age: 2, zip: 1}}
        from unlinkable.constraints import check_keys

        check_keys(name, ("name", "weights", "gs_factor", "aggregate"), "`metric`")
        options = {k: v for k, v in name.items() if k != "name"}
        name = name.get("name", "loss")
    if not isinstance(name, str):
        raise ConfigError(f"a metric is named by a word, got {shown(name)}", hint="use one of loss, discernibility, entropy, precision, aecs, height")
    key = name.strip().lower()
    if key not in METRICS:
        raise ConfigError(f"unknown metric {shown(name)}",
                          hint=(did_you_mean(key, METRICS).strip() + " use one of loss, discernibility, entropy, precision, "
                                "aecs, height, entropy-monotonic, discernibility-monotonic, precision-monotonic, "
                                "entropy-based-information-loss").strip())
    if options:
        if key != "loss":
            raise ConfigError(f"metric {key!r} takes no options {sorted(map(str, options))}",
                              hint="only loss takes options: metric: {name: loss, weights: {age: 2}, gs_factor: 0.5, "
                                   "aggregate: geometric-mean}")
        if "weights" in options and not isinstance(options["weights"], dict):
            raise ConfigError("metric weights must map attributes to numbers", hint="weights: {age: 2, zip: 1}")
        metric: UtilityMetric = METRICS[key](**options)
        return metric
    plain: UtilityMetric = METRICS[key]()
    return plain


__all__ = ["UtilityMetric", "Evaluation", "Score", "java_double_string", "metric_from_name", "METRICS",
           "LossMetric", "DiscernibilityMetric", "EntropyMetric", "PrecisionMetric", "AECSMetric", "HeightMetric",
           "MonotonicEntropyMetric", "MonotonicDiscernibilityMetric",
           "MonotonicPrecisionMetric", "PublisherPayoutMetric", "EntropyBasedInformationLossMetric",
           "ClassificationMetric"]
