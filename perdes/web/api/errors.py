"""The one error body of the JSON API, and the OpenAPI declaration of every error status.

Every error under ``/api/`` has the shape
``{"error": {"status": 404, "code": "not_found", "message": "...", "fields": {}, "detail": null}}``:
``message`` is English; ``fields`` maps an input field to what is wrong with it; ``detail``
carries the app's own explanation (Indonesian, as the pages show it) when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
}
MESSAGES = {
    400: "The request could not be understood.",
    401: "Authentication required: send a valid API token as 'Authorization: Bearer <token>'.",
    403: "You may not do this, or not for this region.",
    404: "Not found, or outside the regions you may see.",
    405: "This method is not allowed on this path.",
    409: "The request conflicts with the current state of the data.",
    413: "The request body is too large.",
    422: "The input was refused; see 'fields'.",
    429: "Too many requests.",
    500: "Internal server error.",
}


class ErrorDetail(BaseModel):
    status: int = Field(description="The HTTP status, repeated.")
    code: str = Field(description="A stable machine-readable code, e.g. 'validation_failed'.")
    message: str = Field(description="What went wrong, in English.")
    fields: dict[str, str] = Field(
        default_factory=dict, description="Input field (dotted path) -> what is wrong with it."
    )
    detail: str | None = Field(
        default=None, description="The app's own explanation (Indonesian), when it has one."
    )


class ErrorBody(BaseModel):
    """The body of every error response of the API."""

    error: ErrorDetail


def error_body(
    status: int,
    *,
    message: str | None = None,
    detail: str | None = None,
    fields: dict[str, str] | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": code or CODES.get(status, "error"),
            "message": message or MESSAGES.get(status, "Error."),
            "fields": dict(fields or {}),
            "detail": detail,
        }
    }


def api_error_response(
    status: int,
    *,
    message: str | None = None,
    detail: str | None = None,
    fields: dict[str, str] | None = None,
    code: str | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(status, message=message, detail=detail, fields=fields, code=code),
        status_code=status,
    )


def request_validation_response(errors: Sequence[Any]) -> JSONResponse:
    """FastAPI's request validation errors in the one shape; unparsable JSON is a 400."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return api_error_response(
            400, code="malformed_json", message="The request body is not valid JSON."
        )
    fields: dict[str, str] = {}
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        fields.setdefault(".".join(loc) or "request", str(e.get("msg", "invalid")))
    return api_error_response(422, fields=fields)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the given error statuses, each with the error body."""
    return {
        status: {"model": ErrorBody, "description": MESSAGES[status]} for status in sorted(statuses)
    }


# Every route can answer these: bad token (401), role (403), unknown path values (404),
# bad query or path values (422), a bug (500).
READ = (400, 401, 403, 404, 422, 500)
# Routes with a JSON body add: body too large (413), state conflicts (409).
WRITE = (*READ, 409, 413)
