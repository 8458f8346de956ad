"""Framework versions stored in the database: which exist, which is current, parsed content."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from perdes.checklist.framework import Framework, from_data
from perdes.checklist.models import ChecklistFramework
from perdes.errors import NotFound

_parsed: dict[int, tuple[str, Framework]] = {}


def parsed(row: ChecklistFramework) -> Framework:
    """The framework model of a stored version (parsed once per content hash)."""
    cached = _parsed.get(row.id)
    if cached is not None and cached[0] == row.content_sha256:
        return cached[1]
    framework = from_data(row.content)
    _parsed[row.id] = (row.content_sha256, framework)
    return framework


def list_versions(session: Session) -> list[ChecklistFramework]:
    """Every stored version, by framework then version."""
    return list(
        session.scalars(
            select(ChecklistFramework).order_by(ChecklistFramework.slug, ChecklistFramework.version)
        )
    )


def current_versions_statement() -> Select[ChecklistFramework]:
    latest = (
        select(ChecklistFramework.slug, func.max(ChecklistFramework.version).label("version"))
        .group_by(ChecklistFramework.slug)
        .subquery()
    )
    return (
        select(ChecklistFramework)
        .join(
            latest,
            (latest.c.slug == ChecklistFramework.slug)
            & (latest.c.version == ChecklistFramework.version),
        )
        .order_by(ChecklistFramework.title)
    )


# built once (every village page reads it; building costs more than running it)
_CURRENT_VERSIONS = current_versions_statement()


def current_versions(session: Session) -> list[ChecklistFramework]:
    """The highest version of each framework, by title."""
    return list(session.scalars(_CURRENT_VERSIONS))


def current_version(session: Session, *, slug: str) -> ChecklistFramework:
    """The highest version of one framework; NotFound when none is loaded."""
    row = session.scalar(
        select(ChecklistFramework)
        .where(ChecklistFramework.slug == slug)
        .order_by(ChecklistFramework.version.desc())
        .limit(1)
    )
    if row is None:
        raise NotFound("Kerangka ceklis tidak ditemukan.")
    return row
