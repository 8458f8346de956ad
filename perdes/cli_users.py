"""``perdes users``: create, list, disable, enable, set-password, grant."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from perdes.accounts import services as accounts
from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.config import Settings
from perdes.console import fail, out
from perdes.db import engine_from_settings, make_session_factory, session_scope
from perdes.errors import DomainError, ValidationFailed

app = typer.Typer(help="User accounts.", no_args_is_help=True)

PasswordOption = Annotated[
    str | None,
    typer.Option(
        "--password",
        envvar="PERDES_NEW_PASSWORD",
        help="The password (or PERDES_NEW_PASSWORD); asked for when omitted.",
    ),
]


def _factory() -> sessionmaker[Session]:
    return make_session_factory(engine_from_settings(Settings()))


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
    pw = _ask_password(password)
    try:
        with session_scope(_factory()) as session:
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
    with session_scope(_factory()) as session:
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
    try:
        with session_scope(_factory()) as session:
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
    pw = _ask_password(password)
    try:
        with session_scope(_factory()) as session:
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
    try:
        with session_scope(_factory()) as session:
            user_id = _user_id(session, username)
            user = accounts.get_user(session, actor=Principal.system(), user_id=user_id)
            current = [] if replace else [s.region_code for s in user.scopes]
            user = accounts.set_scopes(
                session, actor=Principal.system(), user_id=user_id, scope_codes=[*current, *codes]
            )
            typer.echo(f"{username}: {' '.join(s.region_code for s in user.scopes)}")
    except DomainError as exc:
        _fail(exc)
