"""A process that only uses the tracker still keeps derived data in step: the session factory
loads every subscriber (checklist derived items, the dashboard rollup)."""

import subprocess
import sys
import textwrap
from pathlib import Path

from perdes import migrate
from perdes.db import make_engine

SCRIPT = textwrap.dedent(
    """
    import sys
    from datetime import timedelta
    from perdes.accounts.principal import Principal
    from perdes.db import make_engine, make_session_factory, session_scope
    from perdes.regions.importer import import_regions, read_region_csv
    from perdes.tracking import services as tracking
    from perdes.tracking.deadlines import local_today

    engine = make_engine(sys.argv[1])
    assert "perdes.monitoring.rollup" not in sys.modules
    csv = (b"kode,nama\\n36,Banten\\n36.04,Kabupaten Serang\\n36.04.13,Tirtayasa\\n"
           b"36.04.13.2007,Lontar\\n")
    with session_scope(make_session_factory(engine)) as session:
        import_regions(session, read_region_csv(csv))
        adoption = tracking.start_adoption(
            session, actor=Principal.system(), village_code="36.04.13.2007"
        )
        on = (local_today() - timedelta(days=3)).isoformat()
        tracking.record_step(session, actor=Principal.system(), adoption_id=adoption.id,
                             data={"stage": "direncanakan", "occurred_on": on})
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT desa, n_direncanakan FROM district_rollup WHERE district_code = '36.04.13'"
        ).one()
    print(tuple(row))
    """
)


def test_a_tracker_only_process_updates_the_rollup(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wiring.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)  # here: Alembic's env imports every model, the child must not
    engine.dispose()
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, url], capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "(1, 1)"
