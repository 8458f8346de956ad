"""Import of an existing village list: every row checked with its line, all or nothing."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from openpyxl import Workbook
from sqlalchemy import func, select

from perdes.accounts.services import principal_for
from perdes.errors import OutOfScope, ValidationFailed
from perdes.register.importer import detect_kind, import_persons, read_table
from perdes.register.models import PmiPerson
from tests.factories import LONTAR, SUSUKAN, make_user

HEADER = "nik,nama,jenis_kelamin,tanggal_lahir,alamat,rt,rw,telepon\n"
GOOD = (
    HEADER
    + "3604134506950001,Siti Aminah,P,,Kp. Lontar,001,002,081234567890\n"
    + "3604130101900002,Ahmad Fauzi,,,Kp. Lontar,003,002,\n"
)


def persons(db):
    return db.scalar(select(func.count()).select_from(PmiPerson))


@pytest.fixture()
def operator(db, regions):
    return principal_for(make_user(db, "operator"))


def run(db, operator, keyring, text: str | bytes, filename="daftar.csv", village=LONTAR):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_persons(
        db, actor=operator, village_code=village, data=data, filename=filename, keyring=keyring
    )


def test_a_clean_csv_is_imported_with_sealed_niks(db, operator, keyring):
    report = run(db, operator, keyring, GOOD)
    assert report.created == 2 and persons(db) == 2
    siti = db.scalar(select(PmiPerson).where(PmiPerson.name == "Siti Aminah"))
    assert "3604134506950001" not in (siti.nik_sealed or "")
    assert siti.birth_on.isoformat() == "1995-06-05", "birth date taken from the NIK"
    ahmad = db.scalar(select(PmiPerson).where(PmiPerson.name == "Ahmad Fauzi"))
    assert ahmad.sex.value == "L"


def test_one_bad_row_saves_nothing_and_every_problem_has_its_line(db, operator, keyring):
    text = (
        HEADER
        + "3604134506950001,Siti Aminah,P,,,,,\n"  # line 2: fine
        + "123,Nik Pendek,,,,,,\n"  # line 3
        + "3604134506950001,Siti Lagi,P,,,,,\n"  # line 4: same NIK as line 2
        + "3604130101900002,Nama\x07Kontrol,,,,,,\n"  # line 5: control character
        + "9999130101900003,Kode Salah,,,,,,\n"  # line 6: no such kabupaten
        + "3604130101900004,,,,,,,\n"  # line 7: no name
    )
    with pytest.raises(ValidationFailed) as caught:
        run(db, operator, keyring, text)
    errors = caught.value.errors
    assert set(errors) == {"baris 3", "baris 4", "baris 5", "baris 6", "baris 7"}
    assert "16 angka" in errors["baris 3"]
    assert errors["baris 4"] == "NIK sama dengan baris 2."
    assert "karakter kontrol" in errors["baris 5"]
    assert "kabupaten" in errors["baris 6"]
    assert "nama" in errors["baris 7"]
    assert "3604134506950001" not in " ".join(errors.values())
    assert persons(db) == 0, "all or nothing"


def test_a_nik_already_in_the_register_is_reported(db, operator, keyring):
    run(db, operator, keyring, GOOD)
    with pytest.raises(ValidationFailed) as caught:
        run(db, operator, keyring, HEADER + "3604134506950001,Siti Aminah,P,,,,,\n")
    assert list(caught.value.errors) == ["baris 2"]
    assert persons(db) == 2


def test_html_is_kept_as_text_not_markup(db, operator, keyring):
    run(db, operator, keyring, HEADER + '3604134506950001,"<script>alert(1)</script>",P,,,,,\n')
    assert db.scalar(select(PmiPerson.name)) == "<script>alert(1)</script>"


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_with_text_niks_and_a_number_nik_cell(db, operator, keyring):
    good = xlsx([["NIK", "Nama"], ["3604134506950001", "Siti Aminah"]])
    assert run(db, operator, keyring, good, filename="daftar.xlsx").created == 1
    rounded = xlsx([["nik", "nama"], [9104134506950001, "Angka Besar"]])
    with pytest.raises(ValidationFailed) as caught:
        run(db, operator, keyring, rounded, filename="daftar.xlsx")
    assert "format sel Teks" in caught.value.errors["baris 2"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "daftar.csv", "kosong"),
        (b"nik,nama\n", "daftar.pdf", "CSV (.csv) atau Excel"),
        (b"%PDF-1.4 nik,nama", "daftar.xlsx", "bukan Excel"),
        (b"PK\x03\x04not really a workbook", "daftar.xlsx", "bukan Excel"),
        (b"PK\x03\x04\x00\x00zip", "daftar.csv", "bukan teks CSV"),
        (b"nik,nama\n\xff\xfe\x00", "daftar.csv", "bukan teks CSV"),
        ("nik,nama\n".encode("utf-16"), "daftar.csv", "bukan teks CSV"),
        (b"nik,nama\n3604134506950001,\xe9\n", "daftar.csv", "UTF-8"),
        (b"nik,nama,agama\n", "daftar.csv", "Kolom tidak dikenal: agama"),
        (b"nama,alamat\nA,B\n", "daftar.csv", "Kolom wajib tidak ada: nik"),
        (b"nik,nama,nama\n", "daftar.csv", "lebih dari sekali"),
        (b"nik,nama\n", "daftar.csv", "tidak berisi data"),
        (b"nik,nama\n1,2,3\n", "daftar.csv", "di luar kolom"),
    ],
)
def test_files_that_lie_or_do_not_fit_are_refused(db, operator, keyring, data, filename, message):
    with pytest.raises(ValidationFailed) as caught:
        run(db, operator, keyring, data, filename=filename)
    assert message in caught.value.errors["file"]
    assert persons(db) == 0


def test_detect_kind_decides_by_content():
    assert detect_kind(b"nik,nama\n", "x.CSV") == "csv"
    assert read_table(b"nik;nama\n3604134506950001;Siti\n", "x.csv") == [
        (2, {"nik": "3604134506950001", "nama": "Siti"})
    ]


def test_only_the_village_staff_may_import(db, regions, keyring):
    other = principal_for(make_user(db, "operator", (SUSUKAN,)))
    with pytest.raises(OutOfScope):
        run(db, other, keyring, GOOD)
    monitor = principal_for(make_user(db, "pemantau"))
    with pytest.raises(OutOfScope):
        run(db, monitor, keyring, GOOD)


def test_the_import_page_lists_line_errors_with_422(client, db, regions):
    client.login_as(db, "petugas")
    page = client.get(f"/desa/{LONTAR}/pmi/impor")
    assert page.status_code == 200
    bad = client.post(
        f"/desa/{LONTAR}/pmi/impor",
        files={"file": ("daftar.csv", (HEADER + "123,X,,,,,,\n").encode())},
    )
    assert bad.status_code == 422
    errors = BeautifulSoup(bad.text, "html.parser").select_one("[data-testid=import-errors]")
    assert "baris 2" in errors.get_text()
    ok = client.post(f"/desa/{LONTAR}/pmi/impor", files={"file": ("daftar.csv", GOOD.encode())})
    assert ok.status_code == 200
    assert "2 orang tercatat" in ok.text
    client.login_as(db, "pemantau")
    assert client.get(f"/desa/{LONTAR}/pmi/impor").status_code == 403
