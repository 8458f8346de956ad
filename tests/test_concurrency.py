"""Parallel writers on the same records, against a real database (a fresh SQLite file, or a
scratch PostgreSQL database when PERDES_TEST_DATABASE_URL is set), through the whole app.

Each writer is a thread with its own client, session and database connection (in process,
no network). Only 2xx, 3xx and 409 may come back; the database must hold exactly what a
serial replay of the accepted writes would give; the kecamatan rollup must equal a fresh
recomputation at every level.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from perdes import migrate, pipeline
from perdes.accounts import services as accounts
from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistItemEvent,
    ItemEventKind,
)
from perdes.config import Settings
from perdes.db import make_engine
from perdes.drafting.workspace import editing
from perdes.drafting.workspace import services as drafts
from perdes.drafting.workspace.models import DraftComment, DraftRevision
from perdes.monitoring.rollup import AreaRollup, DistrictRollup, rebuild
from perdes.tracking.models import Adoption, AdoptionEvent
from perdes.web.app import create_app
from perdes.web.permissions import SESSION_COOKIE, csrf_token_for
from tests.factories import LONTAR, PONTANG, SUSUKAN, load_sample_regions, make_user

WRITERS = 8
SECRET = "concurrency-secret"
APPS: list = []  # apps made by a test, their engines disposed at its end


@pytest.fixture()
def live(tmp_path: Path) -> Iterator[tuple[Settings, object]]:
    url = os.environ.get("PERDES_TEST_DATABASE_URL")
    admin_engine = None
    name = ""
    if url:
        name = f"perdes_conc_{uuid.uuid4().hex[:8]}"
        admin_engine = make_engine(url, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        db_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    else:
        db_url = f"sqlite:///{tmp_path / 'conc.sqlite3'}"
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    factory = pipeline.make_session_factory(engine)
    with factory() as db:
        load_sample_regions(db)
        db.commit()
    settings = Settings(
        instance_path=tmp_path / "instance",
        database_url=db_url,
        secret_key=SECRET,
        upload_path=tmp_path / "uploads",
    )
    try:
        yield settings, factory
    finally:
        while APPS:
            APPS.pop().state.engine.dispose()
        engine.dispose()
        if admin_engine is not None:
            with admin_engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin_engine.dispose()


def _clients(settings: Settings, factory, role: str, n: int) -> list[TestClient]:
    app = create_app(settings)
    APPS.append(app)
    out = []
    with factory() as db:
        user = make_user(db, role)
        for _ in range(n):
            session = accounts.start_session(db, user=user, client_addr="t", user_agent="t", days=1)
            client = TestClient(app, follow_redirects=False)
            client.cookies.set(SESSION_COOKIE, session.token)
            client.headers["X-CSRF-Token"] = csrf_token_for(SECRET, session.token)
            out.append(client)
        db.commit()
    return out


def _parallel(clients: list[TestClient], send: Callable[[int, TestClient], object]) -> list[int]:
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = [0] * len(clients)

    def run(i: int) -> None:
        barrier.wait()
        statuses[i] = send(i, clients[i]).status_code  # type: ignore[attr-defined]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


def _only_accepted_or_conflict(statuses: list[int]) -> None:
    assert all(s < 400 or s == 409 for s in statuses), statuses


def test_parallel_saves_of_one_draft_revision(live):
    settings, factory = live
    clients = _clients(settings, factory, "operator", WRITERS)
    with factory() as db:
        admin = accounts.principal_for(make_user(db, "admin"))
        draft = drafts.create_draft(
            db, actor=admin, village_code=LONTAR, template_slug="pelindungan-pmi",
            values={"nama_kepala_desa": "Ahmad", "nama_sekretaris_desa": "Junaedi"}, options={},
        )  # fmt: skip
        db.commit()
        draft_id = draft.id
    statuses = _parallel(
        clients,
        lambda i, c: c.post(
            f"/rancangan/{draft_id}/revisi",
            data={
                "base": "1",
                "v_nama_kepala_desa": f"Kepala {i}",
                "v_nama_sekretaris_desa": "Junaedi",
                "message": f"simpan {i}",
            },
        ),
    )
    _only_accepted_or_conflict(statuses)
    accepted = [i for i, s in enumerate(statuses) if s < 400]
    assert len(accepted) == 1 and statuses.count(409) == WRITERS - 1
    with factory() as db:
        numbers = db.scalars(
            select(DraftRevision.number).where(DraftRevision.draft_id == draft_id)
        ).all()
        assert sorted(numbers) == [1, 2]  # a serial replay: one save on base 1
        latest = db.scalars(
            select(DraftRevision).where(
                DraftRevision.draft_id == draft_id, DraftRevision.number == 2
            )
        ).one()
        assert latest.message == f"simpan {accepted[0]}"


def test_parallel_pasal_edits_and_accepts_of_one_draft(live):
    """Wording edits and accepted proposals are revisions too: of parallel writers on the
    same base, one wins, the others get 409 and no proposal is marked accepted twice."""
    settings, factory = live
    clients = _clients(settings, factory, "operator", 4)
    with factory() as db:
        admin = accounts.principal_for(make_user(db, "admin"))
        draft = drafts.create_draft(
            db, actor=admin, village_code=LONTAR, template_slug="pelindungan-pmi",
            values={"nama_kepala_desa": "Ahmad", "nama_sekretaris_desa": "Junaedi"}, options={},
        )  # fmt: skip
        proposals = [
            editing.add_proposal(
                db, actor=admin, draft_id=draft.id, target="tugas.pemdes#3", source="bpd",
                text="usul", proposed=f"Usulan rumusan {i}.",
            ).id
            for i in range(2)
        ]  # fmt: skip
        db.commit()
        draft_id = draft.id

    def send(i: int, c: TestClient) -> object:
        if i < 2:
            return c.post(
                f"/rancangan/{draft_id}/pasal",
                data={"base": "1", "pasal": "tugas.pemdes", "teks_3": f"Rumusan {i}."},
            )
        return c.post(f"/rancangan/{draft_id}/usulan/{proposals[i - 2]}/terima", data={"base": "1"})

    statuses = _parallel(clients, send)
    _only_accepted_or_conflict(statuses)
    assert sum(s < 400 for s in statuses) == 1 and statuses.count(409) == 3
    with factory() as db:
        numbers = db.scalars(
            select(DraftRevision.number).where(DraftRevision.draft_id == draft_id)
        ).all()
        assert sorted(numbers) == [1, 2]
        decided = db.scalars(
            select(DraftComment.decision).where(DraftComment.decision.is_not(None))
        ).all()
        assert len(decided) == (1 if statuses[2] < 400 or statuses[3] < 400 else 0)


def test_parallel_starts_and_steps_on_one_adoption(live):
    settings, factory = live
    clients = _clients(settings, factory, "operator", WRITERS)
    statuses = _parallel(
        clients, lambda i, c: c.post(f"/desa/{LONTAR}/perdes", data={"title": f"Perdes {i}"})
    )
    _only_accepted_or_conflict([s if s != 422 else 409 for s in statuses])
    with factory() as db:
        adoptions = db.scalars(select(Adoption).where(Adoption.village_code == LONTAR)).all()
        assert len(adoptions) == 1, "one unfinished adoption per village"
        adoption_id, version = adoptions[0].id, adoptions[0].version
    statuses = _parallel(
        clients,
        lambda i, c: c.post(
            f"/desa/{LONTAR}/perdes/{adoption_id}/langkah",
            data={"stage": "direncanakan", "occurred_on": "2026-01-05", "version": str(version)},
        ),
    )
    _only_accepted_or_conflict(statuses)
    assert sum(s < 400 for s in statuses) == 1
    with factory() as db:
        events = db.scalar(select(func.count()).where(AdoptionEvent.adoption_id == adoption_id))
        assert events == 1


@pytest.mark.parametrize(
    "villages",
    [[LONTAR, SUSUKAN], [LONTAR, PONTANG]],
    ids=["one kecamatan", "one kabupaten, two kecamatan"],
)
def test_parallel_writes_keep_every_rollup_level_exact(live, villages):
    """Two writers at once in one kecamatan, or in two kecamatan of one kabupaten: the
    kecamatan, kabupaten and provinsi rows all equal a recomputation afterwards."""
    settings, factory = live
    admins = _clients(settings, factory, "admin", 2)
    statuses = _parallel(
        admins, lambda i, c: c.post(f"/desa/{villages[i]}/perdes", data={"title": "PMI"})
    )
    _only_accepted_or_conflict(statuses)
    for stage in ["direncanakan", "penyusunan", "konsultasi_masyarakat"]:
        with factory() as db:
            rows = {a.village_code: (a.id, a.version) for a in db.scalars(select(Adoption)).all()}

        def step(i: int, c: TestClient, stage: str = stage, rows: dict = rows) -> object:
            adoption_id, version = rows[villages[i]]
            return c.post(
                f"/desa/{villages[i]}/perdes/{adoption_id}/langkah",
                data={"stage": stage, "occurred_on": "2026-01-05", "version": str(version)},
            )

        statuses = _parallel(admins, step)
        assert statuses == [303, 303], statuses

    def every_row(db: object) -> dict[tuple[str, str], dict[str, object]]:
        out = {}
        for table in (DistrictRollup, AreaRollup):
            key = table.__table__.primary_key.columns.values()[0].key
            for row in db.scalars(select(table)):  # type: ignore[attr-defined]
                values = {c.key: getattr(row, c.key) for c in table.__table__.columns}
                values.pop("updated_at")
                out[(table.__tablename__, values.pop(key))] = values
        return out

    with factory() as db:
        before = every_row(db)
        rebuild(db)
        db.flush()
        db.expire_all()
        after = every_row(db)
        assert before == after
        assert after[("area_rollup", "36.04")]["n_konsultasi_masyarakat"] >= 2
        assert after[("area_rollup", "36")]["n_konsultasi_masyarakat"] >= 2
        db.rollback()


def test_parallel_first_saves_of_a_village_profile(live):
    settings, factory = live
    clients = _clients(settings, factory, "operator", WRITERS)
    statuses = _parallel(
        clients,
        lambda i, c: c.post(
            f"/desa/{LONTAR}/profil",
            data={
                "sebutan_desa": "Desa",
                "sebutan_kepala_desa": "Kepala Desa",
                "sebutan_bpd": "BPD",
                "kepala_desa_name": f"Kepala {i}",
                "version": "0",
            },
        ),
    )
    _only_accepted_or_conflict(statuses)
    accepted = {f"Kepala {i}" for i, s in enumerate(statuses) if s < 400}
    assert len(accepted) == 1, statuses
    with factory() as db:
        rows = db.execute(
            text("SELECT kepala_desa_name FROM village_profile WHERE region_code = :c"),
            {"c": LONTAR},
        ).all()
        assert len(rows) == 1 and rows[0][0] in accepted  # as if the accepted ran in turn


def test_parallel_saves_of_a_stored_village_profile(live):
    """Every writer opened the form on version 1: one saves, the others get 409."""
    settings, factory = live
    clients = _clients(settings, factory, "operator", WRITERS)
    base = {"sebutan_desa": "Desa", "sebutan_kepala_desa": "Kepala Desa", "sebutan_bpd": "BPD"}
    first = clients[0].post(f"/desa/{LONTAR}/profil", data={**base, "version": "0"})
    assert first.status_code == 303
    statuses = _parallel(
        clients,
        lambda i, c: c.post(
            f"/desa/{LONTAR}/profil",
            data={**base, "kepala_desa_name": f"Kepala {i}", "version": "1"},
        ),
    )
    _only_accepted_or_conflict(statuses)
    accepted = [i for i, s in enumerate(statuses) if s < 400]
    assert len(accepted) == 1 and statuses.count(409) == WRITERS - 1, statuses
    with factory() as db:
        row = db.execute(
            text("SELECT kepala_desa_name, version FROM village_profile WHERE region_code = :c"),
            {"c": LONTAR},
        ).one()
        assert tuple(row) == (f"Kepala {accepted[0]}", 2)


ITEM = "satgas-komunitas-pmi"
ANSWER = f"/desa/{LONTAR}/ceklis/desa-pmi-prosedural/{ITEM}/jawaban"


def _answer_state(factory) -> tuple[int, str, int, int]:
    """(answers, note, version, history lines) of the item in Lontar."""
    with factory() as db:
        rows = db.execute(
            select(ChecklistAnswer.note, ChecklistAnswer.version, ChecklistAnswer.id)
            .join(ChecklistAssessment)
            .where(ChecklistAssessment.village_code == LONTAR, ChecklistAnswer.item_key == ITEM)
        ).all()
        if not rows:
            return 0, "", 0, 0
        events = db.scalar(
            select(func.count()).where(
                ChecklistItemEvent.answer_id == rows[0].id,
                ChecklistItemEvent.kind == ItemEventKind.DIJAWAB,
            )
        )
        return len(rows), rows[0].note, rows[0].version, events or 0


def test_parallel_saves_of_one_checklist_answer(live):
    """N operators save the same item at once, first on an untouched item (version 0), then
    on the stored answer: each round exactly one success, the rest 409, no 500; the stored
    note is the accepted writer's and the history has one line per accepted save."""
    settings, factory = live
    with factory() as db:
        load_bundled(db, actor=Principal.system())
        db.commit()
    clients = _clients(settings, factory, "operator", WRITERS)
    for round_ in range(2):
        _, _, version, _ = _answer_state(factory)
        statuses = _parallel(
            clients,
            lambda i, c, r=round_, v=version: c.post(
                ANSWER,
                data={"status": "dalam_proses", "note": f"putaran {r} oleh {i}", "version": str(v)},
            ),
        )
        _only_accepted_or_conflict(statuses)
        accepted = [i for i, s in enumerate(statuses) if s < 400]
        assert len(accepted) == 1 and statuses.count(409) == WRITERS - 1, statuses
        answers, note, _, events = _answer_state(factory)
        assert answers == 1 and note == f"putaran {round_} oleh {accepted[0]}"
        assert events == round_ + 1  # a serial replay of the accepted saves


