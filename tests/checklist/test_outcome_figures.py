"""The outcome's departure counts and the budget year as fields of the answer: stored, shown,
checked against the kabupaten/kota threshold when the village submits and when the monitor
verifies, and the budget year fixing how long a budget item counts."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from perdes.accounts.services import principal_for
from perdes.checklist import queue, services, validity, views
from perdes.checklist.models import ChecklistItemEvent, ItemEventKind, Verification
from perdes.checklist.thresholds import set_threshold
from perdes.errors import ValidationFailed
from tests.checklist.conftest import SLUG, verify
from tests.factories import LONTAR, make_user

OUTCOME = "keberangkatan-prosedural"
BUDGET = "anggaran-apbdes"
COMMON = dict(village_code=LONTAR, framework_slug=SLUG)


@pytest.fixture()
def monitor(db, regions):
    return principal_for(make_user(db, "pemantau", ("36.04",)))


def answer(db, people, key=OUTCOME, status="terpenuhi", **figures):
    return services.answer_item(
        db, actor=people["operator"], item_key=key, status=status,
        figures={k: str(v) for k, v in figures.items()}, **COMMON,
    )  # fmt: skip


def item_view(db, people, key=OUTCOME):
    return views.assessment_view(db, actor=people["admin"], **COMMON).item(key)


def test_terpenuhi_needs_every_count_and_nothing_is_written_without(db, v2, people):
    with pytest.raises(ValidationFailed) as refused:
        answer(db, people, known=10)
    assert set(refused.value.errors) == {"figure_matched", "figure_followed_up"}
    assert item_view(db, people).answer is None


@pytest.mark.parametrize("bad", ["", "-3", "²", "1e2", "100001", "dua", "4\x07", "9" * 30])
def test_bad_counts_are_refused_on_their_field(db, v2, people, bad):
    with pytest.raises(ValidationFailed) as refused:
        answer(db, people, known=bad, matched=0, followed_up=0)
    assert "figure_known" in refused.value.errors
    assert item_view(db, people).answer is None


def test_counts_below_the_threshold_cannot_be_submitted_as_terpenuhi(db, v2, people, monitor):
    set_threshold(db, actor=monitor, regency_code="36.04", framework_slug=SLUG, percent=90)
    with pytest.raises(ValidationFailed) as refused:
        answer(db, people, known=10, matched=8, followed_up=1)
    assert "belum terpenuhi" in refused.value.errors["status"]
    assert "8 dari 10" in refused.value.errors["status"]
    # still in progress: the counts are kept, nothing goes to the monitor
    saved = answer(db, people, status="dalam_proses", known=10, matched=8, followed_up=1)
    assert saved.figures == {"known": 10, "matched": 8, "followed_up": 1}
    assert saved.verification is Verification.BELUM
    check = views.assessment_view(db, actor=people["admin"], **COMMON).outcome_check(
        item_view(db, people)
    )
    assert not check.met and "di bawah ambang 90%" in check.summary


def test_the_counts_are_stored_shown_and_written_in_the_history(db, v2, people, monitor):
    set_threshold(db, actor=monitor, regency_code="36.04", framework_slug=SLUG, percent=90)
    saved = answer(db, people, known=20, matched=18, followed_up=0)
    assert saved.figures == {"known": 20, "matched": 18, "followed_up": 0}
    assert saved.verification is Verification.MENUNGGU
    view = views.assessment_view(db, actor=people["admin"], **COMMON)
    check = view.outcome_check(view.item(OUTCOME))
    assert check.met and check.path == "ambang"
    line = db.scalars(
        select(ChecklistItemEvent).where(ChecklistItemEvent.kind == ItemEventKind.DIJAWAB)
    ).one()
    assert "Keberangkatan warga yang diketahui desa: 20" in line.detail
    services.verify_item(db, actor=monitor, item_key=OUTCOME, decision="diverifikasi", **COMMON)
    # new counts on a verified answer go back to the monitor
    changed = answer(db, people, known=21, matched=19, followed_up=0)
    assert changed.verification is Verification.MENUNGGU


def test_the_monitor_cannot_verify_counts_that_no_longer_meet_a_raised_threshold(
    db, v2, people, monitor
):
    set_threshold(db, actor=monitor, regency_code="36.04", framework_slug=SLUG, percent=80)
    answer(db, people, known=10, matched=8, followed_up=0)
    set_threshold(db, actor=monitor, regency_code="36.04", framework_slug=SLUG, percent=95)
    with pytest.raises(ValidationFailed) as refused:
        services.verify_item(db, actor=monitor, item_key=OUTCOME, decision="diverifikasi", **COMMON)
    assert "belum memenuhi" in refused.value.errors["decision"]
    rejected = services.verify_item(
        db, actor=monitor, item_key=OUTCOME, decision="ditolak", reason="Ambang naik.", **COMMON
    )
    assert rejected.verification is Verification.DITOLAK


def test_an_answer_without_counts_cannot_be_verified_single_or_in_bulk(
    db, v2, people, monitor, tmp_path
):
    """An outcome answer carried from version 1 (counts typed in the note) waits for review."""
    saved = answer(db, people, known=0, matched=0, followed_up=0)
    saved.figures = {}  # as an answer from before the counts were fields
    db.flush()
    with pytest.raises(ValidationFailed) as refused:
        services.verify_item(db, actor=monitor, item_key=OUTCOME, decision="diverifikasi", **COMMON)
    assert "belum mengisi angka" in refused.value.errors["decision"]
    services.add_evidence(
        db, actor=people["operator"], item_key=OUTCOME, data=b"%PDF-1.4\n%%EOF\n",
        filename="rekap.pdf", root=tmp_path, max_bytes=10**6, **COMMON,
    )  # fmt: skip
    with pytest.raises(ValidationFailed):
        queue.verify_many(db, actor=monitor, answer_ids=[saved.id], evidence_checked=True)
    assert item_view(db, people).answer.verification is Verification.MENUNGGU


def test_no_departures_is_met_pending_bp3mi_confirmation(db, v2, people, monitor):
    answer(db, people, known=0, matched=0, followed_up=0)
    check = views.assessment_view(db, actor=people["admin"], **COMMON).outcome_check(
        item_view(db, people)
    )
    assert check.met and check.path == "nihil" and "BP3MI membenarkan" in check.summary
    verified = services.verify_item(
        db, actor=monitor, item_key=OUTCOME, decision="diverifikasi", **COMMON
    )
    assert verified.verification is Verification.DIVERIFIKASI


# --- budget year -----------------------------------------------------------------------------


def on_day(monkeypatch, day):
    monkeypatch.setattr(validity, "today", lambda: day)


def test_the_budget_item_counts_through_the_end_of_the_budget_year_it_states(
    db, v2, people, monitor, monkeypatch
):
    """Verified on 15 December 2026 for next year's APB Desa: counts through 2027."""
    on_day(monkeypatch, date(2026, 12, 15))
    saved = answer(db, people, key=BUDGET, budget_year=2027)
    assert saved.figures == {"budget_year": 2027}
    verified = services.verify_item(
        db, actor=monitor, item_key=BUDGET, decision="diverifikasi", **COMMON
    )
    verified.verified_at = datetime(2026, 12, 15, 3, tzinfo=UTC)
    db.flush()
    item = item_view(db, people, BUDGET)
    assert item.valid_until == "31 Desember 2027"
    assert validity.refresh_expired(db, on=date(2027, 12, 31)) == (0, 0)
    assert validity.refresh_expired(db, on=date(2028, 1, 1)) == (1, 1)


