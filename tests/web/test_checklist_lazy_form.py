"""The village page carries no checklist answer form: each item's form is fetched when opened.

The fragment route ``checklist_item_form`` has the same role gate and region scope as the
forms it serves, writes nothing, and the form it returns keeps the version guard (409)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from tests.factories import LONTAR, PONTANG, make_user
from tests.web.test_read_requests import counting_writes

SLUG = "desa-pmi-prosedural"
ITEM = "satgas-komunitas-pmi"
BASE = f"/desa/{LONTAR}/ceklis/{SLUG}/{ITEM}"
FORM = BASE + "/formulir"


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture()
def framework(db, regions):  # type: ignore[no-untyped-def]
    return load_bundled(db, actor=Principal.system())[-1].row


def lazy_url(client, item=ITEM):  # type: ignore[no-untyped-def]
    """The address the village page's item fetches its form from (what htmx would GET)."""
    page = soup(client.get(f"/desa/{LONTAR}"))
    details = page.select_one(f"#butir-{item} details.ck-edit")
    assert details is not None and not details.select("form")
    return details["hx-get"]


@pytest.mark.parametrize(
    ("role", "scopes", "expected"),
    [
        ("admin", (), "answer"),
        ("admin_daerah", ("36.04",), 403),
        ("petugas", (LONTAR,), 403),
        ("operator", (LONTAR,), "answer"),
        ("pendamping", (LONTAR,), "note"),
        ("pemantau", ("36.04",), 403),
        ("operator", (PONTANG,), 404),  # another village's operator
        ("pendamping", (PONTANG,), 404),
    ],
)
def test_the_form_fragment_has_the_gate_and_scope_of_the_forms(
    client, db, framework, role, scopes, expected
):
    client.login(make_user(db, role, scopes).username)
    response = client.get(FORM, htmx=True)
    if isinstance(expected, int):
        assert response.status_code == expected
        assert "csrf_token" not in response.text
        return
    assert response.status_code == 200 and "<html" not in response.text
    form = soup(response).select_one("form.ck-form")
    assert form["action"].endswith("/jawaban" if expected == "answer" else "/catatan")
    assert form.select_one("input[name=csrf_token]") and form.select_one("input[name=version]")
    assert bool(form.select_one("select[name=status]")) is (expected == "answer")
    assert form.select_one("input[type=file]")


def test_anonymous_is_sent_to_sign_in(client, db, framework):
    response = client.get(FORM, htmx=True)
    assert response.status_code in (303, 401)
    assert "csrf_token" not in response.text


def test_unknown_items_frameworks_and_bad_versions(client, db, framework):
    client.login(make_user(db, "operator").username)
    assert (
        client.get(f"/desa/{LONTAR}/ceklis/{SLUG}/tidak-ada/formulir", htmx=True).status_code == 404
    )
    assert client.get(f"/desa/{LONTAR}/ceklis/lain/{ITEM}/formulir", htmx=True).status_code == 404
    for bad in ("abc", "-1", "²", "99999999999999999999"):
        assert client.get(FORM, params={"versi": bad}, htmx=True).status_code == 422


def test_without_javascript_the_link_leads_to_the_item_page_with_the_form(client, db, framework):
    client.login(make_user(db, "operator").username)
    page = soup(client.get(f"/desa/{LONTAR}"))
    link = page.select_one(f"#butir-{ITEM} details.ck-edit .ck-edit-body a")["href"]
    item_page = soup(client.get(link))
    assert item_page.select_one("html") and item_page.select_one(
        f"#butir-{ITEM} form[action$='/jawaban'] select[name=status]"
    )
    # the fragment's own address, opened as a page, leads there too
    response = client.get(FORM)
    assert response.status_code == 303 and response.headers["location"].endswith(BASE)


