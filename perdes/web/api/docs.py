"""The OpenAPI document of the API (API routes only, never pages) and a page that reads it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.routing import BaseRoute

from perdes import __version__
from perdes.web.api.common import PREFIX
from perdes.web.htmx import render
from perdes.web.permissions import MaybeUser, public_route

router = APIRouter(prefix=PREFIX)

DESCRIPTION = """\
JSON API of Perdes PMI: regions and villages with their Perdes stage and checklist score,
a village's adoption timeline, checklist and drafts; recording an adoption step and answering
a checklist item; rendering a draft to DOCX; JDIHN metadata of promulgated Perdes.

**Authentication**: create a personal token on the *Akun saya* page (`/akun`) and send it as
`Authorization: Bearer <token>`. A token carries its owner's role and regions, nothing more;
revoking it takes effect at once. Browser sessions also work; their writes need the
`X-CSRF-Token` header.

**Errors** always have the body `{"error": {"status", "code", "message", "fields", "detail"}}`.

**Lists** are paginated with `?page=` and `?per_page=`; `meta.next_page` is null on the last page.
"""


def api_routes(request: Request) -> list[BaseRoute]:
    """The routes of the API modules only (``app.state.api_routers``): pages stay out."""
    combined = APIRouter()
    for api_router in request.app.state.api_routers:
        combined.include_router(api_router)
    return list(combined.routes)


def openapi_document(request: Request) -> dict[str, Any]:
    """Built once per app from the API routes alone, with the Bearer scheme on every operation."""
    cached: dict[str, Any] | None = getattr(request.app.state, "api_openapi", None)
    if cached is not None:
        return cached
    doc = get_openapi(
        title="Perdes PMI API",
        version=__version__,
        openapi_version="3.1.0",
        description=DESCRIPTION,
        routes=api_routes(request),
        servers=[{"url": "/"}],
    )
    doc.setdefault("components", {})["securitySchemes"] = {
        "bearerToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from /akun (starts with 'pdp_').",
        }
    }
    doc["security"] = [{"bearerToken": []}]
    request.app.state.api_openapi = doc
    return doc


def schema_refs(node: object) -> list[str]:
    """Names of the component schemas ``node`` refers to, in order, for links on the page."""
    found: list[str] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.append(ref.rsplit("/", 1)[1])
        for value in node.values():
            found.extend(n for n in schema_refs(value) if n not in found)
    elif isinstance(node, list):
        for value in node:
            found.extend(n for n in schema_refs(value) if n not in found)
    return found


@router.get(
    "/openapi.json",
    name="api_openapi",
    include_in_schema=False,
    dependencies=[Depends(public_route)],
)
def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(openapi_document(request))


_MARKDOWN = MarkdownIt("commonmark", {"html": False})  # raw HTML in descriptions stays text


def markdown(text: str | None) -> Markup:
    """The OpenAPI descriptions are CommonMark: render them (escaped, no raw HTML)."""
    return Markup(_MARKDOWN.render(text or ""))


@router.get("/docs", name="api_docs", include_in_schema=False, dependencies=[Depends(public_route)])
def docs(request: Request, user: MaybeUser) -> Response:
    """A plain page listing every operation, its parameters, body and responses; the header
    shows who is signed in, like every other page."""
    doc = openapi_document(request)
    operations = [
        {"method": method.upper(), "path": path, **op}
        for path, item in doc["paths"].items()
        for method, op in item.items()
    ]
    return render(
        request,
        "api/docs.html",
        {
            "doc": doc,
            "operations": operations,
            "user": user,
            "refs": schema_refs,
            "markdown": markdown,
        },
        block="content",
    )