def test_a_budget_year_already_over_is_refused_at_submission_and_at_verification(
    db, v2, people, monitor, monkeypatch
):
    on_day(monkeypatch, date(2027, 1, 5))
    with pytest.raises(ValidationFailed) as refused:
        answer(db, people, key=BUDGET, budget_year=2026)
    assert "sudah berakhir" in refused.value.errors["figure_budget_year"]
    with pytest.raises(ValidationFailed) as refused:
        answer(db, people, key=BUDGET, budget_year=2029)
    assert "2027 atau 2028" in refused.value.errors["figure_budget_year"]
    # submitted on 31 December for that year, verified on 2 January: too late
    on_day(monkeypatch, date(2026, 12, 31))
    answer(db, people, key=BUDGET, budget_year=2026)
    on_day(monkeypatch, date(2027, 1, 2))
    with pytest.raises(ValidationFailed) as refused:
        services.verify_item(db, actor=monitor, item_key=BUDGET, decision="diverifikasi", **COMMON)
    assert "Tahun anggaran 2026 sudah berakhir" in refused.value.errors["decision"]


def test_a_budget_answer_from_before_the_year_was_a_field_keeps_the_old_rule(
    db, v2, people, monitor, monkeypatch
):
    on_day(monkeypatch, date(2026, 6, 1))
    verified = verify(db, {**people, "pemantau": monitor}, BUDGET)
    verified.figures = {}
    verified.verified_at = datetime(2026, 6, 1, 3, tzinfo=UTC)
    db.flush()
    assert item_view(db, people, BUDGET).valid_until == "31 Desember 2026"


def test_items_without_numbers_refuse_them(db, v2, people):
    with pytest.raises(ValidationFailed) as refused:
        answer(db, people, key="satgas-komunitas-pmi", known=3)
    assert "figure_known" in refused.value.errors
