"""The set-based rebuild gives exactly the figures the incremental path keeps, on random
registers: village rows, kecamatan rows and the profiles' PMI counts."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from perdes import pipeline
from perdes.regions.models import VillageProfile
from perdes.register import figures
from perdes.register.basis import REQUIRED_DOCUMENTS
from perdes.register.figures import COUNT_COLUMNS, RegisterDistrictFigure, RegisterVillageFigure
from perdes.register.models import (
    Case,
    CaseStatus,
    Channel,
    Consultation,
    Departure,
    DocumentCheck,
    DocumentKind,
    DocumentStatus,
    Referral,
    Return,
    ReturnCondition,
)
from tests.factories import LONTAR, PONTANG, SUSUKAN
from tests.register.conftest import BASIS, make_person

VILLAGES = (LONTAR, SUSUKAN, PONTANG)
START = date(2024, 1, 1)
# few distinct days, so that a return on the day of a departure happens
days = st.integers(min_value=0, max_value=6).map(lambda n: n * 30)
NIKS = itertools.count(1)
person = st.fixed_dictionaries(
    {
        "village": st.sampled_from(VILLAGES),
        "consultations": st.integers(0, 2),
        "documents": st.dictionaries(
            st.sampled_from(list(DocumentKind)), st.sampled_from(list(DocumentStatus)), max_size=9
        ),
        "departures": st.lists(
            st.tuples(days, st.sampled_from(list(Channel)), st.booleans()), max_size=3
        ),
        "returns": st.lists(days, max_size=2),
        "cases": st.lists(st.sampled_from(list(CaseStatus)), max_size=2),
        # every document of a channel checked "sesuai" (else verified departures are rare),
        # or all but one
        "complete": st.one_of(st.none(), st.sampled_from(list(REQUIRED_DOCUMENTS))),
        "all_but_one": st.booleans(),
    }
)


def record(db, spec, keyring) -> None:  # type: ignore[no-untyped-def]
    p = make_person(db, spec["village"], keyring=keyring, nik=f"99{next(NIKS):014d}")
    for i in range(spec["consultations"]):
        db.add(Consultation(person_id=p.id, held_on=START + timedelta(days=i),
                            channel=Channel.P3MI, legal_basis=BASIS))  # fmt: skip
    documents = dict(spec["documents"])
    if spec["complete"] is not None:
        kinds = REQUIRED_DOCUMENTS[spec["complete"]]
        documents.update(dict.fromkeys(kinds, DocumentStatus.SESUAI))
        if spec["all_but_one"]:
            documents[kinds[0]] = DocumentStatus.ADA
    for kind, status in documents.items():
        db.add(DocumentCheck(person_id=p.id, kind=kind, status=status, legal_basis=BASIS))
    for offset, channel, procedural in spec["departures"]:
        db.add(Departure(person_id=p.id, departed_on=START + timedelta(days=offset),
                         country="Malaysia", channel=channel, procedural=procedural,
                         p3mi_name="PT Uji", legal_basis=BASIS))  # fmt: skip
    for offset in spec["returns"]:
        db.add(Return(person_id=p.id, returned_on=START + timedelta(days=offset),
                      condition=ReturnCondition.SEHAT, legal_basis=BASIS))  # fmt: skip
    for status in spec["cases"]:
        db.add(Case(person_id=p.id, opened_on=START, summary="Aduan", status=status,
                    referral=Referral.BELUM, legal_basis=BASIS))  # fmt: skip
    db.flush()


def state(db) -> tuple[list[tuple], list[tuple], list[tuple]]:  # type: ignore[no-untyped-def]
    db.expire_all()
    villages = [
        (r.village_code, r.district_code, *(getattr(r, c) for c in COUNT_COLUMNS))
        for r in db.scalars(select(RegisterVillageFigure).order_by("village_code"))
    ]
    districts = [
        (r.district_code, r.villages, *(getattr(r, c) for c in COUNT_COLUMNS))
        for r in db.scalars(select(RegisterDistrictFigure).order_by("district_code"))
    ]
    profiles = [
        (p.region_code, p.pmi_active_count, p.pmi_returned_count)
        for p in db.scalars(
            select(VillageProfile)
            .where(VillageProfile.region_code.in_(VILLAGES))
            .order_by(VillageProfile.region_code)
        )
    ]
    return villages, districts, profiles


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=st.lists(person, min_size=1, max_size=8), stale=st.booleans())
def test_set_based_rebuild_equals_the_incremental_figures(db, regions, keyring, people, stale):
    savepoint = db.begin_nested()
    try:
        for spec in people:
            record(db, spec, keyring)
        pipeline.settle(db)  # the incremental path: each touched village recomputed
        incremental = state(db)
        assert incremental[0], "the register has figures"
        # wreck the derived rows: gone, wrong, or a village that no longer keeps a register
        if stale:
            db.execute(RegisterVillageFigure.__table__.update().values(persons=99, abroad=7))
        else:  # the figures gone, and a profile the incremental path had made
            db.execute(RegisterVillageFigure.__table__.delete())
            db.execute(
                VillageProfile.__table__.delete().where(VillageProfile.region_code == PONTANG)
            )
        db.execute(RegisterDistrictFigure.__table__.update().values(departures=0))
        db.execute(
            VillageProfile.__table__.update()
            .where(VillageProfile.region_code.in_(VILLAGES))
            .values(pmi_active_count=None, pmi_returned_count=3)
        )
        assert figures.rebuild(db) == len({spec["village"] for spec in people})
        assert state(db) == incremental
    finally:
        savepoint.rollback()
