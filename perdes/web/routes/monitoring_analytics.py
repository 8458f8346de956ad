"""The monitor's analytics pages: choropleth map, league table, trends, and their downloads."""

from __future__ import annotations

import functools
import subprocess
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from perdes.errors import NotFound
from perdes.monitoring import analytics, maps
from perdes.monitoring.indicators import INDICATORS
from perdes.regions.models import LEVEL_LABELS
from perdes.web.deps import DB
from perdes.web.htmx import render
from perdes.web.routes.monitoring import Monitor

router = APIRouter()

Wilayah = Annotated[str, Query(max_length=13)]
Indikator = Annotated[str, Query(max_length=20)]
SVG = "image/svg+xml"
PNG = "image/png"


def _map(
    request: Request, db: DB, user: Monitor, wilayah: str, indikator: str
) -> analytics.MapView:
    store: maps.GeoStore = request.app.state.geo
    return analytics.map_view(
        db,
        actor=user,
        store=store,
        code=wilayah or None,
        indicator_key=indikator,
        link=lambda code: str(request.app.url_path_for("monitoring_region", kode=code)),
    )


@router.get("/pemantauan/peta", name="monitoring_map")
def monitoring_map(
    request: Request, db: DB, user: Monitor, wilayah: Wilayah = "", indikator: Indikator = ""
) -> Response:
    """The dashboard's regions on a map coloured by an indicator, with the same table."""
    view = _map(request, db, user, wilayah, indikator)
    return render(
        request,
        "monitoring/map.html",
        {
            "user": user,
            "view": view,
            "board": view.board,
            "indicators": INDICATORS,
            "wilayah": wilayah,
            "attribution": maps.ATTRIBUTION,
            "level_labels": LEVEL_LABELS,
        },
    )


def picture(svg: str, fmt: str, filename: str) -> Response:
    """An SVG picture as a download, as SVG or rendered to PNG (resvg)."""
    if fmt == "svg":
        body, media = svg.encode("utf-8"), SVG
    elif fmt == "png":
        body, media = render_png(svg), PNG
    else:
        raise NotFound("Format tidak dikenal.")
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.{fmt}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@functools.cache
def sans_serif_family() -> str:
    """The system's sans-serif font (resvg's own default, Arial, is rarely installed)."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{family[0]}", "sans-serif"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    return found or "DejaVu Sans"


def render_png(svg: str) -> bytes:
    """The picture at its view size, on white, text in the system's sans-serif font."""
    import resvg_py

    family = sans_serif_family()
    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=svg,
            background="#ffffff",
            font_family=family,
            sans_serif_family=family,
        )
    )


@router.get("/pemantauan/peta.{fmt}", name="monitoring_map_download")
def monitoring_map_download(
    request: Request,
    fmt: str,
    db: DB,
    user: Monitor,
    wilayah: Wilayah = "",
    indikator: Indikator = "",
) -> Response:
    """The map as an SVG or PNG file for a report (legend and attribution included)."""
    if fmt not in ("svg", "png"):
        raise NotFound("Format tidak dikenal.")
    view = _map(request, db, user, wilayah, indikator)
    if view.svg is None:
        raise NotFound("Peta wilayah ini tidak tersedia.")
    name = f"peta-{(wilayah or 'nasional').replace('.', '')}-{view.indicator.key}"
    return picture(view.svg, fmt, name)
