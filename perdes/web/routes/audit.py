"""The audit log, read-only, within the reader's scope."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.home.services import region_names
from perdes.web.deps import DB
from perdes.web.htmx import render
from perdes.web.permissions import requires

router = APIRouter()

Auditor = Annotated[Principal, Depends(requires("audit.view"))]


@router.get("/audit", name="audit_log")
def audit_log(
    request: Request,
    db: DB,
    user: Auditor,
    pengguna: Annotated[str, Query(max_length=40)] = "",
    desa: Annotated[str, Query(max_length=13)] = "",
    dari: date | None = None,
    sampai: date | None = None,
    halaman: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Who changed what; filter by user, village and dates. Nothing here can edit an entry."""
    page = audit.list_entries(
        db,
        actor=user,
        username=pengguna,
        village_code=desa,
        date_from=dari,
        date_to=sampai,
        page=halaman,
    )
    params = {
        "pengguna": pengguna,
        "desa": desa,
        "dari": dari.isoformat() if dari else "",
        "sampai": sampai.isoformat() if sampai else "",
    }
    return render(
        request,
        "audit/list.html",
        {
            "user": user,
            "page": page,
            "params": params,
            "village_names": region_names(
                db, codes=[e.village_code for e in page.items if e.village_code]
            ),
        },
        block="results",
    )
