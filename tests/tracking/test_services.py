"""Adoption services against a real database: steps, refusals, corrections, scope, events."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from perdes import events
from perdes.accounts.services import principal_for
from perdes.errors import Conflict, NotFound, OutOfScope, ValidationFailed
from perdes.tracking import queries, services, standing
from perdes.tracking.deadlines import DeadlineKind
from perdes.tracking.models import AdoptionEvent, EventKind
from perdes.tracking.stages import REASON_KELURAHAN, Stage
from tests.factories import KELURAHAN, LONTAR, SUSUKAN, make_user
from tests.tracking.helpers import TODAY, step_data, walk


@pytest.fixture()
def adoption(db, operator):
    return services.start_adoption(db, actor=operator, village_code=LONTAR)


def _events(db, adoption_id):
    return db.scalar(
        select(func.count())
        .select_from(AdoptionEvent)
        .where(AdoptionEvent.adoption_id == adoption_id)
    )


def test_a_whole_process_keeps_the_stored_state_equal_to_the_fold(db, operator, adoption):
    assert standing.village_stage(db, village_code=LONTAR) is None
    last = walk(db, operator, adoption, Stage.DISEBARLUASKAN)
    assert adoption.current_stage is Stage.DISEBARLUASKAN and adoption.current_stage_on == last
    assert queries.state_of(adoption).stage is adoption.current_stage
    assert adoption.perdes_number == "5" and adoption.lembaran_year == 2026
    assert adoption.report_letter_number == "140/12/2026" and adoption.next_deadline_on is None
    assert standing.village_stage(db, village_code=LONTAR) is Stage.DISEBARLUASKAN
    assert standing.is_promulgated(db, village_code=LONTAR)
    assert not standing.is_promulgated(db, village_code=SUSUKAN)


def test_kelurahan_cannot_start_a_perdes(db, admin):
    with pytest.raises(ValidationFailed) as caught:
        services.start_adoption(db, actor=admin, village_code=KELURAHAN)
    assert caught.value.errors["village"] == REASON_KELURAHAN
    tracker = queries.village_tracker(db, actor=admin, village_code=KELURAHAN)
    assert not tracker.can_start and "Kelurahan" in tracker.refusal


def test_only_one_unfinished_adoption_per_village(db, operator, adoption):
    with pytest.raises(ValidationFailed, match="belum diundangkan"):
        services.start_adoption(db, actor=operator, village_code=LONTAR)
    walk(db, operator, adoption, Stage.DIUNDANGKAN)
    second = services.start_adoption(db, actor=operator, village_code=LONTAR, title="Perubahan")
    assert second.current_stage is None
    # the village stands where its latest adoption stands; the first Perdes stays in force
    assert standing.village_stage(db, village_code=LONTAR) is None
    assert standing.is_promulgated(db, village_code=LONTAR)
    walk(db, operator, second, Stage.PENYUSUNAN)
    assert standing.village_stage(db, village_code=LONTAR) is Stage.PENYUSUNAN
    assert standing.is_promulgated(db, village_code=LONTAR)


def test_a_step_out_of_order_is_refused_with_a_reason_and_nothing_is_written(
    db, operator, adoption
):
    with pytest.raises(ValidationFailed) as caught:
        services.record_step(
            db,
            actor=operator,
            adoption_id=adoption.id,
            data=step_data(Stage.DITETAPKAN, date(2026, 1, 5)),
            today=TODAY,
        )
    assert "langkah berikutnya adalah “Direncanakan (RKP Desa)”" in caught.value.errors["stage"]
    assert _events(db, adoption.id) == 0 and adoption.current_stage is None


@pytest.mark.parametrize(
    ("occurred_on", "message"),
    [
        ((TODAY + timedelta(days=1)).isoformat(), "masa depan"),
        ("2026-01-01", "sebelum langkah sebelumnya"),
        ("27-11-2026", "Tanggal tidak valid"),
        ("2026-02-30", "Tanggal tidak valid"),
        ("", "Wajib diisi"),
    ],
)
def test_bad_dates_are_refused(db, operator, adoption, occurred_on, message):
    walk(db, operator, adoption, Stage.PENYUSUNAN, start=date(2026, 1, 5))
    data = {**step_data(Stage.KONSULTASI, TODAY), "occurred_on": occurred_on}
    with pytest.raises(ValidationFailed) as caught:
        services.record_step(db, actor=operator, adoption_id=adoption.id, data=data, today=TODAY)
    assert message in caught.value.errors["occurred_on"]
    assert adoption.current_stage is Stage.PENYUSUNAN


@pytest.mark.parametrize(
    ("stage", "missing"),
    [
        (Stage.DISEPAKATI, "berita_acara_number"),
        (Stage.DITETAPKAN, "perdes_number"),
        (Stage.DIUNDANGKAN, "lembaran_year"),
        (Stage.DIUNDANGKAN, "lembaran_number"),
        (Stage.DILAPORKAN, "letter_number"),
        (Stage.KLARIFIKASI, "clarification_result"),
    ],
)
def test_each_step_requires_its_own_fields(db, operator, adoption, stage, missing):
    from perdes.tracking.stages import STAGE_ORDER

    previous = STAGE_ORDER[STAGE_ORDER.index(stage) - 1]
    last = walk(db, operator, adoption, previous)
    data = {**step_data(stage, last + timedelta(days=1)), missing: ""}
    with pytest.raises(ValidationFailed) as caught:
        services.record_step(db, actor=operator, adoption_id=adoption.id, data=data, today=TODAY)
    assert caught.value.errors == {missing: "Wajib diisi."}


def test_bad_field_values_are_refused(db, operator, adoption):
    last = walk(db, operator, adoption, Stage.DITETAPKAN)
    data = {
        **step_data(Stage.DIUNDANGKAN, last),
        "lembaran_year": "20x6",
        "lembaran_number": "1\x00",
        "notes": "x" * 2001,
    }
    with pytest.raises(ValidationFailed) as caught:
        services.record_step(db, actor=operator, adoption_id=adoption.id, data=data, today=TODAY)
    assert set(caught.value.errors) == {"lembaran_year", "lembaran_number", "notes"}
    with pytest.raises(ValidationFailed) as caught:
        services.record_step(
            db, actor=operator, adoption_id=adoption.id, data={"stage": "dicabut"}, today=TODAY
        )
    assert caught.value.errors["stage"] == "Langkah tidak dikenal."


def test_cancelled_at_clarification_goes_back_to_drafting(db, operator, adoption):
    last = walk(db, operator, adoption, Stage.DILAPORKAN)
    data = {**step_data(Stage.KLARIFIKASI, last), "clarification_result": "dibatalkan"}
    with pytest.raises(ValidationFailed) as caught:
        services.record_step(db, actor=operator, adoption_id=adoption.id, data=data, today=TODAY)
    assert caught.value.errors == {"decision_number": "Wajib diisi bila Perdes dibatalkan."}
    data["decision_number"] = "100.3.3.2/Kep.12-Huk/2026"
    services.record_step(db, actor=operator, adoption_id=adoption.id, data=data, today=TODAY)
    assert adoption.current_stage is Stage.PENYUSUNAN
    assert adoption.perdes_number == "" and adoption.agreed_on is None
    assert not standing.is_promulgated(db, village_code=LONTAR)
    walk(db, operator, adoption, Stage.DIUNDANGKAN, gap=1)
    assert len(queries.state_of(adoption).cycles) == 2
    assert standing.is_promulgated(db, village_code=LONTAR)


def test_deadlines_follow_the_steps(db, operator, adoption):
    # Working days (PP 43/2014 Pasal 1 angka 13); January 2026 has no holiday in between.
    agreed = walk(db, operator, adoption, Stage.DISEPAKATI)
    assert adoption.next_deadline_kind is DeadlineKind.PENYERAHAN
    assert (agreed, adoption.next_deadline_on) == (date(2026, 1, 20), date(2026, 1, 29))
    handed = walk(db, operator, adoption, Stage.DISERAHKAN)
    assert adoption.next_deadline_kind is DeadlineKind.PENETAPAN
    assert (handed, adoption.next_deadline_on) == (date(2026, 1, 23), date(2026, 2, 13))
    walk(db, operator, adoption, Stage.DITETAPKAN)
    assert adoption.next_deadline_on is None
    promulgated = walk(db, operator, adoption, Stage.DIUNDANGKAN)
    assert adoption.next_deadline_kind is DeadlineKind.PELAPORAN
    assert (promulgated, adoption.next_deadline_on) == (date(2026, 1, 29), date(2026, 2, 9))
    late = queries.village_tracker(db, actor=operator, village_code=LONTAR, today=date(2026, 2, 16))
    # 10 Feb .. 16 Feb: five weekdays, of which Monday 16 Feb is cuti bersama (counted here).
    assert late.adoptions[0].deadline_text == "terlambat 5 hari kerja"
    soon = queries.village_tracker(
        db, actor=operator, village_code=LONTAR, today=promulgated + timedelta(days=4)
    )
    assert soon.adoptions[0].deadline_text == "jatuh tempo dalam 5 hari kerja"


def test_overdue_list_respects_scope(db, operator, adoption):
    walk(db, operator, adoption, Stage.DISEPAKATI)
    monitor = principal_for(make_user(db, "pemantau"))
    other = principal_for(make_user(db, "pemantau", ("32",)))
    rows = queries.list_deadlines(db, actor=monitor, today=TODAY)
    assert [r.adoption.id for r in rows.items] == [adoption.id]
    assert rows.items[0].village_name == "Lontar" and rows.items[0].text.startswith("terlambat")
    assert queries.list_deadlines(db, actor=other, today=TODAY).total == 0
    early = queries.list_deadlines(db, actor=monitor, today=date(2026, 1, 1))
    assert early.total == 0
    assert (
        queries.list_deadlines(db, actor=monitor, overdue_only=False, today=date(2026, 1, 1)).total
        == 1
    )


def test_correction_is_its_own_event_with_a_reason(db, operator, adoption):
    walk(db, operator, adoption, Stage.KONSULTASI, start=date(2026, 1, 5), gap=3)
    first = adoption.events[1]  # penyusunan on 2026-01-08
    with pytest.raises(ValidationFailed) as caught:
        services.correct_event(
            db,
            actor=operator,
            event_id=first.id,
            reason="",
            data={"occurred_on": "2026-01-09"},
            today=TODAY,
        )
    assert "reason" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        services.correct_event(
            db, actor=operator, event_id=first.id, reason="salah ketik",
            data={"occurred_on": "2026-01-20"}, today=TODAY,
        )  # fmt: skip
    assert "sebelum langkah sebelumnya" in caught.value.errors["occurred_on"]
    correction = services.correct_event(
        db, actor=operator, event_id=first.id, reason="salah ketik",
        data={"occurred_on": "2026-01-09"}, today=TODAY,
    )  # fmt: skip
    assert correction.kind is EventKind.KOREKSI and correction.corrects_event_id == first.id
    db.refresh(first)
    assert first.occurred_on == date(2026, 1, 8), "the original is never changed"
    _, timeline = queries.effective_steps(adoption)
    assert timeline[1].step.occurred_on == date(2026, 1, 9)
    assert timeline[1].corrections == [correction]


def test_only_the_latest_step_can_be_retracted(db, operator, adoption):
    walk(db, operator, adoption, Stage.KONSULTASI)
    first, last = adoption.events[0], adoption.events[-1]
    with pytest.raises(ValidationFailed, match="Periksa"):
        services.correct_event(db, actor=operator, event_id=first.id, reason="x", retract=True)
    services.correct_event(db, actor=operator, event_id=last.id, reason="keliru", retract=True)
    assert adoption.current_stage is Stage.PENYUSUNAN
    with pytest.raises(ValidationFailed, match="Periksa"):
        services.correct_event(db, actor=operator, event_id=last.id, reason="lagi", retract=True)


def test_steps_outside_ones_scope_or_role_are_refused(db, operator, admin):
    other = services.start_adoption(db, actor=admin, village_code=SUSUKAN)
    with pytest.raises(NotFound):
        services.record_step(
            db, actor=operator, adoption_id=other.id, data=step_data(Stage.DIRENCANAKAN, TODAY)
        )
    with pytest.raises(NotFound):
        services.start_adoption(db, actor=operator, village_code=SUSUKAN)
    for role in ("pendamping", "pemantau"):
        reader = principal_for(make_user(db, role))
        with pytest.raises(OutOfScope):
            services.record_step(
                db, actor=reader, adoption_id=other.id, data=step_data(Stage.DIRENCANAKAN, TODAY)
            )
    assert _events(db, other.id) == 0


def test_a_stale_form_is_a_conflict(db, operator, adoption):
    version = adoption.version
    walk(db, operator, adoption, Stage.DIRENCANAKAN)
    with pytest.raises(Conflict):
        services.record_step(
            db,
            actor=operator,
            adoption_id=adoption.id,
            data=step_data(Stage.PENYUSUNAN, date(2026, 2, 1)),
            expected_version=version,
            today=TODAY,
        )


def test_every_change_publishes_adoption_changed(db, operator):
    adoption = services.start_adoption(db, actor=operator, village_code=LONTAR)
    assert events.take(db) == {events.Change.ADOPTION: {LONTAR}}
    walk(db, operator, adoption, Stage.PENYUSUNAN)
    assert events.take(db) == {events.Change.ADOPTION: {LONTAR}}
    services.correct_event(
        db, actor=operator, event_id=adoption.events[-1].id, reason="r", retract=True
    )
    assert events.take(db) == {events.Change.ADOPTION: {LONTAR}}


def first_revision(db, draft_id: int) -> int:
    from perdes.drafting.workspace.models import DraftRevision

    return db.scalar(select(DraftRevision.id).where(DraftRevision.draft_id == draft_id))


def test_draft_revision_is_kept_on_the_event(db, operator, adoption):
    from perdes.drafting.workspace import services as drafts

    draft = drafts.create_draft(
        db, actor=operator, village_code=LONTAR, template_slug="pelindungan-pmi",
        values={"nama_kepala_desa": "A", "nama_sekretaris_desa": "B"}, options={},
    )  # fmt: skip
    revision = first_revision(db, draft.id)
    walk(db, operator, adoption, Stage.PENYUSUNAN)
    data = {
        **step_data(Stage.KONSULTASI, TODAY),
        "draft_revision_id": str(revision),
        "notes": "Balai desa",
    }
    for bad in ("42424242", str(revision) + "0", "-1", "x"):
        with pytest.raises(ValidationFailed) as caught:
            services.record_step(
                db, actor=operator, adoption_id=adoption.id,
                data={**data, "draft_revision_id": bad}, today=TODAY,
            )  # fmt: skip
        assert set(caught.value.errors) == {"draft_revision_id"}
    event = services.record_step(
        db, actor=operator, adoption_id=adoption.id, data=data, today=TODAY
    )
    assert event.draft_revision_id == revision and event.notes == "Balai desa"
    assert event.recorded_by_id == operator.user_id


def test_a_revision_of_another_village_is_refused(db, operator, adoption):
    from perdes.drafting.workspace import services as drafts

    admin = principal_for(make_user(db, "admin"))
    other = drafts.create_draft(
        db, actor=admin, village_code=SUSUKAN, template_slug="pelindungan-pmi",
        values={"nama_kepala_desa": "A", "nama_sekretaris_desa": "B"}, options={},
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        services.record_step(
            db, actor=operator, adoption_id=adoption.id,
            data={**step_data(Stage.DIRENCANAKAN, TODAY),
                  "draft_revision_id": str(first_revision(db, other.id))},
            today=TODAY,
        )  # fmt: skip
    assert caught.value.errors == {"draft_revision_id": services.REVISION_UNKNOWN}


def test_events_are_append_only(db, operator, adoption):
    from perdes.tracking.models import AppendOnlyViolation

    walk(db, operator, adoption, Stage.DIRENCANAKAN)
    event = adoption.events[0]
    event.occurred_on = date(2020, 1, 1)
    with pytest.raises(AppendOnlyViolation):
        db.flush()
    db.rollback()


def test_the_agreement_form_offers_revisions_and_preselects_the_one_sent_to_the_bpd(
    db, operator, monkeypatch
):
    from perdes.drafting.workspace import services as drafts
    from perdes.tracking import agreed

    def new_draft():  # type: ignore[no-untyped-def]
        return drafts.create_draft(
            db, actor=operator, village_code=LONTAR, template_slug="pelindungan-pmi",
            values={"nama_kepala_desa": "A", "nama_sekretaris_desa": "B"}, options={},
        )  # fmt: skip

    assert agreed.revision_offer(db, village_code=LONTAR) == ([], None)
    older = new_draft()
    drafts.mark_revision(db, actor=operator, draft_id=older.id, number=1, purpose="bpd")
    newer = new_draft()
    sent = first_revision(db, older.id)
    choices, default = agreed.revision_offer(db, village_code=LONTAR)
    assert [c.label for c in choices] == [
        f"Rancangan #{newer.id}, revisi 1",
        f"Rancangan #{older.id}, revisi 1 — diajukan ke BPD",
    ]
    assert default == sent == agreed.default_agreed_revision(db, village_code=LONTAR)
    # more revisions than the form lists, none of those listed sent: still preselected
    monkeypatch.setattr(agreed, "REVISIONS_OFFERED", 1)
    choices, default = agreed.revision_offer(db, village_code=LONTAR)
    assert [c.id for c in choices] == [first_revision(db, newer.id)]
    assert default == sent
