"""A small, fictional PMI register for Desa Tirtayasa, so that the demo shows both ways of
answering checklist v3: Lontar answers its items by hand, Tirtayasa's register-bound items
derive from the register's counts and wait for the monitor's countersignature.

Every person here is invented (names "Contoh …", NIKs with valid Kecamatan Tirtayasa and
birth-date digits); everything is written through the register's services as the village's
petugas pendataan would, so the derived-data pipeline moves the checklist as in real use.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes.accounts import services as accounts
from perdes.accounts.services import principal_for
from perdes.register import crypto, episodes
from perdes.register import services as register
from perdes.register.basis import REQUIRED_DOCUMENTS
from perdes.register.models import Channel, PmiPerson

REGISTER_VILLAGE = "36.04.13.2001"  # Tirtayasa: Perdes in force since 2019
PETUGAS = "petugas.tirtayasa"

# (NIK, name, consultation / departure / return: days ago or None, channel, procedural,
#  documents all checked, a case referred to BP3MI, help after the return)
PERSONS: tuple[tuple[str, str, int, int | None, int | None, str, bool, bool, bool], ...] = (
    ("3604130505900001", "Contoh Warga Satu", 200, 150, None, "p3mi", True, True, False),
    ("3604135208960002", "Contoh Warga Dua", 120, 90, None, "p3mi", True, True, False),
    ("3604132001880003", "Contoh Warga Tiga", 100, 60, None, "perseorangan", False, False, True),
    ("3604134311850004", "Contoh Warga Empat", 800, 700, 30, "p3mi", True, True, False),
    ("3604135402990005", "Contoh Warga Lima", 10, None, None, "p3mi", True, False, False),
)  # fmt: skip


def load_register(session: Session, *, keyring: crypto.Keyring, today: date) -> int:
    """Record the fictional persons once (skipped when Tirtayasa already keeps a register);
    returns the number recorded."""
    user = accounts.find_user(session, username=PETUGAS)
    if user is None or session.scalar(
        select(PmiPerson.id).where(PmiPerson.village_code == REGISTER_VILLAGE).limit(1)
    ):
        return 0
    actor = principal_for(user)

    def ago(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    for nik, name, consulted, departed, returned, channel, procedural, documents, case in PERSONS:
        person = register.create_person(
            session, actor=actor, village_code=REGISTER_VILLAGE, keyring=keyring,
            data={"nik": nik, "name": name, "rt": "2", "rw": "1"},
        )  # fmt: skip
        pid = person.public_id
        episodes.record_consultation(
            session, actor=actor, public_id=pid,
            data={"held_on": ago(consulted), "channel": channel,
                  "information": "Prosedur penempatan resmi, biaya, daftar P3MI resmi."},
        )  # fmt: skip
        if documents:
            for kind in REQUIRED_DOCUMENTS[Channel(channel)]:
                episodes.set_document(
                    session, actor=actor, public_id=pid,
                    data={"kind": kind.value, "status": "sesuai", "checked_on": ago(consulted)},
                )  # fmt: skip
        if departed is not None:
            episodes.record_departure(
                session, actor=actor, public_id=pid,
                data={"departed_on": ago(departed), "country": "Malaysia", "channel": channel,
                      "p3mi_name": "PT Contoh Penempatan" if channel == "p3mi" else "",
                      "procedural": "ya" if procedural else "tidak"},
            )  # fmt: skip
        if case:
            episodes.open_case(
                session, actor=actor, public_id=pid,
                data={"opened_on": ago(departed - 5 if departed else 1),
                      "summary": "Berangkat tanpa P3MI; dilaporkan ke BP3MI.",
                      "referral": "bp3mi", "referred_on": ago(departed - 6 if departed else 1),
                      "status": "dirujuk"},
            )  # fmt: skip
        if returned is not None:
            episodes.record_return(
                session, actor=actor, public_id=pid,
                data={"returned_on": ago(returned), "condition": "sehat", "needs_economic": "1"},
            )  # fmt: skip
            episodes.record_empowerment(
                session, actor=actor, public_id=pid,
                data={"kind": "pelatihan", "activity": "Pelatihan usaha PMI purna",
                      "started_on": ago(returned - 10)},
            )  # fmt: skip
    return len(PERSONS)
