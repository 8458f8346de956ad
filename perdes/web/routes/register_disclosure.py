"""Named exports of register records for the Dinas: request, a second officer's decision,
download (logged per person). Only the village's operator and petugas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from perdes.accounts.principal import Principal
from perdes.monitoring.exports import csv_stream
from perdes.regions import services as regions
from perdes.register import disclosure
from perdes.register.basis import PURPOSE_LABELS
from perdes.validation import parse_int
from perdes.web.deps import DB, FormData
from perdes.web.forms import submit
from perdes.web.htmx import redirect, render
from perdes.web.permissions import requires
from perdes.web.register_pages import Keys

router = APIRouter()

Exporter = Annotated[Principal, Depends(requires("register.export"))]
BASE = "/desa/{kode}/pmi/ekspor-dinas"


def _page(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    village = regions.get_village(db, code=kode, scope=user.scope)
    return render(
        request,
        "register/disclosures.html",
        {
            "user": user,
            "village": village,
            "rows": disclosure.disclosures(db, actor=user, village_code=kode),
            "purposes": [(p.value, PURPOSE_LABELS[p]) for p in disclosure.PURPOSES],
            "selection_labels": disclosure.SELECTION_LABELS,
            "status_labels": disclosure.STATUS_LABELS,
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get(BASE, name="register_disclosures")
def register_disclosures(request: Request, kode: str, db: DB, user: Exporter) -> Response:
    return _page(request, db, user, kode)


@router.post(BASE, name="register_disclosure_create")
def register_disclosure_create(
    request: Request, kode: str, db: DB, user: Exporter, form: FormData
) -> Response:
    """Record a request (purpose, legal basis, the recipient's letter); 422 with the form."""
    regions.get_village(db, code=kode, scope=user.scope)
    return submit(
        db,
        lambda: disclosure.request_disclosure(db, actor=user, village_code=kode, data=form),
        invalid=lambda errors: _page(request, db, user, kode, values=form, errors=errors),
        done=lambda _: redirect(request, request.url_for("register_disclosures", kode=kode)),
    )


@router.post(BASE + "/{nomor}/putuskan", name="register_disclosure_decide")
def register_disclosure_decide(
    request: Request, kode: str, nomor: int, db: DB, user: Exporter, form: FormData
) -> Response:
    """Approve or refuse; the requester cannot (403), a stale or decided one is 409."""
    disclosure.decide_disclosure(
        db,
        actor=user,
        village_code=kode,
        disclosure_id=nomor,
        approve=form.get("keputusan") == "setujui",
        version=parse_int(form.get("version", ""), lo=1),
    )
    return redirect(request, request.url_for("register_disclosures", kode=kode))


@router.post(BASE + "/{nomor}/unduh", name="register_disclosure_download")
def register_disclosure_download(
    kode: str, nomor: int, db: DB, user: Exporter, keys: Keys
) -> Response:
    """The approved file as CSV (posted: downloading it writes the access log)."""
    rows = disclosure.export_disclosure(
        db, actor=user, village_code=kode, disclosure_id=nomor, keyring=keys
    )
    name = f"ekspor-dinas-{kode.replace('.', '')}-{nomor}.csv"
    return StreamingResponse(
        csv_stream(disclosure.HEADER, rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
