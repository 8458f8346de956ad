"""Bytes on the wire (gzip, as a browser asks) for the village page, the drafting page and a
live-preview refresh, on a first visit (page and its static files) and on later visits (the
content-hashed static files are cached for a year, so only the page travels).

Usage:
    .venv/bin/python bench/bench_transfer.py DATABASE_URL

DATABASE_URL is a database made by bench/generate_national.py; the requests go through the
real app in-process, signed in as the benchmark admin.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from bench_monitoring import session_token
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import select

from perdes.config import Settings
from perdes.db import session_scope
from perdes.pipeline import make_session_factory
from perdes.regions.models import Region, RegionLevel, VillageKind
from perdes.web.app import create_app
from perdes.web.permissions import CSRF_HEADER, SESSION_COOKIE, csrf_token_for

SECRET = "bench-secret-key"


def form_of(html: str) -> dict[str, object]:
    """The drafting form as a browser posts it (ticked boxes only)."""
    data: dict[str, object] = {}
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
            data.setdefault(str(name), [])
            data[str(name)].append(value)  # type: ignore[union-attr]
        else:
            data[str(name)] = value
    return data


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
        gzip = {"Accept-Encoding": "gzip, deflate, br"}
        with TestClient(app, base_url="http://127.0.0.1", headers=gzip) as client:
            client.cookies.set(SESSION_COOKIE, token)

            def sent(response) -> int:  # type: ignore[no-untyped-def]
                assert response.status_code == 200, (response.url, response.status_code)
                return int(response.num_bytes_downloaded)

            def visit(path: str) -> tuple[int, int, int]:
                page = client.get(path)
                assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
                asset_bytes = sum(sent(client.get(a)) for a in assets)
                return sent(page), len(page.content), asset_bytes

            rows = []
            html, raw, assets = visit(f"/desa/{village}")
            rows.append(("village page", raw, html + assets, html))
            new = f"/desa/{village}/rancangan/baru"
            html, raw, assets = visit(new)
            data = form_of(client.get(new).text)
            # a village without a profile: the officials' names are typed into the form
            data.update(v_nama_kepala_desa="Ahmad Sobari", v_nama_sekretaris_desa="Junaedi")
            headers = {"HX-Request": "true", CSRF_HEADER: csrf_token_for(SECRET, token)}
            preview = client.post(
                f"/desa/{village}/rancangan/pratinjau", data=data, headers=headers
            )
            assert preview.status_code == 200, preview.text[-3000:]
            # the page loads its preview with a second request (htmx), on every visit
            shown = sent(preview)
            rows.append(("drafting page (+ its preview)", raw, html + assets + shown, html + shown))
            rows.append(
                ("live-preview refresh", len(preview.content), sent(preview), sent(preview))
            )
        print(
            "| page | uncompressed HTML | first visit (gzip, with assets) | later visits (gzip) |"
        )
        print("|---|---|---|---|")
        for label, raw, first, later in rows:
            print(
                f"| {label} | {raw / 1024:.1f} kB | {first / 1024:.1f} kB | {later / 1024:.1f} kB |"
            )
        app.state.engine.dispose()


if __name__ == "__main__":
    main()
