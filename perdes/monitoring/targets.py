"""Target lists (daftar sasaran): named sets of villages, their figures and dated snapshots.

A list belongs to the monitor who made it (admins see every list). Members must lie inside
the owner's scope; figures are also filtered by the viewer's scope, so a narrowed scope never
shows more than it should.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import NotFound, OutOfScope, ValidationFailed
from perdes.monitoring.figures import FUNNEL_KEYS, Figures, grouped_figures
from perdes.monitoring.models import TargetList, TargetListMember, TargetSnapshot
from perdes.monitoring.services import VillageFilter, iter_villages
from perdes.regions.codes import is_valid_code, normalise_code
from perdes.regions.models import Region, RegionLevel
from perdes.tracking.deadlines import local_today
from perdes.validation import FieldErrors, clean_text

SNAPSHOT_EVERY = timedelta(days=7)
MAX_MEMBERS = 20_000
MAX_CSV_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    code: str
    reason: str


class BadCodes(ValidationFailed):
    """A CSV of codes had bad lines; nothing was added."""

    def __init__(self, bad: list[BadLine]) -> None:
        super().__init__({"file": f"{len(bad)} baris ditolak; tidak ada desa yang ditambahkan."})
        self.bad = bad


def list_targets(session: Session, *, actor: Principal) -> list[tuple[TargetList, int]]:
    """The actor's target lists (every list for an admin) with their member counts."""
    actor.require("targets.manage")
    count = (
        select(func.count())
        .where(TargetListMember.target_list_id == TargetList.id)
        .scalar_subquery()
    )
    stmt = select(TargetList, count).order_by(TargetList.name, TargetList.id)
    if actor.role is not Role.ADMIN:
        stmt = stmt.where(TargetList.owner_id == actor.user_id)
    return [(t, n) for t, n in session.execute(stmt).all()]


def get_target(session: Session, *, actor: Principal, target_id: int) -> TargetList:
    """One target list of the actor; NotFound for anybody else's (admins see all)."""
    actor.require("targets.manage")
    stmt = select(TargetList).where(TargetList.id == target_id)
    if actor.role is not Role.ADMIN:
        stmt = stmt.where(TargetList.owner_id == actor.user_id)
    target = session.scalar(stmt)
    if target is None:
        raise NotFound("Daftar sasaran tidak ditemukan.")
    return target


def _clean(name: object, description: object) -> tuple[str, str]:
    errors = FieldErrors()
    clean_name = clean_text(name, field="name", errors=errors, max_length=120, required=True)
    clean_desc = clean_text(
        description, field="description", errors=errors, max_length=1000, multiline=True
    )
    if errors:
        raise ValidationFailed(dict(errors))
    return clean_name, clean_desc


def create_target(
    session: Session, *, actor: Principal, name: object, description: object = ""
) -> TargetList:
    """A new, empty target list owned by the actor. Raises ValidationFailed for bad input."""
    actor.require("targets.manage")
    clean_name, clean_desc = _clean(name, description)
    target = TargetList(
        name=clean_name,
        description=clean_desc,
        owner_id=actor.user_id,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(target)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="target_list",
        entity_id=target.id,
        action="create",
        changes={"name": (None, clean_name)},
    )
    return target


def delete_target(session: Session, *, actor: Principal, target_id: int) -> None:
    target = get_target(session, actor=actor, target_id=target_id)
    audit.record(
        session,
        actor=actor,
        entity="target_list",
        entity_id=target.id,
        action="delete",
        changes={"name": (target.name, None)},
    )
    session.execute(delete(TargetSnapshot).where(TargetSnapshot.target_list_id == target.id))
    session.execute(delete(TargetListMember).where(TargetListMember.target_list_id == target.id))
    session.delete(target)
    session.flush()


def member_codes(session: Session, *, target: TargetList) -> set[str]:
    return set(
        session.scalars(
            select(TargetListMember.village_code).where(
                TargetListMember.target_list_id == target.id
            )
        )
    )


