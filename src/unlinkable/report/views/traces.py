"""The view of a trajectory job (``unlinkable assess`` / ``anonymize`` with ``trajectories:``).

It shows figures only: the attacks' mean risks and their distributions over bands of compatible
users (before and after a release), unicity and its curve against resolution, what to do, and
maps of *aggregated* cell counts (distinct users per cell, cells under the smallest count left
out). No user's points, id or coordinate is in the payload it reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from unlinkable.report import charts
from unlinkable.report.format import _num, _section, fmt_count, fmt_number, fmt_pct

#: unicity levels the advice names the finest resolution under
TARGETS = (0.5, 0.2, 0.05)


def _seq(x: Any) -> list[Any]:
    """``x`` when it is a list or tuple (of anything), else an empty list: payloads are untrusted."""
    return list(x) if isinstance(x, (list, tuple)) else []


def _attack_label(a: Mapping[str, Any]) -> str:
    name = str(a.get("attack", "?"))
    k = a.get("k")
    return name if k is None else f"{name} (k={k})"


def _attacks(before: list[Any], after: list[Any]) -> tuple[list[dict[str, Any]], list[Markup]]:
    rows, dists = [], []
    later = {_attack_label(a): a for a in after if isinstance(a, Mapping)}
    for a in before:
        if not isinstance(a, Mapping):
            continue
        label = _attack_label(a)
        b = later.get(label)
        rows.append({"label": label, "mean": fmt_number(_num(a.get("mean_risk"))), "at1": fmt_count(_num(a.get("users_at_risk_1"))),
                     "mean_after": fmt_number(_num(b.get("mean_risk"))) if b else None,
                     "at1_after": fmt_count(_num(b.get("users_at_risk_1"))) if b else None})
        bands = _section(a, "users_by_compatible")
        values = [_num(x) for x in bands.values()]
        if bands and all(v is not None for v in values):
            series = [("before" if b else "users", [float(v or 0) for v in values])]
            later_bands = _section(b, "users_by_compatible") if b else {}
            later_values = [_num(later_bands.get(key)) for key in bands]
            if later_bands and all(v is not None for v in later_values):
                series.append(("after", [float(v or 0) for v in later_values]))
            dists.append(charts.grouped_bar_chart([str(x) for x in bands], series, title=f"{label}: users by compatible users",
                                                  x_label="users", y_label="users compatible with the best guess",
                                                  value_format=lambda x: f"{x:,.0f}"))
    return rows, dists


def _curve(curve: Mapping[str, Any]) -> tuple[Markup | None, str | None, list[str]]:
    points = [c for c in _seq(curve.get("points")) if isinstance(c, Mapping) and _num(c.get("grid_m")) is not None]
    if not points:
        return None, None, []
    labels = [f"{_num(c.get('grid_m')):g} m" + (f", {c['time_bin']}" if c.get("time_bin") else "") for c in points]
    values = [_num(c.get("value")) or 0.0 for c in points]
    p = curve.get("p")
    chart = charts.bar_chart(labels, values, title=f"Unicity of {p} points against resolution", x_label="unicity",
                             y_label="cell size, time bin", horizontal=True, value_format=lambda x: fmt_pct(x), max_value=1.0)
    law = _section(curve, "power_law")
    sentence = None
    exponent = _num(law.get("exponent"))
    if exponent is not None:
        sentence = (f"Fitted power law: unicity ~ {fmt_number(_num(law.get('scale')))} x (cell metres x bin hours)^"
                    f"{fmt_number(exponent)} (R² {fmt_number(_num(law.get('r2')))}); halving the coarseness "
                    f"multiplies unicity by {fmt_number(2.0 ** -exponent) if abs(exponent) < 100 else 'a huge factor'}.")
    advice = []
    order = sorted(zip(points, labels), key=lambda pl: (_num(pl[0].get("grid_m")) or 0.0) * _hours(pl[0].get("time_bin")))
    for target in TARGETS:
        fine = next((label for c, label in order if _num(c.get("value")) is not None and (_num(c.get("value")) or 0.0) <= target), None)
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
    cells = []
    for c in _seq(m.get("cells")):
        numbers = [_num(x) for x in _seq(c)]
        if len(numbers) == 3 and all(x is not None and x >= 0 and x < 100_000 for x in numbers):
            cells.append([int(x or 0) for x in numbers])
    if not cells:
        return None
    rows = max(c[0] for c in cells) + 1
    cols = max(c[1] for c in cells) + 1
    size = max(4, min(40, 600 // max(rows, cols)))
    top = max(max(c[2] for c in cells), 1)
    rects = []
    for r, c, n in cells:
        shade = 0.15 + 0.85 * (n / top)
        y = (rows - 1 - r) * size  # north up
        rects.append(f'<rect x="{c * size}" y="{y + 24}" width="{size}" height="{size}" fill="#0072B2" '
                     f'fill-opacity="{shade:.3f}"><title>{n:,} users</title></rect>')
    width, height = max(cols * size, 240), rows * size + 30
    grid = _num(m.get("grid_m"))
    caption = f"{title} ({grid:g} m cells)" if grid is not None else title
    return Markup(f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{Markup.escape(caption)}">'
                  f'<text x="0" y="16" font-size="13">{Markup.escape(caption)}</text>{"".join(rects)}</svg>')


def traces_view(p: Mapping[str, Any], banned: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The trajectory sections of an assess or anonymize result's figures (every key optional).

    Examples
    --------
    >>> v = traces_view({"users": 3, "attacks": [{"attack": "home_work", "k": None, "mean_risk": 1.0, "users_at_risk_1": 3}]})
    >>> v["attacks"][0]["label"], v["headline"][0]
    ('home_work', '3 users.')
    """
    v: dict[str, Any] = {}
    risk = _section(p, "risk")
    before = _seq(risk.get("before")) if risk else _seq(p.get("attacks"))
    after = _seq(risk.get("after")) if risk else []
    users = p.get("users")
    n = _num(users.get("input")) if isinstance(users, Mapping) else _num(users)
    headline = [f"{fmt_count(n)} users."] if n is not None else []
    if isinstance(users, Mapping):
        headline.append(f"{fmt_count(_num(users.get('released')))} released, {fmt_count(_num(users.get('suppressed')))} suppressed.")
    v["attacks"], v["distributions"] = _attacks(before, after)
    v["has_after"] = bool(after)
    for a in before:
        at1 = _num(a.get("users_at_risk_1")) if isinstance(a, Mapping) else None
        if isinstance(a, Mapping) and a.get("attack") == "home_work" and n and at1 is not None:
            headline.append(f"{fmt_pct(at1 / n)} are singled out by their two most visited places (home and work).")
    v["unicity"] = []
    for u in _seq(p.get("unicity")):
        if not isinstance(u, Mapping):
            continue
        ci = _seq(u.get("ci95"))
        text = fmt_pct(_num(u.get("value")))
        if not u.get("exact") and len(ci) == 2:
            text += f" (sampled, 95% interval {fmt_pct(_num(ci[0]))} - {fmt_pct(_num(ci[1]))})"
        v["unicity"].append((f"p = {u.get('p')}", text))
    curve = p.get("curve")
    v["curve_chart"], v["power_law"], v["advice"] = _curve(curve) if isinstance(curve, Mapping) else (None, None, [])
    params = _section(_section(p, "model"), "trajectory-k-anonymity")
    r = _section(p, "resolution")
    if params and r:
        points = _section(p, "points")
        grid = _num(r.get("grid_m"))
        h3 = _num(r.get("h3"))
        cell = f"{grid:g} m" if grid is not None else f"H3 resolution {h3:g}" if h3 is not None else "not available"
        bin_label = str(r.get("time_bin") or "none")
        v["release"] = [("Guarantee", f"any {params.get('p')} points of a released user are shared by at least {params.get('k')} users"),
                        ("Cell size", cell), ("Time bin", bin_label),
                        ("Points released", fmt_count(_num(points.get("released")))),
                        ("Points suppressed", fmt_count(_num(points.get("suppressed")))),
                        ("Points near home and work suppressed", fmt_count(_num(points.get("home_work_suppressed")))),
                        ("Points near home and work coarsened", fmt_count(_num(points.get("home_work_coarsened")))),
                        ("Loss (cell + bin coarseness + share not released)", fmt_number(_num(p.get("loss"))))]
        v["advice"] = v["advice"] + [f"The release at {cell} and {bin_label} bins is the "
                                     "least-loss level that holds the guarantee within the suppression budgets."]
    v["headline"] = headline
    maps = [(p.get("map"), "Distinct users per cell"), (p.get("map_after"), "Distinct users per cell, released")]
    v["maps"] = [m for m in (cell_map(raw, title) for raw, title in maps if isinstance(raw, Mapping)) if m is not None]
    first = _section(p, "map")
    v["map_note"] = (f"Cells with fewer than {fmt_count(_num(first.get('min_users')))} users are not drawn "
                     f"({fmt_count(_num(first.get('suppressed_cells')))} cells left out).") if first else None
    return v


__all__ = ["traces_view", "cell_map"]
