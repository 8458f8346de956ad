"""The registers a village must keep (Permendagri 47/2016, Lampiran A.1 and the Buku Lembaran
Desa dan Berita Desa), built from the recorded steps, as data and as an XLSX workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.regions.models import Region, VillageProfile
from perdes.tracking.fold import Cycle, fold
from perdes.tracking.models import Adoption
from perdes.tracking.queries import effective_steps, village_region
from perdes.tracking.stages import ClarificationResult

JENIS_PERDES = "Peraturan Desa"
PERATURAN_HEADINGS = (
    "Nomor urut",
    "Jenis peraturan di Desa",
    "Nomor ditetapkan",
    "Tanggal ditetapkan",
    "Tentang",
    "Uraian singkat",
    "Tanggal kesepakatan Peraturan Desa",
    "Nomor dilaporkan",
    "Tanggal dilaporkan",
    "Nomor diundangkan dalam Lembaran Desa",
    "Tanggal diundangkan dalam Lembaran Desa",
    "Nomor diundangkan dalam Berita Desa",
    "Tanggal diundangkan dalam Berita Desa",
    "Keterangan",
)
LEMBARAN_HEADINGS = (
    "Nomor urut",
    "Jenis peraturan di Desa",
    "Nomor ditetapkan",
    "Tanggal ditetapkan",
    "Tentang",
    "Tanggal diundangkan",
    "Nomor diundangkan",
    "Keterangan",
)


@dataclass(frozen=True, slots=True)
class PeraturanRow:
    """One line of the Buku Peraturan di Desa."""

    number: int
    jenis: str
    perdes_number: str
    enacted_on: date | None
    title: str
    summary: str
    agreed_on: date | None
    letter_number: str
    reported_on: date | None
    lembaran_number: str
    promulgated_on: date | None
    berita_desa_number: str
    berita_desa_on: date | None
    remarks: str

    def cells(self) -> tuple[object, ...]:
        return (
            self.number, self.jenis, self.perdes_number, self.enacted_on, self.title,
            self.summary, self.agreed_on, self.letter_number, self.reported_on,
            self.lembaran_number, self.promulgated_on, self.berita_desa_number,
            self.berita_desa_on, self.remarks,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class LembaranRow:
    """One line of the Buku Lembaran Desa dan Berita Desa."""

    number: int
    jenis: str
    perdes_number: str
    enacted_on: date | None
    title: str
    promulgated_on: date | None
    lembaran: str
    remarks: str

    def cells(self) -> tuple[object, ...]:
        return (
            self.number, self.jenis, self.perdes_number, self.enacted_on, self.title,
            self.promulgated_on, self.lembaran, self.remarks,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Registers:
    village: Region
    year: int
    peraturan: list[PeraturanRow]
    lembaran: list[LembaranRow]
    years: list[int]
    # Signatories (Permendagri 47/2016: "Mengetahui Kepala Desa" and the Sekretaris Desa),
    # with the local terms and names from the village profile.
    kepala_desa_title: str = "KEPALA DESA"
    kepala_desa_name: str = ""
    sekretaris_desa_title: str = "SEKRETARIS DESA"
    sekretaris_desa_name: str = ""


def _remarks(adoption: Adoption, cycle: Cycle) -> str:
    parts = []
    if cycle.clarified and cycle.clarified.clarification_result is ClarificationResult.DIBATALKAN:
        parts.append(
            "Dibatalkan dengan Keputusan Bupati/Wali Kota Nomor "
            f"{cycle.clarified.decision_number} tanggal "
            f"{cycle.clarified.occurred_on.strftime('%d-%m-%Y')}"
        )
    elif cycle.clarified:
        parts.append("Hasil klarifikasi: sesuai")
    if cycle.agreed.after_the_fact:
        parts.append("Dicatat setelah berlaku")
    return "; ".join(parts)


def village_registers(
    session: Session, *, actor: Principal, village_code: str, year: int
) -> Registers:
    """Both registers of one village for one year: a Perdes appears in the Buku Peraturan in
    the year it was enacted and in the Buku Lembaran Desa in the year it was promulgated.
    Raises NotFound outside the actor's scope."""
    actor.require("adoption.view")
    village = village_region(session, actor=actor, village_code=village_code)
    adoptions = session.scalars(
        select(Adoption).where(Adoption.village_code == village_code).order_by(Adoption.id)
    ).all()
    cycles: list[tuple[Adoption, Cycle]] = []
    for adoption in adoptions:
        steps, _ = effective_steps(adoption)
        cycles.extend((adoption, c) for c in fold(steps).cycles)
    years = sorted(
        {
            s.occurred_on.year
            for _, c in cycles
            for s in (c.enacted, c.promulgated)
            if s is not None
        },
        reverse=True,
    )
    enacted = sorted(
        ((a, c) for a, c in cycles if c.enacted and c.enacted.occurred_on.year == year),
        key=lambda ac: (ac[1].enacted.occurred_on if ac[1].enacted else date.min, ac[0].id),
    )
    peraturan = []
    for i, (adoption, c) in enumerate(enacted, start=1):
        assert c.enacted is not None
        p = c.promulgated
        peraturan.append(
            PeraturanRow(
                number=i,
                jenis=JENIS_PERDES,
                perdes_number=c.enacted.perdes_number,
                enacted_on=c.enacted.occurred_on,
                title=adoption.title,
                summary=adoption.summary,
                agreed_on=c.agreed.occurred_on,
                letter_number=c.reported.letter_number if c.reported else "",
                reported_on=c.reported.occurred_on if c.reported else None,
                lembaran_number=p.lembaran_number if p else "",
                promulgated_on=p.occurred_on if p else None,
                berita_desa_number=p.berita_desa_number if p else "",
                berita_desa_on=p.occurred_on if p and p.berita_desa_number else None,
                remarks=_remarks(adoption, c),
            )
        )
    promulgated = sorted(
        ((a, c) for a, c in cycles if c.promulgated and c.promulgated.occurred_on.year == year),
        key=lambda ac: (ac[1].promulgated.occurred_on if ac[1].promulgated else date.min, ac[0].id),
    )
    lembaran = []
    for i, (adoption, c) in enumerate(promulgated, start=1):
        assert c.promulgated is not None
        p = c.promulgated
        lembaran.append(
            LembaranRow(
                number=i,
                jenis=JENIS_PERDES,
                perdes_number=c.enacted.perdes_number if c.enacted else "",
                enacted_on=c.enacted.occurred_on if c.enacted else None,
                title=adoption.title,
                promulgated_on=p.occurred_on,
                lembaran=f"Lembaran Desa Tahun {p.lembaran_year} Nomor {p.lembaran_number}",
                remarks=_remarks(adoption, c),
            )
        )
    profile = session.get(VillageProfile, village_code)
    return Registers(
        village=village,
        year=year,
        peraturan=peraturan,
        lembaran=lembaran,
        years=years,
        kepala_desa_title=f"{profile.sebutan_kepala_desa} {village.name}".upper()
        if profile
        else f"KEPALA DESA {village.name}".upper(),
        kepala_desa_name=profile.kepala_desa_name.upper() if profile else "",
        sekretaris_desa_title=f"SEKRETARIS {profile.sebutan_desa} {village.name}".upper()
        if profile
        else f"SEKRETARIS DESA {village.name}".upper(),
        sekretaris_desa_name=profile.sekretaris_desa_name.upper() if profile else "",
    )


