"""Trends from history equal a from-scratch recomputation over random event histories."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from perdes import pipeline
from perdes.accounts.principal import Principal
from perdes.accounts.services import principal_for
from perdes.checklist import services as checklist
from perdes.checklist.loading import load_bundled
from perdes.checklist.models import (
    ChecklistAssessment,
    ChecklistItemEvent,
    ChecklistVillageTotal,
)
from perdes.errors import ValidationFailed
from perdes.monitoring import trends
from perdes.monitoring.figures import FRAMEWORK
from perdes.monitoring.services import dashboard
from perdes.regions.models import Region, RegionLevel, VillageKind
from perdes.regions.scope import Scope
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from perdes.tracking.fold import fold
from perdes.tracking.models import Adoption
from perdes.tracking.queries import effective_steps
from perdes.tracking.stages import PROMULGATED, STAGE_ORDER, Stage
from tests.factories import make_user
from tests.tracking.helpers import step_data


def test_period_ends_are_month_or_quarter_ends_up_to_today():
    today = date(2026, 5, 17)
    assert trends.period_ends(date(2026, 1, 20), today, "bulan") == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        today,
    ]
    assert trends.period_ends(date(2025, 11, 2), today, "kuartal") == [
        date(2025, 12, 31),
        date(2026, 3, 31),
        today,
    ]
    assert trends.period_label(date(2026, 3, 31), "kuartal") == "2026 K1"
    assert trends.period_ends(date(2026, 5, 1), date(2026, 5, 31), "bulan") == [date(2026, 5, 31)]


def villages(db) -> list[str]:
    return list(
        db.scalars(
            select(Region.code).where(
                Region.level == RegionLevel.DESA,
                Region.regency_code == "36.04",
                Region.village_kind != VillageKind.KELURAHAN,
            )
        )
    )


def from_scratch(db, codes: list[str], dates: list[date]) -> dict[str, list[int]]:
    """Fold every adoption's event log again: a village counts from the earliest promulgation
    among its Perdes in force now."""
    out: dict[str, list[int]] = {}
    for code in codes:
        row = out.setdefault(code[:8], [0] * len(dates))
        first: date | None = None
        for adoption in db.scalars(select(Adoption).where(Adoption.village_code == code)):
            db.refresh(adoption)
            steps, _ = effective_steps(adoption)
            state = fold(steps)
            if state.stage not in PROMULGATED or state.current_cycle is None:
                continue
            promulgated = state.current_cycle.promulgated
            assert promulgated is not None
            if first is None or promulgated.occurred_on < first:
                first = promulgated.occurred_on
        for i, day in enumerate(dates):
            row[i] += first is not None and first <= day
    return {k: v for k, v in out.items() if any(v)}


@pytest.mark.parametrize("seed", [1, 2])
def test_promulgated_series_equals_folding_random_histories(db, regions, seed):
    rng = random.Random(seed)
    system = Principal.system()
    codes = villages(db)
    today = local_today()
    for code in rng.sample(codes, 10):
        for _ in range(rng.choice([1, 1, 2])):  # sometimes a second, newer adoption
            try:
                adoption = tracking.start_adoption(db, actor=system, village_code=code)
            except ValidationFailed:
                break  # the first Perdes is still unfinished: no second one yet
            until = rng.choice(STAGE_ORDER)
            on = today - timedelta(days=rng.randint(60, 700))
            for stage in STAGE_ORDER[: STAGE_ORDER.index(until) + 1]:
                on = min(on + timedelta(days=rng.randint(0, 40)), today)
                data = step_data(stage, on)
                if stage is Stage.KLARIFIKASI and rng.random() < 0.3:
                    data |= {"clarification_result": "dibatalkan", "decision_number": "7/2026"}
                tracking.record_step(db, actor=system, adoption_id=adoption.id, data=data)
                if data.get("clarification_result") == "dibatalkan":
                    break
            steps = [e for e in adoption.events if e.kind.value == "langkah"]
            if steps and rng.random() < 0.4:
                # Correct a step's date, or retract the latest step, as a village fixing a slip.
                event = rng.choice(steps)
                try:
                    if rng.random() < 0.5:
                        fixed = step_data(event.stage, event.occurred_on - timedelta(days=1))
                        for name in ("clarification_result", "decision_number"):
                            value = getattr(event, name)
                            if value:
                                fixed[name] = str(getattr(value, "value", value))
                        tracking.correct_event(
                            db, actor=system, event_id=event.id, reason="Salah tanggal", data=fixed
                        )
                    else:
                        tracking.correct_event(
                            db,
                            actor=system,
                            event_id=steps[-1].id,
                            reason="Salah catat",
                            retract=True,
                        )
                except ValidationFailed:
                    pass  # a correction that would break the order of steps is refused
    dates = trends.period_ends(today - timedelta(days=720), today, "bulan")
    got = trends.promulgated_by_date(
        db, scope=Scope(everything=True), code="36.04", level=RegionLevel.KABUPATEN, dates=dates
    )
    expected = from_scratch(db, codes, dates)
    assert expected, "the random histories promulgated nothing: the test would prove nothing"
    assert {k: v for k, v in got.items() if any(v)} == expected
    # Today's value is the dashboard's (tracking's one definition of promulgated).
    pipeline.settle(db)  # what a commit would run: the kecamatan rollup
    board = dashboard(db, actor=system, code="36.04")
    assert {f.code: f.promulgated for f in board.children if f.promulgated} == {
        k: v[-1] for k, v in got.items() if v[-1]
    }


def test_scores_replay_the_item_history_to_the_stored_totals(db, regions):
    load_bundled(db, actor=Principal.system())
    codes = villages(db)[:6]
    operator = principal_for(make_user(db, "admin"))
    monitor = principal_for(make_user(db, "pemantau", ("36.04",)))
    rng = random.Random(7)
    items = ["satgas-komunitas-pmi", "pendataan-pmi", "layanan-pengaduan"]

    def act(rounds: int) -> None:
        for _ in range(rounds):
            code, key = rng.choice(codes), rng.choice(items)
            try:
                if rng.random() < 0.6:
                    checklist.answer_item(
                        db,
                        actor=operator,
                        village_code=code,
                        framework_slug=FRAMEWORK,
                        item_key=key,
                        status="terpenuhi",
                    )
                else:
                    checklist.verify_item(
                        db,
                        actor=monitor,
                        village_code=code,
                        framework_slug=FRAMEWORK,
                        item_key=key,
                        decision=rng.choice(["diverifikasi", "ditolak"]),
                        reason="Bukti belum jelas",
                    )
            except ValidationFailed:
                pass  # e.g. verifying an item not submitted: refused, nothing written

    def stored_mean() -> tuple[float, int]:
        scores = db.scalars(
            select(ChecklistVillageTotal.score).where(ChecklistVillageTotal.score.is_not(None))
        ).all()
        return (round(sum(scores), 6), len(scores))

    act(25)
    before = stored_mean()
    past = local_today() - timedelta(days=40)
    then = datetime.combine(past, datetime.min.time(), tzinfo=UTC) + timedelta(hours=3)
    db.execute(update(ChecklistItemEvent).values(at=then))
    db.execute(update(ChecklistAssessment).values(created_at=then - timedelta(minutes=1)))
    db.flush()
    act(25)
    after = stored_mean()
    dates = [past - timedelta(days=1), past, local_today()]
    got = trends.scores_by_date(
        db, scope=Scope(everything=True), code="36.04", level=RegionLevel.KABUPATEN, dates=dates
    )
    sums = [
        (round(sum(v[i][0] for v in got.values()), 6), sum(v[i][1] for v in got.values()))
        for i in range(3)
    ]
    assert sums[0] == (0.0, 0)  # before the first answer no assessment was open
    assert sums[1] == before
    assert sums[2] == after
    _, passed = trends.checklist_by_date(
        db, scope=Scope(everything=True), code="36.04", level=RegionLevel.KABUPATEN, dates=dates
    )
    stored_qualified = len(
        db.scalars(select(ChecklistVillageTotal).where(ChecklistVillageTotal.qualified)).all()
    )
    assert sum(v[2] for v in passed.values()) == stored_qualified


def test_trend_refuses_future_dates_and_reversed_ranges(db, regions):
    admin = Principal.system()
    today = local_today()
    with pytest.raises(ValidationFailed) as future:
        trends.trend(db, actor=admin, code="36.04", start=today, end=today + timedelta(days=1))
    assert "sampai" in future.value.errors
    with pytest.raises(ValidationFailed) as reversed_:
        trends.trend(db, actor=admin, code="36.04", start=today, end=today - timedelta(days=3))
    assert "dari" in reversed_.value.errors
    with pytest.raises(ValidationFailed) as period:
        trends.trend(db, actor=admin, code="36.04", start=today, period="tahun")
    assert "periode" in period.value.errors
