"""Bulk onboarding from CSV/XLSX: every row checked with its line number, all or nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from perdes.accounts import onboarding
from perdes.accounts import services as accounts
from perdes.accounts.models import AccountToken, AuditEntry, User
from perdes.accounts.principal import Principal
from perdes.mail.models import OutboxMessage
from tests.factories import KELURAHAN, LONTAR, SUKRA, SUSUKAN, make_user

BASE = "https://perdes.example.id"
HEADER = "username,full name,email,phone,role,regions\n"


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _serang_admin(db):
    return accounts.principal_for(make_user(db, "admin_daerah", ("36.04",), username="ad.serang"))


def test_a_thousand_users_from_one_file_in_one_transaction(db, regions):
    lines = [HEADER]
    for i in range(1000):
        email = f"op{i}@example.id" if i % 2 else ""
        village = LONTAR if i % 3 else SUSUKAN
        lines.append(f"op.{i:04d},Operator {i},{email},0812000{i:05d},operator,{village}\n")
    rows = onboarding.read_user_file("".join(lines).encode())
    done = onboarding.import_users(db, actor=_serang_admin(db), rows=rows, base_url=BASE)
    assert len(done) == 1000
    assert _count(db, User) == 1001
    assert _count(db, AccountToken) == 1000
    assert _count(db, OutboxMessage) == 500
    assert db.scalar(select(func.count()).where(AuditEntry.action == "import")) == 1000
    user = db.scalar(select(User).where(User.username == "op.0001"))
    assert user.password_hash == "" and [s.region_code for s in user.scopes] == [LONTAR]
    printed = [d for d in done if d.invitation.mailed_to is None]
    assert len(printed) == 500 and printed[0].invitation.url.startswith(f"{BASE}/undangan/")


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(db, regions):
    make_user(db, "operator", (LONTAR,), username="sudah.ada")
    existing = make_user(db, "pendamping", (LONTAR,), username="pendamping.surel")
    existing.email = "dipakai@example.id"
    db.flush()
    data = (
        HEADER
        + f"baik.satu,Baik Satu,baik@example.id,,operator,{LONTAR}\n"  # 2: fine
        + "wilayah.salah,A,,,operator,36.04.99.9999\n"  # 3: unknown region
        + f"baik.satu,Dobel,,,operator,{LONTAR}\n"  # 4: duplicate username in file
        + f"sudah.ada,Lama,,,operator,{LONTAR}\n"  # 5: username taken
        + f"surel.dobel,B,baik@example.id,,operator,{LONTAR}\n"  # 6: email repeated
        + f"surel.dipakai,C,dipakai@example.id,,operator,{LONTAR}\n"  # 7: email taken
        + "admin.baru,D,,,admin_daerah,36.04\n"  # 8: role above the importer's
        + f"op.kelurahan,E,,,operator,{KELURAHAN}\n"  # 9: kelurahan (and outside scope)
        + f"op.sukra,F,,,operator,{SUKRA}\n"  # 10: outside the importer's scope
        + "op.nama,G,,,operator,Lontar\n"  # 11: fine, by name
        + "op.kecamatan,H,,,operator,36.04.13\n"  # 12: operator on a kecamatan
        + f"<script>,<b>I</b>,bukan-surel,abc,raja,{LONTAR}\n"  # 13: many problems
    )
    rows = onboarding.read_user_file(data.encode())
    actor = _serang_admin(db)
    before = (_count(db, User), _count(db, AccountToken), _count(db, OutboxMessage))
    with pytest.raises(onboarding.ImportRejected) as exc:
        onboarding.import_users(db, actor=actor, rows=rows, base_url=BASE)
    found = {(e.line, e.field) for e in exc.value.errors}
    assert found == {
        (3, "regions"),
        (4, "username"),
        (5, "username"),
        (6, "email"),
        (7, "email"),
        (8, "role"),
        (9, "regions"),
        (10, "regions"),
        (12, "regions"),
        (13, "username"),
        (13, "email"),
        (13, "phone"),
        (13, "role"),
    }
    messages = {(e.line, e.field): e.message for e in exc.value.errors}
    assert "baris 2" in messages[(4, "username")]
    assert "Di luar wilayah tugas Anda" in messages[(10, "regions")]
    assert "tidak terdaftar" in messages[(3, "regions")]
    assert str(exc.value.errors[0]).startswith("baris 3: wilayah:")
    assert (_count(db, User), _count(db, AccountToken), _count(db, OutboxMessage)) == before


def test_a_kelurahan_is_refused_for_an_operator_even_for_a_national_admin(db, regions):
    rows = onboarding.read_user_file((HEADER + f"op.kel,Op,,,operator,{KELURAHAN}\n").encode())
    plan = onboarding.check_rows(db, actor=Principal.system(), rows=rows)
    assert [(e.line, e.field) for e in plan.errors] == [(2, "regions")]
    assert "Kelurahan" in plan.errors[0].message


def test_xlsx_with_indonesian_headers_and_region_names(db, regions):
    book = Workbook()
    sheet = book.active
    sheet.append(["Nama pengguna", "Nama lengkap", "Surel", "Telepon", "Peran", "Wilayah"])
    sheet.append(
        [
            "pendamping.kkbm",
            "Pendamping KKBM",
            "kkbm@example.id",
            81234567890,
            "Pendamping",
            "Lontar; Susukan",
        ]
    )
    sheet.append(["pemantau.tirtayasa", "Pemantau", None, None, "pemantau", "Tirtayasa"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = onboarding.read_user_file(buffer.getvalue())
    done = onboarding.import_users(db, actor=Principal.system(), rows=rows, base_url=BASE)
    by_name = {d.username: db.get(User, d.user_id) for d in done}
    assert [s.region_code for s in by_name["pendamping.kkbm"].scopes] == [LONTAR, SUSUKAN]
    assert by_name["pendamping.kkbm"].phone == "81234567890"
    assert [s.region_code for s in by_name["pemantau.tirtayasa"].scopes] == ["36.04.13"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "kosong"),
        (b"username,role\nx,operator\n", "nama lengkap"),
        (HEADER.encode(), "tidak memuat satu pun"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "bukan CSV"),
        (b"PK\x03\x04bukan-zip-sungguhan", "XLSX rusak"),
        ("username,full name,role,regions\nx,Ã,operator,1\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_files_that_are_not_user_tables_are_refused(data, message):
    with pytest.raises(onboarding.ImportFileError) as exc:
        onboarding.read_user_file(data)
    assert message in exc.value.message


def test_ambiguous_region_names_ask_for_a_code(db, regions):
    rows = onboarding.read_user_file((HEADER + "pem.x,P,,,pemantau,Pontang\n").encode())
    # Pontang is a kecamatan and a desa; for a pemantau only the kecamatan fits.
    plan = onboarding.check_rows(db, actor=Principal.system(), rows=rows)
    assert not plan.errors and plan.users[0].regions[0].code == "36.04.12"
    rows = onboarding.read_user_file((HEADER + "pend.x,P,,,pendamping,Sukra\n").encode())
    plan = onboarding.check_rows(db, actor=Principal.system(), rows=rows)
    assert not plan.errors and plan.users[0].regions[0].code == SUKRA
