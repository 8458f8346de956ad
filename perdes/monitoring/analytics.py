"""The monitor's pictures of a dashboard: the choropleth map and the league table.

Both read the dashboard's figures (``services.dashboard``: same scope rule, same numbers) and
add a colouring: legend classes for the map, the admin's thresholds for the league table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import Conflict, ValidationFailed
from perdes.monitoring import maps, services, trends
from perdes.monitoring.figures import Figures
from perdes.monitoring.indicators import Indicator, Legend, indicator, legend_for
from perdes.monitoring.models import LeagueThreshold
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
    board = services.dashboard(session, actor=actor, code=code, today=today, with_recent=False)
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


# --- League tables ---------------------------------------------------------------------------

LEAGUE_INDICATORS = ("diundangkan", "skor", "memenuhi")
DEFAULT_RED_BELOW = 25.0
DEFAULT_AMBER_BELOW = 60.0
RATING_LABELS = {"merah": "Merah", "kuning": "Kuning", "hijau": "Hijau"}


@dataclass(frozen=True, slots=True)
class Thresholds:
    indicator: str
    red_below: float
    amber_below: float
    version: int  # 0: the defaults, never saved

    def rating(self, value: float | None) -> str | None:
        if value is None:
            return None
        if value < self.red_below:
            return "merah"
        return "kuning" if value < self.amber_below else "hijau"


def thresholds(session: Session, indicator_key: str) -> Thresholds:
    row = session.get(LeagueThreshold, indicator_key)
    if row is None:
        return Thresholds(indicator_key, DEFAULT_RED_BELOW, DEFAULT_AMBER_BELOW, 0)
    return Thresholds(row.indicator, row.red_below, row.amber_below, row.version)


def all_thresholds(session: Session) -> list[Thresholds]:
    return [thresholds(session, key) for key in LEAGUE_INDICATORS]


def _percent(raw: str, field: str, errors: dict[str, str]) -> float:
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        errors[field] = "Isi angka 0 sampai 100."
        return 0.0
    if not (0 <= value <= 100) or value != value:
        errors[field] = "Isi angka 0 sampai 100."
    return value


def set_thresholds(
    session: Session,
    *,
    actor: Principal,
    indicator_key: str,
    red_below: str,
    amber_below: str,
    version: int,
) -> Thresholds:
    """Save the admin's thresholds; Conflict when someone saved them since ``version``."""
    actor.require("league.manage")
    if indicator_key not in LEAGUE_INDICATORS:
        raise ValidationFailed({"indikator": "Indikator tidak dikenal."})
    errors: dict[str, str] = {}
    red = _percent(red_below, "merah", errors)
    amber = _percent(amber_below, "kuning", errors)
    if not errors and red > amber:
        errors["kuning"] = "Batas kuning tidak boleh di bawah batas merah."
    if errors:
        raise ValidationFailed(errors)
    row = session.get(LeagueThreshold, indicator_key, with_for_update=True)
    current = row.version if row else 0
    if version != current:
        raise Conflict(
            "Ambang ini baru saja diubah orang lain. Muat ulang halaman untuk melihat nilainya."
        )
    before = (row.red_below, row.amber_below) if row else (DEFAULT_RED_BELOW, DEFAULT_AMBER_BELOW)
    if row is None:
        row = LeagueThreshold(indicator=indicator_key, version=0)
        session.add(row)
    row.red_below, row.amber_below = red, amber
    row.version = current + 1
    row.updated_at = utcnow()
    row.updated_by_id = actor.user_id
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="league_threshold",
        entity_id=indicator_key,
        action="update",
        changes={"red_below": (before[0], red), "amber_below": (before[1], amber)},
    )
    return thresholds(session, indicator_key)


@dataclass(frozen=True, slots=True)
class LeagueRow:
    rank: int
    figures: Figures
    value: float | None
    rating: str | None
    previous: float | None  # at the end of the previous period; None without desa/score

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 1)

    @property
    def arrow(self) -> str:
        change = self.change
        if change is None:
            return ""
        return "▲" if change > 0 else "▼" if change < 0 else "▬"


@dataclass(frozen=True, slots=True)
class League:
    board: services.Dashboard
    indicator: Indicator
    thresholds: Thresholds
    rows: list[LeagueRow]
    previous_on: date  # the date the arrows compare with (end of the previous month)


LEAGUE_SORTS = {
    "nilai": lambda r: (r.value is None, -(r.value or 0)),
    "nama": lambda r: (r.figures.name.lower(),),
    "perubahan": lambda r: (r.change is None, -(r.change or 0)),
    "menunggu": lambda r: (-r.figures.waiting,),
    "terlambat": lambda r: (-r.figures.overdue,),
}


def previous_period_end(today: date) -> date:
    """The last day of the month before ``today``'s."""
    return today.replace(day=1) - timedelta(days=1)


def league(
    session: Session,
    *,
    actor: Principal,
    code: str | None,
    indicator_key: str,
    sort: str = "nilai",
    descending: bool = False,
    today: date | None = None,
) -> League:
    """Child regions ranked by the indicator (best first), coloured by the admin's thresholds.

    Arrows compare with the end of the previous month, computed from history: the dated
    adoption record (share promulgated) or the replayed checklist history (score, qualified).
    """
    board = services.dashboard(session, actor=actor, code=code, today=today, with_recent=False)
    key = indicator_key if indicator_key in LEAGUE_INDICATORS else LEAGUE_INDICATORS[0]
    ind = indicator(key)
    limits = thresholds(session, key)
    previous_on = previous_period_end(board.today)
    region_code = board.region.code if board.region else None
    level = board.region.level if board.region else None
    previous: dict[str, float | None] = {}
    if key == "diundangkan":
        counts = trends.promulgated_by_date(
            session, scope=actor.scope, code=region_code, level=level, dates=[previous_on]
        )
        for f in board.children:
            done = counts.get(f.code, [0])[0]
            previous[f.code] = round(100 * done / f.desa, 1) if f.desa else None
    else:
        scores, passed = trends.checklist_by_date(
            session, scope=actor.scope, code=region_code, level=level, dates=[previous_on]
        )
        for f in board.children:
            if key == "skor":
                total, count = scores.get(f.code, [(0.0, 0)])[0]
                previous[f.code] = round(total / count, 1) if count else None
            else:
                done = passed.get(f.code, [0])[0]
                previous[f.code] = round(100 * done / f.desa, 1) if f.desa else None
    ranked = sorted(board.children, key=lambda f: (ind.value(f) is None, -(ind.value(f) or 0)))
    rows = []
    rank = 0
    last: float | None = None
    for position, f in enumerate(ranked, start=1):
        value = ind.value(f)
        if value != last:
            rank, last = position, value
        rows.append(LeagueRow(rank, f, value, limits.rating(value), previous.get(f.code)))
    if sort in LEAGUE_SORTS and sort != "nilai":
        rows.sort(key=LEAGUE_SORTS[sort])
    if descending:
        rows.reverse()
    return League(board, ind, limits, rows, previous_on)


LEAGUE_HEADER = (
    "Peringkat",
    "Kode",
    "Wilayah",
    "Desa",
    "Nilai",
    "Warna",
    "Nilai periode lalu",
    "Perubahan",
    "Menunggu verifikasi",
    "Langkah terlambat",
)


def league_cells(row: LeagueRow) -> tuple[object, ...]:
    return (
        row.rank,
        row.figures.code,
        row.figures.name,
        row.figures.desa,
        row.value,
        RATING_LABELS.get(row.rating or "", ""),
        row.previous,
        row.change,
        row.figures.waiting,
        row.figures.overdue,
    )
