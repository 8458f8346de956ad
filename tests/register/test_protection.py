"""UU 27/2022 safeguards a user notices: the pendamping's consented summary, the access log,
requests of the person and the export of their data, breach deadlines, masked audit values,
hostile input."""

from __future__ import annotations

import json
from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts.models import AuditEntry
from perdes.db import utcnow
from perdes.register.models import Breach
from perdes.tracking.deadlines import DISPLAY_ZONE, local_today
from tests.factories import LONTAR, SUSUKAN
from tests.register.people import JAJANG, SITI


def day(offset: int) -> str:
    return (local_today() - timedelta(days=offset)).isoformat()


def record(client, data, village: str = LONTAR) -> str:  # type: ignore[no-untyped-def]
    response = client.post(f"/desa/{village}/pmi/baru", data)
    assert response.status_code == 303, response.text[:1000]
    return response.headers["location"].split("?")[0].rsplit("/", 1)[-1]


def test_a_pendamping_sees_only_the_consented_summary(client, db, regions):
    client.login_as(db, "operator", (LONTAR,))
    siti = record(client, SITI)
    jajang = record(client, {**JAJANG, "share_with_pendamping": "1"})
    client.post(f"/pmi/orang/{jajang}/konsultasi", {"held_on": day(9), "channel": "p3mi",
                                                    "information": "Info"})  # fmt: skip
    client.raw.cookies.clear()
    client.login_as(db, "pendamping", (LONTAR,))
    listing = client.get(f"/desa/{LONTAR}/pmi")
    assert listing.status_code == 200
    assert JAJANG["name"] in listing.text and SITI["name"] not in listing.text
    page = client.get(f"/pmi/orang/{jajang}")
    assert page.status_code == 200 and JAJANG["name"] in page.text
    assert JAJANG["nik"] not in page.text and JAJANG["phone"] not in page.text
    assert "Konsultasi" not in page.text  # episodes outside the consent stay hidden
    assert client.get(f"/pmi/orang/{siti}").status_code == 404
    assert client.get(f"/pmi/orang/{jajang}/ekspor").status_code == 403
    assert client.post(f"/pmi/orang/{jajang}/konsultasi", {}).status_code == 403
    nik_search = client.post(f"/desa/{LONTAR}/pmi/cari", {"q": JAJANG["nik"]})
    assert nik_search.status_code == 200 and "hanya untuk petugas" in nik_search.text
    # in a village where nobody shared, the list says why it is empty, not "nobody recorded"
    client.raw.cookies.clear()
    client.login_as(db, "operator", (SUSUKAN,))
    record(client, {**SITI, "nik": "3604136107980003"}, village=SUSUKAN)
    client.raw.cookies.clear()
    client.login_as(db, "pendamping", (SUSUKAN,))
    empty = client.get(f"/desa/{SUSUKAN}/pmi").text
    assert "Belum ada orang yang menyetujui datanya dibagikan kepada pendamping" in empty
    assert "Belum ada orang yang tercatat" not in empty


def test_every_read_is_in_the_village_access_log(client, db, regions):
    petugas = client.login_as(db, "petugas", (LONTAR,))
    pid = record(client, SITI)
    client.get(f"/pmi/orang/{pid}")
    client.get(f"/pmi/orang/{pid}/ekspor")
    log = BeautifulSoup(client.get(f"/desa/{LONTAR}/pmi/akses").text, "html.parser")
    lines = [li.get_text(" ", strip=True) for li in log.select("[data-testid=access-log] li")]
    assert any(petugas.username in line and "mengunduh data" in line for line in lines)
    assert any("membuka" in line and SITI["name"] in line and "Pendataan" in line for line in lines)


def test_a_request_of_the_person_is_answered_and_the_export_holds_their_data(client, db, regions):
    client.login_as(db, "petugas", (LONTAR,))
    pid = record(client, SITI)
    assert (
        client.post(
            f"/pmi/orang/{pid}/permintaan", {"kind": "akses", "received_on": day(2)}
        ).status_code
        == 303
    )
    page = BeautifulSoup(client.get(f"/pmi/orang/{pid}").text, "html.parser")
    form = page.select_one("#permintaan form[action*='/permintaan/']")
    action, version = form["action"], form.select_one("[name=version]")["value"]
    early = client.post(action, {"status": "dikabulkan", "answered_on": day(3), "answer": "Ok",
                                 "version": version})  # fmt: skip
    assert early.status_code == 422 and "sebelum permintaan diterima" in early.text
    answer = {"status": "dikabulkan", "answered_on": day(1), "answer": "Salinan diberikan"}
    assert client.post(action, {**answer, "version": version}).status_code == 303
    stale = client.post(action, {**answer, "answer": "Jawaban kedua", "version": version})
    assert stale.status_code == 409 and "Jawaban kedua" in stale.text
    export = client.get(f"/pmi/orang/{pid}/ekspor")
    assert export.headers["content-disposition"].startswith("attachment")
    data = json.loads(export.content)
    assert data["orang"]["nik"] == SITI["nik"] and data["orang"]["telepon"] == SITI["phone"]
    assert data["permintaan"][0]["status"] == "dikabulkan"
    assert any(e["tindakan"] == "ekspor" for e in data["log_akses"])


