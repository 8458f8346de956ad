"""The brief cache of resolved sessions: used while nothing changes, forgotten at once when
an account changes (deactivation, role, regions, sign-out), here and in other processes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Connection

from perdes.accounts import services as accounts
from perdes.accounts.models import User
from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.accounts.principal_cache import EPOCH_FILE, PrincipalCache
from perdes.web.permissions import SESSION_COOKIE
from tests.factories import LONTAR, PONTANG, make_user

SESSION_LOOKUP = re.compile(r"\bFROM login_session\b", re.IGNORECASE)


@contextmanager
def session_lookups(connection: Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if SESSION_LOOKUP.search(statement):
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", before)


def signed_in(client, db, role: str, scopes: tuple[str, ...] = ()) -> User:  # type: ignore[no-untyped-def]
    user = make_user(db, role, scopes)
    new = accounts.start_session(db, user=user, client_addr="t", user_agent="t", days=1)
    client.raw.cookies.set(SESSION_COOKIE, new.token, domain="testserver.local")
    db.flush()
    return user


def test_a_second_request_of_a_session_does_not_look_it_up_again(client, db, regions, connection):
    signed_in(client, db, "pemantau")
    with session_lookups(connection) as lookups:
        assert client.get("/pemantauan").status_code == 200
        assert len(lookups) == 1
        assert client.get("/pemantauan").status_code == 200
        assert client.get(f"/desa/{LONTAR}").status_code == 200
    assert len(lookups) == 1


def test_a_deactivated_user_is_refused_on_the_next_request(client, db, regions):
    user = signed_in(client, db, "operator")
    assert client.get(f"/desa/{LONTAR}").status_code == 200  # the principal is cached now
    accounts.set_active(db, actor=Principal.system(), user_id=user.id, active=False)
    db.commit()
    assert client.get(f"/desa/{LONTAR}").status_code == 303


def test_a_changed_role_applies_on_the_next_request(client, db, regions):
    user = signed_in(client, db, "operator", (LONTAR,))
    assert client.get("/pemantauan").status_code == 403
    user.role = Role.PEMANTAU
    user.scopes.clear()
    db.flush()
    accounts.set_scopes(db, actor=Principal.system(), user_id=user.id, scope_codes=["36.04"])
    db.commit()
    response = client.get("/pemantauan")
    assert response.status_code == 200 and "data-figure" in response.text
    assert "Banten" in response.text, response.text[-3000:]


def test_changed_regions_apply_on_the_next_request(client, db, regions):
    user = signed_in(client, db, "operator", (LONTAR,))
    assert client.get(f"/desa/{PONTANG}/profil").status_code == 404
    accounts.set_scopes(db, actor=Principal.system(), user_id=user.id, scope_codes=[PONTANG])
    db.commit()
    assert client.get(f"/desa/{PONTANG}/profil").status_code == 200
    assert client.get(f"/desa/{LONTAR}/profil").status_code == 404


def test_a_session_touch_does_not_empty_the_cache(client, db, regions, connection):
    signed_in(client, db, "pemantau")
    assert client.get("/pemantauan").status_code == 200
    other = make_user(db, "pemantau")
    other_session = accounts.start_session(db, user=other, client_addr="t", user_agent="t", days=1)
    db.commit()  # a new sign-in elsewhere empties it once
    assert client.get("/pemantauan").status_code == 200
    accounts.touch_session(db, session_id=other_session.record.id)
    db.commit()
    with session_lookups(connection) as lookups:
        assert client.get("/pemantauan").status_code == 200
    assert lookups == []


def test_a_change_in_another_process_is_seen_through_the_epoch_file(tmp_path):
    here = PrincipalCache(instance_path=tmp_path)
    there = PrincipalCache(instance_path=tmp_path)  # another worker, same instance folder
    here.put("token", "principal", epoch=here.epoch())
    assert here.get("token") == "principal"
    (tmp_path / EPOCH_FILE).write_text("changed elsewhere", encoding="ascii")
    assert here.get("token") is None
    here.put("token", "principal", epoch=here.epoch())
    there.invalidate()
    assert here.get("token") is None


def test_an_entry_read_before_a_change_is_never_used_after_it(tmp_path):
    cache = PrincipalCache(instance_path=tmp_path)
    epoch = cache.epoch()  # a request starts its lookup…
    cache.invalidate()  # …an account change commits meanwhile…
    cache.put("token", "old principal", epoch=epoch)  # …and the request stores what it read
    assert cache.get("token") is None


def test_entries_expire(tmp_path):
    cache = PrincipalCache(instance_path=tmp_path, ttl=0.0)
    cache.put("token", "principal", epoch=cache.epoch())
    assert cache.get("token") is None
