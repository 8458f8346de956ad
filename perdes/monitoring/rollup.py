"""Per-kecamatan rollup of the dashboard figures, kept in step with every write.

The national and provincial dashboards would otherwise aggregate 83,762 villages, their
adoptions and checklist totals on every request (about 75 ms of SQL on SQLite). Instead,
each kecamatan's figures are recomputed (a dozen villages) in the same transaction as the
change that moves them — an adoption step, a checklist total or a region import; the
derived-data pipeline (``perdes.pipeline``) calls ``refresh_many`` once per transaction with
every kecamatan touched — and dashboards above the kecamatan sum at most 7,285 rows.

Overdue steps depend on the day: each row keeps its count of overdue steps for the day it was
computed (``overdue_on``, Western Indonesian Time). A row's recomputation counts for today,
and the daily job ``rollup-overdue`` (``refresh_overdue``, just after midnight WIB) recounts
every row for the new day. A dashboard sums the stored counts when every row it reads is of
today, and otherwise counts overdue steps live from the indexed deadline column, as before.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, Integer, String, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from perdes.db import Base, UTCDateTime, utcnow
from perdes.regions.models import Region
from perdes.tracking.deadlines import local_today
from perdes.tracking.stages import STAGE_ORDER, Stage

STAGE_COLUMNS: dict[Stage, str] = {stage: f"n_{stage.value}" for stage in STAGE_ORDER}
_EMPTY: dict[str, object] = {
    "desa": 0,
    "kelurahan": 0,
    "promulgated": 0,
    "qualified": 0,
    "waiting": 0,
    "score_sum": 0.0,
    "score_count": 0,
    "overdue": 0,
    "overdue_on": None,
    **dict.fromkeys(STAGE_COLUMNS.values(), 0),
}


class DistrictRollup(Base):
    """Dashboard figures of one kecamatan (desa only; kelurahan counted apart)."""

    __tablename__ = "district_rollup"

    district_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    desa: Mapped[int] = mapped_column(Integer, default=0)
    kelurahan: Mapped[int] = mapped_column(Integer, default=0)
    n_direncanakan: Mapped[int] = mapped_column(Integer, default=0)
    n_penyusunan: Mapped[int] = mapped_column(Integer, default=0)
    n_konsultasi_masyarakat: Mapped[int] = mapped_column(Integer, default=0)
    n_diajukan_ke_bpd: Mapped[int] = mapped_column(Integer, default=0)
    n_pembahasan: Mapped[int] = mapped_column(Integer, default=0)
    n_disepakati: Mapped[int] = mapped_column(Integer, default=0)
    n_diserahkan_ke_kepala_desa: Mapped[int] = mapped_column(Integer, default=0)
    n_ditetapkan: Mapped[int] = mapped_column(Integer, default=0)
    n_diundangkan: Mapped[int] = mapped_column(Integer, default=0)
    n_dilaporkan: Mapped[int] = mapped_column(Integer, default=0)
    n_klarifikasi: Mapped[int] = mapped_column(Integer, default=0)
    n_disebarluaskan: Mapped[int] = mapped_column(Integer, default=0)
    promulgated: Mapped[int] = mapped_column(Integer, default=0)
    qualified: Mapped[int] = mapped_column(Integer, default=0)
    waiting: Mapped[int] = mapped_column(Integer, default=0)
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)
    score_count: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0, comment="overdue steps on overdue_on")
    overdue_on: Mapped[date | None] = mapped_column(
        Date, comment="the day (WIB) overdue was counted for; on another day it is counted live"
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _row_values(code: str, figures: object, today: date) -> dict[str, object]:
    from perdes.monitoring.figures import Figures

    assert isinstance(figures, Figures)
    values: dict[str, object] = {
        "district_code": code,
        "desa": figures.desa,
        "kelurahan": figures.kelurahan,
        "promulgated": figures.promulgated,
        "qualified": figures.qualified,
        "waiting": figures.waiting,
        "score_sum": figures.score_sum,
        "score_count": figures.score_count,
        "overdue": figures.overdue,
        "overdue_on": today,
        "updated_at": utcnow(),
    }
    for stage, column in STAGE_COLUMNS.items():
        values[column] = figures.stages[stage.value]
    return values


def refresh_districts(session: Session, codes: set[str]) -> None:
    """Recompute the rollup rows of these kecamatan from the villages' stored figures."""
    from perdes.monitoring.figures import grouped_figures

    codes = {c for c in codes if c}
    if not codes:
        return
    _lock_rows(session, sorted(codes))
    today = local_today()
    figures = grouped_figures(
        session,
        group=Region.district_code,
        where=[Region.district_code.in_(sorted(codes))],
        today=today,
    )
    rows = [_row_values(code, figures[code], today) for code in sorted(codes) if code in figures]
    gone = codes - {str(r["district_code"]) for r in rows}
    if gone:
        session.execute(delete(DistrictRollup).where(DistrictRollup.district_code.in_(gone)))
    if rows:
        stmt = _insert(session)(DistrictRollup).values(rows)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[DistrictRollup.district_code],
                set_={name: stmt.excluded[name] for name in rows[0] if name != "district_code"},
            )
        )


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _lock_rows(session: Session, codes: list[str]) -> None:
    """Make each kecamatan's row exist and lock it (in code order, so no deadlock) before its
    figures are read: two transactions touching one kecamatan then take turns, and the
    second computes from what the first committed, so the rollup equals a recomputation.
    (SQLite has one writer at a time; ``FOR UPDATE`` is a no-op there.)"""
    stmt = _insert(session)(DistrictRollup).values(
        [{"district_code": c, **_EMPTY, "updated_at": utcnow()} for c in codes]
    )
    session.execute(stmt.on_conflict_do_nothing(index_elements=[DistrictRollup.district_code]))
    session.execute(
        select(DistrictRollup.district_code)
        .where(DistrictRollup.district_code.in_(codes))
        .order_by(DistrictRollup.district_code)
        .with_for_update()
    ).all()


