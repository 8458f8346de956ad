"""Persons of the village PMI register: who may see them, recording and correcting them,
reading one (always written to the access log), finding one by NIK.

Only the village's operator and petugas pendataan see names (``FULL_ROLES``); a pendamping
sees the summary a person consented to share; every other role finds nothing (a record asked
for by id is 404). NIK and phone numbers are sealed before they reach the session, the NIK
also hashed with a key for look-up and duplicates; no message, log line or audit value carries
them (the audit writer masks every ``pmi_*`` entity).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.dates import format_date
from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.exc import StaleDataError

from perdes.accounts import audit
from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import Conflict, NotFound, ValidationFailed
from perdes.pagination import Page
from perdes.regions.models import Region
from perdes.register import crypto, nik
from perdes.register.basis import SEX_LABELS, Purpose
from perdes.register.fields import flag, past_date, phone, rt_rw
from perdes.register.models import (
    AccessLogEntry,
    PmiPerson,
    RequestKind,
    RequestStatus,
    Sex,
    SubjectRequest,
)
from perdes.tracking.deadlines import local_today
from perdes.validation import FieldErrors, clean_text

FULL_ROLES = frozenset({Role.OPERATOR, Role.PETUGAS})
NOT_FOUND = "Data orang ini tidak ada, atau Anda tidak berhak melihatnya."
STALE = (
    "Data ini baru saja diubah oleh pengguna lain. Isian Anda masih ada di bawah; muat ulang "
    "halaman untuk melihat perubahan, lalu simpan lagi."
)
DUPLICATE = "NIK ini sudah tercatat di register PMI."
RESTRICTED = (
    "Pemrosesan data orang ini dibatasi sejak {since}: permintaan penundaan atau pembatasan "
    "pemrosesan dikabulkan (UU 27/2022). "
    "Tidak ada catatan baru; hanya koreksi dan permintaan atas datanya yang dilayani."
)
PERSON_FIELDS = (
    "nik",
    "name",
    "sex",
    "birth_on",
    "address",
    "rt",
    "rw",
    "phone",
    "family_contact_name",
    "family_contact_relation",
    "family_contact_phone",
    "share_with_pendamping",
)


def new_public_id() -> str:
    """An opaque id for URLs: random, unrelated to the NIK or the row number."""
    return secrets.token_urlsafe(12)


def restricted_in_force(restriction: type[SubjectRequest]) -> ColumnElement[bool]:
    """``restriction`` is a granted request to restrict processing that no granted lifting
    ("pencabutan pembatasan") followed: the latest granted restriction is later than the
    latest granted lifting. Answers recorded before liftings existed have no ``answered_at``
    and come before every lifting."""
    lifting = aliased(SubjectRequest)
    lifted = exists().where(
        lifting.person_id == restriction.person_id,
        lifting.kind == RequestKind.PENCABUTAN_PEMBATASAN,
        lifting.status == RequestStatus.DIKABULKAN,
        or_(restriction.answered_at.is_(None), lifting.answered_at > restriction.answered_at),
    )
    return and_(
        restriction.kind == RequestKind.KEBERATAN,
        restriction.status == RequestStatus.DIKABULKAN,
        ~lifted,
    )


def restricted_clause() -> ColumnElement[bool]:
    """Persons whose processing is restricted: a request of theirs to restrict it was granted
    (UU 27/2022: the right to have processing suspended or limited) and no granted lifting
    came after it. Their record is kept and their own requests answered, but nothing new is
    recorded, nothing is shared with a pendamping or disclosed to the Dinas. Once the person
    withdraws it (a granted "pencabutan pembatasan"), processing resumes from that answer on;
    a later granted restriction restricts again."""
    in_force = restricted_in_force(SubjectRequest)
    return exists().where(SubjectRequest.person_id == PmiPerson.id, in_force)


def restricted_since(session: Session, *, person: PmiPerson) -> date | None:
    """The day the restriction in force began (the earliest answer among the granted
    restrictions not lifted since), or None when processing is not restricted."""
    return session.scalar(
        select(func.min(SubjectRequest.answered_on)).where(
            SubjectRequest.person_id == person.id, restricted_in_force(SubjectRequest)
        )
    )


def restriction_lifted_on(session: Session, *, person: PmiPerson) -> date | None:
    """The day of the latest granted lifting of a restriction, or None (never lifted)."""
    return session.scalar(
        select(func.max(SubjectRequest.answered_on)).where(
            SubjectRequest.person_id == person.id,
            SubjectRequest.kind == RequestKind.PENCABUTAN_PEMBATASAN,
            SubjectRequest.status == RequestStatus.DIKABULKAN,
        )
    )


def restriction_message(since: date) -> str:
    return RESTRICTED.format(since=since.strftime("%d-%m-%Y"))


def visible_clause(actor: Principal) -> ColumnElement[bool]:
    """Persons ``actor`` may read at all: the village's staff theirs, a pendamping those of
    its villages who consented, nobody else any (aggregates come from elsewhere)."""
    in_scope = (
        select(Region.code)
        .where(Region.code == PmiPerson.village_code, actor.scope.region_clause())
        .exists()
    )
    if actor.role in FULL_ROLES:
        return in_scope
    if actor.role is Role.PENDAMPING:
        return (
            in_scope
            & PmiPerson.share_with_pendamping.is_(True)
            & PmiPerson.anonymised_at.is_(None)
            & ~restricted_clause()  # a restriction in force withdraws the sharing too
        )
    return false()


def sees_everything(actor: Principal) -> bool:
    """True for the roles that read the whole record (NIK, phone, documents)."""
    return actor.role in FULL_ROLES


def log_access(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    person: PmiPerson | None,
    action: str,
    purpose: Purpose,
) -> None:
    """Write one access-log entry (who, when, which record, why). The read that caused it is
    refused if the entry cannot be written: the entry is flushed in the reader's transaction."""
    session.add(
        AccessLogEntry(
            at=utcnow(),
            user_id=actor.user_id,
            username=actor.username,
            village_code=village_code,
            person_id=person.id if person else None,
            person_public_id=person.public_id if person else "",
            action=action,
            purpose=purpose.value,
        )
    )
    session.flush()


