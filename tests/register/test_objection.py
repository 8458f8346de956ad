"""A granted objection restricts the processing of that person's record (UU 27/2022: the right
to have processing suspended or limited): the page says so, nothing new is recorded (and a
refused write leaves nothing written), no letter is printed, the pendamping no longer sees the
person and the Dinas export leaves them out; their own requests, corrections and export go on,
and the anonymous register counts still hold their past episodes."""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from perdes.accounts.models import AuditEntry
from perdes.accounts.services import principal_for
from perdes.register import crypto, disclosure
from perdes.register.figures import RegisterVillageFigure
from perdes.register.models import Consultation, Departure, FamilyLetter, PmiPerson, SubjectRequest
from perdes.tracking.deadlines import local_today
from tests.factories import LONTAR, make_user
from tests.register.people import JAJANG, SITI


def day(offset: int) -> str:
    return (local_today() - timedelta(days=offset)).isoformat()


def record(client, data) -> str:  # type: ignore[no-untyped-def]
    response = client.post(f"/desa/{LONTAR}/pmi/baru", data)
    assert response.status_code == 303, response.text[:1000]
    return response.headers["location"].split("?")[0].rsplit("/", 1)[-1]


def answer_objection(client, pid: str, status: str) -> None:  # type: ignore[no-untyped-def]
    made = client.post(f"/pmi/orang/{pid}/permintaan", {"kind": "keberatan", "received_on": day(2)})
    assert made.status_code == 303
    page = BeautifulSoup(client.get(f"/pmi/orang/{pid}").text, "html.parser")
    form = page.select("#permintaan form[action*='/permintaan/']")[-1]
    answered = client.post(
        form["action"],
        {"status": status, "answered_on": day(1), "answer": "Dijawab",
         "version": form.select_one("[name=version]")["value"]},
    )  # fmt: skip
    assert answered.status_code == 303, answered.text[:500]


def counts(db) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    figure = db.get(RegisterVillageFigure, LONTAR)
    return (
        db.scalar(select(func.count()).select_from(Consultation)) or 0,
        db.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        figure.consultations if figure else -1,
        figure.departures if figure else -1,
    )


