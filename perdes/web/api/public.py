"""The public JDIHN feed: the published legal products under a region as a bare JSON array of
JDIHN integration records (the form JDIH sites send to jdihn.go.id), without a token.

Paginated (``page``, ``per_page`` ≤ 100; ``Link: rel="next"`` and ``X-Total-Count``),
cacheable (``ETag`` from the body, ``Last-Modified`` from the products, ``Cache-Control:
public``; ``If-None-Match`` answers 304), and bounded: a page holds at most 100 records.
"""

from __future__ import annotations

import hashlib
import json
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from perdes.exchange import public
from perdes.web.api.common import PREFIX, JdihnRecord, RegionCode, operation_id
from perdes.web.api.errors import responses
from perdes.web.deps import DB, AppSettings
from perdes.web.permissions import public_route

router = APIRouter(
    prefix=PREFIX,
    tags=["public"],
    generate_unique_id_function=operation_id,
    dependencies=[Depends(public_route)],
)

CACHE = "public, max-age=300"


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _not_modified(request: Request, etag: str, modified: str | None) -> bool:
    sent = request.headers.get("if-none-match")
    if sent is not None:
        return etag in [t.strip().removeprefix("W/") for t in sent.split(",")] or sent == "*"
    since = request.headers.get("if-modified-since")
    if since and modified:
        try:
            return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


@router.get(
    "/public/jdihn/{code}",
    name="api_public_jdihn",
    summary="Public JDIHN feed of the published legal products under a region",
    response_model=list[JdihnRecord],
    responses={
        **responses(400, 404, 422, 500),
        304: {"description": "Not modified (ETag or Last-Modified matched)."},
    },
    openapi_extra={"security": []},  # public: no token
)
def public_jdihn(
    request: Request,
    code: RegionCode,
    db: DB,
    settings: AppSettings,
    page: Annotated[int, Query(ge=1, le=public.MAX_PAGE, description="Page, from 1.")] = 1,
    per_page: Annotated[
        int, Query(ge=1, le=public.MAX_PER_PAGE, description="Records per page.")
    ] = 50,
) -> Response:
    region = public.public_region(db, code=code)

    base = settings.base_url.rstrip("/")  # the site's public address, as in e-mail links

    def urls(product: public.PublicProduct) -> tuple[str, str | None]:
        kode, pid = product.village.code, product.adoption.id
        detail = request.app.url_path_for("public_product", kode=kode, product_id=pid)
        scan = request.app.url_path_for("public_product_scan", kode=kode, product_id=pid)
        return f"{base}{detail}", f"{base}{scan}" if product.scan is not None else None

    found = public.jdihn_records(db, region=region, page=page, per_page=per_page, urls=urls)
    body = json.dumps(found.items, ensure_ascii=False, separators=(",", ":")).encode()
    etag = _etag(body)
    changed = public.last_modified(db, region=region)
    modified = format_datetime(changed, usegmt=True) if changed else None
    headers = {"ETag": etag, "Cache-Control": CACHE, "X-Total-Count": str(found.total)}
    if modified:
        headers["Last-Modified"] = modified
    if found.has_next:
        nxt = request.url.include_query_params(page=page + 1, per_page=per_page)
        headers["Link"] = f'<{nxt}>; rel="next"'
    if _not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