def _person_query(actor: Principal, public_id: str) -> Select[PmiPerson]:
    return select(PmiPerson).where(PmiPerson.public_id == public_id, visible_clause(actor))


def find_person(session: Session, *, actor: Principal, public_id: str) -> PmiPerson:
    """The person if ``actor`` may see them, else NotFound (404): existence is never told.
    Reads no personal field and writes nothing: for the checks of a write."""
    if len(public_id) > 24:
        raise NotFound(NOT_FOUND)
    person = session.scalar(_person_query(actor, public_id))
    if person is None:
        raise NotFound(NOT_FOUND)
    return person


def writable_person(
    session: Session, *, actor: Principal, public_id: str, subject_right: bool = False
) -> PmiPerson:
    """The person, for a change: NotFound outside the actor's sight, OutOfScope without the
    right to record, ValidationFailed once anonymised or, unless the change serves the
    person's own rights (``subject_right``: a correction, a request and its answer), while
    processing is restricted (``restricted_clause``)."""
    person = find_person(session, actor=actor, public_id=public_id)
    actor.require("register.record", person.village_code)
    if person.anonymised_at is not None:
        raise ValidationFailed({"person": "Data orang ini sudah dianonimkan."})
    if not subject_right:
        since = restricted_since(session, person=person)
        if since is not None:
            raise ValidationFailed({"person": restriction_message(since)})
    return person


@dataclass(frozen=True, slots=True)
class PersonView:
    """What a page shows of a person: the whole record, or the consented summary."""

    person: PmiPerson
    full: bool
    nik: str = ""
    phone: str = ""
    family_contact_phone: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _open(token: str | None, keyring: crypto.Keyring) -> str:
    return crypto.unseal(token, keyring=keyring) if token else ""


