"""Bulk onboarding: users from a CSV or XLSX file, all or nothing, each invited.

Columns (header names in English or Indonesian, any order): username, full name, email,
phone, role, regions (codes or names, several separated by ``;``, ``|`` or ``,``). Every row
is checked and every problem reported with its line number; a file with any problem writes
nothing. A good file creates the users without passwords, one invitation link each (mailed
when the row has an address) and one audit entry each, in the caller's transaction.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.models import AccountToken, AuditEntry, TokenPurpose, User, UserScope
from perdes.accounts.permissions import ROLE_LABELS, Role
from perdes.accounts.principal import Principal
from perdes.accounts.selfservice import LIFETIMES, IssuedLink, link, new_secret
from perdes.accounts.services import (
    PHONE_RE,
    USERNAME_RE,
    grantable_roles,
    scope_problem,
)
from perdes.db import utcnow
from perdes.errors import DomainError, ValidationFailed
from perdes.mail.models import OutboxMessage
from perdes.mail.outbox import message_values, normalise_email
from perdes.regions.codes import is_valid_code, normalise_code
from perdes.regions.models import Region, RegionLevel
from perdes.validation import FieldErrors, clean_text

MAX_ROWS = 20_000
CHUNK = 500
COLUMNS = {
    "username": "username",
    "nama pengguna": "username",
    "full name": "full_name",
    "nama lengkap": "full_name",
    "nama": "full_name",
    "email": "email",
    "e-mail": "email",
    "surel": "email",
    "phone": "phone",
    "telepon": "phone",
    "nomor telepon": "phone",
    "role": "role",
    "peran": "role",
    "regions": "regions",
    "region": "regions",
    "region codes": "regions",
    "wilayah": "regions",
    "kode wilayah": "regions",
}
REQUIRED = ("username", "full_name", "role", "regions")
LEVELS_FOR_ROLE = {
    Role.OPERATOR: {RegionLevel.DESA},
    Role.PENDAMPING: {RegionLevel.DESA},
    Role.PETUGAS: {RegionLevel.DESA},
    Role.PEMANTAU: {RegionLevel.PROVINSI, RegionLevel.KABUPATEN, RegionLevel.KECAMATAN},
    Role.ADMIN_DAERAH: {RegionLevel.PROVINSI, RegionLevel.KABUPATEN},
}
FIELD_LABELS = {
    "username": "username",
    "full_name": "nama lengkap",
    "email": "email",
    "phone": "telepon",
    "role": "peran",
    "regions": "wilayah",
    "file": "berkas",
}


class ImportFileError(DomainError):
    """The file cannot be read as a table of users (format, encoding, header, size)."""


class ImportRejected(DomainError):
    """At least one row is bad; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} masalah; tidak ada pengguna yang dibuat.")
        self.errors = errors


@dataclass(frozen=True, slots=True)
class UserRow:
    line: int
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    field: str
    message: str

    @property
    def label(self) -> str:
        """The column as the import's users name it (``nama lengkap``, not ``full_name``)."""
        return FIELD_LABELS.get(self.field, self.field)

    def __str__(self) -> str:
        return f"baris {self.line}: {self.label}: {self.message}"


@dataclass(slots=True)
class PlannedUser:
    line: int
    username: str
    full_name: str
    email: str | None
    phone: str
    role: Role
    regions: list[Region]


@dataclass(slots=True)
class Plan:
    users: list[PlannedUser] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Onboarded:
    user_id: int
    username: str
    full_name: str
    invitation: IssuedLink


# -- reading --------------------------------------------------------------------------------


