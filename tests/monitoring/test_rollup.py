"""The per-kecamatan rollup follows the services' writes in the same transaction."""

from datetime import timedelta

from sqlalchemy import inspect as sa_inspect

from perdes.accounts.services import principal_for
from perdes.checklist import services as checklist
from perdes.checklist.loading import load_bundled
from perdes.monitoring import rollup
from perdes.monitoring.rollup import DistrictRollup
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from tests.factories import LONTAR, make_user

TIRTAYASA = "36.04.13"


def snapshot(db, code: str) -> dict[str, object]:
    row = db.get(DistrictRollup, code)
    assert row is not None
    return {
        c.key: getattr(row, c.key)
        for c in sa_inspect(DistrictRollup).column_attrs
        if c.key != "updated_at"
    }


def test_region_import_fills_the_rollup(db, regions):
    row = db.get(DistrictRollup, TIRTAYASA)
    assert row is not None and (row.desa, row.kelurahan) == (14, 0)
    assert db.get(DistrictRollup, "36.71.01").kelurahan == 1


def test_steps_and_checklist_answers_move_the_rollup(db, regions):
    operator = principal_for(make_user(db, "operator"))
    monitor = principal_for(make_user(db, "pemantau"))
    load_bundled(db, actor=principal_for(make_user(db, "admin")))
    adoption = tracking.start_adoption(db, actor=operator, village_code=LONTAR)
    on = local_today() - timedelta(days=20)
    for stage in ("direncanakan", "penyusunan"):
        tracking.record_step(db, actor=operator, adoption_id=adoption.id,
                             data={"stage": stage, "occurred_on": on.isoformat()})  # fmt: skip
    db.commit()  # the derived work is done once, before the transaction commits
    assert (db.get(DistrictRollup, TIRTAYASA).n_penyusunan,
            db.get(DistrictRollup, TIRTAYASA).n_direncanakan) == (1, 0)  # fmt: skip
    checklist.answer_item(db, actor=operator, village_code=LONTAR,
                          framework_slug="desa-pmi-prosedural", item_key="satgas-komunitas-pmi",
                          status="terpenuhi")  # fmt: skip
    db.commit()
    assert db.get(DistrictRollup, TIRTAYASA).waiting == 1
    checklist.verify_item(db, actor=monitor, village_code=LONTAR,
                          framework_slug="desa-pmi-prosedural", item_key="satgas-komunitas-pmi",
                          decision="diverifikasi")  # fmt: skip
    db.commit()
    kept = snapshot(db, TIRTAYASA)
    assert kept["waiting"] == 0 and kept["score_count"] == 1
    rollup.rebuild(db)
    assert snapshot(db, TIRTAYASA) == kept, "the maintained row equals a recomputation"


def test_cli_rebuild_restores_the_rollup(tmp_path, monkeypatch):
    from sqlalchemy import delete, func, select
    from typer.testing import CliRunner

    from perdes import migrate
    from perdes.cli import app as cli_app
    from perdes.db import make_engine, session_scope
    from perdes.pipeline import make_session_factory
    from tests.factories import load_sample_regions

    url = f"sqlite:///{tmp_path / 'rollup.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        load_sample_regions(session)
        session.execute(delete(DistrictRollup))
    monkeypatch.setenv("PERDES_DATABASE_URL", url)
    result = CliRunner().invoke(cli_app, ["monitoring", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "kecamatan recomputed: 5" in result.output
    with engine.connect() as conn:
        assert conn.scalar(select(func.sum(DistrictRollup.desa))) == 36
    engine.dispose()


def test_overdue_steps_are_kept_per_day_and_recounted_for_a_new_day(db, regions, connection):
    import re

    from sqlalchemy import event

    from perdes.monitoring.figures import rollup_figures
    from perdes.regions.scope import Scope
    from perdes.tracking.stages import Stage
    from tests.tracking.helpers import walk

    operator = principal_for(make_user(db, "operator"))
    adoption = tracking.start_adoption(db, actor=operator, village_code=LONTAR)
    walk(db, operator, adoption, Stage.DISEPAKATI, start=local_today() - timedelta(days=2), gap=0)
    db.commit()
    deadline = db.get(type(adoption), adoption.id).next_deadline_on
    assert deadline is not None and deadline >= local_today()  # not overdue yet
    row = db.get(DistrictRollup, TIRTAYASA)
    assert (row.overdue, row.overdue_on) == (0, local_today())

    def national(day):  # type: ignore[no-untyped-def]
        return rollup_figures(db, scope=Scope.all(), code=None, level=None, today=day)

    later = deadline + timedelta(days=1)
    adoption_reads: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if re.search(r"\bFROM adoption\b", statement):
            adoption_reads.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        # The rows were counted for another day: the step is counted live, so it shows.
        assert national(later)["36"].overdue == 1 and adoption_reads
        assert national(local_today())["36"].overdue == 0
        rollup.refresh_overdue(db, today=later)
        db.commit()
        assert db.get(DistrictRollup, TIRTAYASA).overdue == 1
        adoption_reads.clear()
        assert national(later)["36"].overdue == 1
        assert adoption_reads == []  # every row is of that day: the stored counts are summed
    finally:
        event.remove(connection, "before_cursor_execute", count)
    kept = snapshot(db, TIRTAYASA)
    rollup.refresh_overdue(db, today=later)
    assert snapshot(db, TIRTAYASA) == kept  # idempotent
