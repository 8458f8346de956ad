"""``perdes --help`` and ``perdes draft render`` start without the heavy modules; the lazily
loaded commands are whole.

The start-up tests run the command in a fresh interpreter and read ``sys.modules`` when it
exits: what a command imports is what its user waits for (``bench/cli_startup.py`` prints
the times).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from perdes import migrate, pipeline
from perdes.cli import LAZY, READ_ONLY, app, load_command
from perdes.db import make_engine, session_scope
from perdes.demo import FALLBACK_CSV
from perdes.regions.importer import import_regions, read_region_csv
from tests.factories import LONTAR, own_database

# Never needed to list the commands or to render a draft.
WEB_AND_ACCOUNTS = (
    "fastapi",
    "starlette",
    "uvicorn",
    "argon2",
    "pwdlib",
    "openpyxl",
    "perdes.web",
    "perdes.models",
    "perdes.pipeline",
    "perdes.accounts.services",
    "perdes.accounts.models",
    "perdes.tracking.models",
    "perdes.checklist.models",
    "perdes.register.models",
)
# Nor to print help.
HEAVY = (*WEB_AND_ACCOUNTS, "sqlalchemy", "docx", "jinja2", "yaml", "perdes.drafting.assembler")

OFFICIALS = ("--set", "nama_kepala_desa=Siti Aminah", "--set", "nama_sekretaris_desa=Budi")
# Runs ``perdes ARGS...`` as the console script does, then prints the modules it imported.
DRIVER = """
import atexit, sys
atexit.register(lambda: print("MODULES:" + ",".join(sorted(sys.modules))))
from perdes.cli import main
main()
"""


def perdes(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str, set[str]]:
    """Exit code, stdout, stderr and the imported modules of ``perdes ARGS`` in a fresh
    interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )
    out, _, modules = result.stdout.rpartition("MODULES:")
    return result.returncode, out, result.stderr, set(modules.strip().split(","))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_help_imports_neither_the_web_app_nor_the_database_nor_the_drafting_engine():
    code, out, err, modules = perdes("--help")
    assert code == 0, err
    assert "Commands" in out and "draft" in out
    assert loaded(modules, HEAVY) == []


def test_draft_render_help_imports_neither_the_database_nor_the_drafting_engine():
    code, out, err, modules = perdes("draft", "render", "--help")
    assert code == 0, err
    assert "--template" in out and "--village" in out
    assert loaded(modules, HEAVY) == []


@pytest.mark.parametrize(
    "args",
    [[name, "--help"] for name in [*LAZY, "regions", "tenggat"]]
    + [["users", "create", "--help"], ["regions", "import", "--help"]],
    ids=" ".join,
)
def test_every_help_page_is_printed_without_the_database(args):
    code, out, err, modules = perdes(*args)
    assert code == 0, err
    assert "Usage:" in out and "--help" in out
    assert loaded(modules, HEAVY) == []


def test_a_usage_error_is_reported_without_the_database():
    code, _, err, modules = perdes("users", "create", "budi")  # --name and --role missing
    assert code == 2 and "Missing option" in err
    assert loaded(modules, HEAVY) == []


@pytest.fixture(scope="module")
def lontar_database(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """A migrated database of this module's own with the bundled Serang regions (committed,
    for a ``perdes`` process to read), as the environment that points ``perdes`` at it."""
    folder = tmp_path_factory.mktemp("cli_startup")
    with own_database(database_url, folder, name="cli_startup") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        with session_scope(pipeline.make_session_factory(engine)) as session:
            report = import_regions(session, read_region_csv(FALLBACK_CSV.read_bytes()))
            assert report.written, report.bad_rows
        engine.dispose()
        yield {"PERDES_DATABASE_URL": url, "PERDES_INSTANCE_PATH": str(folder / "instance")}


def test_draft_render_writes_a_docx_without_the_web_app_or_the_other_models(
    lontar_database: dict[str, str], tmp_path: Path
):
    out_file = tmp_path / "lontar.docx"
    code, out, err, modules = perdes(
        "draft", "render", "--template", "pelindungan-pmi", "--village", LONTAR,
        "-o", str(out_file), *OFFICIALS, env=lontar_database,
    )  # fmt: skip
    assert code == 0, err
    assert f"wrote {out_file}" in out
    document = docx.Document(str(out_file))
    cells = (c for t in document.tables for row in t.rows for c in row.cells)
    text = "\n".join(
        p.text for p in [*document.paragraphs, *(p for c in cells for p in c.paragraphs)]
    )
    assert "PERATURAN DESA LONTAR" in text and "SITI AMINAH" in text.upper()
    assert loaded(modules, WEB_AND_ACCOUNTS) == []
    assert "docx" in modules and "perdes.regions.models" in modules  # what it does need


def test_draft_render_to_text_loads_no_python_docx(lontar_database: dict[str, str], tmp_path):
    out_file = tmp_path / "lontar.txt"
    code, _, err, modules = perdes(
        "draft", "render", "--template", "pelindungan-pmi", "--village", LONTAR,
        "-o", str(out_file), "--format", "txt", *OFFICIALS, env=lontar_database,
    )  # fmt: skip
    assert code == 0, err
    assert "SITI AMINAH" in out_file.read_text(encoding="utf-8")
    assert loaded(modules, ("docx", *WEB_AND_ACCOUNTS)) == []


def test_draft_render_of_an_unknown_village_fails_cleanly(
    lontar_database: dict[str, str], tmp_path
):
    out_file = tmp_path / "none.docx"
    code, _, err, _ = perdes(
        "draft", "render", "--template", "pelindungan-pmi", "--village", "36.04.13.2999",
        "-o", str(out_file), env=lontar_database,
    )  # fmt: skip
    assert code == 1
    assert "village 36.04.13.2999 not found" in err and "Traceback" not in err
    assert not out_file.exists()


def test_commands_that_write_still_install_the_derived_data_pipeline(
    lontar_database: dict[str, str],
):
    code, _, err, modules = perdes("checklist", "frameworks", env=lontar_database)
    assert code == 0, err
    assert "perdes.pipeline" in modules and "perdes.models" in modules
    assert set(LAZY) >= READ_ONLY


@pytest.mark.parametrize("name", list(LAZY))
def test_a_lazy_command_is_listed_with_its_own_help(name):
    command = load_command(name)
    assert command.name == name
    assert " ".join((command.help or "").split()).startswith(LAZY[name][2])


def test_lazy_commands_run_and_refuse_unknown_ones():
    runner = CliRunner()
    listed = runner.invoke(app, ["draft", "templates"])
    assert listed.exit_code == 0 and "pelindungan-pmi" in listed.stdout
    helped = runner.invoke(app, ["users", "--help"])
    assert helped.exit_code == 0 and "disable" in helped.stdout
    assert "--install-completion" not in helped.stdout  # a subgroup, as before
    unknown = runner.invoke(app, ["tidak-ada"])
    assert unknown.exit_code == 2
