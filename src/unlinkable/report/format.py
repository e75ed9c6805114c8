"""Shared formatting of the reports: numbers, shares, risks and counts in words, and safe reads of
a payload's figures (a missing or non-numeric figure is None, never 0).

Private to :mod:`unlinkable.report`; the views and :mod:`unlinkable.report.html` use it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

NOT_AVAILABLE = "not available"


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


def _numbered(figures: Mapping[Any, Any], quasi_identifiers: Any, banned: frozenset[str]) -> list[tuple[str, float]]:
    """(attribute, number) for every quasi-identifier of ``figures`` whose figure is a finite number."""
    return [(str(k), x) for k, x in ((k, _num(v)) for k, v in figures.items()) if x is not None and _is_quasi_identifier(k, quasi_identifiers, banned)]


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


def _is_quasi_identifier(name: Any, quasi_identifiers: Sequence[str], banned: frozenset[str]) -> bool:
    """May a per-attribute figure keyed by ``name`` be shown?

    Never for an identifier; otherwise only for a known quasi-identifier (any name when none are
    listed), because a key that is not an attribute's name could be anything, even a data value.
    """
    return str(name) not in banned and (not quasi_identifiers or str(name) in quasi_identifiers)


def _source_name(src: Any) -> str | None:
    if isinstance(src, str):
        return src
    if isinstance(src, Mapping):
        for key in ("path", "name"):
            name = src.get(key)
            if isinstance(name, str):
                return name
    return None
