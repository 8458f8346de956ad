"""Serving stored evidence files: always as attachments, never sniffed, never rendered inline."""

from __future__ import annotations

from fastapi.responses import FileResponse

from perdes.config import Settings
from perdes.errors import NotFound
from perdes.files import StoredFile, stored_path


def evidence_response(
    settings: Settings, record: StoredFile, *, filename: str | None = None
) -> FileResponse:
    """The file as a download under ``filename`` (the name its uploader gave it, since equal
    files are stored once); 404 when it is missing from the upload folder."""
    path = stored_path(settings.effective_upload_path, record)
    if not path.is_file():
        raise NotFound("Berkas tidak ditemukan di penyimpanan.")
    return FileResponse(
        path,
        media_type=record.media_type,
        filename=filename or f"berkas-{record.id}",  # never another uploader's name
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"},
    )
