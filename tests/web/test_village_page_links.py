"""The village page builds its checklist items' links once per framework (the item id put into
a URL built with a marker) rather than a path_for per item: each link must still be the route's
own URL for that item, and each item must lead to a page that opens."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from tests.factories import LONTAR, make_user

SLUG = "desa-pmi-prosedural"


@pytest.fixture()
def framework(db, regions):  # type: ignore[no-untyped-def]
    return load_bundled(db, actor=Principal.system())[-1].row


def test_every_item_links_to_its_own_routes(client, app, db, framework) -> None:  # type: ignore[no-untyped-def]
    client.login(make_user(db, "operator").username)
    page = BeautifulSoup(client.get(f"/desa/{LONTAR}").text, "html.parser")
    items = page.select("article.ck-item")
    assert len(items) > 10
    for article in items:
        params = {"kode": LONTAR, "kerangka": SLUG, "butir": article["data-item"]}
        about = article.select_one("details.ck-about")
        edit = article.select_one("details.ck-edit")
        assert about is not None and edit is not None
        assert about["hx-get"] == app.url_path_for("checklist_item_about", **params)
        assert edit["hx-get"] == app.url_path_for("checklist_item_form", **params) + "?versi=0"
        item_page = app.url_path_for("checklist_item", **params)
        assert [a["href"] for a in article.select(".ck-about-body a, .ck-edit-body a")] == [
            item_page,
            item_page,
        ]
        assert "~" not in str(article)
    first = items[0]["data-item"]
    opened = client.get(app.url_path_for("checklist_item", kode=LONTAR, kerangka=SLUG, butir=first))
    assert opened.status_code == 200 and f'id="butir-{first}"' in opened.text
