"""The live preview's transfer: the new-draft page loads its first preview once and the browser
keeps it (ETag, 304 without a body); each refresh sends only the parts that changed, and
applying them to what the browser shows gives exactly the full preview."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from perdes.accounts.principal import Principal
from perdes.drafting import preview_delta
from perdes.profiles import services as profiles
from tests.factories import KELURAHAN, LONTAR
from tests.web.test_drafts_routes import (  # noqa: F401  (fixture)
    PROFILE,
    form_of,
    lontar_profile,
)

with_profile = pytest.mark.usefixtures("lontar_profile")

PREVIEW = f"/desa/{LONTAR}/rancangan/pratinjau"
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def inner(response) -> str:
    """The fragment the browser swaps into #preview."""
    return response.text


def refresh(client, data, shown: str):
    response = client.post(PREVIEW, {**data, "pratinjau_punya": shown}, htmx=True)
    assert response.status_code == 200, response.text[:500]
    return response


@with_profile
def test_first_preview_is_loaded_once_and_then_revalidated_without_a_body(client, db):
    client.login_as(db, "operator")
    page = client.get(f"/desa/{LONTAR}/rancangan/baru")
    loader = BeautifulSoup(page.text, "html.parser").select_one("#preview [hx-get]")
    assert loader["hx-trigger"] == "load" and loader["hx-get"].startswith(PREVIEW)
    assert "AHMAD SOBARI" not in page.text  # the preview is not inlined in the page as well
    first = client.get(loader["hx-get"], htmx=True, headers=BROWSER)
    assert first.status_code == 200 and "AHMAD SOBARI" in first.text
    assert first.headers["content-encoding"] == "br"
    assert first.headers["cache-control"] == "private, no-cache"
    etag = first.headers["etag"]
    again = client.get(loader["hx-get"], htmx=True, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # the profile changes: the same URL answers with the new preview and a new ETag
    profiles.update_profile(
        db,
        actor=Principal.system(),
        code=LONTAR,
        data={**PROFILE, "kepala_desa_name": "Budi Santoso"},
    )
    db.commit()
    changed = client.get(loader["hx-get"], htmx=True, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "BUDI SANTOSO" in changed.text
    assert changed.headers["etag"] != etag


def test_first_preview_says_what_is_missing_and_is_refused_where_no_perdes_is_made(
    client, db, regions
):
    client.login_as(db, "operator")
    missing = client.get(PREVIEW, htmx=True)  # no profile: the officials' names are missing
    assert missing.status_code == 200 and "Lengkapi isian berikut" in missing.text
    assert client.get(PREVIEW + "?template=tidak-ada", htmx=True).status_code == 404
    assert client.get(PREVIEW + "?template=" + "x" * 61, htmx=True).status_code == 422
    client.raw.cookies.clear()
    client.login_as(db, "admin")
    assert client.get(f"/desa/{KELURAHAN}/rancangan/pratinjau", htmx=True).status_code == 204
    client.raw.cookies.clear()
    client.login_as(db, "operator", ("36.04.12.2001",))  # another village's operator
    assert client.get(PREVIEW, htmx=True).status_code == 404
    client.raw.cookies.clear()
    client.login_as(db, "pemantau")  # reads drafts, does not write them
    assert client.get(PREVIEW, htmx=True).status_code == 403


# Several option changes one after another: a Bagian level removed, Pasal removed (the later
# ones renumbered, cross-references shifted), the institution renamed, a name typed.
CHANGES = [
    {"o_bagian": None},
    {"o_pengasuhan_anak": None},
    {"o_lembaga": "komunitas"},
    {"o_berbagi_data": None, "o_literasi_keuangan": None},
    {"v_nama_kepala_desa": "Budi Santoso"},
    {"o_pengasuhan_anak": "on", "o_bagian": "on"},
    {"o_ketentuan_peralihan": "on"},
]


@with_profile
def test_each_refresh_sends_what_changed_and_applied_equals_the_full_preview(client, db):
    client.login_as(db, "operator")
    data = form_of(client.get(f"/desa/{LONTAR}/rancangan/baru").text)
    shown = inner(client.post(PREVIEW, data, htmx=True))
    assert "<template" not in shown
    for change in CHANGES:
        for key, value in change.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        fingerprints = ",".join(preview_delta.fingerprints(shown))
        answer = refresh(client, data, fingerprints)
        full = client.post(PREVIEW, data, htmx=True)
        assert "data-keep" in answer.text and "data-keep" not in full.text
        assert len(answer.text) < len(full.text) * 0.75, change
        after = preview_delta.apply(shown, answer.text)
        assert preview_delta.canonical(after) == preview_delta.canonical(full.text), change
        shown = after


@with_profile
def test_a_pasal_removed_does_not_resend_the_later_pasal_unchanged_ayat(client, db):
    """Every later Pasal is renumbered, but the text of its ayat is not: the browser keeps
    them (the preview gives an ayat no id that would carry the Pasal's number)."""
    client.login_as(db, "operator")
    data = form_of(client.get(f"/desa/{LONTAR}/rancangan/baru").text)
    shown = inner(client.post(PREVIEW, data, htmx=True))
    data.pop("o_pengasuhan_anak")
    answer = refresh(client, data, ",".join(preview_delta.fingerprints(shown)))
    full = client.post(PREVIEW, data, htmx=True).text
    assert full.count('class="pasal"') == shown.count('class="pasal"') - 1
    assert full.count('<ol class="ayat">') > 30 and answer.text.count('<ol class="ayat">') <= 2
    after = preview_delta.apply(shown, answer.text)
    assert preview_delta.canonical(after) == preview_delta.canonical(full)


@pytest.mark.parametrize(
    "shown",
    ["", "bukan-sidik-jari", ",".join(["0" * 16] * 6000), "<script>,ffff", "\x00\x01"],
)
@with_profile
def test_a_bogus_or_oversized_fingerprint_list_just_gets_the_whole_preview(client, db, shown):
    client.login_as(db, "operator")
    data = form_of(client.get(f"/desa/{LONTAR}/rancangan/baru").text)
    full = client.post(PREVIEW, data, htmx=True)
    answer = refresh(client, data, shown)
    assert "data-keep" not in answer.text
    assert preview_delta.canonical(answer.text) == preview_delta.canonical(full.text)


@with_profile
def test_an_invalid_form_still_answers_422_with_the_problems(client, db):
    client.login_as(db, "operator")
    data = form_of(client.get(f"/desa/{LONTAR}/rancangan/baru").text)
    shown = client.post(PREVIEW, data, htmx=True).text
    bad = client.post(
        PREVIEW,
        {**data, "v_tahun": "abad", "pratinjau_punya": ",".join(preview_delta.fingerprints(shown))},
        htmx=True,
    )
    assert bad.status_code == 422 and "tahun" in bad.text and "data-keep" not in bad.text


@with_profile
def test_the_workspace_loads_its_preview_once_for_every_reader_of_the_draft(client, db):
    client.login_as(db, "operator")
    page = client.get(f"/desa/{LONTAR}/rancangan/baru")
    saved = client.post(f"/desa/{LONTAR}/rancangan", form_of(page.text))
    workspace_url = saved.headers["location"].split("?")[0]
    workspace = client.get(workspace_url)
    loader = BeautifulSoup(workspace.text, "html.parser").select_one("#preview [hx-get]")
    assert loader["hx-trigger"] == "load" and "AHMAD SOBARI" not in workspace.text
    first = client.get(loader["hx-get"], htmx=True, headers=BROWSER)
    assert first.status_code == 200 and "AHMAD SOBARI" in first.text
    assert first.headers["content-encoding"] == "br"
    again = client.get(
        loader["hx-get"], htmx=True, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    # a new revision changes the preview: the same URL answers with it
    data = {**form_of(workspace.text), "v_nama_balai": "BP3MI Banten", "message": "balai"}
    assert client.post(f"{workspace_url}/revisi", data).status_code == 303
    changed = client.get(
        loader["hx-get"], htmx=True, headers={"If-None-Match": first.headers["etag"]}
    )
    assert changed.status_code == 200 and "BP3MI Banten" in changed.text
    client.raw.cookies.clear()
    client.login_as(db, "pemantau")  # reads drafts
    assert client.get(loader["hx-get"], htmx=True).status_code == 200
    client.raw.cookies.clear()
    client.login_as(db, "operator", ("36.04.12.2001",))  # another village's operator
    assert client.get(loader["hx-get"], htmx=True).status_code == 404
