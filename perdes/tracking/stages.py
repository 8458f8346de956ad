"""The stages of making a Perdes (PP 43/2014 Pasal 83–84, Permendagri 111/2014), in order.

Other packages (checklist rules, monitoring funnels) refer to these values; keep them stable.
"""

from __future__ import annotations

from enum import StrEnum


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
