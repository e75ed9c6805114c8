"""Everything :func:`unlinkable.assess` is told, as one frozen spec: its arguments parsed at entry.

The columns' roles, the population model, the thresholds of the risk measures, the optional
measures (``risk.options.AssessSection``: what a job file's ``assess`` section parses into) and the
backend. Every value is checked here, once, in the constraints vocabulary's words; the assessment
reads only the spec. What needs the data (that a column exists, that the population is at least the
sample) is checked when the data is read.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import ConfigDict, model_validator

from unlinkable.constraints import Boolean, Optional, Text, check, check_float, check_int
from unlinkable.errors import ConfigError, shown
from unlinkable.risk.options import AssessSection
from unlinkable.section import Section

__all__ = ["AssessmentSpec"]


class AssessmentSpec(Section):
    """The arguments of :func:`unlinkable.assess`, checked.

    Examples
    --------
    >>> spec = AssessmentSpec.parse({"quasi_identifiers": "zip, sex", "threshold": 0.1})
    >>> spec.quasi_identifiers, spec.threshold, spec.measures.individual_risk.method
    (('zip', 'sex'), 0.1, 'approx')
    >>> AssessmentSpec.parse({"quasi_identifiers": ["zip"], "max_subset_size": -1})
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: the 'max_subset_size' parameter must be a whole number >= 0, got -1...
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
    name: ClassVar[str] = "assessment"

    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...] = ()
    #: a Hierarchy or a hierarchy file's path by column (read and checked against the data's values)
    hierarchies: dict[str, Any] = {}
    weights: str | None = None
    household: str | None = None
    population_size: int | None = None
    #: checked by the population model (``risk.population``) with the sample's size
    sampling_fraction: Any = None
    identifiers: tuple[str, ...] = ()
    threshold: float = 0.2
    max_subset_size: int = 4
    alpha: float = 1.0
    suda2: bool = True
    #: SUDA2's DIS fraction, checked by SUDA2 (``risk.suda2``)
    dis_fraction: Any = 0.01
    #: the optional measures and their settings (individual risk's formula, model-based risk, risky cells)
    measures: AssessSection = AssessSection()
    #: None (numpy, or Spark for a pyspark DataFrame), a name, or a backend object
    backend: Any = None
    spark: Any = None

    @model_validator(mode="before")
    @classmethod
    def _checked(cls, raw: Any) -> Any:
        return _checked(raw)

    @classmethod
    def from_arguments(cls, **arguments: Any) -> AssessmentSpec:
        """The spec of :func:`unlinkable.assess`'s keyword arguments (the optional measures under their
        argument names, handed to :meth:`AssessSection.from_arguments`, which keeps their defaults).

        >>> AssessmentSpec.from_arguments(quasi_identifiers=["zip"], model_risk="CE").measures.model_risk.method
        'CE'
        """
        measures = {name: arguments.pop(name) for name in _MEASURE_ARGUMENTS if name in arguments}
        return cls.parse({**arguments, "measures": AssessSection.from_arguments(**measures)})


#: the keyword arguments of assess that say the optional measures (AssessSection.from_arguments')
_MEASURE_ARGUMENTS = tuple(inspect.signature(AssessSection.from_arguments).parameters)


def _checked(raw: Any) -> dict[str, Any]:
    """The arguments checked one by one, in the order and words assess has always used."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"the assessment's arguments must be a mapping, got {shown(raw)}",
                          hint="assess(data, quasi_identifiers=['age', 'sex'])")
    out = dict(raw)
    out["measures"] = AssessSection.parse(raw.get("measures"))
    quasi_identifiers = _names(raw.get("quasi_identifiers"), "quasi_identifiers")
    if not quasi_identifiers:
        raise ConfigError("assess needs at least one quasi-identifier", hint="name the columns an attacker may know, e.g. --qi age,sex,zip")
    out["quasi_identifiers"] = tuple(quasi_identifiers)
    out["sensitive"] = tuple(_names(raw.get("sensitive"), "sensitive"))
    out["threshold"] = check_float(raw.get("threshold", 0.2), "threshold", low=0.0, high=1.0)
    out["max_subset_size"] = check_int(raw.get("max_subset_size", 4), "max_subset_size", low=0)
    out["alpha"] = check_float(raw.get("alpha", 1.0), "alpha", low=0.0, high=1.0)
    if raw.get("population_size") is not None:
        out["population_size"] = check_int(raw["population_size"], "population_size", low=1)
    for key in ("weights", "household"):
        out[key] = check(raw.get(key), Optional(Text("a column name")), key)
    out["suda2"] = check(raw.get("suda2", True), Boolean(), "suda2")
    identifiers = raw.get("identifiers") or ()
    out["identifiers"] = tuple(str(c) for c in ([identifiers] if isinstance(identifiers, str) else identifiers))
    out["hierarchies"] = dict(raw.get("hierarchies") or {})
    return out


def _names(value: str | Sequence[str] | None, what: str) -> list[str]:
    """Column names: a list, or one text of comma-separated names (as ``--qi age,sex`` gives them)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    names = [str(v) for v in value]
    dupes = {v for v in names if names.count(v) > 1}
    if dupes:
        raise ConfigError(f"{what} lists {sorted(dupes)[0]!r} twice", hint="name each column once")
    return names
