"""Parsing register form fields: dates that may not lie in the future, choices, phones."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import TypeVar

from perdes.tracking.deadlines import local_today
from perdes.validation import FieldErrors, parse_iso_date

EARLIEST = date(1950, 1, 1)
_PHONE = re.compile(r"(\+62|62|0)8[0-9]{7,12}")
_RT_RW = re.compile(r"[0-9]{1,3}")
E = TypeVar("E", bound=StrEnum)


def past_date(
    raw: object,
    *,
    field: str,
    errors: FieldErrors,
    required: bool = True,
    not_before: date | None = None,
    not_before_reason: str = "",
) -> date | None:
    """A date written YYYY-MM-DD, not after today (WIB) and not before ``not_before``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors.add(field, "Wajib diisi.")
        return None
    value = parse_iso_date(raw, lo=EARLIEST)
    if value is None:
        errors.add(field, "Tanggal tidak valid; tulis sebagai TTTT-BB-HH.")
        return None
    if value > local_today():
        errors.add(field, "Tanggal tidak boleh sesudah hari ini.")
        return None
    if not_before is not None and value < not_before:
        errors.add(field, not_before_reason or "Tanggal terlalu awal.")
        return None
    return value


def choice(raw: object, enum: type[E], *, field: str, errors: FieldErrors) -> E | None:
    """One of the enum's values, or None with 'Pilih salah satu.'"""
    if isinstance(raw, str):
        for member in enum:
            if raw.strip() == member.value:
                return member
    errors.add(field, "Pilih salah satu pilihan yang tersedia.")
    return None


def flag(raw: object) -> bool:
    """A checkbox: ticked when it sent "1"."""
    return isinstance(raw, str) and raw.strip() == "1"


def phone(raw: object, *, field: str, errors: FieldErrors) -> str:
    """An Indonesian mobile number, normalised to 08…; empty when not given."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ""
    if not isinstance(raw, str):
        errors.add(field, "Isian harus berupa teks.")
        return ""
    compact = re.sub(r"[\s.\-()]", "", raw)
    if len(compact) > 20 or not _PHONE.fullmatch(compact):
        errors.add(field, "Nomor telepon tidak valid; contoh 081234567890.")
        return ""
    return "0" + compact.removeprefix("+").removeprefix("62").removeprefix("0")


def rt_rw(raw: object, *, field: str, errors: FieldErrors) -> str:
    """RT or RW: one to three digits, kept as written without leading zeros; may be empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ""
    if not isinstance(raw, str) or not _RT_RW.fullmatch(raw.strip()):
        errors.add(field, "Tulis dengan angka, paling banyak 3 digit.")
        return ""
    return raw.strip().zfill(3)
