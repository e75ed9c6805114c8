"""Self-contained HTML reports for a data-protection officer: assess, anonymize, exposure, sdc.

A report is one HTML file that opens offline: inline CSS, charts as inline SVG (see
:mod:`unlinkable.report.charts`), no scripts, no fonts, no images, and a Content-Security-Policy that
forbids the browser from fetching anything. Templates live in ``report/templates/`` (package data)
and are rendered by jinja2 with autoescaping on.

What a report may show
----------------------
A report renders only the *figures* of the payload it is given: counts, fractions, codes, attribute
names, generalized values and the descriptions written by the privacy models. It never renders a
table row, and it drops every entry keyed by an identifier attribute (``payload["identifiers"]``)
before rendering, so an identifier's raw values cannot appear even if an upstream payload carries them
by mistake. Unknown keys are ignored.

Payloads (the JSON results of the commands)
-------------------------------------------
``assess``
    ``Assessment.to_dict()`` (issue 2), plus ``source`` ({"path": ...} or a string), ``sensitive`` and
    ``identifiers``.
``anonymize``
    ``Result.to_dict()`` (issue 3): ``risk_before`` / ``risk_after`` (assess dicts), ``transformation``,
    ``metric``, ``loss``, ``loss_per_attribute``, ``suppressed``, ``optimal``, ``nodes_checked``,
    ``lattice`` {size, checked, pruned, optimum}, ``examples`` {attribute: [generalized labels]},
    ``privacy`` [{name, params, description}], ``records``.
``exposure``
    The exposure result (issue 5): ``release_records``, ``auxiliary_records``, ``unique_link_share``,
    ``expected_reidentifications``, ``candidates_histogram`` ([[candidates, records], ...], a
    {candidates: records} dict or a list indexed by candidate count), ``reverse_unique_share``,
    ``true_reidentification_rate``, ``unique_link_precision``, ``what_if``, ``copula``,
    ``auxiliary_name``.
``sdc``
    The SDC pipeline result (issue 4): ``steps`` [{method (or name), params, summary}],
    ``risk_before`` / ``risk_after`` (assess dicts), ``utility`` (or ``numeric_utility``) {il1s, il1,
    eigen, drisk, mean_change {attribute: relative change}, correlation_change}, ``records``.

Every key is optional: a section whose figures are missing is left out, and an estimator reported
as null is shown as "not available" (never as 0).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from markupsafe import Markup

from unlinkable.errors import ConfigError
from unlinkable.report import charts
from unlinkable.report.verdict import verdict

__all__ = ["KINDS", "render", "write_report"]

KINDS = ("assess", "anonymize", "exposure", "sdc")
NOT_AVAILABLE = "not available"

_TITLES = {
    "assess": "Re-identification risk assessment",
    "anonymize": "Anonymization report",
    "exposure": "Linkage exposure report",
    "sdc": "Statistical disclosure control report",
}

_ENV: jinja2.Environment | None = None


def _env() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(
            loader=jinja2.PackageLoader("unlinkable.report", "templates"),
            autoescape=True,  # every template, whatever its name: payload text is never trusted
            undefined=jinja2.ChainableUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    return _ENV


# ----------------------------------------------------------------------------- value helpers


def _num(x: Any) -> float | None:
    """A finite number, or None (missing, null, NaN, text, bool)."""
    if x is None or isinstance(x, bool):
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, Mapping) or key not in d:
            return None
        d = d[key]
    return d


def _numbered(figures: Mapping[Any, Any], qis: Any, banned: frozenset[str]) -> list[tuple[str, float]]:
    """(attribute, number) for every quasi-identifier of ``figures`` whose figure is a finite number."""
    return [(str(k), x) for k, x in ((k, _num(v)) for k, v in figures.items()) if x is not None and _is_qi(k, qis, banned)]


def _section(d: Any, key: str) -> Mapping[str, Any]:
    """``d[key]`` when it is a mapping, else an empty one (a payload may lack any section)."""
    value = d.get(key) if isinstance(d, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _has(d: Any, *path: str) -> bool:
    for key in path:
        if not isinstance(d, Mapping) or key not in d:
            return False
        d = d[key]
    return True


#: below this magnitude a figure is floating-point round-off (sums of shares, differences of means)
ROUND_OFF = 1e-12


def _denoise(f: float) -> float:
    """0 for round-off noise such as 2.2e-16 (a figure of this size carries no information).

    Examples
    --------
    >>> _denoise(2.220446049250313e-16), _denoise(-1e-15), _denoise(1e-9)
    (0.0, 0.0, 1e-09)
    """
    return 0.0 if abs(f) < ROUND_OFF else f


def fmt_count(x: Any) -> str:
    """Whole number with thousands separators; "not available" for null.

    Examples
    --------
    >>> fmt_count(30162)
    '30,162'
    """
    f = _num(x)
    if f is None:
        return NOT_AVAILABLE
    if abs(f - round(f)) < 1e-9:
        return f"{int(round(f)):,}"
    return f"{f:,.1f}"


def fmt_pct(x: Any, digits: int = 1) -> str:
    """A fraction as a percentage; tiny non-zero shares keep two significant digits.

    Examples
    --------
    >>> fmt_pct(0.5142), fmt_pct(0.00034), fmt_pct(0.0), fmt_pct(1.9e-16), fmt_pct(3e-9), fmt_pct(None)
    ('51.4%', '0.034%', '0%', '0%', '≈0%', 'not available')
    """
    f = _num(x)
    if f is None:
        return NOT_AVAILABLE
    f = _denoise(f)
    p = f * 100
    if p == 0 or p == 100:
        return f"{p:.0f}%"  # exact: "0%", not "0.0%", says nothing was rounded away
    if abs(p) < 1e-4:
        return "\u22480%"  # below 1 in a million: floating-point noise or negligible
    if abs(p) < 10 ** (-digits):
        return f"{p:.2g}%"
    return f"{p:.{digits}f}%"


def fmt_number(x: Any, sig: int = 4) -> str:
    """A real number with ``sig`` significant digits (thousands separators for large values).

    Examples
    --------
    >>> fmt_number(0.123456), fmt_number(12345.678), fmt_number(8.93e-05), fmt_number(2.220446049250313e-16)
    ('0.1235', '12,346', '0.0000893', '0')
    """
    f = _num(x)
    if f is None:
        return NOT_AVAILABLE
    f = _denoise(f)
    if f == 0:
        return "0"
    if abs(f) >= 10 ** (sig - 1):
        return f"{f:,.0f}"
    # Positional, never scientific: a reader should not have to decode 8.93e-05.
    return np.format_float_positional(f, precision=sig, unique=False, fractional=False, trim="-")


def fmt_risk(x: Any) -> str:
    """A probability as a percentage and as "1 in N".

    Examples
    --------
    >>> fmt_risk(0.125), fmt_risk(1.0)
    ('12.5% (1 in 8)', '100%')
    """
    f = _num(x)
    if f is None:
        return NOT_AVAILABLE
    if f <= 0 or f > 0.5:
        return fmt_pct(f)  # "1 in 1.4" helps nobody; odds are shown from 1 in 2 down
    return f"{fmt_pct(f)} (1 in {fmt_count(round(1 / f))})"


def _signed_pct(x: Any) -> str:
    text = fmt_pct(x, 2)
    return "+" + text if (_num(x) or 0) > 0 and text[0].isdigit() else text


def _pct_axis(v: float) -> str:
    return fmt_pct(v, 0) if v * 100 == round(v * 100) else fmt_pct(v)


def _share_count(share: Any, total: Any) -> int | None:
    s, n = _num(share), _num(total)
    if s is None or n is None:
        return None
    return int(round(s * n))


def _names(x: Any) -> list[str]:
    if isinstance(x, str):
        return [x]
    if isinstance(x, Sequence):
        return [str(v) for v in x if isinstance(v, (str, int))]
    return []


def _humanize(key: str) -> str:
    special = {
        "t_closeness": "t-closeness",
        "l_diversity": "l-diversity",
        "il1s": "IL1s",
        "il1": "IL1",
        "drisk": "dRisk",
        "distinct_l": "Distinct l-diversity",
        "entropy_l": "Entropy l-diversity",
        "recursive_c_l": "Recursive (c,l)-diversity",
        "recursive": "Recursive (c,l)-diversity",
        "changed_cells": "Cells changed",
        "total_suppressed": "Cells suppressed in total",
        "suppressed": "Cells suppressed",
        "n_groups": "Groups formed",
        "changed": "Values changed",
        "new_nulls": "New missing values",
    }
    k = str(key)
    if k.lower() in special:
        return special[k.lower()]
    if len(k) <= 2:
        return k  # parameters such as k, l, c, t keep their case
    return k.replace("_", " ").replace("-", " ").strip().capitalize() or k


# Strings a generic section may show: parameter-like words, never data values.
_TEXT_KEYS = {"attribute", "variant", "distance", "model", "method", "measure", "action", "metric"}


def _generic_rows(d: Any, banned: frozenset[str], prefix: str = "", depth: int = 0) -> list[tuple[str, str]]:
    """Flatten a dict of figures into (label, value) rows: numbers, booleans and named parameters only.

    Entries keyed by an identifier attribute (``banned``) are skipped at every depth.
    """
    rows: list[tuple[str, str]] = []
    if not isinstance(d, Mapping) or depth > 3:
        return rows
    for key, value in d.items():
        if str(key) in banned:
            continue
        # Nested keys are usually attribute or parameter names: keep them verbatim.
        label = f"{prefix} \u203a {key}" if prefix else _humanize(key)
        if isinstance(value, bool):
            rows.append((label, "yes" if value else "no"))
        elif value is None:
            rows.append((label, NOT_AVAILABLE))
        elif _num(value) is not None and not isinstance(value, str):
            f = float(value)
            rows.append((label, fmt_count(f) if f == int(f) and abs(f) >= 1 else fmt_number(f)))
        elif isinstance(value, Mapping):
            rows.extend(_generic_rows(value, banned, label, depth + 1))
        elif isinstance(value, str) and str(key).lower() in _TEXT_KEYS and len(value) <= 80:
            rows.append((label, value))
        elif isinstance(value, Sequence) and not isinstance(value, str):
            nums = [_num(v) for v in value]
            if value and all(n is not None for n in nums) and len(nums) <= 12:
                rows.append((label, ", ".join(fmt_number(n) for n in nums)))
    return rows


def _is_qi(name: Any, qis: Sequence[str], banned: frozenset[str]) -> bool:
    """May a per-attribute figure keyed by ``name`` be shown?

    Never for an identifier; otherwise only for a known quasi-identifier (any name when none are
    listed), because a key that is not an attribute's name could be anything, even a data value.
    """
    return str(name) not in banned and (not qis or str(name) in qis)


# ----------------------------------------------------------------------------- assess


_SIZE_BUCKETS = ((1, 1), (2, 2), (3, 3), (4, 4), (5, 9), (10, 19), (20, 49), (50, 99), (100, None))


def _bucket_label(lo: int, hi: int | None) -> str:
    if hi is None:
        return f"{lo}+"
    return str(lo) if lo == hi else f"{lo}\u2013{hi}"


def _risk_label(lo: int, hi: int | None) -> str:
    if hi is None:
        return f"\u2264 {fmt_pct(1 / lo, 0)}"
    if lo == hi:
        return fmt_pct(1 / lo, 0)
    return f"{fmt_pct(1 / hi, 0)}\u2013{fmt_pct(1 / lo, 0)}"


def _class_size_view(hist: Any) -> dict[str, Any] | None:
    if not isinstance(hist, Sequence) or not hist:
        return None
    pairs = []
    for item in hist:
        if isinstance(item, Sequence) and len(item) >= 2:
            size, classes = _num(item[0]), _num(item[1])
            if size is not None and classes is not None and size >= 1:
                pairs.append((int(size), int(classes)))
    if not pairs:
        return None
    rows, labels, values, colors = [], [], [], []
    for lo, hi in _SIZE_BUCKETS:
        inside = [(s, c) for s, c in pairs if s >= lo and (hi is None or s <= hi)]
        if not inside:
            continue
        classes = sum(c for _, c in inside)
        records = sum(s * c for s, c in inside)
        label = _bucket_label(lo, hi)
        rows.append({"size": label, "classes": fmt_count(classes), "records": fmt_count(records), "risk": _risk_label(lo, hi)})
        labels.append(label)
        values.append(records)
        colors.append(charts.PALETTE[1] if lo == 1 else charts.PALETTE[4] if lo < 5 else charts.PALETTE[0])
    chart = charts.bar_chart(
        labels,
        values,
        title="Records by size of their equivalence class",
        x_label="records sharing the same quasi-identifier values (class size)",
        y_label="records",
        colors=colors,
    )
    return {"rows": rows, "chart": chart}


def _subset_label(attrs: Sequence[str]) -> str:
    return " + ".join(attrs)


def _uniqueness_view(entries: Any, qis: list[str], banned: frozenset[str]) -> dict[str, Any] | None:
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        return None
    items = []
    for e in entries:
        attrs = _names(_get(e, "attributes"))
        share = _num(_get(e, "sample_uniques"))
        if attrs and share is not None and all(_is_qi(x, qis, banned) for x in attrs):
            items.append((attrs, share))
    if not items:
        return None
    items.sort(key=lambda t: (-t[1], len(t[0]), t[0]))
    if items[0][1] <= 0:
        # A chart of empty bars says less than one sentence.
        return {"chart": None, "sentence": Markup("No subset of the quasi-identifiers makes any record unique."),
                "shown": 0, "total": len(items)}
    top = items[:15]
    chart = charts.bar_chart(
        [_subset_label(a) for a, _ in top],
        [s for _, s in top],
        title="Records unique on a subset of the quasi-identifiers",
        x_label="share of records that are unique on these attributes alone",
        y_label="attributes",
        horizontal=True,
        value_format=fmt_pct,
        tick_format=_pct_axis,
        colors=[charts.PALETTE[1]] * len(top),
    )
    # Headline: the smallest subset that already makes most of the records unique that the best
    # subset does; it tells the steward which few attributes to coarsen first.
    best = items[0][1]
    n_all = len(qis) if qis else max(len(a) for a, _ in items)
    sentence = None
    if best > 0:
        for size in sorted({len(a) for a, _ in items}):
            if size >= n_all and size > 1:
                break
            cand = [t for t in items if len(t[0]) == size]
            top_of_size = cand[0]
            if top_of_size[1] >= 0.8 * best:
                sentence = Markup("{} alone make <strong>{}</strong> of records unique.").format(
                    _subset_label(top_of_size[0]), fmt_pct(top_of_size[1], 0)
                )
                break
    return {"chart": chart, "sentence": sentence, "shown": len(top), "total": len(items)}


def _source_name(src: Any) -> str | None:
    if isinstance(src, str):
        return src
    if isinstance(src, Mapping):
        for key in ("path", "name"):
            name = src.get(key)
            if isinstance(name, str):
                return name
    return None


def _assess_view(a: Any, banned: frozenset[str]) -> dict[str, Any] | None:
    """Everything the assess sections show, pre-formatted; None when ``a`` is not a dict."""
    if not isinstance(a, Mapping):
        return None
    banned = banned | frozenset(_names(a.get("identifiers")))
    records = _num(a.get("records"))
    qis = _names(a.get("quasi_identifiers"))
    v: dict[str, Any] = {"records": records}

    # What was analysed.
    analysed = []
    src = _source_name(a.get("source"))
    if src:
        analysed.append(("Data", src))
    if records is not None:
        analysed.append(("Records", fmt_count(records)))
    if qis:
        analysed.append(("Quasi-identifiers", ", ".join(qis)))
    sens = a.get("sensitive")
    if sens:
        analysed.append(("Sensitive attribute", ", ".join(_names(sens))))
    idents = _names(a.get("identifiers"))
    if idents:
        analysed.append(("Identifiers (dropped; their values are never shown)", ", ".join(idents)))
    skipped = [c for c in _names(a.get("not_assessed")) if c not in banned]
    if skipped:
        analysed.append(("Not assessed (no role given, so in no figure)", ", ".join(skipped)))
    pu = a.get("population_uniques")
    pop = _num(_get(pu, "population_size"))
    frac = _num(_get(pu, "sampling_fraction"))
    if pop is not None or frac is not None:
        bits = []
        if pop is not None:
            bits.append(f"population of {fmt_count(pop)} people")
        if frac is not None:
            bits.append(f"sampling fraction {fmt_pct(frac, 2)}")
        analysed.append(("Population model", "; ".join(bits)))
    v["analysed"] = analysed

    # Headline in plain words.
    headline: list[Markup] = []
    su = _num(a.get("sample_uniques"))
    ec = _section(a, "equivalence_classes")
    if su is not None:
        n_unique = _share_count(su, records)
        if su > 0 and n_unique is not None:
            headline.append(
                Markup(
                    "<strong>{}</strong> of records are unique on their quasi-identifiers; an attacker who "
                    "knows them can single out <strong>{}</strong> of {} people."
                ).format(fmt_pct(su), fmt_count(n_unique), fmt_count(records))
            )
        elif su > 0:
            headline.append(Markup("<strong>{}</strong> of records are unique on their quasi-identifiers.").format(fmt_pct(su)))
        else:
            smallest = _num(ec.get("min_size"))
            text = "No record is unique on its quasi-identifiers."
            if smallest is not None:
                headline.append(
                    Markup("No record is unique on its quasi-identifiers: every record shares its values with at least "
                           "<strong>{}</strong> other(s) (k = {}).").format(fmt_count(smallest - 1), fmt_count(smallest))
                )
            else:
                headline.append(Markup(text))
    pros = _section(a, "prosecutor")
    if _num(pros.get("highest_risk")) is not None:
        parts = Markup("An attacker who knows a person is in the table can re-identify the most exposed record with "
                       "probability <strong>{}</strong>").format(fmt_risk(pros.get("highest_risk")))
        if _num(pros.get("average_risk")) is not None:
            parts += Markup("; the average record's risk is <strong>{}</strong>").format(fmt_risk(pros.get("average_risk")))
        if _num(pros.get("records_at_risk")) is not None and _num(pros.get("threshold")) is not None:
            parts += Markup(", and <strong>{}</strong> of records are above the {} threshold").format(
                fmt_pct(pros.get("records_at_risk")), fmt_pct(pros.get("threshold"), 0)
            )
        headline.append(parts + Markup("."))
    ir = _section(a, "individual_risk")
    if _num(ir.get("expected_reidentifications")) is not None:
        headline.append(
            Markup("sdcMicro's individual-risk model expects <strong>{}</strong> correct re-identifications "
                   "(global risk {}).").format(fmt_number(ir.get("expected_reidentifications")), fmt_pct(ir.get("global_risk")))
        )
    uniq = _uniqueness_view(a.get("uniqueness_by_attributes"), qis, banned)
    if uniq and uniq["sentence"] is not None:
        headline.append(uniq["sentence"])
    v["headline"] = headline
    v["uniqueness"] = uniq
    v["sample_uniques"] = fmt_pct(su) if su is not None else None

    # Equivalence classes.
    if ec:
        v["classes_rows"] = [
            (label, fmt(ec[key]))
            for key, label, fmt in (
                ("count", "Equivalence classes", fmt_count),
                ("min_size", "Smallest class (k)", fmt_count),
                ("mean_size", "Average class size", fmt_number),
                ("max_size", "Largest class", fmt_count),
            )
            if key in ec
        ]
        suppressed = _num(ec.get("suppressed_records"))
        if suppressed and _num(ec.get("count_excluding_suppressed")) is not None:
            # One class count everywhere: ARX's, which leaves the suppressed records out.
            v["classes_rows"] = [
                ("Equivalence classes (as ARX counts them: suppressed records are not a class)",
                 fmt_count(ec["count_excluding_suppressed"])),
                ("Suppressed records (every quasi-identifier *); the risk figures below treat them as one more group",
                 fmt_count(suppressed)),
            ] + [(label + " (the group of suppressed records included)", value)
                 for label, value in v["classes_rows"][1:]]
        v["class_sizes"] = _class_size_view(ec.get("size_histogram"))

    # Attacker models.
    jour = _section(a, "journalist")
    mark = a.get("marketer")
    attacker_rows = []
    for key, label, fmt in (
        ("highest_risk", "Highest risk of any record", fmt_risk),
        ("average_risk", "Average risk", fmt_risk),
        ("lowest_risk", "Lowest risk", fmt_risk),
        ("records_at_highest_risk", "Records at the highest risk", fmt_pct),
        ("records_at_risk", "Records above the threshold", fmt_pct),
    ):
        if key in pros or key in jour:
            attacker_rows.append(
                (label, fmt(pros[key]) if key in pros else "\u2014", fmt(jour[key]) if key in jour else "\u2014")
            )
    threshold = _num(pros.get("threshold"))
    v["attacker_rows"] = attacker_rows
    v["threshold"] = fmt_pct(threshold, 0) if threshold is not None else None
    marketer = _get(mark, "average_risk") if isinstance(mark, Mapping) else mark
    v["marketer"] = fmt_pct(marketer) if _num(marketer) is not None else None

    # Population uniqueness: a null estimator is "not available", never 0.
    if isinstance(pu, Mapping):
        prow = []
        for key, label in (("pitman", "Pitman"), ("zayatz", "Zayatz"), ("snb", "SNB (slide negative binomial)"), ("dankar", "Dankar")):
            if key in pu:
                value = _num(pu[key])
                prow.append(
                    {
                        "label": label,
                        "value": fmt_pct(value, 2) if value is not None else NOT_AVAILABLE,
                        "people": fmt_count(round(value * pop)) if value is not None and pop is not None else None,
                        "available": value is not None,
                    }
                )
        v["population_rows"] = prow
        model = pu.get("dankar_model")
        v["dankar_model"] = model if isinstance(model, str) and len(model) <= 40 else None
        v["population_size"] = fmt_count(pop) if pop is not None else None

    # sdcMicro individual risk.
    if ir:
        irows = []
        for key, label, fmt in (
            ("expected_reidentifications", "Expected re-identifications", fmt_number),
            ("global_risk", "Global risk (expected re-identifications / records)", fmt_pct),
            ("household_expected_reidentifications", "Expected re-identifications, household (hierarchical) risk", fmt_number),
        ):
            if key in ir and not (key.startswith("household") and ir[key] is None):
                irows.append((label, fmt(ir[key])))  # household risk exists only with a household column
        v["individual_rows"] = irows
        kv = ir.get("kanonymity_violations")
        if isinstance(kv, Mapping):
            krows = []
            for k in sorted(kv, key=lambda s: _num(s) or 0):
                n = _num(kv[k])
                share = fmt_pct(n / records) if n is not None and records else None
                krows.append({"k": str(k), "count": fmt_count(kv[k]), "share": share})
            v["kanonymity_rows"] = krows

    # SUDA2.
    suda = a.get("suda2")
    if isinstance(suda, Mapping):
        srows = []
        if "records_with_score" in suda:
            n = _num(suda["records_with_score"])
            extra = f" ({fmt_pct(n / records)})" if n is not None and records else ""
            srows.append(("Records with a special-uniqueness score > 0", fmt_count(n) + extra))
        if "max_score" in suda:
            srows.append(("Highest SUDA2 score", fmt_number(suda["max_score"])))
        v["suda_rows"] = srows
        contrib = suda.get("attribute_contributions")
        if isinstance(contrib, Mapping):
            pairs = _numbered(contrib, qis, banned)
            pairs.sort(key=lambda t: -t[1])
            if pairs and pairs[0][1] > 0:
                v["suda_total"] = f"{sum(x for _, x in pairs):.0f}%"
                v["suda_chart"] = charts.bar_chart(
                    [k for k, _ in pairs],
                    [x for _, x in pairs],
                    title="Share of the SUDA2 score in which each attribute takes part",
                    x_label="share of the total SUDA2 score from unique combinations that include the attribute (%)",
                    y_label="attribute",
                    horizontal=True,
                    value_format=lambda x: f"{x:.1f}%",
                    tick_format=lambda x: f"{x:g}%",
                    colors=[charts.PALETTE[3]] * len(pairs),
                )

    # Diversity / t-closeness of the sensitive attribute.
    v["diversity"] = _diversity_view(a.get("diversity"), banned)
    v["verdict"] = _verdict_view(a)
    v["what_to_do"] = _what_to_do_view(a, v["verdict"], banned)
    v["missing"] = _missing_view(a, ec, records, banned)
    return v


_LEVEL_WORDS = {"high": "High", "moderate": "Moderate", "low": "Low"}


def _verdict_view(a: Mapping[str, Any]) -> dict[str, Any] | None:
    """The plain-words verdict (see :mod:`unlinkable.report.verdict`) with the figures behind it."""
    result = verdict(a)
    if result is None:
        return None
    rows = [{"label": t.label, "value": fmt_risk(x) if t.key[0] == "prosecutor" else fmt_pct(x),
             "low": t.low_text, "high": t.high_text, "level": level, "source": t.source}
            for t, x, level in result.measures]
    reasons = [f"{t.label.lower()} {fmt_risk(x) if t.key[0] == 'prosecutor' else fmt_pct(x)} "
               f"(low if {t.low_text}, high if {t.high_text})" for t, x, _ in result.deciding]
    sentence = Markup("<strong>{} re-identification risk.</strong> {}.").format(
        _LEVEL_WORDS[result.level], "; ".join(reasons)[:1].upper() + "; ".join(reasons)[1:])
    return {"level": result.level, "sentence": sentence, "rows": rows}


def _what_to_do_view(a: Mapping[str, Any], judged: dict[str, Any] | None, banned: frozenset[str]) -> dict[str, Any] | None:
    """The single changes (drop or generalize one quasi-identifier) that lower the risk most."""
    effects = a.get("attribute_effects")
    su, avg = _num(a.get("sample_uniques")), _num(_get(a, "prosecutor", "average_risk"))
    if not isinstance(effects, Sequence) or isinstance(effects, str) or su is None or avg is None:
        return None
    items = []
    for e in effects:
        attr, action = _get(e, "attribute"), _get(e, "action")
        esu, eavg = _num(_get(e, "sample_uniques")), _num(_get(e, "average_risk"))
        if not isinstance(attr, str) or attr in banned or action not in ("drop", "generalize") or esu is None or eavg is None:
            continue
        if (esu, eavg) >= (su, avg):
            continue  # changes nothing: not advice
        verb = Markup("drop <strong>{}</strong>").format(attr) if action == "drop" else \
            Markup("generalize <strong>{}</strong> one level in its hierarchy").format(attr)
        items.append(Markup("{}: records unique fall from {} to <strong>{}</strong>, the average risk from {} to {}.").format(
            verb[:1].upper() + verb[1:], fmt_pct(su), fmt_pct(esu), fmt_pct(avg), fmt_pct(eavg)))
    level = judged["level"] if judged else None
    if level == "low":
        note = Markup("The risk is low against the thresholds below; no change is needed for them.")
    elif not items:
        note = Markup("No single attribute, dropped or generalized, lowers the risk.")
    else:
        best = next(e for e in effects if _get(e, "attribute") not in banned)
        note = None
        highest = _num(_get(best, "highest_risk"))
        if highest is not None and highest > 0.2:
            note = Markup("No single change is enough: after the best one some records are still in classes "
                          "smaller than 5. Anonymize with k-anonymity (k = 5, or 11 for a public release) to "
                          "generalize several attributes together and suppress the rest.")
    return {"changes": items[:3], "note": note} if items or note else None


def _missing_view(a: Mapping[str, Any], ec: Mapping[str, Any], records: float | None, banned: frozenset[str]) -> dict[str, Any] | None:
    """ARX's and sdcMicro's readings of missing values side by side."""
    kv = _get(a, "individual_risk", "kanonymity_violations")
    hist = ec.get("size_histogram") if isinstance(ec, Mapping) else None
    if not isinstance(kv, Mapping) or not isinstance(hist, Sequence):
        return None
    pairs = [(int(p[0]), int(p[1])) for p in hist if isinstance(p, Sequence) and len(p) >= 2
             and _num(p[0]) is not None and _num(p[1]) is not None]
    rows = []
    for k in sorted(kv, key=lambda x: _num(x) or 0):
        kk = _num(k)
        if kk is None:
            continue
        arx = sum(size * count for size, count in pairs if size < kk)
        label = "Records unique on their quasi-identifiers" if kk == 2 else f"Records in classes smaller than {fmt_count(kk)}"
        def share(x: float) -> str:
            return f" ({fmt_pct(x / records)})" if records else ""

        rows.append((label, fmt_count(arx) + share(arx), fmt_count(kv[k]) + share(_num(kv[k]) or 0)))
    if not rows:
        return None
    missing = a.get("missing_values")
    if isinstance(missing, Mapping):
        where = {str(q): int(_num(x) or 0) for q, x in missing.items() if str(q) not in banned and (_num(x) or 0) > 0}
        if not where:
            sentence = Markup("No quasi-identifier has a missing value, so both readings give the same figures.")
        else:
            sentence = Markup("The quasi-identifiers hold <strong>{}</strong> missing values ({}). ARX reads a missing value "
                              "as a value of its own, so a record with one groups only with records missing the same "
                              "value; sdcMicro reads it as a wildcard that matches any value, so such records join "
                              "larger groups and fewer look unique. sdcMicro's figures suit an attacker for whom a missing "
                              "value could hide anything; ARX's suit one who knows which values are missing, and are "
                              "the more cautious.").format(
                fmt_count(sum(where.values())), ", ".join(f"{q}: {fmt_count(x)}" for q, x in where.items()))
    else:
        sentence = Markup("ARX reads a missing value as a value of its own; sdcMicro reads it as a wildcard that "
                          "matches any value, so with missing values its figures are lower.")
    return {"rows": rows, "sentence": sentence}


_DIVERSITY_LABELS = (
    ("classes", "Equivalence classes", fmt_count),
    ("distinct_l", "Distinct l-diversity: fewest different values in any class", fmt_number),
    ("entropy_l", "Entropy l-diversity", fmt_number),
    ("recursive_c_l2", "Smallest c for which recursive (c,2)-diversity holds", fmt_number),
    ("t_equal", "t-closeness, equal ground distance (largest distance of any class)", fmt_number),
    ("t_ordered", "t-closeness, ordered ground distance", fmt_number),
    ("t_hierarchical", "t-closeness, hierarchical ground distance", fmt_number),
)


def _diversity_view(div: Any, banned: frozenset[str]) -> list[dict[str, Any]]:
    """One group of rows per sensitive attribute; accepts {attr: figures} or one flat figures dict."""
    if not isinstance(div, Mapping) or not div:
        return []
    if all(isinstance(x, Mapping) for x in div.values()) and not any(k in div for k, _, _ in _DIVERSITY_LABELS):
        groups: list[tuple[str | None, Any]] = [(str(k), x) for k, x in div.items() if str(k) not in banned]
    else:
        named = div.get("attribute")
        groups = [(named if isinstance(named, str) else None, div)]
    out = []
    for attribute, figures in groups:
        rows = []
        for key, label, fmt in _DIVERSITY_LABELS:
            if key in figures:
                rows.append((label, fmt(figures[key])))
        known = {k for k, _, _ in _DIVERSITY_LABELS} | {"attribute"}
        rows += _generic_rows({k: x for k, x in figures.items() if k not in known}, banned)
        if rows:
            out.append({"attribute": attribute, "rows": rows})
    return out


# ----------------------------------------------------------------------------- comparisons

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


def _compare_view(before: Any, after: Any) -> dict[str, Any] | None:
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


def _escaping_row(p: Mapping[str, Any]) -> tuple[str, str] | None:
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


# ----------------------------------------------------------------------------- anonymize


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


def _anonymize_view(p: Mapping[str, Any], banned: frozenset[str]) -> dict[str, Any]:
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
    qis = _names(_get(after, "quasi_identifiers")) or _names(_get(before, "quasi_identifiers")) or _names(p.get("quasi_identifiers"))
    if qis:
        summary.append(("Quasi-identifiers", ", ".join(qis)))
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
    escaping = _escaping_row(p)
    if escaping:
        summary.append(escaping)
    v["summary"] = summary
    v["compare"] = _compare_view(before, after)

    lpa = p.get("loss_per_attribute")
    if isinstance(lpa, Mapping):
        pairs = _numbered(lpa, qis, banned)
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
            if not _is_qi(attr, qis, banned):
                continue
            grows.append({"attribute": str(attr), "level": fmt_count(level), "example": _examples_text(examples.get(attr))})
    v["generalization_rows"] = grows
    v["after"] = _assess_view(after, banned)
    v["before"] = _assess_view(before, banned)
    return v


# ----------------------------------------------------------------------------- exposure

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


def _exposure_view(p: Mapping[str, Any], banned: frozenset[str]) -> dict[str, Any]:
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


# ----------------------------------------------------------------------------- sdc

_STEP_META = {"summary", "params", "parameters", "method", "name", "step", "runtime_s"}


def _released_view(p: Mapping[str, Any], banned: frozenset[str]) -> dict[str, Any] | None:
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


def _sdc_view(p: Mapping[str, Any], banned: frozenset[str]) -> dict[str, Any]:
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
    v["compare"] = _compare_view(before, after)

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
    v["after"] = _assess_view(after, banned)
    v["before"] = _assess_view(before, banned)
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
    escaping = _escaping_row(p)
    if escaping:
        v["summary"].append(escaping)
    return v


# ----------------------------------------------------------------------------- public


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("unlinkable")
    except Exception:  # noqa: BLE001 - an uninstalled checkout still renders
        return "dev"


def render(kind: str, payload: Mapping[str, Any], *, generated_at: str | None = None) -> str:
    """Render a self-contained HTML report of one job.

    Parameters
    ----------
    kind : {"assess", "anonymize", "exposure", "sdc"}
        Which job produced ``payload``.
    payload : mapping
        The job's JSON result (see the module docstring); every key is optional.
    generated_at : str, optional
        Timestamp printed in the header (default: now, UTC, to the minute). Pass a fixed value for
        byte-reproducible reports.

    Returns
    -------
    str
        A complete HTML document: inline CSS and SVG, no scripts, no external resources.

    Raises
    ------
    ConfigError
        Unknown ``kind`` or a payload that is not a mapping.

    Examples
    --------
    >>> html = render("assess", {"records": 4, "sample_uniques": 0.5, "quasi_identifiers": ["age"]})
    >>> "2</strong> of 4 people" in html
    True

    Notes
    -----
    The figures come from ARX (Prasser et al., 2014), sdcMicro (Templ, Kowarik and Meindl, 2015) and
    the papers cited in each report's *Method* section. Entries keyed by an identifier attribute are
    dropped before rendering, so a report never shows an identifier's values.
    """
    if kind not in KINDS:
        raise ConfigError(f"unknown report kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
    if not isinstance(payload, Mapping):
        raise ConfigError(
            f"the report payload must be a dict of figures; got {type(payload).__name__}",
            hint="pass the job result's to_dict()",
        )
    # Identifier attributes: anything keyed by their names is left out of every section.
    banned = frozenset(_names(payload.get("identifiers")))
    for nested in ("risk_before", "risk_after"):
        banned |= frozenset(_names(_get(payload, nested, "identifiers")))
    if kind == "assess":
        view = _assess_view(payload, banned) or {}
    elif kind == "anonymize":
        view = _anonymize_view(payload, banned)
    elif kind == "exposure":
        view = _exposure_view(payload, banned)
    else:
        view = _sdc_view(payload, banned)
    if kind in ("anonymize", "sdc"):
        view["released"] = _released_view(payload, banned)
    if generated_at is None:
        generated_at = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    template = _env().get_template(f"{kind}.html")
    return template.render(
        kind=kind,
        title=_TITLES[kind],
        v=view,
        generated_at=generated_at,
        version=_version(),
        not_available=NOT_AVAILABLE,
    )


def write_report(path: str | os.PathLike[str], kind: str, payload: Mapping[str, Any]) -> Path:
    """Render a report and write it atomically (nothing is left behind if rendering fails).

    Parameters
    ----------
    path : str or path-like
        Output file (``.html``) in a folder that exists.
    kind : {"assess", "anonymize", "exposure", "sdc"}
        Which job produced ``payload``.
    payload : mapping
        The job's JSON result.

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_report(pathlib.Path(tempfile.mkdtemp()) / "r.html", "exposure",
    ...                    {"release_records": 10, "unique_link_share": 0.2})
    >>> "2</strong> of 10 records" in out.read_text()
    True

    Notes
    -----
    Written through :func:`unlinkable.data.io.atomic_write_text` (temporary file, then rename).
    """
    from unlinkable.data.io import atomic_write_text

    html = render(kind, payload)  # render first: a failure must not create the file
    return atomic_write_text(path, html)
