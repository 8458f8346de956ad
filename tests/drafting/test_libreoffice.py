"""Convert the generated DOCX to PDF with LibreOffice; check the page count and text."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from perdes.drafting.model import Document
from perdes.drafting.render_docx import Paper, render_docx

REQUIRED = os.environ.get("PERDES_REQUIRE_LIBREOFFICE") == "1"


def _tools() -> tuple[str, str, str] | None:
    found = (shutil.which("soffice"), shutil.which("pdfinfo"), shutil.which("pdftotext"))
    if all(found):
        return found  # type: ignore[return-value]
    if REQUIRED:
        pytest.fail("PERDES_REQUIRE_LIBREOFFICE=1 but soffice/pdfinfo/pdftotext is missing")
    pytest.skip("LibreOffice or poppler-utils not installed")


@pytest.mark.slow
@pytest.mark.parametrize("paper", ["F4", "A4"])
def test_docx_converts_to_a_plausible_pdf(
    tmp_path: Path, lontar_doc: Document, paper: Paper
) -> None:
    tools = _tools()
    assert tools is not None
    soffice, pdfinfo, pdftotext = tools
    source = tmp_path / "perdes.docx"
    source.write_bytes(render_docx(lontar_doc, paper=paper))
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "perdes.pdf"
    assert pdf.exists()
    info = subprocess.run(
        [pdfinfo, str(pdf)], check=True, capture_output=True, text=True, timeout=60
    )
    pages = int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )
    assert 10 <= pages <= 40
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    for needle in ("PERATURAN DESA LONTAR", "NOMOR 3 TAHUN 2026", "Menimbang", "BAB I",
                   f"Pasal {len(lontar_doc.all_pasal())}",
                   "LEMBARAN DESA LONTAR TAHUN 2026 NOMOR 3",
                   "PENJELASAN", "JUNALI ABDULLAH"):  # fmt: skip
        assert needle in text, needle
