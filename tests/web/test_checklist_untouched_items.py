"""The village page renders an untouched checklist item once per framework version, item and
reader's rights, and reuses that HTML with the village's code put in (templating.checklist_items).
What a reader sees must be exactly what rendering each item afresh shows: the right village in
every link, the reader's own rights, and an item's own state as soon as someone touches it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from perdes.accounts.principal import Principal
from perdes.accounts.services import principal_for
from perdes.checklist import services
from perdes.checklist.loading import load_bundled
from perdes.web.app import create_app
from tests.factories import LONTAR, SUSUKAN, WebClient, make_user

SLUG = "desa-pmi-prosedural"


@pytest.fixture()
def framework(db, regions):  # type: ignore[no-untyped-def]
    return load_bundled(db, actor=Principal.system())[-1].row


def articles(html: str) -> dict[str, str]:
    """Each checklist item's article by item id, the CSRF token masked."""
    html = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value="-"', html)
    found = re.findall(r'(<article id="butir-([^"]+)" class="ck-item".*?</article>)', html, re.S)
    return {key: text for text, key in found}


def fresh_render(settings, session_factory, username: str, path: str) -> str:  # type: ignore[no-untyped-def]
    """The page from an app in debug mode, which renders every item afresh."""
    app = create_app(settings.model_copy(update={"debug": True}))
    app.state.engine.dispose()
    app.state.session_factory = session_factory
    with TestClient(app, follow_redirects=False) as raw:
        client = WebClient(raw, secret_key="test-secret-key")
        client.login(username)
        response = client.get(path)
        assert response.status_code == 200
        return response.text


def test_reused_items_match_a_fresh_render_in_another_village(
    client, db, framework, settings, session_factory
):
    pendamping = make_user(db, "pendamping")  # works in both villages
    db.commit()
    client.login(pendamping.username)
    assert client.get(f"/desa/{LONTAR}").status_code == 200  # renders the untouched items
    reused = articles(client.get(f"/desa/{SUSUKAN}").text)
    fresh = articles(
        fresh_render(settings, session_factory, pendamping.username, f"/desa/{SUSUKAN}")
    )
    assert len(reused) >= 20 and reused == fresh
    every = "".join(reused.values())
    assert f"/desa/{SUSUKAN}/" in every and LONTAR not in every and "\x1f" not in every


def test_each_reader_sees_their_own_rights(client, db, framework):
    operator = make_user(db, "operator")
    pemantau = make_user(db, "pemantau", (LONTAR[:5],))
    db.commit()
    client.login(operator.username)
    as_operator = client.get(f"/desa/{LONTAR}").text
    assert "Isi jawaban, catatan dan bukti" in as_operator
    client.login(pemantau.username)
    as_pemantau = client.get(f"/desa/{LONTAR}").text
    assert articles(as_pemantau) and "Isi jawaban, catatan dan bukti" not in as_pemantau
    assert "ck-edit" not in "".join(articles(as_pemantau).values())


def test_a_touched_item_shows_its_own_state(client, db, framework):
    operator = make_user(db, "operator")
    db.commit()
    client.login(operator.username)
    before = articles(client.get(f"/desa/{LONTAR}").text)
    assert 'data-status="belum"' in before["pendataan-pmi"]
    services.answer_item(
        db,
        actor=principal_for(operator),
        village_code=LONTAR,
        framework_slug=SLUG,
        item_key="pendataan-pmi",
        status="dalam_proses",
        note="Pendataan berjalan di dusun 2",
    )
    db.commit()
    after = articles(client.get(f"/desa/{LONTAR}").text)
    assert 'data-status="dalam_proses"' in after["pendataan-pmi"]
    assert "Pendataan berjalan di dusun 2" in after["pendataan-pmi"]
    assert {k: v for k, v in after.items() if k != "pendataan-pmi"} == {
        k: v for k, v in before.items() if k != "pendataan-pmi"
    }
