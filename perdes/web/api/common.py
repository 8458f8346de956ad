"""Shared pieces of the JSON API: strict request models, pagination, the body size limit."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from perdes.pagination import Page as DomainPage

PREFIX = "/api/v1"
MAX_BODY_BYTES = 256 * 1024
# Text sent to the API: no control characters (XML, and so DOCX, cannot hold them).
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"
NON_BLANK = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
REGION_CODE = r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$"
VILLAGE_CODE = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$"

T = TypeVar("T")


def integral(value: object) -> object:
    # JSON Schema counts 2014.0 as an integer; strings and booleans stay refused (strict).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(integral)]


def whole_number(ge: int | None = None, le: int | None = None) -> Any:
    """A whole number within bounds; the bounds sit on the integer, also inside ``X | None``."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(integral)]


class RequestModel(BaseModel):
    """Request bodies: strict types (no coercion of numbers into text or dates), no extras."""

    model_config = ConfigDict(strict=True, extra="forbid")


class PageMeta(BaseModel):
    page: int = Field(description="This page, from 1.")
    per_page: int
    total: int = Field(description="Items on all pages.")
    pages: int
    next_page: int | None = Field(description="The next page, or null on the last one.")


class Paged(BaseModel, Generic[T]):
    """A page of a list: ``items`` and ``meta``; ask for ``?page=meta.next_page`` to go on."""

    items: list[T]
    meta: PageMeta


def page_meta(page: DomainPage[Any]) -> PageMeta:
    return PageMeta(
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
        next_page=page.page + 1 if page.has_next else None,
    )


class Pagination(BaseModel):
    page: int
    per_page: int


def _pagination(
    page: Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=200, description="Items per page.")] = 50,
) -> Pagination:
    return Pagination(page=page, per_page=per_page)


PageParams = Annotated[Pagination, Depends(_pagination)]


def operation_id(route: APIRoute) -> str:
    """OpenAPI operation ids are the route names (``api_villages``)."""
    return route.name


def limit_body(request: Request) -> None:
    """Refuse bodies over MAX_BODY_BYTES (413) before reading them."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise HTTPException(status_code=413, detail="The request body is too large.")


# Path parameters shared by the API's route modules (which never import each other).
RegionCode = Annotated[
    str,
    Path(
        pattern=REGION_CODE,
        description="Kemendagri code, e.g. 36.04 or 36.04.13",
        examples=["36.04"],
    ),
]
VillageCode = Annotated[
    str,
    Path(
        pattern=VILLAGE_CODE,
        description="Kemendagri village code, e.g. 36.04.13.2007",
        examples=["36.04.13.2007"],
    ),
]


class JdihnRecord(BaseModel):
    """The JDIHN integration fields of one published legal product (names as JDIH sites use
    them): the token API's Perdes record and the public feed's."""

    idData: str
    tahun_pengundangan: str
    tanggal_penetapan: str
    tanggal_pengundangan: str
    jenis: str
    noPeraturan: str
    judul: str
    noPanggil: str
    singkatanJenis: str
    tempatTerbit: str
    penerbit: str
    deskripsiFisik: str
    sumber: str
    subjek: str
    isbn: str
    status: str
    bahasa: str
    bidangHukum: str
    teuBadan: str
    nomorIndukBuku: str
    fileDownload: str
    urlDownload: str
    abstrak: str
    urlabstrak: str
    urlDetailPeraturan: str
    operasi: str
    display: str
