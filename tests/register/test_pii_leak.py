"""No personal data of the register outside the village's own register pages.

A full journey is recorded through the app (two persons, every kind of episode, a letter, a
scan, an export, a duplicate and bad input, a Dinas disclosure approved by a second officer);
then every GET route of the app (each download format) and every POST route (an empty form,
the posted search, the Dinas CSV download) is requested as each role, and every page, export
(CSV, the XLSX cells, the DOCX letter's text) and API answer, every URL seen, every audit entry
and every log line is searched for the test persons' NIK, names and phone numbers. The
village's staff may see them on the register's own pages (``/pmi/…``, ``/desa/<kode>/pmi…``,
the Dinas CSV included); a pendamping only the name of the person who consented, only there;
nobody anywhere else.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from datetime import timedelta

import docx
import httpx2 as httpx
import openpyxl
from sqlalchemy import select

from perdes.accounts import services as accounts
from perdes.accounts.models import AuditEntry
from perdes.register import crypto
from perdes.register.disclosure import RegisterDisclosure
from perdes.register.models import SubjectRequest
from perdes.tracking.deadlines import local_today
from perdes.web.permissions import SESSION_COOKIE
from tests.factories import LONTAR, SUSUKAN, make_user
from tests.register.people import JAJANG, SITI
from tests.web.test_authz_matrix import ROUTES, _url, sample_rows

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def secrets_of(person: dict[str, str]) -> list[str]:
    """The strings that identify a person: NIK, full name and its distinctive parts, phones
    (also without the leading 0, to catch +62 forms)."""
    found = [person["nik"], person["name"], *person["name"].split()[:2]]
    for key in ("phone", "family_contact_phone", "family_contact_name"):
        if person.get(key):
            found.append(person[key])
            if key.endswith("phone"):
                found.append(person[key][1:])
    return found


IDENTIFIERS = {p["name"]: secrets_of(p) for p in (SITI, JAJANG)}
NIKS_AND_PHONES = [s for p in (SITI, JAJANG) for s in secrets_of(p) if s.isdigit()]


def day(offset: int) -> str:
    return (local_today() - timedelta(days=offset)).isoformat()


def leaks(text: str, needles: list[str]) -> list[str]:
    return [n for n in needles if n in text]


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def body_text(response: httpx.Response) -> str:
    """What a reader gets to see in a response: the text, a DOCX's paragraphs and table cells,
    an XLSX's cells, any other ZIP's members with the markup removed."""
    kind = response.headers.get("content-type", "").split(";")[0]
    content = response.content
    if kind == DOCX:
        document = docx.Document(io.BytesIO(content))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if kind == XLSX:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
        )
    if content[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                re.sub(r"<[^>]+>", "", archive.read(n).decode("utf-8", "replace"))
                for n in archive.namelist()
            )
    return response.text


def is_register_page(url: str) -> bool:
    return url.startswith("/pmi/") or url.startswith(f"/desa/{LONTAR}/pmi")


def journey(client, db, settings):  # type: ignore[no-untyped-def]
    """Siti (from the matrix's sample rows, no consent) and Jajang (recorded through the
    pages, consenting) from consultation to case; returns their ids and the URLs seen."""
    rows = sample_rows(db, settings.effective_upload_path, crypto.keyring_from_settings(settings))
    siti = str(rows["person_pid"])
    client.login_as(db, "petugas", (LONTAR,))
    urls: list[str] = []

    def post(url: str, data: dict[str, str], **kw) -> httpx.Response:  # type: ignore[no-untyped-def]
        response = client.post(url, data, **kw)
        assert response.status_code in (200, 303, 409, 422), (url, response.status_code)
        urls.append(url)
        urls.append(response.headers.get("location", ""))
        return response

    created = post(f"/desa/{LONTAR}/pmi/baru", {**JAJANG, "share_with_pendamping": "1"})
    jajang = created.headers["location"].split("?")[0].rsplit("/", 1)[-1]
    post(f"/desa/{LONTAR}/pmi/baru", {**JAJANG, "name": "Orang Lain"})  # duplicate NIK
    post(f"/desa/{LONTAR}/pmi/baru", {**JAJANG, "nik": JAJANG["nik"][:15] + "x"})  # bad NIK
    post(f"/desa/{LONTAR}/pmi/cari", {"q": JAJANG["nik"]})
    post(f"/desa/{LONTAR}/pmi/cari", {"q": "Sukmana"})
    for pid in (siti, jajang):
        base = f"/pmi/orang/{pid}"
        post(f"{base}/konsultasi", {"held_on": day(30), "channel": "p3mi", "information": "Biaya"})
        post(
            f"{base}/dokumen",
            {"kind": "ktp_el", "status": "sesuai", "checked_on": day(20), "version": "0"},
            files={"scan": (f"KTP {SITI['name']}.pdf", PDF + pid.encode(), "application/pdf")},
        )
        post(
            f"{base}/surat",
            {"issued_on": day(25), "granted_by_name": "Keluarga Uji",
             "granted_by_relation": "ibu", "destination_country": "Taiwan"},
        )  # fmt: skip
        post(
            f"{base}/berangkat",
            {"departed_on": day(10), "country": "Taiwan", "channel": "p3mi",
             "p3mi_name": "PT Uji", "procedural": "ya"},
        )  # fmt: skip
        post(
            f"{base}/kembali", {"returned_on": day(3), "condition": "sehat", "needs_economic": "1"}
        )
        post(
            f"{base}/kasus",
            {"opened_on": day(2), "summary": "Aduan", "referral": "dinas", "referred_on": day(2)},
        )
        post(f"{base}/pemberdayaan", {"kind": "kkbm", "activity": "KKBM", "started_on": day(1)})
        post(f"{base}/permintaan", {"kind": "akses", "received_on": day(1)})
        post(f"{base}/ubah", {**JAJANG, "version": "999"})  # stale: 409, input kept
        for url in (base, f"{base}/ekspor", f"{base}/ubah"):
            assert client.get(url).status_code == 200
    # Jajang restricts processing, then lifts the restriction (requests and their answers)
    for kind in ("keberatan", "pencabutan_pembatasan"):
        post(f"/pmi/orang/{jajang}/permintaan", {"kind": kind, "received_on": day(1)})
        asked = db.scalars(select(SubjectRequest).order_by(SubjectRequest.id.desc())).first()
        answered = post(
            f"/pmi/orang/{jajang}/permintaan/{asked.id}",
            {"status": "dikabulkan", "answered_on": day(0), "answer": "Ya", "version": "1"},
        )
        assert answered.status_code == 303, kind
    nothing_to_lift = {"kind": "pencabutan_pembatasan", "received_on": day(0)}
    assert post(f"/pmi/orang/{jajang}/permintaan", nothing_to_lift).status_code == 422
    post(f"/desa/{LONTAR}/pmi/insiden", {"discovered_at": f"{day(1)}T09:00", "description": "X"})
    post(
        f"/desa/{LONTAR}/pmi/ekspor-dinas",
        {"recipient": "Disnaker Kab. Serang", "request_reference": "Surat 1/2026",
         "purpose": "kasus", "selection": "kasus_dirujuk"},
    )  # fmt: skip
    (request,) = db.scalars(select(RegisterDisclosure))
    return rows, siti, jajang, urls, request


def approve(db, client, request) -> None:  # type: ignore[no-untyped-def]
    """A second officer of the village (an operator) approves the disclosure."""
    client.login_as(db, "operator", (LONTAR,))
    path = f"/desa/{LONTAR}/pmi/ekspor-dinas/{request.id}/putuskan"
    response = client.post(path, {"keputusan": "setujui", "version": str(request.version)})
    assert response.status_code == 303, response.text[:300]


def test_no_personal_data_outside_the_village_register(client, db, regions, settings, caplog):
    # every logger at DEBUG but SQLAlchemy's statement echo (off in the app, a test artefact);
    # set last, so the capture handler itself takes DEBUG
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    caplog.set_level(logging.DEBUG)
    rows, siti, jajang, urls, request = journey(client, db, settings)
    approve(db, client, request)
    everything = [s for needles in IDENTIFIERS.values() for s in needles]
    download = f"/desa/{LONTAR}/pmi/ekspor-dinas/{request.id}/unduh"

    readers = {
        "admin": make_user(db, "admin", username="leak.admin"),
        "admin_daerah": make_user(db, "admin_daerah", ("36.04",), username="leak.daerah"),
        "pemantau": make_user(db, "pemantau", ("36.04",), username="leak.pemantau"),
        "operator lain": make_user(db, "operator", (SUSUKAN,), username="leak.susukan"),
        "pendamping": make_user(db, "pendamping", (LONTAR, SUSUKAN), username="leak.pendamping"),
        "operator": make_user(db, "operator", (LONTAR,), username="leak.operator"),
    }
    checked = 0
    found: list[str] = []
    signed_out: list[str] = []
    seen: dict[tuple[str, str], str] = {}  # (reader, request) → text, for the positive checks

    def scan(label: str, method: str, url: str, response: httpx.Response) -> None:
        nonlocal checked
        checked += 1
        body = body_text(response)
        seen[(label, f"{method} {url}")] = body
        urls.extend(re.findall(r'(?:href|action|hx-get|hx-post)="([^"]+)"', body))
        location = response.headers.get("location", "")
        urls.append(location)
        if location.startswith("/masuk"):
            signed_out.append(f"{label} {method} {url}")
        if label == "operator" and is_register_page(url):
            return  # the village's own register pages, the Dinas file its staff hand over
        if label == "pendamping" and is_register_page(url):
            allowed = set(secrets_of(JAJANG)) - set(NIKS_AND_PHONES)
            needles = [n for n in everything if n not in allowed]
        else:
            needles = everything
        found.extend(f"{label} {method} {url}: {n}" for n in leaks(body, needles))

    for label, user in readers.items():
        session = accounts.start_session(db, user=user, client_addr="t", user_agent="t", days=1)
        client.raw.cookies.clear()
        client.raw.cookies.set(SESSION_COOKIE, session.token, domain="testserver.local")
        for route in ROUTES:
            if route.name == "logout":
                continue
            for pid in (siti, jajang) if "{pid}" in route.path else (siti,):
                url = _url(route, {**rows, "person_pid": pid})
                if "GET" in route.methods:
                    for variant in (
                        (url, url.replace(".csv", ".xlsx")) if "{fmt}" in route.path else (url,)
                    ):
                        scan(label, "GET", variant, client.get(variant))
                if "POST" in route.methods:
                    scan(label, "POST", url, client.post(url, {}))
        for query in (SITI["nik"], JAJANG["nik"], "Sukmana"):
            url = f"/desa/{LONTAR}/pmi/cari"
            scan(label, "POST", url, client.post(url, {"q": query}, follow_redirects=True))
        scan(label, "POST", download, client.post(download, {}))
    assert checked > 700
    assert not signed_out, signed_out[:5]
    assert not found, found[:20]

    # the scan reads what the village's own staff get: the letter's and the file's text
    letter = seen[("operator", f"GET /pmi/orang/{siti}/surat/{rows['letter_id']}")]
    assert SITI["name"] in letter and SITI["nik"] in letter
    dinas = seen[("operator", f"POST {download}")]
    assert JAJANG["nik"] in dinas and JAJANG["phone"] in dinas
    xlsx = seen[("pemantau", "GET /pemantauan/register.xlsx")]
    assert "Konsultasi" in xlsx and "Banten" in xlsx  # the cells are read

    assert not [u for u in urls if leaks(u, everything)], "personal data in a URL"
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records and not leaks(log_text, everything), "personal data in the log"
    audit_text = json.dumps([e.changes for e in db.scalars(select(AuditEntry))])
    assert "pmi_person" in {e.entity for e in db.scalars(select(AuditEntry))}
    assert not leaks(audit_text, everything), "personal data in the audit log"
    assert not leaks(audit_text, ["Biaya", "Taiwan", "PT Uji", "Aduan"])