def test_parallel_verifications_of_one_answer(live):
    """Monitors verifying (or rejecting) the same waiting answer at once: one decision."""
    settings, factory = live
    with factory() as db:
        load_bundled(db, actor=Principal.system())
        db.commit()
    operator = _clients(settings, factory, "operator", 1)[0]
    assert operator.post(ANSWER, data={"status": "terpenuhi", "version": "0"}).status_code == 303
    _, _, version, _ = _answer_state(factory)
    monitors = _clients(settings, factory, "pemantau", WRITERS)
    statuses = _parallel(
        monitors,
        lambda i, c: c.post(
            ANSWER.replace("/jawaban", "/verifikasi"),
            data={
                "decision": "diverifikasi" if i % 2 else "ditolak",
                "reason": f"alasan {i}",
                "version": str(version),
            },
        ),
    )
    _only_accepted_or_conflict(statuses)
    assert sum(s < 400 for s in statuses) == 1 and statuses.count(409) == WRITERS - 1, statuses
    with factory() as db:
        decisions = db.scalar(
            select(func.count()).where(
                ChecklistItemEvent.kind.in_([ItemEventKind.DIVERIFIKASI, ItemEventKind.DITOLAK])
            )
        )
        assert decisions == 1


def test_parallel_links_never_close_a_cycle(live):
    """Writers link two products both ways at once: one link survives, never a cycle."""
    from perdes.tracking import services as tracking
    from perdes.tracking.models import LegalProductLink

    settings, factory = live
    clients = _clients(settings, factory, "operator", WRITERS)
    with factory() as db:
        admin = accounts.principal_for(make_user(db, "admin"))
        a, b = (
            tracking.start_adoption(
                db, actor=admin, village_code=LONTAR, kind="perkades", title=f"Perkades {n}"
            )
            for n in "ab"
        )
        db.commit()
        ids = (a.id, b.id)
    statuses = _parallel(
        clients,
        lambda i, c: c.post(
            f"/desa/{LONTAR}/perdes/{ids[i % 2]}/tautan",
            data={"target_id": str(ids[(i + 1) % 2]), "kind": "mencabut"},
        ),
    )
    # 422: the link (or its reverse) was already committed when this writer read.
    assert all(s < 400 or s in (409, 422) for s in statuses), statuses
    with factory() as db:
        links = db.execute(select(LegalProductLink.source_id, LegalProductLink.target_id)).all()
        assert len(links) == 1, links
