"""DOCX → PDF with LibreOffice when it is installed on the server (own profile, timeout)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 60


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed, or the conversion failed or timed out."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes) -> bytes:
    """Convert with a throwaway LibreOffice profile; raise PdfUnavailable on any failure."""
    binary = soffice_path()
    if binary is None:
        raise PdfUnavailable("LibreOffice is not installed on this server")
    with tempfile.TemporaryDirectory(prefix="perdes-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "rancangan.docx"
        source.write_bytes(data)
        command = [
            binary,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable("LibreOffice did not finish in time") from exc
        target = folder / "rancangan.pdf"
        if not target.exists():
            raise PdfUnavailable("LibreOffice could not convert the document")
        return target.read_bytes()
