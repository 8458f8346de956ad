"""Line charts of percentages over periods (trends), server-side SVG, phone-sized.

Pure: labels and values in, SVG markup out; every text escaped. Gaps (None) break the line.
The same figures are shown in a table on the page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 340, 210
LEFT, RIGHT, TOP, BOTTOM = 34, 12, 12, 52
COLORS = ("#0b5c8a", "#9a5b00", "#1e7b3c", "#6b3fa0", "#b42318")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    values: Sequence[float | None]  # 0–100, one per period


def percent_chart(
    labels: Sequence[str], lines: Sequence[Line], *, title: str, description: str, chart_id: str
) -> str:
    """Lines on a 0–100 % axis, one point per period, first and last period labelled."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * max(0.0, min(v, 100.0)) / 100

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{_e(chart_id)}-t {_e(chart_id)}-d" font-family="sans-serif">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        f'<desc id="{_e(chart_id)}-d">{_e(description)}</desc>',
    ]
    for tick in (0, 50, 100):
        out.append(
            f'<line x1="{LEFT}" y1="{y(tick):.1f}" x2="{WIDTH - RIGHT}" y2="{y(tick):.1f}" '
            f'stroke="#dde3ea"/><text x="{LEFT - 4}" y="{y(tick) + 3:.1f}" text-anchor="end" '
            f'font-size="10">{tick}%</text>'
        )
    if labels:
        out.append(
            f'<text x="{LEFT}" y="{TOP + plot_h + 14}" font-size="10">{_e(labels[0])}</text>'
            f'<text x="{WIDTH - RIGHT}" y="{TOP + plot_h + 14}" text-anchor="end" '
            f'font-size="10">{_e(labels[-1])}</text>'
        )
    for index, line in enumerate(lines):
        color = COLORS[index % len(COLORS)]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(line.values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((x(i), y(value)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                out.append(
                    f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>'
                )
            out.extend(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{color}"/>' for px, py in run
            )
        ly = HEIGHT - 26 + (index // 2) * 13
        lx = LEFT + (index % 2) * 150
        out.append(
            f'<rect x="{lx}" y="{ly - 8}" width="10" height="10" fill="{color}"/>'
            f'<text x="{lx + 14}" y="{ly + 1}" font-size="10">{_e(line.label[:26])}</text>'
        )
    out.append("</svg>")
    return "".join(out)