def read_person(
    session: Session,
    *,
    actor: Principal,
    public_id: str,
    keyring: crypto.Keyring,
    purpose: Purpose = Purpose.PENDATAAN,
    action: str = "lihat",
) -> PersonView:
    """Open a person's record for ``actor`` and write the read to the access log.

    Raises NotFound for anyone who may not see the person (monitors, admins: always).
    """
    if len(public_id) > 24:
        raise NotFound(NOT_FOUND)
    person = session.scalar(
        _person_query(actor, public_id).options(
            selectinload(PmiPerson.consultations),
            selectinload(PmiPerson.documents),
            selectinload(PmiPerson.letters),
            selectinload(PmiPerson.departures),
            selectinload(PmiPerson.returns),
            selectinload(PmiPerson.cases),
            selectinload(PmiPerson.empowerments),
        )
    )
    if person is None:
        raise NotFound(NOT_FOUND)
    full = sees_everything(actor)
    log_access(
        session,
        actor=actor,
        village_code=person.village_code,
        person=person,
        action=action,
        purpose=purpose if full else Purpose.BERBAGI_PENDAMPING,
    )
    if not full:
        return PersonView(person=person, full=False)
    return PersonView(
        person=person,
        full=True,
        nik=_open(person.nik_sealed, keyring),
        phone=_open(person.phone_sealed, keyring),
        family_contact_phone=_open(person.family_contact_phone_sealed, keyring),
    )


@dataclass(frozen=True, slots=True)
class ListedPerson:
    public_id: str
    name: str
    rt: str
    rw: str
    stage: str
    anonymised: bool


def stage_of(person: PmiPerson) -> str:
    """Where the person stands: calon (no departure), bekerja (departed, not back), purna."""
    if not person.departures:
        return "calon"
    last_departure = person.departures[-1].departed_on
    if person.returns and person.returns[-1].returned_on >= last_departure:
        return "purna"
    return "bekerja"


STAGE_LABELS = {"calon": "Calon PMI", "bekerja": "Sedang bekerja", "purna": "PMI purna"}


def list_persons(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    name: str = "",
    page: int = 1,
    per_page: int = 50,
) -> Page[ListedPerson]:
    """The village's register as ``actor`` may see it, by name; the listing is logged."""
    actor.require("register.list", village_code)
    stmt = select(PmiPerson).where(PmiPerson.village_code == village_code, visible_clause(actor))
    if name:
        escaped = name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(func.lower(PmiPerson.name).like(f"%{escaped}%", escape="\\"))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.options(selectinload(PmiPerson.departures), selectinload(PmiPerson.returns))
        .order_by(PmiPerson.name, PmiPerson.id)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    log_access(
        session,
        actor=actor,
        village_code=village_code,
        person=None,
        action="daftar",
        purpose=Purpose.PENDATAAN if sees_everything(actor) else Purpose.BERBAGI_PENDAMPING,
    )
    items = [
        ListedPerson(
            public_id=p.public_id,
            name=p.name if p.anonymised_at is None else "(dianonimkan)",
            rt=p.rt,
            rw=p.rw,
            stage=stage_of(p),
            anonymised=p.anonymised_at is not None,
        )
        for p in rows
    ]
    return Page(items=items, total=total, page=max(page, 1), per_page=per_page)


def find_by_nik(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    nik_value: str,
    keyring: crypto.Keyring,
) -> str | None:
    """The public id of the village's person with this NIK, if ``actor`` may see them."""
    actor.require("register.record", village_code)
    digest = crypto.lookup_hash(nik.normalise_nik(nik_value), keyring=keyring)
    return session.scalar(
        select(PmiPerson.public_id).where(
            PmiPerson.nik_hash == digest,
            PmiPerson.village_code == village_code,
            visible_clause(actor),
        )
    )


NIK_MISMATCH = (
    "Kosongkan agar mengikuti NIK, periksa kembali NIK-nya, atau centang "
    "«Data ini memang berbeda dari NIK»."
)
DIFFERS_HINT = (
    "Centang bila data ini memang berbeda dari NIK, mis. tanggal lahir yang sudah dikoreksi "
    "Dukcapil tanpa NIK baru (di berkas impor: kolom beda_dari_nik berisi 1)."
)


def same_birthday(typed: date, from_nik: date) -> bool:
    """Whether a typed birth date is the one a NIK encodes: the NIK holds two digits of the
    year, so 1926 and 2026 are the same to it."""
    return (typed.day, typed.month, typed.year % 100) == (
        from_nik.day,
        from_nik.month,
        from_nik.year % 100,
    )


