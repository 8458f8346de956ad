"""Evidence files: type decided from content, size-limited, content-addressed by SHA-256.

Files are saved under generated names (``ab/<sha256>.pdf``), never the user's file name; the
original name is kept only for display and download headers.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path

from sqlalchemy import BigInteger, ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from perdes.db import Base, UTCDateTime, utcnow
from perdes.errors import ValidationFailed

MEDIA_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
ACCEPTED_LABEL = "PDF, JPEG atau PNG"


class StoredFile(Base):
    """One uploaded evidence file (deduplicated by content hash)."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(40), comment="decided from the content")
    storage_name: Mapped[str] = mapped_column(String(80), unique=True, comment="generated")
    original_name: Mapped[str] = mapped_column(String(120), comment="display only")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


def sniff_type(data: bytes) -> str | None:
    """The extension for PDF, JPEG or PNG content, or None; the file name plays no part."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        return "pdf"
    if data.startswith(b"\xff\xd8\xff") and len(data) > 4:
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "png"
    return None


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def display_name(filename: str, extension: str) -> str:
    """A harmless display name: no directories, control or shell characters, bounded length."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = _UNSAFE_NAME.sub("", unicodedata.normalize("NFC", base)).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[:100] or "berkas"
    return f"{stem}.{extension}"


def megabytes(size_bytes: int) -> str:
    """A limit in MB as the pages say it: "10", "4,8" (one decimal, comma, as app.js)."""
    text = f"{size_bytes / (1024 * 1024):.1f}".removesuffix(".0")
    return text.replace(".", ",")


def check_upload(data: bytes, *, max_bytes: int, field: str = "file") -> str:
    """The checks ``store_upload`` makes, without writing; returns the file's extension.

    Raises ValidationFailed (Indonesian, keyed by ``field``) for empty, oversized or
    unaccepted content, so a form can refuse a bad file before writing anything else.
    """
    if not data:
        raise ValidationFailed({field: "Berkas kosong atau tidak terkirim."})
    if len(data) > max_bytes:
        limit = megabytes(max_bytes)
        raise ValidationFailed({field: f"Berkas terlalu besar: paling besar {limit} MB."})
    extension = sniff_type(data)
    if extension is None:
        raise ValidationFailed(
            {field: f"Jenis berkas tidak diterima. Unggah {ACCEPTED_LABEL} yang asli."}
        )
    return extension


def store_upload(
    session: Session,
    *,
    root: Path,
    data: bytes,
    filename: str,
    uploaded_by_id: int | None,
    max_bytes: int,
    field: str = "file",
) -> tuple[StoredFile, bool]:
    """Check and save an upload; return the record and whether it was already stored.

    Raises ValidationFailed (Indonesian, keyed by ``field``) for empty, oversized or
    unaccepted content. A duplicate (same SHA-256) returns the existing record.
    """
    extension = check_upload(data, max_bytes=max_bytes, field=field)
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(StoredFile).where(StoredFile.sha256 == digest))
    if existing is not None:
        return existing, True
    storage_name = f"{digest[:2]}/{digest}.{extension}"
    target = root / storage_name
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    record = StoredFile(
        sha256=digest,
        size_bytes=len(data),
        media_type=MEDIA_TYPES[extension],
        storage_name=storage_name,
        original_name=display_name(filename, extension),
        uploaded_at=utcnow(),
        uploaded_by_id=uploaded_by_id,
    )
    try:
        with session.begin_nested():  # a parallel upload of the same bytes may have won
            session.add(record)
            session.flush()
    except IntegrityError:
        winner = session.scalar(select(StoredFile).where(StoredFile.sha256 == digest))
        if winner is None:
            raise
        return winner, True
    return record, False


def stored_path(root: Path, record: StoredFile) -> Path:
    path = (root / record.storage_name).resolve()
    if root.resolve() not in path.parents:
        raise ValueError("stored file outside the upload folder")
    return path
