"""Register figures for monitors: counts per region, small counts suppressed, never a name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from perdes.accounts.principal import Principal
from perdes.errors import NotFound
from perdes.monitoring import register as register_monitoring
from perdes.monitoring.exports import csv_stream, xlsx_stream
from perdes.register.suppression import HIDDEN_LABEL, THRESHOLD
from perdes.web.deps import DB
from perdes.web.htmx import render
from perdes.web.permissions import requires

router = APIRouter()

Monitor = Annotated[Principal, Depends(requires("monitoring.view"))]
Wilayah = Annotated[str, Query(max_length=13)]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _page(request: Request, db: DB, user: Principal, kode: str | None) -> Response:
    table = register_monitoring.region_table(db, actor=user, code=kode)
    return render(
        request,
        "register/figures.html",
        {
            "user": user,
            "table": table,
            "shown": register_monitoring.SHOWN,
            "share_header": register_monitoring.SHARE_HEADER,
            "hidden_label": HIDDEN_LABEL,
            "threshold": THRESHOLD,
        },
    )


@router.get("/pemantauan/register", name="register_figures")
def register_figures(request: Request, db: DB, user: Monitor) -> Response:
    return _page(request, db, user, None)


@router.get("/pemantauan/register/wilayah/{kode}", name="register_figures_region")
def register_figures_region(request: Request, kode: str, db: DB, user: Monitor) -> Response:
    return _page(request, db, user, kode)


@router.get("/pemantauan/register.{fmt}", name="register_figures_export")
def register_figures_export(fmt: str, db: DB, user: Monitor, wilayah: Wilayah = "") -> Response:
    """The same table as the page, suppressed the same way, as CSV or XLSX."""
    table = register_monitoring.region_table(db, actor=user, code=wilayah or None)
    if fmt not in MEDIA:
        raise NotFound("Format tidak dikenal.")
    name = f"register-pmi-{(wilayah or 'nasional').replace('.', '')}"
    rows = register_monitoring.export_rows(table)
    header = register_monitoring.HEADER
    body = (
        csv_stream(header, rows)
        if fmt == "csv"
        else xlsx_stream(header, rows, sheet_title="Register PMI")
    )
    return StreamingResponse(
        body,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
