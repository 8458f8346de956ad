"""Admin pages: users, their roles and regions, passwords, enabling and disabling."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from perdes.accounts import selfservice
from perdes.accounts import services as accounts
from perdes.accounts.models import User
from perdes.accounts.permissions import ROLE_LABELS, Role
from perdes.accounts.principal import Principal
from perdes.home.services import find_region, region_choices, region_names
from perdes.validation import parse_int
from perdes.web.deps import DB, AppSettings, FormData
from perdes.web.forms import submit
from perdes.web.htmx import redirect, render
from perdes.web.permissions import requires

router = APIRouter(prefix="/admin")

Admin = Annotated[Principal, Depends(requires("users.manage"))]


def _codes(db: DB, user: Principal, raw: str) -> list[str]:
    """Region codes from the scopes field: region names separated by commas ("Desa Lontar,
    Kecamatan Tirtayasa", or picked suggestions ending in "(code)"), or plain codes."""
    codes: list[str] = []
    for part in re.split(r"[,;\n]", raw):
        part = part.strip()
        if not part:
            continue
        if re.fullmatch(r"[\d.\s]+", part):
            codes.extend(part.split())
        else:
            codes.append(find_region(db, actor=user, text=part, field="scopes"))
    return codes


def _scope_text(db: DB, codes: list[str]) -> str:
    names = region_names(db, codes=codes)
    return ", ".join(f"{names.get(c, c)} ({c})" for c in codes)


def _grantable(user: Principal) -> dict[Role, str]:
    return {role: ROLE_LABELS[role] for role in accounts.grantable_roles(user)}


@router.get("/pengguna", name="admin_users")
def users_page(request: Request, db: DB, user: Admin) -> Response:
    users = accounts.list_users(db, actor=user)
    return render(
        request,
        "admin/users.html",
        {
            "user": user,
            "users": users,
            "scope_names": region_names(db, codes=[s.region_code for u in users for s in u.scopes]),
            "roles": ROLE_LABELS,
            "grantable": _grantable(user),
            "values": {},
            "errors": {},
            "region_choices": region_choices(db, actor=user),
        },
    )


@router.post("/pengguna", name="admin_user_create")
def user_create(
    request: Request, db: DB, settings: AppSettings, user: Admin, form: FormData
) -> Response:
    """Create a user; without an initial password, invite them (by e-mail, or a link shown
    once here for printing)."""

    def invalid(errors: dict[str, str]) -> Response:
        values = {k: v for k, v in form.items() if k != "password"}
        return render(
            request,
            "admin/users.html",
            {
                "user": user,
                "users": accounts.list_users(db, actor=user),
                "scope_names": {},
                "roles": ROLE_LABELS,
                "grantable": _grantable(user),
                "values": values,
                "errors": errors,
                "region_choices": region_choices(db, actor=user),
            },
            block="create_form",
        )

    def done(created: User) -> Response:
        if not created.password_hash:
            invitation = selfservice.invite_user(
                db, actor=user, user=created, base_url=settings.base_url
            )
            return _detail(request, db, user, created.id, invitation=invitation)
        return redirect(request, request.url_for("admin_user_detail", user_id=created.id))

    return submit(
        db,
        lambda: accounts.create_user(
            db,
            actor=user,
            username=form.get("username", ""),
            full_name=form.get("full_name", ""),
            role=form.get("role", ""),
            password=form.get("password", "") or None,
            scope_codes=_codes(db, user, form.get("scopes", "")),
            email=form.get("email", ""),
            phone=form.get("phone", ""),
        ),
        invalid=invalid,
        done=done,
    )


def _version(form: FormData) -> int:
    """The account version the form was opened on; -1 (always stale) when missing or bad."""
    version = parse_int(form.get("version"))
    return -1 if version is None else version


def _detail(
    request: Request,
    db: DB,
    user: Principal,
    user_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    message: str = "",
    invitation: selfservice.IssuedLink | None = None,
    conflict: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    """The user's page. ``values`` is posted input shown again in its form (refused or stale
    input); with ``conflict`` (409) the account is read afresh and the page says what is
    stored now, the forms carrying the current version, so saving again applies the input."""
    if conflict:
        db.expire_all()
    target = accounts.get_user(db, actor=user, user_id=user_id)
    scope_text = _scope_text(db, [s.region_code for s in target.scopes])
    return render(
        request,
        "admin/user_detail.html",
        {
            "user": user,
            "target": target,
            "roles": ROLE_LABELS,
            "errors": errors or {},
            "message": message,
            "invitation": invitation,
            "conflict": conflict,
            "Role": Role,
            "scope_text": scope_text,
            "values": {"scopes": scope_text, **(values or {})},
            "region_choices": region_choices(db, actor=user),
            "may_reactivate": accounts.may_reactivate(user.role, target.deactivated_by_role),
            "refused": accounts.reactivation_refused(target.deactivated_by_role),
        },
        status_code=409 if conflict else status_code,
    )


def _save(
    request: Request,
    db: DB,
    user: Principal,
    user_id: int,
    write: Callable[[], object],
    *,
    kept: dict[str, str],
    message: str,
) -> Response:
    """Run an admin edit of the account: refused input gives the page again with 422, a
    stale form (someone changed the account since it was opened) with 409, both keeping
    ``kept`` (the posted input) in its form."""
    try:
        return submit(
            db,
            write,
            invalid=lambda errors: _detail(request, db, user, user_id, errors=errors, values=kept),
            done=lambda _: _detail(request, db, user, user_id, message=message),
        )
    except accounts.StaleAccount as exc:  # other conflicts: the error page, as before
        return _detail(request, db, user, user_id, conflict=exc.message, values=kept)


@router.get("/pengguna/{user_id}", name="admin_user_detail")
def user_detail(request: Request, user_id: int, db: DB, user: Admin) -> Response:
    return _detail(request, db, user, user_id)


@router.post("/pengguna/{user_id}/wilayah", name="admin_user_scopes")
def user_scopes(request: Request, user_id: int, db: DB, user: Admin, form: FormData) -> Response:
    raw = form.get("scopes", "")

    def write() -> object:
        version = _version(form)
        accounts.check_version(db, actor=user, user_id=user_id, expected_version=version)
        codes = _codes(db, user, raw)  # refuses unknown names: after the staleness check
        return accounts.set_scopes(
            db, actor=user, user_id=user_id, scope_codes=codes, expected_version=version
        )

    return _save(
        request,
        db,
        user,
        user_id,
        write,
        kept={"scopes": raw},
        message="Wilayah tugas disimpan.",
    )


@router.post("/pengguna/{user_id}/sandi", name="admin_user_password")
def user_password(request: Request, user_id: int, db: DB, user: Admin, form: FormData) -> Response:
    # The password typed is never written back into a page, refused or stale.
    return _save(
        request,
        db,
        user,
        user_id,
        lambda: accounts.set_password(
            db,
            actor=user,
            user_id=user_id,
            password=form.get("password", ""),
            expected_version=_version(form),
        ),
        kept={},
        message="Kata sandi baru disimpan; sesi lama diakhiri.",
    )


@router.post("/pengguna/{user_id}/status", name="admin_user_status")
def user_status(request: Request, user_id: int, db: DB, user: Admin, form: FormData) -> Response:
    active = form.get("active") == "1"
    return _save(
        request,
        db,
        user,
        user_id,
        lambda: accounts.set_active(
            db, actor=user, user_id=user_id, active=active, expected_version=_version(form)
        ),
        kept={},
        message="Akun diaktifkan." if active else "Akun dinonaktifkan.",
    )


@router.post("/pengguna/{user_id}/undangan", name="admin_user_invite")
def user_invite(
    request: Request, user_id: int, db: DB, settings: AppSettings, user: Admin, form: FormData
) -> Response:
    """A new invitation link (the older one stops working) for a user without a password."""
    try:
        return submit(
            db,
            lambda: selfservice.invite(
                db,
                actor=user,
                user_id=user_id,
                base_url=settings.base_url,
                expected_version=_version(form),
            ),
            invalid=lambda errors: _detail(request, db, user, user_id, errors=errors),
            done=lambda invitation: _detail(request, db, user, user_id, invitation=invitation),
        )
    except accounts.StaleAccount as exc:  # other conflicts: the error page, as before
        return _detail(request, db, user, user_id, conflict=exc.message)
