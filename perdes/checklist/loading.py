"""Storing framework versions in the database, and moving villages to the newest one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from perdes import events
from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.checklist import versions
from perdes.checklist.framework import (
    Framework,
    bundled_files,
    content_hash,
    load_framework_file,
    to_data,
)
from perdes.checklist.models import ChecklistFramework
from perdes.db import utcnow
from perdes.errors import Conflict


@dataclass(frozen=True, slots=True)
class LoadResult:
    row: ChecklistFramework
    created: bool
    upgraded: int


def load_framework(
    session: Session, *, actor: Principal, framework: Framework, source: str
) -> LoadResult:
    """Store a validated framework version; loading the same content again changes nothing.

    A version newer than every stored one becomes current, every village assessment of an
    older version is upgraded to it, and every village's derived items are evaluated against
    it (``Change.FRAMEWORK``). Raises OutOfScope without ``framework.manage`` and
    Conflict when that id and version exist with different content (versions are immutable:
    publish a new version number instead).
    """
    actor.require("framework.manage")
    digest = content_hash(framework)
    existing = session.scalar(
        select(ChecklistFramework).where(
            ChecklistFramework.slug == framework.id,
            ChecklistFramework.version == framework.version,
        )
    )
    if existing is not None:
        if existing.content_sha256 == digest:
            return LoadResult(existing, created=False, upgraded=0)
        raise Conflict(
            f"{framework.id} versi {framework.version} sudah ada dengan isi berbeda; "
            "terbitkan sebagai versi baru."
        )
    latest = session.scalar(
        select(func.max(ChecklistFramework.version)).where(ChecklistFramework.slug == framework.id)
    )
    row = ChecklistFramework(
        slug=framework.id,
        version=framework.version,
        title=framework.title,
        content=to_data(framework),
        content_sha256=digest,
        source=source[-200:],
        loaded_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="checklist_framework",
        entity_id=row.id,
        action="load",
        changes={"version": (latest, framework.version)},
    )
    upgraded = 0
    if latest is None or framework.version > latest:
        upgraded = len(versions.upgrade_all(session, actor=actor, new_row=row))
        # A new version may add or change rules: every village's derived items are evaluated
        # (by the pipeline, once, before the transaction commits), not only the upgraded ones.
        events.publish(session, events.Change.FRAMEWORK)
    return LoadResult(row, created=True, upgraded=upgraded)


def load_bundled(session: Session, *, actor: Principal) -> list[LoadResult]:
    """Load every framework shipped with the app (idempotent; for ``perdes demo`` and setup)."""
    frameworks = sorted((load_framework_file(path), path.name) for path in bundled_files())
    return [
        load_framework(session, actor=actor, framework=framework, source=name)
        for framework, name in frameworks
    ]
