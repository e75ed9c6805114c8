"""The view of ``unlinkable exposure``: an :class:`~unlinkable.results.ExposureResult`'s figures,
pre-formatted for ``templates/exposure.html``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from unlinkable.report import charts
from unlinkable.report.format import _get, _has, _names, _num, _pct_axis, _share_count, fmt_count, fmt_number, fmt_pct
from unlinkable.report.views.assess import _bucket_label

_CAND_BUCKETS = ((0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 9), (10, 99), (100, None))


def _candidate_bins(hist: Any) -> list[tuple[str, int, bool]] | None:
    """Pre-binned histograms ({"0": n, "1": n, "3-5": n, ">10": n}): (label, records, is_unique_bin)."""
    if not isinstance(hist, Mapping) or all(_num(k) is not None for k in hist):
        return None
    out = []
    for k, x in hist.items():
        n = _num(x)
        if n is not None:
            out.append((str(k), int(n), str(k).strip() == "1"))
    return out


def _candidate_pairs(hist: Any) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    if isinstance(hist, Mapping):
        for k, x in hist.items():
            kk, xx = _num(k), _num(x)
            if kk is not None and xx is not None:
                pairs.append((int(kk), int(xx)))
    elif isinstance(hist, Sequence) and not isinstance(hist, str):
        if all(isinstance(e, Sequence) and not isinstance(e, str) and len(e) >= 2 for e in hist):
            for e in hist:
                kk, xx = _num(e[0]), _num(e[1])
                if kk is not None and xx is not None:
                    pairs.append((int(kk), int(xx)))
        else:
            for i, x in enumerate(hist):
                xx = _num(x)
                if xx is not None:
                    pairs.append((i, int(xx)))
    return pairs


def exposure_view(p: Mapping[str, Any], banned: frozenset[str]) -> dict[str, Any]:
    """The exposure sections of an :class:`~unlinkable.results.ExposureResult`'s figures.

    Examples
    --------
    >>> exposure_view({"release_records": 10, "unique_link_share": 0.2}, frozenset())["rows"][1]
    ('Release records linkable to exactly one auxiliary record', '2 (20.0%)')
    """
    v: dict[str, Any] = {}
    n = _num(p.get("release_records"))
    m = _num(p.get("auxiliary_records"))
    aux = p.get("auxiliary_name") if isinstance(p.get("auxiliary_name"), str) else "the auxiliary table"
    v["aux"] = aux
    headline: list[Markup] = []
    uls = _num(p.get("unique_link_share"))
    if uls is not None:
        k = _num(p.get("unique_links"))
        if k is None:
            k = _share_count(uls, n)
        if k is not None:
            headline.append(Markup("<strong>{}</strong> of {} records (<strong>{}</strong>) match exactly one person in {}.").format(
                fmt_count(k), fmt_count(n), fmt_pct(uls), aux))
        else:
            headline.append(Markup("<strong>{}</strong> of the records match exactly one person in {}.").format(fmt_pct(uls), aux))
    er = _num(p.get("expected_reidentifications"))
    if er is not None:
        headline.append(Markup("An attacker who joins the two tables would correctly re-identify about <strong>{}</strong> people "
                               "(expected value, each compatible candidate equally likely).").format(fmt_number(er, 3)))
    rus = _num(p.get("reverse_unique_share"))
    if rus is not None:
        who = f"the {fmt_count(m)} people" if m is not None else "the people"
        headline.append(Markup("<strong>{}</strong> of {} in {} can be placed in exactly one record of the release.").format(
            fmt_pct(rus), who, aux))
    v["headline"] = headline

    links = _num(p.get("unique_links"))
    if links is None:
        links = _share_count(p.get("unique_link_share"), n)
    rows = []
    shared = [a for a in _names(p.get("attributes")) if a not in banned]
    if shared:
        rows.append(("Shared attributes compared", ", ".join(shared)))
    for key, label, fmt in (
        ("release_records", "Records in the release", fmt_count),
        ("auxiliary_records", f"Records in {aux}", fmt_count),
        ("unique_link_share", "Release records linkable to exactly one auxiliary record",
         lambda x: f"{fmt_count(links)} ({fmt_pct(x)})" if links is not None else fmt_pct(x)),
        ("expected_reidentifications", "Expected correct re-identifications", lambda x: fmt_number(x, 4)),
        ("reverse_unique_share", "Auxiliary records placed in exactly one release record", fmt_pct),
    ):
        if key in p:
            rows.append((label, fmt(p[key])))
    v["rows"] = rows

    binned = _candidate_bins(p.get("candidates_histogram"))
    pairs = [] if binned is not None else _candidate_pairs(p.get("candidates_histogram"))
    labels, values, colors = [], [], []
    if binned:
        for label, count, unique in binned:
            labels.append(label)
            values.append(count)
            colors.append(charts.PALETTE[1] if unique else charts.PALETTE[0])
    if pairs:
        for lo, hi in _CAND_BUCKETS:
            inside = [c for k, c in pairs if k >= lo and (hi is None or k <= hi)]
            if not inside:
                continue
            labels.append(_bucket_label(lo, hi))
            values.append(sum(inside))
            colors.append(charts.PALETTE[1] if lo == 1 else charts.PALETTE[4] if lo in (2, 3, 4) else charts.PALETTE[0])
    if labels:
        v["candidates_chart"] = charts.bar_chart(
            labels, values,
            title=f"Release records by number of matching people in {aux}",
            x_label=f"compatible records in {aux} (1 = unique link)",
            y_label="release records",
            colors=colors,
        )

    ev = []
    if _has(p, "true_reidentification_rate") and p["true_reidentification_rate"] is not None:
        ev.append(("Records correctly re-identified (true re-identification rate)", fmt_pct(p["true_reidentification_rate"])))
    if _has(p, "unique_link_precision") and p["unique_link_precision"] is not None:
        ev.append(("Unique links that point to the right person (precision)", fmt_pct(p["unique_link_precision"])))
    v["evaluation_rows"] = ev

    wi = p.get("what_if")
    if isinstance(wi, Sequence) and not isinstance(wi, str):
        items = []
        for e in wi:
            share = _num(_get(e, "unique_link_share"))
            attr = _get(e, "attribute")
            if share is None or not isinstance(attr, str) or attr in banned:
                continue
            action = _get(e, "action")
            verb = {"drop": "drop", "generalize": "generalize"}.get(str(action), str(action) if isinstance(action, str) else "change")
            items.append((f"{verb} {attr}", share))
        items.sort(key=lambda t: (t[1], t[0]))
        if items:
            v["what_if_chart"] = charts.bar_chart(
                [lab for lab, _ in items],
                [s for _, s in items],
                title="What if one attribute were dropped or generalized one level?",
                x_label="share of release records linkable to exactly one person",
                y_label="change",
                horizontal=True,
                value_format=fmt_pct,
                tick_format=_pct_axis,
                reference=(uls, f"now {fmt_pct(uls)}") if uls is not None else None,
                colors=[charts.PALETTE[2]] * len(items),
            )
            best_label, best_share = items[0]
            if uls is not None and best_share < uls:
                v["what_if_sentence"] = Markup("The most effective single change is to <strong>{}</strong>: the unique-link share "
                                               "falls from {} to <strong>{}</strong>.").format(best_label, fmt_pct(uls), fmt_pct(best_share))

    cop = p.get("copula")
    if isinstance(cop, Mapping) and cop:
        crow = []
        if "population_size" in cop:
            crow.append(("Population size assumed", fmt_count(cop["population_size"])))
        if "mean_correctness" in cop:
            crow.append(("Average likelihood that a match is correct", fmt_pct(cop["mean_correctness"])))
        if "records_above_0_5" in cop:
            x = _num(cop["records_above_0_5"])
            if x is not None and not float(x).is_integer() and x <= 1:
                text = fmt_pct(x)  # given as a share
            else:
                text = fmt_count(x) + (f" ({fmt_pct(x / n)})" if x is not None and n else "")
            crow.append(("Records more likely than not to be correctly re-identified", text))
        v["copula_rows"] = crow
    return v
