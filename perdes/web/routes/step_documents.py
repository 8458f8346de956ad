"""Documents for each law-making step (undangan, berita acara, surat penyampaian, Lembaran
Desa page, laporan), as DOCX or PDF, offered on the tracker next to their step."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from perdes.accounts.principal import Principal
from perdes.drafting.render_docx import render_paragraphs_docx
from perdes.drafting.workspace.pdf import PdfUnavailable
from perdes.errors import ValidationFailed
from perdes.regions.eligibility import PerdesNotAllowed
from perdes.stepdocs import services as stepdocs
from perdes.web.deps import DB
from perdes.web.errors import error_response
from perdes.web.permissions import requires

router = APIRouter()

Reader = Annotated[Principal, Depends(requires("adoption.view"))]
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/desa/{kode}/perdes/{adoption_id}/dokumen/{slug}", name="step_document")
async def step_document(
    request: Request,
    kode: str,
    adoption_id: int,
    slug: str,
    db: DB,
    user: Reader,
    format: Annotated[str, Query(max_length=4, pattern="^(docx|pdf)$")] = "docx",
    tanggal_acara: Annotated[str, Query(max_length=20)] = "",
    jam_acara: Annotated[str, Query(max_length=100)] = "",
    tempat_acara: Annotated[str, Query(max_length=400)] = "",
    nomor_surat: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """One step document of an adoption of this village: 404 for another village's adoption
    or an unknown document, 422 listing what is missing (or a typed value refused)."""
    typed = {
        "tanggal_acara": tanggal_acara,
        "jam_acara": jam_acara,
        "tempat_acara": tempat_acara,
        "nomor_surat": nomor_surat,
    }
    try:
        doc = stepdocs.step_document(
            db, actor=user, village_code=kode, adoption_id=adoption_id, slug=slug, inputs=typed
        )
    except ValidationFailed as exc:
        if isinstance(exc, PerdesNotAllowed):  # the one eligibility message, as everywhere
            raise
        listed = "; ".join(exc.errors.values())
        return error_response(request, 422, f"{exc.message} {listed}".strip())
    data = render_paragraphs_docx(doc.paragraphs, title=doc.title, subject=doc.title)
    name = f"{doc.file_name}.docx"
    if format == "pdf":
        try:
            data = await run_in_threadpool(request.app.state.pdfs.pdf, data)
        except PdfUnavailable:
            return error_response(
                request,
                503,
                "PDF belum dapat dibuat di server ini (LibreOffice tidak tersedia atau gagal). "
                "Unduh berkas DOCX lalu cetak atau simpan sebagai PDF.",
            )
        return Response(
            data,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name[:-5]}.pdf"'},
        )
    return Response(
        data,
        media_type=DOCX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
