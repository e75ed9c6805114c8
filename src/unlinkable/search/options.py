"""How the lattice is searched, as one frozen spec: what ``Anonymizer(search=...)`` and a job file's
``search`` section both parse into.

Every value is checked once, here, with the constraints vocabulary's words (the job file's key
path in each message), and what passes becomes a :class:`SearchSection`; what runs below reads
that spec only. The genetic search's settings sit beside its seed under ARX's names
(``iterations``, ``subpopulation_size``, ...: :data:`unlinkable.search.genetic.GENETIC_SETTINGS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from unlinkable.constraints import check_float, check_int, check_keys
from unlinkable.errors import ConfigError, did_you_mean, shown
from unlinkable.search.algorithms import ALGORITHMS, SEED_RANGE, SEEDED
from unlinkable.search.genetic import GENETIC_SETTINGS, GeneticOptions
from unlinkable.section import Section

__all__ = ["SearchSection"]

_EXAMPLE = "search: {algorithm: optimal}"


class SearchSection(Section):
    """How the lattice of transformations is searched.

    Parsed from a job file's ``search`` section (a mapping, or the algorithm's name alone) or from
    the search arguments of :class:`~unlinkable.anonymizer.Anonymizer`; unknown keys and values
    outside their range are one :class:`~unlinkable.errors.ConfigError` with a hint.

    Examples
    --------
    >>> SearchSection.parse("lightning").algorithm
    'lightning'
    >>> SearchSection.parse({"algorithm": "genetic", "seed": 1, "iterations": 5}).genetic.iterations
    5
    >>> SearchSection.parse({"algorithm": "optimal", "step_limit": 10})
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: a step or time limit applies to heuristic searches only, not to the optimal search...
    """

    name: ClassVar[str] = "search"

    algorithm: Literal[ALGORITHMS] = "optimal"  # type: ignore[valid-type]  # the algorithms' names, from the registry
    time_limit_s: Annotated[float, Field(gt=0.0)] | None = None
    step_limit: Annotated[int, Field(ge=1)] | None = None
    seed: int | None = None
    practical_monotonicity: bool = False
    # the genetic search's settings under ARX's names (unlinkable.search.genetic.GENETIC_SETTINGS)
    subpopulation_size: Annotated[int, Field(ge=1)] | None = None
    iterations: Annotated[int, Field(ge=1)] | None = None
    crossover_fraction: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    elite_fraction: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    production_fraction: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    mutation_probability: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    immigration_fraction: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    immigration_interval: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _checked(cls, raw: Any) -> Any:
        return _checked(raw)

    @property
    def genetic(self) -> GeneticOptions | None:
        """The genetic search's settings given (ARX's defaults for the others), or None when none is."""
        given = {key: getattr(self, key) for key in GENETIC_SETTINGS if getattr(self, key) is not None}
        return GeneticOptions.from_mapping(given) if given else None


def _checked(raw: Any) -> dict[str, Any]:
    """The section's values checked one by one, in the words of the job file (its key path)."""
    if raw is None:
        raw = {}
    if isinstance(raw, str):
        raw = {"algorithm": raw}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"`search` must be a mapping, got {shown(raw)}", hint=_EXAMPLE)
    check_keys(raw, tuple(SearchSection.model_fields), "`search`")
    algorithm = raw.get("algorithm", "optimal")
    if algorithm not in ALGORITHMS:
        raise ConfigError(f"unknown search algorithm {shown(algorithm)}",
                          hint=(did_you_mean(algorithm, ALGORITHMS).strip() + " use one of " + ", ".join(ALGORITHMS)).strip())
    out: dict[str, Any] = {"algorithm": algorithm}
    if raw.get("time_limit_s") is not None:
        out["time_limit_s"] = check_float(raw["time_limit_s"], "time_limit_s", low=0.0, low_open=True)
    if raw.get("step_limit") is not None:
        out["step_limit"] = check_int(raw["step_limit"], "step_limit", low=1)
    if algorithm == "optimal" and ("step_limit" in out or "time_limit_s" in out):
        raise ConfigError("a step or time limit applies to heuristic searches only, not to the optimal search",
                          hint="search: {algorithm: lightning, step_limit: 1000}")
    if raw.get("seed") is not None:
        if algorithm not in SEEDED:
            raise ConfigError(f"the {algorithm} search draws no random numbers: a seed applies to {', '.join(SEEDED)} only",
                              hint="leave the seed out, or use search: {algorithm: genetic, seed: 1}")
        out["seed"] = check_int(raw["seed"], "seed", low=SEED_RANGE[0], high=SEED_RANGE[1])
    practical = raw.get("practical_monotonicity", False)
    if not isinstance(practical, bool):
        raise ConfigError(f"`search.practical_monotonicity` must be true or false, got {shown(practical)}",
                          hint="search: {algorithm: optimal, practical_monotonicity: true}")
    out["practical_monotonicity"] = practical
    given = {key: raw[key] for key in GENETIC_SETTINGS if key in raw}
    if given and algorithm != "genetic":
        raise ConfigError(f"`search.{next(iter(given))}` is a setting of the genetic search, not of {algorithm}",
                          hint="search: {algorithm: genetic, seed: 1, iterations: 20}")
    if given:
        out.update(asdict(GeneticOptions.from_mapping(given)))  # checked; ARX's defaults for the others
    return out
