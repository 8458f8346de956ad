"""`perdes draft render` reading the village profile from a real database."""

from pathlib import Path

import docx
from typer.testing import CliRunner

from perdes import migrate
from perdes.accounts.principal import Principal
from perdes.cli import app
from perdes.db import make_engine, session_scope
from perdes.pipeline import make_session_factory
from perdes.profiles import services as profiles
from tests.factories import LONTAR, load_sample_regions


def test_render_lontar_from_the_database(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        load_sample_regions(session)
        profiles.update_profile(
            session,
            actor=Principal.system(),
            code=LONTAR,
            data={
                "sebutan_desa": "Desa",
                "sebutan_kepala_desa": "Kepala Desa",
                "sebutan_bpd": "Badan Permusyawaratan Desa",
                "kepala_desa_name": "Ahmad Sobari",
                "sekretaris_desa_name": "Junaedi",
            },
        )
    engine.dispose()
    monkeypatch.setenv("PERDES_DATABASE_URL", url)
    out = tmp_path / "lontar.docx"
    result = CliRunner().invoke(
        app,
        [
            "draft",
            "render",
            "--template",
            "pelindungan-pmi",
            "--village",
            LONTAR,
            "--format",
            "docx",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "PERATURAN DESA LONTAR" in text
    assert "AHMAD SOBARI" in text and "JUNAEDI" in text
    assert "KABUPATEN SERANG" in text

    missing = CliRunner().invoke(
        app,
        [
            "draft",
            "render",
            "--template",
            "pelindungan-pmi",
            "--village",
            "36.04.13.2099",
            "--format",
            "txt",
            "-o",
            str(tmp_path / "x.txt"),
        ],
    )
    assert missing.exit_code != 0 and "not found" in missing.output
    assert not (tmp_path / "x.txt").exists()