def refresh_many(session: Session, codes: set[str]) -> None:
    """Recompute these kecamatan, 500 at a time (a region import may touch thousands)."""
    ordered = sorted(c for c in codes if c)
    for start in range(0, len(ordered), 500):
        refresh_districts(session, set(ordered[start : start + 500]))


def rebuild(session: Session) -> int:
    """Recompute every kecamatan from scratch (the repair tool ``perdes monitoring rebuild``;
    idempotent); returns the count."""
    codes = {
        code
        for code in session.scalars(
            select(Region.district_code).where(Region.district_code.is_not(None)).distinct()
        )
        if code
    }
    session.execute(delete(DistrictRollup))
    refresh_many(session, codes)
    return len(codes)


def refresh_overdue(session: Session, *, today: date | None = None) -> int:
    """Recount every row's overdue steps for ``today`` (the daily job); returns the rows.

    Every row is first marked as of today (which locks them all, so a concurrent
    recomputation of a kecamatan waits and then counts from what this committed), then the
    overdue steps are counted per kecamatan in one grouped query."""
    from perdes.regions.codes import not_kelurahan_code
    from perdes.tracking import standing
    from perdes.tracking.models import Adoption

    today = today or local_today()
    marked = session.execute(update(DistrictRollup).values(overdue=0, overdue_on=today))
    district = func.substr(Adoption.village_code, 1, 8)
    counts = session.execute(
        select(district, func.count())
        .where(
            Adoption.next_deadline_on < today,
            not_kelurahan_code(Adoption.village_code),
            standing.is_latest(),
        )
        .group_by(district)
    ).all()
    known = set(session.scalars(select(DistrictRollup.district_code)))
    rows = [{"district_code": code, "overdue": n} for code, n in counts if code in known]
    if rows:
        session.execute(update(DistrictRollup), rows)
    return int(getattr(marked, "rowcount", 0) or 0)
