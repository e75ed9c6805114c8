"""Small inline-SVG charts for the HTML report: no JavaScript, no fonts, no network.

Every chart is a self-contained ``<svg>`` element with a visible title, axis labels, an accessible
``<title>``/``<desc>`` pair (read by screen readers, shown as a tooltip) and a ``<title>`` on every bar
giving its exact value. All text is XML-escaped here, so attribute names such as ``<b>`` or ``a & b``
are safe; the functions return :class:`markupsafe.Markup` so the (autoescaping) templates embed
the SVG as is.

Charts are drawn in a fixed coordinate system (``viewBox``) and scale to the page width, so they print
and zoom cleanly. The same data always gives the same bytes (ids are derived from the content), which
keeps reports reproducible.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

__all__ = ["bar_chart", "grouped_bar_chart", "nice_ticks"]

# Colour-blind-safe palette (Okabe-Ito), dark enough for white text-free bars on white paper.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_CHAR_W = 6.6  # average glyph width in px at 12 px: enough to size label gutters without a font file


def _x(text: object) -> str:
    """XML-escape any text placed in the SVG (also quotes, for attributes)."""
    return escape(str(text), quote=True)


def _fmt_default(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.3g}"


def nice_ticks(maximum: float, *, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``maximum`` (steps of 1, 2 or 5 times a power of ten).

    Examples
    --------
    >>> nice_ticks(87)
    [0, 20, 40, 60, 80, 100]
    >>> nice_ticks(0)
    [0, 1]
    """
    if not maximum or maximum <= 0 or not math.isfinite(maximum):
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    ticks = []
    k = 0
    while True:
        t = k * step
        # Round away binary noise (0.30000000000000004) so labels stay short.
        t = float(f"{t:.12g}")
        ticks.append(int(t) if t == int(t) else t)
        if t >= maximum - 1e-12:
            break
        k += 1
    return ticks


def _chart_id(title: str, labels: Sequence[str], values: object) -> str:
    digest = hashlib.sha1(repr((title, list(labels), values)).encode("utf-8")).hexdigest()[:10]
    return f"chart-{digest}"


def _truncate(label: str, max_chars: int) -> str:
    return label if len(label) <= max_chars else label[: max_chars - 1] + "\u2026"


def _empty_chart(title: str, chart_id: str, width: int) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t" viewBox="0 0 {width} 70" '
        f'width="{width}" height="70" style="max-width:100%;height:auto" font-family="{_x(_FONT)}">'
        f'<title id="{chart_id}-t">{_x(title)}: no data</title>'
        f'<text x="0" y="18" font-size="14" font-weight="600" fill="#1a202c">{_x(title)}</text>'
        f'<text x="0" y="48" font-size="12" fill="#4a5568">No data to show.</text></svg>'
    )


