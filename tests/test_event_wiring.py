"""The derived-data pipeline is wired explicitly: a process that installs it (as the app and
the CLI do) keeps derived data in step; one that forgets is stopped at its first write."""

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
    from perdes.db import make_engine, session_scope
    from perdes.regions.importer import import_regions, read_region_csv
    from perdes.tracking import services as tracking
    from perdes.tracking.deadlines import local_today

    engine = make_engine(sys.argv[1])
    if sys.argv[2] == "install":
        from perdes.pipeline import make_session_factory
    else:
        import perdes.models
        from perdes.db import make_session_factory
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


def run(tmp_path: Path, mode: str) -> subprocess.CompletedProcess[str]:
    url = f"sqlite:///{tmp_path / f'wiring-{mode}.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, url, mode], capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def test_a_process_with_the_pipeline_updates_the_rollup(tmp_path: Path) -> None:
    result = run(tmp_path, "install")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "(1, 1)"


def test_a_process_without_the_pipeline_cannot_write_derived_sources(tmp_path: Path) -> None:
    result = run(tmp_path, "forget")
    assert result.returncode != 0
    assert "perdes.pipeline.install() was not called" in result.stderr
