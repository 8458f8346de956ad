"""Counts from the register, kept in step with every write through the derived-data pipeline.

Any flush that adds, changes or deletes a register row publishes ``Change.REGISTER`` with the
person's village (``track_register_writes``, installed by ``perdes.pipeline``), so no service
can forget. Before the commit the pipeline recomputes those villages' ``RegisterVillageFigure``
rows, their kecamatan's ``RegisterDistrictFigure`` row (dashboards above the kecamatan sum at
most 7,285 rows, never the persons), and — for a village that keeps a register — the PMI
counts of its profile (``Change.VILLAGE_PROFILE`` then moves the checklist's derived items). Counts
only: no name, NIK or address ever reaches these tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from perdes import events
from perdes.accounts.principal import Principal
from perdes.db import Base, UTCDateTime, utcnow
from perdes.events import Change
from perdes.regions.models import VillageProfile
from perdes.regions.services import new_profile
from perdes.register.basis import REQUIRED_DOCUMENTS
from perdes.register.models import (
    Case,
    CaseStatus,
    Consultation,
    Departure,
    DocumentCheck,
    DocumentStatus,
    Empowerment,
    FamilyLetter,
    PmiPerson,
    Return,
)
from perdes.register.suppression import primary

COUNT_COLUMNS = (
    "persons",
    "consultations",
    "departures",
    "departures_verified",
    "departures_procedural",
    "returns",
    "open_cases",
    "abroad",
    "returned_home",
)
# part -> whole: a part shown beside its whole would give the remainder away
PARTS = {"departures_verified": "departures", "departures_procedural": "departures"}
EPISODES = (Consultation, DocumentCheck, FamilyLetter, Departure, Return, Case, Empowerment)


def _count() -> Mapped[int]:
    return mapped_column(Integer, default=0)


class RegisterVillageFigure(Base):
    """The register's counts of one village (no personal data), recomputed on every change."""

    __tablename__ = "register_village_figure"

    village_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="CASCADE"), primary_key=True
    )
    district_code: Mapped[str] = mapped_column(String(8), index=True)
    persons: Mapped[int] = _count()
    consultations: Mapped[int] = _count()
    departures: Mapped[int] = _count()
    departures_verified: Mapped[int] = mapped_column(
        Integer, default=0, comment="departures whose channel's documents were all checked"
    )
    departures_procedural: Mapped[int] = _count()
    returns: Mapped[int] = _count()
    open_cases: Mapped[int] = _count()
    abroad: Mapped[int] = mapped_column(
        Integer, default=0, comment="persons whose last departure has no later return"
    )
    returned_home: Mapped[int] = mapped_column(
        Integer, default=0, comment="persons back home after their last departure (PMI purna)"
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegisterDistrictFigure(Base):
    """The register's counts of one kecamatan: the sum of its villages' rows."""

    __tablename__ = "register_district_figure"

    district_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    villages: Mapped[int] = mapped_column(Integer, default=0, comment="villages keeping one")
    persons: Mapped[int] = _count()
    consultations: Mapped[int] = _count()
    departures: Mapped[int] = _count()
    departures_verified: Mapped[int] = _count()
    departures_procedural: Mapped[int] = _count()
    returns: Mapped[int] = _count()
    open_cases: Mapped[int] = _count()
    abroad: Mapped[int] = _count()
    returned_home: Mapped[int] = _count()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def track_register_writes(session: Session, _context: object, _instances: object) -> None:
    """``before_flush``: publish ``Change.REGISTER`` for the village of every register write."""
    codes: set[str] = set()
    touched = [*session.new, *session.dirty, *session.deleted]
    with session.no_autoflush:
        for obj in touched:
            if isinstance(obj, PmiPerson):
                codes.add(obj.village_code)
                history = _history(obj, "village_code")
                codes.update(str(c) for c in history if c)
            elif isinstance(obj, EPISODES):
                person = obj.__dict__.get("person") or session.get(PmiPerson, obj.person_id)
                if person is not None:
                    codes.add(person.village_code)
    codes.discard("")
    if codes:
        events.publish(session, Change.REGISTER, *codes)


def _history(obj: object, attribute: str) -> list[object]:
    from sqlalchemy import inspect

    state = inspect(obj).attrs[attribute].history
    return [*state.deleted]


def _verified_expression() -> ColumnElement[int]:
    """1 when the departure's person has every document of its channel checked "sesuai"."""
    whens = []
    for channel, kinds in REQUIRED_DOCUMENTS.items():
        checked = (
            select(func.count())
            .where(
                DocumentCheck.person_id == Departure.person_id,
                DocumentCheck.status == DocumentStatus.SESUAI,
                DocumentCheck.kind.in_(kinds),
            )
            .scalar_subquery()
        )
        whens.append((and_(Departure.channel == channel, checked >= len(kinds)), 1))
    return case(*whens, else_=0)


def compute_villages(session: Session, codes: Iterable[str]) -> dict[str, dict[str, int]]:
    """The counts of these villages, straight from the register (villages without one: 0)."""
    wanted = sorted(set(codes))
    result: dict[str, dict[str, int]] = {code: dict.fromkeys(COUNT_COLUMNS, 0) for code in wanted}
    if not wanted:
        return result
    village = PmiPerson.village_code
    in_villages = village.in_(wanted)

    def add(column: str, stmt: Any) -> None:
        for code, value in session.execute(stmt):
            result[code][column] = int(value or 0)

    add("persons", select(village, func.count()).where(in_villages).group_by(village))
    for column, model in (("consultations", Consultation), ("returns", Return)):
        add(
            column,
            select(village, func.count())
            .join(model, model.person_id == PmiPerson.id)
            .where(in_villages)
            .group_by(village),
        )
    add(
        "open_cases",
        select(village, func.count())
        .join(Case, Case.person_id == PmiPerson.id)
        .where(in_villages, Case.status != CaseStatus.SELESAI)
        .group_by(village),
    )
    departures = session.execute(
        select(
            village,
            func.count(),
            func.sum(case((Departure.procedural, 1), else_=0)),
            func.sum(_verified_expression()),
        )
        .join(Departure, Departure.person_id == PmiPerson.id)
        .where(in_villages)
        .group_by(village)
    )
    for code, total, procedural, verified in departures:
        result[code].update(
            departures=int(total),
            departures_procedural=int(procedural or 0),
            departures_verified=int(verified or 0),
        )
    # only these villages' persons: a national aggregation per write would cost a second
    last_out = (
        select(Departure.person_id, func.max(Departure.departed_on).label("on"))
        .join(PmiPerson, PmiPerson.id == Departure.person_id)
        .where(in_villages)
        .group_by(Departure.person_id)
        .subquery()
    )
    last_back = (
        select(Return.person_id, func.max(Return.returned_on).label("on"))
        .join(PmiPerson, PmiPerson.id == Return.person_id)
        .where(in_villages)
        .group_by(Return.person_id)
        .subquery()
    )
    away = and_(
        last_out.c.on.is_not(None), or_(last_back.c.on.is_(None), last_back.c.on < last_out.c.on)
    )
    home = and_(
        last_back.c.on.is_not(None), or_(last_out.c.on.is_(None), last_back.c.on >= last_out.c.on)
    )
    for code, abroad, returned in session.execute(
        select(
            village,
            func.sum(case((away, 1), else_=0)),
            func.sum(case((home, 1), else_=0)),
        )
        .outerjoin(last_out, last_out.c.person_id == PmiPerson.id)
        .outerjoin(last_back, last_back.c.person_id == PmiPerson.id)
        .where(in_villages)
        .group_by(village)
    ):
        result[code].update(abroad=int(abroad or 0), returned_home=int(returned or 0))
    return result


def refresh_villages(session: Session, codes: Iterable[str]) -> set[str]:
    """Recompute these villages' rows, their kecamatan rows and the profiles' PMI counts.

    Returns the villages whose profile counts moved (the caller publishes ``PROFILE``).
    The kecamatan rows are locked first, so two transactions writing in one kecamatan take
    turns and the second counts what the first committed (no lost update).
    """
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return set()
    _lock_districts(session, sorted({c[:8] for c in wanted}))
    computed = compute_villages(session, wanted)
    existing = {
        row.village_code: row
        for row in session.scalars(
            select(RegisterVillageFigure).where(
                RegisterVillageFigure.village_code.in_(list(computed))
            )
        )
    }
    for code, counts in computed.items():
        row = existing.get(code)
        if counts["persons"] == 0:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = RegisterVillageFigure(village_code=code, district_code=code[:8])
            session.add(row)
        if any(getattr(row, column) != value for column, value in counts.items()):
            # "Updated" means the register's figures moved: a recount that finds the same
            # figures (e.g. after a threshold change re-judged the village) keeps the date
            # the "dimutakhirkan dalam N hari" facts read.
            for column, value in counts.items():
                setattr(row, column, value)
            row.updated_at = utcnow()
    session.flush()
    refresh_districts(session, {code[:8] for code in computed})
    return _copy_to_profiles(session, computed)


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _lock_districts(session: Session, districts: list[str]) -> None:
    """Make each kecamatan row exist and lock it, in code order (no deadlock). On SQLite a
    single writer makes this a no-op."""
    stmt = _insert(session)(RegisterDistrictFigure).values(
        [
            {
                "district_code": d,
                "villages": 0,
                **dict.fromkeys(COUNT_COLUMNS, 0),
                "updated_at": utcnow(),
            }
            for d in districts
        ]
    )
    session.execute(stmt.on_conflict_do_nothing(index_elements=["district_code"]))
    session.execute(
        select(RegisterDistrictFigure.district_code)
        .where(RegisterDistrictFigure.district_code.in_(districts))
        .order_by(RegisterDistrictFigure.district_code)
        .with_for_update()
    ).all()


def _copy_to_profiles(session: Session, computed: dict[str, dict[str, int]]) -> set[str]:
    """A village keeping a register (one person or more) takes its profile counts from it."""
    moved: set[str] = set()
    keeping = {code: c for code, c in computed.items() if c["persons"]}
    if not keeping:
        return moved
    profiles = {
        p.region_code: p
        for p in session.scalars(
            select(VillageProfile).where(VillageProfile.region_code.in_(list(keeping)))
        )
    }
    for code in sorted(keeping):
        profile = profiles.get(code)
        if profile is None:
            profile = new_profile(code)
            try:
                with session.begin_nested():  # a profile saved meanwhile by its operator wins
                    session.add(profile)
                    session.flush()
            except IntegrityError:
                profile = session.get(VillageProfile, code)
                if profile is None:
                    raise
        counts = keeping[code]
        wanted = (counts["abroad"], counts["returned_home"])
        if (profile.pmi_active_count, profile.pmi_returned_count) != wanted:
            profile.pmi_active_count, profile.pmi_returned_count = wanted
            profile.updated_at = utcnow()
            moved.add(code)
    session.flush()
    return moved


def refresh_districts(session: Session, districts: Iterable[str]) -> None:
    """Recompute these kecamatan rows as sums of their villages' rows."""
    wanted = sorted({d for d in districts if d})
    if not wanted:
        return
    sums = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                RegisterVillageFigure.district_code,
                func.count(),
                *(func.sum(getattr(RegisterVillageFigure, c)) for c in COUNT_COLUMNS),
            )
            .where(RegisterVillageFigure.district_code.in_(wanted))
            .group_by(RegisterVillageFigure.district_code)
        )
    }
    rows = {
        r.district_code: r
        for r in session.scalars(
            select(RegisterDistrictFigure).where(RegisterDistrictFigure.district_code.in_(wanted))
        )
    }
    for district in wanted:
        row = rows.get(district)
        values = sums.get(district)
        if values is None:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = RegisterDistrictFigure(district_code=district)
            session.add(row)
        row.villages = int(values[0])
        for column, value in zip(COUNT_COLUMNS, values[1:], strict=True):
            setattr(row, column, int(value or 0))
        row.updated_at = utcnow()
    session.flush()


