"""Monitoring for BP3MI: the drill-down dashboard, village lists, and their exports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.errors import NotFound
from perdes.home.services import monitor_home_code
from perdes.monitoring import charts, services
from perdes.monitoring.figures import (
    FIGURE_HEADER,
    FUNNEL_KEYS,
    FUNNEL_LABELS,
    Figures,
    figure_cells,
)
from perdes.monitoring.services import LIST_KINDS, VILLAGE_HEADER, VillageFilter
from perdes.pagination import COUNT_CAP
from perdes.regions.models import LEVEL_LABELS, RegionLevel
from perdes.tracking.deadlines import local_today
from perdes.tracking.stages import STAGE_LABELS, STAGE_ORDER
from perdes.web.deps import DB, quick_read, unindexed_name_search
from perdes.web.exports import MEDIA, export_response, streamed_villages
from perdes.web.htmx import render
from perdes.web.permissions import Monitor
from perdes.web.sections import funnel_chart

router = APIRouter()

Sort = Annotated[str, Query(max_length=20)]
Direction = Annotated[str, Query(max_length=5)]


def progress_chart(children: Sequence[Figures], *, chart_id: str) -> str:
    """Share of desa with a promulgated Perdes, per child region, highest first, out of 100 %
    (one village of one is 100 %, one of forty is not)."""
    shares = [(c.name or c.code, c.promulgated_share) for c in children]
    ranked = sorted(
        ((name, share) for name, share in shares if share is not None), key=lambda x: -x[1]
    )
    bars = [charts.Bar(name, share) for name, share in ranked[:40]]
    return charts.bar_chart(
        bars,
        title="Persentase desa dengan Perdes diundangkan per wilayah",
        description=(
            "Persentase desa yang Perdes-nya sudah diundangkan, per wilayah di bawahnya, "
            "diurutkan dari yang tertinggi."
        ),
        chart_id=chart_id,
        scale=100,
        unit=" %",
    )


def _dashboard(
    request: Request, db: Session, user: Principal, kode: str | None, urut: str, arah: str
) -> Response:
    board = services.dashboard(db, actor=user, code=kode, sort=urut, descending=arah == "turun")
    villages = None
    if board.child_level is RegionLevel.DESA and board.region is not None:
        villages = services.list_villages(
            db, actor=user, filters=VillageFilter(region_code=board.region.code), per_page=1000
        )
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "user": user,
            "board": board,
            "villages": villages,
            "village_header": VILLAGE_HEADER,
            "urut": urut,
            "arah": arah,
            "header": FIGURE_HEADER,
            "funnel_keys": FUNNEL_KEYS,
            "funnel_labels": FUNNEL_LABELS,
            "funnel_svg": funnel_chart(board.total, chart_id="corong"),
            "progress_svg": progress_chart(board.children, chart_id="kemajuan"),
            "stage_labels": STAGE_LABELS,
            "level_labels": LEVEL_LABELS,
        },
        block="children",
    )


@router.get("/pemantauan/mulai", name="monitoring_home")
def monitoring_home(request: Request, user: Monitor) -> Response:
    """The menu's way in: a monitor starts at his own region (Kabupaten Serang), not Indonesia."""
    code = monitor_home_code(user)
    url = (
        request.url_for("monitoring_region", kode=code)
        if code
        else request.url_for("monitoring_dashboard")
    )
    return RedirectResponse(str(url), status_code=303)


@router.get("/pemantauan", name="monitoring_dashboard")
@quick_read
def monitoring_dashboard(
    request: Request, db: DB, user: Monitor, urut: Sort = "kode", arah: Direction = "naik"
) -> Response:
    return _dashboard(request, db, user, None, urut, arah)


@router.get("/pemantauan/wilayah/{kode}", name="monitoring_region")
@quick_read
def monitoring_region(
    request: Request,
    kode: str,
    db: DB,
    user: Monitor,
    urut: Sort = "kode",
    arah: Direction = "naik",
) -> Response:
    return _dashboard(request, db, user, kode, urut, arah)


@router.get("/pemantauan/tabel.{fmt}", name="monitoring_table_export")
def monitoring_table_export(
    fmt: str,
    db: DB,
    user: Monitor,
    wilayah: Annotated[str, Query(max_length=13)] = "",
    urut: Sort = "kode",
    arah: Direction = "naik",
) -> Response:
    """The child-region table of a dashboard, in the order shown."""
    board = services.dashboard(
        db, actor=user, code=wilayah or None, sort=urut, descending=arah == "turun"
    )
    rows = [figure_cells(f) for f in board.children]
    name = f"pemantauan-{(wilayah or 'nasional').replace('.', '')}"
    return export_response(fmt, name, FIGURE_HEADER, rows)


def _filters(wilayah: str, daftar: str, q: str, tahap: str) -> VillageFilter:
    return VillageFilter(
        region_code=wilayah or None,
        kind=daftar if daftar in LIST_KINDS else "semua",
        query=q,
        stage=tahap,
    )


Wilayah = Annotated[str, Query(max_length=13)]
Daftar = Annotated[str, Query(max_length=20)]
Cari = Annotated[str, Query(max_length=100)]
Tahap = Annotated[str, Query(max_length=40)]


@router.get("/pemantauan/desa", name="monitoring_villages")
@quick_read(slow_when=unindexed_name_search)
def monitoring_villages(
    request: Request,
    db: DB,
    user: Monitor,
    wilayah: Wilayah = "",
    daftar: Daftar = "semua",
    q: Cari = "",
    tahap: Tahap = "",
    halaman: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Villages in scope: all, not started, overdue, qualified or waiting for verification."""
    filters = _filters(wilayah, daftar, q, tahap)
    # First, and kept: list_villages finds it in the session's (weak) identity map.
    region = services.resolve_region(db, actor=user, code=filters.region_code)
    page = services.list_villages(
        db, actor=user, filters=filters, page=halaman, count_cap=COUNT_CAP
    )
    params = {"wilayah": wilayah, "daftar": filters.kind, "q": q, "tahap": tahap}
    return render(
        request,
        "monitoring/villages.html",
        {
            "user": user,
            "page": page,
            "region": region,
            "filters": filters,
            "params": params,
            "kinds": LIST_KINDS,
            "stages": STAGE_ORDER,
            "stage_labels": STAGE_LABELS,
            "village_header": VILLAGE_HEADER,
            "today": local_today(),
        },
        block="results",
    )


@router.get("/pemantauan/desa.{fmt}", name="monitoring_villages_export")
def monitoring_villages_export(
    request: Request,
    fmt: str,
    db: DB,
    user: Monitor,
    wilayah: Wilayah = "",
    daftar: Daftar = "semua",
    q: Cari = "",
    tahap: Tahap = "",
) -> Response:
    """Every row of the list (all pages), same columns as the page."""
    filters = _filters(wilayah, daftar, q, tahap)
    services.resolve_region(db, actor=user, code=filters.region_code)
    if fmt not in MEDIA:
        raise NotFound("Format tidak dikenal.")
    name = f"desa-{filters.kind}-{(wilayah or 'nasional').replace('.', '')}"
    rows = streamed_villages(request.app.state.session_factory, user, filters)
    return export_response(fmt, name, VILLAGE_HEADER, rows)