def _finite(values: Sequence[float]) -> list[float]:
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            f = 0.0
        out.append(f if math.isfinite(f) else 0.0)
    return out


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    x_label: str,
    y_label: str,
    horizontal: bool = False,
    value_format: Callable[[float], str] | None = None,
    tick_format: Callable[[float], str] | None = None,
    colors: Sequence[str] | None = None,
    max_value: float | None = None,
    reference: tuple[float, str] | None = None,
    width: int = 860,
) -> Markup:
    """A bar chart as inline SVG.

    Parameters
    ----------
    labels : sequence of str
        One category label per bar (escaped here; long labels are shortened with an ellipsis on
        screen and kept whole in the bar's tooltip).
    values : sequence of float
        Bar lengths (non-finite values are drawn as 0).
    title, x_label, y_label : str
        Visible chart title and axis labels. ``x_label`` names the category axis of a vertical chart
        and the value axis of a horizontal one, i.e. always the horizontal axis.
    horizontal : bool, default False
        Horizontal bars (best for long attribute names) instead of columns.
    value_format : callable, optional
        Formats a value for the bar label and ticks (default: thousands separators).
    colors : sequence of str, optional
        One colour per bar (default: the first palette colour for all).
    max_value : float, optional
        Axis maximum (e.g. 1 for shares); default: the largest value, rounded up to a nice tick.
    reference : (float, str), optional
        A dashed reference line at a value with a label (e.g. the current unique-link share).
    tick_format : callable, optional
        Formats the axis ticks (default: ``value_format``).
    width : int, default 860
        Width of the coordinate system in px; the chart scales to the page.

    Returns
    -------
    markupsafe.Markup
        An ``<svg>`` element.

    Examples
    --------
    >>> svg = bar_chart(["a", "b"], [3, 5], title="Counts", x_label="letter", y_label="count")
    >>> svg.startswith("<svg") and "<title" in svg
    True

    Notes
    -----
    Plain SVG 1.1 shapes and text, so the report needs no chart library (issue 2 asks for a
    self-contained file that opens offline).
    """
    labels = [str(s) for s in labels]
    vals = _finite(values)
    fmt = value_format or _fmt_default
    tick_fmt = tick_format or fmt
    chart_id = _chart_id(title, labels, vals)
    if not labels:
        return _empty_chart(title, chart_id, width)
    colors = list(colors) if colors else [PALETTE[0]] * len(vals)
    top_val = max([max_value or 0.0, *vals, reference[0] if reference else 0.0])
    ticks = nice_ticks(top_val)
    axis_max = float(ticks[-1]) or 1.0
    desc = "; ".join(f"{lab}: {fmt(v)}" for lab, v in zip(labels, vals))
    parts: list[str] = []
    if horizontal:
        max_chars = 38
        gutter = min(max(len(_truncate(s, max_chars)) for s in labels) * _CHAR_W + 14, 270)
        right = 64  # room for the value printed after the longest bar
        row_h = 24
        plot_top = 40
        plot_h = row_h * len(labels)
        height = int(plot_top + plot_h + 52)
        plot_w = width - gutter - right
        scale = plot_w / axis_max
        for t in ticks:
            x = gutter + float(t) * scale
            parts.append(
                f'<line x1="{x:.1f}" y1="{plot_top}" x2="{x:.1f}" y2="{plot_top + plot_h}" stroke="#e2e8f0"/>'
                f'<text x="{x:.1f}" y="{plot_top + plot_h + 16}" font-size="11" text-anchor="middle" '
                f'fill="#4a5568">{_x(tick_fmt(float(t)))}</text>'
            )
        for i, (lab, v) in enumerate(zip(labels, vals)):
            y: float = plot_top + i * row_h
            w = max(v * scale, 0.0)
            color = colors[i % len(colors)]
            parts.append(
                f'<text x="{gutter - 8}" y="{y + row_h / 2 + 4:.1f}" font-size="12" text-anchor="end" '
                f'fill="#1a202c">{_x(_truncate(lab, max_chars))}</text>'
                f'<rect class="bar" x="{gutter}" y="{y + 4}" width="{w:.2f}" height="{row_h - 8}" '
                f'fill="{_x(color)}"><title>{_x(lab)}: {_x(fmt(v))}</title></rect>'
                f'<text x="{gutter + w + 5:.1f}" y="{y + row_h / 2 + 4:.1f}" font-size="11" '
                f'fill="#2d3748">{_x(fmt(v))}</text>'
            )
        parts.append(
            f'<line x1="{gutter}" y1="{plot_top}" x2="{gutter}" y2="{plot_top + plot_h}" stroke="#4a5568"/>'
        )
        if reference is not None:
            x = gutter + _finite([reference[0]])[0] * scale
            parts.append(
                f'<line x1="{x:.1f}" y1="{plot_top - 6}" x2="{x:.1f}" y2="{plot_top + plot_h}" '
                f'stroke="#1a202c" stroke-dasharray="4 3"><title>{_x(reference[1])}</title></line>'
                f'<text x="{x + 4:.1f}" y="{plot_top - 8}" font-size="11" fill="#1a202c">{_x(reference[1])}</text>'
            )
        axis = (
            f'<text x="{gutter + plot_w / 2:.1f}" y="{height - 10}" font-size="12" text-anchor="middle" '
            f'fill="#2d3748">{_x(x_label)}</text>'
            f'<text x="4" y="{plot_top - 8}" font-size="11" fill="#4a5568">{_x(y_label)}</text>'
        )
    else:
        left = 64
        right = 12
        plot_top = 40
        plot_h = 200
        label_rot = len(labels) > 10 or max(len(s) for s in labels) * _CHAR_W > (width - left - right) / len(labels)
        bottom = 80 if label_rot else 50
        height = plot_top + plot_h + bottom
        plot_w = width - left - right
        slot = plot_w / len(labels)
        scale = plot_h / axis_max
        for t in ticks:
            y = plot_top + plot_h - float(t) * scale
            parts.append(
                f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e2e8f0"/>'
                f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
                f'fill="#4a5568">{_x(tick_fmt(float(t)))}</text>'
            )
        for i, (lab, v) in enumerate(zip(labels, vals)):
            h = max(v * scale, 0.0)
            x = left + i * slot + slot * 0.15
            bw = slot * 0.7
            cx = left + i * slot + slot / 2
            color = colors[i % len(colors)]
            parts.append(
                f'<rect class="bar" x="{x:.2f}" y="{plot_top + plot_h - h:.2f}" width="{bw:.2f}" '
                f'height="{h:.2f}" fill="{_x(color)}"><title>{_x(lab)}: {_x(fmt(v))}</title></rect>'
            )
            if len(labels) <= 16:
                parts.append(
                    f'<text x="{cx:.1f}" y="{plot_top + plot_h - h - 4:.1f}" font-size="10.5" '
                    f'text-anchor="middle" fill="#2d3748">{_x(fmt(v))}</text>'
                )
            ly = plot_top + plot_h + 15
            short = _truncate(lab, 14)
            if label_rot:
                parts.append(
                    f'<text x="{cx:.1f}" y="{ly:.1f}" font-size="11" text-anchor="end" fill="#1a202c" '
                    f'transform="rotate(-40 {cx:.1f} {ly:.1f})">{_x(short)}</text>'
                )
            else:
                parts.append(
                    f'<text x="{cx:.1f}" y="{ly:.1f}" font-size="11" text-anchor="middle" '
                    f'fill="#1a202c">{_x(short)}</text>'
                )
        parts.append(
            f'<line x1="{left}" y1="{plot_top + plot_h}" x2="{width - right}" y2="{plot_top + plot_h}" '
            f'stroke="#4a5568"/>'
        )
        if reference is not None:
            y = plot_top + plot_h - _finite([reference[0]])[0] * scale
            parts.append(
                f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#1a202c" '
                f'stroke-dasharray="4 3"><title>{_x(reference[1])}</title></line>'
            )
        axis = (
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" font-size="12" text-anchor="middle" '
            f'fill="#2d3748">{_x(x_label)}</text>'
            f'<text x="14" y="{plot_top + plot_h / 2:.1f}" font-size="12" text-anchor="middle" fill="#2d3748" '
            f'transform="rotate(-90 14 {plot_top + plot_h / 2:.1f})">{_x(y_label)}</text>'
        )
    return _wrap(chart_id, title, desc, width, height, "".join(parts) + axis)