def test_opening_a_form_does_not_write(client, db, framework, connection):
    client.login(make_user(db, "operator").username)
    url = lazy_url(client)
    with counting_writes(connection) as writes:
        assert client.get(url, htmx=True).status_code == 200
    assert not writes


def test_a_form_opened_lazily_keeps_the_version_guard(client, db, framework):
    """Two operators open the same item's form; the first saves; the second gets 409 with the
    input kept and nothing overwritten. A form opened after the change from the page shown
    before it says so, and its first save is 409 with the input kept too."""
    client.login(make_user(db, "operator").username)
    url = lazy_url(client)
    assert url.endswith("?versi=0")
    form = soup(client.get(url, htmx=True))
    assert not form.select_one("[data-testid=changed-since]")
    version = form.select_one("input[name=version]")["value"]
    first = {"status": "dalam_proses", "note": "Rapat pertama", "version": version}
    assert client.post(BASE + "/jawaban", first, htmx=True).status_code == 200

    stale = {"status": "terpenuhi", "note": "Catatan kedua", "version": version}
    response = client.post(BASE + "/jawaban", stale, htmx=True)
    assert response.status_code == 409
    widget = soup(response).select_one(f"article#butir-{ITEM}")
    assert "Rapat pertama" in widget.select_one("[data-testid=conflict]").text
    assert widget.select_one("textarea[name=note]").text == "Catatan kedua"

    # the page seen before the first save, its form opened after it: the form says so at once
    # and shows what is stored, but carries the version the page showed (the user decided on
    # that page), so the first save from it is 409 with the input kept, not an overwrite
    again = soup(client.get(url, htmx=True))
    assert "telah diubah" in again.select_one("[data-testid=changed-since]").text
    assert again.select_one("textarea[name=note]").text == "Rapat pertama"
    assert again.select_one("input[name=version]")["value"] == version
    late = {"status": "terpenuhi", "note": "Catatan ketiga", "version": version}
    response = client.post(BASE + "/jawaban", late, htmx=True)
    assert response.status_code == 409
    widget = soup(response).select_one(f"article#butir-{ITEM}")
    assert widget.select_one("textarea[name=note]").text == "Catatan ketiga"
    fresh = widget.select_one("form.ck-form input[name=version]")["value"]
    assert fresh != version
    assert lazy_url(client).endswith(f"?versi={fresh}")  # a fresh page: no notice, no 409
    assert not soup(client.get(lazy_url(client), htmx=True)).select("[data-testid=changed-since]")
    ok = {"status": "terpenuhi", "note": "Catatan ketiga", "version": fresh}
    assert client.post(BASE + "/jawaban", ok, htmx=True).status_code == 200


@pytest.mark.parametrize("role", ["admin", "admin_daerah", "pemantau", "operator", "pendamping"])
def test_every_reader_may_open_the_explanation_inside_the_scope(client, db, framework, role):
    client.login(make_user(db, role).username)
    page = soup(client.get(f"/desa/{LONTAR}"))
    details = page.select_one(f"#butir-{ITEM} details.ck-about")
    assert not details.select("[data-testid=sources]"), "loaded only when opened"
    response = client.get(details["hx-get"], htmx=True)
    assert response.status_code == 200 and "<html" not in response.text
    assert soup(response).select("[data-testid=sources] a[href^='https://']")
    # the item's page (the link without JavaScript) carries it whole
    item_page = soup(client.get(details.select_one(".ck-about-body a")["href"]))
    assert item_page.select_one(f"#butir-{ITEM} details.ck-about [data-testid=sources]")


def test_the_explanation_of_another_village_is_not_found(client, db, framework, connection):
    client.login(make_user(db, "operator", (LONTAR,)).username)
    other = f"/desa/{PONTANG}/ceklis/{SLUG}/{ITEM}/penjelasan"
    assert client.get(other, htmx=True).status_code == 404
    assert client.get(BASE + "/penjelasan").status_code == 303  # without htmx: the item page
    with counting_writes(connection) as writes:
        assert client.get(BASE + "/penjelasan", htmx=True).status_code == 200
    assert not writes


