"""The yardstick for bench/load_test.py: a bare FastAPI app serving the monitoring list's table.

It runs the same two SQL statements as ``/pemantauan/desa?wilayah=CODE`` (the count and the
50-row page, built by the app's own service for an admin) in an ``async def`` route on a plain
engine, and renders the same Jinja table template (``monitoring/_village_table.html``) from the
same rows, with no sessions, permissions, middleware, layout or CSRF.

The other routes are the same-work yardsticks of the other pages: ``/same/...`` makes the same
service calls as the page's route (so the same SQL statements, as the benchmark admin) and
renders the same Jinja content (the page's ``content`` block, with the app's own template
environment and URL helpers), in a plain ``def`` route run in the thread pool as the app's are
(an ``async def`` route doing this much blocking work stalls its worker under load); what the
app adds on top is its per-request overhead (middleware, dependency injection, the session and
principal, CSRF, the layout).

    PERDES_DATABASE_URL=... BARE_REGION=36.04 uvicorn bench.bare_app:app --workers 2
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader
from jinja2_fragments import render_block
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.checklist import views as checklist
from perdes.config import Settings
from perdes.db import make_engine
from perdes.monitoring import services as monitoring
from perdes.monitoring.figures import FIGURE_HEADER, FUNNEL_KEYS, FUNNEL_LABELS
from perdes.monitoring.services import (
    VILLAGE_HEADER,
    VillageFilter,
    _order,
    _status,
    _village_select,
    _where,
)
from perdes.pagination import COUNT_CAP
from perdes.regions import services as regions
from perdes.regions.models import LEVEL_LABELS, Region, RegionLevel
from perdes.regions.scope import Scope
from perdes.tracking.deadlines import local_today
from perdes.tracking.stages import STAGE_LABELS
from perdes.web.app import create_app
from perdes.web.routes import monitoring as monitoring_routes
from perdes.web.sections import funnel_chart, tracker_section
from perdes.web.templating import TEMPLATES_DIR, angka, tanggal

engine = make_engine(os.environ["PERDES_DATABASE_URL"])
CODE = os.environ["BARE_REGION"]
TODAY = local_today()
with Session(engine) as session:
    REGION = session.get(Region, CODE)
FILTERS = VillageFilter(region_code=CODE)
ADMIN = Principal.system()
WHERE = _where(ADMIN, REGION)
ROWS = _village_select(where=WHERE, filters=FILTERS, today=TODAY, count_only=True)
COUNT = select(func.count()).select_from(ROWS.limit(COUNT_CAP + 1).subquery())  # as the app
PAGE = _order(_village_select(where=WHERE, filters=FILTERS, today=TODAY), FILTERS.kind).limit(50)

env = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters.update(tanggal=tanggal, angka=angka)
env.globals["path_for"] = lambda name, **params: f"/desa/{params['kode']}"
TEMPLATE = env.from_string(
    '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Desa</title></head>'
    "<body><p>{{ total|angka }} desa/kelurahan.</p>"
    "{% include 'monitoring/_village_table.html' %}</body></html>"
)

app = FastAPI()


@app.get("/table")
async def table() -> HTMLResponse:
    with engine.connect() as conn:
        total = conn.scalar(COUNT)
        rows = [_status(r) for r in conn.execute(PAGE)]
    html = TEMPLATE.render(
        total=total,
        rows=rows,
        village_header=VILLAGE_HEADER,
        stage_labels=STAGE_LABELS,
        today=TODAY,
    )
    return HTMLResponse(html)


# --- Same-work yardsticks of the other pages ---------------------------------------------------

PERDES = create_app(
    Settings(
        instance_path=Path(tempfile.mkdtemp(prefix="bare-")),
        database_url=os.environ["PERDES_DATABASE_URL"],
        secret_key="bare",
    )
)  # not served: its router builds the URLs in the templates, as in the app
PAGES = PERDES.state.templates.env
SESSIONS = PERDES.state.session_factory
BENCH_ADMIN = Principal(
    user_id=1,
    username="bench.admin",
    full_name="Admin benchmark",
    role=Role.ADMIN,
    scope=Scope.all(),
)
REQUEST = SimpleNamespace(
    app=PERDES,
    state=SimpleNamespace(csrf_token="0" * 64),
    headers={},
    base_url="http://127.0.0.1/",
)


def content(template: str, **context: Any) -> HTMLResponse:
    html = render_block(PAGES, template, "content", request=REQUEST, user=BENCH_ADMIN, **context)
    return HTMLResponse(html)


@app.get("/same/desa")
def same_directory(q: str = "") -> HTMLResponse:
    with SESSIONS() as db:
        scope = BENCH_ADMIN.scope
        result = regions.search_villages(
            db,
            scope=scope,
            query=q,
            province="",
            regency="",
            district="",
            page=1,
            per_page=25,
            count_cap=COUNT_CAP,
        )
        provinces = regions.list_children(db, parent_code=None, scope=scope)
        params = {"q": q.strip(), "provinsi": "", "kabupaten": "", "kecamatan": ""}
        return content(
            "regions/directory.html",
            result=result,
            params=params,
            provinces=provinces,
            regencies=[],
            districts=[],
        )


@app.get("/same/desa/{kode}")
def same_village(kode: str) -> HTMLResponse:
    with SESSIONS() as db:
        village = regions.get_village(db, code=kode, scope=BENCH_ADMIN.scope)
        return content(
            "regions/village.html",
            village=village,
            checklists=checklist.village_checklists(
                db, actor=BENCH_ADMIN, village_code=kode, village=village
            ),
            tracker_section=tracker_section(db, BENCH_ADMIN, kode, region=village.region),
        )


@app.get("/same/pemantauan")
def same_dashboard() -> HTMLResponse:
    with SESSIONS() as db:
        board = monitoring.dashboard(
            db, actor=BENCH_ADMIN, code=None, sort="kode", descending=False
        )
        assert board.child_level is RegionLevel.PROVINSI
        return content(
            "monitoring/dashboard.html",
            board=board,
            villages=None,
            village_header=VILLAGE_HEADER,
            urut="kode",
            arah="naik",
            header=FIGURE_HEADER,
            funnel_keys=FUNNEL_KEYS,
            funnel_labels=FUNNEL_LABELS,
            funnel_svg=funnel_chart(board.total, chart_id="corong"),
            progress_svg=monitoring_routes.progress_chart(board.children, chart_id="kemajuan"),
            stage_labels=STAGE_LABELS,
            level_labels=LEVEL_LABELS,
        )
