"""Every register form, refused: 422, and nothing written — no row in any register table, no
audit entry, no new user, no figure changed, no scan file left on disk. (The access log does
grow: the form is shown again with the person's record, and every showing is logged.)"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select, table

from perdes.db import Base
from perdes.tracking.deadlines import local_today
from tests.factories import LONTAR
from tests.register.people import JAJANG, SITI

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n%refused"
WATCHED = sorted(
    name
    for name in Base.metadata.tables
    if (name.startswith(("pmi_", "register_")) and name != "pmi_access_log")
    or name in ("audit_entry", "stored_file", "user_account", "user_scope")
)


def day(offset: int) -> str:
    return (local_today() - timedelta(days=offset)).isoformat()


def snapshot(db, settings) -> dict[str, object]:  # type: ignore[no-untyped-def]
    counts: dict[str, object] = {
        name: db.scalar(select(func.count()).select_from(table(name))) for name in WATCHED
    }
    figures = Base.metadata.tables["register_village_figure"]
    counts["figures"] = [tuple(r) for r in db.execute(select(figures)).all()]
    counts["files"] = sorted(str(p) for p in settings.effective_upload_path.rglob("*.*"))
    return counts


@pytest.fixture()
def recorded(client, db, regions):  # type: ignore[no-untyped-def]
    """Siti with a consultation, an open request and a breach, as the petugas sees them."""
    client.login_as(db, "operator", (LONTAR,))
    created = client.post(f"/desa/{LONTAR}/pmi/baru", SITI)
    pid = created.headers["location"].split("?")[0].rsplit("/", 1)[-1]
    client.post(f"/pmi/orang/{pid}/konsultasi", {"held_on": day(9), "channel": "p3mi",
                                                 "information": "Info"})  # fmt: skip
    client.post(f"/pmi/orang/{pid}/permintaan", {"kind": "akses", "received_on": day(2)})
    client.post(f"/desa/{LONTAR}/pmi/insiden", {"discovered_at": f"{day(1)}T09:00",
                                                "description": "X"})  # fmt: skip
    person = BeautifulSoup(client.get(f"/pmi/orang/{pid}").text, "html.parser")
    breaches = BeautifulSoup(client.get(f"/desa/{LONTAR}/pmi/insiden").text, "html.parser")
    return {
        "pid": pid,
        "request": person.select_one("#permintaan form[action*='/permintaan/']")["action"],
        "breach": breaches.select_one("form[action*='/insiden/']")["action"],
    }


def forms(pid: str, request: str, breach: str) -> list[tuple[str, dict[str, str], dict]]:
    future = (local_today() + timedelta(days=3)).isoformat()
    person = f"/pmi/orang/{pid}"
    scan = {"scan": ("ktp.pdf", PDF, "application/pdf")}
    bad_csv = "nik,nama\n3604131503950001,Jajang\n3604131503950001,Dua Kali\n"
    return [
        (f"/desa/{LONTAR}/pmi/baru", {**JAJANG, "name": ""}, {}),
        (f"{person}/ubah", {**SITI, "rt": "abc", "version": "1"}, {}),
        (f"{person}/konsultasi", {"held_on": future, "channel": "p3mi", "information": "X"}, {}),
        (
            f"{person}/dokumen",
            {"kind": "paspor", "status": "ada", "checked_on": future, "version": "0"},
            scan,
        ),
        (f"{person}/surat", {"issued_on": day(1), "granted_by_name": ""}, {}),
        (
            f"{person}/berangkat",
            {"departed_on": day(20), "country": "Taiwan", "channel": "p3mi", "p3mi_name": "PT"},
            {},
        ),
        (f"{person}/kembali", {"returned_on": day(1), "condition": "sehat"}, {}),
        (f"{person}/kasus", {"opened_on": day(1), "summary": ""}, {}),
        (f"{person}/pemberdayaan", {"kind": "lain-lain", "started_on": day(1)}, {}),
        (f"{person}/permintaan", {"kind": "rahasia", "received_on": day(1)}, {}),
        (
            request,
            {"status": "diterima", "answered_on": day(0), "answer": "x", "version": "1"},
            {},
        ),
        (
            f"/desa/{LONTAR}/pmi/insiden",
            {"discovered_at": f"{future}T09:00", "description": "X"},
            {},
        ),
        (breach, {"subjects_notified_at": "kemarin", "version": "1"}, {}),
        (f"/desa/{LONTAR}/pmi/ekspor-dinas", {"recipient": "Dinas", "purpose": "jual"}, {}),
        (
            f"/desa/{LONTAR}/pmi/impor",
            {},
            {"file": ("daftar.csv", io.BytesIO(bad_csv.encode()), "text/csv")},
        ),
        (f"/desa/{LONTAR}/pmi/petugas", {"username": "Bukan Nama", "full_name": "X"}, {}),
    ]


def test_a_refused_register_form_writes_nothing(client, db, settings, recorded):
    for url, data, files in forms(**recorded):
        before = snapshot(db, settings)
        response = client.post(url, data, files=files) if files else client.post(url, data)
        assert response.status_code == 422, (url, response.status_code, response.text[:300])
        db.expire_all()
        assert snapshot(db, settings) == before, url
