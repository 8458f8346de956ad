"""Write the stored read model directly (as the tracker and checklist keep it) for aggregates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes import events
from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from perdes.checklist.models import ChecklistFramework, ChecklistVillageTotal
from perdes.events import Change
from perdes.monitoring import rollup
from perdes.monitoring.figures import FRAMEWORK
from perdes.monitoring.rollup import AreaRollup, DistrictRollup
from perdes.tracking.models import Adoption
from perdes.tracking.stages import Stage


def framework_id(db: Session) -> int:
    found = db.scalar(select(ChecklistFramework.id).where(ChecklistFramework.slug == FRAMEWORK))
    if found is None:
        load_bundled(db, actor=Principal.system())
        # The totals are written by hand below, as the services would keep them; the load's
        # "framework changed" would recompute them from no answers when the transaction or a
        # savepoint (creating a user makes one) commits, so it is dropped.
        pending = events.take(db)
        pending.pop(Change.FRAMEWORK, None)
        for change, codes in pending.items():
            events.publish(db, change, *codes)
        found = db.scalar(select(ChecklistFramework.id).where(ChecklistFramework.slug == FRAMEWORK))
    assert found is not None
    return found


def set_state(
    db: Session,
    code: str,
    *,
    stage: Stage | None = None,
    started: bool = True,
    deadline: date | None = None,
    score: float | None = None,
    qualified: bool = False,
    waiting: int = 0,
    with_total: bool = True,
) -> None:
    """One adoption (unless not started) and one checklist total for the village ``code``."""
    if started:
        db.add(
            Adoption(
                village_code=code,
                title="Pelindungan Pekerja Migran Indonesia",
                current_stage=stage,
                current_stage_on=date(2026, 1, 5) if stage else None,
                next_deadline_on=deadline,
            )
        )
    if with_total:
        db.add(
            ChecklistVillageTotal(
                village_code=code,
                framework_slug=FRAMEWORK,
                framework_id=framework_id(db),
                score=score,
                qualified=qualified,
                waiting_count=waiting,
            )
        )
    db.flush()
    # The rows are written directly, as the services would: keep the rollup in step,
    # as the services' ADOPTION_CHANGED / CHECKLIST_CHANGED events do.
    rollup.refresh_many(db, {code[:8]})


def every_row(db: Session) -> dict[tuple[str, str], dict[str, object]]:
    """Every rollup row (kecamatan, kabupaten, provinsi), without its update time."""
    db.expire_all()
    rows: dict[tuple[str, str], dict[str, object]] = {}
    tables: tuple[type[DistrictRollup] | type[AreaRollup], ...] = (DistrictRollup, AreaRollup)
    for table in tables:
        for row in db.scalars(select(table)):
            values = {c.key: getattr(row, c.key) for c in sa_inspect(table).column_attrs}
            values.pop("updated_at")
            code = str(values.pop("district_code", None) or values.pop("code"))
            rows[(table.__tablename__, code)] = values
    return rows


def assert_equal_to_a_recomputation(db: Session) -> dict[tuple[str, str], dict[str, object]]:
    kept = every_row(db)
    savepoint = db.begin_nested()
    rollup.rebuild(db)
    again = every_row(db)
    savepoint.rollback()
    assert again == kept, "the maintained rows equal a recomputation"
    return kept
