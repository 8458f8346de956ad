"""A person's migration episodes: consultation, document checks, the family-permission
letter, departure, return, case, empowerment.

Order is enforced: no letter and no departure without a recorded consultation, no departure
dated before the first consultation, no return without a departure, and no date after today.
Each row records the legal basis of its purpose (``basis.LEGAL_BASES``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.errors import Conflict, ValidationFailed
from perdes.register.basis import LEGAL_BASES, RELATION_LABELS, Purpose
from perdes.register.fields import choice, flag, past_date
from perdes.register.models import (
    Case,
    CaseStatus,
    Channel,
    Consultation,
    Departure,
    DocumentCheck,
    DocumentKind,
    DocumentStatus,
    Empowerment,
    EmpowermentKind,
    FamilyLetter,
    PmiPerson,
    Referral,
    Return,
    ReturnCondition,
)
from perdes.register.services import STALE, writable_person
from perdes.validation import FieldErrors, clean_text

NEEDS_CONSULTATION = "Catat konsultasi terlebih dahulu."


def _audit(
    session: Session,
    *,
    actor: Principal,
    person: PmiPerson,
    entity: str,
    entity_id: int,
    action: str,
    values: dict[str, Any],
) -> None:
    audit.record(
        session,
        actor=actor,
        entity=entity,
        entity_id=entity_id,
        action=action,
        changes={k: (None, v) for k, v in values.items()},
        village_code=person.village_code,
    )


def _check(errors: FieldErrors) -> None:
    if errors:
        raise ValidationFailed(dict(errors))


def record_consultation(
    session: Session, *, actor: Principal, public_id: str, data: dict[str, str]
) -> Consultation:
    """Record a consultation (date, channel considered, information given)."""
    person = writable_person(session, actor=actor, public_id=public_id)
    errors = FieldErrors()
    held_on = past_date(data.get("held_on"), field="held_on", errors=errors)
    channel = choice(data.get("channel"), Channel, field="channel", errors=errors)
    information = clean_text(
        data.get("information"), field="information", errors=errors, max_length=1000,
        required=True, multiline=True,
    )  # fmt: skip
    _check(errors)
    assert held_on is not None and channel is not None
    row = Consultation(
        person_id=person.id,
        held_on=held_on,
        channel=channel,
        information=information,
        legal_basis=LEGAL_BASES[Purpose.INFORMASI],
        recorded_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    _audit(
        session, actor=actor, person=person, entity="pmi_consultation", entity_id=row.id,
        action="create", values={"held_on": held_on, "channel": channel},
    )  # fmt: skip
    return row


def set_document(
    session: Session,
    *,
    actor: Principal,
    public_id: str,
    data: dict[str, str],
    stored_file_id: int | None = None,
) -> DocumentCheck:
    """Set one document's status (and optional scan). A document already checked carries a
    version: a stale form raises Conflict. No check before a consultation."""
    person = writable_person(session, actor=actor, public_id=public_id)
    if not person.consultations:
        raise ValidationFailed({"kind": NEEDS_CONSULTATION})
    errors = FieldErrors()
    kind = choice(data.get("kind"), DocumentKind, field="kind", errors=errors)
    status = choice(data.get("status"), DocumentStatus, field="status", errors=errors)
    checked_on = past_date(data.get("checked_on"), field="checked_on", errors=errors)
    note = clean_text(data.get("note"), field="note", errors=errors, max_length=200)
    _check(errors)
    assert kind is not None and status is not None
    row = session.scalar(
        select(DocumentCheck).where(
            DocumentCheck.person_id == person.id, DocumentCheck.kind == kind
        )
    )
    raw_version = (data.get("version") or "").strip()
    before: dict[str, Any] = {}
    if row is None:
        if raw_version not in ("", "0"):
            raise Conflict(STALE)
        row = DocumentCheck(
            person_id=person.id, kind=kind, legal_basis=LEGAL_BASES[Purpose.VERIFIKASI]
        )
        session.add(row)
    else:
        if raw_version != str(row.version):
            raise Conflict(STALE)
        before = {"status": row.status, "checked_on": row.checked_on}
    row.status = status
    row.checked_on = checked_on
    row.note = note
    if stored_file_id is not None:
        row.stored_file_id = stored_file_id
    try:
        with session.begin_nested():
            session.flush()
    except (IntegrityError, StaleDataError) as exc:
        raise Conflict(STALE) from exc
    audit.record(
        session,
        actor=actor,
        entity="pmi_document_check",
        entity_id=row.id,
        action="update" if before else "create",
        changes={
            "kind": (kind, kind),
            "status": (before.get("status"), status),
            "checked_on": (before.get("checked_on"), checked_on),
            **({"scan": (None, "baru")} if stored_file_id is not None else {}),
        },
        village_code=person.village_code,
    )
    return row


def issue_letter(
    session: Session, *, actor: Principal, public_id: str, data: dict[str, str]
) -> FamilyLetter:
    """Prepare the surat izin keluarga for the Kepala Desa (UU 18/2017 Pasal 13 huruf b):
    only after a recorded consultation, dated on or after it."""
    person = writable_person(session, actor=actor, public_id=public_id)
    if not person.consultations:
        raise ValidationFailed({"issued_on": NEEDS_CONSULTATION}, NEEDS_CONSULTATION)
    first = person.consultations[0]
    errors = FieldErrors()
    issued_on = past_date(
        data.get("issued_on"), field="issued_on", errors=errors, not_before=first.held_on,
        not_before_reason="Surat tidak boleh bertanggal sebelum konsultasi pertama.",
    )  # fmt: skip
    granted_by = clean_text(
        data.get("granted_by_name"), field="granted_by_name", errors=errors, max_length=100,
        required=True,
    )  # fmt: skip
    relation = (data.get("granted_by_relation") or "").strip()
    if relation not in RELATION_LABELS:
        errors.add("granted_by_relation", "Pilih hubungan keluarga yang memberi izin.")
    number = clean_text(data.get("number"), field="number", errors=errors, max_length=60)
    country = clean_text(
        data.get("destination_country"), field="destination_country", errors=errors, max_length=60
    )
    _check(errors)
    assert issued_on is not None
    latest = person.consultations[-1]
    row = FamilyLetter(
        person_id=person.id,
        consultation_id=latest.id,
        number=number,
        issued_on=issued_on,
        granted_by_name=granted_by,
        granted_by_relation=relation,
        destination_country=country,
        legal_basis=LEGAL_BASES[Purpose.SURAT_IZIN],
    )
    session.add(row)
    session.flush()
    _audit(
        session, actor=actor, person=person, entity="pmi_family_letter", entity_id=row.id,
        action="create", values={"issued_on": issued_on, "number": number},
    )  # fmt: skip
    return row


def record_departure(
    session: Session, *, actor: Principal, public_id: str, data: dict[str, str]
) -> Departure:
    """Record a departure: never without a consultation, never dated before the first one."""
    person = writable_person(session, actor=actor, public_id=public_id)
    if not person.consultations:
        raise ValidationFailed({"departed_on": NEEDS_CONSULTATION}, NEEDS_CONSULTATION)
    errors = FieldErrors()
    departed_on = past_date(
        data.get("departed_on"), field="departed_on", errors=errors,
        not_before=person.consultations[0].held_on,
        not_before_reason="Keberangkatan tidak boleh sebelum konsultasi pertama.",
    )  # fmt: skip
    if departed_on and person.returns and departed_on < person.returns[-1].returned_on:
        errors.add("departed_on", "Keberangkatan baru tidak boleh sebelum kepulangan terakhir.")
    country = clean_text(
        data.get("country"), field="country", errors=errors, max_length=60, required=True
    )
    channel = choice(data.get("channel"), Channel, field="channel", errors=errors)
    p3mi = clean_text(data.get("p3mi_name"), field="p3mi_name", errors=errors, max_length=120)
    if channel is Channel.P3MI and not p3mi:
        errors.add("p3mi_name", "Tulis nama P3MI yang memberangkatkan.")
    procedural_raw = (data.get("procedural") or "").strip()
    if procedural_raw not in ("ya", "tidak"):
        errors.add("procedural", "Pilih apakah keberangkatan sesuai prosedur.")
    _check(errors)
    assert departed_on is not None and channel is not None
    row = Departure(
        person_id=person.id,
        departed_on=departed_on,
        country=country,
        channel=channel,
        p3mi_name=p3mi,
        procedural=procedural_raw == "ya",
        legal_basis=LEGAL_BASES[Purpose.PEMANTAUAN],
    )
    session.add(row)
    session.flush()
    _audit(
        session, actor=actor, person=person, entity="pmi_departure", entity_id=row.id,
        action="create",
        values={"departed_on": departed_on, "channel": channel, "procedural": row.procedural},
    )  # fmt: skip
    return row


def record_return(
    session: Session, *, actor: Principal, public_id: str, data: dict[str, str]
) -> Return:
    """Record a return: only after a departure that has no return yet, not before it."""
    person = writable_person(session, actor=actor, public_id=public_id)
    last = person.departures[-1] if person.departures else None
    if last is None or (person.returns and person.returns[-1].returned_on >= last.departed_on):
        message = "Catat keberangkatan terlebih dahulu."
        raise ValidationFailed({"returned_on": message}, message)
    errors = FieldErrors()
    returned_on = past_date(
        data.get("returned_on"), field="returned_on", errors=errors, not_before=last.departed_on,
        not_before_reason="Kepulangan tidak boleh sebelum tanggal keberangkatan.",
    )  # fmt: skip
    condition = choice(data.get("condition"), ReturnCondition, field="condition", errors=errors)
    _check(errors)
    assert returned_on is not None and condition is not None
    row = Return(
        person_id=person.id,
        returned_on=returned_on,
        condition=condition,
        needs_health=flag(data.get("needs_health")),
        needs_legal=flag(data.get("needs_legal")),
        needs_economic=flag(data.get("needs_economic")),
        legal_basis=LEGAL_BASES[Purpose.PEMANTAUAN],
    )
    session.add(row)
    session.flush()
    _audit(
        session, actor=actor, person=person, entity="pmi_return", entity_id=row.id,
        action="create", values={"returned_on": returned_on, "condition": condition},
    )  # fmt: skip
    return row


def _case_fields(data: dict[str, str], errors: FieldErrors, opened_on: Any) -> dict[str, Any]:
    referral = choice(data.get("referral") or "belum", Referral, field="referral", errors=errors)
    referred_on = None
    if referral is not None and referral is not Referral.BELUM:
        referred_on = past_date(
            data.get("referred_on"), field="referred_on", errors=errors, not_before=opened_on,
            not_before_reason="Tanggal rujukan tidak boleh sebelum kasus dibuka.",
        )  # fmt: skip
    status = choice(data.get("status") or "dibuka", CaseStatus, field="status", errors=errors)
    outcome = clean_text(
        data.get("outcome"), field="outcome", errors=errors, max_length=500, multiline=True
    )
    closed_on = None
    if status is CaseStatus.SELESAI:
        closed_on = past_date(
            data.get("closed_on"), field="closed_on", errors=errors, not_before=opened_on,
            not_before_reason="Tanggal selesai tidak boleh sebelum kasus dibuka.",
        )  # fmt: skip
        if not outcome:
            errors.add("outcome", "Tulis hasil penanganan kasus yang selesai.")
    if status is CaseStatus.DIRUJUK and referral is Referral.BELUM:
        errors.add("referral", "Pilih instansi tujuan rujukan.")
    return {
        "referral": referral,
        "referred_on": referred_on,
        "status": status,
        "outcome": outcome,
        "closed_on": closed_on,
    }


def open_case(session: Session, *, actor: Principal, public_id: str, data: dict[str, str]) -> Case:
    """Record a complaint or case, optionally referred at once to the Dinas or BP3MI."""
    person = writable_person(session, actor=actor, public_id=public_id)
    errors = FieldErrors()
    opened_on = past_date(data.get("opened_on"), field="opened_on", errors=errors)
    summary = clean_text(
        data.get("summary"), field="summary", errors=errors, max_length=500, required=True,
        multiline=True,
    )  # fmt: skip
    fields = _case_fields(data, errors, opened_on)
    _check(errors)
    assert opened_on is not None
    row = Case(
        person_id=person.id,
        opened_on=opened_on,
        summary=summary,
        legal_basis=LEGAL_BASES[Purpose.KASUS],
        **fields,
    )
    session.add(row)
    session.flush()
    _audit(
        session, actor=actor, person=person, entity="pmi_case", entity_id=row.id,
        action="create", values={"opened_on": opened_on, "status": fields["status"],
                                 "referral": fields["referral"]},
    )  # fmt: skip
    return row


def update_case(
    session: Session,
    *,
    actor: Principal,
    public_id: str,
    case_id: int,
    data: dict[str, str],
    expected_version: int | None,
) -> Case:
    """Refer, follow up or close a case; a stale form raises Conflict."""
    person = writable_person(session, actor=actor, public_id=public_id)
    row = session.scalar(select(Case).where(Case.id == case_id, Case.person_id == person.id))
    if row is None:
        raise ValidationFailed({"case": "Kasus tidak ditemukan."})
    if expected_version is None or expected_version != row.version:
        raise Conflict(STALE)
    errors = FieldErrors()
    fields = _case_fields(data, errors, row.opened_on)
    _check(errors)
    changes = {k: (getattr(row, k), v) for k, v in fields.items() if getattr(row, k) != v}
    for key, value in fields.items():
        setattr(row, key, value)
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(STALE) from exc
    audit.record(
        session, actor=actor, entity="pmi_case", entity_id=row.id, action="update",
        changes=changes, village_code=person.village_code,
    )  # fmt: skip
    return row


def record_empowerment(
    session: Session, *, actor: Principal, public_id: str, data: dict[str, str]
) -> Empowerment:
    """Record participation in training, a business group or a KKBM."""
    person = writable_person(session, actor=actor, public_id=public_id)
    errors = FieldErrors()
    kind = choice(data.get("kind"), EmpowermentKind, field="kind", errors=errors)
    activity = clean_text(
        data.get("activity"), field="activity", errors=errors, max_length=120, required=True
    )
    started_on = past_date(data.get("started_on"), field="started_on", errors=errors)
    _check(errors)
    assert kind is not None and started_on is not None
    row = Empowerment(
        person_id=person.id,
        kind=kind,
        activity=activity,
        started_on=started_on,
        legal_basis=LEGAL_BASES[Purpose.PEMBERDAYAAN],
    )
    session.add(row)
    session.flush()
    _audit(
        session, actor=actor, person=person, entity="pmi_empowerment", entity_id=row.id,
        action="create", values={"kind": kind, "started_on": started_on},
    )  # fmt: skip
    return row
