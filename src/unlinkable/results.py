"""The typed, frozen result of each command: what its JSON holds and its report renders.

``AssessmentResult`` (``unlinkable assess``) and ``ExposureResult`` (``unlinkable exposure``) are
what :func:`unlinkable.assess` and :func:`unlinkable.exposure` return. ``AnonymizationResult``
and ``SdcResult`` are what ``unlinkable anonymize`` gathers around a release: the search's or the
SDC steps' figures, the risk before and after, and the verifier's claims. Each ``to_dict()`` is
the command's JSON, key for key. Every figure is computed when the result is built: nothing is
assessed on access.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unlinkable.assessment import AssessmentResult
from unlinkable.linkage.exposure import ExposureResult

if TYPE_CHECKING:  # the trace modules import numba (0.3 s): a table job must not pay for it
    from unlinkable.traces.assess import TraceAssessment
    from unlinkable.traces.kanonymity import TraceRelease


@dataclass(frozen=True)
class AnonymizationResult:
    """What ``unlinkable anonymize`` released with privacy models (after any SDC steps).

    Attributes
    ----------
    release : Mapping
        The search's figures, :meth:`unlinkable.anonymizer.Result.to_dict`: levels, loss, classes,
        lattice, models and guarantees, examples (generalized labels only), roles, uniqueness.
    risk_after : Mapping or None
        :class:`AssessmentResult` figures of the released table (None: not assessed).
    source : str
        The input file.
    records : int
        The input's records.
    identifiers : tuple of str
        The columns dropped as direct identifiers.
    risk_before : Mapping
        :class:`AssessmentResult` figures of the input.
    steps, claims : tuple of Mapping or None
        The SDC steps run before the search and the verifier's claims about them (None: no steps).
    formula_escaping : Mapping or None
        What the CSV writer escaped (None: no table written).
    backend : str or None
        The backend that held the records when it is not numpy (``"spark"``), else None.

    Examples
    --------
    >>> r = AnonymizationResult(release={"loss": 0.5}, risk_after=None, source="a.csv", records=4,
    ...                         identifiers=(), risk_before={})
    >>> r.to_dict()
    {'loss': 0.5, 'source': 'a.csv', 'records': 4, 'identifiers': [], 'risk_before': {}}
    """

    release: Mapping[str, Any]
    risk_after: Mapping[str, Any] | None
    source: str
    records: int
    identifiers: tuple[str, ...]
    risk_before: Mapping[str, Any]
    steps: tuple[Mapping[str, Any], ...] | None = None
    claims: tuple[Mapping[str, Any], ...] | None = None
    formula_escaping: Mapping[str, Any] | None = None
    backend: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``unlinkable anonymize --json`` (keys in the order written)."""
        out: dict[str, Any] = dict(self.release)
        if self.risk_after:
            out["risk_after"] = self.risk_after
        out |= {"source": self.source, "records": self.records, "identifiers": list(self.identifiers)}
        if self.backend is not None:
            out["backend"] = self.backend
        out["risk_before"] = self.risk_before
        if self.steps is not None:
            out["steps"] = list(self.steps)
        if self.claims is not None:
            out["claims"] = list(self.claims)
        if self.formula_escaping is not None:
            out["formula_escaping"] = self.formula_escaping
        return out