@dataclass(slots=True)
class _PersonInput:
    values: dict[str, Any]
    nik: str
    phone: str
    family_phone: str


def _nik_facts(stored_nik: str) -> nik.NikFacts | None:
    """What a stored NIK says of sex and birth date (None without one, once anonymised)."""
    try:
        return nik.parse_nik(stored_nik) if stored_nik else None
    except ValidationFailed:
        return None


def differs_from_nik(person: PmiPerson, stored_nik: str) -> bool:
    """Whether the record's sex or birth date is not what its NIK says (kept on purpose)."""
    facts = _nik_facts(stored_nik)
    if facts is None:
        return False
    born = person.birth_on
    return person.sex is not facts.sex or (
        isinstance(born, date) and not same_birthday(born, facts.birth_date)
    )


def _parse_person(
    session: Session, data: dict[str, str], *, with_nik: bool, stored_nik: str = ""
) -> _PersonInput:
    """The form's fields checked; with ``with_nik`` the typed NIK, else (an edit) the stored
    ``stored_nik``, against which a typed sex or birth date is compared."""
    errors = FieldErrors()
    facts = None if with_nik else _nik_facts(stored_nik)
    nik_value = ""
    if with_nik:
        raw = data.get("nik", "")
        try:
            facts = nik.validate_nik(raw if isinstance(raw, str) else "", session=session)
            nik_value = nik.normalise_nik(raw)
        except ValidationFailed as exc:
            errors.update({k: v for k, v in exc.errors.items() if k not in errors})
    values: dict[str, Any] = {
        "name": clean_text(
            data.get("name"), field="name", errors=errors, max_length=100, required=True
        ),
        "address": clean_text(data.get("address"), field="address", errors=errors, max_length=200),
        "rt": rt_rw(data.get("rt"), field="rt", errors=errors),
        "rw": rt_rw(data.get("rw"), field="rw", errors=errors),
        "family_contact_name": clean_text(
            data.get("family_contact_name"),
            field="family_contact_name",
            errors=errors,
            max_length=100,
        ),
        "family_contact_relation": clean_text(
            data.get("family_contact_relation"),
            field="family_contact_relation",
            errors=errors,
            max_length=40,
        ),
        "share_with_pendamping": flag(data.get("share_with_pendamping")),
    }
    # Dukcapil may correct a birth date without issuing a new NIK: the user may then confirm
    # that the record differs from what the NIK encodes
    differs_ok = flag(data.get("beda_dari_nik"))
    sex_raw = (data.get("sex") or "").strip()
    if sex_raw:
        if sex_raw not in {s.value for s in Sex}:
            errors.add("sex", "Pilih laki-laki atau perempuan.")
        else:
            values["sex"] = Sex(sex_raw)
            if facts is not None and not differs_ok and values["sex"] is not facts.sex:
                said = SEX_LABELS[facts.sex].lower()
                errors.add("sex", f"Tidak sesuai dengan NIK (menurut NIK: {said}). {NIK_MISMATCH}")
    elif facts is not None:
        values["sex"] = Sex(facts.sex.value)
    elif with_nik and "nik" not in errors:  # a bad NIK: its own message says what to fix
        errors.add("sex", "Wajib diisi.")
    born = past_date(data.get("birth_on"), field="birth_on", errors=errors, required=False)
    if born is not None:
        values["birth_on"] = born
        if facts is not None and not differs_ok and not same_birthday(born, facts.birth_date):
            said = format_date(facts.birth_date, "d MMMM y", locale="id")
            errors.add(
                "birth_on", f"Tidak sesuai dengan NIK (menurut NIK: lahir {said}). {NIK_MISMATCH}"
            )
    elif facts is not None and not (data.get("birth_on") or "").strip():
        values["birth_on"] = facts.birth_date
    if any(NIK_MISMATCH in errors.get(f, "") for f in ("sex", "birth_on")):
        errors.add("beda_dari_nik", DIFFERS_HINT)
    person_phone = phone(data.get("phone"), field="phone", errors=errors)
    family_phone = phone(
        data.get("family_contact_phone"), field="family_contact_phone", errors=errors
    )
    if errors:
        raise ValidationFailed(dict(errors))
    return _PersonInput(values=values, nik=nik_value, phone=person_phone, family_phone=family_phone)


