"""Lifting a restriction of processing (UU 27/2022): the person withdraws the request to have
processing suspended or limited. Once the lifting ("Pencabutan pembatasan pemrosesan") is
granted, processing resumes from that answer on: new episodes and the letter again, the
pendamping's view and the Dinas export follow the person's consent again, the history of
both requests stays and reading the record is still logged. A lifting for a person who is not
restricted is refused (422, nothing written); a later granted restriction restricts again."""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from perdes.accounts.models import AuditEntry
from perdes.accounts.services import principal_for
from perdes.db import utcnow
from perdes.register import crypto, disclosure
from perdes.register import services as register
from perdes.register.models import (
    AccessLogEntry,
    FamilyLetter,
    PmiPerson,
    RequestKind,
    RequestStatus,
    SubjectRequest,
)
from perdes.tracking.deadlines import local_today
from tests.factories import LONTAR, make_user
from tests.register.people import JAJANG, SITI

LIFT = "pencabutan_pembatasan"
RESTRICT = "keberatan"


def day(offset: int) -> str:
    return (local_today() - timedelta(days=offset)).isoformat()


def record(client, data) -> str:  # type: ignore[no-untyped-def]
    response = client.post(f"/desa/{LONTAR}/pmi/baru", data)
    assert response.status_code == 303, response.text[:1000]
    return response.headers["location"].split("?")[0].rsplit("/", 1)[-1]


def ask(client, pid: str, kind: str, received: int = 2):  # type: ignore[no-untyped-def]
    return client.post(f"/pmi/orang/{pid}/permintaan", {"kind": kind, "received_on": day(received)})


def answer_last(client, pid: str, status: str, on: int = 1):  # type: ignore[no-untyped-def]
    """Answer the newest request on the person's page, through its form."""
    page = BeautifulSoup(client.get(f"/pmi/orang/{pid}").text, "html.parser")
    form = page.select("#permintaan form[action*='/permintaan/']")[-1]
    return client.post(
        form["action"],
        {"status": status, "answered_on": day(on), "answer": "Dijawab",
         "version": form.select_one("[name=version]")["value"]},
    )  # fmt: skip


def consult(client, pid: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/pmi/orang/{pid}/konsultasi", {"held_on": day(0), "channel": "p3mi", "information": "I"}
    )


def dinas_names(db, petugas, settings) -> list[str]:  # type: ignore[no-untyped-def]
    """The names in a Dinas export of referred cases, requested and approved now."""
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
    return [r[1] for r in rows]


def pendamping_finds(client, db, pid: str) -> bool:  # type: ignore[no-untyped-def]
    client.raw.cookies.clear()
    client.login_as(db, "pendamping", (LONTAR,))
    status = client.get(f"/pmi/orang/{pid}").status_code
    listed = SITI["name"] in client.get(f"/desa/{LONTAR}/pmi").text
    assert (status == 200) is listed
    return listed


def test_a_granted_lifting_ends_the_restriction(client, db, regions, settings):
    petugas = client.login_as(db, "petugas", (LONTAR,))
    siti = record(client, {**SITI, "share_with_pendamping": "1"})
    referred = {"opened_on": day(9), "summary": "Aduan", "referral": "dinas", "referred_on": day(9)}
    assert client.post(f"/pmi/orang/{siti}/kasus", referred).status_code == 303
    assert ask(client, siti, RESTRICT, received=5).status_code == 303
    assert answer_last(client, siti, "dikabulkan", on=4).status_code == 303
    assert consult(client, siti).status_code == 422
    assert dinas_names(db, petugas, settings) == []
    assert not pendamping_finds(client, db, siti)

    client.raw.cookies.clear()
    client.login(petugas.username)
    assert ask(client, siti, LIFT, received=2).status_code == 303
    # recorded but not yet granted: still restricted
    assert consult(client, siti).status_code == 422
    assert answer_last(client, siti, "dikabulkan", on=1).status_code == 303

    page = BeautifulSoup(client.get(f"/pmi/orang/{siti}").text, "html.parser")
    assert page.select_one("[data-testid=restricted]") is None
    lifted = page.select_one("[data-testid=restriction-lifted]").text
    assert "dicabut sejak" in lifted
    history = page.select_one("#permintaan").text
    assert "Penundaan atau pembatasan pemrosesan: Dikabulkan" in history
    assert "Pencabutan pembatasan pemrosesan: Dikabulkan" in history

    # processing resumes: a consultation, a letter printed, a departure
    assert consult(client, siti).status_code == 303
    letter = client.post(
        f"/pmi/orang/{siti}/surat",
        {"issued_on": day(0), "granted_by_name": "Ibu Uji", "granted_by_relation": "ibu",
         "destination_country": "Taiwan"},
    )  # fmt: skip
    assert letter.status_code == 303
    (row,) = db.scalars(select(FamilyLetter))
    docx = client.get(f"/pmi/orang/{siti}/surat/{row.id}")
    assert docx.status_code == 200 and "wordprocessingml" in docx.headers["content-type"]

    # reading the record is still logged
    db.expire_all()
    person = db.scalar(select(PmiPerson).where(PmiPerson.public_id == siti))
    logged = db.scalar(select(func.count()).where(AccessLogEntry.person_id == person.id))
    assert client.get(f"/pmi/orang/{siti}").status_code == 200
    db.expire_all()
    assert db.scalar(select(func.count()).where(AccessLogEntry.person_id == person.id)) == (
        logged + 1
    )

    # the Dinas export and the pendamping follow the person's consent again
    assert dinas_names(db, petugas, settings) == [SITI["name"]]
    assert pendamping_finds(client, db, siti)


