"""The derived-data pipeline: one table, derived work once per transaction, repair tools."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from perdes import events, pipeline
from perdes.accounts.principal import Principal
from perdes.accounts.services import principal_for
from perdes.checklist import derived, facts, views
from perdes.checklist.framework import bundled_files, load_framework_file
from perdes.checklist.loading import load_bundled, load_framework
from perdes.checklist.models import ChecklistItemEvent, ChecklistVillageTotal, ItemStatus
from perdes.monitoring import rollup
from perdes.monitoring.rollup import DistrictRollup
from perdes.profiles import services as profiles
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from perdes.tracking.stages import STAGE_ORDER, Stage
from tests.factories import LONTAR, SUKRA, make_user
from tests.tracking.helpers import step_data

SLUG = "desa-pmi-prosedural"
PROFILE = {
    "sebutan_desa": "Desa",
    "sebutan_kepala_desa": "Kepala Desa",
    "sebutan_bpd": "BPD",
    "pmi_active_count": "120",
    "pmi_returned_count": "40",
}


def test_the_table_is_ordered_so_one_round_settles_everything():
    """No subscriber publishes a change that a subscriber above it follows."""
    published_by = {"checklist derived items": {events.Change.CHECKLIST}}
    for index, subscriber in enumerate(pipeline.SUBSCRIBERS):
        for above in pipeline.SUBSCRIBERS[:index]:
            assert not published_by.get(subscriber.name, set()) & above.on


def test_a_promulgation_does_its_derived_work_once(db, regions, monkeypatch):
    operator = principal_for(make_user(db, "operator"))
    load_bundled(db, actor=Principal.system())
    db.commit()
    calls: dict[str, list[object]] = {"rollup": [], "fact": []}
    refresh = rollup.refresh_districts
    monkeypatch.setattr(
        rollup,
        "refresh_districts",
        lambda session, codes: calls["rollup"].append(set(codes)) or refresh(session, codes),
    )
    fact = facts.FACTS["tracker.promulgated"]
    monkeypatch.setitem(
        facts.FACTS,
        fact.name,
        facts.Fact(
            fact.name,
            fact.label,
            lambda s, code, p: calls["fact"].append(code) or fact.evaluate(s, code, p),
            fact.events,
        ),
    )
    adoption = tracking.start_adoption(db, actor=operator, village_code=LONTAR)
    on = local_today() - timedelta(days=60)
    for stage in STAGE_ORDER[: STAGE_ORDER.index(Stage.DIUNDANGKAN) + 1]:
        tracking.record_step(db, actor=operator, adoption_id=adoption.id, data=step_data(stage, on))
        on += timedelta(days=2)
    assert calls == {"rollup": [], "fact": []}, "nothing derived before the commit"
    db.commit()
    assert calls["rollup"] == [{"36.04.13"}]
    assert calls["fact"] == [LONTAR]
    row = db.get(DistrictRollup, "36.04.13")
    assert row.n_diundangkan == 1 and row.promulgated == 1 and row.score_count == 1
    assert not events.has_pending(db)


def test_loading_a_framework_evaluates_villages_that_already_have_data(db, regions):
    operator = principal_for(make_user(db, "operator"))
    profiles.update_profile(db, actor=operator, code=LONTAR, data=PROFILE)
    db.commit()
    assert db.scalar(select(func.count()).select_from(ChecklistVillageTotal)) == 0
    # version 1 has a profile-derived item (version 2 dropped it)
    v1 = load_framework_file(bundled_files()[0])
    load_framework(db, actor=Principal.system(), framework=v1, source=bundled_files()[0].name)
    db.commit()
    view = views.assessment_view(
        db, actor=principal_for(make_user(db, "admin")), village_code=LONTAR, framework_slug=SLUG
    )
    assert view.item("data-pmi-profil-terkini").answer.status is ItemStatus.TERPENUHI
    total = db.get(ChecklistVillageTotal, (LONTAR, SLUG))
    assert total.verified_count == 1 and total.score == pytest.approx(4.3, abs=0.05)
    assert db.get(DistrictRollup, "36.04.13").score_count == 1


def test_repair_tools_are_idempotent(db, regions):
    operator = principal_for(make_user(db, "operator"))
    load_bundled(db, actor=Principal.system())
    profiles.update_profile(db, actor=operator, code=LONTAR, data=PROFILE)
    db.commit()
    history = db.scalar(select(func.count()).select_from(ChecklistItemEvent))
    before = db.get(DistrictRollup, "36.04.13").score_sum
    assert derived.refresh_all(db)[1] == 0
    rollup.rebuild(db)
    rollup.rebuild(db)
    db.commit()
    assert db.scalar(select(func.count()).select_from(ChecklistItemEvent)) == history
    assert db.get(DistrictRollup, "36.04.13").score_sum == before


def test_a_rolled_back_transaction_leaves_nothing_to_settle(db, regions):
    events.publish(db, events.Change.ADOPTION, LONTAR)
    db.rollback()
    assert not events.has_pending(db)


def test_a_write_never_upgrades_a_village_on_its_own(db, regions):
    """Moving to a newer framework version happens when it is loaded, for every village; a
    write meeting an assessment on an older version is refused, not silently upgraded."""
    from perdes.checklist import services as checklist
    from perdes.checklist.models import ChecklistFramework
    from perdes.errors import Conflict

    operator = principal_for(make_user(db, "operator"))
    load_bundled(db, actor=Principal.system())
    common = dict(actor=operator, village_code=LONTAR, framework_slug=SLUG)
    checklist.answer_item(db, item_key="satgas-komunitas-pmi", status="terpenuhi", **common)
    current = db.scalar(
        select(ChecklistFramework)
        .where(ChecklistFramework.slug == SLUG)
        .order_by(ChecklistFramework.version.desc())
        .limit(1)
    )
    db.add(  # a newer version stored without loading it (no upgrade ran)
        ChecklistFramework(
            slug=SLUG, version=current.version + 1, title=current.title, content=current.content,
            content_sha256="0" * 64, source="uji", loaded_at=current.loaded_at,
        )
    )  # fmt: skip
    db.flush()
    with pytest.raises(Conflict):
        checklist.answer_item(db, item_key="satgas-komunitas-pmi", status="belum", **common)


def test_a_rolled_back_savepoint_forgets_only_what_was_published_inside_it(
    db, regions, monkeypatch
):
    """A savepoint rolled back inside a transaction (a lost race its caller handles) drops
    the changes published inside it; those published before it still do their derived work
    when the transaction commits (they were once all forgotten, leaving the rollup stale)."""
    operator = principal_for(make_user(db, "operator"))
    db.commit()
    calls: list[set[str]] = []
    refresh = rollup.refresh_districts
    monkeypatch.setattr(
        rollup,
        "refresh_districts",
        lambda session, codes: calls.append(set(codes)) or refresh(session, codes),
    )
    tracking.start_adoption(db, actor=operator, village_code=LONTAR)
    with pytest.raises(RuntimeError), db.begin_nested():
        events.publish(db, events.Change.ADOPTION, SUKRA)
        raise RuntimeError("a lost race, handled by the caller")
    assert events.has_pending(db)
    db.commit()
    assert calls == [{LONTAR[:8]}]
    assert db.get(DistrictRollup, LONTAR[:8]) is not None
    assert not events.has_pending(db)


def test_a_rolled_back_transaction_forgets_everything_published(db, regions):
    operator = principal_for(make_user(db, "operator"))
    db.commit()
    tracking.start_adoption(db, actor=operator, village_code=LONTAR)
    assert events.has_pending(db)
    with db.begin_nested():
        events.publish(db, events.Change.ADOPTION, SUKRA)
    assert events.has_pending(db) is False  # settled when the savepoint was released
    events.publish(db, events.Change.ADOPTION, SUKRA)
    db.rollback()
    assert not events.has_pending(db)