def create_person(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    data: dict[str, str],
    keyring: crypto.Keyring,
) -> PmiPerson:
    """Record a person. Raises ValidationFailed for bad fields, a bad NIK or a NIK already in
    the register (of any village: one person, one record); OutOfScope without the right."""
    actor.require("register.record", village_code)
    parsed = _parse_person(session, data, with_nik=True)
    digest = crypto.lookup_hash(parsed.nik, keyring=keyring)
    if session.scalar(select(PmiPerson.id).where(PmiPerson.nik_hash == digest)) is not None:
        raise ValidationFailed({"nik": DUPLICATE})
    person = PmiPerson(
        public_id=new_public_id(),
        village_code=village_code,
        nik_sealed=crypto.seal(parsed.nik, keyring=keyring),
        nik_hash=digest,
        phone_sealed=crypto.seal(parsed.phone, keyring=keyring) if parsed.phone else None,
        family_contact_phone_sealed=(
            crypto.seal(parsed.family_phone, keyring=keyring) if parsed.family_phone else None
        ),
        consent_recorded_on=local_today() if parsed.values["share_with_pendamping"] else None,
        created_at=utcnow(),
        updated_at=utcnow(),
        **parsed.values,
    )
    try:
        with session.begin_nested():  # a parallel save of the same NIK may have won
            session.add(person)
            session.flush()
    except IntegrityError:
        raise ValidationFailed({"nik": DUPLICATE}) from None
    audit.record(
        session,
        actor=actor,
        entity="pmi_person",
        entity_id=person.id,
        action="create",
        changes={k: (None, v) for k, v in parsed.values.items()},
        village_code=village_code,
    )
    return person


def update_person(
    session: Session,
    *,
    actor: Principal,
    public_id: str,
    data: dict[str, str],
    expected_version: int | None,
    keyring: crypto.Keyring,
) -> PmiPerson:
    """Correct a person's fields (not the NIK: a wrong NIK is a new record). Raises Conflict
    when someone saved since the form was opened, ValidationFailed for bad fields."""
    person = writable_person(session, actor=actor, public_id=public_id, subject_right=True)
    if expected_version is None or expected_version != person.version:
        raise Conflict(STALE)
    stored_nik = _open(person.nik_sealed, keyring)
    parsed = _parse_person(session, data, with_nik=False, stored_nik=stored_nik)
    changes: dict[str, tuple[Any, Any]] = {}
    for key, value in parsed.values.items():
        if getattr(person, key) != value:
            changes[key] = (getattr(person, key), value)
            setattr(person, key, value)
    for attr, value in (
        ("phone_sealed", parsed.phone),
        ("family_contact_phone_sealed", parsed.family_phone),
    ):
        if _open(getattr(person, attr), keyring) != value:
            changes[attr.removesuffix("_sealed")] = ("(disegel)", "(disegel)")
            setattr(person, attr, crypto.seal(value, keyring=keyring) if value else None)
    if "share_with_pendamping" in changes:
        person.consent_recorded_on = local_today() if person.share_with_pendamping else None
    if not changes:
        return person
    person.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(STALE) from exc
    audit.record(
        session,
        actor=actor,
        entity="pmi_person",
        entity_id=person.id,
        action="update",
        changes=changes,
        village_code=person.village_code,
    )
    return person


def person_form_values(view: PersonView) -> dict[str, str]:
    """The edit form's values for a fully visible person."""
    p = view.person
    return {
        "name": p.name,
        "sex": p.sex.value,
        "birth_on": p.birth_on.isoformat() if isinstance(p.birth_on, date) else "",
        "address": p.address,
        "rt": p.rt,
        "rw": p.rw,
        "phone": view.phone,
        "family_contact_name": p.family_contact_name,
        "family_contact_relation": p.family_contact_relation,
        "family_contact_phone": view.family_contact_phone,
        "share_with_pendamping": "1" if p.share_with_pendamping else "",
        # a record kept different from its NIK on purpose stays saveable as it is
        "beda_dari_nik": "1" if differs_from_nik(p, view.nik) else "",
        "version": str(p.version),
    }
