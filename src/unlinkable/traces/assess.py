"""The trajectory assessment: skmob's attacks per user, unicity at a resolution, and the curve.

Figures are aggregates (mean risk, users at risk 1, unicity); the per-user table carries the
owner's own user ids and risks only -- no place, coordinate or time leaves this module.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from unlinkable.errors import ConfigError
from unlinkable.points.unicity import Unicity, unicity
from unlinkable.traces.attacks import ATTACKS, attack_risks, check_tolerance
from unlinkable.traces.curve import Curve, unicity_curve
from unlinkable.traces.resolution import Space
from unlinkable.traces.sampled import SampledRisk, sampled_attack
from unlinkable.traces.table import Traces, encode_columns


@dataclass(frozen=True)
class Attack:
    """One attack to run: skmob's name, knowledge length and parameters."""

    attack: str
    k: int = 1
    time_precision: str = "hour"
    tolerance: float = 0.0
    #: "exact" (every user) or "sampled" (``targets`` users drawn at random, exact risks, 95% intervals)
    mode: str = "exact"
    targets: int = 1000

    def __post_init__(self) -> None:
        if self.attack not in ATTACKS:
            raise ConfigError(f"unknown attack {self.attack!r}", hint=f"the attacks are {', '.join(ATTACKS)}")
        check_tolerance(self.tolerance, self.attack)
        if self.mode not in ("exact", "sampled"):
            raise ConfigError(f"attack mode {self.mode!r} is not exact or sampled", hint="mode: sampled")
        if self.mode == "sampled" and self.tolerance > 0:
            raise ConfigError(f"the sampled {self.attack} attack takes no tolerance", hint="use mode: exact with a tolerance")

    @property
    def column(self) -> str:
        """The per-user column: ``<attack>_k<k>``, or ``home_work`` (which has no k)."""
        return "home_work" if self.attack == "home_work" else f"{self.attack}_k{self.k}"


#: the default list: every attack at k = 2 (home_work has no k)
DEFAULT_ATTACKS = tuple(Attack(name, 2) for name in ATTACKS)


#: bands of "users compatible with the most revealing instance" (1 / risk) for the distributions
BANDS = ((1, 1, "1"), (2, 2, "2"), (3, 4, "3-4"), (5, 9, "5-9"), (10, None, "10+"))


def distribution(risk: np.ndarray) -> dict[str, int]:
    """Users per band of compatible users (1 / risk): the shape of an attack's risk, no user in it.

    Examples
    --------
    >>> distribution(np.array([1.0, 0.5, 0.25, 0.01]))
    {'1': 1, '2': 1, '3-4': 1, '5-9': 0, '10+': 1}
    """
    compatible = np.rint(1.0 / np.maximum(risk, 1e-300)).astype(np.int64)
    return {label: int(np.count_nonzero((compatible >= low) & ((compatible <= high) if high is not None else True)))
            for low, high, label in BANDS}


@dataclass(frozen=True)
class AttackFigures:
    attack: Attack
    #: per user (exact mode), or per sampled target (sampled mode, see ``sampled``)
    risk: np.ndarray = field(repr=False)
    sampled: SampledRisk | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        figures: dict[str, Any] = {"attack": self.attack.attack, "k": None if self.attack.attack == "home_work" else self.attack.k}
        if self.attack.attack == "location_time":
            figures["time_precision"] = self.attack.time_precision
        if self.attack.attack in ("location_frequency", "location_probability", "location_proportion"):
            figures["tolerance"] = self.attack.tolerance
        if self.sampled is not None:
            figures.update(self.sampled.to_dict())
        else:
            # fsum: exactly rounded, so the figure does not depend on the users' order
            figures["mean_risk"] = math.fsum(self.risk.tolist()) / len(self.risk) if len(self.risk) else None
            figures["users_at_risk_1"] = int(np.count_nonzero(self.risk == 1.0))
        figures["users_by_compatible"] = distribution(self.risk)
        return figures


