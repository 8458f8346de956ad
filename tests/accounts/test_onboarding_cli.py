"""`perdes users import FILE`: the same checks from the command line, line numbers on stderr."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from perdes.accounts.models import User
from perdes.cli import app
from perdes.db import make_engine, make_session_factory
from perdes.demo import FALLBACK_CSV
from tests.factories import LONTAR


def _users(url: str) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(User)) or 0
    finally:
        engine.dispose()


def test_import_from_the_command_line(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("PERDES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PERDES_DATABASE_URL", url)
    monkeypatch.setenv("PERDES_BASE_URL", "https://perdes.example.id")
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    assert runner.invoke(app, ["regions", "import", str(FALLBACK_CSV), "-q"]).exit_code == 0
    bad = tmp_path / "buruk.csv"
    bad.write_text(
        "username,full name,email,phone,role,regions\n"
        f"op.satu,Satu,,,operator,{LONTAR}\n"
        "op.dua,Dua,,,operator,99.99.99.9999\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["users", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 3: regions:" in result.output and "nothing imported" in result.output
    assert _users(url) == 0
    good = tmp_path / "baik.csv"
    good.write_text(
        "username,full name,email,phone,role,regions\n"
        f"op.satu,Satu,satu@example.id,,operator,{LONTAR}\n"
        f"op.dua,Dua,,,operator,{LONTAR}\n",
        encoding="utf-8",
    )
    dry = runner.invoke(app, ["users", "import", str(good), "--dry-run"])
    assert dry.exit_code == 0 and "2 users would be created" in dry.output
    assert _users(url) == 0
    links = tmp_path / "tautan.csv"
    done = runner.invoke(app, ["users", "import", str(good), "--links", str(links)])
    assert done.exit_code == 0, done.output
    assert _users(url) == 2
    sheet = links.read_text(encoding="utf-8").splitlines()
    assert sheet[0].startswith("username,full_name,invitation_link")
    assert len(sheet) == 2 and sheet[1].startswith("op.dua,Dua,https://perdes.example.id/undangan/")
    missing = runner.invoke(app, ["users", "import", str(tmp_path / "tidak-ada.csv")])
    assert missing.exit_code == 1 and "cannot read" in missing.output
    as_nobody = runner.invoke(app, ["users", "import", str(good), "--as", "siapa"])
    assert as_nobody.exit_code == 1 and "no active user" in as_nobody.output
