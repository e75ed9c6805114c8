"""The views of set-valued jobs (``assess`` and ``anonymize`` on baskets or code sets), for ``templates/points.html``.

Only figures are shown: counts, shares, NCP, hierarchy levels. No basket, record or item label
appears (the generalization is summarised by level), so a report can be shared as it is.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

from unlinkable.errors import ConfigError
from unlinkable.report import charts
from unlinkable.report.format import NOT_AVAILABLE, _num, _pct_axis, fmt_count, fmt_number, fmt_pct

#: the set-valued report kinds and their titles
TITLES = {"points-assess": "Re-identification risk of set-valued data",
          "points-anonymize": "Anonymization report: set-valued data"}


def _unicity_rows(unicity: Any) -> list[tuple[int, float]]:
    out = []
    for entry in unicity if isinstance(unicity, Sequence) and not isinstance(unicity, str) else ():
        if isinstance(entry, Mapping):
            p, value = _num(entry.get("p")), _num(entry.get("value"))
            if p is not None and value is not None and p == p and value == value:
                out.append((int(p), float(value)))
    return out


def _numbers(values: Any) -> list[float] | None:
    """A list of finite numbers, or None when ``values`` is not one."""
    if not isinstance(values, Sequence) or isinstance(values, str) or not values:
        return None
    out = [_num(x) for x in values]
    return None if any(x is None or x != x for x in out) else [float(x) for x in out if x is not None]


def _mapping(p: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = p.get(key)
    return value if isinstance(value, Mapping) else None


def _km_sentence(km: Mapping[str, Any], records: float | None) -> str | None:
    affected = _num(km.get("affected_records"))
    if affected is None or not records:
        return None
    return (f"{fmt_count(affected)} of {fmt_count(records)} records ({fmt_pct(affected / records)}) hold a combination of up to "
            f"{km.get('m')} items that fewer than {km.get('k')} records share.")


def points_assess_view(p: Mapping[str, Any]) -> dict[str, Any]:
    """The sections of a set-valued assessment's figures (``km_by_size``: violating itemsets per size).

    Examples
    --------
    >>> v = points_assess_view({"records": 10, "distinct_items": 4, "km": {"k": 2, "m": 1, "violating_itemsets": 1,
    ...                         "affected_records": 1}, "unicity": [{"p": 1, "value": 0.1}]})
    >>> v["headline"][0]
    '1 of 10 records (10.0%) hold a combination of up to 1 items that fewer than 2 records share.'
    """
    v: dict[str, Any] = {"kind": "assess"}
    records = _num(p.get("records"))
    km = _mapping(p, "km")
    unicity = _unicity_rows(p.get("unicity"))
    headline = []
    if km is not None:
        sentence = _km_sentence(km, records)
        if sentence:
            headline.append(sentence)
    if unicity:
        p_top, value = unicity[-1]
        headline.append(f"{p_top} items of a record single it out {fmt_pct(value)} of the time (unicity).")
    v["headline"] = headline
    rows = [("Records", fmt_count(records)), ("Distinct items", fmt_count(p.get("distinct_items")))]
    if km is not None:
        rows += [(f"Itemsets of up to {km.get('m')} items in fewer than {km.get('k')} records", fmt_count(km.get("violating_itemsets"))),
                 ("Records holding one", fmt_count(km.get("affected_records")))]
    rows += [(f"Unicity, {q} item{'s' if q > 1 else ''}", fmt_pct(value)) for q, value in unicity]
    v["rows"] = rows
    if unicity:
        v["unicity_chart"] = charts.bar_chart([str(q) for q, _ in unicity], [value for _, value in unicity],
                                              title="Unicity by the number of items known", x_label="items known (p)",
                                              y_label="records singled out", value_format=fmt_pct, tick_format=_pct_axis,
                                              max_value=1.0)
    by_size = _numbers(p.get("km_by_size"))
    if by_size:
        v["size_chart"] = charts.bar_chart([str(i) for i in range(1, len(by_size) + 1)], by_size,
                                           title="Itemsets below k by size", x_label="items in the itemset",
                                           y_label="itemsets", value_format=fmt_count)
    raw = p.get("coarsened")
    coarsened = [c for c in raw if isinstance(c, Mapping)] if isinstance(raw, Sequence) and not isinstance(raw, str) else []
    if coarsened and unicity:
        labels = ["items"] + [f"level {c.get('level')}" for c in coarsened]
        series = []
        for q, value in unicity:
            values = [value]
            for c in coarsened:
                found = dict(_unicity_rows(c.get("unicity")))
                values.append(found.get(q, 0.0))
            series.append((f"p={q}", values))
        v["resolution_chart"] = charts.grouped_bar_chart(labels, series, title="Unicity against resolution",
                                                         x_label="records singled out", y_label="item resolution",
                                                         value_format=fmt_pct, tick_format=_pct_axis, max_value=1.0)
    raw = p.get("resolutions")
    at = [r for r in raw if isinstance(r, Mapping)] if isinstance(raw, Sequence) and not isinstance(raw, str) else []
    if at and unicity:
        labels = [_resolution_label(r) for r in at] + ["items only"]
        series = []
        for q, value in unicity:
            series.append((f"p={q}", [dict(_unicity_rows(r.get("unicity"))).get(q, 0.0) for r in at] + [value]))
        v["time_chart"] = charts.grouped_bar_chart(labels, series, title="Unicity against time and price resolution",
                                                   x_label="records singled out", y_label="what a point holds",
                                                   value_format=fmt_pct, tick_format=_pct_axis, max_value=1.0)
    v["advice"] = _advice(km, coarsened, records)
    return v


def _resolution_label(r: Mapping[str, Any]) -> str:
    parts = []
    if _num(r.get("time_bin")) is not None:
        parts.append(f"time in bins of {fmt_number(r.get('time_bin'))}")
    if _num(r.get("price_band")) is not None:
        parts.append(f"price in bands of {fmt_number(r.get('price_band'))}")
    return ", ".join(parts) or "items only"


def _advice(km: Mapping[str, Any] | None, coarsened: list[Mapping[str, Any]], records: float | None) -> list[str]:
    advice = []
    if km is not None and coarsened:
        start = _num(km.get("affected_records")) or 0
        for c in coarsened:
            ck = _mapping(c, "km")
            after = _num(ck.get("affected_records")) if ck else None
            if after is not None and start and after <= start / 2:
                advice.append(f"Coarsening every item to level {c.get('level')} of the item hierarchy lowers the exposed "
                              f"records from {fmt_count(start)} to {fmt_count(after)} ({fmt_number(c.get('distinct_items'))} "
                              f"distinct items left).")
                break
    if km is not None and (_num(km.get("affected_records")) or 0) > 0:
        advice.append(f"Release with `privacy: [{{km-anonymity: {{k: {km.get('k')}, m: {km.get('m')}}}}}]` and "
                      "`unlinkable anonymize`: items are generalized along the hierarchy (and rare ones suppressed within "
                      "`suppression_limit`) until no combination of up to m items is shared by fewer than k records.")
    elif km is not None:
        advice.append("No combination of up to m items is shared by fewer than k records: the data is k^m-anonymous as it is.")
    return advice


def points_anonymize_view(p: Mapping[str, Any]) -> dict[str, Any]:
    """The sections of a set-valued release's figures (:meth:`PointsAnonymization.to_dict`).

    Examples
    --------
    >>> v = points_anonymize_view({"records": 4, "ncp": 0.25, "km_before": {"k": 2, "m": 1, "violating_itemsets": 2,
    ...     "violating_by_size": [2], "affected_records": 2}, "km_after": {"k": 2, "m": 1, "violating_itemsets": 0,
    ...     "violating_by_size": [0], "affected_records": 0}})
    >>> v["headline"][0]
    'k^m-anonymity (k=2, m=1) holds on the release: 0 itemsets below k (2 before).'
    """
    v: dict[str, Any] = {"kind": "anonymize"}
    records = _num(p.get("records"))
    before, after = _mapping(p, "km_before"), _mapping(p, "km_after")
    rho_before, rho_after = _mapping(p, "rho_before"), _mapping(p, "rho_after")
    headline = []
    if before and after:
        headline.append(f"k^m-anonymity (k={after.get('k')}, m={after.get('m')}) holds on the release: "
                        f"{fmt_count(after.get('violating_itemsets'))} itemsets below k ({fmt_count(before.get('violating_itemsets'))} before).")
    if rho_before and rho_after:
        headline.append(f"rho-uncertainty (rho={rho_after.get('rho')}) holds: {fmt_count(rho_after.get('violating_rules'))} "
                        f"rules reach it ({fmt_count(rho_before.get('violating_rules'))} before).")
    if _num(p.get("ncp")) is not None:
        headline.append(f"Information loss (NCP) {fmt_number(p.get('ncp'))}: 0 is the data as it is, 1 every item suppressed.")
    v["headline"] = headline
    rows = [("Records", fmt_count(records)), ("Distinct items before / after",
                                              f"{fmt_count(p.get('distinct_items'))} / {fmt_count(p.get('released_items'))}"),
            ("NCP (normalised certainty penalty)", fmt_number(p.get("ncp"))),
            ("Distinct input items suppressed everywhere (counted, never named)", fmt_count(p.get("suppressed_items"))),
            ("Item occurrences suppressed", f"{fmt_count(p.get('suppressed_occurrences'))} of {fmt_count(p.get('item_occurrences'))}"),
            ("Records released", fmt_count(p.get("released_records"))),
            ("Records not released (every item suppressed, or their class of quasi-identifiers below k)",
             fmt_count(p.get("suppressed_records"))),
            ("Cut found by", "exhaustive search (optimal)" if p.get("optimal") else "Apriori Anonymization (greedy)")]
    columns = _mapping(p, "columns")
    not_released = columns.get("not_released") if columns is not None else None
    if isinstance(not_released, Sequence) and not isinstance(not_released, str) and not_released:
        rows.append(("Columns not released (times, quantities: no privacy model covers them)",
                     ", ".join(str(c) for c in not_released)))
    top = _mapping(p, "top_itemsets")
    if top is not None:
        rows.append((f"Mean relative error of the {fmt_count(top.get('count'))} most frequent itemsets' supports",
                     fmt_pct(top.get("relative_error"))))
    v["rows"] = rows
    sizes_before = _numbers(before.get("violating_by_size")) if before else None
    sizes_after = _numbers(after.get("violating_by_size")) if after else None
    if sizes_before and sizes_after and len(sizes_before) == len(sizes_after):
        sizes = [str(i) for i in range(1, len(sizes_before) + 1)]
        v["size_chart"] = charts.grouped_bar_chart(
            sizes, [("before", sizes_before), ("after", sizes_after)],
            title="Itemsets below k by size, before and after", x_label="itemsets", y_label="items in the itemset",
            value_format=fmt_count)
    levels: dict[int, list[int]] = {}
    nodes = p.get("generalization")
    for node in nodes if isinstance(nodes, Sequence) and not isinstance(nodes, str) else ():
        if isinstance(node, Mapping):
            level, items = _num(node.get("level")), _num(node.get("items"))
            if level is not None and items is not None and level == level and items == items and abs(level) < 1e6:
                levels.setdefault(int(level), []).append(int(items))
    v["levels"] = [(f"level {level}", fmt_count(len(nodes)), fmt_count(sum(nodes))) for level, nodes in sorted(levels.items())]
    advice = []
    ncp = _num(p.get("ncp")) or 0.0
    if ncp > 0.2:
        advice.append("The loss is high: a finer item hierarchy (more levels), a smaller m or k, or a suppression_limit "
                      "that lets the rarest items go usually keep more detail.")
    if p.get("optimal") is False and not p.get("suppressed_occurrences"):
        advice.append("The cut was found greedily; with a small hierarchy and no suppression every cut is tried.")
    v["advice"] = advice
    return v


def render_points(kind: str, payload: Mapping[str, Any], *, generated_at: str | None = None) -> str:
    """A self-contained HTML report of a set-valued job (the layout and guarantees of :func:`unlinkable.report.html.render`).

    Examples
    --------
    >>> html = render_points("points-assess", {"records": 10, "km": {"k": 2, "m": 1, "affected_records": 1}})
    >>> "1 of 10 records (10.0%)" in html, "<script" in html
    (True, False)
    """
    from unlinkable.report.html import _env, _version

    if kind not in TITLES:
        raise ConfigError(f"unknown report kind {kind!r}", hint=f"use one of {', '.join(TITLES)}")
    if not isinstance(payload, Mapping):
        raise ConfigError(f"the report payload must be a dict of figures; got {type(payload).__name__}",
                          hint="pass the result's to_dict()")
    view = points_assess_view(payload) if kind == "points-assess" else points_anonymize_view(payload)
    if generated_at is None:
        generated_at = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return _env().get_template("points.html").render(kind=kind, title=TITLES[kind], v=view, generated_at=generated_at,
                                                     version=_version(), not_available=NOT_AVAILABLE)


__all__ = ["points_assess_view", "points_anonymize_view", "render_points", "TITLES"]
