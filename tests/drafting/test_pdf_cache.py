"""Converted PDFs are kept by what the document says: asked again, a PDF comes from the
cache instead of a new LibreOffice run; a document that changed is converted anew."""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from pathlib import Path

import pytest

from perdes.drafting.render_docx import render_paragraphs_docx
from perdes.drafting.workspace import pdf as pdf_module
from perdes.drafting.workspace.pdf import PdfCache, PdfUnavailable, content_key

LETTER = [("Normal", "Undangan musyawarah desa"), ("Normal", "Hari: Senin")]


def with_stamps(docx: bytes, when: str) -> bytes:
    """The same package with other created/modified times, as a later download has."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                text = data.decode()
                for tag in ("created", "modified"):
                    start = text.index(f"<dcterms:{tag}")
                    start = text.index(">", start) + 1
                    end = text.index("</dcterms:", start)
                    text = text[:start] + when + text[end:]
                data = text.encode()
            target.writestr(info, data)
    return out.getvalue()


def test_the_key_ignores_the_download_time_but_not_the_text_or_title():
    docx = render_paragraphs_docx(LETTER, title="Undangan")
    later = with_stamps(docx, "2031-05-05T05:05:05Z")
    assert later != docx
    assert b"2031-05-05" in zipfile.ZipFile(io.BytesIO(later)).read("docProps/core.xml")
    assert content_key(later) == content_key(docx)
    other_text = render_paragraphs_docx(
        [*LETTER, ("Normal", "Tempat: balai desa")], title="Undangan"
    )
    assert content_key(other_text) != content_key(docx)
    other_title = render_paragraphs_docx(LETTER, title="Berita acara")  # the PDF's title too
    assert content_key(other_title) != content_key(docx)
    assert content_key(b"not a zip").startswith("raw-")


@pytest.fixture()
def conversions(monkeypatch) -> list[bytes]:
    """Every conversion LibreOffice would have made (each answers a distinct PDF)."""
    made: list[bytes] = []

    def convert(data: bytes) -> bytes:
        made.append(data)
        time.sleep(0.05)  # long enough for parallel requests to meet
        return b"%PDF-1.7 conversion " + str(len(made)).encode()

    monkeypatch.setattr(pdf_module, "docx_to_pdf", convert)
    return made


def test_a_document_asked_again_is_not_converted_again(tmp_path: Path, conversions):
    cache = PdfCache(tmp_path / "pdf")
    docx = render_paragraphs_docx(LETTER, title="Undangan")
    first = cache.pdf(docx)
    assert cache.pdf(with_stamps(docx, "2031-05-05T05:05:05Z")) == first
    assert len(conversions) == 1
    assert [p.name for p in (tmp_path / "pdf").iterdir()] == [f"{content_key(docx)}.pdf"]
    # a second server worker (its own cache object, the same folder) finds it too
    assert PdfCache(tmp_path / "pdf").pdf(docx) == first and len(conversions) == 1
    changed = render_paragraphs_docx([("Normal", "Lain")], title="Undangan")
    assert cache.pdf(changed) != first and len(conversions) == 2


def test_the_same_document_asked_at_once_is_converted_once(tmp_path: Path, conversions):
    cache = PdfCache(tmp_path / "pdf")
    docx = render_paragraphs_docx(LETTER, title="Undangan")
    answers: list[bytes] = []
    threads = [threading.Thread(target=lambda: answers.append(cache.pdf(docx))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(conversions) == 1 and len(set(answers)) == 1 and len(answers) == 6


def test_a_failed_conversion_is_not_kept_and_is_tried_again(tmp_path: Path, monkeypatch):
    cache = PdfCache(tmp_path / "pdf")
    docx = render_paragraphs_docx(LETTER, title="Undangan")
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    with pytest.raises(PdfUnavailable):
        cache.pdf(docx)
    assert not list((tmp_path / "pdf").glob("*.pdf"))
    monkeypatch.setattr(pdf_module, "docx_to_pdf", lambda data: b"%PDF-1.7 now")
    assert cache.pdf(docx) == b"%PDF-1.7 now"


def test_the_cache_keeps_the_most_recently_used(tmp_path: Path, conversions):
    cache = PdfCache(tmp_path / "pdf", keep=2)
    docs = [render_paragraphs_docx([("Normal", f"Surat {n}")], title="Surat") for n in range(3)]
    cache.pdf(docs[0])
    time.sleep(0.02)
    cache.pdf(docs[1])
    time.sleep(0.02)
    cache.pdf(docs[0])  # used again: newer than docs[1]
    time.sleep(0.02)
    cache.pdf(docs[2])  # a third: the least recently used one goes
    kept = {p.stem for p in (tmp_path / "pdf").glob("*.pdf")}
    assert kept == {content_key(docs[0]), content_key(docs[2])}
    assert not list((tmp_path / "pdf").glob("*.part"))


def test_requests_waiting_for_a_failed_conversion_share_its_failure(tmp_path: Path, monkeypatch):
    """LibreOffice failing (or timing out after a minute) is tried once for everyone waiting,
    not once per waiting request in turn; a request after them tries again."""
    tries: list[int] = []

    def fail(data: bytes) -> bytes:
        tries.append(1)
        time.sleep(0.1)
        raise PdfUnavailable("LibreOffice could not convert the document")

    monkeypatch.setattr(pdf_module, "docx_to_pdf", fail)
    cache = PdfCache(tmp_path / "pdf")
    docx = render_paragraphs_docx(LETTER, title="Undangan")
    outcomes: list[str] = []

    def ask() -> None:
        try:
            cache.pdf(docx)
            outcomes.append("pdf")
        except PdfUnavailable:
            outcomes.append("unavailable")

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["unavailable"] * 4 and len(tries) == 1
    ask()
    assert len(tries) == 2


def test_a_partial_file_left_by_a_stopped_worker_is_cleared(tmp_path: Path, conversions):
    folder = tmp_path / "pdf"
    folder.mkdir()
    old, fresh = folder / "a.1.2.part", folder / "b.3.4.part"
    old.write_bytes(b"%PDF half")
    fresh.write_bytes(b"%PDF being written")
    os.utime(old, (time.time() - 2 * 3600,) * 2)
    PdfCache(folder).pdf(render_paragraphs_docx(LETTER, title="Undangan"))
    assert not old.exists() and fresh.exists()
