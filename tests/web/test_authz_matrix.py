"""Every route × every role and anonymous, checked against the permission table.

Each route must declare its rule (``requires(action)``, ``optional_user`` or ``public_route``);
a new route without one makes ``test_every_route_declares_a_rule`` fail. The matrix checks the
role gate; region scopes are tested per feature.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from perdes.accounts import services as accounts
from perdes.accounts.permissions import Role, can
from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from perdes.config import Settings
from perdes.drafting.workspace import services as drafts
from perdes.files import store_upload
from perdes.monitoring.targets import add_village, create_target
from perdes.regions.scope import Scope
from perdes.register import crypto, episodes, rights
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from perdes.tracking.evidence import attach_evidence
from perdes.tracking.rules import set_rule
from perdes.web.app import ROUTE_MODULES
from perdes.web.permissions import PUBLIC, SESSION_COOKIE
from tests.factories import LONTAR, load_sample_regions, make_user
from tests.register.people import make_person

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# Sample values for path parameters; a new parameter needs an entry here. Values in braces
# are filled from real rows made by ``sample_rows``.
PATH_SAMPLES = {
    "kode": LONTAR,
    "user_id": "{user_id}",
    "token_id": "999999",
    "draft_id": "{draft_id}",
    "number": "1",
    "comment_id": "{comment_id}",
    "kerangka": "desa-pmi-prosedural",
    "butir": "satgas-komunitas-pmi",
    "bukti": "999999",
    "adoption_id": "{adoption_id}",
    "product_id": "{adoption_id}",
    "link_id": "999999",
    "event_id": "{event_id}",
    "file_id": "{file_id}",
    "rule_id": "{rule_id}",
    # JSON API (perdes/web/api/)
    "code": LONTAR,
    "framework": "desa-pmi-prosedural",
    "item": "satgas-komunitas-pmi",
    "fmt": "csv",
    "target_id": "{target_id}",
    # mail outbox
    "message_id": "999999",
    # one-time links (a bogus one: the page says the link is not valid)
    "token": "tautan-palsu",
    # step documents (a real template; the sample adoption lacks its data: 422 for readers)
    "slug": "berita-acara-kesepakatan",
    # the PMI register: a person by opaque id and the rows of their episodes
    "pid": "{person_pid}",
    "doc_id": "{doc_id}",
    "letter_id": "{letter_id}",
    "case_id": "{case_id}",
    "request_id": "{request_id}",
    "breach_id": "{breach_id}",
    "nomor": "999999",  # a disclosure for the Dinas (none: 404 for those allowed)
}


def sample_rows(db, tmp_root, keyring=None) -> dict[str, int | str]:
    system = Principal.system()
    register_rows = sample_register(db, tmp_root, keyring)
    load_bundled(db, actor=system)
    target = make_user(db, Role.PEMANTAU, username="sasaran.matrix")
    draft = drafts.create_draft(
        db,
        actor=system,
        village_code=LONTAR,
        template_slug="pelindungan-pmi",
        values={"nama_kepala_desa": "Ahmad", "nama_sekretaris_desa": "Junaedi"},
        options={},
    )
    comment = drafts.add_comment(
        db,
        actor=system,
        draft_id=draft.id,
        clause_id=drafts.get_revision(db, draft=draft, number=1).sections[1][0],
        source="bpd",
        text="Uji matriks",
    )
    adoption = tracking.start_adoption(db, actor=system, village_code=LONTAR)
    event = tracking.record_step(
        db,
        actor=system,
        adoption_id=adoption.id,
        data={
            "stage": "direncanakan",
            "occurred_on": (local_today() - timedelta(days=9)).isoformat(),
        },
    )
    stored, _ = attach_evidence(
        db,
        actor=system,
        event_id=event.id,
        data=PDF,
        filename="rkp.pdf",
        root=tmp_root,
        max_bytes=10**6,
    )
    rule = set_rule(
        db,
        actor=system,
        kind="penyerahan",
        regency_code="36.04",
        days="10",
        legal_basis="Perbup uji",
    )
    target_list = create_target(db, actor=system, name="Sasaran matriks")
    add_village(db, actor=system, target_id=target_list.id, village_code=LONTAR)
    return {
        **register_rows,
        "target_id": target_list.id,
        "user_id": target.id,
        "draft_id": draft.id,
        "comment_id": comment.id,
        "adoption_id": adoption.id,
        "event_id": event.id,
        "file_id": stored.id,
        "rule_id": rule.id,
    }


def sample_register(db, tmp_root, keyring) -> dict[str, int | str]:
    """A person of Lontar with one row of each episode that has its own URL."""
    petugas = Principal(
        user_id=None, username="petugas.matrix", full_name="", role=Role.PETUGAS,
        scope=Scope.of(LONTAR),
    )  # fmt: skip
    keyring = keyring or crypto.Keyring.parse(f"m1:{crypto.generate_key()}", crypto.generate_key())
    person = make_person(db, actor=petugas, village_code=LONTAR, keyring=keyring)
    pid = person.public_id
    when = (local_today() - timedelta(days=5)).isoformat()
    episodes.record_consultation(
        db, actor=petugas, public_id=pid,
        data={"held_on": when, "channel": "p3mi", "information": "Prosedur"},
    )  # fmt: skip
    stored, _ = store_upload(
        db, root=tmp_root, data=PDF + b"%register", filename="x.pdf", uploaded_by_id=None,
        max_bytes=10**6,
    )  # fmt: skip
    doc = episodes.set_document(
        db, actor=petugas, public_id=pid, stored_file_id=stored.id,
        data={"kind": "paspor", "status": "ada", "checked_on": when},
    )  # fmt: skip
    letter = episodes.issue_letter(
        db, actor=petugas, public_id=pid,
        data={"issued_on": when, "granted_by_name": "Rahmat", "granted_by_relation": "suami"},
    )  # fmt: skip
    case = episodes.open_case(
        db, actor=petugas, public_id=pid, data={"opened_on": when, "summary": "Aduan uji"}
    )
    request = rights.record_request(
        db, actor=petugas, public_id=pid, data={"kind": "akses", "received_on": when}
    )
    breach = rights.record_breach(
        db, actor=petugas, village_code=LONTAR,
        data={"discovered_at": f"{when}T08:00", "description": "Uji insiden"},
    )  # fmt: skip
    return {
        "person_pid": pid,
        "doc_id": doc.id,
        "letter_id": letter.id,
        "case_id": case.id,
        "request_id": request.id,
        "breach_id": breach.id,
    }


ROUTES = [r for m in ROUTE_MODULES for r in m.router.routes if isinstance(r, APIRoute)]


def rule_of(route: APIRoute) -> str | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        action = getattr(dep.call, "action", None)
        if action is not None:
            return str(action)
        stack.extend(dep.dependencies)
    return None


def route_cases():
    for route in ROUTES:
        for method in sorted(route.methods - {"HEAD"}):
            yield pytest.param(route, method, id=f"{method} {route.path}")


# Every route anyone may use without signing in: signing in and its recovery, health, the API
# documents, and the public listing of published legal products (pages, scans, JDIHN feed).
# A route added here is published to the world: add it on purpose.
DECLARED_PUBLIC = {
    "home", "login", "login_form", "logout", "logout_form", "email_verify", "email_verify_form",
    "invitation_accept", "invitation_form", "password_forgot", "password_forgot_form",
    "password_reset", "password_reset_form", "unsubscribe", "unsubscribe_form",
    "healthz", "api_docs", "api_openapi", "favicon",
    "public_village", "public_regency", "public_product", "public_product_scan",
    "api_public_jdihn",
}  # fmt: skip


def test_public_routes_are_exactly_the_declared_ones():
    assert {r.name for r in ROUTES if rule_of(r) == PUBLIC} == DECLARED_PUBLIC


def test_every_route_declares_a_rule():
    missing = [r.path for r in ROUTES if rule_of(r) is None]
    assert not missing, f"routes without a permission rule: {missing}"
    names = [r.name for r in ROUTES]
    assert all(names) and len(names) == len(set(names)), "every route has a unique name"


def _url(route: APIRoute, rows: dict[str, int | str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        assert name in PATH_SAMPLES, f"add a sample for path parameter {name!r}"
        return PATH_SAMPLES[name].format(**rows)

    return re.sub(r"{([^}]+)}", fill, route.path)


@pytest.fixture(scope="module")
def matrix_settings(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Settings:
    root = tmp_path_factory.mktemp("matrix")
    return Settings(
        instance_path=root / "instance",
        database_url=database_url,
        secret_key="test-secret-key",
        upload_path=root / "uploads",
    )


@pytest.fixture()
def settings(matrix_settings: Settings) -> Settings:
    """The module's settings: the sample rows' files and register keys are made once."""
    return matrix_settings


@dataclass
class World:
    connection: Connection
    rows: dict[str, int | str]
    sessions: dict[Role, str]


@pytest.fixture(scope="module")
def world(engine: Engine, matrix_settings: Settings) -> Iterator[World]:
    """The sample rows and a signed-in user of each role, made once for the module's ~180
    routes in a transaction rolled back at its end. Each test runs in a savepoint of it
    (``connection`` below), so whatever a request writes is gone before the next route."""
    with engine.connect() as conn:
        outer = conn.begin()
        db = Session(bind=conn, join_transaction_mode="rollback_only", expire_on_commit=False)
        load_sample_regions(db)
        keyring = crypto.keyring_from_settings(matrix_settings)
        rows = sample_rows(db, matrix_settings.effective_upload_path, keyring)
        sessions = {}
        for role in Role:
            user = make_user(db, role, username=f"matrix.{role.value}")
            started = accounts.start_session(db, user=user, client_addr="t", user_agent="t", days=1)
            sessions[role] = started.token
        db.flush()
        db.close()
        yield World(conn, rows, sessions)
        outer.rollback()


@pytest.fixture()
def connection(world: World) -> Iterator[Connection]:
    savepoint = world.connection.begin_nested()
    yield world.connection
    if savepoint.is_active:
        savepoint.rollback()


@pytest.mark.parametrize(("route", "method"), list(route_cases()))
def test_route_allows_exactly_the_roles_in_the_permission_table(
    client, world: World, route, method
):
    rule = rule_of(route)
    url = _url(route, world.rows)
    for role in [None, *Role]:
        client.raw.cookies.clear()
        if role is not None:
            client.raw.cookies.set(SESSION_COOKIE, world.sessions[role], domain="testserver.local")
        if method == "GET":
            response = client.get(url)
        else:
            data = {"csrf_token": client.token()}
            response = client.raw.request(method, url, data=data)
        allowed = rule == PUBLIC or (role is not None and can(role, rule))
        label = f"{method} {url} as {role or 'anonymous'} (rule {rule})"
        if allowed:
            assert response.status_code not in (401, 403), label
            assert not response.headers.get("location", "").startswith("/masuk?"), label
            assert response.status_code < 500, label
        elif role is None and url.startswith("/api/"):
            assert response.status_code == 401, label  # the API never redirects to a login page
        elif role is None:
            assert response.status_code == 303, label
            assert response.headers["location"].startswith("/masuk?next="), label
        else:
            assert response.status_code == 403, label