def _open_form(client, db, user):  # type: ignore[no-untyped-def]
    """Sign in as ``user``, open the item's form the way the village page does; its fields."""
    client.raw.cookies.clear()
    client.login(user.username)
    form = soup(client.get(lazy_url(client), htmx=True)).select_one("form.ck-form")
    return {"version": form.select_one("input[name=version]")["value"]}


@pytest.mark.parametrize("opened", ["before", "after"])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("save", ["first", "later"])
def test_two_people_open_the_form_and_both_save_one_wins_the_other_gets_409(
    client, db, framework, save, htmx, opened
):
    """Two operators of the village see the same item (the first answer, or a later change of
    one) and both save. The first save wins; the second gets 409 with the stored state shown
    and their own input kept in the form, which now carries the stored version: saving it
    again then succeeds (their decision, having seen the other's answer). The same when the
    second opened the form only after the first saved, from the page shown before."""
    first, second = (make_user(db, "operator", (LONTAR,)) for _ in range(2))
    if save == "later":
        client.login(first.username)
        version = soup(client.get(lazy_url(client), htmx=True)).select_one("[name=version]")
        start = {"status": "belum", "note": "Awal", "version": version["value"]}
        assert client.post(BASE + "/jawaban", start, htmx=True).status_code == 200
    seen_first = _open_form(client, db, first)
    if opened == "before":
        seen_second = _open_form(client, db, second)
        assert seen_first == seen_second
    else:  # the second's page is shown now, its form opened after the first's save
        client.raw.cookies.clear()
        client.login(second.username)
        page_url = lazy_url(client)
    assert (seen_first["version"] == "0") is (save == "first")

    client.raw.cookies.clear()
    client.login(first.username)
    won = client.post(
        BASE + "/jawaban", {**seen_first, "status": "dalam_proses", "note": "Rapat A"}, htmx=htmx
    )
    assert won.status_code == (200 if htmx else 303)

    client.raw.cookies.clear()
    client.login(second.username)
    if opened == "after":
        form = soup(client.get(page_url, htmx=True))
        assert "telah diubah" in form.select_one("[data-testid=changed-since]").text
        assert form.select_one("textarea[name=note]").text == "Rapat A"  # what is stored
        seen_second = {"version": form.select_one("input[name=version]")["value"]}
        assert seen_second == seen_first  # the version the page showed
    mine = {"status": "terpenuhi", "note": "Catatan B <b>tebal</b>"}
    lost = client.post(BASE + "/jawaban", {**seen_second, **mine}, htmx=htmx)
    assert lost.status_code == 409
    page = soup(lost)
    assert bool(page.select_one("html")) is not htmx  # a fragment for htmx, else the page
    widget = page.select_one(f"article#butir-{ITEM}")
    assert "Rapat A" in widget.select_one("[data-testid=conflict]").text
    assert widget.select_one("textarea[name=note]").text == mine["note"]
    assert widget.select_one("select[name=status] option[selected]")["value"] == "terpenuhi"
    assert widget["data-status"] == "dalam_proses"  # the stored state, not the loser's
    fresh = widget.select_one("form.ck-form input[name=version]")["value"]
    assert int(fresh) > int(seen_second["version"])

    # nothing of the loser's input was written
    client.raw.cookies.clear()
    client.login(first.username)
    stored = soup(client.get(BASE, htmx=True)).select_one(f"article#butir-{ITEM}")
    assert stored["data-status"] == "dalam_proses" and "Catatan B" not in stored.text

    # the loser saves again from the 409 form: now on the stored version, it succeeds
    client.raw.cookies.clear()
    client.login(second.username)
    again = client.post(BASE + "/jawaban", {**mine, "version": fresh}, htmx=htmx)
    assert again.status_code == (200 if htmx else 303)
