"""Save the HTML of pages as several users see them, or compare it with a saved copy.

Usage:
    .venv/bin/python bench/page_snapshot.py DATABASE_URL DIR [PATH ...] [--users a,b]
        [--compare OLD_DIR] [--make-users VILLAGE_CODE]

For work that must not change a page (speed work: "byte-identical HTML"): save the pages
before the change, save them again after it and compare. Each page is fetched through the ASGI
app in-process (no server), signed in as each user in turn (a fresh login session per user);
the CSRF token, which differs per session, is replaced by a fixed marker, nothing else.

Without PATH: every village page of the villages that have an adoption or checklist answers
(at most 8), plus one kelurahan. Without ``--users``: every active user in the database.
``--make-users VILLAGE_CODE`` first creates (once) an operator, a petugas and a pendamping of
that village and a pemantau of its regency (``snap.*``), for databases with only an admin; it
writes to the database, so use it only on a copy of your own.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import os
import re
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from profile_page import get  # noqa: E402

from perdes.accounts import services as accounts  # noqa: E402
from perdes.accounts.models import User  # noqa: E402
from perdes.accounts.permissions import Role  # noqa: E402
from perdes.accounts.principal import Principal  # noqa: E402
from perdes.checklist.models import ChecklistAssessment  # noqa: E402
from perdes.config import Settings  # noqa: E402
from perdes.db import session_scope  # noqa: E402
from perdes.pipeline import make_session_factory  # noqa: E402
from perdes.regions.models import Region, RegionLevel  # noqa: E402
from perdes.tracking.models import Adoption  # noqa: E402
from perdes.web.app import create_app  # noqa: E402

CSRF = re.compile(r'(name="csrf_token" value="|"X-CSRF-Token": ")[^"]*"')


def make_users(factory: Any, village: str) -> None:
    """``snap.*`` users of each scoped role around ``village`` (created once)."""
    with session_scope(factory) as session:
        region = session.get(Region, village)
        if region is None or region.level is not RegionLevel.DESA:
            raise SystemExit(f"{village}: no such village")
        wanted = [
            ("snap.operator", Role.OPERATOR, village),
            ("snap.petugas", Role.PETUGAS, village),
            ("snap.pendamping", Role.PENDAMPING, village),
            ("snap.pemantau", Role.PEMANTAU, region.regency_code),
        ]
        for username, role, code in wanted:
            if session.scalar(select(User).where(User.username == username)) is None:
                accounts.create_user(
                    session,
                    actor=Principal.system(),
                    username=username,
                    full_name=username,
                    role=role,
                    password=secrets.token_urlsafe(16),
                    scope_codes=(str(code),),
                )


def default_paths(factory: Any) -> list[str]:
    with session_scope(factory) as session:
        codes = set(session.scalars(select(Adoption.village_code).distinct().limit(8)))
        codes |= set(session.scalars(select(ChecklistAssessment.village_code).distinct().limit(8)))
        kelurahan = session.scalar(
            select(Region.code).where(Region.village_kind == "kelurahan").order_by(Region.code)
        )
    return [f"/desa/{code}" for code in sorted(codes)[:8] + ([kelurahan] if kelurahan else [])]


def tokens(factory: Any, usernames: list[str] | None) -> dict[str, str]:
    with session_scope(factory) as session:
        query = select(User).where(User.is_active.is_(True)).order_by(User.username)
        if usernames:
            query = query.where(User.username.in_(usernames))
        users = list(session.scalars(query))
        return {
            user.username: str(
                accounts.start_session(
                    session, user=user, client_addr="127.0.0.1", user_agent="snapshot", days=1
                ).token
            )
            for user in users
        }


def file_name(username: str, path: str) -> str:
    return f"{username}__{re.sub(r'[^0-9A-Za-z.]+', '_', path.strip('/'))}.html"


async def snapshot(args: argparse.Namespace, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("PERDES_DATABASE_URL", args.url)
        settings = Settings(instance_path=Path(tmp), database_url=args.url, secret_key="snapshot")
        app = create_app(settings)
        factory = make_session_factory(app.state.engine)
        if args.make_users:
            make_users(factory, args.make_users)
        paths = args.paths or default_paths(factory)
        users = tokens(factory, args.users.split(",") if args.users else None)
        async with app.router.lifespan_context(app):
            for username, token in users.items():
                for path in paths:
                    status, body = await get(app, path, f"perdes_session={token}")
                    text = CSRF.sub(r'\1CSRF"', body.decode())
                    (out / file_name(username, path)).write_text(f"<!-- {status} -->\n{text}")
        print(f"{len(users)} users × {len(paths)} pages saved in {out}")


def compare(old: Path, new: Path) -> int:
    names = sorted({p.name for p in old.glob("*.html")} | {p.name for p in new.glob("*.html")})
    different = 0
    for name in names:
        a, b = old / name, new / name
        if not a.exists() or not b.exists():
            print(f"only in {'new' if b.exists() else 'old'}: {name}")
            different += 1
            continue
        if a.read_bytes() != b.read_bytes():
            different += 1
            print(f"DIFFERENT: {name}")
            diff = difflib.unified_diff(
                a.read_text().splitlines(), b.read_text().splitlines(), lineterm="", n=1
            )
            for line in list(diff)[:40]:
                print("   ", line)
    print(f"{len(names) - different} of {len(names)} pages identical")
    return 1 if different else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", metavar="DATABASE_URL")
    parser.add_argument("dir", type=Path, help="where the pages are saved")
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--users", help="comma-separated usernames (default: all active)")
    parser.add_argument("--compare", type=Path, metavar="OLD_DIR")
    parser.add_argument("--make-users", metavar="VILLAGE_CODE")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(snapshot(args, args.dir))
    if args.compare:
        raise SystemExit(compare(args.compare, args.dir))


if __name__ == "__main__":
    main()
