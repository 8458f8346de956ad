"""The monitor's pictures of a dashboard: the choropleth map and the league table.

Both read the dashboard's figures (``services.dashboard``: same scope rule, same numbers) and
add a colouring: legend classes for the map, the admin's thresholds for the league table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.monitoring import maps, services
from perdes.monitoring.figures import Figures
from perdes.monitoring.indicators import Indicator, Legend, indicator, legend_for
from perdes.regions.models import LEVEL_LABELS, RegionLevel

# The map drawn for a dashboard: its level's regions (a kecamatan shows itself).
MAP_LEVEL: dict[RegionLevel | None, RegionLevel] = {
    None: RegionLevel.PROVINSI,
    RegionLevel.PROVINSI: RegionLevel.KABUPATEN,
    RegionLevel.KABUPATEN: RegionLevel.KECAMATAN,
    RegionLevel.KECAMATAN: RegionLevel.KECAMATAN,
}


@dataclass(frozen=True, slots=True)
class MapRow:
    figures: Figures
    value: float | None
    fill: str
    class_label: str


@dataclass(frozen=True, slots=True)
class MapView:
    board: services.Dashboard
    indicator: Indicator
    legend: Legend
    svg: str | None  # None: no boundaries for this map
    rows: list[MapRow]
    missing: list[Figures]  # regions with figures but without geometry
    level: RegionLevel


def map_view(
    session: Session,
    *,
    actor: Principal,
    store: maps.GeoStore,
    code: str | None,
    indicator_key: str,
    link: Callable[[str], str],
    today: date | None = None,
) -> MapView:
    """The map of ``code`` (None: Indonesia) coloured by the indicator, with its table.

    ``link`` gives a region's dashboard URL (the web layer builds the URLs).
    """
    board = services.dashboard(session, actor=actor, code=code, today=today)
    level = board.region.level if board.region else None
    map_level = MAP_LEVEL[level]
    shown = [board.total] if level is RegionLevel.KECAMATAN else board.children
    ind = indicator(indicator_key)
    legend = legend_for(ind, [ind.value(f) for f in shown])
    rows = []
    for f in shown:
        cls = legend.classify(ind.value(f))
        rows.append(MapRow(f, ind.value(f), cls.fill, cls.label))
    frame = store.frame(map_level, board.region.code if board.region else None)
    areas = {f.code: maps.Area(f.code, f.name, ind.value(f), link(f.code)) for f in shown}
    place = board.total.name
    svg = None
    if frame.paths:
        svg = maps.choropleth(
            frame,
            areas,
            indicator=ind,
            legend=legend,
            title=f"Peta {place}: {ind.label}",
            description=(
                f"Peta {LEVEL_LABELS[map_level].lower()} di {place}, diwarnai menurut "
                f"{ind.label.lower()}. Angka yang sama ada pada tabel di samping peta."
            ),
            map_id="peta",
        )
    drawn = {p.code for p in frame.paths}
    return MapView(
        board=board,
        indicator=ind,
        legend=legend,
        svg=svg,
        rows=rows,
        missing=[f for f in shown if f.code not in drawn],
        level=map_level,
    )