def _add(session: Session, *, actor: Principal, target: TargetList, codes: list[str]) -> int:
    existing = member_codes(session, target=target)
    new = [c for c in dict.fromkeys(codes) if c not in existing]
    if len(existing) + len(new) > MAX_MEMBERS:
        raise ValidationFailed(
            {"file": f"Daftar sasaran paling banyak {MAX_MEMBERS:,} desa.".replace(",", ".")}
        )
    now = utcnow()
    session.add_all(
        TargetListMember(target_list_id=target.id, village_code=c, added_at=now) for c in new
    )
    target.updated_at = now
    session.flush()
    if new:
        audit.record(
            session,
            actor=actor,
            entity="target_list",
            entity_id=target.id,
            action="add_members",
            changes={"members": (len(existing), len(existing) + len(new))},
        )
    return len(new)


def add_by_region(
    session: Session,
    *,
    actor: Principal,
    target_id: int,
    region_code: str,
    query: str = "",
) -> int:
    """Add the villages of a region (optionally whose name contains ``query``).

    Raises NotFound for a region out of reach; only villages inside the scope are added.
    Returns the number of villages added.
    """
    target = get_target(session, actor=actor, target_id=target_id)
    errors = FieldErrors()
    clean_query = clean_text(query, field="q", errors=errors, max_length=100)
    code = clean_text(region_code, field="wilayah", errors=errors, max_length=13, required=True)
    if errors:
        raise ValidationFailed(dict(errors))
    filters = VillageFilter(region_code=code, query=clean_query)
    codes = [v.code for v in iter_villages(session, actor=actor, filters=filters)]
    return _add(session, actor=actor, target=target, codes=codes)


def parse_codes_csv(data: bytes) -> list[tuple[int, str]]:
    """(line number, code) from a CSV whose first column holds codes; a header is skipped."""
    if len(data) > MAX_CSV_BYTES:
        raise ValidationFailed({"file": "Berkas terlalu besar (paling besar 1 MB)."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": "Berkas harus CSV dengan pengodean UTF-8."}) from None
    if "\x00" in text:
        raise ValidationFailed({"file": "Berkas bukan CSV."})
    dialect = ";" if text.count(";") > text.count(",") else ","
    out = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=dialect), start=1):
        cell = normalise_code(row[0]) if row else ""
        if not cell or (number == 1 and not cell[:1].isdigit()):
            continue
        out.append((number, cell[:40]))
    if not out:
        raise ValidationFailed({"file": "Berkas tidak memuat kode desa."})
    return out


def add_from_csv(session: Session, *, actor: Principal, target_id: int, data: bytes) -> int:
    """Add the villages whose codes are listed; all or nothing.

    Raises BadCodes (a ValidationFailed listing each bad line: unknown code, not a village,
    outside the scope) and adds nothing when any line is bad.
    """
    target = get_target(session, actor=actor, target_id=target_id)
    lines = parse_codes_csv(data)
    codes = [c for _, c in lines if is_valid_code(c)]
    known: dict[str, RegionLevel] = {}
    for start in range(0, len(codes), 900):
        chunk = codes[start : start + 900]
        known.update(
            session.execute(select(Region.code, Region.level).where(Region.code.in_(chunk))).all()
        )
    bad = []
    for number, code in lines:
        if not is_valid_code(code):
            bad.append(BadLine(number, code, "Format kode tidak dikenal."))
        elif not actor.scope.contains(code):
            bad.append(BadLine(number, code, "Di luar wilayah tugas Anda."))
        elif code not in known:
            bad.append(BadLine(number, code, "Kode tidak terdaftar."))
        elif known[code] is not RegionLevel.DESA:
            bad.append(BadLine(number, code, "Bukan kode desa/kelurahan."))
    if bad:
        raise BadCodes(bad)
    return _add(session, actor=actor, target=target, codes=[c for _, c in lines])


def add_village(session: Session, *, actor: Principal, target_id: int, village_code: str) -> int:
    """Add one village. Raises OutOfScope for a village outside the scope."""
    target = get_target(session, actor=actor, target_id=target_id)
    actor.require("targets.manage", village_code)
    region = session.get(Region, village_code)
    if region is None or region.level is not RegionLevel.DESA:
        raise NotFound("Desa tidak ditemukan.")
    return _add(session, actor=actor, target=target, codes=[village_code])


