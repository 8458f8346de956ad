"""Run schemathesis against the live API: a throwaway seeded database, uvicorn, a token.

Usage: ``python -m tests.api.schemathesis_run [--max-examples N]``. Exit status is
schemathesis's (non-zero when it finds anything). Writes land in the throwaway database.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TIME_LIMIT_S = 240


def seed(database_url: str) -> str:
    """Migrate, load sample regions, checklist frameworks, a draft and a promulgated Perdes;
    return an admin API token."""
    from perdes import migrate
    from perdes.accounts import tokens
    from perdes.accounts.permissions import Role
    from perdes.accounts.principal import Principal
    from perdes.accounts.services import create_user, principal_for
    from perdes.checklist.loading import load_bundled
    from perdes.db import make_engine, session_scope
    from perdes.drafting.workspace import services as drafts
    from perdes.pipeline import make_session_factory
    from perdes.tracking import services as tracking
    from tests.api.seed import promulgated_adoption
    from tests.factories import LONTAR, SUSUKAN, load_sample_regions

    engine = make_engine(database_url)
    migrate.upgrade(engine)
    system = Principal.system()
    with session_scope(make_session_factory(engine)) as db:
        load_sample_regions(db)
        load_bundled(db, actor=system)
        drafts.create_draft(
            db,
            actor=system,
            village_code=LONTAR,
            template_slug="pelindungan-pmi",
            values={"nama_kepala_desa": "Ahmad", "nama_sekretaris_desa": "Junaedi"},
            options={},
        )
        promulgated_adoption(db, LONTAR)
        tracking.start_adoption(db, actor=system, village_code=SUSUKAN)
        user = create_user(
            db,
            actor=system,
            username="schemathesis",
            full_name="Schemathesis",
            role=Role.ADMIN,
            password="schemathesis-password-1",
            scope_codes=(),
        )
        secret = tokens.create_token(db, actor=principal_for(user), name="schemathesis").secret
    engine.dispose()
    return secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit("uvicorn exited before answering")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("uvicorn did not answer")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="perdes-schemathesis-") as tmp:
        database_url = f"sqlite:///{tmp}/api.sqlite3"
        secret = seed(database_url)
        port = free_port()
        env = {
            **os.environ,
            "PERDES_DATABASE_URL": database_url,
            "PERDES_INSTANCE_PATH": f"{tmp}/instance",
            "PERDES_SECRET_KEY": "schemathesis-secret",
        }
        server = subprocess.Popen(
            [
                str(BIN / "uvicorn"),
                *("--factory", "perdes.web.app:create_app", "--host", "127.0.0.1"),
                *("--port", str(port), "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
            command = [
                str(BIN / "schemathesis"),
                *("--config-file", str(Path(__file__).with_name("schemathesis.toml"))),
                "run",
                f"http://127.0.0.1:{port}/api/v1/openapi.json",
                "--checks",
                "all",
                "--workers",
                "1",
                "--seed",
                "1",
                "--max-examples",
                str(args.max_examples),
                "--generation-database",
                "none",
                "--no-color",
                "-H",
                f"Authorization: Bearer {secret}",
            ]
            code = subprocess.run(command, cwd=tmp, timeout=TIME_LIMIT_S).returncode
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        report_writes(database_url)
        return code


def report_writes(database_url: str) -> None:
    """Say how many writes schemathesis got through, so a run that only met 404s shows."""
    from sqlalchemy import func, select

    from perdes.checklist.models import ChecklistItemEvent
    from perdes.db import make_engine
    from perdes.tracking.models import AdoptionEvent

    engine = make_engine(database_url)
    with engine.connect() as conn:
        steps = conn.scalar(select(func.count()).where(AdoptionEvent.adoption_id == 2))
        answers = conn.scalar(select(func.count()).select_from(ChecklistItemEvent))
    engine.dispose()
    print(f"writes accepted during the run: {steps} adoption steps, {answers} checklist events")


if __name__ == "__main__":
    sys.exit(main())