def test_a_lifting_for_a_person_not_restricted_is_refused(client, db, regions):
    client.login_as(db, "petugas", (LONTAR,))
    pid = record(client, SITI)
    before = (
        db.scalar(select(func.count()).select_from(SubjectRequest)),
        db.scalar(select(func.count()).select_from(AuditEntry)),
    )
    refused = ask(client, pid, LIFT)
    assert refused.status_code == 422
    assert "tidak sedang dibatasi" in BeautifulSoup(refused.text, "html.parser").text
    db.expire_all()
    assert before == (
        db.scalar(select(func.count()).select_from(SubjectRequest)),
        db.scalar(select(func.count()).select_from(AuditEntry)),
    )
    # a refused restriction restricts nothing, so there is nothing to lift either
    assert ask(client, pid, RESTRICT).status_code == 303
    assert answer_last(client, pid, "ditolak").status_code == 303
    db.expire_all()
    before = (
        db.scalar(select(func.count()).select_from(SubjectRequest)),
        db.scalar(select(func.count()).select_from(AuditEntry)),
    )
    assert ask(client, pid, LIFT).status_code == 422
    db.expire_all()
    assert before == (
        db.scalar(select(func.count()).select_from(SubjectRequest)),
        db.scalar(select(func.count()).select_from(AuditEntry)),
    )


def test_granting_a_second_lifting_after_the_first_is_refused(client, db, regions):
    client.login_as(db, "petugas", (LONTAR,))
    pid = record(client, SITI)
    ask(client, pid, RESTRICT, received=6)
    answer_last(client, pid, "dikabulkan", on=5)
    assert ask(client, pid, LIFT, received=4).status_code == 303
    assert ask(client, pid, LIFT, received=3).status_code == 303  # twice, before any answer
    db.expire_all()
    person = db.scalar(select(PmiPerson).where(PmiPerson.public_id == pid))
    first, second = db.scalars(
        select(SubjectRequest)
        .where(SubjectRequest.kind == RequestKind.PENCABUTAN_PEMBATASAN)
        .order_by(SubjectRequest.id)
    )
    url = f"/pmi/orang/{pid}/permintaan"
    granted = {"status": "dikabulkan", "answered_on": day(2), "answer": "Ya"}
    assert client.post(f"{url}/{first.id}", {**granted, "version": "1"}).status_code == 303
    again = client.post(f"{url}/{second.id}", {**granted, "version": "1"})
    assert again.status_code == 422 and "tidak sedang dibatasi" in again.text
    # it can still be answered as refused (with the reason), so the request does not hang
    done = client.post(f"{url}/{second.id}", {**granted, "status": "ditolak", "version": "1"})
    assert done.status_code == 303
    assert register.restricted_since(db, person=person) is None


def test_a_stale_answer_to_a_lifting_is_409_and_lifts_nothing(client, db, regions):
    client.login_as(db, "petugas", (LONTAR,))
    pid = record(client, SITI)
    ask(client, pid, RESTRICT, received=6)
    answer_last(client, pid, "dikabulkan", on=5)
    ask(client, pid, LIFT, received=4)
    db.expire_all()
    lifting = db.scalar(
        select(SubjectRequest).where(SubjectRequest.kind == RequestKind.PENCABUTAN_PEMBATASAN)
    )
    stale = client.post(
        f"/pmi/orang/{pid}/permintaan/{lifting.id}",
        {"status": "dikabulkan", "answered_on": day(1), "answer": "Ya", "version": "7"},
    )
    assert stale.status_code == 409
    assert consult(client, pid).status_code == 422


