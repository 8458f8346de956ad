"""Server-rendered SVG charts: accessible (title, description, text labels), phone-sized.

Pure functions returning SVG markup; every text is escaped. Each chart also comes with the
same figures as an HTML table on the page, for screen readers and for copying.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

WIDTH = 340
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 172
LABEL_CHARS = 25  # about what fits in LABEL_WIDTH at 11 px
COLORS = ("#0b5c8a", "#1e7b3c", "#9a5b00", "#6b3fa0", "#b42318")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _fmt(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int | float


def _fmt_value(value: int | float, unit: str) -> str:
    text = f"{value:.1f}".replace(".", ",") if isinstance(value, float) else _fmt(value)
    return text + unit


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    chart_id: str,
    scale: float | None = None,
    unit: str = "",
) -> str:
    """Horizontal bars (a funnel when the bars are stages in order), labels left, values right.

    Bars are drawn against ``scale`` (e.g. 100 for percentages), else against the largest.
    A chart is kept for the next call with the same figures (dashboards redraw the same ones
    until a step is recorded)."""
    key = tuple((bar.label, bar.value, type(bar.value)) for bar in bars)
    return _bar_chart(key, title, description, chart_id, scale, unit)


@functools.lru_cache(maxsize=256)
def _bar_chart(
    key: tuple[tuple[str, int | float, type], ...],
    title: str,
    description: str,
    chart_id: str,
    scale: float | None,
    unit: str,
) -> str:
    bars = [Bar(label, value) for label, value, _ in key]
    top = scale or max((b.value for b in bars), default=0) or 1
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    span = WIDTH - LABEL_WIDTH - 48
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{_e(chart_id)}-t {_e(chart_id)}-d">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        f'<desc id="{_e(chart_id)}-d">{_e(description)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        shown = _fmt_value(bar.value, unit)
        width = round(span * bar.value / top) if bar.value else 0
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" font-size="11">'
            f"{_e(_short(bar.label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(width, 1)}" height="{BAR_HEIGHT}" '
            f'fill="{COLORS[0]}"><title>{_e(bar.label)}: {shown}</title></rect>'
            f'<text x="{LABEL_WIDTH + max(width, 1) + 4}" y="{y + 15}" font-size="11">'
            f"{shown}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    points: Sequence[tuple[date, int]]


def line_chart(series: Sequence[Series], *, title: str, description: str, chart_id: str) -> str:
    """Lines over dates (progress over time) with a legend and the first/last dates on the axis."""
    height, left, right, top_pad, bottom = 200, 36, 10, 10, 44
    dates = sorted({d for s in series for d, _ in s.points})
    top = max((v for s in series for _, v in s.points), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{_e(chart_id)}-t {_e(chart_id)}-d">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        f'<desc id="{_e(chart_id)}-d">{_e(description)}</desc>',
    ]
    plot_w = WIDTH - left - right
    plot_h = height - top_pad - bottom
    parts.append(
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{WIDTH - right}" y2="{top_pad + plot_h}" '
        'stroke="#aab3c2"/>'
        f'<text x="{left - 4}" y="{top_pad + 8}" text-anchor="end" font-size="10">'
        f"{_fmt(top)}</text>"
        f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end" font-size="10">0</text>'
    )
    if dates:
        first, last = dates[0], dates[-1]
        span_days = max((last - first).days, 1)
        parts.append(
            f'<text x="{left}" y="{top_pad + plot_h + 14}" font-size="10">{_e(first.isoformat())}'
            f'</text><text x="{WIDTH - right}" y="{top_pad + plot_h + 14}" text-anchor="end" '
            f'font-size="10">{_e(last.isoformat())}</text>'
        )
        for i, s in enumerate(series):
            color = COLORS[i % len(COLORS)]
            coords = [
                (
                    left + plot_w * (d - first).days / span_days,
                    top_pad + plot_h - plot_h * v / top,
                )
                for d, v in sorted(s.points)
            ]
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>'
            )
            parts.extend(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>' for x, y in coords
            )
            legend_x = left + (i % 2) * 150
            legend_y = height - 16 + (i // 2) * 12 - (12 if len(series) > 2 else 0)
            parts.append(
                f'<rect x="{legend_x}" y="{legend_y - 8}" width="10" height="10" fill="{color}"/>'
                f'<text x="{legend_x + 14}" y="{legend_y + 1}" font-size="10">{_e(s.label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
