"""Demo data for ``make run``: Banten's regions, a few village profiles, one user per role.

The fallback ``serang.csv`` (Kecamatan Pontang, Tirtayasa and Tanara of Kabupaten Serang) is
an extract of the cahyadsn/wilayah dataset (MIT licence, ``serang.LICENSE``), following
Kepmendagri 300.2.2-2138 Tahun 2025.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes.accounts import services as accounts
from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.checklist import registry, services, validity
from perdes.checklist.loading import load_bundled
from perdes.checklist.store import existing_answer
from perdes.clock import local_today
from perdes.config import PROJECT_ROOT
from perdes.db import utcnow
from perdes.profiles import services as profiles
from perdes.regions import services as regions
from perdes.regions.importer import ImportReport, RawRow, import_regions, read_region_csv
from perdes.tracking import services as tracking
from perdes.tracking import standing
from perdes.tracking.after_the_fact import record_after_the_fact
from perdes.tracking.models import Adoption
from perdes.tracking.stages import STAGE_ORDER, Stage

FALLBACK_CSV = Path(__file__).with_name("serang.csv")
SHARED_CSV = PROJECT_ROOT.parent / "shared" / "data" / "wilayah.csv"
PROVINCE = "36"

PROFILES: dict[str, dict[str, object]] = {
    "36.04.13.2007": {
        "kepala_desa_name": "Ahmad Sobari",
        "sekretaris_desa_name": "Junaedi",
        "ketua_bpd_name": "Muhamad Yasin",
        "pmi_active_count": 412,
        "pmi_returned_count": 958,
        "contact_phone": "0254-000000",
        "address": "Jalan Raya Tirtayasa, Desa Lontar",
    },
    "36.04.13.2008": {"kepala_desa_name": "Saepudin", "pmi_active_count": 137},
    "36.04.13.2001": {"kepala_desa_name": "Hasanudin", "pmi_active_count": 95},
    "36.04.12.2001": {"kepala_desa_name": "Rohmat", "pmi_active_count": 210},
}


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    scopes: tuple[str, ...]


DEMO_USERS = (
    DemoUser("admin", "Admin Perdes PMI", Role.ADMIN, ()),
    DemoUser("admin.serang", "Admin Daerah Kab. Serang", Role.ADMIN_DAERAH, ("36.04",)),
    DemoUser("pemantau.serang", "Pemantau BP3MI Banten", Role.PEMANTAU, ("36.04",)),
    DemoUser("operator.lontar", "Operator Desa Lontar", Role.OPERATOR, ("36.04.13.2007",)),
    DemoUser("petugas.lontar", "Petugas Pendataan Lontar", Role.PETUGAS, ("36.04.13.2007",)),
    # keeps the demo's PMI register (register_data.py), so Tirtayasa's checklist derives from it
    DemoUser("petugas.tirtayasa", "Petugas Pendataan Tirtayasa", Role.PETUGAS, ("36.04.13.2001",)),
    DemoUser(
        "pendamping.kkbm",
        "Pendamping KKBM Lontar",
        Role.PENDAMPING,
        ("36.04.13.2007", "36.04.13.2008", "36.04.13.2001"),
    ),
)


def demo_region_rows(source: Path | None = None) -> tuple[Path, list[RawRow]]:
    """Banten's rows from the national file when present, else the bundled Serang extract."""
    path = source or (SHARED_CSV if SHARED_CSV.exists() else FALLBACK_CSV)
    rows = read_region_csv(path.read_bytes())
    if path != FALLBACK_CSV:
        rows = [r for r in rows if r.code == PROVINCE or r.code.startswith(PROVINCE + ".")]
    return path, rows


def load_regions(session: Session, source: Path | None = None) -> tuple[Path, ImportReport]:
    path, rows = demo_region_rows(source)
    return path, import_regions(session, rows)


def load_profiles(session: Session) -> None:
    actor = Principal.system()
    for code, values in PROFILES.items():
        village = regions.get_village(session, code=code, scope=actor.scope)
        data: dict[str, object] = {
            name: getattr(village.profile, name) for name in regions.PROFILE_FIELDS
        }
        data.update(values)
        profiles.update_profile(session, actor=actor, code=code, data=data)


