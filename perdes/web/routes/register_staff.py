"""The operator's page for its village's petugas pendataan: who they are, and designating a
new one (an invitation link, mailed or shown once to pass on)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.errors import ValidationFailed
from perdes.regions import services as regions
from perdes.register import staff
from perdes.web.deps import DB, AppSettings, FormData
from perdes.web.htmx import render
from perdes.web.permissions import requires

router = APIRouter()

StaffManager = Annotated[Principal, Depends(requires("register.staff"))]


def _page(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    issued: Any = None,
    status_code: int = 200,
) -> Response:
    village = regions.get_village(db, code=kode, scope=user.scope)
    people = staff.petugas_of(db, actor=user, village_code=kode)
    return render(
        request,
        "register/staff.html",
        {
            "user": user,
            "village": village,
            "people": people,
            "values": values or {},
            "errors": errors or {},
            "issued": issued,
        },
        status_code=status_code,
    )


@router.get("/desa/{kode}/pmi/petugas", name="register_staff")
def register_staff(request: Request, kode: str, db: DB, user: StaffManager) -> Response:
    return _page(request, db, user, kode)


@router.post("/desa/{kode}/pmi/petugas", name="register_staff_add")
def register_staff_add(
    request: Request, kode: str, db: DB, user: StaffManager, form: FormData, settings: AppSettings
) -> Response:
    """Designate a petugas; bad input re-renders with 422, success shows the link once."""
    regions.get_village(db, code=kode, scope=user.scope)
    try:
        _, issued = staff.designate_petugas(
            db,
            actor=user,
            village_code=kode,
            username=form.get("username", ""),
            full_name=form.get("full_name", ""),
            email=form.get("email", ""),
            base_url=settings.base_url,
        )
    except ValidationFailed as exc:
        return _page(request, db, user, kode, values=form, errors=exc.errors, status_code=422)
    return _page(request, db, user, kode, issued=issued)
