"""The registers a village must keep (Permendagri 47/2016: A.1 Buku Peraturan di Desa, A.2 Buku
Keputusan Kepala Desa, and the Buku Lembaran Desa dan Berita Desa), built from the recorded
steps of every kind of legal product, as data and as an XLSX workbook.

A Peraturan Bersama Kepala Desa is in the books of the recording village and of each partner
village (each promulgates it in its own Berita Desa)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.clock import local_today
from perdes.regions.models import Region, VillageProfile
from perdes.tracking.fold import Cycle, fold
from perdes.tracking.kinds import KIND_LABELS, ProductKind
from perdes.tracking.links import LINK_LABELS, LinkView, links_of
from perdes.tracking.models import Adoption, LegalProductParty, LinkKind
from perdes.tracking.queries import effective_steps, village_region
from perdes.tracking.stages import ClarificationResult

JENIS_PERDES = KIND_LABELS[ProductKind.PERDES]
KEPUTUSAN_HEADINGS = (
    "Nomor urut",
    "Nomor keputusan",
    "Tanggal keputusan",
    "Tentang",
    "Uraian singkat",
    "Nomor dilaporkan",
    "Tanggal dilaporkan",
    "Keterangan",
)
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
class KeputusanRow:
    """One line of the Buku Keputusan Kepala Desa (Permendagri 47/2016, A.2)."""

    number: int
    decision_number: str
    decided_on: date | None
    title: str
    summary: str
    letter_number: str
    reported_on: date | None
    remarks: str

    def cells(self) -> tuple[object, ...]:
        return (
            self.number, self.decision_number, self.decided_on, self.title, self.summary,
            self.letter_number, self.reported_on, self.remarks,
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
    keputusan: list[KeputusanRow] = field(default_factory=list)
    # Signatories (Permendagri 47/2016: "Mengetahui Kepala Desa" and the Sekretaris Desa),
    # with the local terms and names from the village profile.
    kepala_desa_title: str = "KEPALA DESA"
    kepala_desa_name: str = ""
    sekretaris_desa_title: str = "SEKRETARIS DESA"
    sekretaris_desa_name: str = ""


def _link_remarks(adoption: Adoption, views: dict[int, list[LinkView]]) -> list[str]:
    """ "Diubah dengan …" / "Mengubah …" from the links touching this product."""
    parts = []
    for view in views.get(adoption.id, []):
        other = view.other
        name = f"{KIND_LABELS[other.kind]} Nomor {other.perdes_number or '…'}"
        if view.link.target_id == adoption.id:
            verb = "Dicabut" if view.link.kind is LinkKind.MENCABUT else "Diubah"
            if other.published_on is None:
                continue  # takes effect once the amending product is published
            parts.append(f"{verb} dengan {name} tentang {other.title}")
        else:
            parts.append(f"{LINK_LABELS[view.link.kind]} {name} tentang {other.title}")
    return parts


def _remarks(
    adoption: Adoption, cycle: Cycle, links: dict[int, list[LinkView]] | None = None
) -> str:
    parts = []
    if cycle.clarified and cycle.clarified.clarification_result is ClarificationResult.DIBATALKAN:
        parts.append(
            "Dibatalkan dengan Keputusan Bupati/Wali Kota Nomor "
            f"{cycle.clarified.decision_number} tanggal "
            f"{cycle.clarified.occurred_on.strftime('%d-%m-%Y')}"
        )
    elif cycle.clarified:
        parts.append("Hasil klarifikasi: sesuai")
    first = cycle.agreed or cycle.enacted
    if first is not None and first.after_the_fact:
        parts.append("Dicatat setelah berlaku")
    if adoption.kind is ProductKind.PERATURAN_BERSAMA and adoption.partners:
        parts.append("Bersama desa " + ", ".join(p.village_code for p in adoption.partners))
    parts.extend(_link_remarks(adoption, links or {}))
    return "; ".join(parts)


def village_registers(
    session: Session, *, actor: Principal, village_code: str, year: int | None = None
) -> Registers:
    """The three registers of one village for one year: a Perdes, Perkades or Peraturan
    Bersama appears in the Buku Peraturan in the year it was enacted and in the Buku Lembaran
    Desa dan Berita Desa in the year it was promulgated; a Keputusan in the Buku Keputusan in
    the year it was set. Without ``year``: this year when it has an entry, else the latest
    year that has one, else this year. Raises NotFound outside the actor's scope."""
    actor.require("adoption.view")
    village = village_region(session, actor=actor, village_code=village_code)
    partnered = select(LegalProductParty.adoption_id).where(
        LegalProductParty.village_code == village_code
    )
    adoptions = session.scalars(
        select(Adoption)
        .where(or_(Adoption.village_code == village_code, Adoption.id.in_(partnered)))
        .order_by(Adoption.id)
    ).all()
    links = links_of(session, [a.id for a in adoptions])
    cycles: list[tuple[Adoption, Cycle]] = []
    decisions: list[tuple[Adoption, Cycle]] = []
    for adoption in adoptions:
        steps, _ = effective_steps(adoption)
        found = fold(steps).cycles
        if adoption.kind is ProductKind.KEPDES:
            decisions.extend((adoption, c) for c in found)
        else:
            cycles.extend((adoption, c) for c in found)
    years = sorted(
        {
            s.occurred_on.year
            for _, c in (*cycles, *decisions)
            for s in (c.enacted, c.promulgated)
            if s is not None
        },
        reverse=True,
    )
    if year is None:
        this_year = local_today().year
        year = this_year if this_year in years or not years else years[0]
    enacted = sorted(
        ((a, c) for a, c in cycles if c.enacted and c.enacted.occurred_on.year == year),
        key=lambda ac: (ac[1].enacted.occurred_on if ac[1].enacted else date.min, ac[0].id),
    )
    peraturan = []
    for i, (adoption, c) in enumerate(enacted, start=1):
        assert c.enacted is not None
        p = c.promulgated
        in_lembaran = adoption.kind is ProductKind.PERDES
        peraturan.append(
            PeraturanRow(
                number=i,
                jenis=KIND_LABELS[adoption.kind],
                perdes_number=c.enacted.perdes_number,
                enacted_on=c.enacted.occurred_on,
                title=adoption.title,
                summary=adoption.summary,
                agreed_on=c.agreed.occurred_on if c.agreed else None,
                letter_number=c.reported.letter_number if c.reported else "",
                reported_on=c.reported.occurred_on if c.reported else None,
                lembaran_number=p.lembaran_number if p and in_lembaran else "",
                promulgated_on=p.occurred_on if p and in_lembaran else None,
                berita_desa_number=p.berita_desa_number if p else "",
                berita_desa_on=p.occurred_on if p and p.berita_desa_number else None,
                remarks=_remarks(adoption, c, links),
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
        gazette = (
            f"Lembaran Desa Tahun {p.lembaran_year} Nomor {p.lembaran_number}"
            if adoption.kind is ProductKind.PERDES
            else f"Berita Desa Tahun {p.occurred_on.year} Nomor {p.berita_desa_number}"
        )
        lembaran.append(
            LembaranRow(
                number=i,
                jenis=KIND_LABELS[adoption.kind],
                perdes_number=c.enacted.perdes_number if c.enacted else "",
                enacted_on=c.enacted.occurred_on if c.enacted else None,
                title=adoption.title,
                promulgated_on=p.occurred_on,
                lembaran=gazette,
                remarks=_remarks(adoption, c, links),
            )
        )
    decided = sorted(
        ((a, c) for a, c in decisions if c.enacted and c.enacted.occurred_on.year == year),
        key=lambda ac: (ac[1].enacted.occurred_on if ac[1].enacted else date.min, ac[0].id),
    )
    keputusan = []
    for i, (adoption, c) in enumerate(decided, start=1):
        assert c.enacted is not None
        keputusan.append(
            KeputusanRow(
                number=i,
                decision_number=c.enacted.perdes_number,
                decided_on=c.enacted.occurred_on,
                title=adoption.title,
                summary=adoption.summary,
                letter_number=c.reported.letter_number if c.reported else "",
                reported_on=c.reported.occurred_on if c.reported else None,
                remarks=_remarks(adoption, c, links),
            )
        )
    profile = session.get(VillageProfile, village_code)
    return Registers(
        village=village,
        year=year,
        peraturan=peraturan,
        lembaran=lembaran,
        keputusan=keputusan,
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
    """The three registers as one workbook with three sheets (dates as real date cells)."""
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
    ws3 = wb.create_sheet("Buku Keputusan Kepala Desa")
    _sheet(
        ws3,
        f"BUKU KEPUTUSAN KEPALA DESA — {place.upper()} — TAHUN {registers.year}",
        KEPUTUSAN_HEADINGS,
        [r.cells() for r in registers.keputusan],
    )
    _signatures(ws3, registers)
    for sheet in wb.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # text typed by a user, e.g. "=1+2": never a formula
                    cell.data_type = "s"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