STEP_FIELDS_DEMO: dict[Stage, dict[str, str]] = {
    Stage.DISEPAKATI: {"berita_acara_number": "141/03/BPD/2026"},
}

# village → (last stage reached, days ago of the first step); each step two weeks apart, the
# last one `last_days_ago` days ago. Susukan's agreement is 12 days old: hand-over is overdue.
DEMO_ADOPTIONS: dict[str, tuple[Stage, int]] = {
    "36.04.13.2007": (Stage.PEMBAHASAN, 5),
    "36.04.13.2008": (Stage.DISEPAKATI, 12),
    "36.04.12.2001": (Stage.DIRENCANAKAN, 20),
}
DEMO_AFTER_THE_FACT = {
    "36.04.13.2001": {
        "title": "Pelindungan Pekerja Migran Indonesia",
        "agreed_on": "2019-03-01",
        "berita_acara_number": "02/BPD/2019",
        "enacted_on": "2019-03-08",
        "perdes_number": "3",
        "promulgated_on": "2019-03-11",
        "lembaran_year": "2019",
        "lembaran_number": "3",
        "reported_on": "2019-03-15",
        "letter_number": "141/27/2019",
    }
}
# Other kinds of product made outside the app (public listing, Buku Keputusan Kepala Desa).
DEMO_OTHER_PRODUCTS = {
    "36.04.13.2007": {
        "kind": "kepdes",
        "title": "Pembentukan Satuan Tugas Pelindungan Pekerja Migran Indonesia",
        "summary": "Satgas PMI desa: pendataan, layanan informasi, pemantauan.",
        "enacted_on": "2025-07-14",
        "perdes_number": "141/12/2025",
    }
}


def load_activity(session: Session) -> None:
    """Adoption steps for a few villages and the bundled checklist, once (idempotent)."""
    actor = Principal.system()
    load_bundled(session, actor=actor)
    today = local_today()
    for code, (last, last_days_ago) in DEMO_ADOPTIONS.items():
        if standing.village_stage(session, village_code=code) is not None:
            continue
        adoption = tracking.start_adoption(session, actor=actor, village_code=code)
        stages = STAGE_ORDER[: STAGE_ORDER.index(last) + 1]
        for i, stage in enumerate(stages):
            on = today - timedelta(days=last_days_ago + 14 * (len(stages) - 1 - i))
            data = {"stage": stage.value, "occurred_on": on.isoformat()}
            data.update(STEP_FIELDS_DEMO.get(stage, {}))
            tracking.record_step(session, actor=actor, adoption_id=adoption.id, data=data)
    for code, values in DEMO_AFTER_THE_FACT.items():
        if standing.village_stage(session, village_code=code) is None:
            record_after_the_fact(session, actor=actor, village_code=code, data=values)
    for code, values in DEMO_OTHER_PRODUCTS.items():
        recorded = session.scalar(
            select(Adoption.id).where(
                Adoption.village_code == code, Adoption.title == values["title"]
            )
        )
        if recorded is None:
            record_after_the_fact(session, actor=actor, village_code=code, data=values)


