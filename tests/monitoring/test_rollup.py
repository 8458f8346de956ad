"""The per-kecamatan rollup follows the services' writes in the same transaction."""

from datetime import timedelta

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, update

from perdes.accounts.services import principal_for
from perdes.checklist import services as checklist
from perdes.checklist.loading import load_bundled
from perdes.monitoring import rollup
from perdes.monitoring.rollup import SUMMED, AreaRollup, DistrictRollup
from perdes.regions.models import RegionLevel
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from tests.factories import LONTAR, make_user
from tests.monitoring.helpers import assert_equal_to_a_recomputation

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
    serang, banten = db.get(AreaRollup, "36.04"), db.get(AreaRollup, "36")
    assert serang is not None and banten is not None
    districts = db.scalars(select(DistrictRollup)).all()
    assert serang.desa == sum(d.desa for d in districts if d.district_code.startswith("36.04."))
    assert (banten.desa, banten.kelurahan) == (
        sum(d.desa for d in districts if d.district_code.startswith("36.")),
        sum(d.kelurahan for d in districts if d.district_code.startswith("36.")),
    )
    assert_equal_to_a_recomputation(db)


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
    rows = assert_equal_to_a_recomputation(db)
    for level in ("36.04", "36"):  # the kabupaten and provinsi rows moved with it
        assert (
            rows[("area_rollup", level)]["waiting"],
            rows[("area_rollup", level)]["score_count"],
        ) == (0, 1)
        assert rows[("area_rollup", level)]["n_penyusunan"] == 1
    rollup.rebuild(db)
    assert snapshot(db, TIRTAYASA) == kept, "the maintained row equals a recomputation"


def test_the_national_dashboard_reads_the_provinsi_rows(db, regions, connection):
    """38 rows at national scale instead of every kecamatan's; the figures are the same as the
    kecamatan rows summed (what a monitor whose scope cuts through a provinsi gets)."""
    import re

    from sqlalchemy import event

    from perdes.monitoring.figures import rollup_figures
    from perdes.regions.scope import Scope
    from perdes.tracking.stages import Stage
    from tests.monitoring.helpers import set_state

    set_state(db, LONTAR, stage=Stage.DIUNDANGKAN, score=80.0, qualified=True)
    today = local_today()
    read: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        read.extend(re.findall(r"\bFROM (\w+_rollup)\b", statement))

    event.listen(connection, "before_cursor_execute", note)
    try:
        national = rollup_figures(db, scope=Scope.all(), code=None, level=None, today=today)
        assert read == ["area_rollup"]
        read.clear()
        banten = rollup_figures(
            db, scope=Scope.all(), code="36", level=RegionLevel.PROVINSI, today=today
        )
        assert read == ["area_rollup"]
        read.clear()
        # A scope that is part of Banten: the kecamatan rows inside it are summed.
        part = rollup_figures(
            db, scope=Scope.of("36.04", "36.71"), code=None, level=None, today=today
        )
        assert read == ["district_rollup"]
    finally:
        event.remove(connection, "before_cursor_execute", note)
    assert set(national) == {"32", "36"} and set(banten) == {"36.04", "36.71"}
    for figures in (national["36"], part["36"]):
        assert (figures.desa, figures.promulgated, figures.qualified, figures.score_count) == (
            banten["36.04"].desa + banten["36.71"].desa,
            1,
            1,
            1,
        )
    assert national["36"] == part["36"]
    assert_equal_to_a_recomputation(db)


def test_a_higher_row_is_of_a_day_only_when_every_row_below_is(db, regions):
    rollup.refresh_overdue(db, today=local_today())
    assert {db.get(AreaRollup, code).overdue_on for code in ("36.04", "36", "32")} == {
        local_today()
    }
    db.execute(
        update(DistrictRollup)
        .where(DistrictRollup.district_code == TIRTAYASA)
        .values(overdue_on=None)
    )
    rollup.refresh_many(db, set())  # nothing touched: nothing recomputed
    assert db.get(AreaRollup, "36").overdue_on == local_today()
    rollup.refresh_areas(db, {"36.04"})
    rollup.refresh_areas(db, {"36"})
    db.expire_all()
    assert (db.get(AreaRollup, "36.04").overdue_on, db.get(AreaRollup, "36").overdue_on) == (
        None,
        None,
    )
    assert db.get(AreaRollup, "32").overdue_on == local_today()
    assert set(SUMMED) < {c.key for c in AreaRollup.__table__.columns}


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
