"""The tracker, the checklist's derived items, the dashboard and the API agree on where every
village stands, after every transaction of any sequence of writes, with a recomputation from
scratch (folding each adoption's events, evaluating each fact by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.accounts.services import principal_for
from perdes.checklist import registry, scoring, store
from perdes.checklist import services as checklist
from perdes.checklist.framework import bundled_files, load_framework_file
from perdes.checklist.loading import load_framework
from perdes.checklist.models import ChecklistAnswer, ChecklistVillageTotal, ItemStatus
from perdes.errors import ValidationFailed
from perdes.exchange import status as api_status
from perdes.monitoring import services as monitoring
from perdes.monitoring.figures import NOT_STARTED
from perdes.monitoring.rollup import DistrictRollup
from perdes.profiles import services as profiles
from perdes.regions.models import Region, RegionLevel, VillageKind, VillageProfile
from perdes.tracking import queries
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from perdes.tracking.fold import next_steps
from perdes.tracking.models import Adoption
from perdes.tracking.stages import PROMULGATED, STAGE_ORDER, Stage
from tests.factories import LONTAR, PONTANG, SUSUKAN, make_user
from tests.monitoring.helpers import assert_equal_to_a_recomputation
from tests.tracking.helpers import step_data

VILLAGES = (LONTAR, SUSUKAN, PONTANG)
DISTRICTS = ("36.04.13", "36.04.12")
SLUG = "desa-pmi-prosedural"
V2 = bundled_files()[1]  # the shipped v2: an upgrade from v1

operation = st.one_of(
    st.tuples(st.just("step"), st.sampled_from(VILLAGES), st.booleans()),
    st.tuples(st.just("start"), st.sampled_from(VILLAGES), st.just(False)),
    st.tuples(st.just("walk"), st.sampled_from(VILLAGES), st.just(False)),
    st.tuples(st.just("correct"), st.sampled_from(VILLAGES), st.booleans()),
    st.tuples(st.just("profile"), st.sampled_from(VILLAGES), st.booleans()),
    st.tuples(st.just("answer"), st.sampled_from(VILLAGES), st.booleans()),
    st.tuples(st.just("upgrade"), st.just(LONTAR), st.just(False)),
)


@dataclass
class People:
    operator: Principal
    monitor: Principal
    admin: Principal


def latest(db: Session, code: str) -> Adoption | None:
    return db.scalar(
        select(Adoption).where(Adoption.village_code == code).order_by(Adoption.id.desc())
    )


def do(db: Session, people: People, op: str, code: str, flag: bool) -> None:
    """One user action, as its own transaction; refusals are part of using the app."""
    adoption = latest(db, code)
    if op == "start":
        tracking.start_adoption(db, actor=people.operator, village_code=code)
    elif op in ("step", "walk"):  # one step, or several in one transaction up to promulgation
        if adoption is None:
            adoption = tracking.start_adoption(db, actor=people.operator, village_code=code)
        while True:
            state = queries.state_of(adoption)
            options = next_steps(state)
            if not options or (op == "walk" and state.stage in PROMULGATED):
                return
            on = (state.stage_on or local_today() - timedelta(days=300)) + timedelta(days=1)
            data = step_data(options[0], on)
            if options[0] is Stage.KLARIFIKASI and flag:
                data |= {"clarification_result": "dibatalkan", "decision_number": "188/1/2026"}
            tracking.record_step(db, actor=people.operator, adoption_id=adoption.id, data=data)
            if op == "step":
                return
    elif op == "correct":
        if adoption is None or not adoption.events:
            return
        steps, _ = queries.effective_steps(adoption)
        if not steps:
            return
        last = steps[-1]
        event_id = last.event_id
        assert event_id is not None
        data = step_data(last.stage, last.occurred_on)
        if last.clarification_result is not None:
            data["clarification_result"] = last.clarification_result.value
            data["decision_number"] = last.decision_number
        tracking.correct_event(
            db, actor=people.operator, event_id=event_id, reason="uji", data=data, retract=flag
        )
    elif op == "profile":
        count = "12" if flag else ""
        data = {
            "sebutan_desa": "Desa",
            "sebutan_kepala_desa": "Kepala Desa",
            "sebutan_bpd": "BPD",
            "pmi_active_count": count,
            "pmi_returned_count": count,
        }
        profiles.update_profile(db, actor=people.operator, code=code, data=data)
    elif op == "answer":
        framework = registry.parsed(registry.current_version(db, slug=SLUG))
        item = next(i for i in framework.items() if i.rule is None)
        checklist.answer_item(
            db,
            actor=people.operator,
            village_code=code,
            framework_slug=SLUG,
            item_key=item.id,
            status="terpenuhi" if flag else "belum",
        )
        if flag:
            checklist.verify_item(
                db,
                actor=people.monitor,
                village_code=code,
                framework_slug=SLUG,
                item_key=item.id,
                decision="diverifikasi",
            )
    elif op == "upgrade":
        load_framework(
            db, actor=Principal.system(), framework=load_framework_file(V2), source="v2.yaml"
        )


@dataclass(frozen=True)
class Truth:
    stage: Stage | None
    promulgated: bool
    profile_filled: bool


def from_scratch(db: Session, code: str) -> Truth:
    """Fold every adoption's events; read the profile; no stored read model involved."""
    folded = [
        queries.state_of(a).stage
        for a in db.scalars(
            select(Adoption).where(Adoption.village_code == code).order_by(Adoption.id)
        )
    ]
    profile = db.get(VillageProfile, code)
    filled = (
        profile is not None
        and profile.pmi_active_count is not None
        and profile.pmi_returned_count is not None
    )
    return Truth(
        stage=folded[-1] if folded else None,
        promulgated=any(s in PROMULGATED for s in folded if s is not None),
        profile_filled=filled,
    )


