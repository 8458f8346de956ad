"""The yardstick for bench/load_test.py: a bare FastAPI app serving the monitoring list's table.

It runs the same two SQL statements as ``/pemantauan/desa?wilayah=CODE`` (the count and the
50-row page, built by the app's own service for an admin) in an ``async def`` route on a plain
engine, and renders the same Jinja table template (``monitoring/_village_table.html``) from the
same rows, with no sessions, permissions, middleware, layout or CSRF.

    PERDES_DATABASE_URL=... BARE_REGION=36.04 uvicorn bench.bare_app:app --workers 2
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.db import make_engine
from perdes.monitoring.services import (
    VILLAGE_HEADER,
    VillageFilter,
    _order,
    _status,
    _village_select,
)
from perdes.pagination import COUNT_CAP
from perdes.regions.models import Region
from perdes.tracking.deadlines import local_today
from perdes.tracking.stages import STAGE_LABELS
from perdes.web.templating import TEMPLATES_DIR, angka, tanggal

engine = make_engine(os.environ["PERDES_DATABASE_URL"])
CODE = os.environ["BARE_REGION"]
TODAY = local_today()
with Session(engine) as session:
    REGION = session.get(Region, CODE)
FILTERS = VillageFilter(region_code=CODE)
ADMIN = Principal.system()
ROWS = _village_select(actor=ADMIN, region=REGION, filters=FILTERS, today=TODAY, count_only=True)
COUNT = select(func.count()).select_from(ROWS.limit(COUNT_CAP + 1).subquery())  # as the app
PAGE = _order(
    _village_select(actor=ADMIN, region=REGION, filters=FILTERS, today=TODAY), FILTERS.kind
).limit(50)

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