def test_a_lifting_dated_before_the_restriction_is_refused(client, db, regions):
    client.login_as(db, "petugas", (LONTAR,))
    pid = record(client, SITI)
    ask(client, pid, RESTRICT, received=6)
    answer_last(client, pid, "dikabulkan", on=3)
    ask(client, pid, LIFT, received=5)
    early = answer_last(client, pid, "dikabulkan", on=4)
    assert early.status_code == 422 and "sebelum pembatasan berlaku" in early.text
    assert consult(client, pid).status_code == 422


def test_a_restriction_after_a_lifting_restricts_again(client, db, regions, settings):
    """The same day three times over: the order of the answers decides, not the date."""
    petugas = client.login_as(db, "petugas", (LONTAR,))
    siti = record(client, {**SITI, "share_with_pendamping": "1"})
    jajang = record(client, JAJANG)
    for pid in (siti, jajang):
        referred = {"opened_on": day(9), "summary": "A", "referral": "dinas", "referred_on": day(9)}
        assert client.post(f"/pmi/orang/{pid}/kasus", referred).status_code == 303
    for kind in (RESTRICT, LIFT, RESTRICT):
        assert ask(client, siti, kind, received=1).status_code == 303
        assert answer_last(client, siti, "dikabulkan", on=0).status_code == 303
    refused = consult(client, siti)
    assert refused.status_code == 422 and "dibatasi sejak" in refused.text
    page = BeautifulSoup(client.get(f"/pmi/orang/{siti}").text, "html.parser")
    assert page.select_one("[data-testid=restricted]") is not None
    assert page.select_one("[data-testid=restriction-lifted]") is None
    assert dinas_names(db, petugas, settings) == [JAJANG["name"]]
    assert not pendamping_finds(client, db, siti)

    client.raw.cookies.clear()
    client.login(petugas.username)
    assert ask(client, siti, LIFT, received=0).status_code == 303
    assert answer_last(client, siti, "dikabulkan", on=0).status_code == 303
    assert consult(client, siti).status_code == 303
    assert sorted(dinas_names(db, petugas, settings)) == sorted([JAJANG["name"], SITI["name"]])
    assert pendamping_finds(client, db, siti)
    # the history of all four requests stays
    db.expire_all()
    person = db.scalar(select(PmiPerson).where(PmiPerson.public_id == siti))
    kinds = db.scalars(
        select(SubjectRequest.kind)
        .where(SubjectRequest.person_id == person.id, SubjectRequest.status == "dikabulkan")
        .order_by(SubjectRequest.id)
    ).all()
    assert kinds == [RequestKind.KEBERATAN, RequestKind.PENCABUTAN_PEMBATASAN] * 2


def test_a_restriction_answered_before_liftings_existed_is_lifted(db, regions, settings):
    """Rows from before this release have no ``answered_at``: any granted lifting comes after
    them (the query, not only the pages)."""
    keyring = crypto.keyring_from_settings(settings)
    petugas = principal_for(make_user(db, "petugas", (LONTAR,)))
    person = register.create_person(
        db, actor=petugas, village_code=LONTAR, data=dict(SITI), keyring=keyring
    )
    today = local_today()
    db.add(
        SubjectRequest(
            person_id=person.id, kind=RequestKind.KEBERATAN, received_on=today,
            status=RequestStatus.DIKABULKAN, answered_on=today, answered_at=None,
        )
    )  # fmt: skip
    db.flush()
    restricted = select(PmiPerson.id).where(register.restricted_clause())
    assert db.scalars(restricted).all() == [person.id]
    assert register.restricted_since(db, person=person) == today
    db.add(
        SubjectRequest(
            person_id=person.id, kind=RequestKind.PENCABUTAN_PEMBATASAN, received_on=today,
            status=RequestStatus.DIKABULKAN, answered_on=today,
            answered_at=utcnow() - timedelta(days=1),
        )
    )  # fmt: skip
    db.flush()
    assert db.scalars(restricted).all() == []
    assert register.restricted_since(db, person=person) is None
