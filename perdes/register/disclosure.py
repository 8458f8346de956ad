"""Named exports for the Dinas: a recorded legal basis, a second officer's approval, a log.

A monitor never sees a name in the app. When the Dinas (or BP3MI) needs named records — a
case referred to it, a departure it must follow up — the village prepares the file itself:
a petugas or operator records the request with its purpose, legal basis and the Dinas's
letter; another officer of the village approves or refuses it (four eyes); only then can the
file be downloaded, and every person in it is written to the access log (UU 27/2022 Pasal 16
and 20: purpose-bound, lawful, accountable).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, exists, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import Base, UTCDateTime, utcnow
from perdes.errors import Conflict, NotFound, OutOfScope, ValidationFailed
from perdes.register import crypto
from perdes.register.basis import LEGAL_BASES, SEX_LABELS, Purpose
from perdes.register.models import Case, Departure, PmiPerson, Referral, _enum
from perdes.register.services import log_access, restricted_clause
from perdes.validation import FieldErrors, clean_text


class Selection(StrEnum):
    """Which persons a disclosure holds."""

    KASUS_DIRUJUK = "kasus_dirujuk"  # persons with a case referred to the Dinas or BP3MI
    KEBERANGKATAN = "keberangkatan"  # persons with a recorded departure


class DisclosureStatus(StrEnum):
    DIAJUKAN = "diajukan"
    DISETUJUI = "disetujui"
    DITOLAK = "ditolak"


SELECTION_LABELS = {
    Selection.KASUS_DIRUJUK: "Orang dengan kasus yang dirujuk ke Dinas/BP3MI",
    Selection.KEBERANGKATAN: "Orang dengan keberangkatan tercatat",
}
STATUS_LABELS = {
    DisclosureStatus.DIAJUKAN: "Menunggu persetujuan",
    DisclosureStatus.DISETUJUI: "Disetujui",
    DisclosureStatus.DITOLAK: "Ditolak",
}
PURPOSES = (Purpose.KASUS, Purpose.PEMANTAUAN)
HEADER = (
    "NIK",
    "Nama",
    "Jenis kelamin",
    "Tanggal lahir",
    "RT",
    "RW",
    "Telepon",
    "Keberangkatan terakhir",
    "Negara tujuan",
    "Prosedural",
    "Kasus dirujuk (tanggal dibuka)",
)


class RegisterDisclosure(Base):
    """A named export of register records for the Dinas/BP3MI, with basis and approval."""

    __tablename__ = "register_disclosure"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(120), comment="e.g. Disnaker Kab. Serang")
    request_reference: Mapped[str] = mapped_column(
        String(120), comment="the recipient's letter asking for the data (number, date)"
    )
    purpose: Mapped[str] = mapped_column(String(30), comment="a Purpose of register.basis")
    legal_basis: Mapped[str] = mapped_column(String(200))
    selection: Mapped[Selection] = mapped_column(_enum(Selection))
    status: Mapped[DisclosureStatus] = mapped_column(_enum(DisclosureStatus))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    requested_by_name: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_by_name: Mapped[str] = mapped_column(String(40), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exported_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


def request_disclosure(
    session: Session, *, actor: Principal, village_code: str, data: dict[str, str]
) -> RegisterDisclosure:
    """Record a request to export named records for the Dinas; it waits for approval.

    Raises OutOfScope without ``register.export`` in the village, ValidationFailed on bad
    input (recipient and the recipient's letter required, purpose case or monitoring).
    """
    actor.require("register.export", village_code)
    errors = FieldErrors()
    recipient = clean_text(
        data.get("recipient"), field="recipient", errors=errors, max_length=120, required=True
    )
    reference = clean_text(
        data.get("request_reference"),
        field="request_reference",
        errors=errors,
        max_length=120,
        required=True,
    )
    purpose = next((p for p in PURPOSES if p.value == (data.get("purpose") or "").strip()), None)
    if purpose is None:
        errors.add("purpose", "Pilih tujuan: rujukan kasus atau pemantauan keberangkatan.")
    selection = next(
        (s for s in Selection if s.value == (data.get("selection") or "").strip()), None
    )
    if selection is None:
        errors.add("selection", "Pilih data yang diekspor.")
    if errors or purpose is None or selection is None:
        raise ValidationFailed(dict(errors))
    row = RegisterDisclosure(
        village_code=village_code,
        recipient=recipient,
        request_reference=reference,
        purpose=purpose.value,
        legal_basis=LEGAL_BASES[purpose],
        selection=selection,
        status=DisclosureStatus.DIAJUKAN,
        requested_by_id=actor.user_id,
        requested_by_name=actor.username,
        requested_at=utcnow(),
    )
    session.add(row)
    session.flush()
    _audit(session, actor, row, "request", {"status": (None, row.status.value)})
    return row


def disclosures(
    session: Session, *, actor: Principal, village_code: str
) -> list[RegisterDisclosure]:
    """The village's disclosures, newest first (OutOfScope without ``register.export``)."""
    actor.require("register.export", village_code)
    return list(
        session.scalars(
            select(RegisterDisclosure)
            .where(RegisterDisclosure.village_code == village_code)
            .order_by(RegisterDisclosure.id.desc())
        )
    )


def _get(
    session: Session, *, actor: Principal, village_code: str, disclosure_id: int
) -> RegisterDisclosure:
    actor.require("register.export", village_code)
    row = session.get(RegisterDisclosure, disclosure_id)
    if row is None or row.village_code != village_code:
        raise NotFound("Permintaan ekspor tidak ditemukan.")
    return row


def decide_disclosure(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    disclosure_id: int,
    approve: bool,
    version: int | None,
) -> RegisterDisclosure:
    """Approve or refuse a waiting request; the requester may not decide their own.

    Raises OutOfScope for the requester or without the right, Conflict when it was decided
    meanwhile or the version is stale, NotFound for another village's request.
    """
    row = _get(session, actor=actor, village_code=village_code, disclosure_id=disclosure_id)
    if row.requested_by_id is not None and row.requested_by_id == actor.user_id:
        raise OutOfScope("Permintaan ekspor harus disetujui petugas lain, bukan pengajunya.")
    if row.status is not DisclosureStatus.DIAJUKAN or version != row.version:
        raise Conflict("Permintaan ini sudah diputuskan atau diubah. Muat ulang halaman.")
    before = row.status
    row.status = DisclosureStatus.DISETUJUI if approve else DisclosureStatus.DITOLAK
    row.decided_by_id = actor.user_id
    row.decided_by_name = actor.username
    row.decided_at = utcnow()
    session.flush()
    _audit(session, actor, row, "decide", {"status": (before.value, row.status.value)})
    return row


def export_disclosure(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    disclosure_id: int,
    keyring: crypto.Keyring,
) -> list[list[Any]]:
    """The rows of an approved disclosure (NIK and phone opened), each person logged.

    Raises Conflict unless approved; OutOfScope without ``register.export``; NotFound for
    another village's request. Anonymised persons are left out, and so are persons whose
    processing is restricted by a granted objection.
    """
    row = _get(session, actor=actor, village_code=village_code, disclosure_id=disclosure_id)
    if row.status is not DisclosureStatus.DISETUJUI:
        raise Conflict("Ekspor hanya dapat diunduh setelah disetujui petugas lain.")
    stmt = select(PmiPerson).where(
        PmiPerson.village_code == village_code,
        PmiPerson.anonymised_at.is_(None),
        ~restricted_clause(),
    )
    if row.selection is Selection.KASUS_DIRUJUK:
        stmt = stmt.where(
            exists().where(Case.person_id == PmiPerson.id, Case.referral != Referral.BELUM)
        )
    else:
        stmt = stmt.where(exists().where(Departure.person_id == PmiPerson.id))
    out: list[list[Any]] = []
    purpose = Purpose(row.purpose)
    for person in session.scalars(stmt.order_by(PmiPerson.name, PmiPerson.id)):
        last = person.departures[-1] if person.departures else None
        referred = [c for c in person.cases if c.referral is not Referral.BELUM]
        out.append(
            [
                crypto.unseal(person.nik_sealed, keyring=keyring) if person.nik_sealed else "",
                person.name,
                SEX_LABELS[person.sex],
                person.birth_on,
                person.rt,
                person.rw,
                crypto.unseal(person.phone_sealed, keyring=keyring) if person.phone_sealed else "",
                last.departed_on if last else None,
                last.country if last else "",
                ("ya" if last.procedural else "tidak") if last else "",
                ", ".join(c.opened_on.isoformat() for c in referred),
            ]
        )
        log_access(
            session,
            actor=actor,
            village_code=village_code,
            person=person,
            action="ekspor",
            purpose=purpose,
        )
    row.exported_at = utcnow()
    row.exported_count = len(out)
    session.flush()
    _audit(session, actor, row, "export", {"exported_count": (None, len(out))})
    return out


def _audit(
    session: Session,
    actor: Principal,
    row: RegisterDisclosure,
    action: str,
    changes: dict[str, tuple[object, object]],
) -> None:
    audit.record(
        session,
        actor=actor,
        entity="register_disclosure",
        entity_id=row.id,
        action=action,
        changes=changes,
        village_code=row.village_code,
    )