def _header(cells: Sequence[str]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = re.sub(r"[\s_]+", " ", cell.strip().lower().lstrip("\ufeff"))
        if key in COLUMNS:
            mapping[index] = COLUMNS[key]
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing:
        names = ", ".join(FIELD_LABELS[c] for c in missing)
        raise ImportFileError(
            f"Baris judul tidak memuat kolom: {names}. Kolom yang dikenal: username, "
            "full name, email, phone, role, regions."
        )
    return mapping


def _rows(records: Iterable[tuple[int, Sequence[object]]]) -> list[UserRow]:
    iterator = iter(records)
    first = next(iterator, None)
    if first is None:
        raise ImportFileError("Berkas kosong.")
    mapping = _header([str(c or "") for c in first[1]])
    rows: list[UserRow] = []
    for line, cells in iterator:
        texts = ["" if c is None else _cell(c) for c in cells]
        if not any(t.strip() for t in texts):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(f"Terlalu banyak baris: paling banyak {MAX_ROWS:,}.")
        values = {name: texts[i] if i < len(texts) else "" for i, name in mapping.items()}
        rows.append(UserRow(line=line, values=values))
    if not rows:
        raise ImportFileError("Berkas tidak memuat satu pun baris pengguna.")
    return rows


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_user_file(data: bytes) -> list[UserRow]:
    """Rows of a CSV (UTF-8, ``,`` or ``;``) or XLSX file, told apart by content, never by
    the file name. ImportFileError for anything else."""
    if not data.strip():
        raise ImportFileError("Berkas kosong.")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if b"\x00" in data[:4096]:
        raise ImportFileError("Berkas bukan CSV atau XLSX.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"Berkas bukan UTF-8 (bita ke-{exc.start}); simpan sebagai CSV UTF-8."
        ) from exc
    first_line = text.partition("\n")[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    return _rows((reader.line_num, record) for record in reader)


def _read_xlsx(data: bytes) -> list[UserRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError("Berkas XLSX rusak atau bukan XLSX.") from exc
    try:
        sheet = workbook.worksheets[0]
        return _rows(
            (number, row) for number, row in enumerate(sheet.iter_rows(values_only=True), 1)
        )
    finally:
        workbook.close()


# -- checking -------------------------------------------------------------------------------


def _role(value: str) -> Role | None:
    key = value.strip().lower()
    for role in Role:
        if key in (role.value, role.value.replace("_", " "), ROLE_LABELS[role].lower()):
            return role
    return None


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def check_rows(session: Session, *, actor: Principal, rows: Sequence[UserRow]) -> Plan:
    """Check every row against the file, the database and the actor's rights (reads only)."""
    actor.require("users.manage")
    plan = Plan()
    grantable = set(grantable_roles(actor))
    parsed: list[tuple[UserRow, dict[str, str], Role | None, list[str], FieldErrors]] = []
    for row in rows:
        errors = FieldErrors()
        v = row.values
        username = clean_text(
            v.get("username", ""), field="username", errors=errors, max_length=40, required=True
        ).lower()
        if username and "username" not in errors and not USERNAME_RE.match(username):
            errors.add("username", "3–40 karakter: huruf kecil, angka, titik, _ atau -.")
        full_name = clean_text(
            v.get("full_name", ""), field="full_name", errors=errors, max_length=100, required=True
        )
        email = ""
        if v.get("email", "").strip():
            try:
                email = normalise_email(v["email"])
            except ValidationFailed as exc:
                errors.add("email", exc.errors["email"])
        phone = v.get("phone", "").strip()
        if phone and not PHONE_RE.match(phone):
            errors.add("phone", "Nomor telepon tidak valid (contoh: 0812 3456 7890).")
        role = _role(v.get("role", ""))
        if role is None:
            errors.add("role", f"Peran tidak dikenal: {v.get('role', '')[:30]!r}.")
        elif role not in grantable:
            errors.add("role", f"Anda tidak dapat memberikan peran {ROLE_LABELS[role]}.")
        tokens = [normalise_code(t) for t in re.split(r"[;|,]", v.get("regions", "")) if t.strip()]
        if not tokens and role is not Role.ADMIN:
            errors.add("regions", "Wajib diisi.")
        values = {"username": username, "full_name": full_name, "email": email, "phone": phone}
        parsed.append((row, values, role, tokens, errors))

    _check_duplicates(session, parsed)
    regions_by_code, regions_by_name = _load_regions(session, actor, parsed)
    for row, values, role, tokens, errors in parsed:
        found: list[Region] = []
        if role is not None and "role" not in errors:
            for token in tokens:
                region = _resolve(token, role, regions_by_code, regions_by_name, errors)
                if region is not None:
                    found.append(region)
            if "regions" not in errors:
                outside = [r.code for r in found if not actor.scope.contains(r.code)]
                problem = scope_problem(role, found)
                if outside:
                    errors.add("regions", f"Di luar wilayah tugas Anda: {', '.join(outside[:3])}.")
                elif problem:
                    errors.add("regions", problem)
        if errors:
            plan.errors.extend(RowError(row.line, f, m) for f, m in errors.items())
            continue
        assert role is not None
        plan.users.append(
            PlannedUser(
                line=row.line,
                username=values["username"],
                full_name=values["full_name"],
                email=values["email"] or None,
                phone=values["phone"],
                role=role,
                regions=found,
            )
        )
    plan.errors.sort(key=lambda e: (e.line, e.field))
    return plan


# the usual case of a taken user name whose account never set a password: this very file,
# imported a moment ago and sent again (the browser's reload re-sends the form)
ALREADY_INVITED = (
    "sudah dibuat dan belum menerima undangannya (berkas ini mungkin sudah diimpor). Tautan "
    "undangan yang hilang dapat dibuat ulang: Pengguna, pilih akunnya, lalu Buat undangan."
)


def _check_duplicates(
    session: Session,
    parsed: list[tuple[UserRow, dict[str, str], Role | None, list[str], FieldErrors]],
) -> None:
    for key, label in (("username", "Username"), ("email", "Alamat surel")):
        column = User.username if key == "username" else User.email
        wanted = sorted({values[key] for _, values, _, _, errors in parsed if values[key]})
        taken: dict[str, bool] = {}  # value -> the account still waits for its invitation
        for chunk in _chunks(wanted):
            rows = session.execute(select(column, User.password_hash).where(column.in_(chunk)))
            taken.update((value, not password) for value, password in rows if value)
        first_line: dict[str, int] = {}
        for row, values, _, _, errors in parsed:
            value = values[key]
            if not value or key in errors:
                continue
            if taken.get(value):
                errors.add(key, f"{label} {value} {ALREADY_INVITED}")
            elif value in taken:
                errors.add(key, f"{label} {value} sudah dipakai akun lain.")
            elif value in first_line:
                errors.add(key, f"{label} {value} sudah ada di baris {first_line[value]}.")
            else:
                first_line[value] = row.line


def _load_regions(
    session: Session,
    actor: Principal,
    parsed: list[tuple[UserRow, dict[str, str], Role | None, list[str], FieldErrors]],
) -> tuple[dict[str, Region], dict[str, list[Region]]]:
    codes = sorted({t for *_, tokens, _ in parsed for t in tokens if is_valid_code(t)})
    names = sorted({t.lower() for *_, tokens, _ in parsed for t in tokens if not is_valid_code(t)})
    by_code: dict[str, Region] = {}
    for chunk in _chunks(codes):
        by_code.update(
            (r.code, r) for r in session.scalars(select(Region).where(Region.code.in_(chunk)))
        )
    by_name: dict[str, list[Region]] = defaultdict(list)
    for chunk in _chunks(names):
        for region in session.scalars(
            select(Region).where(func.lower(Region.name).in_(chunk), actor.scope.region_clause())
        ):
            by_name[region.name.lower()].append(region)
    return by_code, by_name


def _resolve(
    token: str,
    role: Role,
    by_code: dict[str, Region],
    by_name: dict[str, list[Region]],
    errors: FieldErrors,
) -> Region | None:
    if re.fullmatch(r"[\d.]+", token):
        region = by_code.get(token)
        if region is None:
            errors.add("regions", f"Kode wilayah tidak terdaftar: {token[:20]}.")
        return region
    levels = LEVELS_FOR_ROLE.get(role, set(RegionLevel))
    matches = [r for r in by_name.get(token.lower(), []) if r.level in levels]
    if not matches:
        errors.add("regions", f"Wilayah tidak ditemukan: {token[:40]!r}.")
        return None
    if len(matches) > 1:
        errors.add(
            "regions",
            f"Nama wilayah {token[:40]!r} tidak unik ({len(matches)} wilayah); pakai kodenya.",
        )
        return None
    return matches[0]


# -- writing --------------------------------------------------------------------------------


def import_users(
    session: Session,
    *,
    actor: Principal,
    rows: Sequence[UserRow],
    base_url: str,
    now: datetime | None = None,
) -> list[Onboarded]:
    """Create every user of a good file with an invitation; ImportRejected (nothing written)
    when any row is bad. Rows go in as bulk INSERTs (users, regions, links, mail, audit)."""
    plan = check_rows(session, actor=actor, rows=rows)
    if plan.errors:
        raise ImportRejected(plan.errors)
    now = now or utcnow()
    session.execute(
        insert(User),
        [
            {
                "username": p.username,
                "full_name": p.full_name,
                "role": p.role,
                "email": p.email,
                "phone": p.phone,
                "password_hash": "",
                "is_active": True,
                "created_at": now,
                "password_changed_at": now,
            }
            for p in plan.users
        ],
    )
    # Plain executemany, then the ids by (unique) username: RETURNING over many rows is
    # spliced row by row on SQLite.
    ids: dict[str, int] = {}
    names = [p.username for p in plan.users]
    for chunk in _chunks(names):
        ids.update(
            (name, uid)
            for uid, name in session.execute(
                select(User.id, User.username).where(User.username.in_(chunk))
            )
        )
    user_ids = [ids[name] for name in names]
    session.execute(
        insert(UserScope),
        [
            {"user_id": uid, "region_code": r.code}
            for uid, p in zip(user_ids, plan.users, strict=True)
            for r in p.regions
        ],
    )
    expires_at = now + LIFETIMES[TokenPurpose.INVITATION]
    tokens, mails, entries, done = [], [], [], []
    for uid, p in zip(user_ids, plan.users, strict=True):
        secret, token_hash = new_secret()
        url = link(base_url, TokenPurpose.INVITATION, secret)
        tokens.append(
            {
                "user_id": uid,
                "purpose": TokenPurpose.INVITATION,
                "token_hash": token_hash,
                "email": p.email,
                "created_at": now,
                "expires_at": expires_at,
                "created_by_id": actor.user_id,
            }
        )
        if p.email:
            mails.append(
                message_values(
                    to_address=p.email,
                    template="invitation",
                    user_id=uid,
                    context={
                        "full_name": p.full_name,
                        "username": p.username,
                        "role_label": ROLE_LABELS[p.role],
                        "regions": ", ".join(f"{r.name} ({r.code})" for r in p.regions),
                        "invited_by": actor.full_name,
                        "url": url,
                        "expires_at": expires_at,
                    },
                )
            )
        entries.append(
            audit.entry_values(
                actor=actor,
                entity="user",
                entity_id=uid,
                action="import",
                changes={
                    "username": (None, p.username),
                    "role": (None, p.role),
                    "scopes": (None, [r.code for r in p.regions]),
                    "email": (None, p.email),
                },
            )
        )
        done.append(
            Onboarded(
                user_id=uid,
                username=p.username,
                full_name=p.full_name,
                invitation=IssuedLink(url=url, expires_at=expires_at, mailed_to=p.email),
            )
        )
    session.execute(insert(AccountToken), tokens)
    if mails:
        session.execute(insert(OutboxMessage), mails)
    session.execute(insert(AuditEntry), entries)
    return done
