"""The village page reads each thing once: the village and its ancestors one time for the whole
page (checklist and tracker included), and a fixed number of statements however many checklist
items are answered, with evidence and history (no query per item); the tracker reads the
village's products with their events and evidence in one statement, and the rest only when
the page shows it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection

from perdes.accounts.principal import Principal
from perdes.accounts.services import principal_for
from perdes.checklist import services
from perdes.checklist.loading import load_bundled
from perdes.tracking import evidence, links
from perdes.tracking import services as tracking
from perdes.tracking.stages import Stage
from tests.factories import LONTAR, make_user
from tests.factories import SUSUKAN as PARTNER
from tests.tracking.helpers import walk

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SLUG = "desa-pmi-prosedural"
ITEMS = [
    "satgas-komunitas-pmi",
    "pendataan-pmi",
    "layanan-informasi-migrasi",
    "pengasuhan-anak-pmi",
]


@contextmanager
def statements(connection: Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(connection, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", before)


def page_statements(client, connection) -> list[str]:  # type: ignore[no-untyped-def]
    client.get(f"/desa/{LONTAR}")  # warm: the principal cache, the session touch
    with statements(connection) as seen:
        assert client.get(f"/desa/{LONTAR}").status_code == 200
    return seen


@pytest.fixture()
def framework(db, regions):  # type: ignore[no-untyped-def]
    return load_bundled(db, actor=Principal.system())[-1].row


def test_the_village_is_looked_up_once_per_page(client, db, framework, connection):
    client.login(make_user(db, "operator").username)
    seen = page_statements(client, connection)
    by_code = [s for s in seen if re.search(r"FROM region\b.* WHERE region\.code = ", s)]
    assert len(by_code) == 1, by_code
    profile = [s for s in seen if "village_profile" in s]
    assert len(profile) == 1, profile


def test_answered_items_add_no_statement_per_item(client, db, framework, settings, connection):
    user = make_user(db, "operator")
    actor = principal_for(user)
    client.login(user.username)

    def answer(item: str) -> None:
        common = dict(village_code=LONTAR, framework_slug=SLUG, item_key=item)
        services.answer_item(db, actor=actor, status="dalam_proses", note=item, **common)
        services.add_evidence(
            db,
            actor=actor,
            data=PDF,
            filename=f"{item}.pdf",
            root=settings.effective_upload_path,
            max_bytes=settings.max_upload_bytes,
            **common,
        )
        db.commit()

    answer(ITEMS[0])
    one = page_statements(client, connection)
    for item in ITEMS[1:]:
        answer(item)
    many = page_statements(client, connection)
    assert len(many) == len(one), set(many) ^ set(one)


PAGE_STATEMENTS = 4  # with one adoption, the checklist framework loaded, signed in


def reads(seen: list[str]) -> list[str]:
    """The statements but the test's own savepoints around the request's transaction."""
    return [s for s in seen if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_the_tracker_reads_its_products_in_one_statement_and_the_rest_only_when_shown(
    client, db, framework, settings, connection
):
    """The products, their events and the events' files come in one statement; the deadline
    rules (one statement) only when a deadline is shown, the drafts' revisions only when the
    "disepakati" step is offered, partners only for a Peraturan Bersama, links only for
    linked products."""
    user = make_user(db, "operator")
    actor = principal_for(user)
    client.login(user.username)
    adoption = tracking.start_adoption(db, actor=actor, village_code=LONTAR)
    walk(db, actor, adoption, Stage.PENYUSUNAN)  # no deadline runs yet
    db.commit()
    seen = page_statements(client, connection)
    for n, step in enumerate(adoption.events):  # evidence on every step: no statement more
        evidence.attach_evidence(
            db,
            actor=actor,
            event_id=step.id,
            data=PDF + str(n).encode(),
            filename=f"bukti {n}.pdf",
            root=settings.effective_upload_path,
            max_bytes=settings.max_upload_bytes,
        )
    db.commit()
    assert len(reads(page_statements(client, connection))) == len(reads(seen))
    page = client.get(f"/desa/{LONTAR}").text
    assert all(f"bukti {n}.pdf" in page for n in range(len(adoption.events)))
    tracker = [s for s in seen if "FROM adoption" in s]
    assert len(tracker) == 1 and "adoption_event_file" in tracker[0], tracker
    assert not [s for s in seen if "deadline_rule" in s or "workday_rule" in s]
    assert not [s for s in seen if "FROM draft_revision" in s]
    assert not [s for s in seen if "FROM legal_product_party" in s]
    assert len(reads(seen)) == PAGE_STATEMENTS, reads(seen)
    walk(db, actor, adoption, Stage.PEMBAHASAN)  # "disepakati" comes next
    db.commit()
    seen = page_statements(client, connection)
    assert len([s for s in seen if "FROM draft_revision" in s]) == 1, seen
    assert len(reads(seen)) == PAGE_STATEMENTS + 1, reads(seen)
    walk(db, actor, adoption, Stage.DISEPAKATI)  # the hand-over deadline runs
    db.commit()
    seen = page_statements(client, connection)
    assert "paling lambat" in client.get(f"/desa/{LONTAR}").text
    rules = [s for s in seen if "deadline_rule" in s or "workday_rule" in s]
    assert len(rules) == 1 and "workday_rule" in rules[0] and "deadline_rule" in rules[0], rules
    assert len(reads(seen)) == PAGE_STATEMENTS + 1, reads(seen)
    tracking.start_adoption(
        db,
        actor=actor,
        village_code=LONTAR,
        kind="peraturan_bersama",
        title="Kerja sama",
        partner_codes=PARTNER,
    )
    first = tracking.start_adoption(db, actor=actor, village_code=LONTAR, kind="kepdes", title="A")
    second = tracking.start_adoption(db, actor=actor, village_code=LONTAR, kind="kepdes", title="B")
    db.commit()
    seen = page_statements(client, connection)
    assert len([s for s in seen if "FROM legal_product_party" in s]) == 1, seen
    assert not [s for s in seen if "FROM legal_product_link" in s.split("EXISTS")[0]]
    assert len(reads(seen)) == PAGE_STATEMENTS + 2, reads(seen)
    links.add_link(
        db,
        actor=actor,
        village_code=LONTAR,
        source_id=second.id,
        data={"kind": "mengubah", "target_id": str(first.id)},
    )
    db.commit()
    seen = page_statements(client, connection)
    assert len(reads(seen)) == PAGE_STATEMENTS + 3, reads(seen)
    page = client.get(f"/desa/{LONTAR}").text
    assert f"Bersama desa: {PARTNER}" in page and "Diubah dengan" in page
