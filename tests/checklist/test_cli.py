"""``perdes checklist``: load (bundled or given files), list versions, refresh derived items."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from perdes import migrate
from perdes.checklist.models import ChecklistFramework
from perdes.cli import app as cli_app
from perdes.db import make_engine
from tests.checklist.conftest import DATA


@pytest.fixture()
def cli_db(tmp_path: Path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    monkeypatch.setenv("PERDES_DATABASE_URL", url)
    monkeypatch.setenv("PERDES_INSTANCE_PATH", str(tmp_path))
    yield engine
    engine.dispose()


def versions(engine):
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(ChecklistFramework))


def test_load_bundled_then_a_newer_version_and_list_them(cli_db):
    runner = CliRunner()
    first = runner.invoke(cli_app, ["checklist", "load"])
    assert first.exit_code == 0, first.output
    assert "desa-pmi-prosedural v1: loaded" in first.output
    assert "desa-pmi-prosedural v2: loaded" in first.output
    assert "desa-pmi-prosedural v3: loaded" in first.output
    again = runner.invoke(cli_app, ["checklist", "load"])
    assert all(f"v{n}: unchanged" in again.output for n in (1, 2, 3))
    v4 = runner.invoke(cli_app, ["checklist", "load", str(DATA / "desa-pmi-prosedural.v4.yaml")])
    assert v4.exit_code == 0 and "v4: loaded" in v4.output
    listing = runner.invoke(cli_app, ["checklist", "frameworks"])
    assert listing.exit_code == 0 and "yes" in listing.output
    assert versions(cli_db) == 4
    refresh = runner.invoke(cli_app, ["checklist", "refresh"])
    assert refresh.exit_code == 0 and "0 village(s) checked" in refresh.output


def test_a_bad_file_reports_every_problem_with_its_line_and_loads_nothing(cli_db, tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (DATA / "desa-pmi-prosedural.v4.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("weight: 3", "weight: tiga"), encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["checklist", "load", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml:" in result.output
    assert "pillars[0].items[0].weight (butir perdes-diundangkan): bobot wajib berupa angka" in (
        result.output.replace("\n", "")
    )
    assert "nothing loaded" in result.output
    assert versions(cli_db) == 0
