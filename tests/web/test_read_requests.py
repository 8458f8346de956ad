"""A read request never writes in its own transaction: no write lock held while a page renders.

Writes are counted at the cursor (every INSERT/UPDATE/DELETE the app sends on the test's
connection). The one bookkeeping write a read may cause, noting that a session is still in use,
runs at most every few minutes in a brief transaction of its own and may fail harmlessly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from perdes.accounts import services as accounts
from perdes.accounts.models import LoginSession
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.monitoring import targets
from perdes.monitoring.models import TargetList
from perdes.web.permissions import SESSION_COOKIE
from tests.factories import LONTAR, make_user
from tests.web.test_authz_matrix import ROUTES, _url, sample_rows

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@contextmanager
def counting_writes(connection: Connection) -> Iterator[list[str]]:
    writes: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if WRITE.match(statement):
            writes.append(statement.split("\n")[0][:80])

    event.listen(connection, "before_cursor_execute", before)
    try:
        yield writes
    finally:
        event.remove(connection, "before_cursor_execute", before)


def sign_in(client, db, role: str = "admin") -> str:  # type: ignore[no-untyped-def]
    user = make_user(db, role)
    new = accounts.start_session(db, user=user, client_addr="t", user_agent="t", days=1)
    client.raw.cookies.set(SESSION_COOKIE, new.token, domain="testserver.local")
    db.flush()
    return new.record.id


GET_ROUTES = [r for r in ROUTES if "GET" in r.methods]


def test_no_page_or_api_read_writes_to_the_database(client, db, regions, settings, connection):
    rows = sample_rows(db, settings.effective_upload_path)
    system = Principal.system()
    targets.take_snapshot(db, actor=system, target=db.get(TargetList, rows["target_id"]))
    sign_in(client, db)
    checked = 0
    with counting_writes(connection) as writes:
        for route in GET_ROUTES:
            url = _url(route, rows)
            response = client.get(url)
            assert response.status_code < 500, url
            assert not writes, f"GET {url} wrote: {writes}"
            checked += 1
    assert checked == len(GET_ROUTES) > 40


def test_a_stale_session_is_touched_once_in_a_brief_transaction_of_its_own(
    client, db, regions, connection
):
    session_id = sign_in(client, db, "pemantau")
    old = utcnow() - timedelta(minutes=10)
    db.get(LoginSession, session_id).last_seen_at = old  # type: ignore[union-attr]
    db.commit()
    with counting_writes(connection) as writes:
        assert client.get("/pemantauan").status_code == 200
        assert client.get(f"/desa/{LONTAR}").status_code == 200
    assert len(writes) == 1 and "login_session" in writes[0]
    db.expire_all()
    seen = db.scalar(select(LoginSession.last_seen_at).where(LoginSession.id == session_id))
    assert seen is not None and seen > old + timedelta(minutes=9)


def test_a_locked_database_does_not_fail_the_page(client, db, regions, monkeypatch):
    session_id = sign_in(client, db, "pemantau")
    db.get(LoginSession, session_id).last_seen_at = utcnow() - timedelta(hours=1)  # type: ignore[union-attr]
    db.commit()

    def locked(session, *, session_id):  # type: ignore[no-untyped-def]
        raise OperationalError("UPDATE login_session", {}, Exception("database is locked"))

    monkeypatch.setattr(accounts, "touch_session", locked)
    response = client.get("/pemantauan")
    assert response.status_code == 200 and "Indonesia" in response.text


@pytest.mark.parametrize("header", ["bearer", "cookie"])
def test_revoked_credentials_are_refused_on_the_next_request(client, db, regions, header):
    from perdes.accounts import tokens

    user = make_user(db, "pemantau")
    if header == "bearer":
        new = tokens.create_token(db, actor=accounts.principal_for(user), name="uji")
        headers = {"Authorization": f"Bearer {new.secret}"}
        assert client.get("/api/v1/regions", headers=headers).status_code == 200
        tokens.revoke_token(db, actor=accounts.principal_for(user), token_id=new.record.id)
        db.flush()
        assert client.get("/api/v1/regions", headers=headers).status_code == 401
    else:
        login = accounts.start_session(db, user=user, client_addr="t", user_agent="t", days=1)
        client.raw.cookies.set(SESSION_COOKIE, login.token, domain="testserver.local")
        assert client.get("/pemantauan").status_code == 200
        accounts.end_session(db, token=login.token)
        db.flush()
        assert client.get("/pemantauan").status_code == 303
