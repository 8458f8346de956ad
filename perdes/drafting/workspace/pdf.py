"""DOCX → PDF with LibreOffice when it is installed on the server (own profile, timeout),
and the PDFs converted already, kept by content (:class:`PdfCache`)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
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


# ---- converted PDFs kept by content: a revision or step document asked for again (the
# monitor's download after the secretary's, a second click) is sent from the cache instead of
# starting LibreOffice again (1-2 s of CPU and some 200 MB each) ----

CACHE_FILES = 300  # the most recently used PDFs kept (a few hundred kB each)
STALE_PART_SECONDS = 3600
CONVERSIONS_AT_ONCE = 2  # per process: more LibreOffice runs at once only queue for the CPU
# the package's created/modified times differ per download while nothing shown does
_STAMPS = "docProps/core.xml"
_STAMP = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


def content_key(docx: bytes) -> str:
    """A digest of what the DOCX says and how it is laid out: every part of the package,
    names and bytes in package order, with the created/modified times left out."""
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as package:
            for info in package.infolist():
                name = info.filename.encode()
                digest.update(len(name).to_bytes(4, "big") + name)
                data = package.read(info)
                if info.filename == _STAMPS:
                    data = _STAMP.sub(b"", data)
                digest.update(len(data).to_bytes(8, "big") + data)
    except (zipfile.BadZipFile, KeyError, ValueError):
        return "raw-" + hashlib.sha256(docx).hexdigest()
    return digest.hexdigest()


@dataclass
class _Flight:
    """The requests for one document being converted: they wait on ``lock``, and share the
    outcome (a failure is not retried by each waiter in turn: one LibreOffice run of up to
    TIMEOUT_SECONDS for all of them)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: int = 0
    failed: PdfUnavailable | None = None


class PdfCache:
    """PDFs of DOCX files by :func:`content_key`, in ``folder`` (shared by the server's
    workers), at most ``keep`` of them. A conversion that fails is not kept: the requests
    waiting for it get the same failure, and a later request tries again."""

    def __init__(self, folder: Path, *, keep: int = CACHE_FILES) -> None:
        self.folder = folder
        self.keep = keep
        self._slots = threading.BoundedSemaphore(CONVERSIONS_AT_ONCE)
        self._guard = threading.Lock()
        self._flights: dict[str, _Flight] = {}

    def _read(self, path: Path) -> bytes | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
        return data

    def pdf(self, docx: bytes) -> bytes:
        """The PDF of ``docx``, converted at most once per content; PdfUnavailable when
        LibreOffice is missing or fails and it was never converted before."""
        key = content_key(docx)
        path = self.folder / f"{key}.pdf"
        cached = self._read(path)
        if cached is not None:
            return cached
        with self._guard:  # one flight per document while anyone waits for it
            flight = self._flights.setdefault(key, _Flight())
            flight.waiting += 1
        try:
            with flight.lock:  # the same document asked twice at once: converted once
                if flight.failed is not None:
                    raise flight.failed
                cached = self._read(path)
                if cached is not None:
                    return cached
                try:
                    with self._slots:
                        data = docx_to_pdf(docx)
                except PdfUnavailable as exc:
                    flight.failed = exc
                    raise
                self._store(path, data)
                return data
        finally:
            with self._guard:
                flight.waiting -= 1
                if flight.waiting == 0:
                    self._flights.pop(key, None)

    def _store(self, path: Path, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(data)
        os.replace(partial, path)  # whole or absent, also for another worker reading it
        kept = sorted(self.folder.glob("*.pdf"), key=_mtime, reverse=True)
        for old in kept[self.keep :]:
            old.unlink(missing_ok=True)
        stale = time.time() - STALE_PART_SECONDS  # left by a worker stopped mid-write
        for part in self.folder.glob("*.part"):
            if _mtime(part) < stale:
                part.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
