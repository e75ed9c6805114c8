"""View pieces two reports share: risk before and after, the released table's uniqueness, formula
escaping (``anonymize`` and ``sdc``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from unlinkable.report import charts
from unlinkable.report.format import _get, _has, _names, _num, _pct_axis, fmt_count, fmt_number, fmt_pct, fmt_risk

_COMPARE = (
    ("records", "Records", fmt_count, False),
    (("equivalence_classes", "count_excluding_suppressed"), "Equivalence classes", fmt_count, False),
    (("equivalence_classes", "min_size"), "Smallest class (k)", fmt_count, False),
    ("sample_uniques", "Records unique on their quasi-identifiers", fmt_pct, True),
    (("prosecutor", "highest_risk"), "Highest re-identification risk (prosecutor)", fmt_risk, True),
    (("prosecutor", "average_risk"), "Average re-identification risk (prosecutor)", fmt_risk, True),
    (("prosecutor", "records_at_risk"), "Records above the risk threshold", fmt_pct, True),
    (("journalist", "highest_risk"), "Highest risk (journalist)", fmt_risk, True),
    (("marketer", "average_risk"), "Share re-identified by a marketer", fmt_pct, True),
    (("population_uniques", "dankar"), "Population uniques (Dankar)", lambda x: fmt_pct(x, 2), True),
    (("population_uniques", "pitman"), "Population uniques (Pitman)", lambda x: fmt_pct(x, 2), True),
    (("individual_risk", "expected_reidentifications"), "Expected re-identifications (sdcMicro)", fmt_number, True),
    (("individual_risk", "global_risk"), "Global risk (sdcMicro)", fmt_pct, True),
    (("suda2", "records_with_score"), "Records with a SUDA2 score", fmt_count, True),
)

# The share-valued rows also drawn in the before/after chart.
_COMPARE_CHART = (
    ("sample_uniques", "Sample uniques"),
    (("prosecutor", "highest_risk"), "Highest risk"),
    (("prosecutor", "average_risk"), "Average risk"),
    (("prosecutor", "records_at_risk"), "Records above threshold"),
    (("marketer", "average_risk"), "Marketer risk"),
    (("individual_risk", "global_risk"), "Global risk (sdcMicro)"),
)


def _lookup(a: Any, key: str | tuple[str, ...]) -> tuple[bool, Any]:
    path = (key,) if isinstance(key, str) else key
    if path == ("equivalence_classes", "count_excluding_suppressed") and not _has(a, *path):
        path = ("equivalence_classes", "count")  # no suppressed records: one count
    if path == ("marketer", "average_risk") and isinstance(a, Mapping) and not isinstance(a.get("marketer"), Mapping):
        return ("marketer" in a, a.get("marketer"))
    return _has(a, *path), _get(a, *path)


def compare_view(before: Any, after: Any) -> dict[str, Any] | None:
    if not isinstance(before, Mapping) and not isinstance(after, Mapping):
        return None
    rows = []
    for key, label, fmt, lower_is_better in _COMPARE:
        hb, vb = _lookup(before, key)
        ha, va = _lookup(after, key)
        if not hb and not ha:
            continue
        change = None
        nb, na = _num(vb), _num(va)
        if lower_is_better and nb is not None and na is not None:
            change = "lower" if na < nb else "higher" if na > nb else "same"
        rows.append(
            {"label": label, "before": fmt(vb) if hb else "\u2014", "after": fmt(va) if ha else "\u2014", "change": change}
        )
    labels, b_vals, a_vals = [], [], []
    for key, label in _COMPARE_CHART:
        nb, na = _num(_lookup(before, key)[1]), _num(_lookup(after, key)[1])
        if nb is not None and na is not None:
            labels.append(label)
            b_vals.append(nb)
            a_vals.append(na)
    single = not isinstance(before, Mapping)
    chart = None
    if labels:
        chart = charts.grouped_bar_chart(
            labels,
            [("before", b_vals), ("after", a_vals)],
            title="Risk before and after",
            x_label="share of records / probability",
            y_label="measure",
            value_format=fmt_pct,
            tick_format=_pct_axis,
        )
    return {"rows": rows, "chart": chart, "single": single}


def escaping_row(p: Mapping[str, Any]) -> tuple[str, str] | None:
    """The released CSV's spreadsheet-formula escaping, as one summary row (None when no CSV was written)."""
    fe = p.get("formula_escaping")
    if not isinstance(fe, Mapping):
        return None
    label = "Cells escaped against spreadsheet formulas"
    if fe.get("enabled") is False:
        return (label, "escaping switched off (output: {escape_formulas: false}): a spreadsheet may run cells "
                       "starting with = + - @ as formulas")
    cells = _num(fe.get("escaped_cells"))
    if cells is None:
        return None
    if cells == 0:
        return (label, "0: no text cell starts with = + - @, tab or carriage return")
    cols, headers = fe.get("columns"), fe.get("headers")
    where = [", ".join(str(c) for c in cols)] if isinstance(cols, Mapping) and cols else []
    if isinstance(headers, list) and headers:
        where.append("the header cell of " + ", ".join(str(c) for c in headers))
    return (label, f"{fmt_count(cells)}, prefixed with ' so a spreadsheet shows them as text"
            + (f" (in {'; '.join(where)})" if where else ""))


def released_view(p: Mapping[str, Any], banned: frozenset[str]) -> dict[str, Any] | None:
    """``released_uniqueness`` in words: uniques on every non-sensitive released column, and a
    warning per kept column that singles records out (its name and share, never its values)."""
    r = p.get("released_uniqueness")
    if not isinstance(r, Mapping) or _num(r.get("records")) is None:
        return None
    columns = [c for c in _names(r.get("columns")) if c not in banned]
    sentence = Markup("On every released column that is not declared sensitive ({}), <strong>{}</strong> of {} "
                      "records (<strong>{}</strong>) are unique.").format(
        ", ".join(columns), fmt_count(r.get("unique_records")), fmt_count(r.get("records")), fmt_pct(r.get("sample_uniques")))
    warnings = []
    for e in r.get("kept_columns") or []:
        if isinstance(e, Mapping) and e.get("warn") and str(e.get("column")) not in banned:
            warnings.append(Markup(
                "The column <strong>{}</strong> is released as is, and it makes records unique: <strong>{}</strong> "
                "on its own, <strong>{}</strong> together with the quasi-identifiers (against {} on the "
                "quasi-identifiers alone). Drop it, or declare it a quasi-identifier so that it is generalized.").format(
                e.get("column"), fmt_pct(e.get("alone")), fmt_pct(e.get("with_quasi_identifiers")),
                fmt_pct(r.get("quasi_identifier_uniques"))))
    return {"sentence": sentence, "warnings": warnings}
