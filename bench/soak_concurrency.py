"""Soak: 20 writers for 20 s against a real server (2 uvicorn workers on 127.0.0.1).

Usage: .venv/bin/python bench/soak_concurrency.py [DATABASE_SERVER_URL] [--writers 20]
       [--seconds 20] [--port 8766]

Without a URL a fresh SQLite file is used; with a PostgreSQL URL a scratch database is made
on that server and dropped afterwards. Ten writers save revisions of one draft (each on the
base it last saw), ten answer the same checklist item in two villages of one kecamatan (each
on the answer version it last saw, each save with a note of its own, so none is a no-op).
Prints the number of requests, 5xx answers, 409 answers,
and lost updates: accepted draft saves without a revision, accepted answers made on the same
version of an answer as another accepted one (one would have overwritten the other unseen),
and kecamatan rollup rows that differ from a recomputation. Only the server this script
starts is stopped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perdes import migrate, pipeline  # noqa: E402
from perdes.accounts import services as accounts  # noqa: E402
from perdes.accounts.principal import Principal  # noqa: E402
from perdes.checklist.loading import load_bundled  # noqa: E402
from perdes.checklist.models import ChecklistAnswer, ChecklistAssessment  # noqa: E402
from perdes.db import make_engine  # noqa: E402
from perdes.drafting.workspace import services as drafts  # noqa: E402
from perdes.drafting.workspace.models import Draft, DraftRevision  # noqa: E402
from perdes.monitoring.rollup import DistrictRollup, rebuild  # noqa: E402
from perdes.web.permissions import SESSION_COOKIE, csrf_token_for  # noqa: E402
from tests.factories import LONTAR, SUSUKAN, load_sample_regions, make_user  # noqa: E402

SECRET = "soak-secret"
ITEM = "/desa/{code}/ceklis/desa-pmi-prosedural/satgas-komunitas-pmi/jawaban"
STATUSES = ["belum", "dalam_proses", "terpenuhi"]


def _database(server: str | None, tmp: Path) -> tuple[str, str]:
    if not server:
        return f"sqlite:///{tmp / 'soak.sqlite3'}", ""
    name = f"perdes_soak_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False), name


def _seed(url: str, writers: int) -> tuple[int, list[str]]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = pipeline.make_session_factory(engine)
    with factory() as db:
        load_sample_regions(db)
        load_bundled(db, actor=Principal.system())
        admin = make_user(db, "admin", username="soak.admin")
        draft = drafts.create_draft(
            db,
            actor=accounts.principal_for(admin),
            village_code=LONTAR,
            template_slug="pelindungan-pmi",
            values={"nama_kepala_desa": "Ahmad", "nama_sekretaris_desa": "Junaedi"},
            options={},
        )
        tokens = [
            accounts.start_session(db, user=admin, client_addr="s", user_agent="s", days=1).token
            for _ in range(writers)
        ]
        db.commit()
        draft_id = draft.id
    engine.dispose()
    return draft_id, tokens


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("server", nargs="?", default=os.environ.get("SOAK_DATABASE_URL"))
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="perdes-soak-"))
    url, scratch = _database(args.server, tmp)
    draft_id, tokens = _seed(url, args.writers)
    env = {
        **os.environ,
        "PERDES_DATABASE_URL": url,
        "PERDES_SECRET_KEY": SECRET,
        "PERDES_INSTANCE_PATH": str(tmp),
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/uvicorn"), "--factory", "perdes.web.app:create_app",
         "--host", "127.0.0.1", "--port", str(args.port), "--workers", "2", "--log-level",
         "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base_url + "/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        counts = {"requests": 0, "5xx": 0, "409": 0}
        accepted_saves: list[str] = []
        answers: list[tuple[str, int]] = []  # (village, version it was made on) accepted
        lock = threading.Lock()
        reader = make_engine(url)
        stop = time.monotonic() + args.seconds

        def writer(i: int) -> None:
            client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)
            client.cookies.set(SESSION_COOKIE, tokens[i])
            client.headers["X-CSRF-Token"] = csrf_token_for(SECRET, tokens[i])
            n = 0
            base = 1
            seen = 0  # the answer's version this writer last saw (0: not answered yet)
            while time.monotonic() < stop:
                n += 1
                if i % 2 == 0:
                    message = f"w{i}-{n}"
                    r = client.post(
                        f"/rancangan/{draft_id}/revisi",
                        data={"base": str(base), "v_nama_kepala_desa": message,
                              "v_nama_sekretaris_desa": "Junaedi", "message": message},
                    )  # fmt: skip
                    if r.status_code < 400:
                        with lock:
                            accepted_saves.append(message)
                        base += 1
                    elif r.status_code == 409:
                        with reader.connect() as conn:
                            base = conn.execute(
                                select(Draft.latest_number).where(Draft.id == draft_id)
                            ).scalar_one()
                else:
                    village = (LONTAR, SUSUKAN)[(i // 2) % 2]
                    status = STATUSES[n % 3]
                    r = client.post(
                        ITEM.format(code=village),
                        data={"status": status, "note": f"w{i}-{n}", "version": str(seen)},
                    )
                    if r.status_code < 400:
                        with lock:
                            answers.append((village, seen))
                    with reader.connect() as conn:  # what the page would show next
                        seen = (
                            conn.execute(
                                select(ChecklistAnswer.version)
                                .join(ChecklistAssessment)
                                .where(
                                    ChecklistAssessment.village_code == village,
                                    ChecklistAnswer.item_key == "satgas-komunitas-pmi",
                                )
                            ).scalar()
                            or 0
                        )
                with lock:
                    counts["requests"] += 1
                    counts["5xx"] += r.status_code >= 500
                    counts["409"] += r.status_code == 409
            client.close()

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(args.writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        reader.dispose()
    finally:
        server.terminate()
        server.wait(timeout=30)

    engine = make_engine(url)
    factory = pipeline.make_session_factory(engine)
    with factory() as db:
        messages = set(db.scalars(select(DraftRevision.message).where(
            DraftRevision.draft_id == draft_id)))  # fmt: skip
        latest = db.scalar(select(Draft.latest_number).where(Draft.id == draft_id))
        lost_saves = len([m for m in accepted_saves if m not in messages])
        numbering_gaps = (latest or 0) != len(messages)
        before = {r.district_code: r for r in db.scalars(select(DistrictRollup))}
        snapshot = {
            code: {c.key: getattr(row, c.key) for c in DistrictRollup.__table__.columns
                   if c.key != "updated_at"}
            for code, row in before.items()
        }  # fmt: skip
        rebuild(db)
        db.flush()
        db.expire_all()
        after = {
            r.district_code: {c.key: getattr(r, c.key) for c in DistrictRollup.__table__.columns
                              if c.key != "updated_at"}
            for r in db.scalars(select(DistrictRollup))
        }  # fmt: skip
        rollup_off = sum(snapshot.get(k) != v for k, v in after.items())
        db.rollback()
    engine.dispose()
    if scratch and args.server:
        admin = make_engine(args.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{scratch}" WITH (FORCE)'))
        admin.dispose()
    kind = "postgresql" if scratch else "sqlite"
    print(
        f"{kind}: {args.writers} writers, {args.seconds:.0f} s: {counts['requests']} requests, "
        f"{counts['5xx']} x 5xx, {counts['409']} x 409; draft saves accepted "
        f"{len(accepted_saves)}, lost {lost_saves}, numbering gaps {int(numbering_gaps)}; "
        f"checklist answers accepted {len(answers)}, made on an already-answered version "
        f"{len(answers) - len(set(answers))}; rollup rows differing from a "
        f"recomputation {rollup_off}"
    )


if __name__ == "__main__":
    main()
