"""Checks shared by every form and import: lengths, control characters, numbers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Characters XML 1.0 forbids plus C1 controls; tab and newline are allowed only in long text.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_LINE_CONTROL_RE = re.compile(r"[\t\n\r]")
# Bidirectional overrides and isolates can make text read differently from what it is.
_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Invisible characters: text made only of these (and spaces) is empty to a reader.
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e\\s]")
_DIGITS_RE = re.compile(r"[0-9]{1,10}")
_ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Bounds like the API's: ids and versions fit a 32-bit signed column.
MAX_INT = 2**31 - 1
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2200, 12, 31)


def parse_int(raw: object, *, lo: int = 0, hi: int = MAX_INT) -> int | None:
    """A whole number written with ASCII digits only (no sign, "²" or other Unicode digits,
    no digit separators), within [lo, hi]; None otherwise. Surrounding spaces are ignored."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _DIGITS_RE.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        return None
    return value if lo <= value <= hi else None


def parse_iso_date(raw: object, *, lo: date = FIRST_DATE, hi: date = LAST_DATE) -> date | None:
    """A date written YYYY-MM-DD in ASCII digits, within [lo, hi]; None otherwise."""
    if isinstance(raw, date):
        value = raw
    elif isinstance(raw, str) and _ISO_DATE_RE.fullmatch(raw.strip()):
        try:
            value = date.fromisoformat(raw.strip())
        except ValueError:
            return None
    else:
        return None
    return value if lo <= value <= hi else None


def has_control_chars(value: str, *, multiline: bool = False) -> bool:
    if _CONTROL_RE.search(value):
        return True
    return not multiline and bool(_LINE_CONTROL_RE.search(value))


class FieldErrors(dict[str, str]):
    """Collects one Indonesian message per field, keeping the first problem found."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, message)


def clean_text(
    raw: object,
    *,
    field: str,
    errors: FieldErrors,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """Return the trimmed, NFC-normalised text, or record why it was refused."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors.add(field, "Isian harus berupa teks.")
        return ""
    value = unicodedata.normalize("NFC", raw.strip())
    if multiline:
        value = value.replace("\r\n", "\n")
    if has_control_chars(value, multiline=multiline):
        errors.add(field, "Isian mengandung karakter kontrol yang tidak diperbolehkan.")
        return ""
    if _BIDI_RE.search(value):
        errors.add(field, "Isian mengandung karakter pengatur arah teks yang tidak diperbolehkan.")
        return ""
    if not _INVISIBLE_RE.sub("", value):
        value = ""  # only invisible characters: nothing a reader could see
    if required and not value:
        errors.add(field, "Wajib diisi.")
    elif len(value) > max_length:
        errors.add(field, f"Terlalu panjang: paling banyak {max_length} karakter.")
    return value


def clean_count(
    raw: object, *, field: str, errors: FieldErrors, maximum: int = 10_000_000
) -> int | None:
    """An optional non-negative whole number; empty means unknown (None)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        errors.add(field, "Isian harus berupa bilangan bulat.")
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and re.fullmatch(r"[0-9]{1,9}", raw.strip().replace(".", "")):
        value = int(raw.strip().replace(".", ""))
    else:
        errors.add(field, "Isian harus berupa bilangan bulat, tanpa huruf atau tanda minus.")
        return None
    if value < 0:
        errors.add(field, "Tidak boleh negatif.")
        return None
    if value > maximum:
        errors.add(field, f"Terlalu besar: paling banyak {maximum:,}.".replace(",", "."))
        return None
    return value
