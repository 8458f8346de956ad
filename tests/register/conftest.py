"""Register fixtures: a keyring and plain factories writing register rows directly."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy.orm import Session

from perdes.config import Settings
from perdes.register.basis import REQUIRED_DOCUMENTS
from perdes.register.crypto import Keyring, keyring_from_settings, lookup_hash, seal
from perdes.register.models import (
    Case,
    CaseStatus,
    Channel,
    Consultation,
    Departure,
    DocumentCheck,
    DocumentStatus,
    PmiPerson,
    Referral,
    Return,
    ReturnCondition,
    Sex,
)

_SERIAL = itertools.count(1)
BASIS = "tugas_desa"


@pytest.fixture()
def keyring(settings: Settings) -> Keyring:
    """The app's keyring (development keys generated in the test's instance folder)."""
    return keyring_from_settings(settings)


def next_nik(district: str = "360413") -> str:
    return f"{district}4506950{next(_SERIAL):03d}"[:16]


def make_person(
    db: Session, village: str, *, keyring: Keyring, nik: str | None = None, name: str = "Warga"
) -> PmiPerson:
    nik = nik or next_nik(village.replace(".", "")[:6])
    person = PmiPerson(
        public_id=f"p{next(_SERIAL):08d}",
        village_code=village,
        nik_sealed=seal(nik, keyring=keyring),
        nik_hash=lookup_hash(nik, keyring=keyring),
        name=name,
        sex=Sex.P,
        birth_on=date(1995, 6, 5),
        phone_sealed=seal("081234567890", keyring=keyring),
    )
    db.add(person)
    db.flush()
    return person


def consult(db: Session, person: PmiPerson, on: date = date(2026, 1, 5)) -> Consultation:
    row = Consultation(person_id=person.id, held_on=on, channel=Channel.P3MI, legal_basis=BASIS)
    db.add(row)
    db.flush()
    return row


def verify_all(db: Session, person: PmiPerson, channel: Channel = Channel.P3MI) -> None:
    for kind in REQUIRED_DOCUMENTS[channel]:
        db.add(
            DocumentCheck(
                person_id=person.id, kind=kind, status=DocumentStatus.SESUAI, legal_basis=BASIS
            )
        )
    db.flush()


def depart(
    db: Session, person: PmiPerson, on: date = date(2026, 2, 1), *, procedural: bool = True
) -> Departure:
    row = Departure(
        person_id=person.id,
        departed_on=on,
        country="Malaysia",
        channel=Channel.P3MI,
        procedural=procedural,
        legal_basis=BASIS,
    )
    db.add(row)
    db.flush()
    return row


def come_back(db: Session, person: PmiPerson, on: date = date(2026, 6, 1)) -> Return:
    row = Return(
        person_id=person.id, returned_on=on, condition=ReturnCondition.SEHAT, legal_basis=BASIS
    )
    db.add(row)
    db.flush()
    return row


def open_case(db: Session, person: PmiPerson, *, closed: bool = False) -> Case:
    row = Case(
        person_id=person.id,
        opened_on=date(2026, 7, 1),
        summary="Gaji tidak dibayar",
        referral=Referral.DINAS,
        status=CaseStatus.SELESAI if closed else CaseStatus.DIBUKA,
        legal_basis=BASIS,
    )
    db.add(row)
    db.flush()
    return row
