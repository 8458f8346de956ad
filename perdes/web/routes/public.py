"""Public pages without sign-in: the published legal products of a village and of a
kabupaten, one product with its official scan (``perdes.exchange.public``).

The same HTML for everyone (no user, no form token, no cookie: see
``permissions.AnonymousCookieMiddleware``), so it may be cached: ``Cache-Control: public``.
An unpublished product, a product of another village, or an unknown region is 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from perdes.errors import NotFound
from perdes.exchange import public
from perdes.web.deps import DB, AppSettings
from perdes.web.files import evidence_response
from perdes.web.htmx import render
from perdes.web.permissions import public_route

router = APIRouter(dependencies=[Depends(public_route)])

PUBLIC_CACHE = "public, max-age=300"
PER_PAGE = 50
Halaman = Annotated[int, Query(ge=1, le=public.MAX_PAGE)]


def _public(response: Response) -> Response:
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


@router.get("/favicon.ico", name="favicon", include_in_schema=False)
def favicon(request: Request) -> Response:
    """Where browsers look for an icon when a response names none (a PDF, a JSON answer):
    the app's SVG icon, by its fingerprinted URL."""
    target = request.app.state.static.url("favicon.svg")
    response = RedirectResponse(str(target), status_code=301)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@router.get("/publik/desa/{kode}", name="public_village")
def public_village(request: Request, kode: str, db: DB, halaman: Halaman = 1) -> Response:
    region = public.public_village(db, village_code=kode)
    products = public.region_products(db, region=region, page=halaman, per_page=PER_PAGE)
    return _public(render(request, "public/village.html", {"region": region, "products": products}))


@router.get("/publik/kabupaten/{kode}", name="public_regency")
def public_regency(request: Request, kode: str, db: DB, halaman: Halaman = 1) -> Response:
    region = public.public_regency(db, regency_code=kode)
    products = public.region_products(db, region=region, page=halaman, per_page=PER_PAGE)
    return _public(render(request, "public/regency.html", {"region": region, "products": products}))


@router.get("/publik/desa/{kode}/produk/{product_id}", name="public_product")
def public_product(request: Request, kode: str, product_id: int, db: DB) -> Response:
    product = public.public_product(db, village_code=kode, product_id=product_id)
    context = {
        "village": product.village,
        "product": product,
        "related": public.related(db, product=product),
        "partner_names": public.partner_names(db, product=product),
    }
    return _public(render(request, "public/product.html", context))


@router.get("/publik/desa/{kode}/produk/{product_id}/naskah", name="public_product_scan")
def public_product_scan(kode: str, product_id: int, db: DB, settings: AppSettings) -> Response:
    """The official scan (the file attached to the publication step), under a generated
    name; 404 when the product is not public or has no scan."""
    product = public.public_product(db, village_code=kode, product_id=product_id)
    if product.scan is None:
        raise NotFound("Pindaian naskah resmi belum diunggah.")
    return _public(evidence_response(settings, product.scan, filename=product.scan_name))
