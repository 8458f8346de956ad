"""Checks of a Nomor Induk Kependudukan before it is sealed and hashed (UU 24/2013, Pasal 13).

A NIK is 16 ASCII digits: province (2), kabupaten/kota (2), kecamatan (2) of the place of
registration, then the birth date as DDMMYY with 40 added to the day for women, then a
4-digit serial. Only what the digits themselves can prove is checked; whether the NIK is
really issued only Dukcapil can tell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from perdes.errors import ValidationFailed
from perdes.regions.models import Region, RegionLevel
from perdes.register.models import Sex
from perdes.tracking.deadlines import local_today

NIK_LENGTH = 16
# [0-9], not \d: \d also matches Arabic-Indic, Devanagari and other Unicode digits.
_NIK = re.compile(r"[0-9]{16}")
FEMALE_DAY_OFFSET = 40


@dataclass(frozen=True)
class NikFacts:
    """What a valid NIK says about its holder; the NIK itself is not kept here."""

    regency_code: str
    district_code: str
    sex: Sex
    birth_date: date


def validate_nik(
    nik: str, *, session: Session, field: str = "nik", today: date | None = None
) -> NikFacts:
    """Check ``nik`` (already stripped by the caller or not) and return what it encodes.

    Raises ``ValidationFailed`` with an Indonesian message under ``field`` when the NIK is
    not 16 ASCII digits, its first four digits are not a kabupaten/kota of the region table
    (or its first six not a kecamatan, when the table holds that kabupaten's kecamatan),
    or its birth-date digits are not a real date in the past.
    """
    facts = parse_nik(nik, field=field, today=today)
    regency = session.scalar(
        select(Region.code).where(
            Region.code == facts.regency_code, Region.level == RegionLevel.KABUPATEN
        )
    )
    if regency is None:
        raise _fail(field, "Empat digit pertama NIK bukan kode kabupaten/kota yang dikenal.")
    known_districts = session.scalar(
        select(func.count())
        .select_from(Region)
        .where(Region.parent_code == facts.regency_code, Region.level == RegionLevel.KECAMATAN)
    )
    if known_districts:
        district = session.scalar(select(Region.code).where(Region.code == facts.district_code))
        if district is None:
            raise _fail(field, "Enam digit pertama NIK bukan kode kecamatan yang dikenal.")
    return facts


def parse_nik(nik: str, *, field: str = "nik", today: date | None = None) -> NikFacts:
    """The checks that need no database: form and birth date (see ``validate_nik``)."""
    value = nik.strip()
    if not value:
        raise _fail(field, "NIK wajib diisi.")
    if not _NIK.fullmatch(value):
        if value.isdigit() and len(value) == NIK_LENGTH:
            raise _fail(field, "NIK hanya boleh berisi angka 0-9.")
        raise _fail(field, "NIK harus terdiri dari 16 angka.")
    day, month, year = int(value[6:8]), int(value[8:10]), int(value[10:12])
    sex = Sex.L
    if day > FEMALE_DAY_OFFSET:
        sex, day = Sex.P, day - FEMALE_DAY_OFFSET
    today = today or local_today()
    # Two year digits: the most recent century that does not put the birth in the future.
    century = 2000 if 2000 + year <= today.year else 1900
    try:
        born = date(century + year, month, day)
    except ValueError:
        raise _fail(field, "Digit tanggal lahir pada NIK (digit 7-12) tidak valid.") from None
    if born > today:  # later this year: born a century ago (1900 + YY, leap as 2000 + YY)
        born = born.replace(year=born.year - 100)
    if value[12:] == "0000":
        raise _fail(field, "Nomor urut NIK (empat digit terakhir) tidak boleh 0000.")
    return NikFacts(
        regency_code=f"{value[0:2]}.{value[2:4]}",
        district_code=f"{value[0:2]}.{value[2:4]}.{value[4:6]}",
        sex=sex,
        birth_date=born,
    )


def normalise_nik(nik: str) -> str:
    """The form that is sealed and hashed: surrounding blanks removed (digits checked before)."""
    return nik.strip()


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed({field: message}, message)
