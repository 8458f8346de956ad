"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import text

from perdes.web.deps import DB
from perdes.web.permissions import public_route

router = APIRouter()


@router.get("/healthz", name="healthz", dependencies=[Depends(public_route)])
def healthz(db: DB) -> dict[str, str]:
    """``ok`` when the app answers and the database accepts a query."""
    db.execute(text("SELECT 1"))
    return {"status": "ok"}
