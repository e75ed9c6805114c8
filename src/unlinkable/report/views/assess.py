"""The view of ``unlinkable assess``: an :class:`~unlinkable.results.AssessmentResult`'s figures,
pre-formatted for ``templates/assess.html`` (also the before and after of the other reports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from unlinkable.report import charts
from unlinkable.report.format import (
    NOT_AVAILABLE,
    _generic_rows,
    _get,
    _is_quasi_identifier,
    _names,
    _num,
    _numbered,
    _pct_axis,
    _section,
    _share_count,
    _source_name,
    fmt_count,
    fmt_number,
    fmt_pct,
    fmt_risk,
)
from unlinkable.report.verdict import verdict

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


def _uniqueness_view(entries: Any, quasi_identifiers: list[str], banned: frozenset[str]) -> dict[str, Any] | None:
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        return None
    items = []
    for e in entries:
        attrs = _names(_get(e, "attributes"))
        share = _num(_get(e, "sample_uniques"))
        if attrs and share is not None and all(_is_quasi_identifier(x, quasi_identifiers, banned) for x in attrs):
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
    n_all = len(quasi_identifiers) if quasi_identifiers else max(len(a) for a, _ in items)
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


def assess_view(a: Any, banned: frozenset[str]) -> dict[str, Any] | None:
    """Everything the assess sections show, pre-formatted; None when ``a`` is not a dict."""
    if not isinstance(a, Mapping):
        return None
    banned = banned | frozenset(_names(a.get("identifiers")))
    records = _num(a.get("records"))
    quasi_identifiers = _names(a.get("quasi_identifiers"))
    v: dict[str, Any] = {"records": records}

    # What was analysed.
    analysed = []
    src = _source_name(a.get("source"))
    if src:
        analysed.append(("Data", src))
    if records is not None:
        analysed.append(("Records", fmt_count(records)))
    if quasi_identifiers:
        analysed.append(("Quasi-identifiers", ", ".join(quasi_identifiers)))
    sensitive_names = a.get("sensitive")
    if sensitive_names:
        analysed.append(("Sensitive attribute", ", ".join(_names(sensitive_names))))
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
    uniq = _uniqueness_view(a.get("uniqueness_by_attributes"), quasi_identifiers, banned)
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
                ("Suppressed records (every quasi-identifier *); the risk figures below treat them as one more class",
                 fmt_count(suppressed)),
            ] + [(label + " (the class of suppressed records included)", value)
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
            pairs = _numbered(contrib, quasi_identifiers, banned)
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
        sections: list[tuple[str | None, Any]] = [(str(k), x) for k, x in div.items() if str(k) not in banned]
    else:
        named = div.get("attribute")
        sections = [(named if isinstance(named, str) else None, div)]
    out = []
    for attribute, figures in sections:
        rows = []
        for key, label, fmt in _DIVERSITY_LABELS:
            if key in figures:
                rows.append((label, fmt(figures[key])))
        known = {k for k, _, _ in _DIVERSITY_LABELS} | {"attribute"}
        rows += _generic_rows({k: x for k, x in figures.items() if k not in known}, banned)
        if rows:
            out.append({"attribute": attribute, "rows": rows})
    return out
