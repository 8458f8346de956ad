"""Assessments through the services: answering, evidence, verification, totals, permissions."""

import pytest
from sqlalchemy import select

from perdes.accounts.models import AuditEntry
from perdes.checklist import services, views
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistItemEvent,
    ChecklistVillageTotal,
    ItemEventKind,
    ItemStatus,
    Verification,
)
from perdes.errors import NotFound, OutOfScope, ValidationFailed
from tests.checklist.conftest import PDF, PNG, SLUG
from tests.factories import LONTAR, PONTANG, SUKRA

ITEM = "satgas-komunitas-pmi"


def answer(db, actor, item=ITEM, status="terpenuhi", **kw):
    return services.answer_item(
        db,
        actor=actor,
        village_code=LONTAR,
        framework_slug=SLUG,
        item_key=item,
        status=status,
        **kw,
    )


def verify(db, actor, decision, reason="", item=ITEM):
    return services.verify_item(
        db,
        actor=actor,
        village_code=LONTAR,
        framework_slug=SLUG,
        item_key=item,
        decision=decision,
        reason=reason,
    )


def add_file(db, actor, tmp_path, data=PDF, item=ITEM):
    return services.add_evidence(
        db,
        actor=actor,
        village_code=LONTAR,
        framework_slug=SLUG,
        item_key=item,
        data=data,
        filename="sk.pdf",
        root=tmp_path,
        max_bytes=10**6,
    )


def total(db):
    return db.get(ChecklistVillageTotal, (LONTAR, SLUG))


def view(db, actor):
    return views.assessment_view(db, actor=actor, village_code=LONTAR, framework_slug=SLUG)


def test_an_untouched_village_sees_every_item_empty_and_nothing_is_written(db, framework, people):
    v = view(db, people["operator"])
    assert v.assessment is None and v.result.score == 0.0 and not v.result.qualified
    assert len(v.missing) == 7
    assert v.pillars[0][0].title == "Regulasi dan kelembagaan"
    assert db.scalar(select(ChecklistAnswer)) is None


def test_full_verification_flow_with_rejection_and_resubmission(db, framework, people, tmp_path):
    op, mon = people["operator"], people["pemantau"]
    answer(db, op, note="SK Kades No. 5/2026")
    add_file(db, op, tmp_path)
    a = view(db, op).item(ITEM).answer
    assert (a.status, a.verification) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)
    assert total(db).waiting_count == 1 and total(db).score == 0.0

    verify(db, mon, "ditolak", reason="SK belum ditandatangani.")
    item = view(db, op).item(ITEM)
    assert item.answer.verification is Verification.DITOLAK
    assert item.answer.rejection_reason == "SK belum ditandatangani."
    assert total(db).rejected_count == 1 and total(db).waiting_count == 0

    answer(db, op, note="SK yang sudah ditandatangani terlampir")
    assert view(db, op).item(ITEM).answer.verification is Verification.MENUNGGU
    assert view(db, op).item(ITEM).answer.rejection_reason == ""

    verify(db, mon, "diverifikasi")
    t = total(db)
    assert t.verified_count == 1 and t.score == pytest.approx(round(100 * 2 / 23, 1))
    assert t.mandatory_missing_count == 6 and not t.qualified
    history = [e.kind for e in reversed(view(db, op).item(ITEM).history)]
    assert history == [
        ItemEventKind.DIJAWAB,
        ItemEventKind.BUKTI_DITAMBAH,
        ItemEventKind.DITOLAK,
        ItemEventKind.DIJAWAB,
        ItemEventKind.DIVERIFIKASI,
    ]
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "checklist_answer")
    ).all()
    assert actions.count("verify") == 2


def test_changing_evidence_of_a_verified_item_returns_it_to_waiting(
    db, framework, people, tmp_path
):
    op, mon = people["operator"], people["pemantau"]
    answer(db, op)
    verify(db, mon, "diverifikasi")
    assert total(db).verified_count == 1
    link = add_file(db, people["pendamping"], tmp_path, data=PNG)
    assert view(db, op).item(ITEM).answer.verification is Verification.MENUNGGU
    assert total(db).verified_count == 0 and total(db).waiting_count == 1
    verify(db, mon, "diverifikasi")
    services.remove_evidence(
        db, actor=op, village_code=LONTAR, framework_slug=SLUG, item_key=ITEM, evidence_id=link.id
    )
    assert view(db, op).item(ITEM).answer.verification is Verification.MENUNGGU
    assert view(db, op).item(ITEM).evidence == []


def test_note_change_keeps_verification_and_same_answer_twice_writes_once(db, framework, people):
    op = people["operator"]
    answer(db, op, note="a")
    verify(db, people["pemantau"], "diverifikasi")
    answer(db, op, note="a")
    events = db.scalars(select(ChecklistItemEvent)).all()
    assert len(events) == 2
    services.set_note(
        db,
        actor=people["pendamping"],
        village_code=LONTAR,
        framework_slug=SLUG,
        item_key=ITEM,
        note="b",
    )
    a = view(db, op).item(ITEM).answer
    assert a.note == "b" and a.verification is Verification.DIVERIFIKASI


def test_back_to_in_progress_withdraws_the_verification(db, framework, people):
    answer(db, people["operator"])
    verify(db, people["pemantau"], "diverifikasi")
    answer(db, people["operator"], status="dalam_proses")
    a = view(db, people["operator"]).item(ITEM).answer
    assert (a.verification, a.verified_at) == (Verification.BELUM, None)
    assert total(db).verified_count == 0


