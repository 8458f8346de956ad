"""Derived items follow their facts; new framework versions carry answers over."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from perdes import events, pipeline
from perdes.accounts.principal import Principal
from perdes.checklist import derived, queue, services, views
from perdes.checklist.framework import bundled_files, load_framework_file
from perdes.checklist.loading import load_framework
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistFramework,
    ChecklistVillageTotal,
    ItemEventKind,
    ItemStatus,
    Verification,
)
from perdes.db import utcnow
from perdes.errors import Conflict, OutOfScope, ValidationFailed
from perdes.profiles import services as profiles
from perdes.regions.models import VillageProfile
from tests.checklist.conftest import DATA, PDF, SLUG
from tests.factories import LONTAR, SUSUKAN

PERDES = "perdes-diundangkan"
DATA_ITEM = "data-pmi-profil-terkini"


def adoption_changed(db, code=LONTAR):
    """What a tracker write leaves behind, then the end of its transaction."""
    events.publish(db, events.Change.ADOPTION, code)
    pipeline.settle(db)


def item_state(db, people, key, code=LONTAR):
    view = views.assessment_view(db, actor=people["admin"], village_code=code, framework_slug=SLUG)
    return view.item(key)


def test_perdes_item_follows_the_tracker_through_the_event(db, framework, people, tracker):
    adoption_changed(db)
    assert db.scalar(select(ChecklistAnswer)) is None, "fact false and untouched: no write"
    tracker.add(LONTAR)
    adoption_changed(db)
    item = item_state(db, people, PERDES)
    assert (item.answer.status, item.answer.verification) == (
        ItemStatus.TERPENUHI,
        Verification.DIVERIFIKASI,
    )
    assert item.answer.derived and item.answer.verified_by_id is None
    total = db.get(ChecklistVillageTotal, (LONTAR, SLUG))
    assert total.verified_count == 1 and total.score == pytest.approx(13.0)
    adoption_changed(db)
    assert len(item_state(db, people, PERDES).history) == 1, "unchanged fact: no new event"
    tracker.discard(LONTAR)  # e.g. the klarifikasi cancelled it
    adoption_changed(db)
    item = item_state(db, people, PERDES)
    assert (item.answer.status, item.answer.verification) == (ItemStatus.BELUM, Verification.BELUM)
    assert [e.kind for e in item.history] == [ItemEventKind.OTOMATIS, ItemEventKind.OTOMATIS]
    assert item.history[0].actor_name == "Sistem (otomatis)"
    assert db.get(ChecklistVillageTotal, (LONTAR, SLUG)).verified_count == 0
    assert item_state(db, people, PERDES, code=SUSUKAN).answer is None


def test_derived_items_cannot_be_answered_by_hand(db, framework, people, tracker):
    with pytest.raises(ValidationFailed) as caught:
        services.answer_item(
            db,
            actor=people["operator"],
            village_code=LONTAR,
            framework_slug=SLUG,
            item_key=PERDES,
            status="terpenuhi",
        )
    assert "otomatis" in caught.value.errors["status"]


def test_profile_item_follows_profile_updates_and_expires_with_time(db, framework, people):
    data = {
        "sebutan_desa": "Desa",
        "sebutan_kepala_desa": "Kepala Desa",
        "sebutan_bpd": "BPD",
        "pmi_active_count": "120",
        "pmi_returned_count": "",
    }
    profiles.update_profile(db, actor=people["operator"], code=LONTAR, data=data)
    db.commit()
    assert item_state(db, people, DATA_ITEM).answer is None, "returned count missing"
    profiles.update_profile(
        db, actor=people["operator"], code=LONTAR, data={**data, "pmi_returned_count": "40"}
    )
    db.commit()
    assert item_state(db, people, DATA_ITEM).answer.status is ItemStatus.TERPENUHI
    profile = db.get(VillageProfile, LONTAR)
    profile.updated_at = utcnow() - timedelta(days=181)
    db.flush()
    villages, changed = derived.refresh_all(db)
    assert villages >= 1 and changed == 1
    assert item_state(db, people, DATA_ITEM).answer.status is ItemStatus.BELUM


def load_v4(db):
    return load_framework(
        db,
        actor=Principal.system(),
        framework=load_framework_file(DATA / "desa-pmi-prosedural.v4.yaml"),
        source="v4.yaml",
    )


def test_upgrade_carries_answers_starts_new_items_empty_and_archives_removed(
    db, framework, people, tmp_path
):
    op, mon = people["operator"], people["pemantau"]
    common = dict(actor=op, village_code=LONTAR, framework_slug=SLUG)
    services.answer_item(
        db, item_key="satgas-komunitas-pmi", status="terpenuhi", note="SK 5", **common
    )
    services.add_evidence(
        db,
        item_key="satgas-komunitas-pmi",
        data=PDF,
        filename="sk.pdf",
        root=tmp_path,
        max_bytes=10**6,
        **common,
    )
    services.verify_item(
        db,
        actor=mon,
        village_code=LONTAR,
        framework_slug=SLUG,
        item_key="satgas-komunitas-pmi",
        decision="diverifikasi",
    )
    services.answer_item(db, item_key="pengasuhan-anak-pmi", status="dalam_proses", **common)

    result = load_v4(db)
    assert result.created and result.upgraded == 1
    view = views.assessment_view(db, actor=op, village_code=LONTAR, framework_slug=SLUG)
    assert view.row.version == 4
    carried = view.item("satgas-komunitas-pmi")
    assert (
        carried.answer.verification is Verification.DIVERIFIKASI and carried.answer.note == "SK 5"
    )
    assert [e.file.original_name for e in carried.evidence] == ["sk.pdf"]
    assert carried.history[0].kind is ItemEventKind.DIBAWA and len(carried.history) == 4
    assert view.item("literasi-remitansi").answer is None
    assert [a.item_key for a in view.archived] == ["pengasuhan-anak-pmi"]
    old = db.scalar(
        select(ChecklistAssessment).where(ChecklistAssessment.superseded_at.is_not(None))
    )
    assert old is not None and old.framework.version == 1
    total = db.get(ChecklistVillageTotal, (LONTAR, SLUG))
    assert total.framework_id == view.row.id and total.verified_count == 1
    # loading the same version again changes nothing; different content under v2 is refused
    assert not load_v4(db).created
    assert db.scalar(select(ChecklistFramework).where(ChecklistFramework.version == 4)) is not None


def test_a_version_number_cannot_be_reused_for_other_content(db, framework):
    from dataclasses import replace

    v1 = load_framework_file(bundled_files()[0])
    with pytest.raises(Conflict, match="versi baru"):
        load_framework(
            db, actor=Principal.system(), framework=replace(v1, title="Lain"), source="x"
        )


def test_only_admins_load_frameworks(db, framework, people):
    with pytest.raises(OutOfScope):
        load_framework(
            db,
            actor=people["pemantau"],
            framework=load_framework_file(DATA / "desa-pmi-prosedural.v4.yaml"),
            source="x",
        )


def test_monitor_queue_lists_waiting_items_in_scope_oldest_first(db, framework, people):
    for key in ("satgas-komunitas-pmi", "pendataan-pmi", "layanan-pengaduan"):
        services.answer_item(
            db,
            actor=people["operator"],
            village_code=LONTAR,
            framework_slug=SLUG,
            item_key=key,
            status="terpenuhi",
        )
    page = queue.list_waiting(db, actor=people["pemantau"], per_page=2)
    assert page.total == 3 and page.pages == 2
    assert [r.item_key for r in page.items] == ["satgas-komunitas-pmi", "pendataan-pmi"]
    assert page.items[0].village_name == "Lontar"
    from perdes.accounts.services import principal_for
    from tests.factories import make_user

    elsewhere = principal_for(make_user(db, "pemantau", ("32.12",)))
    assert queue.list_waiting(db, actor=elsewhere).total == 0
    with pytest.raises(OutOfScope):
        queue.list_waiting(db, actor=people["operator"])


def test_bundled_frameworks_load_once(db, regions):
    from perdes.checklist.loading import load_bundled

    first = load_bundled(db, actor=Principal.system())
    again = load_bundled(db, actor=Principal.system())
    assert [r.row.version for r in first] == [1, 2, 3]
    assert all(r.created for r in first) and not any(r.created for r in again)
    assert [r.row.id for r in again] == [r.row.id for r in first]
