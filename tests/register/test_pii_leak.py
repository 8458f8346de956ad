"""No personal data of the register outside the village's own register pages.

A full journey is recorded through the app (two persons, every kind of episode, a letter, a
scan, an export, a duplicate and bad input); then every GET route of the app is requested as
each role, and every page, export and API answer, every URL seen, every audit entry and every
log line is searched for the test persons' NIK, names and phone numbers. The village's staff
may see them on the register's own pages (``/pmi/…``, ``/desa/<kode>/pmi…``); a pendamping only
the name of the person who consented, only there; nobody anywhere else.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import httpx2 as httpx
from sqlalchemy import select

from perdes.accounts import services as accounts
from perdes.accounts.models import AuditEntry
from perdes.register import crypto
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
    jajang = created.headers["location"].rsplit("/", 1)[-1]
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
    post(f"/desa/{LONTAR}/pmi/insiden", {"discovered_at": f"{day(1)}T09:00", "description": "X"})
    return rows, siti, jajang, urls


def test_no_personal_data_outside_the_village_register(client, db, regions, settings, caplog):
    # every logger at DEBUG but SQLAlchemy's statement echo (off in the app, a test artefact);
    # set last, so the capture handler itself takes DEBUG
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    caplog.set_level(logging.DEBUG)
    rows, siti, jajang, urls = journey(client, db, settings)
    everything = [s for needles in IDENTIFIERS.values() for s in needles]

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
    for label, user in readers.items():
        session = accounts.start_session(db, user=user, client_addr="t", user_agent="t", days=1)
        client.raw.cookies.clear()
        client.raw.cookies.set(SESSION_COOKIE, session.token, domain="testserver.local")
        for route in ROUTES:
            if "GET" not in route.methods:
                continue
            for pid in (siti, jajang) if "{pid}" in route.path else (siti,):
                url = _url(route, {**rows, "person_pid": pid})
                response = client.get(url)
                checked += 1
                body = (
                    response.text if "zip" not in response.headers.get("content-type", "") else ""
                )
                urls.extend(re.findall(r'(?:href|action|hx-get|hx-post)="([^"]+)"', body))
                urls.append(response.headers.get("location", ""))
                if label == "operator" and is_register_page(url):
                    continue  # the village's own register pages
                if label == "pendamping" and is_register_page(url):
                    allowed = set(secrets_of(JAJANG)) - set(NIKS_AND_PHONES)
                    needles = [n for n in everything if n not in allowed]
                else:
                    needles = everything
                found += [f"{label} GET {url}: {n}" for n in leaks(body, needles)]
    assert checked > 300
    assert not found, found[:20]

    assert not [u for u in urls if leaks(u, everything)], "personal data in a URL"
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records and not leaks(log_text, everything), "personal data in the log"
    audit_text = json.dumps([e.changes for e in db.scalars(select(AuditEntry))])
    assert "pmi_person" in {e.entity for e in db.scalars(select(AuditEntry))}
    assert not leaks(audit_text, everything), "personal data in the audit log"
    assert not leaks(audit_text, ["Biaya", "Taiwan", "PT Uji", "Aduan"])