def _signatures(ws: Worksheet, registers: Registers) -> None:
    ws.append([])
    ws.append(["MENGETAHUI,", None, None, None, None, None, None])
    ws.append(
        [
            f"{registers.kepala_desa_title},",
            None,
            None,
            None,
            None,
            f"{registers.sekretaris_desa_title},",
        ]
    )
    ws.append([])
    ws.append([])
    ws.append(
        [
            registers.kepala_desa_name or "(.....................)",
            None,
            None,
            None,
            None,
            registers.sekretaris_desa_name or "(.....................)",
        ]
    )


def _sheet(
    ws: Worksheet, title: str, headings: tuple[str, ...], rows: list[tuple[object, ...]]
) -> None:
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([])
    ws.append(list(headings))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(list(row))
    for cells in ws.iter_rows(min_row=4):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "DD-MM-YYYY"
    for i in range(1, len(headings) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 18
    ws.freeze_panes = "A4"


def registers_xlsx(registers: Registers) -> bytes:
    """The two registers as one workbook with two sheets (dates as real date cells)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Buku Peraturan di Desa"
    place = f"{registers.village.kind_label} {registers.village.name}"
    _sheet(
        ws,
        f"BUKU PERATURAN DI DESA — {place.upper()} — TAHUN {registers.year}",
        PERATURAN_HEADINGS,
        [r.cells() for r in registers.peraturan],
    )
    _signatures(ws, registers)
    ws2 = wb.create_sheet("Buku Lembaran Desa")
    _sheet(
        ws2,
        f"BUKU LEMBARAN DESA DAN BERITA DESA — {place.upper()} — TAHUN {registers.year}",
        LEMBARAN_HEADINGS,
        [r.cells() for r in registers.lembaran],
    )
    _signatures(ws2, registers)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