def test_not_applicable_needs_a_reason_is_verified_and_leaves_the_denominator(
    db, framework, people
):
    op = people["operator"]
    with pytest.raises(ValidationFailed) as caught:
        answer(db, op, item="pengasuhan-anak-pmi", status="tidak_berlaku")
    assert "not_applicable_reason" in caught.value.errors
    answer(
        db,
        op,
        item="pengasuhan-anak-pmi",
        status="tidak_berlaku",
        not_applicable_reason="Tidak ada anak PMI.",
    )
    assert total(db).score == 0.0
    verify(db, people["pemantau"], "diverifikasi", item="pengasuhan-anak-pmi")
    answer(db, op)
    verify(db, people["pemantau"], "diverifikasi")
    assert total(db).score == pytest.approx(round(100 * 2 / 22, 1))


def test_mandatory_items_cannot_be_not_applicable(db, framework, people):
    with pytest.raises(ValidationFailed) as caught:
        answer(db, people["operator"], status="tidak_berlaku", not_applicable_reason="x")
    assert "Butir wajib" in caught.value.errors["status"]


def test_qualifies_when_every_mandatory_item_is_verified_and_rejection_undoes_it(
    db, framework, people, monkeypatch
):
    from perdes.checklist import derived, facts

    monkeypatch.setitem(
        facts.FACTS,
        "tracker.promulgated",
        facts.Fact("tracker.promulgated", "uji", lambda s, c, p: True, ("adoption.changed",)),
    )
    derived.refresh_village(db, village_code=LONTAR)
    v = view(db, people["operator"])
    for it in v.missing:
        answer(db, people["operator"], item=it.item.id)
        verify(db, people["pemantau"], "diverifikasi", item=it.item.id)
    assert total(db).qualified and total(db).mandatory_missing_count == 0
    assert view(db, people["operator"]).result.qualified
    verify(db, people["pemantau"], "ditolak", reason="Data tidak cocok.", item="pendataan-pmi")
    assert not total(db).qualified and total(db).mandatory_missing_count == 1
    assert [i.item.id for i in view(db, people["operator"]).missing] == ["pendataan-pmi"]


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"status": "selesai"}, "status"),
        ({"note": "x" * 2001}, "note"),
        ({"note": "ok\x00"}, "note"),
        ({"status": "tidak_berlaku", "not_applicable_reason": "a" * 1001}, "not_applicable_reason"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(db, framework, people, fields, key):
    data = {"status": "terpenuhi", **fields}
    with pytest.raises(ValidationFailed) as caught:
        services.answer_item(
            db,
            actor=people["operator"],
            village_code=LONTAR,
            framework_slug=SLUG,
            item_key="pengasuhan-anak-pmi",
            **data,
        )
    assert key in caught.value.errors
    assert db.scalar(select(ChecklistAnswer)) is None


def test_bad_evidence_is_refused_before_anything_is_written(db, framework, people, tmp_path):
    with pytest.raises(ValidationFailed) as caught:
        add_file(db, people["operator"], tmp_path, data=b"<script>alert(1)</script>")
    assert "Jenis berkas" in caught.value.errors["file"]
    assert db.scalar(select(ChecklistAnswer)) is None
    add_file(db, people["operator"], tmp_path)
    with pytest.raises(ValidationFailed, match="Periksa"):
        add_file(db, people["operator"], tmp_path)


def test_verification_refusals(db, framework, people):
    mon = people["pemantau"]
    with pytest.raises(ValidationFailed) as caught:
        verify(db, mon, "diverifikasi")
    assert "belum diajukan" in caught.value.errors["decision"]
    answer(db, people["operator"])
    with pytest.raises(ValidationFailed) as caught:
        verify(db, mon, "ditolak", reason="  ")
    assert "alasan" in caught.value.errors["reason"]
    with pytest.raises(ValidationFailed):
        verify(db, mon, "mungkin")
    verify(db, mon, "diverifikasi")
    with pytest.raises(ValidationFailed, match="Periksa"):
        verify(db, mon, "diverifikasi")
    with pytest.raises(ValidationFailed) as caught:
        verify(db, mon, "diverifikasi", item="perdes-diundangkan")
    assert "otomatis" in caught.value.errors["decision"]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("operator", {"answer", "evidence"}),
        ("pendamping", {"evidence"}),
        ("pemantau", {"verify"}),
        ("admin", {"answer", "evidence", "verify"}),
    ],
)
def test_permissions_per_role(db, framework, people, tmp_path, role, allowed):
    actor = people[role]
    if "answer" not in allowed:
        answer(db, people["admin"])
    calls = {
        "answer": lambda: answer(db, actor, note=role),
        "evidence": lambda: add_file(db, actor, tmp_path),
        "verify": lambda: verify(db, actor, "diverifikasi"),
    }
    for action, call in calls.items():
        if action in allowed:
            call()
        else:
            with pytest.raises(OutOfScope):
                call()


def test_outside_the_scope_is_not_found(db, framework, people):
    op = people["operator"]
    with pytest.raises(NotFound):
        views.assessment_view(db, actor=op, village_code=PONTANG, framework_slug=SLUG)
    with pytest.raises(NotFound):
        services.answer_item(
            db, actor=op, village_code=SUKRA, framework_slug=SLUG, item_key=ITEM, status="belum"
        )
    with pytest.raises(NotFound):
        answer(db, op, item="no-such-item")
    with pytest.raises(NotFound):
        views.assessment_view(db, actor=op, village_code=LONTAR, framework_slug="nope")
