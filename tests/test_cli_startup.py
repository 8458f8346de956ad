"""``perdes --help`` starts without the heavy modules; the lazily loaded commands are whole."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from perdes.cli import LAZY, app, load_command

HEAVY = ("sqlalchemy", "fastapi", "docx", "jinja2", "argon2", "perdes.models", "perdes.web")

PROBE = f"""
import sys
from perdes.cli import app
try:
    app(["--help"])
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r} or m in {HEAVY!r})
print("HEAVY:", ",".join(heavy))
"""


def test_help_imports_neither_the_web_app_nor_the_models_nor_python_docx():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert "Commands" in result.stdout and "draft" in result.stdout
    heavy = result.stdout.rsplit("HEAVY:", 1)[1].strip()
    assert heavy == "", heavy


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
