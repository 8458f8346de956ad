"""The dashboards' HTML for several regions and roles, to compare two versions of the code.

Usage:
    .venv/bin/python bench/dashboard_html.py DATABASE_URL OUT_DIR [--compare OTHER_DIR]

Signs in (through the real app, in-process) as the benchmark admin and as two scoped monitors
(a pemantau of one kabupaten, and one of a kecamatan and a kabupaten, whose dashboards are
partial above their scope; they are created on first use) and saves each dashboard page, whole
and as the htmx fragment a sort link asks for, with the CSRF token blanked. With ``--compare``
it prints which pages differ from those saved in OTHER_DIR (e.g. by the code of ``main``) and
exits non-zero if any do.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
from pathlib import Path

from bench_monitoring import session_token  # the script's folder is on sys.path
from fastapi.testclient import TestClient

from perdes.accounts.permissions import Role
from perdes.config import Settings
from perdes.pipeline import make_session_factory
from perdes.web.app import create_app
from perdes.web.permissions import SESSION_COOKIE

USERS: dict[str, tuple[Role, tuple[str, ...]]] = {
    "bench.admin": (Role.ADMIN, ()),
    "bench.pemantau.kab": (Role.PEMANTAU, ("33.06",)),
    "bench.pemantau.mixed": (Role.PEMANTAU, ("33.06.01", "33.07")),
}
PAGES = (
    "/pemantauan",
    "/pemantauan?urut=nama&arah=turun",
    "/pemantauan?urut=persen&arah=naik",
    "/pemantauan/wilayah/33",
    "/pemantauan/wilayah/33?urut=terlambat&arah=turun",
    "/pemantauan/wilayah/33.06",
    "/pemantauan/wilayah/33.06?urut=skor&arah=turun",
    "/pemantauan/wilayah/33.06.01",
    "/pemantauan/wilayah/33.07",
    "/pemantauan/wilayah/11",
)
CSRF = re.compile(r'(X-CSRF-Token": "|name="csrf_token" value=")[^"]*')


def token(factory, username: str) -> str:  # type: ignore[no-untyped-def]
    role, codes = USERS[username]
    return session_token(factory, username, role=role, scope_codes=codes)


def file_name(username: str, path: str, fragment: bool) -> str:
    slug = re.sub(r"[^0-9a-z]+", "_", path.strip("/"))
    return f"{username}__{slug}{'__fragment' if fragment else ''}.html"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", metavar="DATABASE_URL")
    parser.add_argument("out", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument(
        "--users", nargs="*", default=list(USERS), help="only these (default: all three)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(instance_path=Path(tmp), database_url=args.url, secret_key="html")
        app = create_app(settings)
        factory = make_session_factory(app.state.engine)
        differ = 0
        with TestClient(app) as client:
            for username in args.users:
                client.cookies.set(SESSION_COOKIE, token(factory, username))
                for path in PAGES:
                    for fragment in (False, True):
                        headers = {"HX-Request": "true", "HX-Target": "mon-children"}
                        response = client.get(path, headers=headers if fragment else {})
                        html = CSRF.sub(r"\1-", f"{response.status_code}\n{response.text}")
                        name = file_name(username, path, fragment)
                        (args.out / name).write_text(html)
                        digest = hashlib.sha256(html.encode()).hexdigest()[:12]
                        line = f"{username:22} {path:50} {'fragment' if fragment else 'page':8}"
                        line += f" {response.status_code} {len(html):7} {digest}"
                        if args.compare is not None:
                            same = (args.compare / name).read_text() == html
                            differ += not same
                            line += "  same" if same else "  DIFFERENT"
                        print(line)
    if differ:
        sys.exit(f"{differ} page(s) differ")


if __name__ == "__main__":
    main()
