"""The parts of a Perdes around the batang tubuh: title block, Menimbang, Mengingat,
agreement formula, closing Pasal, signature blocks, Lembaran Desa line, Penjelasan."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Any

from perdes.drafting.manifest import Template
from perdes.drafting.model import (
    KEPUTUSAN_KEPALA_DESA,
    PERATURAN_DESA,
    PERATURAN_KEPALA_DESA,
    Bab,
    Citation,
    Document,
    Header,
    Para,
    Pasal,
    Penjelasan,
    SignatureBlock,
    VillageContext,
)
from perdes.drafting.textclean import clean_text
from perdes.drafting.words import join_id, letter, ordinal_title, tanggal

if TYPE_CHECKING:
    from perdes.drafting.assembler import Assembly

DOTS = "…"
CLOSING_ID = "penutup.pengundangan"
# What a naskah untuk ditandatangani must carry: (variable, English, Indonesian label).
SIGNING_FIELDS = (
    ("nomor", "the Perdes number", "Nomor Peraturan"),
    ("tanggal_penetapan", "the date of enactment (penetapan)", "Tanggal penetapan"),
    ("tanggal_pengundangan", "the date of promulgation (pengundangan)", "Tanggal pengundangan"),
    ("nomor_lembaran", "the Lembaran Desa number", "Nomor Lembaran"),
    ("nama_kepala_desa", "the name of the village head", "Nama kepala"),
    ("nama_sekretaris_desa", "the name of the village secretary", "Nama sekretaris"),
)


def frame_document(
    template: Template,
    village: VillageContext,
    vals: dict[str, Any],
    ctx: dict[str, Any],
    a: Assembly,
    babs: list[Bab],
) -> Document:
    """Wrap the numbered BAB in the fixed form of Permendagri 111/2014: title block,
    Menimbang (with the generated last item), Mengingat, agreement formula, diktum,
    closing Pasal, signature blocks, Lembaran Desa line and Penjelasan."""
    sebutan = ctx["desa"]
    desa_full = f"{sebutan} {ctx['nama_desa']}"
    bentuk = template.bentuk
    # "Peraturan Desa" / "Qanun Gampong" …; "Peraturan Kepala Desa"; "Keputusan Keuchik" …
    if bentuk == PERATURAN_KEPALA_DESA:
        perdes = f"Peraturan {ctx['kades']}"
    elif bentuk == KEPUTUSAN_KEPALA_DESA:
        perdes = f"Keputusan {ctx['kades']}"
    else:
        perdes = ctx["perdes"]
    # A Perkades is promulgated in the Berita Desa, a Perdes in the Lembaran Desa
    # (UU 6/2014 Pasal 69 ayat (11); Permendagri 111/2014 Pasal 28).
    gazette = "Berita" if bentuk == PERATURAN_KEPALA_DESA else "Lembaran"
    tahun = vals.get("tahun") or ctx["today"].year
    nomor_no = vals.get("nomor") or DOTS
    lembaran_no = vals.get("nomor_lembaran") or DOTS
    promulgated = vals.get("tanggal_pengundangan")
    # The Lembaran Desa year is the year of promulgation, not of enactment.
    lembaran_year = promulgated.year if isinstance(promulgated, date) else DOTS
    if bentuk == KEPUTUSAN_KEPALA_DESA:
        babs[:] = _diktum(babs, perdes)
    else:
        closing = Pasal(
            CLOSING_ID,
            a.last_pasal + 1,
            (
                Para(f"{perdes} ini mulai berlaku pada tanggal diundangkan."),
                Para(
                    f"Agar setiap orang mengetahuinya, memerintahkan pengundangan {perdes} ini "
                    f"dengan penempatannya dalam {gazette} {desa_full}."
                ),
            ),
        )
        last = babs[-1]
        babs[-1] = dataclasses.replace(last, parts=(*last.parts, closing))

    menimbang = [
        a.text(m.text, "menimbang").rstrip(" ;.")
        for m in template.menimbang
        if a.when(m.cond, "menimbang")
    ]
    letters = [f"huruf {letter(i + 1)}" for i in range(len(menimbang))]
    menimbang.append(
        f"bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam {join_id(letters)}, "
        f"perlu menetapkan {perdes} tentang {template.judul}"
    )
    chosen = [m for m in template.mengingat if a.when(m.cond, "mengingat")]
    keys = [m.key for m in chosen if m.text is None]
    for spec in template.variables.values():
        if spec.type == "citations":
            keys += vals.get(spec.name) or []
    local: list[Citation] = []
    for m in chosen:
        if m.text is not None:
            text = a.text(m.text, "mengingat")
            # The village's own instrument: its numbers come from the user, not a catalogue.
            local.append(Citation(f"desa-{len(local) + 1}", text, True, complete=DOTS not in text))
    mengingat = tuple(
        dataclasses.replace(c, label=f"{i}.", text=c.text + ";")
        for i, c in enumerate([*template.catalogue.mengingat(keys), *local], start=1)
    )
    jabatan = f"{ctx['kades']} {ctx['nama_desa']}".upper()
    jenis = f"{perdes} {ctx['nama_desa']}".upper()
    agreed = bentuk == PERATURAN_DESA  # only a Perdes is agreed with the BPD
    nomor = f"NOMOR {nomor_no} TAHUN {tahun}"
    title = template.judul.upper()

    def when(key: str) -> str:
        d = vals.get(key)
        return tanggal(d) if isinstance(d, date) else DOTS

    umum = tuple(
        a.text(p.text, "penjelasan")
        for p in template.penjelasan_umum
        if a.when(p.cond, "penjelasan")
    )
    all_pasal = [p for bab in babs for p in bab.all_pasal()]
    blanks = tuple(
        (name, en, _field_label(name, idn, f"{gazette} {sebutan}", "" if agreed else perdes))
        for name, en, idn in SIGNING_FIELDS
        if name in template.variables and vals.get(name) in (None, "")
    ) + tuple(
        (name, template.variables[name].label, template.variables[name].label)
        for name in template.naskah_requires
        if vals.get(name) in (None, "")
    )
    pengundangan = SignatureBlock(
        (f"Diundangkan di {ctx['nama_desa']}", f"pada tanggal {when('tanggal_pengundangan')}"),
        f"{ctx['sekdes']} {ctx['nama_desa']},".upper(),
        str(
            vals.get("nama_sekretaris_desa") or clean_text(village.sekretaris_desa_name) or DOTS
        ).upper(),
    )
    promulgates = bentuk != KEPUTUSAN_KEPALA_DESA
    explained = bool(umum) or any(p.explanation.paragraphs or p.explanation.ayat for p in all_pasal)
    return Document(
        blanks=blanks,
        template_slug=template.slug,
        template_version=template.version,
        header=Header(jabatan, ctx["kabupaten"].upper(), jenis, nomor, title),
        pembukaan=("DENGAN RAHMAT TUHAN YANG MAHA ESA", f"{jabatan},"),
        menimbang=tuple((f"{letter(i + 1)}.", f"{t};") for i, t in enumerate(menimbang)),
        mengingat=mengingat,
        kesepakatan=(
            (
                "Dengan Kesepakatan Bersama",
                f"{ctx['bpd']} {ctx['nama_desa']}".upper(),
                "dan",
                jabatan,
            )
            if agreed
            else ()
        ),
        diktum=("MEMUTUSKAN:", f"{perdes.upper()} TENTANG {title}."),
        babs=tuple(babs),
        penetapan=SignatureBlock(
            (f"Ditetapkan di {ctx['nama_desa']}", f"pada tanggal {when('tanggal_penetapan')}"),
            f"{jabatan},",
            str(
                vals.get("nama_kepala_desa") or clean_text(village.kepala_desa_name) or DOTS
            ).upper(),
        ),
        pengundangan=pengundangan if promulgates else None,
        lembaran=(
            f"{gazette.upper()} {desa_full.upper()} TAHUN {lembaran_year} NOMOR {lembaran_no}"
            if promulgates
            else ""
        ),
        penjelasan=Penjelasan(
            heading=("PENJELASAN", "ATAS", jenis, nomor, "TENTANG", title) if explained else (),
            umum=umum,
            pasal=tuple((p, p.explanation) for p in all_pasal),
        ),
        title=f"{jenis.title()} Nomor {nomor_no} Tahun {tahun} tentang {template.judul}",
        keywords=(perdes, template.judul, desa_full, ctx["kabupaten"]),
        unverified_terms=tuple(ctx.get("_unverified_terms", ())),
        bentuk=bentuk,
        village_code=village.village_code,
        nomor=str(vals.get("nomor") or ""),
        tahun=int(tahun),
        tanggal_penetapan=_date_or_none(vals.get("tanggal_penetapan")),
        tanggal_pengundangan=_date_or_none(promulgated),
    )


def _date_or_none(value: object) -> date | None:
    return value if isinstance(value, date) else None


def _field_label(name: str, label: str, gazette: str, instrument: str) -> str:
    if name == "nomor_lembaran":
        return f"Nomor {gazette}"  # "Lembaran Desa" for a Perdes, "Berita Desa" for a Perkades
    if name == "nomor" and instrument:  # a Perkades or Kepdes names itself
        return f"Nomor {instrument}"
    return label


def _diktum(babs: list[Bab], perdes: str) -> list[Bab]:
    """A Keputusan has no BAB and no Pasal: its parts become diktum KESATU, KEDUA …, and
    the last diktum puts it in force on the day it is set (it is not promulgated)."""
    pasal = [p for bab in babs for p in bab.all_pasal()]
    last = Pasal(
        CLOSING_ID,
        len(pasal) + 1,
        (Para(f"{perdes} ini mulai berlaku pada tanggal ditetapkan."),),
    )
    parts = tuple(
        dataclasses.replace(p, heading=ordinal_title(p.number).upper()) for p in [*pasal, last]
    )
    return [Bab(babs[0].clause_id, 1, "", "", parts)]
