"""Every HX-* header lives here: page vs fragment for the same URL, redirects, Vary."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import URL

from perdes.web.deps import commit_before_rendering


def is_htmx(request: Request) -> bool:
    """A partial htmx request: it wants a fragment. A boosted link still wants the page, and
    so does htmx restoring history after a cache miss (Back button): it swaps the answer in
    as the whole body."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def from_htmx(request: Request) -> bool:
    """Any request made by htmx (fragment, boosted link or history restore)."""
    return request.headers.get("HX-Request") == "true"


def login_required(request: Request, login_url: str) -> Response | None:
    """For htmx: 401 and no redirect, so the page (and the user's unsaved input) stays and
    the app's script says the session ended. None for other requests."""
    if not from_htmx(request):
        return None
    return Response(
        "Sesi berakhir — silakan masuk lagi.",
        status_code=401,
        media_type="text/plain; charset=utf-8",
        headers={"HX-Login": login_url},
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
        ctx["fragment"] = True  # a block may then add out-of-band parts (hx-swap-oob)
        response: Response = templates.TemplateResponse(
            request, template, ctx, block_name=block, status_code=status_code
        )
    else:
        response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    if request.method != "GET" and request.headers.get("HX-Boosted") == "true":
        # A page answering a boosted form (its errors, a 409): htmx would put the form's
        # action in the address bar, which a reload then asks for with GET (405). The
        # address stays that of the page the form was on.
        response.headers["HX-Push-Url"] = "false"
    return response


def redirect(request: Request, url: str | URL) -> Response:
    """After a successful POST: htmx follows HX-Location without a full reload, others get 303.

    htmx fetches the new URL into <body>, so it must get the whole page, not the fragment a
    widget would get: the request says so with ``HX-Boosted`` (see ``is_htmx``)."""
    if from_htmx(request):
        spec = {"path": str(url), "target": "body", "headers": {"HX-Boosted": "true"}}
        return Response(status_code=204, headers={"HX-Location": json.dumps(spec)})
    return RedirectResponse(str(url), status_code=303)
