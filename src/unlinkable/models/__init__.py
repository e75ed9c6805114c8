"""Privacy models: one module each, one interface (``models/base.py``), one registry.

A job file lists models as ``- k-anonymity: {k: 5}``. ``model_from_config`` looks the name up
here and calls ``from_config(params, context)`` of the class it names: derived from the class's
declared ``parameters`` (``models/base.py``), so ``KAnonymity(k=5)`` and ``{"k-anonymity": {"k": 5}}``
are the same model. A name that stands for several classes names a ``Variants`` (l-diversity's
``variant``). Adding a model = one new module + one line below + one checker in ``verify.py``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unlinkable.data.sensitive import SensitiveColumn
from unlinkable.errors import ConfigError, did_you_mean, shown
from unlinkable.models.base import ClassStatistics, Param, PrivacyModel, Variants

#: job-file name -> "module:name" under unlinkable.models of the class (or ``Variants``) it builds
REGISTRY: dict[str, str] = {
    "k-anonymity": "kanonymity:KAnonymity",
    "l-diversity": "ldiversity:VARIANT_CLASSES",
    "t-closeness": "tcloseness:VARIANT_CLASSES",
    "average-risk": "average_risk:AverageReidentificationRisk",
    "sample-uniqueness": "uniqueness:SampleUniqueness",
    "population-uniqueness": "uniqueness:PopulationUniqueness",
    "k-map": "kmap:KMap",
    "delta-presence": "dpresence:DeltaPresence",
    "linkage": "linkage:LinkageModel",
    "beta-likeness": "blikeness:VARIANT_CLASSES",
    "inclusion": "inclusion:Inclusion",
    "differential-privacy": "differential_privacy:DifferentialPrivacy",
    "profitability": "profitability:Profitability",
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
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise ConfigError(f"the parameters of {name!r} must be a mapping, got {shown(params)}", hint="e.g. - k-anonymity: {k: 5}")
    module_name, _, attribute = REGISTRY[key].partition(":")
    builder = getattr(importlib.import_module(f"unlinkable.models.{module_name}"), attribute)
    model: PrivacyModel = builder.from_config(dict(params), context)
    return model


__all__ = ["PrivacyModel", "ClassStatistics", "SensitiveColumn", "ModelContext", "Param", "Variants",
           "model_from_config", "REGISTRY"]