def rebuild(session: Session) -> int:
    """Recompute every register figure from scratch, set-based (the repair tool).

    Four statements whatever the size: the village rows by one ``INSERT … SELECT`` grouping
    the persons with their episodes pre-aggregated per person, the kecamatan rows by one
    grouping of those, the missing profiles inserted and the moved profiles updated (their
    version bumped, as a form save would). The same counts as ``compute_villages``, which the
    incremental path keeps using (tested equal on random registers). On PostgreSQL both
    figure tables are locked first: a register write meanwhile waits and then recomputes its
    village over the rebuilt rows. Returns the number of villages rebuilt or dropped.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("LOCK TABLE register_district_figure, register_village_figure IN EXCLUSIVE MODE")
        )
    villages = select(PmiPerson.village_code).union(select(RegisterVillageFigure.village_code))
    touched = session.scalar(select(func.count()).select_from(villages.subquery())) or 0
    now = utcnow()
    stamp = literal(now, type_=RegisterVillageFigure.__table__.c.updated_at.type)
    session.execute(delete(RegisterDistrictFigure).execution_options(synchronize_session=False))
    session.execute(delete(RegisterVillageFigure).execution_options(synchronize_session=False))
    session.execute(
        insert(RegisterVillageFigure).from_select(
            ["village_code", "district_code", *COUNT_COLUMNS, "updated_at"],
            _village_counts(stamp),
        )
    )
    figure = RegisterVillageFigure
    session.execute(
        insert(RegisterDistrictFigure).from_select(
            ["district_code", "villages", *COUNT_COLUMNS, "updated_at"],
            select(
                figure.district_code,
                func.count(),
                *(func.sum(getattr(figure, c)) for c in COUNT_COLUMNS),
                stamp,
            ).group_by(figure.district_code),
        )
    )
    if session.get_bind().dialect.name == "postgresql":
        # the planner's statistics still describe the tables before the rebuild
        session.execute(text("ANALYZE register_village_figure, register_district_figure"))
    _profiles_from_figures(session, now)
    session.expire_all()
    return touched


def _village_counts(stamp: Any) -> Any:
    """One row per village with persons: the counts of ``compute_villages``, set-based."""
    sesuai = DocumentCheck.status == DocumentStatus.SESUAI
    documents = (
        select(
            DocumentCheck.person_id,
            *(
                func.sum(case((and_(sesuai, DocumentCheck.kind.in_(kinds)), 1), else_=0)).label(
                    f"ok_{channel.value}"
                )
                for channel, kinds in REQUIRED_DOCUMENTS.items()
            ),
        )
        .group_by(DocumentCheck.person_id)
        .subquery()
    )
    verified = case(
        *(
            (
                and_(
                    Departure.channel == channel,
                    func.coalesce(documents.c[f"ok_{channel.value}"], 0) >= len(kinds),
                ),
                1,
            )
            for channel, kinds in REQUIRED_DOCUMENTS.items()
        ),
        else_=0,
    )
    departures = (
        select(
            Departure.person_id,
            func.count().label("n"),
            func.sum(case((Departure.procedural, 1), else_=0)).label("procedural"),
            func.sum(verified).label("verified"),
            func.max(Departure.departed_on).label("last_out"),
        )
        .outerjoin(documents, documents.c.person_id == Departure.person_id)
        .group_by(Departure.person_id)
        .subquery()
    )
    returns = (
        select(
            Return.person_id,
            func.count().label("n"),
            func.max(Return.returned_on).label("last_back"),
        )
        .group_by(Return.person_id)
        .subquery()
    )
    consultations = (
        select(Consultation.person_id, func.count().label("n"))
        .group_by(Consultation.person_id)
        .subquery()
    )
    open_cases = (
        select(Case.person_id, func.count().label("n"))
        .where(Case.status != CaseStatus.SELESAI)
        .group_by(Case.person_id)
        .subquery()
    )
    out, back = departures.c.last_out, returns.c.last_back
    away = and_(out.is_not(None), or_(back.is_(None), back < out))
    home = and_(back.is_not(None), or_(out.is_(None), back >= out))

    def total(column: Any) -> Any:
        return func.coalesce(func.sum(func.coalesce(column, 0)), 0)

    village = PmiPerson.village_code
    return (
        select(
            village,
            func.substr(village, 1, 8),
            func.count(),
            total(consultations.c.n),
            total(departures.c.n),
            total(departures.c.verified),
            total(departures.c.procedural),
            total(returns.c.n),
            total(open_cases.c.n),
            func.sum(case((away, 1), else_=0)),
            func.sum(case((home, 1), else_=0)),
            stamp,
        )
        .select_from(PmiPerson)
        .outerjoin(consultations, consultations.c.person_id == PmiPerson.id)
        .outerjoin(departures, departures.c.person_id == PmiPerson.id)
        .outerjoin(returns, returns.c.person_id == PmiPerson.id)
        .outerjoin(open_cases, open_cases.c.person_id == PmiPerson.id)
        .group_by(village)
    )


def _profiles_from_figures(session: Session, now: datetime) -> None:
    """Every village keeping a register takes its profile's PMI counts from it: missing
    profiles are inserted with them, moved ones updated (version bumped)."""
    figure = RegisterVillageFigure
    profile = VillageProfile
    # read first, then insert: an INSERT … SELECT reading its own target table row by row
    # (the planner's choice while the statistics still say "empty") is quadratic
    missing = session.execute(
        select(figure.village_code, figure.abroad, figure.returned_home).where(
            ~exists().where(profile.region_code == figure.village_code)
        )
    ).all()
    if missing:
        session.execute(
            insert(profile),
            [
                {
                    "region_code": code,
                    "pmi_active_count": abroad,
                    "pmi_returned_count": returned,
                    "updated_at": now,
                }
                for code, abroad, returned in missing
            ],
        )
    mine = figure.village_code == profile.region_code
    session.execute(
        update(profile)
        .where(
            exists().where(
                mine,
                or_(
                    profile.pmi_active_count.is_distinct_from(figure.abroad),
                    profile.pmi_returned_count.is_distinct_from(figure.returned_home),
                ),
            )
        )
        .values(
            pmi_active_count=select(figure.abroad).where(mine).scalar_subquery(),
            pmi_returned_count=select(figure.returned_home).where(mine).scalar_subquery(),
            updated_at=now,
            version=profile.version + 1,
        )
        .execution_options(synchronize_session=False)
    )


def visible_pmi_counts(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    active: int | None,
    returned: int | None,
) -> tuple[int | str | None, int | str | None, bool]:
    """The profile's PMI counts as ``actor`` may see them, and whether they come from the
    register. Counted from a register, a count under 5 is "< 5" for everyone but the
    village's own officers (a village is below the kecamatan: suppression applies)."""
    if not keeps_register(session, village_code=village_code):
        return active, returned, False
    if actor.can("register.record", village_code):
        return active, returned, True
    known = {k: v for k, v in (("active", active), ("returned", returned)) if v is not None}
    hidden = primary(known)
    return hidden.get("active"), hidden.get("returned"), True


_KEEPS_REGISTER = select(RegisterVillageFigure.village_code).where(  # built once: village page
    RegisterVillageFigure.village_code == bindparam("village_code")
)


def keeps_register(session: Session, *, village_code: str) -> bool:
    """Whether the village keeps a register (its profile's PMI counts then come from it)."""
    return session.scalar(_KEEPS_REGISTER, {"village_code": village_code}) is not None
