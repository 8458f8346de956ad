"""The retention job anonymises exactly the persons due, and keeps the counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from perdes import pipeline
from perdes.files import store_upload
from perdes.jobs.registry import JOBS
from perdes.register.figures import RegisterVillageFigure
from perdes.register.models import (
    Consultation,
    DocumentCheck,
    DocumentKind,
    DocumentStatus,
    FamilyLetter,
    PmiPerson,
)
from perdes.register.retention import (
    ANONYMOUS_NAME,
    RetentionPolicy,
    due_ids,
    remove_files,
    run_retention,
    years_before,
)
from tests.factories import LONTAR
from tests.register.conftest import BASIS, come_back, consult, depart, make_person, open_case

TODAY = date(2026, 11, 30)
POLICY = RetentionPolicy(years_after_return=5, years_inactive=3)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def person(db, keyring, name, *, touched=LONG_AGO):
    p = make_person(db, LONTAR, keyring=keyring, name=name)
    p.updated_at = touched
    db.flush()
    return p


def test_exactly_the_persons_due_are_anonymised(db, regions, keyring, tmp_path):
    due_return = person(db, keyring, "Kembali Tepat Lima Tahun")
    depart(db, due_return, date(2019, 1, 1))
    come_back(db, due_return, date(2021, 11, 30))
    not_yet = person(db, keyring, "Kembali Sehari Kurang")
    depart(db, not_yet, date(2019, 1, 1))
    come_back(db, not_yet, date(2021, 12, 1))
    abroad_again = person(db, keyring, "Berangkat Lagi")
    depart(db, abroad_again, date(2015, 1, 1))
    come_back(db, abroad_again, date(2016, 1, 1))
    depart(db, abroad_again, date(2018, 1, 1))
    with_case = person(db, keyring, "Kasus Terbuka")
    depart(db, with_case, date(2015, 1, 1))
    come_back(db, with_case, date(2016, 1, 1))
    open_case(db, with_case)
    inactive = person(db, keyring, "Hanya Konsultasi Lama")
    consult(db, inactive, date(2023, 11, 30))
    db.add(
        FamilyLetter(
            person_id=inactive.id,
            consultation_id=db.scalar(
                select(Consultation.id).where(Consultation.person_id == inactive.id)
            ),
            issued_on=date(2023, 11, 1),
            granted_by_name="Ibu Kandung Rahasia",
            granted_by_relation="ibu",
            legal_basis=BASIS,
        )
    )
    upload, _ = store_upload(
        db, root=tmp_path, data=PDF, filename="ktp.pdf", uploaded_by_id=None, max_bytes=10**6
    )
    db.add(
        DocumentCheck(
            person_id=inactive.id,
            kind=DocumentKind.KTP_EL,
            status=DocumentStatus.SESUAI,
            note="nomor KTP tertulis",
            stored_file_id=upload.id,
            legal_basis=BASIS,
        )
    )
    recent = person(db, keyring, "Konsultasi Baru")
    consult(db, recent, date(2023, 12, 1))
    fresh = make_person(db, LONTAR, keyring=keyring, name="Baru Dicatat")  # updated today
    db.flush()
    pipeline.settle(db)
    before = db.get(RegisterVillageFigure, LONTAR)
    counts = (before.persons, before.departures, before.returns, before.consultations)

    assert due_ids(db, policy=POLICY, today=TODAY) == [due_return.id, inactive.id]
    report = run_retention(db, policy=POLICY, today=TODAY)
    assert report.anonymised == 2
    pipeline.settle(db)

    for p in (due_return, inactive):
        db.refresh(p)
        assert p.name == ANONYMOUS_NAME and p.anonymised_at is not None
        assert (p.nik_sealed, p.nik_hash, p.phone_sealed, p.birth_on) == (None, None, None, None)
    letter = db.scalar(select(FamilyLetter).where(FamilyLetter.person_id == inactive.id))
    assert letter.granted_by_name == ""
    check = db.scalar(select(DocumentCheck).where(DocumentCheck.person_id == inactive.id))
    assert (check.note, check.stored_file_id) == ("", None)
    assert [str(p) for p in report.files_removed] == [upload.storage_name]
    assert (tmp_path / upload.storage_name).exists()
    remove_files(tmp_path, report.files_removed)
    assert not (tmp_path / upload.storage_name).exists()

    for p in (not_yet, abroad_again, with_case, recent, fresh):
        db.refresh(p)
        assert p.anonymised_at is None and p.nik_hash is not None and p.name != ANONYMOUS_NAME
    after = db.get(RegisterVillageFigure, LONTAR)
    assert (after.persons, after.departures, after.returns, after.consultations) == counts
    assert due_ids(db, policy=POLICY, today=TODAY) == [], "already anonymised: not again"
    next_day = due_ids(db, policy=POLICY, today=date(2026, 12, 1))
    assert next_day == [not_yet.id, recent.id], "each falls due on its own day"


def test_the_policy_comes_from_settings_and_leap_days_fall_back(settings):
    policy = RetentionPolicy.from_settings(
        settings.model_copy(update={"register_retention_years_after_return": 10})
    )
    assert policy.years_after_return == 10
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)
    assert "register-retention" in JOBS and "register-rekey" in JOBS


def test_nothing_in_the_register_nothing_due(db, regions):
    assert due_ids(db, policy=POLICY, today=TODAY) == []
    assert db.scalar(select(PmiPerson)) is None