def test_a_breach_is_overdue_after_three_times_24_hours_until_both_notices(client, db, regions):
    client.login_as(db, "operator", (LONTAR,))
    url = f"/desa/{LONTAR}/pmi/insiden"
    future = (utcnow() + timedelta(days=1)).astimezone(DISPLAY_ZONE).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url, {"discovered_at": future, "description": "Laptop hilang"})
    assert refused.status_code == 422 and "sesudah sekarang" in refused.text
    four_days = (utcnow() - timedelta(days=4)).astimezone(DISPLAY_ZONE)
    moment = four_days.strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"discovered_at": moment, "description": "Laptop hilang",
                             "persons_affected": "12"}).status_code == 303  # fmt: skip
    page = BeautifulSoup(client.get(url).text, "html.parser")
    assert page.select_one("[data-testid=overdue]")
    breach = db.scalar(select(Breach))
    assert breach is not None
    notify = f"{url}/{breach.id}"
    later = (four_days + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")
    done = {"subjects_notified_at": later, "agency_notified_at": later, "version": "1"}
    assert client.post(notify, done).status_code == 303
    assert not BeautifulSoup(client.get(url).text, "html.parser").select_one(
        "[data-testid=overdue]"
    )
    assert client.post(notify, done).status_code == 409  # the form's version is stale now


def test_audit_entries_of_the_register_keep_field_names_never_values(client, db, regions):
    client.login_as(db, "operator", (LONTAR,))
    record(client, SITI)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity == "pmi_person"))
    assert entry is not None and "name" in entry.changes
    assert entry.changes["name"] == [None, "•••"]
    assert SITI["name"] not in json.dumps(entry.changes)


def test_hostile_input_is_refused_or_shown_as_text(client, db, regions):
    client.login_as(db, "operator", (LONTAR,))
    control = client.post(f"/desa/{LONTAR}/pmi/baru", {**SITI, "name": "Siti\x07"})
    assert control.status_code == 422 and "karakter kontrol" in control.text
    lying = client.post(f"/desa/{LONTAR}/pmi/baru", {**SITI, "nik": "3604133202980002"})
    assert lying.status_code == 422  # 32 February
    unknown = client.post(f"/desa/{LONTAR}/pmi/baru", {**SITI, "nik": "9904136107980002"})
    assert unknown.status_code == 422
    long = client.post(f"/desa/{LONTAR}/pmi/baru", {**SITI, "address": "x" * 201})
    assert long.status_code == 422 and "Terlalu panjang" in long.text
    pid = record(client, {**SITI, "name": "<script>alert(1)</script>"})
    page = client.get(f"/pmi/orang/{pid}")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    assert client.get("/pmi/orang/" + "x" * 200).status_code == 404
    client.raw.cookies.clear()
    client.login_as(db, "operator", ("36.04.13.2008",))
    assert client.get(f"/pmi/orang/{pid}").status_code == 404  # another village's record
    assert client.post(f"/pmi/orang/{pid}/konsultasi", {"held_on": day(1)}).status_code == 404


def test_a_granted_deletion_request_anonymises_the_person_and_removes_scans(
    client, db, regions, settings
):
    client.login_as(db, "petugas", (LONTAR,))
    pid = record(client, SITI)
    client.post(f"/pmi/orang/{pid}/konsultasi", {"held_on": day(9), "channel": "p3mi",
                                                 "information": "Info"})  # fmt: skip
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n%hapus"
    scan = client.post(
        f"/pmi/orang/{pid}/dokumen",
        {"kind": "paspor", "status": "ada", "checked_on": day(8), "version": "0"},
        files={"scan": ("p.pdf", pdf, "application/pdf")},
    )
    assert scan.status_code == 303
    stored = list(settings.effective_upload_path.rglob("*.pdf"))
    assert len(stored) == 1
    client.post(f"/pmi/orang/{pid}/permintaan", {"kind": "penghapusan", "received_on": day(1)})
    page = BeautifulSoup(client.get(f"/pmi/orang/{pid}").text, "html.parser")
    form = page.select_one("#permintaan form[action*='/permintaan/']")
    granted = client.post(
        form["action"],
        {"status": "dikabulkan", "answered_on": day(0), "answer": "Data dihapus",
         "version": form.select_one("[name=version]")["value"]},
    )  # fmt: skip
    assert granted.status_code == 303
    page = client.get(f"/pmi/orang/{pid}")
    assert "(dianonimkan)" in page.text
    assert SITI["name"] not in page.text and SITI["nik"] not in page.text
    assert not list(settings.effective_upload_path.rglob("*.pdf"))
    search = client.post(f"/desa/{LONTAR}/pmi/cari", {"q": SITI["nik"]})
    assert "NIK tidak ditemukan" in search.text


def test_every_recorded_legal_basis_fits_its_column():
    from perdes.register.basis import LEGAL_BASES
    from perdes.register.models import Consultation

    width = Consultation.__table__.c.legal_basis.type.length
    assert all(len(text) <= width for text in LEGAL_BASES.values())
