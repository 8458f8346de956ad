"""Purposes of the register, the legal basis recorded for each, and the Indonesian labels.

UU 27/2022 (Pelindungan Data Pribadi) asks a controller to process personal data only for a
stated purpose on a lawful basis (Pasal 20); a village doing its UU 18/2017 Pasal 42 duties
relies on the public-task basis, and on the person's consent for anything beyond them (the
summary shown to a pendamping). Every episode row stores the key of its basis, so what was
recorded under which basis stays visible even if this table changes.
"""

from __future__ import annotations

from enum import StrEnum

from perdes.register.models import (
    CaseStatus,
    Channel,
    DocumentKind,
    DocumentStatus,
    EmpowermentKind,
    Referral,
    RequestKind,
    RequestStatus,
    ReturnCondition,
    Sex,
)


class Purpose(StrEnum):
    PENDATAAN = "pendataan"
    INFORMASI = "informasi"
    VERIFIKASI = "verifikasi"
    SURAT_IZIN = "surat_izin"
    PEMANTAUAN = "pemantauan"
    KASUS = "kasus"
    PEMBERDAYAAN = "pemberdayaan"
    HAK_SUBJEK = "hak_subjek"
    BERBAGI_PENDAMPING = "berbagi_pendamping"


PURPOSE_LABELS = {
    Purpose.PENDATAAN: "Pendataan dan pencatatan Calon PMI",
    Purpose.INFORMASI: "Layanan informasi migrasi (konsultasi)",
    Purpose.VERIFIKASI: "Verifikasi data dan dokumen",
    Purpose.SURAT_IZIN: "Surat izin keluarga diketahui Kepala Desa",
    Purpose.PEMANTAUAN: "Pemantauan keberangkatan dan kepulangan",
    Purpose.KASUS: "Pengaduan dan rujukan kasus",
    Purpose.PEMBERDAYAAN: "Pemberdayaan PMI dan keluarganya",
    Purpose.HAK_SUBJEK: "Pemenuhan hak subjek data pribadi",
    Purpose.BERBAGI_PENDAMPING: "Ringkasan untuk pendamping komunitas",
}

PUBLIC_TASK = "UU 27/2022 Pasal 20 (pelaksanaan tugas dan kewenangan)"
# purpose -> the legal basis recorded with each row written for it
LEGAL_BASES: dict[Purpose, str] = {
    Purpose.PENDATAAN: f"UU 18/2017 Pasal 42 huruf b; {PUBLIC_TASK}",
    Purpose.INFORMASI: f"UU 18/2017 Pasal 42 huruf a; {PUBLIC_TASK}",
    Purpose.VERIFIKASI: f"UU 18/2017 Pasal 42 huruf b dan c; {PUBLIC_TASK}",
    Purpose.SURAT_IZIN: f"UU 18/2017 Pasal 13 huruf b; {PUBLIC_TASK}",
    Purpose.PEMANTAUAN: f"UU 18/2017 Pasal 42 huruf d; {PUBLIC_TASK}",
    Purpose.KASUS: f"UU 18/2017 Pasal 42 huruf d; {PUBLIC_TASK}",
    Purpose.PEMBERDAYAAN: f"UU 18/2017 Pasal 42 huruf e; {PUBLIC_TASK}",
    Purpose.HAK_SUBJEK: "UU 27/2022 (hak subjek data pribadi)",
    Purpose.BERBAGI_PENDAMPING: "UU 27/2022 Pasal 20 (persetujuan yang sah secara eksplisit)",
}