def check(db: Session, people: People) -> None:
    truths = {code: from_scratch(db, code) for code in VILLAGES}
    framework_row = registry.current_version(db, slug=SLUG)
    framework = registry.parsed(framework_row)
    for code, truth in truths.items():
        # the tracker's stored read model
        stored = latest(db, code)
        assert (stored.current_stage if stored else None) is truth.stage
        # the API
        status = api_status.village_status(db, actor=people.admin, code=code)
        assert (status.stage, status.promulgated) == (truth.stage, truth.promulgated), code
        # the checklist: derived items and the stored totals
        assessment = store.current_assessment(db, village_code=code, slug=SLUG)
        answers = {}
        if assessment is not None:
            assert assessment.framework_id == framework_row.id, "upgraded on load"
            answers = {
                a.item_key: a
                for a in db.scalars(
                    select(ChecklistAnswer).where(ChecklistAnswer.assessment_id == assessment.id)
                )
            }
        for item in framework.items():
            if item.rule is None:
                continue
            holds = {
                "tracker.promulgated": truth.promulgated,
                "profile.pmi_data_recent": truth.profile_filled,
            }[item.rule.fact]
            answer = answers.get(item.id)
            met = answer is not None and answer.status is ItemStatus.TERPENUHI
            assert met is holds, (code, item.id)
        expected = scoring.compute(
            (
                item,
                scoring.ItemState(answers[item.id].status, answers[item.id].verification)
                if item.id in answers
                else scoring.ItemState(),
            )
            for item in framework.items()
        )
        total = db.get(ChecklistVillageTotal, (code, SLUG))
        if any(
            scoring.ItemState(a.status, a.verification) != scoring.ItemState()
            for a in answers.values()
        ):
            assert total is not None
            assert (total.score, total.qualified) == (expected.score, expected.qualified)
    # the dashboard: the kecamatan rollup (summed above the kecamatan) and the live figures
    regency = monitoring.dashboard(db, actor=people.admin, code="36.04")
    by_district = {c.code: c for c in regency.children}
    for district in DISTRICTS:
        desa = db.scalars(
            select(Region.code).where(
                Region.level == RegionLevel.DESA,
                Region.district_code == district,
                Region.village_kind != VillageKind.KELURAHAN,
            )
        ).all()
        stages = dict.fromkeys([NOT_STARTED, *(s.value for s in STAGE_ORDER)], 0)
        promulgated = 0
        for code in desa:
            truth = truths.get(code, Truth(None, False, False))
            stages[truth.stage.value if truth.stage else NOT_STARTED] += 1
            promulgated += truth.promulgated
        scores = [
            t.score
            for t in db.scalars(
                select(ChecklistVillageTotal).where(
                    ChecklistVillageTotal.village_code.startswith(district + ".")
                )
            )
            if t.score is not None
        ]
        live = monitoring.dashboard(db, actor=people.admin, code=district).total
        for figures in (live, by_district[district]):
            assert figures.stages == stages, district
            assert figures.promulgated == promulgated, district
            assert figures.score_count == len(scores)
            assert figures.score_sum == pytest.approx(sum(scores))
        assert db.get(DistrictRollup, district).promulgated == promulgated
    children = {
        c.region.code: c
        for c in api_status.region_children(db, actor=people.admin, parent_code="36.04")
    }
    for district in DISTRICTS:
        assert children[district].promulgated == by_district[district].promulgated
    # the kabupaten and provinsi rows (what the national dashboard reads) equal a recomputation
    assert_equal_to_a_recomputation(db)


@pytest.fixture()
def base(db: Session, regions: None, connection: Connection) -> People:
    load_framework(
        db,
        actor=Principal.system(),
        framework=load_framework_file(bundled_files()[0]),
        source="v1.yaml",
    )
    admin = principal_for(make_user(db, "admin"))  # the villages lie in three scopes
    people = People(operator=admin, monitor=principal_for(make_user(db, "pemantau")), admin=admin)
    db.commit()  # into the test's savepoint; each example below runs in its own
    return people


@settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_tracker_checklist_dashboard_and_api_agree_after_every_transaction(
    connection: Connection, base: People, ops: list[tuple[str, str, bool]]
) -> None:
    example = connection.begin_nested()
    try:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as db:
            for op, code, flag in ops:
                try:
                    do(db, base, op, code, flag)
                    db.commit()  # the pipeline settles derived work before the commit
                except ValidationFailed:
                    db.rollback()
                note(f"after {op} {code} {flag}")
                check(db, base)
    finally:
        example.rollback()
