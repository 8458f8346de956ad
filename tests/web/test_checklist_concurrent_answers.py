"""Two operators save the same checklist item at the same moment, through the ASGI app with
a pool of real connections (its own SQLite file, or its own PostgreSQL schema), as under
uvicorn: the first answer of an untouched item and a later change of it. Each time exactly
one save wins and the other gets 409 with its input kept: never a 500, never a silent
overwrite (the stored note is the winner's)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes import migrate
from perdes.accounts import services as accounts
from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from perdes.checklist.models import ChecklistAnswer
from perdes.config import Settings
from perdes.db import make_engine, session_scope
from perdes.pipeline import make_session_factory
from perdes.web.app import create_app
from perdes.web.permissions import CSRF_HEADER, SESSION_COOKIE, csrf_token_for
from tests.factories import LONTAR, load_sample_regions, make_user
from tests.factories import own_database as shared_own_database

SECRET = "concurrent-answers-secret"
SCHEMA = "perdes_concurrent_answers"
SLUG = "desa-pmi-prosedural"
ITEMS = ("satgas-komunitas-pmi", "penggerak-terlatih")
ROUNDS = 3  # per item: the first answer, then two later changes


@pytest.fixture()
def own_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    with shared_own_database(database_url, tmp_path, name=SCHEMA) as url:
        yield url


def test_two_saves_at_once_give_one_success_and_one_409_with_the_input_kept(
    own_database: str, tmp_path: Path
) -> None:
    engine = make_engine(own_database)
    migrate.upgrade(engine)
    with session_scope(make_session_factory(engine)) as db:
        load_sample_regions(db)
        load_bundled(db, actor=Principal.system())
        tokens = []
        for _ in range(2):
            user = make_user(db, "operator", (LONTAR,))
            tokens.append(
                accounts.start_session(db, user=user, client_addr="t", user_agent="t", days=1).token
            )
    engine.dispose()
    app = create_app(
        Settings(
            instance_path=tmp_path / "instance",
            database_url=own_database,
            secret_key=SECRET,
            upload_path=tmp_path / "uploads",
        )
    )

    def client(token: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver.local",
            cookies={SESSION_COOKIE: token},
            headers={CSRF_HEADER: csrf_token_for(SECRET, token), "HX-Request": "true"},
        )

    async def both_save(url: str, version: str, notes: list[str]) -> list[httpx.Response]:
        async with client(tokens[0]) as a, client(tokens[1]) as b:
            return list(
                await asyncio.gather(
                    *(
                        http.post(
                            url, data={"status": "dalam_proses", "note": note, "version": version}
                        )
                        for http, note in zip((a, b), notes, strict=True)
                    )
                )
            )

    async def version_of(item: str) -> str:
        async with client(tokens[0]) as a:
            page = await a.get(f"/desa/{LONTAR}/ceklis/{SLUG}/{item}/formulir")
        return BeautifulSoup(page.text, "html.parser").select_one("[name=version]")["value"]

    async def run() -> dict[str, str]:
        winners = {}
        for item in ITEMS:
            url = f"/desa/{LONTAR}/ceklis/{SLUG}/{item}/jawaban"
            for n in range(ROUNDS):
                version = await version_of(item)
                assert (version == "0") is (n == 0)  # the first answer, then later changes
                notes = [f"Catatan A{n}", f"Catatan B{n}"]
                answers = await both_save(url, version, notes)
                statuses = [r.status_code for r in answers]
                assert sorted(statuses) == [200, 409], (item, n, statuses)
                loser = statuses.index(409)
                form = BeautifulSoup(answers[loser].text, "html.parser")
                assert form.select_one("form.ck-form textarea[name=note]").text == notes[loser]
                assert notes[1 - loser] in form.select_one("[data-testid=conflict]").text
                winners[item] = notes[1 - loser]
        return winners

    # a loop of its own in a thread of its own (Playwright may have left one in this thread)
    with ThreadPoolExecutor(max_workers=1) as pool:
        winners = pool.submit(lambda: asyncio.run(run())).result()
    app.state.engine.dispose()

    check = make_engine(own_database)
    with check.connect() as conn:
        for item, winner in winners.items():
            stored = conn.scalar(
                select(ChecklistAnswer.note).where(ChecklistAnswer.item_key == item)
            )
            assert stored == winner, "the stored note is the last winner's, never a loser's"
    check.dispose()
