"""The indicators a monitor colours a map or ranks a league table by, and their legend classes.

Pure: a figure is read from ``Figures``; classes are fixed for percentages (0–100) and derived
from the largest value for counts. Every value falls in exactly one class; ``None`` (no desa)
falls in the "no data" class.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from perdes.monitoring.figures import Figures


def qualified_share(f: Figures) -> float | None:
    return round(100 * f.qualified / f.desa, 1) if f.desa else None


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    label: str
    unit: str  # "%" for a share or score out of 100, "" for a count
    read: Callable[[Figures], float | None]
    higher_is_better: bool = True

    def value(self, f: Figures) -> float | None:
        return self.read(f)

    def format(self, value: float | None) -> str:
        if value is None:
            return "–"
        if self.unit == "%":
            return f"{value:.1f}".replace(".", ",") + " %"
        return f"{int(value):,}".replace(",", ".")


INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in (
        Indicator(
            "diundangkan",
            "Desa dengan Perdes diundangkan (%)",
            "%",
            lambda f: f.promulgated_share,
        ),
        Indicator("skor", "Rata-rata skor ceklis", "%", lambda f: f.mean_score),
        Indicator(
            "memenuhi",
            "Desa memenuhi butir wajib (%)",
            "%",
            qualified_share,
        ),
        Indicator(
            "terlambat",
            "Langkah terlambat (jumlah desa)",
            "",
            lambda f: float(f.overdue) if f.desa else None,
            higher_is_better=False,
        ),
    )
}
DEFAULT_INDICATOR = "diundangkan"


def indicator(key: str) -> Indicator:
    """The indicator named ``key``; the default one for an unknown key."""
    return INDICATORS.get(key, INDICATORS[DEFAULT_INDICATOR])


# Sequential palettes (ColorBrewer Blues and Reds, 5 classes), light to dark.
BLUES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
REDS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
NO_DATA = "#d9d9d9"
OUTSIDE = "#f4f4f4"


@dataclass(frozen=True, slots=True)
class LegendClass:
    """Values ``lower <= v < upper`` (the last class includes its upper bound)."""

    lower: float
    upper: float
    label: str
    fill: str


@dataclass(frozen=True, slots=True)
class Legend:
    classes: tuple[LegendClass, ...]
    no_data: LegendClass

    def classify(self, value: float | None) -> LegendClass:
        if value is None:
            return self.no_data
        for cls in self.classes[:-1]:
            if value < cls.upper:
                return cls
        return self.classes[-1]


def _pct(value: float) -> str:
    return f"{value:g}"


def legend_for(ind: Indicator, values: Sequence[float | None]) -> Legend:
    """Five classes: fixed 20-point steps for percentages, steps of the largest count else."""
    no_data = LegendClass(math.nan, math.nan, "Tidak ada data", NO_DATA)
    if ind.unit == "%":
        bounds = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        classes = tuple(
            LegendClass(
                lo,
                hi,
                f"{_pct(lo)}–<{_pct(hi)} %" if hi < 100 else f"{_pct(lo)}–{_pct(hi)} %",
                BLUES[i],
            )
            for i, (lo, hi) in enumerate(itertools.pairwise(bounds))
        )
        return Legend(classes, no_data)
    top = max((v for v in values if v is not None), default=0.0)
    step = max(1, math.ceil(top / 4))
    palette = REDS if not ind.higher_is_better else BLUES
    parts = [LegendClass(0, 1, "0", palette[0])]
    for i in range(4):
        lo, hi = 1 + i * step, 1 + (i + 1) * step
        label = f"{lo}" if step == 1 else f"{lo}–{hi - 1}"
        parts.append(LegendClass(lo, hi, label, palette[i + 1]))
    return Legend(tuple(parts), no_data)
