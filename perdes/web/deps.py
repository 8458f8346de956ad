"""Request dependencies: the unit of work, settings, loading-or-404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from perdes.config import Settings


def _db(request: Request) -> Iterator[Session]:
    """The request is the unit of work: commit when the route returns, roll back on error.

    Scoped to the route function, so the commit happens before the response leaves.
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DB = Annotated[Session, Depends(_db, scope="function")]
AppSettings = Annotated[Settings, Depends(_settings)]


async def _form(request: Request) -> dict[str, str]:
    """The posted form as plain strings (first value of each field; files are ignored)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormData = Annotated[dict[str, str], Depends(_form)]
