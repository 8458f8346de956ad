"""The import page: a preview that writes nothing, then all or nothing, with a printable sheet."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from perdes.accounts.models import AccountToken, User
from perdes.mail.models import OutboxMessage
from tests.factories import LONTAR, SUKRA, make_user

GOOD = (
    "username,full name,email,phone,role,regions\n"
    f"op.satu,Operator Satu,satu@example.id,,operator,{LONTAR}\n"
    f"op.dua,Operator Dua,,,operator,{LONTAR}\n"
)


def _upload(client, data: bytes, name: str = "pengguna.csv"):
    return client.post(
        "/admin/pengguna/impor",
        {"langkah": "pratinjau"},
        files={"berkas": (name, data, "text/csv")},
    )


def _users(db) -> int:
    return db.scalar(select(func.count()).select_from(User)) or 0


def test_preview_then_import_with_a_printable_sheet(client, db, regions):
    client.login_as(db, "admin_daerah", ("36.04",))
    before = _users(db)
    preview = _upload(client, GOOD.encode())
    assert preview.status_code == 200
    html = BeautifulSoup(preview.text, "html.parser")
    assert "2 pengguna siap dibuat" in html.select_one("[data-testid=import-preview]").text
    assert _users(db) == before, "the preview writes nothing"
    data = html.select_one("input[name=data]")["value"]
    done = client.post("/admin/pengguna/impor", {"langkah": "impor", "data": data})
    assert done.status_code == 200
    page = BeautifulSoup(done.text, "html.parser")
    assert "2 pengguna dibuat" in page.select_one("[data-testid=import-done]").text
    sheet = page.select_one("[data-testid=invitation-sheet]")
    assert "op.dua" in sheet.text and "op.satu" not in sheet.text
    assert "/undangan/" in sheet.select_one("td code").text
    assert _users(db) == before + 2
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    # sent again (the browser's reload re-sends the form): nothing created twice, and the
    # refusal says what happened and where the lost invitation links are made again
    again = client.post("/admin/pengguna/impor", {"langkah": "impor", "data": data})
    assert again.status_code == 422 and _users(db) == before + 2
    assert "berkas ini mungkin sudah diimpor" in again.text and "Buat undangan" in again.text
    # the user list tells invited accounts from active ones, and names regions once
    make_user(db, "pemantau", ("36.04",), username="pemantau.serang")
    listed = BeautifulSoup(client.get("/admin/pengguna").text, "html.parser")
    row = next(tr for tr in listed.select("tr") if "op.dua" in tr.text)
    assert "diundang" in row.text and "aktif" not in row.text
    assert "Desa Lontar" in row.text
    monitor = next(tr for tr in listed.select("tr") if "pemantau.serang" in tr.text)
    assert "Kabupaten Serang" in monitor.text and "Kabupaten/Kota" not in monitor.text
    assert "aktif" in monitor.text


def test_bad_rows_are_listed_by_line_and_nothing_is_written(client, db, regions):
    client.login_as(db, "admin_daerah", ("36.04",))
    before = (_users(db), db.scalar(select(func.count()).select_from(AccountToken)))
    bad = GOOD + f"op.tiga,Operator Tiga,,,operator,{SUKRA}\n"
    response = _upload(client, bad.encode())
    assert response.status_code == 422
    rows = BeautifulSoup(response.text, "html.parser").select(
        "[data-testid=import-errors] tbody tr"
    )
    assert [r.select("td")[0].text for r in rows] == ["4"]
    assert rows[0].select("td")[1].text == "wilayah"  # the column in Indonesian, not "regions"
    assert "input" not in str(
        BeautifulSoup(response.text, "html.parser").select_one("[data-testid=import-errors]")
    )
    assert (_users(db), db.scalar(select(func.count()).select_from(AccountToken))) == before


def test_files_that_lie_about_their_type_get_a_clear_message(client, db, regions):
    client.login_as(db, "admin")
    png = _upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", name="pengguna.csv")
    assert png.status_code == 422
    assert (
        "bukan CSV"
        in BeautifulSoup(png.text, "html.parser").select_one("[data-testid=file-error]").text
    )
    fake_xlsx = _upload(client, GOOD.encode(), name="pengguna.xlsx")
    assert fake_xlsx.status_code == 200, "read by content: it is a CSV"
    empty = client.post("/admin/pengguna/impor", {"langkah": "impor", "data": "%%%"})
    assert empty.status_code == 422
