"""The monitor's analytics pages: choropleth map, league table, trends, and their downloads."""

from __future__ import annotations

import functools
import subprocess
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.errors import Conflict, NotFound, ValidationFailed
from perdes.monitoring import analytics, linecharts, maps, services, trends
from perdes.monitoring.indicators import INDICATORS
from perdes.regions.models import LEVEL_LABELS
from perdes.tracking.deadlines import local_today
from perdes.web.deps import DB, FormData
from perdes.web.exports import MEDIA, export_response
from perdes.web.forms import submit
from perdes.web.glossary import TERMS
from perdes.web.htmx import redirect, render
from perdes.web.loaders import OwnTarget, TargetManager
from perdes.web.permissions import Monitor, requires

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


# --- League tables ---------------------------------------------------------------------------

Sort = Annotated[str, Query(max_length=20)]
Direction = Annotated[str, Query(max_length=5)]


def _league(
    db: DB, user: Monitor, wilayah: str, indikator: str, urut: str, arah: str
) -> analytics.League:
    return analytics.league(
        db,
        actor=user,
        code=wilayah or None,
        indicator_key=indikator,
        sort=urut,
        descending=arah == "turun",
    )


@router.get("/pemantauan/peringkat", name="monitoring_league")
def monitoring_league(
    request: Request,
    db: DB,
    user: Monitor,
    wilayah: Wilayah = "",
    indikator: Indikator = "",
    urut: Sort = "nilai",
    arah: Direction = "naik",
) -> Response:
    """Child regions ranked by an indicator, coloured by the admin's thresholds."""
    table = _league(db, user, wilayah, indikator, urut, arah)
    return render(
        request,
        "monitoring/league.html",
        {
            "user": user,
            "table": table,
            "board": table.board,
            "wilayah": wilayah,
            "urut": urut,
            "arah": arah,
            "indicators": {k: INDICATORS[k] for k in analytics.LEAGUE_INDICATORS},
            "ratings": analytics.RATING_LABELS,
            "level_labels": LEVEL_LABELS,
        },
        block="league",
    )


@router.get("/pemantauan/peringkat.{fmt}", name="monitoring_league_export")
def monitoring_league_export(
    fmt: str,
    db: DB,
    user: Monitor,
    wilayah: Wilayah = "",
    indikator: Indikator = "",
    urut: Sort = "nilai",
    arah: Direction = "naik",
) -> Response:
    """The league table as shown, as CSV or XLSX."""
    if fmt not in MEDIA:
        raise NotFound("Format tidak dikenal.")
    table = _league(db, user, wilayah, indikator, urut, arah)
    rows = [analytics.league_cells(r) for r in table.rows]
    name = f"peringkat-{(wilayah or 'nasional').replace('.', '')}-{table.indicator.key}"
    return export_response(fmt, name, analytics.LEAGUE_HEADER, rows)


LeagueAdmin = Annotated[Principal, Depends(requires("league.manage"))]


def _thresholds_page(
    request: Request,
    db: DB,
    user: Principal,
    *,
    values: dict[str, dict[str, str]] | None = None,
    errors: dict[str, str] | None = None,
    failed: str = "",
    status_code: int = 200,
    saved: str = "",
) -> Response:
    return render(
        request,
        "monitoring/league_thresholds.html",
        {
            "user": user,
            "items": analytics.all_thresholds(db),
            "indicators": INDICATORS,
            "values": values or {},
            "errors": errors or {},
            "failed": failed,
            "saved": saved,
        },
        status_code=status_code,
    )


@router.get("/admin/ambang-peringkat", name="league_thresholds")
def league_thresholds(
    request: Request, db: DB, user: LeagueAdmin, tersimpan: Sort = ""
) -> Response:
    """The admin's colour thresholds of the league tables, one form per indicator."""
    return _thresholds_page(request, db, user, saved=tersimpan)


@router.post("/admin/ambang-peringkat", name="league_thresholds_save")
def league_thresholds_save(request: Request, db: DB, user: LeagueAdmin, form: FormData) -> Response:
    key = form.get("indikator", "")
    posted = {key: {"merah": form.get("merah", ""), "kuning": form.get("kuning", "")}}
    try:
        version = int(form.get("version", ""))
    except ValueError:
        version = -1
    try:
        return submit(
            db,
            lambda: analytics.set_thresholds(
                db,
                actor=user,
                indicator_key=key,
                red_below=form.get("merah", ""),
                amber_below=form.get("kuning", ""),
                version=version,
            ),
            invalid=lambda errors: _thresholds_page(
                request, db, user, values=posted, errors=errors, failed=key
            ),
            done=lambda _: redirect(
                request,
                request.url_for("league_thresholds").include_query_params(tersimpan=key),
            ),
        )
    except Conflict as exc:
        return _thresholds_page(
            request,
            db,
            user,
            values=posted,
            errors={"version": exc.message},
            failed=key,
            status_code=409,
        )


# --- Trends ----------------------------------------------------------------------------------

DateText = Annotated[str, Query(max_length=10)]
Period = Annotated[str, Query(max_length=10)]
CHARTS = {
    "diundangkan": "Desa dengan Perdes diundangkan (%)",
    "skor": f"Rata-rata skor {TERMS['checklist_short']}",
}


