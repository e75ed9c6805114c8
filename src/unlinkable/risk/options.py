"""Which optional risk measures an assessment computes, and with what settings, as one frozen spec:
what ``unlinkable.assess(...)``'s arguments and a job file's ``assess`` section both parse into.

``assess: {individual_risk: {method: exact, qual: 2}}`` chooses sdcMicro ``indivRisk``'s formula
(``approx``, the default, or ``exact``) and quality factor (> 0, default 1) for the weighted
individual risk; ``model_risk: {method: CE, bound: 10}`` adds sdcMicro ``modRisk``'s model-based
global risk; ``risky_cells: [50, 25, 10]`` adds sdcMicro ``riskyCells``' counts. Every value is
checked once, here, in the constraints vocabulary's words (the job file's key path in each message).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from unlinkable.constraints import Interval, OneOf, check, check_float, check_keys
from unlinkable.errors import ConfigError, did_you_mean, shown
from unlinkable.risk.model_based import METHODS
from unlinkable.section import Section

__all__ = ["AssessSection", "IndividualRiskSection", "ModelRiskSection"]

_EXAMPLE = "assess: {individual_risk: {method: exact, qual: 2}}"


class IndividualRiskSection(Section):
    """sdcMicro ``indivRisk``'s formula and quality factor for the weighted individual risk."""

    method: Literal["approx", "exact"] = "approx"
    qual: Annotated[float, Field(gt=0.0)] = 1.0


class ModelRiskSection(Section):
    """sdcMicro ``modRisk``'s method and bound (sum only cells with at most ``bound`` records)."""

    method: Literal[METHODS] = "default"  # type: ignore[valid-type]  # risk.model_based's methods
    bound: Annotated[float, Field(gt=0.0)] | None = None


class AssessSection(Section):
    """The optional measures of an assessment and their settings.

    Examples
    --------
    >>> AssessSection.parse({"individual_risk": {"method": "exact", "qual": 2}}).individual_risk
    IndividualRiskSection(method='exact', qual=2.0)
    >>> AssessSection.parse(None).model_risk is None
    True
    >>> AssessSection.parse({"risky_cells": [3, -1]})
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: the 'assess.risky_cells' parameter must be a whole number >= 0, got -1...
    """

    name: ClassVar[str] = "assess"

    individual_risk: IndividualRiskSection = IndividualRiskSection()
    model_risk: ModelRiskSection | None = None
    risky_cells: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _checked(cls, raw: Any) -> Any:
        return _checked(raw)

    @classmethod
    def from_arguments(cls, *, individual_risk_method: str = "approx", qual: float = 1.0, model_risk: str | None = None,
                       model_risk_bound: float = math.inf, risky_cells: Sequence[int] | None = None) -> AssessSection:
        """The spec of :func:`unlinkable.assess`'s arguments (as the job file's section would say them).

        >>> AssessSection.from_arguments(model_risk="CE", model_risk_bound=10).model_risk
        ModelRiskSection(method='CE', bound=10.0)
        """
        raw: dict[str, Any] = {"individual_risk": {"method": individual_risk_method, "qual": qual}}
        if model_risk is not None:
            raw["model_risk"] = {"method": model_risk, "bound": model_risk_bound}
        if risky_cells is not None:
            raw["risky_cells"] = list(risky_cells) if isinstance(risky_cells, (tuple, range)) else risky_cells
        return cls.parse(raw)

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of :func:`unlinkable.assess` that say the same.

        >>> AssessSection.parse({"individual_risk": {"method": "exact", "qual": 2}}).arguments()
        {'individual_risk_method': 'exact', 'qual': 2.0}
        >>> AssessSection.parse({"model_risk": {"method": "CE"}, "risky_cells": [3, 2]}).arguments()["risky_cells"]
        [3, 2]
        """
        out: dict[str, Any] = {"individual_risk_method": self.individual_risk.method, "qual": self.individual_risk.qual}
        if self.model_risk is not None:
            out |= {"model_risk": self.model_risk.method, "model_risk_bound": self.model_risk_bound}
        if self.risky_cells is not None:
            out["risky_cells"] = list(self.risky_cells)
        return out

    @property
    def model_risk_bound(self) -> float:
        """modRisk's bound (infinite: every cell is summed)."""
        return math.inf if self.model_risk is None or self.model_risk.bound is None else self.model_risk.bound


def _checked(raw: Any) -> dict[str, Any]:
    """The section's values checked one by one, in the words of the job file (its key path)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"`assess` must be a mapping, got {shown(raw)}", hint=_EXAMPLE)
    check_keys(raw, ("individual_risk", "model_risk", "risky_cells"), "`assess`")
    risk = raw.get("individual_risk") or {}
    if isinstance(risk, IndividualRiskSection):
        risk = risk.model_dump()
    if not isinstance(risk, Mapping):
        raise ConfigError(f"`assess.individual_risk` must be a mapping, got {shown(risk)}", hint=_EXAMPLE)
    check_keys(risk, ("method", "qual"), "`assess.individual_risk`")
    method = risk.get("method", "approx")
    if method not in ("approx", "exact"):
        raise ConfigError(f"`assess.individual_risk.method` {shown(method)} is not one of approx, exact",
                          hint=(did_you_mean(method, ("approx", "exact")).strip() + " approx is sdcMicro's default").strip())
    qual = check_float(risk.get("qual", 1.0), "assess.individual_risk.qual", low=0.0, low_open=True)
    if qual == float("inf"):
        raise ConfigError("the 'assess.individual_risk.qual' parameter must be finite, got inf",
                          hint="qual: 1 leaves the risk as estimated")
    out: dict[str, Any] = {"individual_risk": {"method": method, "qual": qual}}
    model = raw.get("model_risk")
    if isinstance(model, ModelRiskSection):
        model = model.model_dump()
    if model is not None:
        if not isinstance(model, Mapping):
            raise ConfigError(f"`assess.model_risk` must be a mapping, got {shown(model)}",
                              hint="assess: {model_risk: {method: CE, bound: 10}}")
        check_keys(model, ("method", "bound"), "`assess.model_risk`")
        method = check(model.get("method", "default"), OneOf(METHODS), "assess.model_risk.method")
        bound = check(model.get("bound", math.inf), Interval(float, 0.0, None, closed="right"), "assess.model_risk.bound")
        out["model_risk"] = {"method": method, "bound": None if bound == math.inf else bound}
    if raw.get("risky_cells") is not None:
        cells = raw["risky_cells"]
        if not isinstance(cells, list) or not cells:
            raise ConfigError(f"`assess.risky_cells` must be a list of whole numbers, got {shown(cells)}",
                              hint="assess: {risky_cells: [50, 25, 10]}")
        out["risky_cells"] = [check(v, Interval(int, 0, None), "assess.risky_cells") for v in cells]
    return out
