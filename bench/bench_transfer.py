"""Bytes on the wire for the village page, the drafting pages and live-preview refreshes, as a
browser gets them: on a first visit (the page, its static files and the preview it loads) and
on later visits (the content-hashed static files are cached for a year, the preview is
revalidated with its ETag, so only the page travels).

Usage:
    .venv/bin/python bench/bench_transfer.py DATABASE_URL

DATABASE_URL is a database made by bench/generate_national.py; the requests go through the
real app in-process, signed in as the benchmark admin. The first desa (by code) is measured;
it is given a village profile with the officials' names (so its new-draft page can show a
preview) and, on the first run, a draft (for the workspace page): the only writes. Figures
are response bodies as sent (compressed), headers not counted; the codings the server chose
are printed. Two clients: a current browser (``Accept-Encoding: gzip, deflate, br``) and a
gzip-only one.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench_monitoring import session_token
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import select

from perdes.accounts.principal import Principal
from perdes.config import Settings
from perdes.db import session_scope
from perdes.drafting import preview_delta
from perdes.pipeline import make_session_factory
from perdes.profiles import services as profiles
from perdes.regions.models import Region, RegionLevel, VillageKind
from perdes.web.app import create_app
from perdes.web.permissions import CSRF_HEADER, SESSION_COOKIE, csrf_token_for

SECRET = "bench-secret-key"
BROWSER = "gzip, deflate, br"
GZIP_ONLY = "gzip"
PROFILE = {
    "sebutan_desa": "Desa",
    "sebutan_kepala_desa": "Kepala Desa",
    "sebutan_bpd": "Badan Permusyawaratan Desa",
    "kepala_desa_name": "Ahmad Sobari",
    "sekretaris_desa_name": "Junaedi",
}
# The refreshes measured, one after another, as a user would make them: a Bagian level
# removed, a Pasal removed (later numbers and cross-references shift), the institution
# renamed, two Pasal removed, a name typed, options put back, a Pasal added.
PAGES = (
    ("village", "village page"),
    ("drafting", "new-draft page + the preview it loads"),
    ("workspace", "draft workspace + the preview it loads"),
)
CHANGES: list[dict[str, str | None]] = [
    {"o_bagian": None},
    {"o_pengasuhan_anak": None},
    {"o_lembaga": "komunitas"},
    {"o_berbagi_data": None, "o_literasi_keuangan": None},
    {"v_nama_kepala_desa": "Budi Santoso"},
    {"o_pengasuhan_anak": "on", "o_bagian": "on"},
    {"o_ketentuan_peralihan": "on"},
]


def form_of(html: str) -> dict[str, Any]:
    """The drafting form as a browser posts it (ticked boxes only)."""
    data: dict[str, Any] = {}
    form = BeautifulSoup(html, "html.parser").select_one("#draft-form")
    assert form is not None
    for field in form.select("input, select, textarea"):
        name = field.get("name")
        if not name or (field.get("type") == "checkbox" and not field.has_attr("checked")):
            continue
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            value: object = chosen["value"] if chosen else ""
        elif field.name == "textarea":
            value = field.text
        else:
            value = field.get("value", "")
        if field.get("type") == "checkbox":
            data.setdefault(str(name), []).append(value)
        else:
            data[str(name)] = value
    return data


class Wire:
    """Counts what one client receives (bodies as sent) and the codings used."""

    def __init__(self, client: TestClient, accept: str) -> None:
        self.client = client
        self.headers = {"Accept-Encoding": accept}
        self.codings: Counter[str] = Counter()
        self.files: dict[str, list[tuple[str, int]]] = {}  # page: (what, bytes) of its first visit

    def _count(self, response: Any, expected: tuple[int, ...] = (200,)) -> int:
        assert response.status_code in expected, (response.url, response.status_code)
        self.codings[response.headers.get("content-encoding", "identity")] += 1
        return int(response.num_bytes_downloaded)

    def get(self, path: str, **headers: str) -> tuple[Any, int]:
        response = self.client.get(path, headers={**self.headers, **headers})
        return response, self._count(response, (200, 304))

    def post(self, path: str, data: dict[str, Any], **headers: str) -> tuple[Any, int]:
        response = self.client.post(path, data=data, headers={**self.headers, **headers})
        return response, self._count(response)

    def assets(self, html: str, page: str) -> int:
        """The static files a page links (stylesheets, scripts, preloads, icon), fetched as on a
        first visit; each one's bytes are noted under ``page``."""
        urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
        sizes = [(_name(url), self.get(url)[1]) for url in urls]
        self.files.setdefault(page, []).extend(sizes)
        return sum(size for _, size in sizes)

    def note(self, page: str, what: str, size: int) -> int:
        self.files.setdefault(page, []).append((what, size))
        return size


