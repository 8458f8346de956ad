"""The sample deployment files name commands, options and paths that exist."""

from __future__ import annotations

import re
import shlex
from importlib import import_module
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perdes.cli import app
from perdes.config import PROJECT_ROOT, Settings

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def _exec_lines(unit: Path) -> list[list[str]]:
    lines = []
    for line in unit.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^Exec(Start|StartPre)=(.+)$", line)
        if match:
            lines.append(shlex.split(match.group(2)))
    return lines


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_service_files_run_commands_that_exist(unit: Path):
    commands = _exec_lines(unit)
    assert commands, f"{unit.name} has no ExecStart"
    for argv in commands:
        program = Path(argv[0]).name
        assert argv[0].startswith("/opt/perdes/.venv/bin/"), argv[0]
        if program == "perdes":
            words = [a for a in argv[1:] if not a.startswith("/")]
            result = CliRunner().invoke(app, [*words, "--help"])
            assert result.exit_code == 0, f"{unit.name}: perdes {' '.join(words)}: {result.output}"
        elif program == "uvicorn":
            factory = argv[argv.index("--factory") + 1]
            module, _, name = factory.partition(":")
            assert callable(getattr(import_module(module), name)), factory
            assert "--port" in argv and "--host" in argv
        else:
            pytest.fail(f"{unit.name}: unexpected program {program}")


def test_the_proxy_sends_to_the_web_ports_and_serves_static_files():
    nginx = (DEPLOY / "nginx" / "perdes.conf").read_text(encoding="utf-8")
    ports = set(re.findall(r"server 127\.0\.0\.1:(\d+);", nginx))
    assert ports and "proxy_pass http://perdes;" in nginx
    static = re.search(r"alias /opt/perdes/(\S+)/;", nginx)
    assert static and (PROJECT_ROOT / static.group(1)).is_dir()
    web = (DEPLOY / "systemd" / "perdes-web@.service").read_text(encoding="utf-8")
    assert "--port %i" in web, "one instance per port named in the upstream"


def test_the_public_listing_is_rate_limited_by_the_proxy():
    nginx = (DEPLOY / "nginx" / "perdes.conf").read_text(encoding="utf-8")
    zone = re.search(r"limit_req_zone \$binary_remote_addr zone=(\w+):\d+m rate=\d+r/s;", nginx)
    assert zone, "a per-client rate zone"
    block = re.search(r"location ~ \^/\(publik/\|api/v1/public/\) \{(.*?)\}", nginx, re.S)
    assert block and f"limit_req zone={zone.group(1)}" in block.group(1)
    assert "proxy_pass http://perdes;" in block.group(1)


def test_the_sample_environment_names_only_real_settings():
    names = {
        line.split("=", 1)[0].removeprefix("PERDES_").lower()
        for line in (DEPLOY / "perdes.env.example").read_text(encoding="utf-8").splitlines()
        if line.startswith("PERDES_")
    }
    assert names and names <= set(Settings.model_fields)