@dataclass(frozen=True)
class SdcResult:
    """What ``unlinkable anonymize`` released with SDC steps only.

    Attributes
    ----------
    source : str
        The input file.
    records : int
        The input's records.
    identifiers : tuple of str
        The columns dropped as direct identifiers.
    steps : tuple of Mapping
        One summary per step (name, parameters, changed cells, step figures; no seed).
    claims : tuple of Mapping
        The verifier's claim per step.
    roles : Mapping
        Every input column's role.
    released_uniqueness : Mapping
        Uniqueness of the released table on its kept columns.
    risk_before, risk_after : Mapping or None
        :class:`AssessmentResult` figures of the input and the release (None: no key variables).
    utility : Mapping or None
        Numeric information loss of the perturbed columns (None: no numeric step).
    formula_escaping : Mapping or None
        What the CSV writer escaped (None: no table written).

    Examples
    --------
    >>> r = SdcResult(source="a.csv", records=4, identifiers=("name",), steps=(), claims=(), roles={},
    ...               released_uniqueness={})
    >>> sorted(r.to_dict())
    ['claims', 'identifiers', 'records', 'released_uniqueness', 'roles', 'source', 'steps']
    """

    source: str
    records: int
    identifiers: tuple[str, ...]
    steps: tuple[Mapping[str, Any], ...]
    claims: tuple[Mapping[str, Any], ...]
    roles: Mapping[str, str]
    released_uniqueness: Mapping[str, Any]
    risk_before: Mapping[str, Any] | None = None
    risk_after: Mapping[str, Any] | None = None
    utility: Mapping[str, Any] | None = None
    formula_escaping: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``unlinkable anonymize --json`` for an SDC-only job (keys in the order written)."""
        out: dict[str, Any] = {"source": self.source, "records": self.records, "identifiers": list(self.identifiers),
                               "steps": list(self.steps), "claims": list(self.claims), "roles": dict(self.roles),
                               "released_uniqueness": dict(self.released_uniqueness)}
        if self.risk_before is not None:
            out["risk_before"] = self.risk_before
        if self.risk_after is not None:
            out["risk_after"] = self.risk_after
        if self.utility is not None:
            out["utility"] = self.utility
        if self.formula_escaping is not None:
            out["formula_escaping"] = self.formula_escaping
        return out


@dataclass(frozen=True)
class TracesAssessmentResult:
    """What ``unlinkable assess`` measures on a trajectory job: the attacks, unicity and curve.

    Attributes
    ----------
    assessment : TraceAssessment
        The attacks' and unicity's figures, and the per-user risks (``records()``).
    preprocess : Mapping
        What each preprocessing step kept and dropped (empty: no preprocessing).

    Examples
    --------
    >>> from unlinkable.traces.assess import Attack, assess_traces
    >>> import polars as pl
    >>> points = pl.DataFrame({"u": [1, 1, 2], "cell": ["a", "b", "a"]})
    >>> r = TracesAssessmentResult(assess_traces(points, user="u", place="cell", attacks=(Attack("location"),), ps=()), {})
    >>> r.to_dict()["attacks"][0]["mean_risk"], r.records().columns
    (0.75, ['user', 'location_k1'])
    """

    assessment: TraceAssessment
    preprocess: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``unlinkable assess --json`` on a trajectory job."""
        return {**self.assessment.to_dict(), **({"preprocess": dict(self.preprocess)} if self.preprocess else {})}

    def records(self) -> Any:
        """One row per user: the owner's id and one risk column per attack (``--records``)."""
        return self.assessment.per_user()


@dataclass(frozen=True)
class TracesAnonymizationResult:
    """What ``unlinkable anonymize`` released on a trajectory job: the verified release and its figures.

    Attributes
    ----------
    release : TraceRelease
        The chosen resolution, the released points and what each candidate level gave.
    preprocess : Mapping
        What each preprocessing step kept and dropped (empty: no preprocessing).
    risk : Mapping
        The job's attacks on the input and on the released points (``before``, ``after``).
    formula_escaping : Mapping or None
        What the CSV writer escaped (None: no table written).
    """

    release: TraceRelease
    preprocess: Mapping[str, Any]
    risk: Mapping[str, Any]
    formula_escaping: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``unlinkable anonymize --json`` on a trajectory job (keys in the order written)."""
        out = {**self.release.to_dict(), **({"preprocess": dict(self.preprocess)} if self.preprocess else {}),
               "risk": dict(self.risk)}
        if self.formula_escaping is not None:
            out["formula_escaping"] = dict(self.formula_escaping)
        return out


#: a command's result, as the report renders it
CommandResult = AssessmentResult | AnonymizationResult | ExposureResult | SdcResult

__all__ = ["AnonymizationResult", "AssessmentResult", "CommandResult", "ExposureResult", "SdcResult",
           "TracesAnonymizationResult", "TracesAssessmentResult"]