def test_a_granted_objection_restricts_processing(client, db, regions, settings):
    petugas = client.login_as(db, "petugas", (LONTAR,))
    siti = record(client, {**SITI, "share_with_pendamping": "1"})
    jajang = record(client, JAJANG)
    for pid in (siti, jajang):
        client.post(f"/pmi/orang/{pid}/konsultasi", {"held_on": day(30), "channel": "p3mi",
                                                     "information": "Info"})  # fmt: skip
        client.post(
            f"/pmi/orang/{pid}/kasus",
            {"opened_on": day(5), "summary": "Aduan", "referral": "dinas", "referred_on": day(5)},
        )
    letter = client.post(
        f"/pmi/orang/{siti}/surat",
        {"issued_on": day(20), "granted_by_name": "Ibu Uji", "granted_by_relation": "ibu",
         "destination_country": "Taiwan"},
    )  # fmt: skip
    assert letter.status_code == 303
    answer_objection(client, siti, "dikabulkan")

    page = BeautifulSoup(client.get(f"/pmi/orang/{siti}").text, "html.parser")
    notice = page.select_one("[data-testid=restricted]")
    assert notice is not None and "Pemrosesan dibatasi" in notice.get_text()
    db.expire_all()
    person = db.scalar(select(PmiPerson).where(PmiPerson.public_id == siti))
    assert person is not None and person.consultations

    # a refused write leaves nothing written: no row, no audit entry, the same figures
    before = counts(db)
    refused = client.post(f"/pmi/orang/{siti}/konsultasi", {"held_on": day(3), "channel": "p3mi",
                                                            "information": "Lagi"})  # fmt: skip
    assert refused.status_code == 422 and "dibatasi sejak" in refused.text
    departure = client.post(
        f"/pmi/orang/{siti}/berangkat",
        {"departed_on": day(2), "country": "Taiwan", "channel": "p3mi", "p3mi_name": "PT Uji",
         "procedural": "ya"},
    )  # fmt: skip
    assert departure.status_code == 422 and "dibatasi sejak" in departure.text
    db.expire_all()
    assert counts(db) == before
    assert db.scalar(select(func.count()).select_from(Departure)) == 0

    # no letter printed for the objected purpose (409), a DOCX never sent
    (row,) = db.scalars(select(FamilyLetter))
    docx = client.get(f"/pmi/orang/{siti}/surat/{row.id}")
    assert docx.status_code == 409 and "dibatasi" in docx.text
    assert "wordprocessingml" not in docx.headers.get("content-type", "")

    # the person's rights go on: a correction, another request, their own export
    edit = BeautifulSoup(client.get(f"/pmi/orang/{siti}/ubah").text, "html.parser")
    version = edit.select_one("[name=version]")["value"]
    corrected = client.post(
        f"/pmi/orang/{siti}/ubah", {**SITI, "address": "Kampung Baru", "version": version}
    )
    assert corrected.status_code == 303, corrected.text[corrected.text.find("alert") :][:600]
    assert (
        client.post(
            f"/pmi/orang/{siti}/permintaan", {"kind": "akses", "received_on": day(0)}
        ).status_code
        == 303
    )
    assert client.get(f"/pmi/orang/{siti}/ekspor").json()["orang"]["alamat"] == "Kampung Baru"

    # the other person is not restricted
    assert (
        client.post(
            f"/pmi/orang/{jajang}/konsultasi",
            {"held_on": day(3), "channel": "p3mi", "information": "Lagi"},
        ).status_code
        == 303
    )

    # the Dinas export leaves the restricted person out
    operator = make_user(db, "operator", (LONTAR,))
    request = disclosure.request_disclosure(
        db, actor=principal_for(petugas), village_code=LONTAR,
        data={"recipient": "Disnaker", "request_reference": "Surat 1", "purpose": "kasus",
              "selection": "kasus_dirujuk"},
    )  # fmt: skip
    disclosure.decide_disclosure(
        db, actor=principal_for(operator), village_code=LONTAR, disclosure_id=request.id,
        approve=True, version=request.version,
    )  # fmt: skip
    rows = disclosure.export_disclosure(
        db, actor=principal_for(operator), village_code=LONTAR, disclosure_id=request.id,
        keyring=crypto.keyring_from_settings(settings),
    )  # fmt: skip
    assert [r[1] for r in rows] == [JAJANG["name"]]

    # the pendamping, to whom Siti had consented, no longer finds her
    client.raw.cookies.clear()
    client.login_as(db, "pendamping", (LONTAR,))
    assert client.get(f"/pmi/orang/{siti}").status_code == 404
    assert SITI["name"] not in client.get(f"/desa/{LONTAR}/pmi").text


def test_a_refused_objection_restricts_nothing(client, db, regions):
    client.login_as(db, "petugas", (LONTAR,))
    pid = record(client, SITI)
    answer_objection(client, pid, "ditolak")
    assert 'data-testid="restricted"' not in client.get(f"/pmi/orang/{pid}").text
    saved = client.post(f"/pmi/orang/{pid}/konsultasi", {"held_on": day(3), "channel": "p3mi",
                                                         "information": "Info"})  # fmt: skip
    assert saved.status_code == 303


def test_an_answered_request_cannot_be_answered_again(client, db, regions):
    """Answering a granted objection again (the form is gone, the route is not) would silently
    lift the restriction: it is refused and the person stays restricted."""
    client.login_as(db, "petugas", (LONTAR,))
    pid = record(client, SITI)
    answer_objection(client, pid, "dikabulkan")
    db.expire_all()
    person = db.scalar(select(PmiPerson).where(PmiPerson.public_id == pid))
    request = db.scalar(select(SubjectRequest).where(SubjectRequest.person_id == person.id))
    again = client.post(
        f"/pmi/orang/{pid}/permintaan/{request.id}",
        {"status": "ditolak", "answered_on": day(0), "answer": "Dicabut",
         "version": str(request.version)},
    )  # fmt: skip
    assert again.status_code == 409
    assert "sudah dijawab" in again.text
    refused = client.post(f"/pmi/orang/{pid}/konsultasi", {"held_on": day(0), "channel": "p3mi",
                                                           "information": "Info"})  # fmt: skip
    assert refused.status_code == 422
