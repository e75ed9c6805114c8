"""Privacy models: one module each, one interface (``models/base.py``), one registry.

A job file lists models as ``- k-anonymity: {k: 5}``. ``model_from_config`` looks the name up
here and calls that module's ``from_config(params, context)``, which validates the parameters.
Adding a model = one new module + one line below.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unlinkable.errors import ConfigError, did_you_mean, shown
from unlinkable.models.base import ClassStatistics, PrivacyModel, SensitiveColumn

#: job-file name -> module under unlinkable.models that defines ``from_config``
REGISTRY: dict[str, str] = {
    "k-anonymity": "kanonymity",
    "l-diversity": "ldiversity",
    "t-closeness": "tcloseness",
    "average-risk": "average_risk",
    "sample-uniqueness": "uniqueness",
    "population-uniqueness": "uniqueness",
    "k-map": "kmap",
    "delta-presence": "dpresence",
    "linkage": "linkage",
    "beta-likeness": "blikeness",
    "inclusion": "inclusion",
    "differential-privacy": "differential_privacy",
    "profitability": "profitability",
}


@dataclass(frozen=True)
class ModelContext:
    """What a model's ``from_config`` may need besides its own parameters."""

    base_dir: Path = Path(".")
    population_size: int | None = None
    sampling_fraction: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def model_from_config(item: Any, context: ModelContext | None = None) -> PrivacyModel:
    """Build one model from a job-file entry ``{name: {params}}`` (or pass a model through).

    Examples
    --------
    >>> model_from_config({"k-anonimity": {"k": 5}})
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: unknown privacy model 'k-anonimity'...
    """
    if isinstance(item, PrivacyModel):
        return item
    context = context or ModelContext()
    if not isinstance(item, Mapping) or len(item) != 1:
        raise ConfigError(f"a privacy model must be written as {{name: {{parameters}}}}, got {shown(item)}",
                          hint="e.g. - k-anonymity: {k: 5}")
    (name, params), = item.items()
    key = str(name).strip().lower().replace("_", "-")
    if key not in REGISTRY:
        raise ConfigError(f"unknown privacy model {shown(name)}",
                          hint=(did_you_mean(key, REGISTRY).strip() + f" known models: {', '.join(sorted(REGISTRY))}").strip())
    module = importlib.import_module(f"unlinkable.models.{REGISTRY[key]}")
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise ConfigError(f"the parameters of {name!r} must be a mapping, got {shown(params)}", hint="e.g. - k-anonymity: {k: 5}")
    model: PrivacyModel = module.from_config(key, dict(params), context)
    return model


__all__ = ["PrivacyModel", "ClassStatistics", "SensitiveColumn", "ModelContext", "model_from_config", "REGISTRY"]
