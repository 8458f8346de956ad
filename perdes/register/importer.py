"""Importing a village's existing list of Calon PMI / PMI (CSV or XLSX) into the register.

All or nothing: every row goes through the same checks as the person form
(``services.create_person``: NIK, names, phones, duplicates by keyed hash), each problem is
reported with its line number, and if any row fails nothing is written. Only the columns of
``COLUMNS`` are accepted — an unknown column is refused rather than silently dropped, so a
list cannot carry more personal data into the register than the form would (UU 27/2022
Pasal 16, minimal data). The file's type is decided by its content; a name that claims
another type is refused.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.errors import ValidationFailed
from perdes.register import crypto, nik, services
from perdes.register.models import PmiPerson

# header in the file -> field of the person form
COLUMNS: dict[str, str] = {
    "nik": "nik",
    "nama": "name",
    "jenis_kelamin": "sex",
    "tanggal_lahir": "birth_on",
    "alamat": "address",
    "rt": "rt",
    "rw": "rw",
    "telepon": "phone",
    "nama_kontak_keluarga": "family_contact_name",
    "hubungan_kontak_keluarga": "family_contact_relation",
    "telepon_kontak_keluarga": "family_contact_phone",
    "beda_dari_nik": "beda_dari_nik",  # 1: sex or birth date knowingly differ from the NIK
}
REQUIRED = ("nik", "nama")
MAX_ROWS = 5000
MAX_ERRORS = 200
_EXACT_INT = 2**53


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: int
    public_ids: list[str]


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed({"file": message}, message)


def detect_kind(data: bytes, filename: str) -> str:
    """``"csv"`` or ``"xlsx"`` from the content; ValidationFailed when the name says otherwise."""
    name = filename.lower().strip()
    claimed = "xlsx" if name.endswith(".xlsx") else "csv" if name.endswith(".csv") else None
    if claimed is None:
        raise _fail("Berkas harus berformat CSV (.csv) atau Excel (.xlsx).")
    if not data:
        raise _fail("Berkas kosong.")
    looks_zip = data[:4] == b"PK\x03\x04"
    if claimed == "xlsx":
        if not looks_zip:
            raise _fail("Isi berkas bukan Excel (.xlsx), walaupun namanya .xlsx.")
        return "xlsx"
    if looks_zip or b"\x00" in data[:4096]:
        raise _fail("Isi berkas bukan teks CSV, walaupun namanya .csv.")
    return "csv"


def read_table(data: bytes, filename: str) -> list[tuple[int, dict[str, Any]]]:
    """The rows of the file as (line number, {header: cell}), blank rows skipped.

    Raises ValidationFailed (key ``file``) for a wrong type, bad encoding, missing or
    unknown headers, or too many rows.
    """
    kind = detect_kind(data, filename)
    rows = _csv_rows(data) if kind == "csv" else _xlsx_rows(data)
    if not rows:
        raise _fail("Berkas tidak berisi baris judul kolom.")
    header = rows[0][1]
    names = [str(h or "").strip().lower().replace(" ", "_") for h in header]
    while names and not names[-1]:
        names.pop()
    unknown = [n or "(kosong)" for n in names if n not in COLUMNS]
    if unknown:
        raise _fail(
            f"Kolom tidak dikenal: {', '.join(sorted(set(unknown)))[:200]}. Kolom yang diterima: "
            f"{', '.join(COLUMNS)}."
        )
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise _fail(f"Kolom wajib tidak ada: {', '.join(missing)}.")
    if len(set(names)) != len(names):
        raise _fail("Ada nama kolom yang sama lebih dari sekali.")
    out: list[tuple[int, dict[str, Any]]] = []
    for line, cells in rows[1:]:
        values = list(cells) + [None] * (len(names) - len(cells))
        if any(v not in (None, "") for v in values[len(names) :]):
            raise _fail(f"Baris {line}: ada isian di luar kolom yang berjudul.")
        row = dict(zip(names, values[: len(names)], strict=True))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row.values()):
            continue
        out.append((line, row))
        if len(out) > MAX_ROWS:
            raise _fail(f"Terlalu banyak baris: paling banyak {MAX_ROWS} orang per impor.")
    if not out:
        raise _fail("Berkas tidak berisi data orang.")
    return out


def _csv_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail("Berkas CSV harus berkodean UTF-8.") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[Any]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, list(cells)))
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as exc:
        raise _fail(f"Baris {reader.line_num}: CSV tidak dapat dibaca ({exc}).") from None
    return rows


def _xlsx_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise _fail("Isi berkas bukan Excel (.xlsx) yang dapat dibaca.") from None
    try:
        sheet = book.worksheets[0]
        rows: list[tuple[int, list[Any]]] = []
        for index, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((index, list(cells)))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def _as_text(column: str, value: Any) -> str | None:
    """A cell as the form would send it, or None when its type cannot be trusted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        # A NIK typed as a number: exact only below 2**53 (Excel keeps 15-16 digits).
        return str(value) if abs(value) < _EXACT_INT else None
    if isinstance(value, float) and value.is_integer() and column in {"rt", "rw"}:
        return str(int(value))
    return None


