"""``perdes users import FILE``: bulk onboarding from the command line (same checks as the
page, all or nothing), registered on the ``users`` command group."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer


def import_users(
    file: Annotated[
        Path, typer.Argument(help="CSV or XLSX: username, full name, email, phone, role, regions.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")
    ] = False,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Import with this user's rights (e.g. an admin daerah)."),
    ] = None,
    links: Annotated[
        Path | None,
        typer.Option(
            "--links",
            help="Write username,full name,link for users without e-mail to this CSV "
            "(default: stdout).",
        ),
    ] = None,
) -> None:
    """Create users from a file, each with an invitation link (mailed when the row has an
    address). Bad rows are reported as 'line N: column: message'; nothing is written then."""
    from rich.console import Console

    from perdes.accounts import onboarding
    from perdes.accounts import services as accounts
    from perdes.accounts.principal import Principal
    from perdes.config import Settings
    from perdes.console import fail
    from perdes.db import engine_from_settings, session_scope
    from perdes.pipeline import make_session_factory

    err = Console(stderr=True)
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    try:
        rows = onboarding.read_user_file(data)
    except onboarding.ImportFileError as exc:
        fail(f"{file}: {exc.message}")
    settings = Settings()
    factory = make_session_factory(engine_from_settings(settings))
    with session_scope(factory) as session:
        actor = Principal.system()
        if as_user:
            user = accounts.find_user(session, username=as_user)
            if user is None or not user.is_active:
                fail(f"no active user named {as_user!r}")
            assert user is not None
            actor = accounts.principal_for(user)
        plan = onboarding.check_rows(session, actor=actor, rows=rows)
        for error in plan.errors:
            err.print(f"line {error.line}: {error.field}: {error.message}", highlight=False)
        if plan.errors:
            fail(f"{len(plan.errors)} problems in {file.name}; nothing imported")
        if dry_run:
            err.print(f"{len(plan.users)} users would be created (dry run)", highlight=False)
            session.rollback()
            return
        done = onboarding.import_users(session, actor=actor, rows=rows, base_url=settings.base_url)
    printed = [d for d in done if d.invitation.mailed_to is None]
    out = links.open("w", encoding="utf-8", newline="") if links else sys.stdout
    try:
        writer = csv.writer(out)
        if printed:
            writer.writerow(["username", "full_name", "invitation_link", "expires_at"])
        for d in printed:
            writer.writerow(
                [
                    d.username,
                    d.full_name,
                    d.invitation.url,
                    d.invitation.expires_at.isoformat(),
                ]
            )
    finally:
        if links:
            out.close()
    err.print(
        f"{len(done)} users created; {len(done) - len(printed)} invitations queued by e-mail, "
        f"{len(printed)} links {'in ' + str(links) if links else 'printed above'}",
        highlight=False,
    )
