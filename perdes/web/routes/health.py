"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from perdes.web.deps import DB

router = APIRouter()


@router.get("/healthz", name="healthz")
def healthz(db: DB) -> dict[str, str]:
    """``ok`` when the app answers and the database accepts a query."""
    db.execute(text("SELECT 1"))
    return {"status": "ok"}
