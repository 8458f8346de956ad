"""``perdes users``: create, list, disable, enable, set-password, grant.

The account services (Argon2, the models, the database) are imported by the commands that
use them, so ``perdes users --help`` loads none of them.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from perdes.accounts.permissions import Role
from perdes.console import fail, out
from perdes.errors import DomainError, ValidationFailed

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session

app = typer.Typer(help="User accounts.", no_args_is_help=True)

PasswordOption = Annotated[
    str | None,
    typer.Option(
        "--password",
        envvar="PERDES_NEW_PASSWORD",
        help="The password (or PERDES_NEW_PASSWORD); asked for when omitted.",
    ),
]


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    """One transaction on PERDES_DATABASE_URL (see ``perdes.db.session_scope``)."""
    from perdes.config import Settings
    from perdes.db import engine_from_settings, make_session_factory, session_scope

    with session_scope(make_session_factory(engine_from_settings(Settings()))) as session:
        yield session


def _ask_password(password: str | None) -> str:
    if password is not None:
        return password
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _fail(exc: DomainError) -> None:
    if isinstance(exc, ValidationFailed):
        fail("; ".join(f"{field}: {msg}" for field, msg in exc.errors.items()))
    fail(exc.message)


def _user_id(session: Session, username: str) -> int:
    from perdes.accounts import services as accounts

    user = accounts.find_user(session, username=username)
    if user is None:
        fail(f"no user named {username!r}")
    return user.id


@app.command("create")
def create(
    username: str,
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[Role, typer.Option("--role")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="Region code; repeat for several.")
    ] = None,
    password: PasswordOption = None,
) -> None:
    """Create a user with a role and its regions."""
    from perdes.accounts import services as accounts
    from perdes.accounts.principal import Principal

    pw = _ask_password(password)
    try:
        with _unit_of_work() as session:
            user = accounts.create_user(
                session,
                actor=Principal.system(),
                username=username,
                full_name=name,
                role=role,
                password=pw,
                scope_codes=scope or [],
            )
            typer.echo(f"created {user.username} ({user.role.value})")
    except DomainError as exc:
        _fail(exc)


@app.command("list")
def list_users() -> None:
    """All users with role, regions and status."""
    from rich.table import Table

    from perdes.accounts import services as accounts
    from perdes.accounts.principal import Principal

    with _unit_of_work() as session:
        table = Table()
        for column in ("username", "name", "role", "regions", "active"):
            table.add_column(column)
        for user in accounts.list_users(session, actor=Principal.system()):
            table.add_row(
                user.username,
                user.full_name,
                user.role.value,
                " ".join(s.region_code for s in user.scopes) or "all",
                "yes" if user.is_active else "no",
            )
        out.print(table)


def _set_active(username: str, active: bool) -> None:
    from perdes.accounts import services as accounts
    from perdes.accounts.principal import Principal

    try:
        with _unit_of_work() as session:
            accounts.set_active(
                session,
                actor=Principal.system(),
                user_id=_user_id(session, username),
                active=active,
            )
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"{username} {'enabled' if active else 'disabled'}")


@app.command("disable")
def disable(username: str) -> None:
    """Disable an account and end its sessions."""
    _set_active(username, False)


@app.command("enable")
def enable(username: str) -> None:
    """Enable a disabled account."""
    _set_active(username, True)


@app.command("set-password")
def set_password(username: str, password: PasswordOption = None) -> None:
    """Set a new password (ends the user's sessions)."""
    from perdes.accounts import services as accounts
    from perdes.accounts.principal import Principal

    pw = _ask_password(password)
    try:
        with _unit_of_work() as session:
            accounts.set_password(
                session, actor=Principal.system(), user_id=_user_id(session, username), password=pw
            )
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"password of {username} changed")


@app.command("grant")
def grant(
    username: str,
    codes: Annotated[list[str], typer.Argument(help="Region codes to add.")],
    replace: Annotated[bool, typer.Option("--replace", help="Replace instead of add.")] = False,
) -> None:
    """Add regions to a user's scope (or replace them with --replace)."""
    from perdes.accounts import services as accounts
    from perdes.accounts.principal import Principal

    try:
        with _unit_of_work() as session:
            user_id = _user_id(session, username)
            user = accounts.get_user(session, actor=Principal.system(), user_id=user_id)
            current = [] if replace else [s.region_code for s in user.scopes]
            user = accounts.set_scopes(
                session, actor=Principal.system(), user_id=user_id, scope_codes=[*current, *codes]
            )
            typer.echo(f"{username}: {' '.join(s.region_code for s in user.scopes)}")
    except DomainError as exc:
        _fail(exc)


def _register_import() -> None:
    from perdes.cli_onboarding import import_users

    app.command("import")(import_users)


_register_import()
