"""The operator's page for its village's petugas pendataan: who they are, designating a new
one (an invitation link, mailed or shown once to pass on), deactivating or reactivating one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from perdes.accounts import services as accounts
from perdes.accounts.principal import Principal
from perdes.errors import Conflict, OutOfScope
from perdes.regions import services as regions
from perdes.register import staff
from perdes.web.deps import DB, AppSettings, FormData
from perdes.web.forms import submit
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
    message: str = "",
    conflict: str = "",
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
            "message": message,
            "conflict": conflict,
            "may_reactivate": lambda p: accounts.may_reactivate(user.role, p.deactivated_by_role),
            "refused": accounts.reactivation_refused,
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
    return submit(
        db,
        lambda: staff.designate_petugas(
            db,
            actor=user,
            village_code=kode,
            username=form.get("username", ""),
            full_name=form.get("full_name", ""),
            email=form.get("email", ""),
            base_url=settings.base_url,
        ),
        invalid=lambda errors: _page(request, db, user, kode, values=form, errors=errors),
        done=lambda made: _page(request, db, user, kode, issued=made[1]),
    )


@router.post("/desa/{kode}/pmi/petugas/{user_id}/status", name="register_staff_status")
def register_staff_status(
    request: Request, kode: str, user_id: int, db: DB, user: StaffManager, form: FormData
) -> Response:
    """Deactivate or reactivate one of the village's petugas; the form carries the status it
    showed (its version): a stale one is 409, another village's petugas 404, reactivating one
    whom a higher level deactivated 403 (the page names who may)."""
    regions.get_village(db, code=kode, scope=user.scope)
    active = form.get("active") == "1"
    seen = {"1": True, "0": False}.get(form.get("seen_active", ""))
    try:
        person = staff.set_petugas_active(
            db, actor=user, village_code=kode, user_id=user_id, active=active, seen_active=seen,
            seen_deactivated_by=form.get("seen_deactivated_by", ""),
        )  # fmt: skip
    except Conflict as exc:
        return _page(request, db, user, kode, conflict=exc.message, status_code=409)
    except OutOfScope as exc:  # deactivated by a higher level: the page says who may undo it
        return _page(request, db, user, kode, conflict=exc.message, status_code=403)
    verb = "diaktifkan kembali" if person.is_active else "dinonaktifkan"
    return _page(request, db, user, kode, message=f"Petugas {person.full_name} {verb}.")
