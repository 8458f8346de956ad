"""Every kind of write in every package leaves an audit entry with the village concerned."""

from datetime import timedelta

from sqlalchemy import select

from perdes.accounts import tokens
from perdes.accounts.models import AuditEntry
from perdes.accounts.services import principal_for
from perdes.checklist import services as checklist
from perdes.checklist.loading import load_bundled
from perdes.drafting.workspace import services as drafts
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from perdes.tracking.evidence import attach_evidence
from perdes.tracking.rules import set_rule
from tests.factories import LONTAR, make_user

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_writes_across_packages_are_audited(db, regions, tmp_path):
    operator = principal_for(make_user(db, "operator"))
    monitor = principal_for(make_user(db, "pemantau"))
    admin = principal_for(make_user(db, "admin"))
    load_bundled(db, actor=admin)
    before = db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0

    adoption = tracking.start_adoption(db, actor=operator, village_code=LONTAR)
    on = (local_today() - timedelta(days=5)).isoformat()
    step = tracking.record_step(
        db, actor=operator, adoption_id=adoption.id,
        data={"stage": "direncanakan", "occurred_on": on},
    )  # fmt: skip
    attach_evidence(db, actor=operator, event_id=step.id, data=PDF, filename="rkp.pdf",
                    root=tmp_path, max_bytes=10**6)  # fmt: skip
    tracking.correct_event(db, actor=operator, event_id=step.id, reason="tanggal salah",
                           data={"occurred_on": on})  # fmt: skip
    set_rule(db, actor=admin, kind="penyerahan", regency_code="36.04", days="10",
             legal_basis="Perbup uji")  # fmt: skip
    checklist.answer_item(db, actor=operator, village_code=LONTAR,
                          framework_slug="desa-pmi-prosedural", item_key="satgas-komunitas-pmi",
                          status="terpenuhi")  # fmt: skip
    checklist.verify_item(db, actor=monitor, village_code=LONTAR,
                          framework_slug="desa-pmi-prosedural", item_key="satgas-komunitas-pmi",
                          decision="ditolak", reason="kurang SK")  # fmt: skip
    draft = drafts.create_draft(db, actor=operator, village_code=LONTAR,
                                template_slug="pelindungan-pmi",
                                values={"nama_kepala_desa": "A", "nama_sekretaris_desa": "B"},
                                options={})  # fmt: skip
    drafts.mark_revision(db, actor=operator, draft_id=draft.id, number=1, purpose="bpd")
    new = tokens.create_token(db, actor=operator, name="uji")
    tokens.revoke_token(db, actor=operator, token_id=new.record.id)

    entries = db.scalars(select(AuditEntry).where(AuditEntry.id > before)).all()
    kinds = {e.entity for e in entries}
    assert {"adoption", "adoption_event", "deadline_rule", "checklist_answer", "draft",
            "api_token"} <= kinds, kinds  # fmt: skip
    village_entries = [
        e
        for e in entries
        if e.entity in ("adoption", "adoption_event", "checklist_answer", "draft")
    ]
    assert village_entries and all(e.village_code == LONTAR for e in village_entries)
    assert all(e.username for e in entries)
