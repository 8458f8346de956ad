"""UU 27/2022 in the register: requests of the person (access, correction, deletion,
restriction of processing and its lifting), the export of their own data, the access log
the village can show, and breach records with the 3 x 24-hour notification duty (Pasal 46)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import Conflict, NotFound, ValidationFailed
from perdes.pagination import Page
from perdes.register import crypto, retention
from perdes.register.basis import Purpose
from perdes.register.fields import choice, past_date
from perdes.register.models import (
    AccessLogEntry,
    Breach,
    PmiPerson,
    RequestKind,
    RequestStatus,
    SubjectRequest,
)
from perdes.register.services import (
    STALE,
    read_person,
    restricted_in_force,
    restricted_since,
    restriction_lifted_on,
    writable_person,
)
from perdes.tracking.deadlines import DISPLAY_ZONE
from perdes.validation import FieldErrors, clean_count, clean_text, parse_iso_date

NOTIFY_WITHIN = timedelta(hours=72)  # UU 27/2022 Pasal 46: 3 x 24 jam
NOT_RESTRICTED = (
    "Pemrosesan data orang ini tidak sedang dibatasi; tidak ada pembatasan yang dapat dicabut."
)


def record_request(
    session: Session, *, actor: Principal, public_id: str, data: dict[str, str]
) -> SubjectRequest:
    """Record a request the person made about their own data; a lifting of a restriction
    for a person whose processing is not restricted is ValidationFailed."""
    person = writable_person(session, actor=actor, public_id=public_id, subject_right=True)
    errors = FieldErrors()
    kind = choice(data.get("kind"), RequestKind, field="kind", errors=errors)
    received_on = past_date(data.get("received_on"), field="received_on", errors=errors)
    detail = clean_text(
        data.get("detail"), field="detail", errors=errors, max_length=500, multiline=True
    )
    lifting = kind is RequestKind.PENCABUTAN_PEMBATASAN
    if lifting and restricted_since(session, person=person) is None:
        errors.add("kind", NOT_RESTRICTED)
    if errors:
        raise ValidationFailed(dict(errors))
    assert kind is not None and received_on is not None
    row = SubjectRequest(
        person_id=person.id,
        kind=kind,
        received_on=received_on,
        detail=detail,
        status=RequestStatus.DITERIMA,
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, entity="pmi_subject_request", entity_id=row.id, action="create",
        changes={"kind": (None, kind), "received_on": (None, received_on)},
        village_code=person.village_code,
    )  # fmt: skip
    return row


def answer_request(
    session: Session,
    *,
    actor: Principal,
    public_id: str,
    request_id: int,
    data: dict[str, str],
    expected_version: int | None,
) -> tuple[SubjectRequest, list[Path]]:
    """Answer a request (granted or refused, with the reply); a stale form raises Conflict.

    A granted deletion request anonymises the person at once (``retention.anonymise``: the
    identifying fields blanked, scans released); the released scan files are returned for the
    caller to delete after the commit. A granted restriction request restricts processing
    from then on, a granted lifting ("pencabutan pembatasan") ends it from then on
    (``services.restricted_clause``); granting a lifting without a restriction in force, or
    dating either answer before the one it follows, is ValidationFailed."""
    person = writable_person(session, actor=actor, public_id=public_id, subject_right=True)
    row = session.scalar(
        select(SubjectRequest).where(
            SubjectRequest.id == request_id, SubjectRequest.person_id == person.id
        )
    )
    if row is None:
        raise ValidationFailed({"request": "Permintaan tidak ditemukan."})
    if expected_version is None or expected_version != row.version:
        raise Conflict(STALE)
    if row.status is not RequestStatus.DITERIMA:
        # An answer is final: answering again would, for a granted restriction, silently
        # lift it. The person lifts it with a request of its own (PENCABUTAN_PEMBATASAN),
        # which keeps the history of both.
        raise Conflict("Permintaan ini sudah dijawab; jawabannya tidak dapat diubah.")
    errors = FieldErrors()
    status = choice(data.get("status"), RequestStatus, field="status", errors=errors)
    if status is RequestStatus.DITERIMA:
        errors.add("status", "Pilih dikabulkan atau ditolak.")
    answered_on = past_date(
        data.get("answered_on"), field="answered_on", errors=errors, not_before=row.received_on,
        not_before_reason="Tanggal jawaban tidak boleh sebelum permintaan diterima.",
    )  # fmt: skip
    answer = clean_text(
        data.get("answer"), field="answer", errors=errors, max_length=500, required=True,
        multiline=True,
    )  # fmt: skip
    if status is RequestStatus.DIKABULKAN and answered_on is not None:
        _check_restriction_order(session, person=person, kind=row.kind, on=answered_on,
                                 errors=errors)  # fmt: skip
    if errors:
        raise ValidationFailed(dict(errors))
    assert status is not None
    before = row.status
    row.status, row.answered_on, row.answer = status, answered_on, answer
    row.answered_at = utcnow()
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(STALE) from exc
    audit.record(
        session, actor=actor, entity="pmi_subject_request", entity_id=row.id, action="update",
        changes={"status": (before, status), "answered_on": (None, answered_on)},
        village_code=person.village_code,
    )  # fmt: skip
    released: list[Path] = []
    if row.kind is RequestKind.PENGHAPUSAN and status is RequestStatus.DIKABULKAN:
        released = retention.anonymise(session, person_ids=[person.id])
        audit.record(
            session, actor=actor, entity="pmi_person", entity_id=person.id, action="anonymise",
            changes={"anonymised_at": (None, person.anonymised_at)},
            village_code=person.village_code,
        )  # fmt: skip
    return row, released


def _check_restriction_order(
    session: Session, *, person: PmiPerson, kind: RequestKind, on: date, errors: FieldErrors
) -> None:
    """Granting a lifting needs a restriction in force, and neither answer may be dated
    before the other one it follows (so "restricted since" and "lifted on" read in order)."""
    if kind is RequestKind.PENCABUTAN_PEMBATASAN:
        since = session.scalar(
            select(func.max(SubjectRequest.answered_on)).where(
                SubjectRequest.person_id == person.id, restricted_in_force(SubjectRequest)
            )
        )
        if since is None:
            errors.add("status", NOT_RESTRICTED)
        elif on < since:
            errors.add("answered_on", "Tanggal jawaban tidak boleh sebelum pembatasan berlaku "
                       f"({since.strftime('%d-%m-%Y')}).")  # fmt: skip
    elif kind is RequestKind.KEBERATAN:
        lifted = restriction_lifted_on(session, person=person)
        if lifted is not None and on < lifted:
            errors.add("answered_on", "Tanggal jawaban tidak boleh sebelum pembatasan terakhir "
                       f"dicabut ({lifted.strftime('%d-%m-%Y')}).")  # fmt: skip


def requests_of(session: Session, *, person: PmiPerson) -> list[SubjectRequest]:
    return list(
        session.scalars(
            select(SubjectRequest)
            .where(SubjectRequest.person_id == person.id)
            .order_by(SubjectRequest.received_on, SubjectRequest.id)
        )
    )


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_own_data(
    session: Session, *, actor: Principal, public_id: str, keyring: crypto.Keyring
) -> dict[str, Any]:
    """Everything the register holds on one person, for the person (a right of access);
    the export is written to the access log. Only the village's operator and petugas."""
    view = read_person(
        session, actor=actor, public_id=public_id, keyring=keyring,
        purpose=Purpose.HAK_SUBJEK, action="ekspor",
    )  # fmt: skip
    actor.require("register.export", view.person.village_code)
    p = view.person

    def rows(items: list[Any], names: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{n: _iso(getattr(i, n)) for n in names} for i in items]

    return {
        "dibuat": utcnow().astimezone(DISPLAY_ZONE).isoformat(timespec="seconds"),
        "orang": {
            "nik": view.nik,
            "nama": p.name,
            "jenis_kelamin": p.sex.value,
            "tanggal_lahir": _iso(p.birth_on),
            "alamat": p.address,
            "rt": p.rt,
            "rw": p.rw,
            "telepon": view.phone,
            "kontak_keluarga": p.family_contact_name,
            "hubungan_kontak_keluarga": p.family_contact_relation,
            "telepon_kontak_keluarga": view.family_contact_phone,
            "berbagi_dengan_pendamping": p.share_with_pendamping,
        },
        "konsultasi": rows(p.consultations, ("held_on", "channel", "information", "legal_basis")),
        "dokumen": rows(p.documents, ("kind", "status", "checked_on", "note", "legal_basis")),
        "surat_izin_keluarga": rows(
            p.letters, ("number", "issued_on", "granted_by_name", "granted_by_relation")
        ),
        "keberangkatan": rows(
            p.departures, ("departed_on", "country", "channel", "p3mi_name", "procedural")
        ),
        "kepulangan": rows(
            p.returns,
            ("returned_on", "condition", "needs_health", "needs_legal", "needs_economic"),
        ),
        "kasus": rows(
            p.cases, ("opened_on", "summary", "referral", "referred_on", "status", "outcome")
        ),
        "pemberdayaan": rows(p.empowerments, ("kind", "activity", "started_on")),
        "permintaan": rows(
            requests_of(session, person=p), ("kind", "received_on", "status", "answered_on")
        ),
        "log_akses": [
            {"waktu": _iso(e.at), "pengguna": e.username, "tindakan": e.action, "tujuan": e.purpose}
            for e in session.scalars(
                select(AccessLogEntry)
                .where(AccessLogEntry.person_id == p.id)
                .order_by(AccessLogEntry.at)
            )
        ],
    }


