"""The stages of making a Perdes (PP 43/2014 Pasal 83–84, Permendagri 111/2014), in order.

Other packages (checklist rules, monitoring funnels) refer to these values; keep them stable.
"""

from __future__ import annotations

from enum import StrEnum

from perdes.regions.eligibility import KELURAHAN_REFUSAL


class Stage(StrEnum):
    DIRENCANAKAN = "direncanakan"
    PENYUSUNAN = "penyusunan"
    KONSULTASI = "konsultasi_masyarakat"
    DIAJUKAN_KE_BPD = "diajukan_ke_bpd"
    PEMBAHASAN = "pembahasan"
    DISEPAKATI = "disepakati"
    DISERAHKAN = "diserahkan_ke_kepala_desa"
    DITETAPKAN = "ditetapkan"
    DIUNDANGKAN = "diundangkan"
    DILAPORKAN = "dilaporkan"
    KLARIFIKASI = "klarifikasi"
    DISEBARLUASKAN = "disebarluaskan"


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)

STAGE_LABELS: dict[Stage, str] = {
    Stage.DIRENCANAKAN: "Direncanakan (RKP Desa)",
    Stage.PENYUSUNAN: "Penyusunan rancangan",
    Stage.KONSULTASI: "Konsultasi masyarakat",
    Stage.DIAJUKAN_KE_BPD: "Diajukan ke BPD",
    Stage.PEMBAHASAN: "Pembahasan bersama BPD",
    Stage.DISEPAKATI: "Disepakati bersama",
    Stage.DISERAHKAN: "Diserahkan ke Kepala Desa",
    Stage.DITETAPKAN: "Ditetapkan",
    Stage.DIUNDANGKAN: "Diundangkan dalam Lembaran Desa",
    Stage.DILAPORKAN: "Dilaporkan ke Bupati/Wali Kota",
    Stage.KLARIFIKASI: "Klarifikasi selesai",
    Stage.DISEBARLUASKAN: "Disebarluaskan",
}

# A Perdes is in force from promulgation (PP 43/2014 Pasal 84): these stages mean "promulgated".
PROMULGATED: frozenset[Stage] = frozenset(STAGE_ORDER[STAGE_ORDER.index(Stage.DIUNDANGKAN) :])


def stage_index(stage: Stage) -> int:
    return STAGE_ORDER.index(stage)


class ClarificationResult(StrEnum):
    """Outcome of the Bupati/Wali Kota's review (klarifikasi) of a promulgated Perdes."""

    SESUAI = "sesuai"
    DIBATALKAN = "dibatalkan"


CLARIFICATION_LABELS: dict[ClarificationResult, str] = {
    ClarificationResult.SESUAI: "Sesuai (tidak dibatalkan)",
    ClarificationResult.DIBATALKAN: "Dibatalkan",
}

# The transition table: which step may follow which (None = nothing recorded yet).
# A klarifikasi with result "dibatalkan" sends the adoption back to penyusunan
# (see ``stage_after``), so the table has no separate "cancelled" state.
TRANSITIONS: dict[Stage | None, tuple[Stage, ...]] = {
    None: (Stage.DIRENCANAKAN,),
    Stage.DIRENCANAKAN: (Stage.PENYUSUNAN,),
    Stage.PENYUSUNAN: (Stage.KONSULTASI,),
    Stage.KONSULTASI: (Stage.DIAJUKAN_KE_BPD,),
    Stage.DIAJUKAN_KE_BPD: (Stage.PEMBAHASAN,),
    Stage.PEMBAHASAN: (Stage.DISEPAKATI,),
    Stage.DISEPAKATI: (Stage.DISERAHKAN,),
    Stage.DISERAHKAN: (Stage.DITETAPKAN,),
    Stage.DITETAPKAN: (Stage.DIUNDANGKAN,),
    Stage.DIUNDANGKAN: (Stage.DILAPORKAN,),
    Stage.DILAPORKAN: (Stage.KLARIFIKASI,),
    Stage.KLARIFIKASI: (Stage.DISEBARLUASKAN,),
    Stage.DISEBARLUASKAN: (),
}

# A Perdes enacted before the app came is recorded "after the fact" from its agreement on:
# the earlier steps are usually undocumented, but the registers need the agreement date.
AFTER_THE_FACT_FIRST: Stage = Stage.DISEPAKATI

