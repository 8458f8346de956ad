"""One list of the words the pages use for the app's things, so every page says the same.

Templates read them as ``glossary.<key>``. Change a word here, not in a template.
"""

from __future__ import annotations

from types import MappingProxyType

from perdes.checklist.models import ItemStatus, Verification
from perdes.tracking.stages import STAGE_LABELS, Stage

TERMS: MappingProxyType[str, str] = MappingProxyType(
    {
        # the three things a village works on
        "draft": "Rancangan Perdes",
        "tracker": "Tahapan Perdes",
        "checklist": "Ceklis Desa PMI Prosedural",
        "checklist_short": "Ceklis",
        # documents
        "word": "Rancangan (Word)",
        "word_comments": "Rancangan dengan komentar (Word)",
        "signable": "Naskah untuk ditandatangani (Word)",
        "signable_short": "Naskah untuk ditandatangani",
        "print": "Cetak",
        # monitoring
        "monitoring": "Pemantauan",
        "funnel": "Sebaran desa per tahapan",
        "target_list": "Daftar sasaran",
        "snapshot": "Catat kemajuan hari ini",
        "weight": "bobot",
        "weight_help": "bobot = seberapa besar butir ini dihitung dalam skor (0–100)",
        "verification": "Verifikasi",
        # people
        "system": "Sistem aplikasi",
        "password_change": "Ganti kata sandi",
    }
)


class Glossary:
    """Attribute access for templates: ``glossary.checklist``; an unknown key is an error."""

    def __getattr__(self, key: str) -> str:
        try:
            return TERMS[key]
        except KeyError:
            raise AttributeError(f"no glossary term {key!r}") from None

    def __getitem__(self, key: str) -> str:
        return TERMS[key]


GLOSSARY = Glossary()