def remove_village(
    session: Session, *, actor: Principal, target_id: int, village_code: str
) -> None:
    target = get_target(session, actor=actor, target_id=target_id)
    removed = session.execute(
        delete(TargetListMember).where(
            TargetListMember.target_list_id == target.id,
            TargetListMember.village_code == village_code,
        )
    )
    if not removed.rowcount:  # type: ignore[attr-defined]  # a DELETE gives a CursorResult; Session.execute is typed as Result
        raise NotFound("Desa tidak ada dalam daftar.")
    target.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        entity="target_list",
        entity_id=target.id,
        action="remove_member",
        changes={"village_code": (village_code, None)},
        village_code=village_code,
    )
    session.flush()


def member_clause(target: TargetList) -> ColumnElement[bool]:
    return Region.code.in_(
        select(TargetListMember.village_code).where(TargetListMember.target_list_id == target.id)
    )


def target_figures(
    session: Session, *, actor: Principal, target: TargetList, today: date | None = None
) -> dict[str, Figures]:
    """Figures of the list's villages (inside the actor's scope), per kecamatan code."""
    return grouped_figures(
        session,
        group=Region.district_code,
        where=[actor.scope.region_clause(), member_clause(target)],
        today=today or local_today(),
    )


def snapshots(session: Session, *, target: TargetList) -> list[TargetSnapshot]:
    return list(
        session.scalars(
            select(TargetSnapshot)
            .where(TargetSnapshot.target_list_id == target.id)
            .order_by(TargetSnapshot.taken_on)
        )
    )


def take_snapshot(
    session: Session, *, actor: Principal, target: TargetList, today: date | None = None
) -> TargetSnapshot:
    """Record today's stage counts of the list (replacing one already taken today)."""
    today = today or local_today()
    total = Figures()
    for figures in target_figures(session, actor=actor, target=target, today=today).values():
        total.add(figures)
    snapshot = session.scalar(
        select(TargetSnapshot).where(
            TargetSnapshot.target_list_id == target.id, TargetSnapshot.taken_on == today
        )
    )
    if snapshot is None:
        snapshot = TargetSnapshot(target_list_id=target.id, taken_on=today)
        session.add(snapshot)
    snapshot.village_count = total.desa
    snapshot.promulgated_count = total.promulgated
    snapshot.qualified_count = total.qualified
    snapshot.overdue_count = total.overdue
    snapshot.stage_counts = {k: total.stages[k] for k in FUNNEL_KEYS}
    snapshot.taken_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="target_list",
        entity_id=target.id,
        action="snapshot",
        changes={"taken_on": (None, today.isoformat())},
    )
    return snapshot


def snapshot_due(session: Session, *, target: TargetList, today: date | None = None) -> bool:
    """True when the list has a village and its newest snapshot is older than 7 days (or
    there is none): a first point at zero for an empty list would only mislead the chart."""
    today = today or local_today()
    has_members = session.scalar(
        select(TargetListMember.village_code)
        .where(TargetListMember.target_list_id == target.id)
        .limit(1)
    )
    if has_members is None:
        return False
    newest = session.scalar(
        select(func.max(TargetSnapshot.taken_on)).where(TargetSnapshot.target_list_id == target.id)
    )
    return newest is None or today - newest >= SNAPSHOT_EVERY


def snapshot_if_due(
    session: Session, *, actor: Principal, target: TargetList, today: date | None = None
) -> TargetSnapshot | None:
    """Take a snapshot when the newest is older than 7 days (or there is none), unless the
    list has no village yet (a first point at zero would only mislead the chart)."""
    today = today or local_today()
    if not snapshot_due(session, target=target, today=today):
        return None
    return take_snapshot(session, actor=actor, target=target, today=today)


def snapshot_all_due(session: Session, *, today: date | None = None) -> int:
    """The weekly job: snapshot every list whose newest snapshot is due. Returns how many."""
    system = Principal.system()
    taken = 0
    for target in session.scalars(select(TargetList).order_by(TargetList.id)):
        if snapshot_if_due(session, actor=system, target=target, today=today) is not None:
            taken += 1
    return taken


def ensure_in_scope(actor: Principal, code: str) -> None:
    if not actor.scope.contains(code):
        raise OutOfScope("Desa ini berada di luar wilayah tugas Anda.")
