"""Admin (and admin daerah): onboarding users from a CSV/XLSX file with a dry-run preview."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from perdes.accounts import onboarding
from perdes.accounts.principal import Principal
from perdes.web.deps import DB, AppSettings
from perdes.web.htmx import render
from perdes.web.permissions import requires

router = APIRouter(prefix="/admin/pengguna/impor")

Manager = Annotated[Principal, Depends(requires("users.manage"))]
PREVIEW_ROWS = 200


async def _posted(request: Request) -> tuple[bytes, str]:
    """The file (``berkas``) or, on confirmation, the previewed bytes (``data``), and the step."""
    form = await request.form()
    try:
        step = str(form.get("langkah") or "pratinjau")
        limit: int = request.app.state.settings.max_upload_bytes
        sent = form.get("berkas")
        if isinstance(sent, UploadFile):
            return await sent.read(limit + 1), step
        encoded = form.get("data")
        if isinstance(encoded, str) and encoded:
            try:
                return base64.b64decode(encoded, validate=True)[: limit + 1], step
            except (binascii.Error, ValueError):
                return b"", step
        return b"", step
    finally:
        await form.close()


Posted = Annotated[tuple[bytes, str], Depends(_posted)]


def _page(request: Request, user: Principal, status_code: int = 200, **context: object) -> Response:
    return render(
        request,
        "admin/user_import.html",
        {"user": user, "errors": [], "plan": None, "done": None, "file_error": "", **context},
        status_code=status_code,
    )


@router.get("", name="admin_user_import_form")
def import_form(request: Request, user: Manager) -> Response:
    return _page(request, user)


@router.post("", name="admin_user_import")
def import_file(
    request: Request, db: DB, settings: AppSettings, user: Manager, posted: Posted
) -> Response:
    """Step ``pratinjau`` checks and shows (writes nothing); step ``impor`` re-checks the same
    bytes and creates the users, all or nothing."""
    data, step = posted
    if len(data) > settings.max_upload_bytes:
        return _page(request, user, 413, file_error="Berkas terlalu besar.")
    try:
        rows = onboarding.read_user_file(data)
    except onboarding.ImportFileError as exc:
        return _page(request, user, 422, file_error=exc.message)
    if step != "impor":
        plan = onboarding.check_rows(db, actor=user, rows=rows)
        return _page(
            request,
            user,
            422 if plan.errors else 200,
            plan=plan,
            errors=plan.errors,
            preview=plan.users[:PREVIEW_ROWS],
            data=base64.b64encode(data).decode(),
        )
    try:
        done = onboarding.import_users(db, actor=user, rows=rows, base_url=settings.base_url)
    except onboarding.ImportRejected as exc:
        return _page(request, user, 422, errors=exc.errors)
    return _page(
        request,
        user,
        done=done,
        printed=[d for d in done if d.invitation.mailed_to is None],
        mailed=sum(1 for d in done if d.invitation.mailed_to),
    )
