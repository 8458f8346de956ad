"""Village directory, village page and the profile widget."""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple

from cachetools import TTLCache
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.checklist import views as checklist
from perdes.errors import Conflict
from perdes.home import services as home_services
from perdes.pagination import COUNT_CAP
from perdes.profiles import services as profiles
from perdes.regions import services
from perdes.regions.codes import is_valid_code
from perdes.regions.scope import Scope
from perdes.register import figures as register_figures
from perdes.validation import parse_int
from perdes.web.deps import DB, FormData, quick_read
from perdes.web.forms import submit
from perdes.web.htmx import is_htmx, redirect, render
from perdes.web.permissions import MaybeUser, Viewer, requires
from perdes.web.sections import tracker_section

router = APIRouter()

PER_PAGE = 25


ProfileEditor = Annotated[Principal, Depends(requires("village.edit_profile"))]


# Load-or-404: the desa of the path inside the user's scope (the scope is in the query).
def _village_to_view(kode: str, db: DB, user: Viewer) -> services.VillageView:
    return services.get_village(db, code=kode, scope=user.scope)


def _village_to_edit(kode: str, db: DB, user: ProfileEditor) -> services.VillageView:
    village = services.get_village(db, code=kode, scope=user.scope)
    user.require("village.edit_profile", kode)
    return village


VillageToView = Annotated[services.VillageView, Depends(_village_to_view)]
VillageToEdit = Annotated[services.VillageView, Depends(_village_to_edit)]


@router.get("/", name="home")
@quick_read
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


REGION_CHOICES_SECONDS = 60.0


class RegionChoice(NamedTuple):
    code: str
    name: str


def _choices(request: Request, db: DB, parent_code: str | None, scope: Scope) -> list[RegionChoice]:
    """The cascading filter's options under ``parent_code`` for ``scope``, kept per app for
    ``REGION_CHOICES_SECONDS`` (``app.state.region_choices``): regions change only by an
    import, and the 38 provinces cost a query on every search page and every keystroke."""
    cache: TTLCache[tuple[str | None, Scope], list[RegionChoice]] = request.app.state.region_choices
    key = (parent_code, scope)
    choices = cache.get(key)
    if choices is None:
        children = services.list_children(db, parent_code=parent_code, scope=scope)
        choices = cache[key] = [RegionChoice(r.code, r.name) for r in children]
    return choices


@router.get("/desa", name="village_directory")
@quick_read
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
        "provinces": _choices(request, db, None, scope),
        "regencies": _choices(request, db, provinsi, scope) if provinsi else [],
        "districts": _choices(request, db, kabupaten, scope) if kabupaten else [],
    }
    return render(request, "regions/directory.html", context, block="results")


@router.get("/desa/{kode}", name="village_detail")
@quick_read
def village_detail(request: Request, kode: str, db: DB, user: Viewer) -> Response:
    village = services.get_village(db, code=kode, scope=user.scope)  # in the route: no hop
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
        "checklists": checklist.village_checklists(
            db, actor=user, village_code=kode, village=village
        ),
        "tracker_section": tracker_section(db, user, kode, region=village.region),
    }
    return render(request, "regions/village.html", context)


@router.get("/desa/{kode}/profil", name="village_profile_form")
def village_profile_form(
    request: Request, db: DB, user: ProfileEditor, village: VillageToEdit
) -> Response:
    """The profile edit form: a fragment for htmx, a page of its own without JavaScript."""
    values = {name: getattr(village.profile, name) for name in services.PROFILE_FIELDS}
    return render(
        request,
        "regions/profile_edit.html",
        {
            "user": user,
            "village": village,
            "values": values,
            "errors": {},
            "pmi_from_register": register_figures.keeps_register(
                db, village_code=village.region.code
            ),
        },
        block="profile_form",
    )


def _stored_differences(
    village: services.VillageView, values: dict[str, str]
) -> list[tuple[str, str]]:
    """(field, value stored now) for each field where the stale form differs from the row."""
    out = []
    for name in services.PROFILE_FIELDS:
        stored = getattr(village.profile, name)
        stored_text = "" if stored is None else str(stored)
        if stored_text != values.get(name, "").strip():
            out.append((name, stored_text))
    return out


@router.post("/desa/{kode}/profil", name="village_profile_update")
def village_profile_update(
    request: Request, kode: str, db: DB, user: ProfileEditor, village: VillageToEdit, form: FormData
) -> Response:
    """Save the profile; invalid input re-renders the form with field errors and HTTP 422, a
    stale form (saved by someone else since it was opened) with 409, the input kept and the
    values stored now listed beside it."""
    version = parse_int(form.get("version"))

    def form_again(errors: dict[str, str], conflict: str = "") -> Response:
        values: dict[str, Any] = {name: form.get(name, "") for name in services.PROFILE_FIELDS}
        shown = village
        if conflict:
            db.expire_all()
            shown = services.get_village(db, code=kode, scope=user.scope)
        from_register = register_figures.keeps_register(db, village_code=kode)
        if from_register:  # the register's counts, whatever was posted
            for name in ("pmi_active_count", "pmi_returned_count"):
                values[name] = getattr(shown.profile, name)
        return render(
            request,
            "regions/profile_edit.html",
            {
                "user": user,
                "village": shown,
                "values": values,
                "errors": errors,
                "conflict": conflict,
                "stored": _stored_differences(shown, values) if conflict else [],
                "pmi_from_register": from_register,
            },
            block="profile_form",
            status_code=409 if conflict else 422,
        )

    def saved(_: object) -> Response:
        if is_htmx(request):
            fresh = services.get_village(db, code=kode, scope=user.scope)
            return render(
                request,
                "regions/village.html",
                {"user": user, "village": fresh, "saved": True},
                block="profile",
            )
        return redirect(request, request.url_for("village_detail", kode=kode))

    try:
        return submit(
            db,
            lambda: profiles.update_profile(
                db,
                actor=user,
                code=kode,
                data=dict(form),
                expected_version=-1 if version is None else version,
            ),
            invalid=form_again,
            done=saved,
        )
    except Conflict as exc:
        return form_again({}, conflict=exc.message)
