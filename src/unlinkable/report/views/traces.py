"""The view of a trajectory job (``unlinkable assess`` / ``anonymize`` with ``trajectories:``).

It shows figures only: the attacks' mean risks and their distributions over bands of compatible
users (before and after a release), unicity and its curve against resolution, what to do, and
maps of *aggregated* cell counts (distinct users per cell, cells under the smallest count left
out). No user's points, id or coordinate is in the payload it reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from unlinkable.report import charts
from unlinkable.report.format import fmt_count, fmt_number, fmt_pct

#: unicity levels the advice names the finest resolution under
TARGETS = (0.5, 0.2, 0.05)


def _attack_label(a: Mapping[str, Any]) -> str:
    name = str(a.get("attack", "?"))
    return name if a.get("k") is None else f"{name} (k={a['k']})"


def _attacks(before: Sequence[Any], after: Sequence[Any] | None) -> tuple[list[dict[str, Any]], list[Markup]]:
    rows, dists = [], []
    later = {_attack_label(a): a for a in (after or []) if isinstance(a, Mapping)}
    for a in before:
        if not isinstance(a, Mapping):
            continue
        label = _attack_label(a)
        b = later.get(label)
        rows.append({"label": label, "mean": fmt_number(a.get("mean_risk")), "at1": fmt_count(a.get("users_at_risk_1")),
                     "mean_after": fmt_number(b.get("mean_risk")) if b else None,
                     "at1_after": fmt_count(b.get("users_at_risk_1")) if b else None})
        bands = a.get("users_by_compatible")
        if isinstance(bands, Mapping) and bands:
            series = [("before" if b else "users", [float(x) for x in bands.values()])]
            if b and isinstance(b.get("users_by_compatible"), Mapping):
                series.append(("after", [float(x) for x in b["users_by_compatible"].values()]))
            dists.append(charts.grouped_bar_chart([str(x) for x in bands], series, title=f"{label}: users by compatible users",
                                                  x_label="users", y_label="users compatible with the best guess",
                                                  value_format=lambda x: f"{x:,.0f}"))
    return rows, dists


def _curve(curve: Mapping[str, Any]) -> tuple[Markup | None, str | None, list[str]]:
    points = [c for c in curve.get("points", []) if isinstance(c, Mapping)]
    if not points:
        return None, None, []
    labels = [f"{c['grid_m']:g} m" + (f", {c['time_bin']}" if c.get("time_bin") else "") for c in points]
    values = [float(c["value"]) if c.get("value") is not None else 0.0 for c in points]
    p = curve.get("p")
    chart = charts.bar_chart(labels, values, title=f"Unicity of {p} points against resolution", x_label="unicity",
                             y_label="cell size, time bin", horizontal=True, value_format=lambda x: fmt_pct(x), max_value=1.0)
    law = curve.get("power_law") or {}
    sentence = None
    if isinstance(law, Mapping) and law.get("exponent") is not None:
        sentence = (f"Fitted power law: unicity ~ {fmt_number(law.get('scale'))} x (cell metres x bin hours)^"
                    f"{fmt_number(law.get('exponent'))} (R² {fmt_number(law.get('r2'))}); halving the coarseness "
                    f"multiplies unicity by {fmt_number(2 ** -float(law['exponent']))}.")
    advice = []
    order = sorted(zip(points, labels), key=lambda pl: float(pl[0]["grid_m"]) * _hours(pl[0].get("time_bin")))
    for target in TARGETS:
        fine = next((label for c, label in order if c.get("value") is not None and float(c["value"]) <= target), None)
        advice.append(f"Unicity of {p} points under {fmt_pct(target)}: " + (f"the finest resolution tried that gets there is {fine}."
                      if fine else "no resolution tried gets there; coarsen further, or release with trajectory-k-anonymity."))
    return chart, sentence, advice


def _hours(label: Any) -> float:
    if not isinstance(label, str):
        return 1.0
    units = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}
    for unit in ("min", "s", "h", "d", "w"):
        if label.endswith(unit) and label[: -len(unit)].strip().isdigit():
            return int(label[: -len(unit)]) * units[unit]
    return 1.0


def cell_map(m: Mapping[str, Any], title: str) -> Markup | None:
    """An SVG map of distinct users per cell (cells under the smallest count are not drawn).

    Examples
    --------
    >>> "<rect" in cell_map({"grid_m": 1000, "min_users": 10, "cells": [[0, 0, 12], [1, 2, 40]]}, "users")
    True
    """
    cells = [c for c in m.get("cells", []) if isinstance(c, Sequence) and len(c) == 3]
    if not cells:
        return None
    rows = max(int(c[0]) for c in cells) + 1
    cols = max(int(c[1]) for c in cells) + 1
    size = max(4, min(40, 600 // max(rows, cols)))
    top = max(int(c[2]) for c in cells)
    rects = []
    for r, c, n in cells:
        shade = 0.15 + 0.85 * (int(n) / top)
        y = (rows - 1 - int(r)) * size  # north up
        rects.append(f'<rect x="{int(c) * size}" y="{y + 24}" width="{size}" height="{size}" fill="#0072B2" '
                     f'fill-opacity="{shade:.3f}"><title>{int(n):,} users</title></rect>')
    width, height = max(cols * size, 240), rows * size + 30
    caption = f"{title} ({float(m.get('grid_m', 0)):g} m cells)"
    return Markup(f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{Markup.escape(caption)}">'
                  f'<text x="0" y="16" font-size="13">{Markup.escape(caption)}</text>{"".join(rects)}</svg>')


def traces_view(p: Mapping[str, Any], banned: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The trajectory sections of an assess or anonymize result's figures.

    Examples
    --------
    >>> v = traces_view({"users": 3, "attacks": [{"attack": "home_work", "k": None, "mean_risk": 1.0, "users_at_risk_1": 3}]})
    >>> v["attacks"][0]["label"], v["headline"][0]
    ('home_work', '3 users.')
    """
    v: dict[str, Any] = {}
    risk = p.get("risk") if isinstance(p.get("risk"), Mapping) else None
    before = risk.get("before") if risk else p.get("attacks")
    after = risk.get("after") if risk else None
    users = p.get("users")
    n = users.get("input") if isinstance(users, Mapping) else users
    headline = [f"{fmt_count(n)} users."] if n is not None else []
    if isinstance(users, Mapping):
        headline.append(f"{fmt_count(users.get('released'))} released, {fmt_count(users.get('suppressed'))} suppressed.")
    v["attacks"], v["distributions"] = _attacks(before or [], after) if isinstance(before, Sequence) else ([], [])
    v["has_after"] = bool(after)
    for a in before or []:
        if isinstance(a, Mapping) and a.get("attack") == "home_work" and n:
            headline.append(f"{fmt_pct(float(a.get('users_at_risk_1') or 0) / float(n))} are singled out by their two "
                            "most visited places (home and work).")
    v["unicity"] = [(f"p = {u.get('p')}", fmt_pct(u.get("value")) + ("" if u.get("exact") else
                    f" (sampled, 95% interval {fmt_pct((u.get('ci95') or [None])[0])} - {fmt_pct((u.get('ci95') or [None, None])[1])})"))
                    for u in p.get("unicity") or [] if isinstance(u, Mapping)]
    curve = p.get("curve")
    v["curve_chart"], v["power_law"], v["advice"] = _curve(curve) if isinstance(curve, Mapping) else (None, None, [])
    model = p.get("model")
    if isinstance(model, Mapping) and isinstance(p.get("resolution"), Mapping):
        r = p["resolution"]
        params = model.get("trajectory-k-anonymity", {})
        v["release"] = [("Guarantee", f"any {params.get('p')} points of a released user are shared by at least {params.get('k')} users"),
                        ("Cell size", f"{float(r.get('grid_m') or 0):g} m"), ("Time bin", str(r.get("time_bin") or "none")),
                        ("Points released", fmt_count((p.get("points") or {}).get("released"))),
                        ("Points suppressed", fmt_count((p.get("points") or {}).get("suppressed"))),
                        ("Points near home and work suppressed", fmt_count((p.get("points") or {}).get("home_work_suppressed"))),
                        ("Points near home and work coarsened", fmt_count((p.get("points") or {}).get("home_work_coarsened"))),
                        ("Loss (cell + bin coarseness + share not released)", fmt_number(p.get("loss")))]
        v["advice"] = v["advice"] + [f"The release at {float(r.get('grid_m') or 0):g} m and {r.get('time_bin') or 'no time'} bins "
                                     "is the least-loss level that holds the guarantee within the suppression budgets."]
    v["headline"] = headline
    v["maps"] = [m for m in (cell_map(p["map"], "Distinct users per cell") if isinstance(p.get("map"), Mapping) else None,
                             cell_map(p["map_after"], "Distinct users per cell, released") if isinstance(p.get("map_after"), Mapping) else None)
                 if m is not None]
    v["map_note"] = (f"Cells with fewer than {p['map'].get('min_users')} users are not drawn "
                     f"({fmt_count(p['map'].get('suppressed_cells'))} cells left out).") if isinstance(p.get("map"), Mapping) else None
    return v


__all__ = ["traces_view", "cell_map"]
