"""UU 27/2022 pages of the register: requests of the person and the export of their own
data, the village's access log, and breach records with the 3 x 24-hour duty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import Conflict
from perdes.regions import services as regions
from perdes.register import rights
from perdes.register.retention import remove_files
from perdes.validation import parse_int
from perdes.web.deps import DB, AppSettings, FormData
from perdes.web.forms import submit
from perdes.web.htmx import redirect, render
from perdes.web.permissions import requires
from perdes.web.register_pages import Keys, labels, save_or_rerender

router = APIRouter()

Recorder = Annotated[Principal, Depends(requires("register.record"))]
Exporter = Annotated[Principal, Depends(requires("register.export"))]
Protector = Annotated[Principal, Depends(requires("register.protect"))]


@router.post("/pmi/orang/{pid}/permintaan", name="register_request_add")
def register_request_add(
    request: Request, pid: str, db: DB, user: Recorder, form: FormData, keys: Keys
) -> Response:
    return save_or_rerender(
        request, db, user, pid, keys, form, "permintaan",
        lambda: rights.record_request(db, actor=user, public_id=pid, data=form),
    )  # fmt: skip


@router.post("/pmi/orang/{pid}/permintaan/{request_id}", name="register_request_answer")
def register_request_answer(
    request: Request,
    pid: str,
    request_id: int,
    db: DB,
    user: Recorder,
    form: FormData,
    keys: Keys,
    settings: AppSettings,
) -> Response:
    released: list[Path] = []

    def answer() -> None:
        _, files = rights.answer_request(
            db, actor=user, public_id=pid, request_id=request_id, data=form,
            expected_version=parse_int(form.get("version", "")),
        )  # fmt: skip
        released.extend(files)

    response = save_or_rerender(
        request, db, user, pid, keys, form, f"permintaan-{request_id}", answer
    )
    if released:  # a granted deletion: the scans go once the anonymisation is committed
        db.commit()
        remove_files(settings.effective_upload_path, released)
    return response


@router.get("/pmi/orang/{pid}/ekspor", name="register_person_export")
def register_person_export(
    request: Request, pid: str, db: DB, user: Exporter, keys: Keys
) -> Response:
    """Everything held on the person, as JSON for the person (written to the access log)."""
    data = rights.export_own_data(db, actor=user, public_id=pid, keyring=keys)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="data-pribadi.json"'},
    )


@router.get("/desa/{kode}/pmi/akses", name="register_access_log")
def register_access_log(request: Request, kode: str, db: DB, user: Protector) -> Response:
    """Who opened which record of the village, when and why."""
    village = regions.get_village(db, code=kode, scope=user.scope)
    page = parse_int(request.query_params.get("halaman", "1"), lo=1, hi=100_000) or 1
    entries = rights.access_log(db, actor=user, village_code=kode, page=page)
    return render(
        request,
        "register/access_log.html",
        {"user": user, "village": village, "entries": entries, **labels()},
    )


def _breaches(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form_key: str = "",
    conflict: str = "",
    status_code: int = 200,
) -> Response:
    village = regions.get_village(db, code=kode, scope=user.scope)
    rows = rights.breach_rows(db, actor=user, village_code=kode)
    context: dict[str, Any] = {
        "user": user,
        "village": village,
        "rows": rows,
        "errors": errors or {},
        "values": values or {},
        "form_key": form_key,
        "conflict": conflict,
        "now": utcnow(),
    }
    return render(request, "register/breaches.html", context, status_code=status_code)


@router.get("/desa/{kode}/pmi/insiden", name="register_breaches")
def register_breaches(request: Request, kode: str, db: DB, user: Protector) -> Response:
    return _breaches(request, db, user, kode)


@router.post("/desa/{kode}/pmi/insiden", name="register_breach_add")
def register_breach_add(
    request: Request, kode: str, db: DB, user: Protector, form: FormData
) -> Response:
    regions.get_village(db, code=kode, scope=user.scope)
    return submit(
        db,
        lambda: rights.record_breach(db, actor=user, village_code=kode, data=form),
        invalid=lambda errors: _breaches(
            request, db, user, kode, errors=errors, values=form, form_key="baru"
        ),
        done=lambda _: redirect(request, request.url_for("register_breaches", kode=kode)),
    )


@router.post("/desa/{kode}/pmi/insiden/{breach_id}", name="register_breach_update")
def register_breach_update(
    request: Request, kode: str, breach_id: int, db: DB, user: Protector, form: FormData
) -> Response:
    regions.get_village(db, code=kode, scope=user.scope)
    key = f"insiden-{breach_id}"
    try:
        return submit(
            db,
            lambda: rights.record_notification(
                db,
                actor=user,
                village_code=kode,
                breach_id=breach_id,
                data=form,
                expected_version=parse_int(form.get("version", "")),
            ),
            invalid=lambda errors: _breaches(
                request, db, user, kode, errors=errors, values=form, form_key=key
            ),
            done=lambda _: redirect(request, request.url_for("register_breaches", kode=kode)),
        )
    except Conflict as exc:
        return _breaches(
            request, db, user, kode, values=form, form_key=key, conflict=exc.message,
            status_code=409,
        )  # fmt: skip
