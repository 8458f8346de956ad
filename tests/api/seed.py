"""Test data shared by the API tests and the schemathesis run."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from perdes.tracking.models import Adoption

STEPS_TO_PROMULGATION = [
    {"stage": "direncanakan"},
    {"stage": "penyusunan"},
    {"stage": "konsultasi_masyarakat"},
    {"stage": "diajukan_ke_bpd"},
    {"stage": "pembahasan"},
    {"stage": "disepakati", "berita_acara_number": "01/BA/BPD/2026"},
    {"stage": "diserahkan_ke_kepala_desa"},
    {"stage": "ditetapkan", "perdes_number": "3"},
    {"stage": "diundangkan", "lembaran_number": "3"},
]


def promulgated_adoption(db: Session, village_code: str, *, steps: int | None = None) -> Adoption:
    """An adoption recorded up to promulgation (or only its first ``steps`` steps), dated
    sixty days ago onwards."""
    system = Principal.system()
    adoption = tracking.start_adoption(
        db, actor=system, village_code=village_code, summary="Ringkasan uji."
    )
    first = local_today() - timedelta(days=60)
    for i, step in enumerate(STEPS_TO_PROMULGATION[:steps]):
        day = first + timedelta(days=i)
        data = {**step, "occurred_on": day.isoformat()}
        if step["stage"] == "diundangkan":
            data["lembaran_year"] = str(day.year)
        tracking.record_step(db, actor=system, adoption_id=adoption.id, data=data)
    return adoption