@dataclass(frozen=True, slots=True)
class AccessRow:
    entry: AccessLogEntry
    person_name: str


def access_log(
    session: Session, *, actor: Principal, village_code: str, page: int = 1, per_page: int = 50
) -> Page[AccessRow]:
    """The village's access log, newest first (who, when, which record, purpose)."""
    actor.require("register.protect", village_code)
    stmt = (
        select(AccessLogEntry, PmiPerson.name, PmiPerson.anonymised_at)
        .outerjoin(PmiPerson, PmiPerson.id == AccessLogEntry.person_id)
        .where(AccessLogEntry.village_code == village_code)
    )
    total = (
        session.scalar(
            select(func.count())
            .select_from(AccessLogEntry)
            .where(AccessLogEntry.village_code == village_code)
        )
        or 0
    )
    rows = session.execute(
        stmt.order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    items = [AccessRow(entry=e, person_name="" if anon else (name or "")) for e, name, anon in rows]
    return Page(items=items, total=total, page=max(page, 1), per_page=per_page)


def _parse_moment(
    raw: object, *, field: str, errors: FieldErrors, required: bool
) -> datetime | None:
    """A local date and time ("2026-11-30T14:05" from datetime-local), in WIB, not future."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        if required:
            errors.add(field, "Wajib diisi.")
        return None
    day = parse_iso_date(text[:10])
    try:
        hour, minute = (int(x) for x in text[11:16].split(":")) if len(text) == 16 else (-1, -1)
    except ValueError:
        hour = minute = -1
    if day is None or text[10:11] not in ("T", " ") or not (0 <= hour < 24 and 0 <= minute < 60):
        errors.add(field, "Waktu tidak valid; pilih tanggal dan jam.")
        return None
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=DISPLAY_ZONE)
    if moment > utcnow() + timedelta(minutes=5):
        errors.add(field, "Waktu tidak boleh sesudah sekarang.")
        return None
    return moment


@dataclass(frozen=True, slots=True)
class BreachRow:
    breach: Breach
    due_at: datetime
    overdue: bool


def breach_rows(session: Session, *, actor: Principal, village_code: str) -> list[BreachRow]:
    """The village's breach records, newest first, each with its notification deadline;
    overdue when 3 x 24 hours passed without both notifications."""
    actor.require("register.protect", village_code)
    now = utcnow()
    out = []
    for b in session.scalars(
        select(Breach)
        .where(Breach.village_code == village_code)
        .order_by(Breach.discovered_at.desc())
    ):
        due = b.discovered_at + NOTIFY_WITHIN
        done = b.subjects_notified_at is not None and b.agency_notified_at is not None
        out.append(BreachRow(breach=b, due_at=due, overdue=not done and now > due))
    return out


def record_breach(
    session: Session, *, actor: Principal, village_code: str, data: dict[str, str]
) -> Breach:
    """Record a personal-data breach (what data, when and how, how many persons)."""
    actor.require("register.protect", village_code)
    errors = FieldErrors()
    discovered = _parse_moment(
        data.get("discovered_at"), field="discovered_at", errors=errors, required=True
    )
    description = clean_text(
        data.get("description"), field="description", errors=errors, max_length=1000,
        required=True, multiline=True,
    )  # fmt: skip
    affected = clean_count(data.get("persons_affected"), field="persons_affected", errors=errors)
    handling = clean_text(
        data.get("handling"), field="handling", errors=errors, max_length=1000, multiline=True
    )
    if errors:
        raise ValidationFailed(dict(errors))
    assert discovered is not None
    row = Breach(
        village_code=village_code,
        discovered_at=discovered,
        description=description,
        persons_affected=affected or 0,
        handling=handling,
        recorded_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="pmi_breach",
        entity_id=row.id,
        action="create",
        changes={
            "discovered_at": (None, discovered),
            "persons_affected": (None, row.persons_affected),
        },
        village_code=village_code,
    )
    return row


def record_notification(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    breach_id: int,
    data: dict[str, str],
    expected_version: int | None,
) -> Breach:
    """Note when the persons and the PDP agency were notified; a stale form raises Conflict."""
    actor.require("register.protect", village_code)
    row = session.scalar(
        select(Breach).where(Breach.id == breach_id, Breach.village_code == village_code)
    )
    if row is None:
        raise NotFound("Catatan insiden tidak ditemukan.")
    if expected_version is None or expected_version != row.version:
        raise Conflict(STALE)
    errors = FieldErrors()
    subjects = _parse_moment(
        data.get("subjects_notified_at"),
        field="subjects_notified_at",
        errors=errors,
        required=False,
    )
    agency = _parse_moment(
        data.get("agency_notified_at"), field="agency_notified_at", errors=errors, required=False
    )
    for name, moment in (("subjects_notified_at", subjects), ("agency_notified_at", agency)):
        if moment is not None and moment < row.discovered_at:
            errors.add(name, "Pemberitahuan tidak boleh sebelum insiden diketahui.")
    handling = clean_text(
        data.get("handling"), field="handling", errors=errors, max_length=1000, multiline=True
    )
    if errors:
        raise ValidationFailed(dict(errors))
    changes: dict[str, tuple[Any, Any]] = {}
    for name, value in (
        ("subjects_notified_at", subjects),
        ("agency_notified_at", agency),
        ("handling", handling),
    ):
        if value is not None and value != "" and getattr(row, name) != value:
            changes[name] = (getattr(row, name), value)
            setattr(row, name, value)
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(STALE) from exc
    audit.record(
        session, actor=actor, entity="pmi_breach", entity_id=row.id, action="update",
        changes=changes, village_code=village_code,
    )  # fmt: skip
    return row
