"""`perdes demo` on an empty database: regions, profiles, activity, users; twice is fine."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from perdes.accounts.models import User
from perdes.checklist.models import ChecklistVillageTotal
from perdes.cli import app
from perdes.db import make_engine
from perdes.demo import FALLBACK_CSV
from perdes.pipeline import make_session_factory
from perdes.regions.models import Region
from perdes.tracking import standing
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
        assert session.scalar(select(func.count()).select_from(User)) == 4
        assert standing.village_stage(session, village_code="36.04.13.2007") is Stage.PEMBAHASAN
        assert standing.is_promulgated(session, village_code="36.04.13.2001")
        assert session.get(ChecklistVillageTotal, ("36.04.13.2001", "desa-pmi-prosedural"))
        # Lontar's profile holds both PMI counts, saved before the framework was loaded: the
        # load evaluated the derived item "Jumlah PMI pada profil desa mutakhir" right away.
        lontar = session.get(ChecklistVillageTotal, ("36.04.13.2007", "desa-pmi-prosedural"))
        assert lontar is not None and lontar.verified_count == 1
        assert lontar.score == pytest.approx(4.3, abs=0.05)
    engine.dispose()
