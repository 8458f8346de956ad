"""`perdes demo` on an empty database: regions, profiles, activity, users; twice is fine."""

from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from perdes.accounts.models import User
from perdes.checklist.models import ChecklistVillageTotal
from perdes.cli import app
from perdes.db import make_engine, make_session_factory
from perdes.demo import FALLBACK_CSV
from perdes.regions.models import Region
from perdes.tracking import services as tracking
from perdes.tracking.stages import Stage


def test_demo_loads_everything_and_is_idempotent(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PERDES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PERDES_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    args = ["demo", "--regions-file", str(FALLBACK_CSV), "--password", "sandi-demo-panjang"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "operator.lontar" in first.output and "sandi-demo-panjang" in first.output
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Region)) == 39
        assert session.scalar(select(func.count()).select_from(User)) == 5
        assert tracking.current_stage(session, village_code="36.04.13.2007") is Stage.PEMBAHASAN
        assert tracking.is_promulgated(session, village_code="36.04.13.2001")
        assert session.get(ChecklistVillageTotal, ("36.04.13.2001", "desa-pmi-prosedural"))
    engine.dispose()
