"""Tables streamed as CSV or XLSX downloads (dashboard, village lists, analytics, target
lists)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.errors import NotFound
from perdes.monitoring import services
from perdes.monitoring.exports import csv_stream, xlsx_stream
from perdes.monitoring.services import VillageFilter
from perdes.tracking.stages import STAGE_LABELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


def export_response(
    fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """Stream a table as CSV or XLSX; NotFound for any other format."""
    if fmt == "csv":
        body: Iterator[bytes] = csv_stream(header, rows)
    elif fmt == "xlsx":
        body = xlsx_stream(header, rows, sheet_title=filename[:31])
    else:
        raise NotFound("Format tidak dikenal.")
    return StreamingResponse(
        body,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.{fmt}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def streamed_villages(
    factory: Callable[[], Session], actor: Principal, filters: VillageFilter
) -> Iterator[tuple[Any, ...]]:
    """Rows read in batches with a session of their own: the request's is closed by then."""
    session = factory()
    try:
        for village in services.iter_villages(session, actor=actor, filters=filters):
            yield village.cells(STAGE_LABELS)
    finally:
        session.close()
