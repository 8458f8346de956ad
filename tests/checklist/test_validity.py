"""Validity periods: verified answers expire on the right day, and the qualification and the
stored totals follow; the village renews by submitting again."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from perdes.checklist import services, validity, views
from perdes.checklist.instrument import Validity
from perdes.checklist.models import (
    ChecklistItemEvent,
    ChecklistVillageTotal,
    ItemEventKind,
    Verification,
)
from tests.checklist.conftest import SLUG, qualify, verify
from tests.factories import LONTAR

INFO = "layanan-informasi-migrasi"  # mandatory, 12 months
BUDGET = "anggaran-apbdes"  # optional, budget year


@pytest.mark.parametrize(
    ("period", "verified_at", "expires"),
    [
        (Validity("months", 12), datetime(2026, 3, 15, 3, tzinfo=UTC), date(2027, 3, 15)),
        # 18:00 UTC on 14 March is 01:00 WIB on 15 March: the WIB day counts
        (Validity("months", 12), datetime(2026, 3, 14, 18, tzinfo=UTC), date(2027, 3, 15)),
        (Validity("months", 1), datetime(2026, 1, 31, 3, tzinfo=UTC), date(2026, 2, 28)),
        (Validity("months", 12), datetime(2028, 2, 29, 3, tzinfo=UTC), date(2029, 2, 28)),
        (Validity("budget_year"), datetime(2026, 12, 31, 10, tzinfo=UTC), date(2027, 1, 1)),
        (Validity("budget_year"), datetime(2026, 1, 1, 0, tzinfo=UTC), date(2027, 1, 1)),
        (Validity("none"), datetime(2020, 1, 1, tzinfo=UTC), None),
    ],
)
def test_expiry_day_by_period(period, verified_at, expires):
    assert validity.expires_on(period, verified_at) == expires


def set_verified_at(db, answer, when):
    answer.verified_at = when
    db.flush()


def on_day(monkeypatch, day):
    monkeypatch.setattr(validity, "today", lambda: day)


def total(db):
    return db.get(ChecklistVillageTotal, (LONTAR, SLUG))


def test_an_expired_item_moves_to_perlu_diperbarui_and_the_qualification_follows(
    db, v2, people, tracker, monkeypatch
):
    on_day(monkeypatch, date(2026, 3, 15))
    answers = qualify(db, people, tracker)
    for answer in answers.values():
        set_verified_at(db, answer, datetime(2026, 6, 1, 3, tzinfo=UTC))
    set_verified_at(db, answers[INFO], datetime(2026, 3, 15, 3, tzinfo=UTC))
    assert validity.refresh_expired(db, on=date(2026, 3, 15)) == (0, 0)
    assert total(db).qualified

    # the last valid day: still verified and qualified
    on_day(monkeypatch, date(2027, 3, 14))
    assert validity.refresh_expired(db, on=date(2027, 3, 14)) == (0, 0)
    view = views.assessment_view(db, actor=people["pemantau"], village_code=LONTAR,
                                 framework_slug=SLUG)  # fmt: skip
    assert view.result.qualified and not view.item(INFO).expired
    assert view.item(INFO).valid_until == "14 Maret 2027"

    # the next day: the page says "perlu diperbarui" even before the daily refresh...
    on_day(monkeypatch, date(2027, 3, 15))
    view = views.assessment_view(db, actor=people["pemantau"], village_code=LONTAR,
                                 framework_slug=SLUG)  # fmt: skip
    assert view.item(INFO).expired and not view.result.qualified
    assert view.result.mandatory_missing == (INFO,)
    assert total(db).qualified, "stored totals wait for the daily refresh"
    # ...and the refresh brings the stored totals (and the dashboards) in line, once
    before = total(db).verified_count
    assert validity.refresh_expired(db, on=date(2027, 3, 15)) == (1, 1)
    assert not total(db).qualified and total(db).mandatory_missing_count == 1
    assert total(db).verified_count == before - 1
    assert validity.refresh_expired(db, on=date(2027, 3, 15)) == (0, 0)
    [event] = db.scalars(
        select(ChecklistItemEvent).where(ChecklistItemEvent.kind == ItemEventKind.KEDALUWARSA)
    ).all()
    assert event.detail == "berlaku sampai 14 Maret 2027"
    assert answers[INFO].verification is Verification.DIVERIFIKASI, "history is not rewritten"


def test_a_budget_item_expires_with_the_budget_year(db, v2, people, monkeypatch):
    on_day(monkeypatch, date(2026, 12, 31))
    answer = verify(db, people, BUDGET)
    set_verified_at(db, answer, datetime(2026, 12, 31, 9, tzinfo=UTC))
    assert validity.refresh_expired(db, on=date(2026, 12, 31)) == (0, 0)
    assert total(db).verified_count == 1
    assert validity.refresh_expired(db, on=date(2027, 1, 1)) == (1, 1)
    assert total(db).verified_count == 0


def test_derived_and_open_ended_items_never_expire(db, v2, people, tracker, monkeypatch):
    answers = qualify(db, people, tracker)
    for answer in answers.values():
        set_verified_at(db, answer, datetime(2020, 1, 1, tzinfo=UTC))
    validity.refresh_expired(db, on=date(2030, 1, 1))
    on_day(monkeypatch, date(2030, 1, 1))
    view = views.assessment_view(db, actor=people["admin"], village_code=LONTAR,
                                 framework_slug=SLUG)  # fmt: skip
    assert not view.item("perdes-diundangkan").expired
    assert not view.item("satgas-komunitas-pmi").expired  # validity: none
    assert view.item(INFO).expired


def test_the_village_renews_an_expired_item_by_submitting_it_again(db, v2, people, monkeypatch):
    answer = verify(db, people, INFO)
    set_verified_at(db, answer, datetime(2025, 1, 10, tzinfo=UTC))
    on_day(monkeypatch, date(2026, 1, 10))
    common = dict(village_code=LONTAR, framework_slug=SLUG, item_key=INFO)
    renewed = services.answer_item(db, actor=people["operator"], status="terpenuhi", **common)
    assert renewed.verification is Verification.MENUNGGU
    services.verify_item(db, actor=people["pemantau"], decision="diverifikasi", **common)
    view = views.assessment_view(
        db, actor=people["admin"], village_code=LONTAR, framework_slug=SLUG
    )
    assert not view.item(INFO).expired and view.item(INFO).state.verified
