"""unlinkable: measure and remove re-identification and linkage risk in tables of personal data.

The whole public API is listed in ``__all__``; everything else is private. Names are imported
lazily, so ``import unlinkable`` stays fast and optional parts load only when used.

Examples
--------
>>> import polars as pl, unlinkable
>>> df = pl.DataFrame({"zip": ["81675", "81675", "81667"], "sex": ["f", "f", "m"]})
>>> unlinkable.assess(df, quasi_identifiers=["zip", "sex"]).to_dict()["equivalence_classes"]["count"]
2
"""

from __future__ import annotations

import importlib
from typing import Any

from unlinkable.errors import (  # noqa: F401 - re-exported: listed in __all__ below
    ConfigError,
    HierarchyError,
    InputError,
    InternalError,
    NoSolutionError,
    UnlinkableError,
    VerificationError,
)

# public name -> module that defines it
_LAZY = {
    "assess": "unlinkable.assessment",
    "AssessmentResult": "unlinkable.assessment",
    "AnonymizationResult": "unlinkable.results",
    "SdcResult": "unlinkable.results",
    "ExposureResult": "unlinkable.linkage.exposure",
    "Anonymizer": "unlinkable.anonymizer",
    "Result": "unlinkable.anonymizer",
    "score": "unlinkable.anonymizer",
    "TransformationScore": "unlinkable.anonymizer",
    "TransformationFigures": "unlinkable.anonymizer",
    "exposure": "unlinkable.linkage.exposure",
    "Hierarchy": "unlinkable.hierarchies.hierarchy",
    "read_hierarchy": "unlinkable.hierarchies.io",
    "write_hierarchy": "unlinkable.hierarchies.io",
    "load_job": "unlinkable.config",
    "run_job": "unlinkable.jobs",
    "read_table": "unlinkable.data.io",
    "write_table": "unlinkable.data.io",
    "Pipeline": "unlinkable.sdc.pipeline",
    "local_suppression": "unlinkable.sdc.local_suppression",
    "microaggregation": "unlinkable.sdc.microaggregation",
    "pram": "unlinkable.sdc.pram",
    "add_noise": "unlinkable.sdc.noise",
    "synthetic_normal": "unlinkable.sdc.synthetic",
    "rank_swap": "unlinkable.sdc.rank_swap",
    "top_bottom_code": "unlinkable.sdc.top_bottom",
    "recode": "unlinkable.sdc.recode",
    "numeric_utility": "unlinkable.sdc.numeric_utility",
}
_LAZY_MODULES = {"datasets": "unlinkable.datasets", "builders": "unlinkable.hierarchies.builders", "models": "unlinkable.models"}

__all__ = sorted([
    *_LAZY,
    *_LAZY_MODULES,
    "UnlinkableError",
    "InputError",
    "HierarchyError",
    "ConfigError",
    "NoSolutionError",
    "VerificationError",
    "InternalError",
])


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(_LAZY_MODULES[name])
    else:
        raise AttributeError(f"module 'unlinkable' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
