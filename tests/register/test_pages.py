"""The register's pages through the app: the whole journey of one person as the village's
petugas pendataan, and the rules a user notices (order of episodes, duplicates, versions)."""

from __future__ import annotations

import io
from datetime import timedelta

from bs4 import BeautifulSoup
from docx import Document
from sqlalchemy import select

from perdes.regions.models import VillageProfile
from perdes.register.models import AccessLogEntry, PmiPerson
from perdes.tracking.deadlines import local_today
from tests.factories import LONTAR
from tests.register.people import JAJANG, SITI

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def day(offset: int) -> str:
    return (local_today() - timedelta(days=offset)).isoformat()


def record_siti(client) -> str:  # type: ignore[no-untyped-def]
    response = client.post(f"/desa/{LONTAR}/pmi/baru", SITI)
    assert response.status_code == 303, response.text[:2000]
    location = response.headers["location"]
    assert SITI["nik"] not in location and location.endswith("?tercatat=1")
    return location.removesuffix("?tercatat=1").rsplit("/", 1)[-1]


def test_petugas_records_a_person_from_consultation_to_case(client, db, regions):
    client.login_as(db, "petugas", (LONTAR,))
    pid = record_siti(client)
    recorded = BeautifulSoup(client.get(f"/pmi/orang/{pid}?tercatat=1").text, "html.parser")
    assert "tercatat di register" in recorded.select_one("[data-testid=recorded]").text
    assert client.get(f"/pmi/orang/{pid}?tercatat=2").status_code == 422
    page = client.get(f"/pmi/orang/{pid}")
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    assert html.select_one("[data-testid=recorded]") is None
    assert html.select_one("[data-testid=person-name]").get_text() == SITI["name"]
    assert html.select_one("[data-testid=nik]").get_text() == SITI["nik"]

    # no letter and no departure before a consultation
    refused = client.post(
        f"/pmi/orang/{pid}/surat",
        {"issued_on": day(1), "granted_by_name": "Rahmat", "granted_by_relation": "suami"},
    )
    assert refused.status_code == 422 and "Catat konsultasi terlebih dahulu" in refused.text
    refused = client.post(
        f"/pmi/orang/{pid}/berangkat",
        {"departed_on": day(1), "country": "Malaysia", "channel": "p3mi", "p3mi_name": "PT A",
         "procedural": "ya"},
    )  # fmt: skip
    assert refused.status_code == 422

    ok = client.post(
        f"/pmi/orang/{pid}/konsultasi",
        {"held_on": day(30), "channel": "p3mi", "information": "Prosedur resmi dan biaya"},
    )
    assert ok.status_code == 303
    future = client.post(
        f"/pmi/orang/{pid}/konsultasi",
        {"held_on": day(-1), "channel": "p3mi", "information": "x"},
    )
    assert future.status_code == 422 and "sesudah hari ini" in future.text

    doc = client.post(
        f"/pmi/orang/{pid}/dokumen",
        {"kind": "paspor", "status": "sesuai", "checked_on": day(20), "version": "0"},
        files={"scan": ("paspor Siti.pdf", PDF, "application/pdf")},
    )
    assert doc.status_code == 303, doc.text[:1000]
    stale = client.post(
        f"/pmi/orang/{pid}/dokumen",
        {"kind": "paspor", "status": "tidak_sesuai", "checked_on": day(19), "version": "0",
         "note": "catatan saya"},
    )  # fmt: skip
    assert stale.status_code == 409 and "catatan saya" in stale.text
    liar = client.post(
        f"/pmi/orang/{pid}/dokumen",
        {"kind": "kk", "status": "ada", "checked_on": day(20), "version": "0"},
        files={"scan": ("kk.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert liar.status_code == 422

    letter = client.post(
        f"/pmi/orang/{pid}/surat",
        {"issued_on": day(31), "granted_by_name": "Rahmat", "granted_by_relation": "suami"},
    )
    assert letter.status_code == 422 and "sebelum konsultasi" in letter.text
    letter = client.post(
        f"/pmi/orang/{pid}/surat",
        {"issued_on": day(25), "number": "474/12/2026", "granted_by_name": "Rahmat Hidayat Uji",
         "granted_by_relation": "suami", "destination_country": "Malaysia"},
    )  # fmt: skip
    assert letter.status_code == 303
    page = BeautifulSoup(client.get(f"/pmi/orang/{pid}").text, "html.parser")
    link = page.select_one("#surat a[download]")["href"]
    docx = client.get(link)
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "SURAT IZIN KELUARGA" in text and "Malaysia" in text and "Pasal 13 huruf b" in text
    cells = [c.text for t in Document(io.BytesIO(docx.content)).tables for c in t._cells]
    assert SITI["nik"] in cells and SITI["name"] in cells

    early = client.post(
        f"/pmi/orang/{pid}/berangkat",
        {"departed_on": day(40), "country": "Malaysia", "channel": "p3mi", "p3mi_name": "PT A",
         "procedural": "ya"},
    )  # fmt: skip
    assert early.status_code == 422 and "sebelum konsultasi" in early.text
    gone = client.post(
        f"/pmi/orang/{pid}/berangkat",
        {"departed_on": day(10), "country": "Malaysia", "channel": "p3mi",
         "p3mi_name": "PT Maju Jaya", "procedural": "ya"},
    )  # fmt: skip
    assert gone.status_code == 303
    back = client.post(
        f"/pmi/orang/{pid}/kembali",
        {"returned_on": day(2), "condition": "sakit", "needs_health": "1", "needs_legal": "1"},
    )
    assert back.status_code == 303
    case = client.post(
        f"/pmi/orang/{pid}/kasus",
        {"opened_on": day(1), "summary": "Gaji tiga bulan belum dibayar", "referral": "bp3mi",
         "referred_on": day(1)},
    )  # fmt: skip
    assert case.status_code == 303
    page = BeautifulSoup(client.get(f"/pmi/orang/{pid}").text, "html.parser")
    assert "PMI purna" in page.get_text()
    assert "BP3MI" in page.select_one("#kasus").get_text()
    person = db.scalar(select(PmiPerson).where(PmiPerson.public_id == pid))
    assert person is not None and SITI["nik"] not in (person.nik_sealed or "")
    assert db.scalars(select(AccessLogEntry).where(AccessLogEntry.person_id == person.id)).all()


def test_a_duplicate_nik_is_refused_with_the_form_kept(client, db, regions):
    client.login_as(db, "operator", (LONTAR,))
    record_siti(client)
    again = client.post(f"/desa/{LONTAR}/pmi/baru", {**SITI, "name": "Nama Lain"})
    assert again.status_code == 422
    assert "sudah tercatat" in again.text and "Nama Lain" in again.text


def test_a_sex_or_birth_date_the_nik_contradicts_is_refused(client, db, regions):
    """Siti's NIK says a woman born 21 July 1998: typed otherwise, the form says what the NIK
    says and writes nothing; typed the same, it is saved; a bad NIK is the only error."""
    client.login_as(db, "operator", (LONTAR,))
    url = f"/desa/{LONTAR}/pmi/baru"
    male = client.post(url, {**SITI, "sex": "L"})
    assert male.status_code == 422
    assert "Tidak sesuai dengan NIK (menurut NIK: perempuan)" in male.text
    older = client.post(url, {**SITI, "birth_on": "1990-01-01"})
    assert older.status_code == 422
    assert "menurut NIK: lahir 21 Juli 1998" in older.text
    assert db.scalar(select(PmiPerson.id)) is None
    bad = BeautifulSoup(client.post(url, {**SITI, "nik": "3604136107980"}).text, "html.parser")
    assert bad.select_one("#f-nik[aria-invalid]") and not bad.select_one("#f-sex[aria-invalid]")
    same = client.post(url, {**SITI, "sex": "P", "birth_on": "1998-07-21"})
    assert same.status_code == 303
    # a birth date Dukcapil corrected without a new NIK: confirmed, it is kept as typed
    page = BeautifulSoup(older.text, "html.parser")
    assert page.select_one("#f-beda_dari_nik") and "Dukcapil" in page.text
    confirmed = client.post(url, {**JAJANG, "birth_on": "1995-03-16", "beda_dari_nik": "1"})
    assert confirmed.status_code == 303
    person = db.scalar(select(PmiPerson).where(PmiPerson.name == JAJANG["name"]))
    assert person is not None and person.birth_on.isoformat() == "1995-03-16"

    # editing compares with the stored NIK too (the edit form has no NIK field)
    siti = db.scalar(select(PmiPerson).where(PmiPerson.name == SITI["name"]))
    edit_url = f"/pmi/orang/{siti.public_id}/ubah"
    form = BeautifulSoup(client.get(edit_url).text, "html.parser")
    version = form.select_one("input[name=version]")["value"]
    assert form.select_one("#f-beda_dari_nik") is None  # Siti's record matches her NIK
    wrong = client.post(edit_url, {**SITI, "sex": "L", "version": version})
    assert wrong.status_code == 422
    assert "Tidak sesuai dengan NIK (menurut NIK: perempuan)" in wrong.text
    db.expire_all()
    assert db.get(PmiPerson, siti.id).sex.value == "P"
    # Jajang's record differs on purpose: his edit form keeps the confirmation ticked, so a
    # change of address saves without asking again
    jajang = BeautifulSoup(client.get(f"/pmi/orang/{person.public_id}/ubah").text, "html.parser")
    assert jajang.select_one("#f-beda_dari_nik").has_attr("checked")
    values = {
        i["name"]: i.get("value", "")
        for i in jajang.select("form input[name]")
        if i.get("type") != "checkbox" or i.has_attr("checked")
    }
    values["sex"] = "L"
    moved = client.post(f"/pmi/orang/{person.public_id}/ubah", {**values, "address": "Dusun 2"})
    assert moved.status_code == 303, moved.text[:500]


def test_a_monitor_gets_404_for_a_record_and_403_for_its_export(client, db, regions):
    client.login_as(db, "petugas", (LONTAR,))
    pid = record_siti(client)
    client.raw.cookies.clear()
    for role, scopes in (("pemantau", ("36.04",)), ("admin", ()), ("admin_daerah", ("36.04",))):
        client.raw.cookies.clear()
        client.login_as(db, role, scopes)
        assert client.get(f"/pmi/orang/{pid}").status_code == 404
        assert client.get(f"/pmi/orang/{pid}/ekspor").status_code == 403
        assert client.get(f"/desa/{LONTAR}/pmi").status_code == 403


def test_number_fields_ask_phones_for_the_number_keypad(client, db, regions):
    client.login_as(db, "petugas", (LONTAR,))
    html = BeautifulSoup(client.get(f"/desa/{LONTAR}/pmi/baru").text, "html.parser")
    for name in ("nik", "rt", "rw"):
        assert html.select_one(f"#f-{name}")["inputmode"] == "numeric", name  # not '"numeric"'
    label = html.select_one("label[for=f-nik]").get_text(" ", strip=False)
    assert "* —" in " ".join(label.split())  # "NIK * — 16 angka", not "NIK *— 16 angka"


def test_the_first_person_form_says_what_the_register_will_replace(client, db, regions):
    profile = db.get(VillageProfile, LONTAR) or VillageProfile(region_code=LONTAR)
    profile.pmi_active_count, profile.pmi_returned_count = 412, 958
    db.add(profile)
    db.commit()
    client.login_as(db, "petugas", (LONTAR,))
    for url in (f"/desa/{LONTAR}/pmi/baru", f"/desa/{LONTAR}/pmi/impor"):
        notice = BeautifulSoup(client.get(url).text, "html.parser").select_one(
            "[data-testid=first-record]"
        )
        assert notice is not None and "masih kosong" in notice.text, url
        assert "412 sedang bekerja dan 958 purna" in notice.text
    record_siti(client)
    for url in (f"/desa/{LONTAR}/pmi/baru", f"/desa/{LONTAR}/pmi/impor"):
        page = BeautifulSoup(client.get(url).text, "html.parser")
        assert page.select_one("[data-testid=first-record]") is None, url
