"""The view of ``unlinkable anonymize`` with SDC steps only: an :class:`~unlinkable.results.SdcResult`'s
figures, pre-formatted for ``templates/sdc.html``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from unlinkable.report.format import _generic_rows, _get, _names, _num, _signed_pct, _source_name, fmt_count, fmt_number, fmt_pct
from unlinkable.report.views.assess import assess_view
from unlinkable.report.views.shared import compare_view, escaping_row

_STEP_META = {"summary", "params", "parameters", "method", "name", "step", "runtime_s"}


def sdc_view(p: Mapping[str, Any], banned: frozenset[str]) -> dict[str, Any]:
    """The SDC sections of an :class:`~unlinkable.results.SdcResult`'s figures.

    Examples
    --------
    >>> sdc_view({"records": 5, "steps": [{"name": "pram", "params": {"attribute": "roof"}}]}, frozenset())["summary"]
    [('Records', '5')]
    """
    v: dict[str, Any] = {}
    steps = []
    raw_steps = p.get("steps")
    if isinstance(raw_steps, Sequence) and not isinstance(raw_steps, str):
        for i, s in enumerate(raw_steps, 1):
            if not isinstance(s, Mapping):
                continue
            name = s.get("method") or s.get("name") or s.get("step")
            params = s.get("params", s.get("parameters"))
            if not isinstance(name, str):
                # Job-file shape: {"pram": {...params}, "summary": {...}}.
                other = [k for k in s if k not in _STEP_META]
                name = str(other[0]) if other else f"step {i}"
                if params is None and other:
                    params = s[other[0]]
            prow = []
            if isinstance(params, Mapping):
                for k, x in params.items():
                    if str(k) in banned:
                        continue
                    if isinstance(x, (int, float, str, bool)) and not (isinstance(x, str) and len(x) > 80):
                        prow.append(f"{k} = {x}")
                    elif isinstance(x, Sequence) and all(isinstance(e, (int, float, str)) for e in x) and len(x) <= 20:
                        prow.append(f"{k} = [{', '.join(str(e) for e in x)}]")
            summary = s.get("summary")
            if summary is None:
                # Pipeline shape: the step's figures sit beside its name and params.
                summary = {k: x for k, x in s.items() if k not in _STEP_META and k != name}
            steps.append(
                {
                    "number": i,
                    "name": name,
                    "params": "; ".join(prow),
                    "summary_text": summary if isinstance(summary, str) else None,
                    "summary_rows": _generic_rows(summary, banned) if isinstance(summary, Mapping) else [],
                    "runtime": fmt_number(s["runtime_s"], 3) + " s" if _num(s.get("runtime_s")) is not None else None,
                }
            )
    v["steps"] = steps
    before, after = p.get("risk_before"), p.get("risk_after")
    v["compare"] = compare_view(before, after)

    headline: list[Markup] = []
    if steps:
        headline.append(Markup("{} protection step{} applied: {}.").format(
            len(steps), "s" if len(steps) != 1 else "", ", then ".join(str(s["name"]) for s in steps)))
    su_b, su_a = _num(_get(before, "sample_uniques")), _num(_get(after, "sample_uniques"))
    if su_b is not None and su_a is not None:
        headline.append(Markup("Records unique on their quasi-identifiers: <strong>{}</strong> before, <strong>{}</strong> after.").format(
            fmt_pct(su_b), fmt_pct(su_a)))
    eb = _num(_get(before, "individual_risk", "expected_reidentifications"))
    ea = _num(_get(after, "individual_risk", "expected_reidentifications"))
    if eb is not None and ea is not None:
        headline.append(Markup("Expected re-identifications (sdcMicro individual risk): <strong>{}</strong> before, <strong>{}</strong> after.").format(
            fmt_number(eb), fmt_number(ea)))
    util = p.get("utility") if isinstance(p.get("utility"), Mapping) else p.get("numeric_utility")
    if isinstance(util, Mapping) and _num(util.get("drisk")) is not None:
        headline.append(Markup("Interval disclosure risk of the masked numbers (dRisk): <strong>{}</strong> of records.").format(
            fmt_pct(util["drisk"])))
    v["headline"] = headline

    if isinstance(util, Mapping):
        urows = []
        for key, label, fmt in (
            ("il1s", "IL1s (scaled absolute deviation, sdcMicro)", fmt_number),
            ("il1", "IL1 (relative absolute deviation, %)", fmt_number),
            ("eigen", "Eigenvalue-based loss", fmt_number),
            ("drisk", "dRisk (interval disclosure risk)", fmt_pct),
            ("correlation_change", "Largest change of any correlation", fmt_number),
        ):
            if key in util:
                urows.append((label, fmt(util[key])))
        v["utility_rows"] = urows
        mc = util.get("mean_change")
        if isinstance(mc, Mapping):
            v["mean_rows"] = [(str(k), _signed_pct(x)) for k, x in mc.items() if str(k) not in banned]
    v["after"] = assess_view(after, banned)
    v["before"] = assess_view(before, banned)
    records = _num(p.get("records"))
    if records is None:
        records = _num(_get(after, "records"))
    v["summary"] = [("Records", fmt_count(records))] if records is not None else []
    src = _source_name(p.get("source"))
    if src:
        v["summary"].insert(0, ("Data", src))
    idents = _names(p.get("identifiers"))
    if idents:
        v["summary"].append(("Identifiers (dropped; their values are never shown)", ", ".join(idents)))
    escaping = escaping_row(p)
    if escaping:
        v["summary"].append(escaping)
    return v
