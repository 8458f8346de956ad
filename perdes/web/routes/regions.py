"""Village directory, village page and the profile widget."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.checklist import views as checklist
from perdes.errors import Conflict, ValidationFailed
from perdes.home import services as home_services
from perdes.pagination import COUNT_CAP
from perdes.profiles import services as profiles
from perdes.regions import services
from perdes.regions.codes import is_valid_code
from perdes.register import figures as register_figures
from perdes.web.deps import DB, FormData
from perdes.web.htmx import is_htmx, redirect, render
from perdes.web.permissions import MaybeUser, Viewer, requires
from perdes.web.routes.tracking import tracker_section

router = APIRouter()

PER_PAGE = 25


@router.get("/", name="home")
def home(request: Request, db: DB, user: MaybeUser) -> Response:
    """Anonymous: what the app is. A monitor lands on his own region's dashboard; an operator
    or a pendamping on "Desa saya"; an admin on the village search."""
    if user.is_authenticated and user.role is Role.PEMANTAU:
        return RedirectResponse(str(request.url_for("monitoring_home")), status_code=303)
    villages = (
        home_services.my_villages(db, actor=user)
        if user.is_authenticated and user.role in (Role.OPERATOR, Role.PETUGAS, Role.PENDAMPING)
        else []
    )
    return render(request, "home.html", {"user": user, "villages": villages})


def _code_or_empty(value: str, length: int) -> str:
    value = value.strip()
    return value if len(value) == length and is_valid_code(value) else ""


@router.get("/desa", name="village_directory")
def village_directory(
    request: Request,
    db: DB,
    user: Viewer,
    q: Annotated[str, Query(max_length=100)] = "",
    provinsi: str = "",
    kabupaten: str = "",
    kecamatan: str = "",
    halaman: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Search villages by name or code, with cascading region filters; htmx gets the list."""
    provinsi = _code_or_empty(provinsi, 2)
    kabupaten = _code_or_empty(kabupaten, 5) if provinsi else ""
    if kabupaten and not kabupaten.startswith(provinsi + "."):
        kabupaten = ""
    kecamatan = _code_or_empty(kecamatan, 8) if kabupaten else ""
    if kecamatan and not kecamatan.startswith(kabupaten + "."):
        kecamatan = ""
    scope = user.scope
    result = services.search_villages(
        db,
        scope=scope,
        query=q,
        province=provinsi,
        regency=kabupaten,
        district=kecamatan,
        page=halaman,
        per_page=PER_PAGE,
        count_cap=COUNT_CAP,
    )
    params: dict[str, Any] = {
        "q": q.strip(),
        "provinsi": provinsi,
        "kabupaten": kabupaten,
        "kecamatan": kecamatan,
    }
    context = {
        "user": user,
        "result": result,
        "params": params,
        "provinces": services.list_children(db, parent_code=None, scope=scope),
        "regencies": services.list_children(db, parent_code=provinsi, scope=scope)
        if provinsi
        else [],
        "districts": services.list_children(db, parent_code=kabupaten, scope=scope)
        if kabupaten
        else [],
    }
    return render(request, "regions/directory.html", context, block="results")


@router.get("/desa/{kode}", name="village_detail")
def village_detail(request: Request, kode: str, db: DB, user: Viewer) -> Response:
    village = services.get_village(db, code=kode, scope=user.scope)
    context = {
        "user": user,
        "village": village,
        "pmi_counts": register_figures.visible_pmi_counts(
            db,
            actor=user,
            village_code=kode,
            active=village.profile.pmi_active_count,
            returned=village.profile.pmi_returned_count,
        ),
        "checklists": checklist.village_checklists(db, actor=user, village_code=kode),
        "tracker_section": tracker_section(db, user, kode),
    }
    return render(request, "regions/village.html", context)


ProfileEditor = Annotated[Principal, Depends(requires("village.edit_profile"))]


@router.get("/desa/{kode}/profil", name="village_profile_form")
def village_profile_form(request: Request, kode: str, db: DB, user: ProfileEditor) -> Response:
    """The profile edit form: a fragment for htmx, a page of its own without JavaScript."""
    village = services.get_village(db, code=kode, scope=user.scope)
    user.require("village.edit_profile", kode)
    values = {name: getattr(village.profile, name) for name in services.PROFILE_FIELDS}
    return render(
        request,
        "regions/profile_edit.html",
        {"user": user, "village": village, "values": values, "errors": {}},
        block="profile_form",
    )


@router.post("/desa/{kode}/profil", name="village_profile_update")
def village_profile_update(
    request: Request, kode: str, db: DB, user: ProfileEditor, form: FormData
) -> Response:
    """Save the profile; invalid input re-renders the form with field errors and HTTP 422."""
    village = services.get_village(db, code=kode, scope=user.scope)
    user.require("village.edit_profile", kode)
    try:
        profiles.update_profile(db, actor=user, code=kode, data=dict(form))
    except (ValidationFailed, Conflict) as exc:
        values = {name: form.get(name, "") for name in services.PROFILE_FIELDS}
        conflict = isinstance(exc, Conflict)
        errors = exc.errors if isinstance(exc, ValidationFailed) else {}
        return render(
            request,
            "regions/profile_edit.html",
            {
                "user": user,
                "village": village,
                "values": values,
                "errors": errors,
                "conflict": exc.message if conflict else "",
            },
            block="profile_form",
            status_code=409 if conflict else 422,
        )
    if is_htmx(request):
        village = services.get_village(db, code=kode, scope=user.scope)
        return render(
            request,
            "regions/village.html",
            {"user": user, "village": village, "saved": True},
            block="profile",
        )
    return redirect(request, request.url_for("village_detail", kode=kode))