@dataclass(frozen=True)
class TraceAssessment:
    users: int
    points: int
    attacks: tuple[AttackFigures, ...]
    space: Space
    time_bin: str | None
    unicity: tuple[Unicity, ...]
    curve: Curve | None
    user_ids: pl.Series = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The figures under the documented JSON keys: ``attacks``, ``unicity``, ``curve``."""
        return {"users": self.users, "points": self.points,
                "attacks": [a.to_dict() for a in self.attacks],
                "resolution": {"space": self.space.to_dict(), "time": {"bin": self.time_bin} if self.time_bin else {}},
                "unicity": [{"p": u.p, "value": u.value, "exact": u.exact, "ci95": None if u.ci95 is None else list(u.ci95),
                             "eligible_users": u.eligible_records} for u in self.unicity],
                "curve": None if self.curve is None else self.curve.to_dict()}

    def per_user(self, name: str = "user") -> pl.DataFrame:
        """One row per user: the owner's id, then one risk column per attack (``<attack>_k<k>``).

        A sampled attack's column is empty for the users that were not drawn.
        """
        columns = []
        for a in self.attacks:
            if a.sampled is None:
                columns.append(pl.Series(a.attack.column, a.risk))
            else:
                full = np.full(len(self.user_ids), np.nan)
                full[a.sampled.targets] = a.risk
                columns.append(pl.Series(a.attack.column, full).fill_nan(None))
        return pl.DataFrame([self.user_ids.alias(name), *columns])


def _check_unique_columns(attacks: Sequence[Attack]) -> None:
    seen: dict[str, Attack] = {}
    for a in attacks:
        if a.column in seen:
            raise ConfigError(f"the attack {a.column} is listed twice", hint="list each attack and k once")
        seen[a.column] = a


def assess_traces(points: Any, *, user: str, lat: str | None = None, lng: str | None = None, place: str | None = None,
                  time: str | None = None, attacks: Sequence[Attack] = DEFAULT_ATTACKS, ps: Sequence[int] = (1, 2, 3, 4),
                  mode: str = "auto", seed: int = 0, space: Space | None = None, time_bin: str | None = None,
                  curve: dict[str, Any] | None = None) -> TraceAssessment:
    """skmob's attacks on the points as given, unicity at a resolution, and optionally the curve.

    Parameters
    ----------
    points : polars or pandas DataFrame
        One row per point; ``user`` and ``lat``/``lng`` or ``place``, and ``time``.
    attacks : sequence of Attack
        The attacks (default: all eight at k=2). They compare points as given.
    ps, mode, seed
        Unicity's p values and mode (exact, sampled or auto) and the sampled mode's seed.
    space, time_bin : Space, str
        Unicity's resolution: a metric grid or H3 cells (default: places as given) and a time bin
        such as ``"1h"`` (default: times as given).
    curve : dict, optional
        ``{p, space: [grid_m, ...], time: [bin, ...], mode}``: unicity over that grid of
        resolutions and the fitted power-law exponent (:mod:`unlinkable.traces.curve`).

    Examples
    --------
    >>> pts = pl.DataFrame({"uid": [1, 1, 2, 2, 3], "cell": ["a", "b", "a", "c", "a"]})
    >>> d = assess_traces(pts, user="uid", place="cell", attacks=[Attack("location", 2)], ps=[1]).to_dict()
    >>> d["attacks"][0]["mean_risk"], d["attacks"][0]["users_at_risk_1"], d["unicity"][0]["value"]
    (0.7777777777777778, 2, 0.3333333333333333)
    """
    from unlinkable.traces.resolution import bin_seconds

    space = space or Space()
    attacks = tuple(attacks)
    _check_unique_columns(attacks)
    columns: dict[str, str | None] = {"user": user, "lat": lat, "lng": lng, "place": place, "time": time}
    base = encode_columns(points, columns)
    figures = []
    keyed: dict[str, Traces] = {}
    for a in attacks:
        t = base
        if a.attack == "location_time":
            if time is None:
                raise ConfigError("the location_time attack needs a time column", hint="name it in trajectories: {time: ...}")
            if a.time_precision not in keyed:
                keyed[a.time_precision] = encode_columns(points, columns, time_precision=a.time_precision)
            t = keyed[a.time_precision]
        if a.mode == "sampled":
            drawn_risk = sampled_attack(t, a.attack, a.k, targets=a.targets, seed=seed)
            figures.append(AttackFigures(a, drawn_risk.risk, drawn_risk))
        else:
            figures.append(AttackFigures(a, attack_risks(t, a.attack, a.k, a.tolerance)))
    width = bin_seconds(time_bin, "unicity.time.bin") if time_bin is not None else None
    if width is not None and time is None:
        raise ConfigError("a unicity time bin needs a time column", hint="name it in trajectories: {time: ...}")
    at_resolution = encode_columns(points, columns, space=space, time_bin_s=width)
    units = tuple(unicity(at_resolution.as_points(), ps, mode=mode, seed=seed)) if ps else ()
    drawn = unicity_curve(points, columns, **curve, seed=seed) if curve is not None else None
    return TraceAssessment(len(base.users), len(base.user), tuple(figures), space, time_bin, units, drawn, base.users)


__all__ = ["distribution", "BANDS", "Attack", "AttackFigures", "TraceAssessment", "assess_traces", "DEFAULT_ATTACKS"]
