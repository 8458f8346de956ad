"""Posted forms: reading multipart uploads, and answering refused input with the form again.

Reading multipart forms: text fields, and uploaded files read up to a limit.

One parser for every upload form (tracker evidence and scans, checklist evidence, target-list
CSV): the first value of each text field, the first file of each file field, each file read at
most one byte past its limit (enough to refuse it, never more into memory), every upload
closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from perdes.errors import ValidationFailed
from perdes.web.deps import AppSettings, take_write_lock

T = TypeVar("T")


@dataclass(slots=True)
class Posted:
    """A posted multipart form: text fields, and files as (name given, content)."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def file(self, name: str = "file") -> tuple[str, bytes]:
        """The file posted as ``name``: (filename, content); ("", b"") when none was sent."""
        return self.files.get(name, ("", b""))


async def read_multipart(request: Request, *, limit: int) -> Posted:
    """Parse the posted form; each file is read up to ``limit`` + 1 bytes."""
    form = await request.form()
    posted = Posted()
    try:
        for key, value in form.multi_items():
            if isinstance(value, str):
                posted.fields.setdefault(key, value)
            elif key not in posted.files and value.filename:
                posted.files[key] = (value.filename, await value.read(limit + 1))
    finally:
        await form.close()
    return posted


async def _evidence_form(request: Request, settings: AppSettings) -> Posted:
    return await read_multipart(request, limit=settings.max_upload_bytes)


# A form with evidence files (PDF/JPEG/PNG), limited by PERDES_MAX_UPLOAD_BYTES.
Multipart = Annotated[Posted, Depends(_evidence_form)]


def submit(
    db: Session,
    write: Callable[[], T],
    *,
    invalid: Callable[[dict[str, str]], Response],
    done: Callable[[T], Response],
) -> Response:
    """Run a form's write; refused input (``ValidationFailed``) gives the form again.

    The write runs in a savepoint, so refused input leaves nothing half-written. ``invalid``
    renders the form with the user's input kept and the Indonesian messages per field (a
    fragment for htmx, the whole page otherwise, as the route's page function decides); it is
    answered with 422. Otherwise ``done`` gets the write's result. Other errors (a conflict,
    a village out of scope) pass through to the route or the one error map.
    """
    take_write_lock(db)
    try:
        with db.begin_nested():
            result = write()
    except ValidationFailed as exc:
        response = invalid(exc.errors)
        response.status_code = 422
        return response
    return done(result)
