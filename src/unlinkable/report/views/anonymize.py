"""The view of ``unlinkable anonymize`` with privacy models: an
:class:`~unlinkable.results.AnonymizationResult`'s figures, pre-formatted for ``templates/anonymize.html``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from unlinkable.report import charts
from unlinkable.report.format import (
    _get,
    _is_quasi_identifier,
    _names,
    _num,
    _numbered,
    _pct_axis,
    _section,
    _source_name,
    fmt_count,
    fmt_number,
    fmt_pct,
    fmt_risk,
)
from unlinkable.report.views.assess import assess_view
from unlinkable.report.views.shared import compare_view, escaping_row


def _levels_text(levels: Any) -> str | None:
    if isinstance(levels, Mapping):
        return ", ".join(f"{k} {fmt_count(x)}" for k, x in levels.items() if _num(x) is not None)
    if isinstance(levels, Sequence) and not isinstance(levels, str):
        nums = [_num(x) for x in levels]
        if all(n is not None for n in nums):
            return "(" + ", ".join(fmt_count(n) for n in nums) + ")"
    return None


def _examples_text(ex: Any) -> str | None:
    """The generalized example of an attribute: the last item of ``[original, generalized]``.

    The original value (first item) is deliberately not shown: the report prints generalized values only.
    """
    if isinstance(ex, str):
        return ex
    if isinstance(ex, Sequence) and ex:
        last = ex[-1]
        if isinstance(last, (str, int, float)) and not isinstance(last, bool):
            return str(last)
    return None


def _privacy_from_models(models: Any, guarantees: Any) -> list[dict[str, Any]]:
    """``models`` [{"k-anonymity": {"k": 5}}] + ``guarantees`` [text] -> [{name, params, description}]."""
    out: list[dict[str, Any]] = []
    if not isinstance(models, Sequence) or isinstance(models, str):
        return out
    texts = guarantees if isinstance(guarantees, Sequence) and not isinstance(guarantees, str) else []
    for i, m in enumerate(models):
        if isinstance(m, Mapping) and len(m) == 1:
            name, params = next(iter(m.items()))
            out.append({"name": str(name), "params": params if isinstance(params, Mapping) else {},
                        "description": texts[i] if i < len(texts) and isinstance(texts[i], str) else ""})
    return out


def _privacy_rows(privacy: Any, banned: frozenset[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if not isinstance(privacy, Sequence) or isinstance(privacy, str):
        return rows
    for m in privacy:
        if not isinstance(m, Mapping):
            continue
        params = m.get("params")
        ptext = (", ".join(f"{k} = {p}" for k, p in params.items() if isinstance(p, (str, int, float)) and str(k) not in banned)
                 if isinstance(params, Mapping) else "")
        desc = m.get("description")
        rows.append({"name": str(m.get("name", "model")), "params": ptext, "description": desc if isinstance(desc, str) else ""})
    return rows


def anonymize_view(p: Mapping[str, Any], banned: frozenset[str]) -> dict[str, Any]:
    """The anonymize sections of an :class:`~unlinkable.results.AnonymizationResult`'s figures.

    Examples
    --------
    >>> anonymize_view({"records": 10, "suppressed": 1, "transformation": {"age": 2}}, frozenset())["summary"]
    [('Records', '10'), ('Suppressed records', '1')]
    """
    v: dict[str, Any] = {}
    before, after = p.get("risk_before"), p.get("risk_after")
    records = _num(p.get("records"))
    for nested in (before, after):
        if records is None:
            records = _num(_get(nested, "records"))
    privacy_in = p.get("privacy")
    if privacy_in is None:
        privacy_in = _privacy_from_models(p.get("models"), p.get("guarantees"))
    privacy = _privacy_rows(privacy_in, banned)
    v["privacy"] = privacy
    optimal = p.get("optimal")
    lattice = _section(p, "lattice")

    headline: list[Markup] = []
    if privacy:
        headline.append(Markup("The released table satisfies <strong>{}</strong>.").format(
            "; ".join(f"{r['name']} ({r['params']})" if r["params"] else r["name"] for r in privacy)))
    su_b, su_a = _num(_get(before, "sample_uniques")), _num(_get(after, "sample_uniques"))
    if su_b is not None and su_a is not None:
        headline.append(Markup("Records unique on their quasi-identifiers: <strong>{}</strong> before, <strong>{}</strong> after.").format(
            fmt_pct(su_b), fmt_pct(su_a)))
    hb, ha = _num(_get(before, "prosecutor", "highest_risk")), _num(_get(after, "prosecutor", "highest_risk"))
    if hb is not None and ha is not None:
        headline.append(Markup("Highest re-identification risk of any record: <strong>{}</strong> before, <strong>{}</strong> after.").format(
            fmt_risk(hb), fmt_risk(ha)))
    sup = _num(p.get("suppressed"))
    if sup is not None:
        share = f" ({fmt_pct(sup / records)})" if records else ""
        headline.append(Markup("<strong>{}</strong> records{} were suppressed (all their quasi-identifiers replaced by *).").format(
            fmt_count(sup), share))
    if isinstance(optimal, bool):
        headline.append(Markup("The transformation is <strong>proven optimal</strong> for the chosen metric.") if optimal
                        else Markup("The transformation is the best one found by a heuristic search; it is <strong>not proven optimal</strong>."))
    v["headline"] = headline

    summary = []
    if records is not None:
        summary.append(("Records", fmt_count(records)))
    quasi_identifiers = _names(_get(after, "quasi_identifiers")) or _names(_get(before, "quasi_identifiers")) or _names(p.get("quasi_identifiers"))
    if quasi_identifiers:
        summary.append(("Quasi-identifiers", ", ".join(quasi_identifiers)))
    src = _source_name(p.get("source")) or _source_name(_get(before, "source"))
    if src:
        summary.insert(0, ("Data", src))
    idents = _names(p.get("identifiers"))
    if idents:
        summary.append(("Identifiers (dropped; their values are never shown)", ", ".join(idents)))
    if isinstance(p.get("metric"), str):
        summary.append(("Utility metric", p["metric"]))
    if "loss" in p:
        summary.append(("Information loss", fmt_number(p["loss"])))
    if sup is not None:
        summary.append(("Suppressed records", fmt_count(sup)))
    ec = p.get("equivalence_classes")
    if _num(ec) is not None:
        summary.append(("Equivalence classes in the output (suppressed records not counted, as in ARX)"
                        if sup else "Equivalence classes in the output", fmt_count(ec)))
    elif isinstance(ec, Mapping) and "count" in ec:
        summary.append(("Equivalence classes in the output", fmt_count(ec["count"])))
    escaping = escaping_row(p)
    if escaping:
        summary.append(escaping)
    v["summary"] = summary
    v["compare"] = compare_view(before, after)

    lpa = p.get("loss_per_attribute")
    if isinstance(lpa, Mapping):
        pairs = _numbered(lpa, quasi_identifiers, banned)
        if pairs:
            as_share = all(0 <= x <= 1 for _, x in pairs)
            v["loss_chart"] = charts.bar_chart(
                [k for k, _ in pairs],
                [x for _, x in pairs],
                title="Information loss per attribute",
                x_label="loss (0 = original values, 1 = fully suppressed)" if as_share else "loss",
                y_label="attribute",
                horizontal=True,
                value_format=fmt_pct if as_share else fmt_number,
                tick_format=_pct_axis if as_share else fmt_number,
                max_value=1.0 if as_share else None,
                colors=[charts.PALETTE[2]] * len(pairs),
            )

    lrows = []
    if "size" in lattice:
        lrows.append(("Transformations in the lattice", fmt_count(lattice["size"])))
    checked = lattice.get("checked", p.get("nodes_checked"))
    if checked is not None:
        lrows.append(("Checked", fmt_count(checked)))
    if "pruned" in lattice:
        lrows.append(("Pruned by monotonicity (never evaluated)", fmt_count(lattice["pruned"])))
    opt = _levels_text(lattice.get("optimum")) if "optimum" in lattice else None
    if opt:
        lrows.append(("Optimum (generalization levels)", opt))
    if isinstance(optimal, bool):
        lrows.append(("Proven optimal", "yes" if optimal else "no (heuristic search)"))
    v["lattice_rows"] = lrows

    trans = p.get("transformation")
    examples = _section(p, "examples")
    grows = []
    if isinstance(trans, Mapping):
        for attr, level in trans.items():
            if not _is_quasi_identifier(attr, quasi_identifiers, banned):
                continue
            grows.append({"attribute": str(attr), "level": fmt_count(level), "example": _examples_text(examples.get(attr))})
    v["generalization_rows"] = grows
    v["after"] = assess_view(after, banned)
    v["before"] = assess_view(before, banned)
    return v