def grouped_bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    value_format: Callable[[float], str] | None = None,
    tick_format: Callable[[float], str] | None = None,
    max_value: float | None = None,
    width: int = 860,
) -> Markup:
    """Horizontal bars grouped per category, one bar per series (e.g. before / after), with a legend.

    Parameters
    ----------
    labels : sequence of str
        Category labels (one group of bars each).
    series : sequence of (str, sequence of float)
        Series name and one value per label.
    title, x_label, y_label : str
        Visible title, value-axis label and category-axis label.
    value_format : callable, optional
        Formats values for labels and ticks.
    max_value : float, optional
        Axis maximum; default the largest value rounded up to a nice tick.
    tick_format : callable, optional
        Formats the axis ticks (default: ``value_format``).
    width : int, default 860
        Width of the coordinate system in px.

    Returns
    -------
    markupsafe.Markup

    Examples
    --------
    >>> svg = grouped_bar_chart(["risk"], [("before", [0.5]), ("after", [0.2])],
    ...                         title="Risk", x_label="share", y_label="measure")
    >>> svg.count('class="bar"')
    2
    """
    labels = [str(s) for s in labels]
    fmt = value_format or _fmt_default
    tick_fmt = tick_format or fmt
    data = [(str(name), _finite(vals)) for name, vals in series]
    chart_id = _chart_id(title, labels, data)
    if not labels or not data:
        return _empty_chart(title, chart_id, width)
    top_val = max([max_value or 0.0, *(v for _, vals in data for v in vals)])
    ticks = nice_ticks(top_val)
    axis_max = float(ticks[-1]) or 1.0
    max_chars = 38
    gutter = min(max(len(_truncate(s, max_chars)) for s in labels) * _CHAR_W + 14, 270)
    right = 64
    bar_h = 14
    band_h = bar_h * len(data) + 12
    plot_top = 52
    plot_h = band_h * len(labels)
    height = int(plot_top + plot_h + 52)
    plot_w = width - gutter - right
    scale = plot_w / axis_max
    parts: list[str] = []
    # Legend under the title.
    lx = gutter
    for s, (name, _) in enumerate(data):
        color = PALETTE[s % len(PALETTE)]
        parts.append(
            f'<rect x="{lx}" y="30" width="12" height="12" fill="{color}"/>'
            f'<text x="{lx + 16}" y="40" font-size="12" fill="#1a202c">{_x(name)}</text>'
        )
        lx += 16 + len(name) * _CHAR_W + 24
    for t in ticks:
        x = gutter + float(t) * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{plot_top}" x2="{x:.1f}" y2="{plot_top + plot_h}" stroke="#e2e8f0"/>'
            f'<text x="{x:.1f}" y="{plot_top + plot_h + 16}" font-size="11" text-anchor="middle" '
            f'fill="#4a5568">{_x(tick_fmt(float(t)))}</text>'
        )
    desc_parts = []
    for i, lab in enumerate(labels):
        gy = plot_top + i * band_h
        parts.append(
            f'<text x="{gutter - 8}" y="{gy + band_h / 2 + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="#1a202c">{_x(_truncate(lab, max_chars))}</text>'
        )
        for s, (name, vals) in enumerate(data):
            v = vals[i] if i < len(vals) else 0.0
            y = gy + 6 + s * bar_h
            w = max(v * scale, 0.0)
            color = PALETTE[s % len(PALETTE)]
            parts.append(
                f'<rect class="bar" x="{gutter}" y="{y}" width="{w:.2f}" height="{bar_h - 2}" fill="{color}">'
                f'<title>{_x(lab)}, {_x(name)}: {_x(fmt(v))}</title></rect>'
                f'<text x="{gutter + w + 5:.1f}" y="{y + bar_h - 4}" font-size="10.5" fill="#2d3748">'
                f'{_x(fmt(v))}</text>'
            )
            desc_parts.append(f"{lab} {name}: {fmt(v)}")
    parts.append(f'<line x1="{gutter}" y1="{plot_top}" x2="{gutter}" y2="{plot_top + plot_h}" stroke="#4a5568"/>')
    axis = (
        f'<text x="{gutter + plot_w / 2:.1f}" y="{height - 10}" font-size="12" text-anchor="middle" '
        f'fill="#2d3748">{_x(x_label)}</text>'
        f'<text x="4" y="{plot_top - 4}" font-size="11" fill="#4a5568">{_x(y_label)}</text>'
    )
    return _wrap(chart_id, title, "; ".join(desc_parts), width, height, "".join(parts) + axis)


def _wrap(chart_id: str, title: str, desc: str, width: int, height: int, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="max-width:100%;height:auto" font-family="{_x(_FONT)}">'
        f'<title id="{chart_id}-t">{_x(title)}</title><desc id="{chart_id}-d">{_x(desc)}</desc>'
        f'<text x="0" y="18" font-size="14" font-weight="600" fill="#1a202c">{_x(title)}</text>'
        f"{body}</svg>"
    )
