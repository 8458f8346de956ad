"""Named exports for the Dinas: legal basis recorded, another officer approves, each logged."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from perdes.accounts.services import principal_for
from perdes.errors import Conflict, NotFound, OutOfScope, ValidationFailed
from perdes.register import disclosure
from perdes.register.disclosure import DisclosureStatus, RegisterDisclosure
from perdes.register.models import AccessLogEntry
from tests.factories import LONTAR, SUSUKAN, make_user
from tests.register.conftest import depart, make_person, open_case

REQUEST = {
    "recipient": "Dinas Tenaga Kerja Kabupaten Serang",
    "request_reference": "Surat 560/123/Disnaker, 20 November 2026",
    "purpose": "kasus",
    "selection": "kasus_dirujuk",
}


@pytest.fixture()
def staff(db, regions):
    return (
        principal_for(make_user(db, "petugas")),
        principal_for(make_user(db, "operator")),
    )


@pytest.fixture()
def people(db, regions, keyring):
    referred = make_person(db, LONTAR, keyring=keyring, nik="3604134506950001", name="Dirujuk")
    open_case(db, referred)
    departed = make_person(db, LONTAR, keyring=keyring, name="Hanya Berangkat")
    depart(db, departed)
    make_person(db, SUSUKAN, keyring=keyring, name="Desa Lain")
    return referred, departed


def test_request_approve_export_and_log(db, staff, people, keyring):
    petugas, operator = staff
    row = disclosure.request_disclosure(db, actor=petugas, village_code=LONTAR, data=REQUEST)
    assert row.status is DisclosureStatus.DIAJUKAN
    assert "Pasal 42" in row.legal_basis
    with pytest.raises(Conflict):
        disclosure.export_disclosure(
            db, actor=petugas, village_code=LONTAR, disclosure_id=row.id, keyring=keyring
        )
    with pytest.raises(OutOfScope, match="petugas lain"):
        disclosure.decide_disclosure(
            db, actor=petugas, village_code=LONTAR, disclosure_id=row.id, approve=True,
            version=row.version,
        )  # fmt: skip
    disclosure.decide_disclosure(
        db, actor=operator, village_code=LONTAR, disclosure_id=row.id, approve=True,
        version=row.version,
    )  # fmt: skip
    rows = disclosure.export_disclosure(
        db, actor=petugas, village_code=LONTAR, disclosure_id=row.id, keyring=keyring
    )
    assert [(r[0], r[1]) for r in rows] == [("3604134506950001", "Dirujuk")]
    logged = db.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "ekspor")).all()
    assert [(e.person_id, e.purpose) for e in logged] == [(people[0].id, "kasus")]
    assert db.get(RegisterDisclosure, row.id).exported_count == 1


def test_a_decided_or_stale_request_is_a_conflict(db, staff, people):
    petugas, operator = staff
    row = disclosure.request_disclosure(db, actor=petugas, village_code=LONTAR, data=REQUEST)
    with pytest.raises(Conflict):
        disclosure.decide_disclosure(
            db, actor=operator, village_code=LONTAR, disclosure_id=row.id, approve=True,
            version=row.version + 1,
        )  # fmt: skip
    disclosure.decide_disclosure(
        db, actor=operator, village_code=LONTAR, disclosure_id=row.id, approve=False,
        version=row.version,
    )  # fmt: skip
    with pytest.raises(Conflict):
        disclosure.decide_disclosure(
            db, actor=operator, village_code=LONTAR, disclosure_id=row.id, approve=True,
            version=row.version,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("recipient", ""),
        ("recipient", "Dinas\x00"),
        ("recipient", "x" * 121),
        ("request_reference", "   "),
        ("purpose", "pendataan"),
        ("purpose", "<script>"),
        ("selection", "semua"),
    ],
)
def test_bad_requests_are_refused(db, staff, field, value):
    with pytest.raises(ValidationFailed) as caught:
        disclosure.request_disclosure(
            db, actor=staff[0], village_code=LONTAR, data={**REQUEST, field: value}
        )
    assert field in caught.value.errors
    assert db.scalar(select(RegisterDisclosure)) is None


def test_other_roles_and_villages_have_no_right(db, staff, people, keyring):
    row = disclosure.request_disclosure(db, actor=staff[0], village_code=LONTAR, data=REQUEST)
    for role in ("pemantau", "admin", "admin_daerah", "pendamping"):
        with pytest.raises(OutOfScope):
            disclosure.request_disclosure(
                db, actor=principal_for(make_user(db, role)), village_code=LONTAR, data=REQUEST
            )
    susukan = principal_for(make_user(db, "operator", (SUSUKAN,)))
    with pytest.raises(OutOfScope):
        disclosure.export_disclosure(
            db, actor=susukan, village_code=LONTAR, disclosure_id=row.id, keyring=keyring
        )
    with pytest.raises(NotFound):
        disclosure.export_disclosure(
            db, actor=susukan, village_code=SUSUKAN, disclosure_id=row.id, keyring=keyring
        )


def test_routes_request_decide_download(client, db, people, regions):
    from tests.factories import PASSWORD  # noqa: F401 - same password for every test user

    petugas = make_user(db, "petugas")
    operator = make_user(db, "operator")
    client.login(petugas.username)
    assert client.get(f"/desa/{LONTAR}/pmi/ekspor-dinas").status_code == 200
    bad = client.post(f"/desa/{LONTAR}/pmi/ekspor-dinas", {**REQUEST, "recipient": ""})
    assert bad.status_code == 422
    assert client.post(f"/desa/{LONTAR}/pmi/ekspor-dinas", REQUEST).status_code in {302, 303}
    row = db.scalar(select(RegisterDisclosure))
    own = client.post(
        f"/desa/{LONTAR}/pmi/ekspor-dinas/{row.id}/putuskan",
        {"keputusan": "setujui", "version": str(row.version)},
    )
    assert own.status_code == 403
    early = client.post(f"/desa/{LONTAR}/pmi/ekspor-dinas/{row.id}/unduh")
    assert early.status_code == 409
    client.login(operator.username)
    ok = client.post(
        f"/desa/{LONTAR}/pmi/ekspor-dinas/{row.id}/putuskan",
        {"keputusan": "setujui", "version": str(row.version)},
    )
    assert ok.status_code in {302, 303}
    download = client.post(f"/desa/{LONTAR}/pmi/ekspor-dinas/{row.id}/unduh")
    assert download.status_code == 200
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert lines[0][0] == "NIK" and lines[1][:2] == ["3604134506950001", "Dirujuk"]
    client.login_as(db, "pemantau")
    assert client.get(f"/desa/{LONTAR}/pmi/ekspor-dinas").status_code == 403
    assert client.post(f"/desa/{LONTAR}/pmi/ekspor-dinas/{row.id}/unduh").status_code == 403
