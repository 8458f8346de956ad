"""Importing a village's existing PMI list (CSV/XLSX) into its register: all rows or none."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.regions import services as regions
from perdes.register import importer
from perdes.web.deps import DB
from perdes.web.forms import Multipart, submit
from perdes.web.htmx import render
from perdes.web.permissions import requires
from perdes.web.register_pages import Keys, first_record

router = APIRouter()

Recorder = Annotated[Principal, Depends(requires("register.record"))]


def _page(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    *,
    errors: dict[str, str] | None = None,
    message: str = "",
    created: int | None = None,
    status_code: int = 200,
) -> Response:
    village = regions.get_village(db, code=kode, scope=user.scope)
    return render(
        request,
        "register/import.html",
        {
            "user": user,
            "village": village,
            "columns": list(importer.COLUMNS),
            "required": importer.REQUIRED,
            "max_rows": importer.MAX_ROWS,
            "errors": errors or {},
            "message": message,
            "created": created,
            **first_record(db, village),
        },
        status_code=status_code,
    )


@router.get("/desa/{kode}/pmi/impor", name="register_import")
def register_import(request: Request, kode: str, db: DB, user: Recorder) -> Response:
    user.require("register.record", kode)
    return _page(request, db, user, kode)


@router.post("/desa/{kode}/pmi/impor", name="register_import_upload")
def register_import_upload(
    request: Request, kode: str, db: DB, user: Recorder, upload: Multipart, keys: Keys
) -> Response:
    """Validate every row; on any problem nothing is saved and each line's problem is listed."""
    regions.get_village(db, code=kode, scope=user.scope)
    filename, data = upload.file()
    return submit(
        db,
        lambda: importer.import_persons(
            db, actor=user, village_code=kode, data=data, filename=filename, keyring=keys
        ),
        invalid=lambda errors: _page(
            request, db, user, kode, errors=errors, message=importer.refusal_message(errors)
        ),
        done=lambda report: _page(request, db, user, kode, created=report.created),
    )