# Fields each step needs besides its date (names of columns on the event).
REQUIRED_FIELDS: dict[Stage, tuple[str, ...]] = {
    Stage.DISEPAKATI: ("berita_acara_number",),
    Stage.DITETAPKAN: ("perdes_number",),
    Stage.DIUNDANGKAN: ("lembaran_year", "lembaran_number"),
    Stage.DILAPORKAN: ("letter_number",),
    Stage.KLARIFIKASI: ("clarification_result",),
}
# Fields a step may carry (required or not).
STEP_FIELDS: dict[Stage, tuple[str, ...]] = {
    **{stage: () for stage in Stage},
    **REQUIRED_FIELDS,
    Stage.DIUNDANGKAN: ("lembaran_year", "lembaran_number", "berita_desa_number"),
    Stage.KLARIFIKASI: ("clarification_result", "decision_number"),
}

FIELD_LABELS: dict[str, str] = {
    "occurred_on": "Tanggal",
    "berita_acara_number": "Nomor berita acara kesepakatan",
    "perdes_number": "Nomor Peraturan Desa",
    "lembaran_year": "Tahun Lembaran Desa",
    "lembaran_number": "Nomor Lembaran Desa",
    "berita_desa_number": "Nomor Berita Desa",
    "letter_number": "Nomor surat pengantar laporan",
    "clarification_result": "Hasil klarifikasi",
    "decision_number": "Nomor keputusan Bupati/Wali Kota",
}

DATE_LABELS: dict[Stage, str] = {
    Stage.DIRENCANAKAN: "Tanggal penetapan RKP Desa",
    Stage.PENYUSUNAN: "Tanggal mulai penyusunan",
    Stage.KONSULTASI: "Tanggal konsultasi",
    Stage.DIAJUKAN_KE_BPD: "Tanggal diajukan ke BPD",
    Stage.PEMBAHASAN: "Tanggal pembahasan",
    Stage.DISEPAKATI: "Tanggal kesepakatan",
    Stage.DISERAHKAN: "Tanggal diterima Kepala Desa",
    Stage.DITETAPKAN: "Tanggal ditetapkan",
    Stage.DIUNDANGKAN: "Tanggal diundangkan",
    Stage.DILAPORKAN: "Tanggal surat laporan",
    Stage.KLARIFIKASI: "Tanggal hasil klarifikasi",
    Stage.DISEBARLUASKAN: "Tanggal disebarluaskan",
}

# Refusal reasons shown to users (Indonesian).
REASON_FINISHED = "Semua tahap sudah tercatat; tidak ada langkah berikutnya."
REASON_FUTURE = "Tanggal tidak boleh di masa depan."
REASON_BEFORE_PREVIOUS = "Tanggal tidak boleh sebelum langkah sebelumnya ({previous})."
REASON_DECISION_REQUIRED = "Wajib diisi bila Perdes dibatalkan."
REASON_KELURAHAN = KELURAHAN_REFUSAL  # the one rule: perdes.regions.eligibility


def refusal(
    current: Stage | None,
    step: Stage,
    table: dict[Stage | None, tuple[Stage, ...]] | None = None,
) -> str:
    """Why ``step`` may not follow ``current`` (under ``table``, default a Perdes's)."""
    allowed = (table or TRANSITIONS).get(current, ())
    if not allowed:
        return REASON_FINISHED
    names = " atau ".join(f"“{STAGE_LABELS[s]}”" for s in allowed)
    where = "belum ada langkah tercatat" if current is None else f"tahap “{STAGE_LABELS[current]}”"
    return (
        f"Langkah “{STAGE_LABELS[step]}” tidak dapat dicatat: setelah {where}, "
        f"langkah berikutnya adalah {names}."
    )


def allowed_next(current: Stage | None) -> tuple[Stage, ...]:
    return TRANSITIONS[current]


def stage_after(step: Stage, result: ClarificationResult | None = None) -> Stage:
    """The stage an adoption is in after ``step``: a cancelled Perdes goes back to drafting."""
    if step is Stage.KLARIFIKASI and result is ClarificationResult.DIBATALKAN:
        return Stage.PENYUSUNAN
    return step