def import_persons(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    data: bytes,
    filename: str,
    keyring: crypto.Keyring,
) -> ImportReport:
    """Record every person of the file in ``village_code``'s register, or none of them.

    Raises ValidationFailed with one message per problem, keyed ``baris N`` (the line of the
    file), including NIKs repeated in the file (keyed hash) or already in the register;
    OutOfScope when the actor may not record in this village.
    """
    actor.require("register.record", village_code)
    rows = read_table(data, filename)
    errors: dict[str, str] = {}
    seen: dict[str, int] = {}
    created: list[PmiPerson] = []
    outer = session.begin_nested()
    try:
        for line, row in rows:
            if len(errors) >= MAX_ERRORS:
                break
            form: dict[str, str] = {}
            bad_type = [c for c, v in row.items() if _as_text(c, v) is None]
            if bad_type:
                errors[f"baris {line}"] = (
                    f"kolom {', '.join(bad_type)}: isi sel harus berupa teks (untuk NIK: format "
                    "sel Teks di Excel)."
                )
                continue
            for column, value in row.items():
                form[COLUMNS[column]] = _as_text(column, value) or ""
            if _well_formed(form.get("nik", "")):
                digest = crypto.lookup_hash(nik.normalise_nik(form["nik"]), keyring=keyring)
                if digest in seen:
                    errors[f"baris {line}"] = f"NIK sama dengan baris {seen[digest]}."
                    continue
                seen[digest] = line
            try:
                with session.begin_nested():
                    created.append(
                        services.create_person(
                            session,
                            actor=actor,
                            village_code=village_code,
                            data=form,
                            keyring=keyring,
                        )
                    )
            except ValidationFailed as exc:
                errors[f"baris {line}"] = "; ".join(
                    f"{_label(field)}: {message}" for field, message in exc.errors.items()
                )
        if errors:
            raise ValidationFailed(errors, refusal_message(errors))
    except BaseException:
        outer.rollback()
        raise
    outer.commit()
    return ImportReport(created=len(created), public_ids=[p.public_id for p in created])


def refusal_message(errors: dict[str, str]) -> str:
    """The headline of a refused import: how many lines need fixing, or the file's problem."""
    lines = sum(1 for where in errors if where.startswith("baris "))
    if lines:
        return f"Tidak ada yang disimpan: {lines} baris perlu diperbaiki."
    return errors.get("file", "Tidak ada yang disimpan.")


def _well_formed(value: str) -> bool:
    try:
        nik.parse_nik(value)
    except ValidationFailed:
        return False
    return True


_LABELS = {field: column for column, field in COLUMNS.items()}


def _label(field: str) -> str:
    return _LABELS.get(field, field)


TEMPLATE_CSV = ",".join(COLUMNS) + "\r\n"