CHECKLIST_VILLAGE = "36.04.13.2007"
CHECKLIST_SLUG = "desa-pmi-prosedural"
# Desa Lontar's checklist, as the operator and the monitor left it: (item, status, note,
# monitor's decision, rejection reason). Evidence is described in counts, never names.
DEMO_ANSWERS: tuple[tuple[str, str, str, str | None, str], ...] = (
    ("satgas-komunitas-pmi", "terpenuhi",
     "Keputusan Kepala Desa tentang Satgas Pelindungan PMI Desa Lontar; 9 anggota menurut "
     "jabatan.", "diverifikasi", ""),
    ("pendataan-pmi", "terpenuhi",
     "Rekap: 412 PMI bekerja, 958 PMI purna, 37 calon PMI; dimutakhirkan bulan lalu.",
     "diverifikasi", ""),
    ("layanan-informasi-migrasi", "terpenuhi",
     "Pos layanan di kantor desa, Senin–Jumat 08.00–14.00; papan daftar P3MI resmi.",
     "diverifikasi", ""),
    ("kunjungan-keluarga-pmi", "terpenuhi",
     "Rekap: 146 rumah tangga dikunjungi di 4 dusun dalam 12 bulan terakhir.",
     "diverifikasi", ""),
    ("anggaran-apbdes", "terpenuhi", "Kutipan APB Desa tahun berjalan, mata anggaran PMI.",
     "diverifikasi", ""),
    ("keberangkatan-prosedural", "terpenuhi",
     "Rekap 12 bulan terakhir diketahui BP3MI; 2 keberangkatan yang tidak cocok sudah "
     "dilaporkan ke Disnakertrans dan ditindaklanjuti.",
     None, ""),
    ("layanan-pengaduan", "dalam_proses",
     "Alur rujukan ke BP3MI, Disnakertrans, kepolisian dan lembaga bantuan hukum sedang "
     "disusun.", None, ""),
    ("pengasuhan-anak-pmi", "terpenuhi", "Kegiatan Sabtu pagi di balai desa.", "ditolak",
     "Bukti memuat foto anak. Unggah rekap jumlah kegiatan dan anak yang ikut, tanpa foto."),
)  # fmt: skip
# verified 13 months ago: shows "perlu diperbarui"
DEMO_EXPIRED = "layanan-informasi-migrasi"
# the numbers of the items that carry them (checklist/figures.py); None: this year
DEMO_FIGURES: dict[str, dict[str, int | None]] = {
    "keberangkatan-prosedural": {"known": 23, "matched": 21, "followed_up": 2},
    "anggaran-apbdes": {"budget_year": None},
}


def load_checklist(session: Session) -> None:
    """Desa Lontar's checklist answers (once; items the current version lacks are skipped)."""
    from perdes.accounts.services import principal_for

    village, slug = CHECKLIST_VILLAGE, CHECKLIST_SLUG
    if existing_answer(
        session, village_code=village, framework_slug=slug, item_key="satgas-komunitas-pmi"
    ):
        return
    operator = accounts.find_user(session, username="operator.lontar")
    monitor = accounts.find_user(session, username="pemantau.serang")
    if operator is None or monitor is None:
        return
    op, mon = principal_for(operator), principal_for(monitor)
    framework = registry.parsed(registry.current_version(session, slug=slug))
    for key, status, note, decision, reason in DEMO_ANSWERS:
        if framework.item(key) is None:
            continue
        numbers = {
            name: validity.today().year if value is None else value
            for name, value in DEMO_FIGURES.get(key, {}).items()
        }
        services.answer_item(
            session, actor=op, village_code=village, framework_slug=slug, item_key=key,
            status=status, note=note,
            figures=numbers if framework.format >= 2 else None,  # version 1 has no numbers
        )  # fmt: skip
        if decision is not None:
            answer = services.verify_item(
                session, actor=mon, village_code=village, framework_slug=slug, item_key=key,
                decision=decision, reason=reason,
            )  # fmt: skip
            if key == DEMO_EXPIRED:
                answer.verified_at = utcnow() - timedelta(days=400)
                session.flush()
    validity.refresh_expired(session)


def load_users(session: Session, *, password: str | None = None) -> dict[str, str]:
    """Create the demo users, or give existing ones a fresh password; return the passwords."""
    actor = Principal.system()
    passwords: dict[str, str] = {}
    for demo in DEMO_USERS:
        pw = password or secrets.token_urlsafe(9)
        existing = accounts.find_user(session, username=demo.username)
        if existing is None:
            accounts.create_user(
                session,
                actor=actor,
                username=demo.username,
                full_name=demo.full_name,
                role=demo.role,
                password=pw,
                scope_codes=demo.scopes,
            )
        else:
            accounts.set_password(session, actor=actor, user_id=existing.id, password=pw)
            accounts.set_active(session, actor=actor, user_id=existing.id, active=True)
        passwords[demo.username] = pw
    return passwords
