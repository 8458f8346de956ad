"""Domain errors and HTTP errors mapped to responses, in one place."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from perdes.errors import Conflict, DomainError, NotFound, OutOfScope, ValidationFailed
from perdes.regions.eligibility import FIELD, PerdesNotAllowed
from perdes.web.api.errors import api_error_response, request_validation_response
from perdes.web.htmx import render

STATUS_TITLES = {
    400: "Permintaan tidak valid",
    401: "Silakan masuk",
    403: "Akses ditolak",
    404: "Halaman tidak ditemukan",
    405: "Metode tidak diizinkan",
    409: "Terjadi bentrokan data",
    413: "Berkas terlalu besar",
    422: "Isian tidak valid",
    429: "Terlalu banyak percobaan",
    500: "Terjadi kesalahan",
}
_CODES = {s.value for s in HTTPStatus}
COLLISION = (
    "Data yang sama baru saja diubah oleh pengguna lain. Muat ulang halaman, periksa, lalu "
    "simpan lagi."
)
COLLISION_API = "Another request changed the same record at the same time; reload and retry."
DEFAULT_MESSAGES = {
    404: "Halaman atau data yang Anda cari tidak ada, atau Anda tidak berhak melihatnya.",
    405: "Alamat ini tidak menerima cara akses tersebut.",
    500: "Maaf, terjadi kesalahan di server. Silakan coba lagi.",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def wants_json(request: Request) -> bool:
    return is_api(request) or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


def error_response(
    request: Request,
    status: int,
    message: str | None = None,
    *,
    fields: dict[str, str] | None = None,
    code: str | None = None,
) -> Response:
    if is_api(request):
        return api_error_response(status, detail=message, fields=fields, code=code)
    message = message or DEFAULT_MESSAGES.get(status) or STATUS_TITLES.get(status, "Kesalahan")
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
    return render(
        request,
        "errors/error.html",
        {
            "status": status,
            "title": STATUS_TITLES.get(status, "Kesalahan"),
            "message": message,
            "user": getattr(request.state, "principal", None),
        },
        block="content",
        status_code=status,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    def _not_found(request: Request, exc: NotFound) -> Response:
        return error_response(request, 404, exc.message)

    @app.exception_handler(OutOfScope)
    def _forbidden(request: Request, exc: OutOfScope) -> Response:
        return error_response(request, 403, exc.message)

    @app.exception_handler(Conflict)
    def _conflict(request: Request, exc: Conflict) -> Response:
        return error_response(request, 409, exc.message)

    @app.exception_handler(ValidationFailed)
    def _invalid(request: Request, exc: ValidationFailed) -> Response:
        if is_api(request) and isinstance(exc, PerdesNotAllowed):
            # The one eligibility rule: 422 everywhere, in the API's error shape.
            return api_error_response(422, detail=exc.english, fields={FIELD: exc.english})
        if is_api(request):
            # The body matched the schema (else FastAPI gives 422), but a rule of the app
            # refused it given the current data: a conflict with the state, in the API.
            return api_error_response(
                409,
                code="rule_violation",
                message="Refused by a rule of the app, given the current data; see 'fields'.",
                detail=exc.message,
                fields=exc.errors,
            )
        details = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
        return error_response(request, 422, f"{exc.message} {details}".strip())

    @app.exception_handler(IntegrityError)
    @app.exception_handler(StaleDataError)
    def _collision(request: Request, exc: Exception) -> Response:
        # Two writers met on the same row (a unique key, a version): the later one is a
        # conflict, never a server error. Routes that can keep the user's input catch the
        # domain Conflict themselves; this is the net under everything else.
        if is_api(request):
            return api_error_response(409, detail=COLLISION_API)
        return error_response(request, 409, COLLISION)

    @app.exception_handler(DataError)
    def _data(request: Request, exc: DataError) -> Response:
        # A value the database cannot hold (PostgreSQL refuses NUL characters in text) that
        # reached a query unchecked: bad input, not a server error.
        if is_api(request):
            return api_error_response(
                422, detail="The request contains a value the database cannot store."
            )
        return error_response(request, 422, "Isian mengandung karakter yang tidak diperbolehkan.")

    @app.exception_handler(OperationalError)
    def _operational(request: Request, exc: OperationalError) -> Response:
        if "database is locked" not in str(exc.orig):
            raise exc
        if is_api(request):
            return api_error_response(409, detail=COLLISION_API)
        return error_response(request, 409, COLLISION)

    @app.exception_handler(DomainError)
    def _domain(request: Request, exc: DomainError) -> Response:
        return error_response(request, 400, exc.message)

    @app.exception_handler(RequestValidationError)
    def _request_invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            return request_validation_response(exc.errors())
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()})
        return error_response(
            request, 422, "Isian tidak valid: " + ", ".join(f for f in fields if f)
        )

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> Response:
        standard = HTTPStatus(exc.status_code).phrase if exc.status_code in _CODES else None
        message = exc.detail if isinstance(exc.detail, str) and exc.detail != standard else None
        response: Response
        if is_api(request):
            # FastAPI's own messages ("Not Found", body parse errors) are English already.
            response = api_error_response(exc.status_code, message=message)
        else:
            response = error_response(request, exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> Response:
        # Only reached for bugs; the server error middleware logs and re-raises after this.
        if is_api(request):
            return api_error_response(500)
        return PlainTextResponse("Internal Server Error", status_code=500)


def install_auth_handlers(app: FastAPI) -> None:
    from urllib.parse import quote

    from fastapi.responses import RedirectResponse

    from perdes.web.htmx import login_required
    from perdes.web.permissions import SESSION_COOKIE, CsrfFailed, LoginRequired

    @app.exception_handler(LoginRequired)
    def _login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login_url = f"/masuk?next={quote(target, safe='')}"
        if wants_json(request):
            response = error_response(request, 401, "Authentication required.")
            if is_api(request):
                response.headers["WWW-Authenticate"] = "Bearer"
            return response
        return login_required(request, login_url) or RedirectResponse(login_url, status_code=303)

    @app.exception_handler(CsrfFailed)
    def _csrf(request: Request, exc: CsrfFailed) -> Response:
        # A page of a signed-in user posting without the session cookie: the session ended.
        if not request.cookies.get(SESSION_COOKIE) and request.url.path != "/masuk":
            expired = login_required(request, "/masuk")
            if expired is not None:
                return expired
        return error_response(request, 403, exc.message)
