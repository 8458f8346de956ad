"""Register counts follow every write through the pipeline; the profile takes them over."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from perdes import pipeline
from perdes.regions.models import VillageProfile
from perdes.regions.services import new_profile
from perdes.register import figures
from perdes.register.figures import RegisterDistrictFigure, RegisterVillageFigure
from perdes.register.models import Case, CaseStatus, PmiPerson
from tests.factories import LONTAR, PONTANG, SUSUKAN
from tests.register.conftest import (
    come_back,
    consult,
    depart,
    make_person,
    open_case,
    verify_all,
)


def test_counts_follow_writes_without_any_explicit_publish(db, regions, keyring):
    a = make_person(db, LONTAR, keyring=keyring)
    consult(db, a)
    verify_all(db, a)
    depart(db, a)
    b = make_person(db, LONTAR, keyring=keyring)
    consult(db, b)
    depart(db, b, procedural=False)  # documents not checked: not verified
    come_back(db, b)
    open_case(db, b)
    open_case(db, b, closed=True)
    make_person(db, SUSUKAN, keyring=keyring)
    pipeline.settle(db)
    row = db.get(RegisterVillageFigure, LONTAR)
    assert row is not None
    assert {c: getattr(row, c) for c in figures.COUNT_COLUMNS} == {
        "persons": 2,
        "consultations": 2,
        "departures": 2,
        "departures_verified": 1,
        "departures_procedural": 1,
        "returns": 1,
        "open_cases": 1,
        "abroad": 1,
        "returned_home": 1,
    }
    district = db.get(RegisterDistrictFigure, "36.04.13")
    assert (district.villages, district.persons, district.departures) == (2, 3, 2)
    assert db.get(RegisterDistrictFigure, PONTANG[:8]) is None


def test_a_new_departure_after_a_return_puts_the_person_abroad_again(db, regions, keyring):
    a = make_person(db, LONTAR, keyring=keyring)
    depart(db, a, date(2024, 1, 1))
    come_back(db, a, date(2025, 1, 1))
    pipeline.settle(db)
    assert (
        db.get(RegisterVillageFigure, LONTAR).abroad,
        db.get(RegisterVillageFigure, LONTAR).returned_home,
    ) == (0, 1)
    depart(db, a, date(2026, 3, 1))
    pipeline.settle(db)
    row = db.get(RegisterVillageFigure, LONTAR)
    assert (row.abroad, row.returned_home, row.departures, row.returns) == (1, 0, 2, 1)


def test_closing_a_case_and_deleting_a_person_move_the_counts(db, regions, keyring):
    a = make_person(db, LONTAR, keyring=keyring)
    case = open_case(db, a)
    pipeline.settle(db)
    assert db.get(RegisterVillageFigure, LONTAR).open_cases == 1
    db.get(Case, case.id).status = CaseStatus.SELESAI
    db.flush()
    pipeline.settle(db)
    assert db.get(RegisterVillageFigure, LONTAR).open_cases == 0
    db.delete(db.get(PmiPerson, a.id))
    db.flush()
    pipeline.settle(db)
    assert db.get(RegisterVillageFigure, LONTAR) is None
    assert db.get(RegisterDistrictFigure, "36.04.13") is None


def test_the_profile_counts_come_from_the_register_when_a_village_keeps_one(db, regions, keyring):
    lontar, susukan = new_profile(LONTAR), new_profile(SUSUKAN)
    lontar.pmi_active_count, lontar.pmi_returned_count = 412, 958
    susukan.pmi_active_count = 137
    db.add_all([lontar, susukan])
    db.flush()
    assert not figures.keeps_register(db, village_code=LONTAR)
    for _ in range(3):
        person = make_person(db, LONTAR, keyring=keyring)
        depart(db, person)
    come_back(db, person)
    pipeline.settle(db)
    assert figures.keeps_register(db, village_code=LONTAR)
    db.refresh(lontar)
    assert (lontar.pmi_active_count, lontar.pmi_returned_count) == (2, 1)
    db.refresh(susukan)
    assert susukan.pmi_active_count == 137, "a village without a register keeps its own count"
    make_person(db, PONTANG, keyring=keyring)  # no profile yet: one is made for the counts
    pipeline.settle(db)
    pontang = db.get(VillageProfile, PONTANG)
    assert (pontang.pmi_active_count, pontang.pmi_returned_count) == (0, 0)


def test_rebuild_equals_the_incremental_figures(db, regions, keyring):
    for village in (LONTAR, SUSUKAN, PONTANG):
        person = make_person(db, village, keyring=keyring)
        consult(db, person)
        depart(db, person)
    pipeline.settle(db)
    before = [
        (r.village_code, r.persons, r.departures)
        for r in db.scalars(select(RegisterVillageFigure).order_by("village_code"))
    ]
    db.execute(RegisterVillageFigure.__table__.delete())
    assert figures.rebuild(db) == 3
    after = [
        (r.village_code, r.persons, r.departures)
        for r in db.scalars(select(RegisterVillageFigure).order_by("village_code"))
    ]
    assert before == after


def test_a_typed_profile_count_does_not_override_the_register(db, regions, keyring):
    from perdes.accounts.principal import Principal
    from perdes.profiles.services import update_profile
    from perdes.regions.scope import Scope

    make_person(db, LONTAR, keyring=keyring)
    pipeline.settle(db)
    operator = Principal.system()
    assert operator.scope == Scope.all()
    data = {
        "sebutan_desa": "Desa",
        "sebutan_kepala_desa": "Kepala Desa",
        "sebutan_bpd": "Badan Permusyawaratan Desa",
        "pmi_active_count": "500",
        "pmi_returned_count": "9",
    }
    profile = update_profile(db, actor=operator, code=LONTAR, data=data)
    assert (profile.pmi_active_count, profile.pmi_returned_count) == (0, 0)
    profile = update_profile(db, actor=operator, code=SUSUKAN, data=data)
    assert (profile.pmi_active_count, profile.pmi_returned_count) == (500, 9)
