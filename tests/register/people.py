"""Test persons of the register and a helper that records one through the services."""

from __future__ import annotations

from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.register import crypto
from perdes.register import services as register
from perdes.register.models import PmiPerson

# Valid NIKs of Kecamatan 36.04.13 (Serang), a man born 15-03-1995, a woman born 21-07-1998.
SITI = {
    "nik": "3604136107980002",
    "name": "Siti Nurhalizah Uji",
    "address": "Kampung Kebon Jeruk",
    "rt": "3",
    "rw": "5",
    "phone": "081298765432",
    "family_contact_name": "Rahmat Hidayat Uji",
    "family_contact_relation": "suami",
    "family_contact_phone": "085711112222",
}
JAJANG = {
    "nik": "3604131503950001",
    "name": "Jajang Sukmana Uji",
    "address": "Kampung Pasir",
    "rt": "1",
    "rw": "2",
    "phone": "081355554444",
}


def make_person(
    db: Session, *, actor: Principal, village_code: str, keyring: crypto.Keyring, **data: str
) -> PmiPerson:
    return register.create_person(
        db, actor=actor, village_code=village_code, data={**SITI, **data}, keyring=keyring
    )