def _date(raw: str, field: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = "Tanggal tidak valid (format TTTT-BB-HH)."
        return None


def _trend(
    db: DB, user: Monitor, wilayah: str, dari: str, sampai: str, periode: str
) -> trends.Trend:
    errors: dict[str, str] = {}
    start = _date(dari, "dari", errors)
    end = _date(sampai, "sampai", errors)
    if errors:
        raise ValidationFailed(errors)
    return trends.trend(
        db,
        actor=user,
        code=wilayah or None,
        start=start or local_today().replace(month=1, day=1),
        end=end,
        period=periode or "bulan",
    )


def trend_chart(t: trends.Trend, key: str) -> str:
    key = key if key in CHARTS else "diundangkan"
    lines = [
        linecharts.Line(
            t.total.name,
            [
                t.total.share(i) if key == "diundangkan" else t.total.mean_score(i)
                for i in range(len(t.dates))
            ],
        )
    ]
    return linecharts.percent_chart(
        t.labels,
        lines,
        title=f"{CHARTS[key]}, {t.total.name}",
        description=(
            f"{CHARTS[key]} di {t.total.name} pada akhir setiap periode dari {t.labels[0]} sampai "
            f"{t.labels[-1]}. Angka lengkap ada pada tabel."
        ),
        chart_id=f"tren-{key}",
    )


@router.get("/pemantauan/tren", name="monitoring_trend")
def monitoring_trend(
    request: Request,
    db: DB,
    user: Monitor,
    wilayah: Wilayah = "",
    dari: DateText = "",
    sampai: DateText = "",
    periode: Period = "bulan",
) -> Response:
    """Share promulgated and mean score at the end of each month or quarter, from history."""
    params = {"wilayah": wilayah, "dari": dari, "sampai": sampai, "periode": periode}
    try:
        t = _trend(db, user, wilayah, dari, sampai, periode)
    except ValidationFailed as exc:
        board = services.dashboard(db, actor=user, code=wilayah or None, with_recent=False)
        return render(
            request,
            "monitoring/trend.html",
            {"user": user, "board": board, "t": None, "errors": exc.errors, "params": params},
            status_code=422,
        )
    return render(
        request,
        "monitoring/trend.html",
        {
            "user": user,
            "board": t.board,
            "t": t,
            "errors": {},
            "params": {
                **params,
                "dari": t.start.isoformat(),
            },
            "charts": {key: trend_chart(t, key) for key in CHARTS},
            "chart_titles": CHARTS,
            "level_labels": LEVEL_LABELS,
        },
    )


@router.get("/pemantauan/tren.{fmt}", name="monitoring_trend_export")
def monitoring_trend_export(
    fmt: str,
    db: DB,
    user: Monitor,
    wilayah: Wilayah = "",
    dari: DateText = "",
    sampai: DateText = "",
    periode: Period = "bulan",
    grafik: Indikator = "diundangkan",
) -> Response:
    """The series as CSV/XLSX (every region and period), or a chart as SVG/PNG."""
    if fmt not in (*MEDIA, "svg", "png"):
        raise NotFound("Format tidak dikenal.")
    t = _trend(db, user, wilayah, dari, sampai, periode)
    name = f"tren-{(wilayah or 'nasional').replace('.', '')}-{t.period}"
    if fmt in MEDIA:
        return export_response(fmt, name, trends.TREND_HEADER, trends.trend_cells(t))
    return picture(
        trend_chart(t, grafik), fmt, f"{name}-{grafik if grafik in CHARTS else 'diundangkan'}"
    )


@router.get("/pemantauan/sasaran/{target_id}/tren", name="target_trend")
def target_trend(
    request: Request,
    db: DB,
    user: TargetManager,
    target: OwnTarget,
    sejak: DateText = "",
    periode: Period = "bulan",
) -> Response:
    """A target list's progress since any date (its desa promulgated at each period end)."""
    errors: dict[str, str] = {}
    start = _date(sejak, "sejak", errors) or local_today().replace(month=1, day=1)
    params = {"sejak": sejak or start.isoformat(), "periode": periode}
    t = None
    if not errors:
        try:
            t = trends.target_trend(db, actor=user, target=target, start=start, period=periode)
        except ValidationFailed as exc:
            errors = exc.errors
    chart = None
    if t is not None:
        chart = linecharts.percent_chart(
            t.labels,
            [linecharts.Line(target.name, [t.total.share(i) for i in range(len(t.dates))])],
            title=f"Desa dengan Perdes diundangkan (%), {target.name}",
            description=(
                f"Persentase desa dalam daftar yang Perdes-nya sudah diundangkan pada akhir setiap "
                f"periode sejak {t.start.isoformat()}. Angka lengkap ada pada tabel."
            ),
            chart_id="tren-sasaran",
        )
    return render(
        request,
        "monitoring/target_trend.html",
        {
            "user": user,
            "target": target,
            "t": t,
            "chart": chart,
            "errors": errors,
            "params": params,
        },
        status_code=422 if errors else 200,
    )
