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

Results (the JSON results of the commands)
------------------------------------------
``render`` takes a command's typed result (:mod:`unlinkable.results`) or its ``to_dict()``, and
hands the figures to the command's view (``report/views/``), which pre-formats them for its
template; shared formatting is in :mod:`unlinkable.report.format`.

``assess``
    :class:`~unlinkable.results.AssessmentResult` (``views/assess.py``), plus ``source``
    ({"path": ...} or a string), ``sensitive`` and ``identifiers``.
``anonymize``
    :class:`~unlinkable.results.AnonymizationResult` (``views/anonymize.py``): ``risk_before`` /
    ``risk_after`` (assess figures), ``transformation``, ``metric``, ``loss``, ``loss_per_attribute``,
    ``suppressed``, ``optimal``, ``nodes_checked``, ``lattice`` {size, checked, pruned, optimum},
    ``examples`` {attribute: [generalized labels]}, ``models`` and ``guarantees``, ``records``.
``exposure``
    :class:`~unlinkable.results.ExposureResult` (``views/exposure.py``): ``release_records``,
    ``auxiliary_records``, ``unique_link_share``, ``expected_reidentifications``,
    ``candidates_histogram`` ([[candidates, records], ...], a {candidates: records} dict or a list
    indexed by candidate count), ``reverse_unique_share``, ``true_reidentification_rate``,
    ``unique_link_precision``, ``what_if``, ``copula``, ``auxiliary_name``.
``traces``
    a trajectory job's figures (``views/traces.py``): ``attacks`` or ``risk`` {before, after},
    ``unicity``, ``curve``, the release's ``model``/``resolution``/``points``, and ``map`` /
    ``map_after`` (aggregated cell counts).
``sdc``
    :class:`~unlinkable.results.SdcResult` (``views/sdc.py``): ``steps`` [{method (or name), params,
    summary}], ``risk_before`` / ``risk_after`` (assess figures), ``utility`` (or ``numeric_utility``)
    {il1s, il1, eigen, drisk, mean_change {attribute: relative change}, correlation_change}, ``records``.

Every key is optional: a section whose figures are missing is left out, and an estimator reported
as null is shown as "not available" (never as 0).
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from unlinkable.errors import ConfigError
from unlinkable.report.format import NOT_AVAILABLE, _get, _names, fmt_number, fmt_pct
from unlinkable.report.views.anonymize import anonymize_view
from unlinkable.report.views.assess import assess_view
from unlinkable.report.views.exposure import exposure_view
from unlinkable.report.views.sdc import sdc_view
from unlinkable.report.views.shared import released_view
from unlinkable.report.views.traces import traces_view
from unlinkable.results import AnonymizationResult, AssessmentResult, CommandResult, ExposureResult, SdcResult

#: fmt_number and fmt_pct are re-exported: callers format a figure as the report does
__all__ = ["KINDS", "fmt_number", "fmt_pct", "render", "write_report"]

KINDS = ("assess", "anonymize", "exposure", "sdc", "traces")

_TITLES = {
    "assess": "Re-identification risk assessment",
    "anonymize": "Anonymization report",
    "exposure": "Linkage exposure report",
    "sdc": "Statistical disclosure control report",
    "traces": "Location traces: re-identification risk",
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




# ----------------------------------------------------------------------------- public


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("unlinkable")
    except Exception:  # noqa: BLE001 - an uninstalled checkout still renders
        return "dev"


def render(kind: str, payload: CommandResult | Mapping[str, Any], *, generated_at: str | None = None) -> str:
    """Render a self-contained HTML report of one job.

    Parameters
    ----------
    kind : {"assess", "anonymize", "exposure", "sdc"}
        Which job produced ``payload``.
    payload : AssessmentResult, AnonymizationResult, ExposureResult, SdcResult or mapping
        The job's result, or its JSON figures (see the module docstring); every key is optional.
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
    if isinstance(payload, (AssessmentResult, AnonymizationResult, ExposureResult, SdcResult)):
        payload = payload.to_dict()
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
        view = assess_view(payload, banned) or {}
    elif kind == "anonymize":
        view = anonymize_view(payload, banned)
    elif kind == "exposure":
        view = exposure_view(payload, banned)
    elif kind == "traces":
        view = traces_view(payload, banned)
    else:
        view = sdc_view(payload, banned)
    if kind in ("anonymize", "sdc"):
        view["released"] = released_view(payload, banned)
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


def write_report(path: str | os.PathLike[str], kind: str, payload: CommandResult | Mapping[str, Any]) -> Path:
    """Render a report and write it atomically (nothing is left behind if rendering fails).

    Parameters
    ----------
    path : str or path-like
        Output file (``.html``) in a folder that exists.
    kind : {"assess", "anonymize", "exposure", "sdc"}
        Which job produced ``payload``.
    payload : AssessmentResult, AnonymizationResult, ExposureResult, SdcResult or mapping
        The job's result, or its JSON figures.

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
