"""Compression of text responses and content-hashed static files cached for a year."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from babel.dates import format_date, format_datetime
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from perdes.accounts.principal import Principal
from perdes.config import PROJECT_ROOT
from perdes.profiles import services as profiles
from perdes.web import assets
from perdes.web.assets import IMMUTABLE, minified
from perdes.web.templating import TIMEZONE, tanggal, waktu
from tests.factories import LONTAR
from tests.web.test_drafts_routes import PROFILE

GZIP = {"Accept-Encoding": "gzip"}


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_are_gzipped_and_downloads_of_compressed_formats_are_not(client, db, regions):
    client.login_as(db, "pemantau")
    page = client.get("/pemantauan/desa?wilayah=36.04", headers=GZIP)
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    assert "text/html" in page.headers["content-type"] and "Lontar" in page.text
    assert int(page.headers["content-length"]) < len(page.content) / 3  # sent compressed
    csv = client.get("/pemantauan/desa.csv?wilayah=36.04", headers=GZIP)
    assert csv.headers.get("content-encoding") == "gzip" and "Lontar" in csv.text
    xlsx = client.get("/pemantauan/desa.xlsx?wilayah=36.04", headers=GZIP)
    assert xlsx.status_code == 200 and "content-encoding" not in xlsx.headers
    assert xlsx.content[:2] == b"PK"
    plain = client.get("/pemantauan/desa?wilayah=36.04", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == page.text


def test_static_urls_carry_a_content_hash_and_are_cached_for_a_year(client, db, regions):
    client.login_as(db, "operator")
    html = client.get("/desa").text
    urls = static_urls(html)
    assert {u.rsplit("/", 1)[-1].split(".")[0] for u in urls} >= {"app", "favicon"}
    for url in urls:
        assert re.search(r"\.[0-9a-f]{10}\.(css|js|svg)$", url), url
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE
        plain = re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", url)
        path = plain.removeprefix("/static/")
        original = (PROJECT_ROOT / "static" / path).read_bytes()
        assert response.content == minified(path, original)
    css = next(u for u in urls if u.endswith(".css"))
    assert client.get(css, headers=GZIP).headers["content-encoding"] == "gzip"


def linked(html: str) -> set[str]:
    """``app.css``, ``drafting.js``… for each static file a page links."""
    names = (url.rsplit("/", 1)[-1] for url in static_urls(html))
    return {re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", name) for name in names}


def test_each_page_links_only_the_static_files_it_needs(client, db, regions):
    """The drafting stylesheet and script are not loaded by the village page, which loads the
    stylesheet of the other pages (checklist, tracker, monitoring…); the drafting pages load
    theirs and not that one. Every link resolves."""
    profiles.update_profile(db, actor=Principal.system(), code=LONTAR, data=PROFILE)
    client.login_as(db, "operator")
    common = {"app.css", "app.js", "htmx-2.0.11.min.js", "favicon.svg"}
    village = client.get(f"/desa/{LONTAR}")
    assert linked(village.text) == common | {"pages.css"}
    new = client.get(f"/desa/{LONTAR}/rancangan/baru")
    assert new.status_code == 200 and linked(new.text) == common | {"drafting.css", "drafting.js"}
    script = BeautifulSoup(new.text, "html.parser").select_one("link[data-page-script]")
    assert script is not None and script["rel"] == ["preload"] and script["as"] == "script"
    for url in static_urls(village.text) + static_urls(new.text):
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200 and response.headers["cache-control"] == IMMUTABLE


def test_plain_and_outdated_static_names_still_answer_but_are_revalidated(client):
    for url in ("/static/css/app.css", "/static/css/app.0123456789.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "no-cache"
    assert client.get("/static/css/tidak-ada.0123456789.css").status_code == 404
    assert client.get("/static/../perdes/config.py").status_code == 404


def test_a_changed_file_gets_a_new_url(app, tmp_path):
    from perdes.web.assets import FingerprintedStaticFiles

    (tmp_path / "a.css").write_text("body{}")
    static = FingerprintedStaticFiles(directory=tmp_path)
    first = static.url("a.css")
    (tmp_path / "a.css").write_text("body{color:red}")
    second = static.url("a.css")
    assert first != second and second.startswith("/static/a.") and second.endswith(".css")
    assert static.url("tidak-ada.css") == "/static/tidak-ada.css"


def test_in_production_a_files_url_is_computed_once(tmp_path):
    from perdes.web.assets import FingerprintedStaticFiles

    (tmp_path / "a.css").write_text("body{}")
    static = FingerprintedStaticFiles(directory=tmp_path, watch=False)
    first = static.url("a.css")
    (tmp_path / "a.css").write_text("body{color:red}")  # a release restarts the app
    assert static.url("a.css") == first


moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(moment=moments, naive=st.booleans())
def test_date_filters_match_babels_indonesian_patterns(moment, naive):
    value = moment.replace(tzinfo=None) if naive else moment
    assert waktu(value) == format_datetime(value, "d MMMM y HH.mm", tzinfo=TIMEZONE, locale="id")
    assert tanggal(value) == format_datetime(value, "d MMMM y", tzinfo=TIMEZONE, locale="id")
    day = moment.date() + timedelta(days=moment.second)
    assert tanggal(day) == format_date(day, "d MMMM y", locale="id")
    assert tanggal(None) == waktu(None) == ""
    assert tanggal(date(2026, 5, 1)) == "1 Mei 2026"


BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def test_browsers_get_brotli_pages_and_older_clients_gzip(client, db, regions):
    client.login_as(db, "pemantau")
    url = "/pemantauan/desa?wilayah=36.04"
    br = client.get(url, headers=BROWSER)
    assert br.status_code == 200 and br.headers["content-encoding"] == "br"
    assert "accept-encoding" in br.headers["vary"].lower()
    gz = client.get(url, headers=GZIP)
    assert gz.headers["content-encoding"] == "gzip"
    assert br.text == gz.text and "Lontar" in br.text
    assert int(br.headers["content-length"]) < int(gz.headers["content-length"])
    refused = client.get(url, headers={"Accept-Encoding": "br;q=0, gzip"})
    assert refused.headers["content-encoding"] == "gzip"
    stream_like = client.get("/pemantauan/desa.xlsx?wilayah=36.04", headers=BROWSER)
    assert "content-encoding" not in stream_like.headers


def test_static_text_files_are_sent_precompressed_in_the_best_coding_the_client_takes(client):
    html = client.get("/masuk").text
    urls = [u for u in static_urls(html) if u.endswith((".css", ".js"))]
    assert any("htmx" in u for u in urls)
    for url in urls:
        plain = re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", url)
        original = (PROJECT_ROOT / plain.removeprefix("/")).read_bytes()
        sizes = {}
        for header, coding in (
            (BROWSER, "br"),
            (GZIP, "gzip"),
            ({"Accept-Encoding": "identity"}, None),
        ):
            response = client.get(url, headers=header)
            assert response.status_code == 200, url
            assert response.headers.get("content-encoding") == coding, (url, header)
            assert response.headers["cache-control"] == IMMUTABLE
            # decoded by the client: our own CSS/JS minified, htmx as shipped
            expected = original if coding is None else minified(plain, original)
            assert response.content == expected
            sizes[coding] = response.num_bytes_downloaded
        assert sizes["br"] < sizes["gzip"] < sizes[None], (url, sizes)
        first = client.get(url, headers=BROWSER)
        again = client.get(url, headers={**BROWSER, "If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and not again.content
        # a gzip-only client never gets the Brotli variant's validator answered with 304
        gz = client.get(url, headers={**GZIP, "If-None-Match": first.headers["etag"]})
        assert gz.status_code == 200 and gz.headers["content-encoding"] == "gzip"


def test_a_precompressed_file_keeps_its_charset_and_its_validator_on_a_dated_304(client):
    url = "/static/css/app.css"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    brotli_answer = client.get(url, headers=BROWSER)
    assert brotli_answer.headers["content-encoding"] == "br"
    assert brotli_answer.headers["content-type"] == plain.headers["content-type"]
    assert "charset=utf-8" in brotli_answer.headers["content-type"]
    # A browser that revalidates by date only must get the variant's tag back, as it cached it.
    dated = client.get(
        url, headers={**BROWSER, "If-Modified-Since": brotli_answer.headers["last-modified"]}
    )
    assert dated.status_code == 304
    assert dated.headers["etag"] == brotli_answer.headers["etag"]
    assert "Accept-Encoding" in dated.headers["vary"]


def test_minifying_keeps_what_the_browser_runs_and_leaves_minified_files_alone():
    js = (PROJECT_ROOT / "static/js/drafting.js").read_bytes()
    small = minified("js/drafting.js", js)
    assert len(small) < len(js) * 0.8 and b"/*" not in small
    assert b'"htmx:beforeSwap"' in small and b"0xEDB88320" in small  # code, not comments, kept
    # every script of ours is ES5 and gets its local names shortened (globals kept)
    for script in (PROJECT_ROOT / "static/js").glob("*.js"):
        raw = script.read_bytes()
        short = minified(f"js/{script.name}", raw)
        assert len(short) < len(raw) * 0.65, script.name
        assert b"function fingerprint(" not in short and b"function showFlash(" not in short
        assert b"window.perdes" in short or script.name == "app.js"
    assert b"htmx.trigger(" in small and b"document.addEventListener(" in small
    # a script the minifier cannot read (not ES5) is sent as it is, not broken
    assert minified("js/new.js", b"const f = () => 1; // note") == b"const f = () => 1; // note"
    # nor when the minifier itself fails on a script it could read
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assets, "minify_print", lambda *a, **k: 1 / 0)
        assert minified("js/drafting.js", js) == js
    css = (PROJECT_ROOT / "static/css/app.css").read_bytes()
    assert len(minified("css/app.css", css)) < len(css) and b"/*" not in minified("x.css", css)
    htmx = (PROJECT_ROOT / "static/vendor/htmx-2.0.11.min.js").read_bytes()
    assert minified("vendor/htmx-2.0.11.min.js", htmx) == htmx
    assert minified("favicon.svg", b"<svg/>") == b"<svg/>"


def test_a_range_request_gets_the_plain_file(client):
    response = client.get("/static/css/app.css", headers={**BROWSER, "Range": "bytes=0-9"})
    assert response.status_code == 206 and "content-encoding" not in response.headers
    assert response.content == (PROJECT_ROOT / "static/css/app.css").read_bytes()[:10]


def test_a_minifier_change_renames_the_files_it_minifies_and_no_others(monkeypatch):
    """Browsers keep a fingerprinted file for a year: when what is sent changes because the
    minifier did (an upgrade, a new option), the name must change too, or they keep the old."""
    static = PROJECT_ROOT / "static"
    paths = ("js/app.js", "css/app.css", "vendor/htmx-2.0.11.min.js", "favicon.svg")
    before = {p: assets.FingerprintedStaticFiles(directory=static).url(p) for p in paths}
    monkeypatch.setattr(assets, "MINIFIER", assets.MINIFIER + b"rcssmin 9.9\n")
    after = {p: assets.FingerprintedStaticFiles(directory=static).url(p) for p in paths}
    assert after["js/app.js"] != before["js/app.js"]
    assert after["css/app.css"] != before["css/app.css"]
    assert after["vendor/htmx-2.0.11.min.js"] == before["vendor/htmx-2.0.11.min.js"]
    assert after["favicon.svg"] == before["favicon.svg"]


def test_file_sizes_read_as_a_secretary_expects():
    """A 300-byte scan note was listed as "0 KB"."""
    from perdes.web.templating import ukuran

    assert ukuran(300) == "300 B"
    assert ukuran(1023) == "1023 B"
    assert ukuran(14 * 1024 + 100) == "14 KB"
    assert ukuran(int(2.4 * 1024 * 1024)) == "2,4 MB"
    assert ukuran(12 * 1024 * 1024) == "12,0 MB"
    # an upload limit, in the hints and refusals, as app.js writes it (not "4.76837")
    from perdes.files import megabytes

    assert megabytes(10 * 1024 * 1024) == "10" and megabytes(5_000_000) == "4,8"
