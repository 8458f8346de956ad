"""Every HX-* header lives here: page vs fragment for the same URL, redirects, Vary."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import URL

from perdes.web.deps import commit_before_rendering


def is_htmx(request: Request) -> bool:
    """A partial htmx request: it wants a fragment. A boosted link still wants the page."""
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render the whole page, or only ``block`` of it when htmx asks for a fragment."""
    commit_before_rendering(request)
    templates = request.app.state.templates
    ctx = {"request": request, **context}
    if block is not None and is_htmx(request):
        response: Response = templates.TemplateResponse(
            request, template, ctx, block_name=block, status_code=status_code
        )
    else:
        response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    return response


def redirect(request: Request, url: str | URL) -> Response:
    """After a successful POST: htmx follows HX-Location without a full reload, others get 303."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Location": str(url)})
    return RedirectResponse(str(url), status_code=303)