SEX_LABELS = {Sex.L: "Laki-laki", Sex.P: "Perempuan"}
CHANNEL_LABELS = {
    Channel.P3MI: "Melalui P3MI",
    Channel.PEMERINTAH: "Pemerintah (G to G)",
    Channel.PERUSAHAAN_SENDIRI: "Perusahaan untuk kepentingan perusahaan sendiri",
    Channel.PERSEORANGAN: "Perseorangan",
}
DOCUMENT_LABELS = {
    DocumentKind.KTP_EL: "KTP-el",
    DocumentKind.KK: "Kartu Keluarga",
    DocumentKind.AKTA_IJAZAH: "Akta kelahiran / ijazah",
    DocumentKind.STATUS_PERKAWINAN: "Surat keterangan status perkawinan",
    DocumentKind.IZIN_KELUARGA: "Surat izin suami/istri, orang tua atau wali",
    DocumentKind.SERTIFIKAT_KOMPETENSI: "Sertifikat kompetensi kerja",
    DocumentKind.PEMERIKSAAN_KESEHATAN: "Surat keterangan sehat (pemeriksaan kesehatan)",
    DocumentKind.JAMINAN_SOSIAL: "Kepesertaan Jaminan Sosial",
    DocumentKind.PASPOR: "Paspor",
    DocumentKind.VISA_KERJA: "Visa kerja",
    DocumentKind.PERJANJIAN_PENEMPATAN: "Perjanjian Penempatan PMI",
    DocumentKind.PERJANJIAN_KERJA: "Perjanjian kerja",
}
# The checklist per channel: UU 18/2017 Pasal 13 (with Pasal 5 on Jaminan Sosial) for every
# channel, plus KTP-el, KK and akta/ijazah that the village facilitates (Pasal 42 huruf c).
# The Perjanjian Penempatan is asked only where a placing party exists (P3MI, government).
# A product proposal, not an official list.
_ALL = tuple(DocumentKind)
REQUIRED_DOCUMENTS: dict[Channel, tuple[DocumentKind, ...]] = {
    Channel.P3MI: _ALL,
    Channel.PEMERINTAH: _ALL,
    Channel.PERUSAHAAN_SENDIRI: tuple(
        k for k in _ALL if k is not DocumentKind.PERJANJIAN_PENEMPATAN
    ),
    Channel.PERSEORANGAN: tuple(k for k in _ALL if k is not DocumentKind.PERJANJIAN_PENEMPATAN),
}
DOCUMENT_STATUS_LABELS = {
    DocumentStatus.BELUM: "Belum ada",
    DocumentStatus.ADA: "Ada, belum diperiksa",
    DocumentStatus.SESUAI: "Diperiksa: sesuai",
    DocumentStatus.TIDAK_SESUAI: "Diperiksa: tidak sesuai",
}
CONDITION_LABELS = {
    ReturnCondition.SEHAT: "Sehat",
    ReturnCondition.SAKIT: "Sakit",
    ReturnCondition.MENINGGAL: "Meninggal dunia",
}
CASE_STATUS_LABELS = {
    CaseStatus.DIBUKA: "Dibuka",
    CaseStatus.DIRUJUK: "Dirujuk",
    CaseStatus.SELESAI: "Selesai",
}
REFERRAL_LABELS = {
    Referral.BELUM: "Belum dirujuk",
    Referral.DINAS: "Dinas tenaga kerja kabupaten/kota",
    Referral.BP3MI: "BP3MI",
}
EMPOWERMENT_LABELS = {
    EmpowermentKind.PELATIHAN: "Pelatihan",
    EmpowermentKind.KELOMPOK_USAHA: "Kelompok usaha",
    EmpowermentKind.KKBM: "Komunitas Keluarga Buruh Migran (KKBM)",
}
REQUEST_LABELS = {
    RequestKind.AKSES: "Akses (salinan data)",
    RequestKind.KOREKSI: "Perbaikan data",
    RequestKind.PENGHAPUSAN: "Penghapusan data",
    RequestKind.KEBERATAN: "Penundaan atau pembatasan pemrosesan",
    RequestKind.PENCABUTAN_PEMBATASAN: "Pencabutan pembatasan pemrosesan",
}
REQUEST_STATUS_LABELS = {
    RequestStatus.DITERIMA: "Diterima, belum dijawab",
    RequestStatus.DIKABULKAN: "Dikabulkan",
    RequestStatus.DITOLAK: "Ditolak",
}
RELATION_LABELS = {
    "suami": "Suami",
    "istri": "Istri",
    "ayah": "Ayah",
    "ibu": "Ibu",
    "wali": "Wali",
}
