"""Register figures per region for monitors: counts only, small counts as "< 5"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from perdes.accounts.principal import Principal
from perdes.monitoring import register as register_monitoring
from perdes.monitoring.register import COLUMNS, FigureRow
from perdes.web.api.common import PREFIX, REGION_CODE, operation_id
from perdes.web.api.errors import READ, responses
from perdes.web.deps import DB
from perdes.web.permissions import requires

router = APIRouter(prefix=PREFIX, tags=["register"], generate_unique_id_function=operation_id)

Monitor = Annotated[Principal, Depends(requires("monitoring.view"))]
Count = int | str


class FigureRowOut(BaseModel):
    code: str
    name: str
    consultations: Count = Field(description='A count, or "< 5" when suppressed.')
    departures: Count
    departures_verified: Count
    departures_procedural: Count
    returns: Count
    open_cases: Count
    procedural_share: int | None = Field(description="Percent; null when hidden or no departures.")


class FigureTableOut(BaseModel):
    code: str | None
    name: str
    child_level: str
    suppressed: bool = Field(description="True when the rows are villages (suppressed below 5).")
    partial: bool = Field(description="True when only the part inside your scope is counted.")
    total: FigureRowOut
    rows: list[FigureRowOut]


def _row(row: FigureRow) -> FigureRowOut:
    values = {c: row.cells[c].json() for c in COLUMNS}
    return FigureRowOut(
        code=row.code, name=row.name, procedural_share=row.procedural_share, **values
    )


@router.get(
    "/register/figures",
    name="api_register_figures",
    summary="PMI register counts of a region and its children (no personal data)",
    responses=responses(*READ),
)
def register_figures(
    db: DB,
    user: Monitor,
    region: Annotated[
        str,
        Query(
            pattern=REGION_CODE,
            description="Region code; omit for Indonesia. Villages are refused (404).",
            examples=["36.04.13"],
        ),
    ] = "",
) -> FigureTableOut:
    table = register_monitoring.region_table(db, actor=user, code=region or None)
    return FigureTableOut(
        code=table.code,
        name=table.name,
        child_level=table.child_level.value,
        suppressed=table.suppressed,
        partial=table.partial,
        total=_row(table.total),
        rows=[_row(r) for r in table.rows],
    )
