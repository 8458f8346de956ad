"""The surat izin keluarga as DOCX: the family member's permission for a Calon PMI, to be
known by (diketahui) the Kepala Desa (UU 18/2017 Pasal 13 huruf b). Pure: data in, bytes out."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def long_date(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


@dataclass(frozen=True, slots=True)
class LetterData:
    number: str
    issued_on: date
    granted_by_name: str
    granted_by_relation: str
    person_name: str
    nik: str
    sex_label: str
    birth_on: date | None
    address: str
    rt: str
    rw: str
    village_label: str
    district_name: str
    regency_name: str
    destination_country: str
    channel_label: str
    consultation_on: date
    kepala_desa_title: str
    kepala_desa_name: str


def render_letter(data: LetterData) -> bytes:
    """The letter as DOCX bytes."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Bookman Old Style"
    style.font.size = Pt(12)

    def centered(text: str, *, bold: bool = False) -> None:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = bold

    centered("SURAT IZIN KELUARGA", bold=True)
    centered(f"Nomor: {data.number or '........................'}")
    doc.add_paragraph("Yang bertanda tangan di bawah ini:")
    table = doc.add_table(rows=0, cols=3)
    for label, value in (
        ("Nama", data.granted_by_name),
        ("Hubungan dengan Calon PMI", data.granted_by_relation),
    ):
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = label, ":", value
    doc.add_paragraph("dengan ini memberikan izin kepada:")
    address = data.address
    if data.rt or data.rw:
        address = f"{address} RT {data.rt or '-'} / RW {data.rw or '-'}".strip()
    table = doc.add_table(rows=0, cols=3)
    for label, value in (
        ("Nama", data.person_name),
        ("NIK", data.nik),
        ("Jenis kelamin", data.sex_label),
        ("Tanggal lahir", long_date(data.birth_on) if data.birth_on else "-"),
        ("Alamat", f"{address}, {data.village_label}, Kecamatan {data.district_name}, "
                   f"{data.regency_name}"),
    ):  # fmt: skip
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = label, ":", value
    country = data.destination_country or "luar negeri"
    doc.add_paragraph(
        f"untuk bekerja sebagai Pekerja Migran Indonesia di {country} "
        f"({data.channel_label.lower()}) sesuai ketentuan peraturan perundang-undangan."
    )
    doc.add_paragraph(
        "Surat ini dibuat dengan sebenarnya setelah Calon PMI menerima layanan konsultasi "
        f"migrasi di Pemerintah Desa pada tanggal {long_date(data.consultation_on)}."
    )
    place = doc.add_paragraph(f"{data.village_label}, {long_date(data.issued_on)}")
    place.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signatures = doc.add_table(rows=3, cols=2)
    signatures.cell(0, 0).text = f"Mengetahui,\n{data.kepala_desa_title} {data.village_label}"
    signatures.cell(0, 1).text = "Yang memberi izin,"
    signatures.cell(1, 0).text = "\n\n\n"
    signatures.cell(1, 1).text = "\n\n\n"
    signatures.cell(2, 0).text = data.kepala_desa_name or "(........................)"
    signatures.cell(2, 1).text = data.granted_by_name
    note = doc.add_paragraph(
        "Dasar: Undang-Undang Nomor 18 Tahun 2017 tentang Pelindungan Pekerja Migran "
        "Indonesia, Pasal 13 huruf b (surat keterangan izin suami/istri, orang tua, atau wali "
        "yang diketahui kepala desa)."
    )
    note.runs[0].font.size = Pt(9)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
