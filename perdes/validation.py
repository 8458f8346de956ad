"""Checks shared by every form and import: lengths, control characters, numbers."""

from __future__ import annotations

import re
import unicodedata

# Characters XML 1.0 forbids plus C1 controls; tab and newline are allowed only in long text.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_LINE_CONTROL_RE = re.compile(r"[\t\n\r]")


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
