"""Per-kecamatan rollup of the dashboard figures (and its sums per kabupaten and provinsi), kept
in step with every write.

The national and provincial dashboards would otherwise aggregate 83,762 villages, their
adoptions and checklist totals on every request (about 75 ms of SQL on SQLite). Instead,
each kecamatan's figures are recomputed (a dozen villages) in the same transaction as the
change that moves them — an adoption step, a checklist total or a region import; the
derived-data pipeline (``perdes.pipeline``) calls ``refresh_many`` once per transaction with
every kecamatan touched — and dashboards above the kecamatan sum at most 7,285 rows.

The same call then recomputes each touched kabupaten's row (``area_rollup``) as the sum of its
kecamatan rows, and each touched provinsi's as the sum of its kabupaten rows, so the national
dashboard reads 38 rows and a provinsi's reads its kabupaten. Rows are locked level by level,
kecamatan first, each level in code order: a second transaction touching the same kabupaten
waits, then sums what the first committed, so every level equals a recomputation.

Overdue steps depend on the day: each row keeps its count of overdue steps for the day it was
computed (``overdue_on``, Western Indonesian Time). A row's recomputation counts for today,
and the daily job ``rollup-overdue`` (``refresh_overdue``, just after midnight WIB) recounts
every row for the new day. A dashboard sums the stored counts when every row it reads is of
today, and otherwise counts overdue steps live from the indexed deadline column, as before.
A kabupaten or provinsi row is of a day when all of the rows it sums are (else its day is
NULL).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Integer,
    String,
    delete,
    func,
    or_,
    select,
    update,
)
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


class RollupFigures:
    """The figures a rollup row keeps (desa only; kelurahan counted apart)."""

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


class DistrictRollup(RollupFigures, Base):
    """Dashboard figures of one kecamatan."""

    __tablename__ = "district_rollup"

    district_code: Mapped[str] = mapped_column(String(8), primary_key=True)


class AreaRollup(RollupFigures, Base):
    """Dashboard figures of one kabupaten (the sum of its kecamatan rows) or provinsi (the sum
    of its kabupaten rows), told apart by the length of the code."""

    __tablename__ = "area_rollup"

    code: Mapped[str] = mapped_column(String(5), primary_key=True, comment="kabupaten or provinsi")


# The columns a higher row sums from the rows below it.
SUMMED: tuple[str, ...] = (
    "desa",
    "kelurahan",
    *STAGE_COLUMNS.values(),
    "promulgated",
    "qualified",
    "waiting",
    "score_sum",
    "score_count",
    "overdue",
)


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
    _lock_rows(session, DistrictRollup.district_code, sorted(codes))
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


def _lock_rows(session: Session, key: Any, codes: list[str]) -> None:
    """Make each row (``key``: its table's code column) exist and lock it (in code order, so
    no deadlock) before its figures are read: two transactions touching one kecamatan (or
    kabupaten, provinsi) then take turns, and the second computes from what the first
    committed, so the rollup equals a recomputation. (SQLite has one writer at a time;
    ``FOR UPDATE`` is a no-op there.)"""
    table = key.class_
    stmt = _insert(session)(table).values(
        [{key.key: c, **_EMPTY, "updated_at": utcnow()} for c in codes]
    )
    session.execute(stmt.on_conflict_do_nothing(index_elements=[key]))
    session.execute(select(key).where(key.in_(codes)).order_by(key).with_for_update()).all()


def _children_of(key: Any, codes: Sequence[str]) -> ColumnElement[bool]:
    """Rows one level below these codes: ``33.06`` holds ``33.06.00`` to ``33.06.99`` (every
    code of a level has the same shape, so the range is exact and served by the key's index
    in any collation)."""
    return or_(*(key.between(f"{code}.00", f"{code}.99") for code in codes))


def refresh_areas(session: Session, codes: set[str]) -> None:
    """Recompute these kabupaten (``NN.NN``) or provinsi (``NN``) rows, all of one level, as
    the sums of the rows one level below (kecamatan rows, kabupaten rows)."""
    ordered = sorted(codes)
    if not ordered:
        return
    length = len(ordered[0])
    assert length in (2, 5) and all(len(c) == length for c in ordered)
    _lock_rows(session, AreaRollup.code, ordered)
    below = (
        DistrictRollup.district_code if length == 5 else AreaRollup.code
    )  # kabupaten sum kecamatan rows; provinsi, kabupaten rows
    table = below.class_
    key = func.substr(below, 1, length)
    found = session.execute(
        select(
            key,
            *(func.sum(getattr(table, column)) for column in SUMMED),
            func.count(),
            func.count(table.overdue_on),
            func.min(table.overdue_on),
            func.max(table.overdue_on),
        )
        .where(_children_of(below, ordered))
        .group_by(key)
    ).all()
    now = utcnow()
    rows: list[dict[str, object]] = []
    for code, *sums, n, dated, first, last in found:
        values: dict[str, object] = {"code": code, "updated_at": now}
        values.update((column, value or 0) for column, value in zip(SUMMED, sums, strict=True))
        # The overdue count is of a day only when every row summed is of that day.
        values["overdue_on"] = first if dated == n and first == last else None
        rows.append(values)
    gone = set(ordered) - {str(r["code"]) for r in rows}
    if gone:
        session.execute(delete(AreaRollup).where(AreaRollup.code.in_(gone)))
    if rows:
        stmt = _insert(session)(AreaRollup).values(rows)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[AreaRollup.code],
                set_={name: stmt.excluded[name] for name in rows[0] if name != "code"},
            )
        )


def refresh_many(session: Session, codes: set[str]) -> None:
    """Recompute these kecamatan, 500 at a time (a region import may touch thousands), then
    their kabupaten, then their provinsi (every lock of a level before the next level's)."""
    ordered = sorted(c for c in codes if c)
    for start in range(0, len(ordered), 500):
        refresh_districts(session, set(ordered[start : start + 500]))
    regencies = sorted({c[:5] for c in ordered if len(c) == 8})
    for start in range(0, len(regencies), 500):
        refresh_areas(session, set(regencies[start : start + 500]))
    refresh_areas(session, {c[:2] for c in regencies})


def rebuild(session: Session) -> int:
    """Recompute every kecamatan, kabupaten and provinsi row from scratch (the repair tool
    ``perdes monitoring rebuild``; idempotent); returns the count of kecamatan."""
    codes = {
        code
        for code in session.scalars(
            select(Region.district_code).where(Region.district_code.is_not(None)).distinct()
        )
        if code
    }
    session.execute(delete(DistrictRollup))
    session.execute(delete(AreaRollup))
    refresh_many(session, codes)
    return len(codes)


def refresh_overdue(session: Session, *, today: date | None = None) -> int:
    """Recount every row's overdue steps for ``today`` (the daily job); returns the rows.

    Every row is first marked as of today (which locks them all, so a concurrent
    recomputation of a kecamatan waits and then counts from what this committed), then the
    overdue steps are counted per kecamatan in one grouped query, then the kabupaten and
    provinsi rows are summed again."""
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
    regencies = sorted({code[:5] for code in known})
    for start in range(0, len(regencies), 500):
        refresh_areas(session, set(regencies[start : start + 500]))
    refresh_areas(session, {code[:2] for code in regencies})
    return int(getattr(marked, "rowcount", 0) or 0)