# The audit log and timelines in words: what was changed, how, and which field.
AUDIT_ENTITIES: MappingProxyType[str, str] = MappingProxyType(
    {
        "adoption": "Tahapan Perdes",
        "adoption_event": "Langkah tahapan",
        "api_token": "Token API",
        "checklist_answer": "Jawaban ceklis",
        "checklist_assessment": "Penilaian ceklis",
        "checklist_framework": "Kerangka ceklis",
        "deadline_rule": "Aturan tenggat",
        "draft": "Rancangan Perdes",
        "draft_comment": "Komentar rancangan",
        "pmi_breach": "Insiden data pribadi",
        "pmi_case": "Kasus PMI",
        "pmi_consultation": "Konsultasi PMI",
        "pmi_departure": "Keberangkatan PMI",
        "pmi_document_check": "Verifikasi dokumen PMI",
        "pmi_empowerment": "Pemberdayaan PMI",
        "pmi_family_letter": "Surat izin keluarga",
        "pmi_person": "Data orang (register PMI)",
        "pmi_return": "Kepulangan PMI",
        "pmi_subject_request": "Permintaan subjek data",
        "target_list": "Daftar sasaran",
        "user": "Pengguna",
        "village_profile": "Profil desa",
        "checklist_outcome_threshold": "Ambang butir hasil ceklis",
        "league_threshold": "Ambang peringkat",
        "legal_product_link": "Tautan produk hukum",
        "notification_preference": "Preferensi pemberitahuan",
        "register_disclosure": "Ekspor register untuk Dinas",
        "workday_rule": "Aturan hari kerja (cuti bersama)",
    }
)
AUDIT_ACTIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "create": "membuat",
        "delete": "menghapus",
        "update": "mengubah",
        "verify": "memverifikasi",
        "upgrade": "memperbarui versi",
        "start": "memulai",
        "snapshot": "mencatat kemajuan",
        "set_scopes": "mengubah wilayah tugas",
        "set_password": "mengatur kata sandi",
        "change_own_password": "mengganti kata sandinya sendiri",
        "set": "mengatur",
        "save": "menyimpan revisi",
        "revoke": "mencabut",
        "resolve": "menandai selesai",
        "remove_member": "mengeluarkan desa",
        "add_members": "menambah desa",
        "record_step": "mencatat langkah",
        "record_after_the_fact": "mencatat Perdes yang sudah ada",
        "note": "menulis catatan",
        "load": "memuat",
        "enable": "mengaktifkan",
        "disable": "menonaktifkan",
        "derive": "mengisi otomatis",
        "attach_evidence": "melampirkan dokumen",
        "add_evidence": "menambah bukti",
        "remove_evidence": "menghapus bukti",
        "answer": "menjawab",
        "reject": "menolak",
        "correct": "mengoreksi",
        "retract": "membatalkan catatan",
        "mark": "menandai revisi",
        "accept": "menerima",
        "add": "menambah",
        "anonymise": "menganonimkan",
        "import": "mengimpor",
        "invite": "mengundang",
        "propose": "mengusulkan",
        "record_evaluation": "mencatat hasil evaluasi",
        "remove": "menghapus",
        "request_email_change": "meminta ganti alamat surel",
        "verify_email": "memverifikasi alamat surel",
        "accept_invitation": "menerima undangan",
        "reset_password": "mengatur ulang kata sandi",
        "insert_pasal": "menyisipkan pasal",
        "edit_pasal": "mengubah rumusan pasal",
        "discard_edits": "membuang perubahan rumusan",
        "koreksi": "mengoreksi",  # tracking.models.EventKind, as the action of a correction
        "pembatalan_catatan": "membatalkan catatan",
    }
)
FIELD_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {
        "current_stage": "tahap",
        "status": "status",
        "verification": "verifikasi",
        "note": "catatan",
        "password": "kata sandi",
        "is_active": "aktif",
        "scopes": "wilayah tugas",
        "role": "peran",
        "occurred_on": "tanggal",
        "perdes_number": "nomor Perdes",
        "lembaran_number": "nomor Lembaran Desa",
        "berita_acara_number": "nomor berita acara",
        "rejection_reason": "alasan penolakan",
        "not_applicable_reason": "alasan tidak berlaku",
        "kepala_desa_name": "nama kepala desa",
        "sekretaris_desa_name": "nama sekretaris desa",
        "pmi_active_count": "PMI yang bekerja",
        "pmi_returned_count": "PMI purna",
        "address": "alamat",
        "name": "nama",
        "full_name": "nama lengkap",
        "username": "nama pengguna",
        "email": "alamat surel",
        "phone": "telepon",
        "sex": "jenis kelamin",
        "birth_on": "tanggal lahir",
        "share_with_pendamping": "dibagikan kepada pendamping",
        "regency_code": "kode kabupaten/kota",
        "village_code": "kode desa",
        "days": "jumlah hari",
        "legal_basis": "dasar hukum",
        "kind": "jenis",
        "red_below": "merah di bawah",
        "green_from": "hijau mulai",
        "title": "judul",
        "reason": "alasan",
    }
)


def in_words(value: object) -> str:
    """A stored code (a stage, a status, a flag) as the pages say it."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list | tuple | set | frozenset):  # never a Python literal on a page
        return ", ".join(in_words(v) for v in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(str(k))}: {in_words(v)}" for k, v in value.items()) or "–"
    text = str(value)
    if text in Stage._value2member_map_:
        return STAGE_LABELS[Stage(text)]
    for status_enum in (ItemStatus, Verification):
        if text in status_enum._value2member_map_:
            return str(status_enum(text).label)
    return text


def audit_entity(key: str) -> str:
    return AUDIT_ENTITIES.get(key, key.replace("_", " "))


def audit_action(key: str) -> str:
    if key.startswith("mark_") and key not in AUDIT_ACTIONS:  # a revision marked for a purpose
        return AUDIT_ACTIONS["mark"]
    return AUDIT_ACTIONS.get(key, key.replace("_", " "))


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key.replace("_", " "))
