"""Register figures for monitors: counts per region, never a person, small counts suppressed.

Above the kecamatan the figures are sums of ``RegisterDistrictFigure`` rows (exact); a
kecamatan's villages come from ``RegisterVillageFigure`` and pass through
``suppression.suppress_rows``, whose column totals equal the kecamatan total shown beside
them. Pages, exports and the API all take their cells from ``region_table``, so the rule
holds everywhere. There is no way to ask for a person: the monitor's queries read only the
count tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.errors import NotFound
from perdes.monitoring.services import is_partial, resolve_region
from perdes.regions.models import LEVEL_LABELS, Region, RegionLevel
from perdes.register.figures import PARTS, RegisterDistrictFigure, RegisterVillageFigure
from perdes.register.suppression import THRESHOLD, Cell, share, suppress_rows

# column, Indonesian header: what a monitor sees, in order
SHOWN: tuple[tuple[str, str], ...] = (
    ("consultations", "Konsultasi"),
    ("departures", "Keberangkatan"),
    ("departures_verified", "Keberangkatan dengan dokumen terverifikasi"),
    ("departures_procedural", "Keberangkatan prosedural"),
    ("returns", "Kepulangan"),
    ("open_cases", "Kasus terbuka"),
)
COLUMNS = tuple(c for c, _ in SHOWN)
SHARE_HEADER = "Persentase prosedural"
NATIONAL = "Indonesia"
CHILD: dict[RegionLevel | None, RegionLevel] = {
    None: RegionLevel.PROVINSI,
    RegionLevel.PROVINSI: RegionLevel.KABUPATEN,
    RegionLevel.KABUPATEN: RegionLevel.KECAMATAN,
    RegionLevel.KECAMATAN: RegionLevel.DESA,
}


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One region's register counts as the reader may see them."""

    code: str
    name: str
    cells: dict[str, Cell]

    @property
    def procedural_share(self) -> int | None:
        return share(self.cells["departures_procedural"], self.cells["departures"])

    def share_label(self) -> str:
        value = self.procedural_share
        return "–" if value is None else f"{value}%"


@dataclass(frozen=True, slots=True)
class FigureTable:
    """A region's total and its children's rows (villages suppressed below the kecamatan)."""

    code: str | None
    name: str
    level_label: str
    child_level: RegionLevel
    total: FigureRow
    rows: list[FigureRow]
    suppressed: bool
    partial: bool


def region_table(session: Session, *, actor: Principal, code: str | None) -> FigureTable:
    """Register figures of ``code`` (None: Indonesia) and its children inside the scope.

    Raises OutOfScope without ``monitoring.view``; NotFound for a region out of reach or a
    village (a single village's counts are not shown on their own).
    """
    region = resolve_region(session, actor=actor, code=code)
    if region is not None and region.level is RegionLevel.DESA:
        raise NotFound("Wilayah tidak ditemukan.")
    level = region.level if region else None
    child_level = CHILD[level]
    scope = actor.scope.region_clause()
    partial = is_partial(actor, region)
    if child_level is RegionLevel.DESA:
        assert region is not None
        raw = _village_counts(session, district=region.code, scope=scope)
        rows = _suppressed(raw)
        totals = _sum(raw.values())
        total_cells = {c: Cell(v) for c, v in totals.items()}
        if partial:  # a part of a kecamatan is a village-level figure: suppress it too
            total_cells = {c: Cell(None if v < THRESHOLD else v) for c, v in totals.items()}
    else:
        raw = _grouped_district_counts(session, region=region, child=child_level, scope=scope)
        rows = {code: {c: Cell(v) for c, v in counts.items()} for code, counts in raw.items()}
        total_cells = {c: Cell(v) for c, v in _sum(raw.values()).items()}
    names = _names(session, list(rows))
    return FigureTable(
        code=region.code if region else None,
        name=region.name if region else NATIONAL,
        level_label=LEVEL_LABELS[region.level] if region else "Nasional",
        child_level=child_level,
        total=FigureRow(
            region.code if region else "", region.name if region else NATIONAL, total_cells
        ),
        rows=[FigureRow(code, names.get(code, code), rows[code]) for code in sorted(rows)],
        suppressed=child_level is RegionLevel.DESA,
        partial=partial,
    )


def _sum(rows: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total = dict.fromkeys(COLUMNS, 0)
    for row in rows:
        for column in COLUMNS:
            total[column] += row[column]
    return total


def _village_counts(
    session: Session, *, district: str, scope: ColumnElement[bool]
) -> dict[str, dict[str, int]]:
    stmt = (
        select(
            RegisterVillageFigure.village_code,
            *(getattr(RegisterVillageFigure, c) for c in COLUMNS),
        )
        .join(Region, Region.code == RegisterVillageFigure.village_code)
        .where(RegisterVillageFigure.district_code == district, scope)
    )
    return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in session.execute(stmt)}


def _suppressed(raw: dict[str, dict[str, int]]) -> dict[str, dict[str, Cell]]:
    codes = sorted(raw)
    cells = suppress_rows([raw[c] for c in codes], columns=COLUMNS, parts=_shown_parts())
    return dict(zip(codes, cells, strict=True))


def _shown_parts() -> dict[str, str]:
    return {part: whole for part, whole in PARTS.items() if part in COLUMNS}


def _grouped_district_counts(
    session: Session, *, region: Region | None, child: RegionLevel, scope: ColumnElement[bool]
) -> dict[str, dict[str, int]]:
    group = {
        RegionLevel.PROVINSI: Region.province_code,
        RegionLevel.KABUPATEN: Region.regency_code,
        RegionLevel.KECAMATAN: Region.code,
    }[child]
    where: list[ColumnElement[bool]] = [Region.level == RegionLevel.KECAMATAN, scope]
    if region is not None:
        parent = {
            RegionLevel.PROVINSI: Region.province_code,
            RegionLevel.KABUPATEN: Region.regency_code,
        }[region.level]
        where.append(parent == region.code)
    stmt = (
        select(group, *(func.sum(getattr(RegisterDistrictFigure, c)) for c in COLUMNS))
        .join(Region, Region.code == RegisterDistrictFigure.district_code)
        .where(*where)
        .group_by(group)
    )
    return {
        str(row[0]): {c: int(v or 0) for c, v in zip(COLUMNS, row[1:], strict=True)}
        for row in session.execute(stmt)
        if row[0]
    }


def _names(session: Session, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = session.execute(select(Region.code, Region.name).where(Region.code.in_(codes)))
    return {code: name for code, name in rows}


HEADER: tuple[str, ...] = ("Kode", "Wilayah", *(h for _, h in SHOWN), SHARE_HEADER)


def export_rows(table: FigureTable) -> list[list[object]]:
    """The table as exported: the children, then the total; hidden cells read "< 5"."""
    out: list[list[object]] = []
    for row in [*table.rows, table.total]:
        share_value = row.procedural_share
        out.append(
            [
                row.code or "",
                row.name if row is not table.total else f"Jumlah {table.name}",
                *(row.cells[c].json() for c in COLUMNS),
                "" if share_value is None else share_value,
            ]
        )
    return out
