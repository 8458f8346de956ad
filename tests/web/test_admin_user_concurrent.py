"""Two admins save the same account at the same moment, through the ASGI app with a pool of
real connections (its own SQLite file, or its own PostgreSQL schema), as under uvicorn: one
save wins, the other gets 409 with its input kept, and the stored regions are the winner's.
Two admins creating the same user name at once: one is created, the other gets 422 with its
input kept; never a 500."""

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
from perdes.accounts.models import User
from perdes.config import Settings
from perdes.db import make_engine, session_scope
from perdes.pipeline import make_session_factory
from perdes.web.app import create_app
from perdes.web.permissions import CSRF_HEADER, SESSION_COOKIE, csrf_token_for
from tests.factories import LONTAR, PASSWORD, PONTANG, SUSUKAN, load_sample_regions, make_user
from tests.factories import own_database as shared_own_database

SECRET = "admin-concurrent-secret"
SCHEMA = "perdes_admin_concurrent"
ROUNDS = 3


@pytest.fixture()
def own_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    with shared_own_database(database_url, tmp_path, name=SCHEMA) as url:
        yield url


def test_two_admins_saving_one_account_at_once_get_one_success_and_one_409(
    own_database: str, tmp_path: Path
) -> None:
    engine = make_engine(own_database)
    migrate.upgrade(engine)
    with session_scope(make_session_factory(engine)) as db:
        load_sample_regions(db)
        target = make_user(db, "pendamping", (LONTAR,), username="pendamping.x").id
        tokens = []
        for _ in range(2):
            admin = make_user(db, "admin")
            login = accounts.start_session(db, user=admin, client_addr="t", user_agent="t", days=1)
            tokens.append(login.token)
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
            headers={CSRF_HEADER: csrf_token_for(SECRET, token)},
        )

    async def at_once(url: str, forms: list[dict[str, str]]) -> list[httpx.Response]:
        async with client(tokens[0]) as a, client(tokens[1]) as b:
            return list(
                await asyncio.gather(
                    *(http.post(url, data=form) for http, form in zip((a, b), forms, strict=True))
                )
            )

    async def run() -> list[str]:
        winners = []
        url = f"/admin/pengguna/{target}"
        stored = LONTAR
        for n in range(ROUNDS):
            # both change the account (a save that changes nothing writes nothing)
            choices = [c for c in (LONTAR, SUSUKAN, PONTANG) if c != stored]
            if n % 2:
                choices.reverse()
            async with client(tokens[0]) as a:
                page = BeautifulSoup((await a.get(url)).text, "html.parser")
            version = page.select_one("input[name=version]")["value"]
            forms = [{"scopes": code, "version": version} for code in choices]
            answers = await at_once(f"{url}/wilayah", forms)
            statuses = [r.status_code for r in answers]
            assert sorted(statuses) == [200, 409], (n, statuses)
            loser = statuses.index(409)
            html = BeautifulSoup(answers[loser].text, "html.parser")
            assert html.select_one("#f-scopes")["value"] == choices[loser]
            assert choices[1 - loser] in html.select_one("[data-testid=stored]").text
            stored = choices[1 - loser]
            winners.append(stored)

        new_user = {
            "username": "operator.kembar",
            "full_name": "Operator Kembar",
            "role": "pendamping",
            "scopes": LONTAR,
            "password": PASSWORD,
        }
        answers = await at_once("/admin/pengguna", [new_user, new_user])
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [303, 422], statuses
        refused = next(r for r in answers if r.status_code == 422)
        html = BeautifulSoup(refused.text, "html.parser")
        assert "sudah dipakai" in html.select_one("#e-username").text
        assert html.select_one("#f-full_name")["value"] == "Operator Kembar"
        return winners

    # a loop of its own in a thread of its own (Playwright may have left one in this thread)
    with ThreadPoolExecutor(max_workers=1) as pool:
        winners = pool.submit(lambda: asyncio.run(run())).result()
    app.state.engine.dispose()

    check = make_engine(own_database)
    with session_scope(make_session_factory(check)) as db:
        user = db.get(User, target)
        assert [s.region_code for s in user.scopes] == [winners[-1]], "the last winner's"
        assert user.version == 1 + ROUNDS
        assert db.scalars(select(User.id).where(User.username == "operator.kembar")).one()
    check.dispose()
