"""Tracker reports: the village registers (page and XLSX), deadlines in the user's scope, and
the admin's deadline rules per kabupaten."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.regions import services as regions
from perdes.tracking import queries, registers, rules
from perdes.tracking.deadlines import DEFAULTS
from perdes.tracking.stages import (
    STAGE_LABELS,
)
from perdes.web.deps import DB, FormData
from perdes.web.forms import submit
from perdes.web.htmx import render
from perdes.web.permissions import requires

router = APIRouter()

Reader = Annotated[Principal, Depends(requires("adoption.view"))]
RuleAdmin = Annotated[Principal, Depends(requires("deadline.manage"))]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/desa/{kode}/register", name="village_registers")
def village_registers_page(
    request: Request,
    kode: str,
    db: DB,
    user: Reader,
    tahun: Annotated[int | None, Query(ge=1945, le=2100)] = None,
) -> Response:
    village = regions.get_village(db, code=kode, scope=user.scope)
    books = registers.village_registers(db, actor=user, village_code=kode, year=tahun)
    return render(
        request,
        "tracking/registers.html",
        {
            "user": user,
            "village": village,
            "books": books,
            "headings": registers.PERATURAN_HEADINGS,
        },
        block="books",
    )


@router.get("/desa/{kode}/register.xlsx", name="village_registers_xlsx")
def village_registers_xlsx(
    kode: str,
    db: DB,
    user: Reader,
    tahun: Annotated[int | None, Query(ge=1945, le=2100)] = None,
) -> Response:
    books = registers.village_registers(db, actor=user, village_code=kode, year=tahun)
    name = f"register-perdes-{kode.replace('.', '')}-{books.year}.xlsx"
    return Response(
        registers.registers_xlsx(books),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/perdes/tenggat", name="adoption_deadlines")
def adoption_deadlines(
    request: Request,
    db: DB,
    user: Reader,
    semua: bool = False,
    halaman: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Adoptions in the user's scope with an overdue (or, with ``semua``, any) deadline."""
    page = queries.list_deadlines(db, actor=user, overdue_only=not semua, page=halaman)
    return render(
        request,
        "tracking/deadlines.html",
        {
            "user": user,
            "page": page,
            "semua": semua,
            "params": {"semua": "1" if semua else ""},
            "defaults": DEFAULTS,
            "stage_labels": STAGE_LABELS,
        },
        block="results",
    )


def _rules_page(
    request: Request,
    db: DB,
    user: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    form_key: str = "rule",
    message: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "tracking/deadline_rules.html",
        {
            "user": user,
            "rows": rules.list_rules(db, actor=user),
            "workday_rows": rules.list_workday_rules(db, actor=user),
            "defaults": DEFAULTS,
            "values": values or {},
            "errors": errors or {},
            "form_key": form_key,
            "message": message,
        },
        block="rules",
        status_code=status_code,
    )


@router.get("/admin/tenggat", name="deadline_rules")
def deadline_rules(request: Request, db: DB, user: RuleAdmin) -> Response:
    return _rules_page(request, db, user)


@router.post("/admin/tenggat", name="deadline_rule_save")
def deadline_rule_save(request: Request, db: DB, user: RuleAdmin, form: FormData) -> Response:
    return submit(
        db,
        lambda: rules.set_rule(
            db,
            actor=user,
            kind=form.get("kind", ""),
            regency_code=form.get("regency_code", ""),
            days=form.get("days", ""),
            legal_basis=form.get("legal_basis", ""),
        ),
        invalid=lambda errors: _rules_page(request, db, user, values=form, errors=errors),
        done=lambda _: _rules_page(
            request, db, user, message="Aturan tenggat disimpan; tenggat desa dihitung ulang."
        ),
    )


@router.post("/admin/tenggat/{rule_id}/hapus", name="deadline_rule_delete")
def deadline_rule_delete(request: Request, rule_id: int, db: DB, user: RuleAdmin) -> Response:
    rules.delete_rule(db, actor=user, rule_id=rule_id)
    return _rules_page(request, db, user, message="Aturan tenggat dihapus.")


@router.post("/admin/tenggat/cuti-bersama", name="workday_rule_save")
def workday_rule_save(request: Request, db: DB, user: RuleAdmin, form: FormData) -> Response:
    """Whether cuti bersama days are skipped in a kabupaten (its Perbup)."""
    return submit(
        db,
        lambda: rules.set_workday_rule(
            db,
            actor=user,
            regency_code=form.get("regency_code", ""),
            skip_joint_leave=form.get("skip_joint_leave", "") == "1",
            legal_basis=form.get("legal_basis", ""),
        ),
        invalid=lambda errors: _rules_page(
            request, db, user, values=form, errors=errors, form_key="workday"
        ),
        done=lambda _: _rules_page(
            request, db, user, message="Aturan cuti bersama disimpan; tenggat desa dihitung ulang."
        ),
    )