def _name(url: str) -> str:
    """``/static/css/app.1a2b3c4d5e.css`` -> ``app.css``."""
    return re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", url.rsplit("/", 1)[-1])


def measure(client: TestClient, accept: str, village: str, token: str) -> dict[str, Any]:
    wire = Wire(client, accept)
    out: dict[str, Any] = {}
    page, html = wire.get(f"/desa/{village}")
    out["village"] = (
        len(page.content),
        wire.note("village", "HTML", html) + wire.assets(page.text, "village"),
        html,
    )

    new = f"/desa/{village}/rancangan/baru"
    page, html = wire.get(new)
    loader = BeautifulSoup(page.text, "html.parser").select_one("#preview [hx-get]")
    assert loader is not None, "the new-draft page loads its preview"
    htmx = {"HX-Request": "true"}
    first, first_bytes = wire.get(str(loader["hx-get"]), **htmx)
    assert "PEKERJA MIGRAN" in first.text and "ruang-ttd" in first.text, first.text[:500]
    again, again_bytes = wire.get(
        str(loader["hx-get"]), **htmx, **{"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    out["drafting"] = (
        len(page.content) + len(first.content),
        wire.note("drafting", "HTML", html)
        + wire.assets(page.text, "drafting")
        + wire.note("drafting", "preview", first_bytes),
        html + again_bytes,
    )

    data = form_of(page.text)
    post = {**htmx, CSRF_HEADER: csrf_token_for(SECRET, token)}
    url = f"/desa/{village}/rancangan/pratinjau"
    shown = first.text
    sizes, fulls, uploads = [], [], []
    for change in CHANGES:
        for key, value in change.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        have = ",".join(preview_delta.fingerprints(shown))
        answer, sent = wire.post(url, {**data, "pratinjau_punya": have}, **post)
        full, full_sent = wire.post(url, data, **post)
        shown = preview_delta.apply(shown, answer.text)
        assert preview_delta.canonical(shown) == preview_delta.canonical(full.text), change
        sizes.append(sent)
        fulls.append(full_sent)
        uploads.append(len(have))
    out["refresh"] = (sizes, fulls, uploads, len(full.content))

    # the workspace of the village's first draft (made once, by the first run)
    draft_id = client.app.state.bench_draft  # type: ignore[attr-defined]
    page, html = wire.get(f"/rancangan/{draft_id}")
    loader = BeautifulSoup(page.text, "html.parser").select_one("#preview [hx-get]")
    assert loader is not None, "the workspace loads its preview"
    first, first_bytes = wire.get(str(loader["hx-get"]), **htmx)
    again, again_bytes = wire.get(
        str(loader["hx-get"]), **htmx, **{"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    out["workspace"] = (
        len(page.content) + len(first.content),
        wire.note("workspace", "HTML", html)
        + wire.assets(page.text, "workspace")
        + wire.note("workspace", "preview", first_bytes),
        html + again_bytes,
    )
    out["codings"] = wire.codings
    out["files"] = wire.files
    return out


def first_draft(client: TestClient, village: str, token: str) -> int:
    """The village's first draft, made through the app if there is none."""
    page = client.get(f"/desa/{village}/rancangan")
    found = re.search(r'href="/rancangan/(\d+)"', page.text)
    if found:
        return int(found[1])
    new = client.get(f"/desa/{village}/rancangan/baru")
    saved = client.post(
        f"/desa/{village}/rancangan",
        data={**form_of(new.text), "message": "Rancangan benchmark"},
        headers={CSRF_HEADER: csrf_token_for(SECRET, token)},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[-2000:]
    return int(saved.headers["location"].split("?")[0].rsplit("/", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(instance_path=Path(tmp), database_url=args.url, secret_key=SECRET)
        app = create_app(settings)
        factory = make_session_factory(app.state.engine)
        token = session_token(factory)
        with session_scope(factory) as session:
            village = session.scalar(
                select(Region.code)
                .where(Region.level == RegionLevel.DESA, Region.village_kind == VillageKind.DESA)
                .order_by(Region.code)
                .limit(1)
            )
            assert village is not None
            profiles.update_profile(session, actor=Principal.system(), code=village, data=PROFILE)
        results = {}
        with TestClient(app, base_url="http://127.0.0.1") as client:
            client.cookies.set(SESSION_COOKIE, token)
            app.state.bench_draft = first_draft(client, village, token)
            for label, accept in (("browser", BROWSER), ("gzip only", GZIP_ONLY)):
                results[label] = measure(client, accept, village, token)
        app.state.engine.dispose()

    kb = lambda n: f"{n / 1024:.1f} kB"  # noqa: E731
    browser, gz = results["browser"], results["gzip only"]
    print(f"village {village}; browser: Accept-Encoding: {BROWSER}; gzip only: {GZIP_ONLY}")
    for label, res in results.items():
        print(f"codings received ({label}): {dict(res['codings'])}")
    print()
    print(
        "| page | uncompressed HTML | first visit, with assets (browser / gzip only) "
        "| later visits (browser / gzip only) |"
    )
    print("|---|---|---|---|")
    for key, label in PAGES:
        raw, first, later = browser[key]
        print(
            f"| {label} | {kb(raw)} | **{kb(first)}** / {kb(gz[key][1])} "
            f"| **{kb(later)}** / {kb(gz[key][2])} |"
        )
    print()
    print("What a first visit downloads (bytes as sent, browser / gzip only):")
    print()
    for key, label in PAGES:
        parts = [
            f"{what} {size / 1024:.1f} / {gz_size / 1024:.1f}"
            for (what, size), (_, gz_size) in zip(
                browser["files"][key], gz["files"][key], strict=True
            )
        ]
        print(f"- {label}: {', '.join(parts)} kB")
    sizes, fulls, uploads, raw = browser["refresh"]
    gz_sizes = gz["refresh"][0]
    print()
    print(
        f"Live-preview refreshes ({len(sizes)} option changes in a row; the whole preview is "
        f"{kb(raw)} uncompressed):"
    )
    print()
    print("| refresh | sent (browser) | sent (gzip only) | whole preview (browser) | posted list |")
    print("|---|---|---|---|---|")
    for n, change in enumerate(CHANGES):
        what = ", ".join(f"{k}={'off' if v is None else v}" for k, v in change.items())
        print(
            f"| {what} | {kb(sizes[n])} | {kb(gz_sizes[n])} | {kb(fulls[n])} | {kb(uploads[n])} |"
        )
    print(
        f"| **largest / mean** | **{kb(max(sizes))}** / {kb(statistics.mean(sizes))} "
        f"| {kb(max(gz_sizes))} / {kb(statistics.mean(gz_sizes))} "
        f"| {kb(max(fulls))} / {kb(statistics.mean(fulls))} | |"
    )


if __name__ == "__main__":
    main()
