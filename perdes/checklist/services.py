"""Village assessments: reading, answering, evidence, verification, derived items, totals.

Who may do what (``perdes/accounts/permissions.py``), always inside the actor's scope:
- ``checklist.view`` (everyone): read items, history, evidence, score.
- ``checklist.answer`` (operator, admin): set status, the "tidak berlaku" reason and the
  note; saving a "terpenuhi"/"tidak berlaku" answer submits it (again) for verification.
- ``checklist.evidence`` (operator, pendamping, admin): add or remove evidence files and
  edit the note; a pendamping cannot set the status, so cannot submit.
- ``checklist.verify`` (pemantau, admin): verify or reject (with a reason) a submitted item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.checklist import facts, registry
from perdes.checklist.framework import Framework, ItemDef, Pillar
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistEvidence,
    ChecklistFramework,
    ChecklistItemEvent,
    ChecklistVillageTotal,
    EventKind,
    ItemStatus,
    Verification,
)
from perdes.checklist.scoring import ItemState, ScoreResult, compute
from perdes.db import utcnow
from perdes.errors import NotFound, ValidationFailed
from perdes.files import StoredFile, store_upload
from perdes.regions.services import get_village
from perdes.validation import FieldErrors, clean_text

NOTE_MAX = 2000
REASON_MAX = 1000
SUBMITTED = frozenset({ItemStatus.TERPENUHI, ItemStatus.TIDAK_BERLAKU})


@dataclass(slots=True)
class EvidenceView:
    id: int
    file: StoredFile


@dataclass(slots=True)
class ItemView:
    """One item as the village page shows it; ``answer`` is None until someone touches it."""

    item: ItemDef
    answer: ChecklistAnswer | None
    evidence: list[EvidenceView] = field(default_factory=list)
    history: list[ChecklistItemEvent] = field(default_factory=list)

    @property
    def state(self) -> ItemState:
        if self.answer is None:
            return ItemState()
        return ItemState(self.answer.status, self.answer.verification)

    @property
    def derived(self) -> bool:
        return self.item.rule is not None

    @property
    def status_choices(self) -> list[ItemStatus]:
        """Statuses a person may pick: mandatory items cannot be "tidak berlaku"."""
        return [
            s for s in ItemStatus if s is not ItemStatus.TIDAK_BERLAKU or not self.item.mandatory
        ]

    @property
    def fact_label(self) -> str:
        rule = self.item.rule
        return facts.describe(rule.fact, rule.params) if rule else ""


@dataclass(slots=True)
class AssessmentView:
    """A village against the current version of one framework."""

    village_code: str
    row: ChecklistFramework
    framework: Framework
    assessment: ChecklistAssessment | None
    pillars: list[tuple[Pillar, list[ItemView]]]
    result: ScoreResult
    archived: list[ChecklistAnswer]

    def item(self, item_key: str) -> ItemView:
        for _, items in self.pillars:
            for view in items:
                if view.item.id == item_key:
                    return view
        raise NotFound("Butir ceklis tidak ditemukan.")

    @property
    def missing(self) -> list[ItemView]:
        """Mandatory items not yet verified, in framework order."""
        keys = set(self.result.mandatory_missing)
        return [v for _, items in self.pillars for v in items if v.item.id in keys]


# --- reading -------------------------------------------------------------------------------


def _current_assessment(
    session: Session, *, village_code: str, slug: str
) -> ChecklistAssessment | None:
    return session.scalar(
        select(ChecklistAssessment)
        .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
        .where(
            ChecklistAssessment.village_code == village_code,
            ChecklistFramework.slug == slug,
            ChecklistAssessment.superseded_at.is_(None),
        )
    )


def _build_view(session: Session, *, village_code: str, row: ChecklistFramework) -> AssessmentView:
    assessment = _current_assessment(session, village_code=village_code, slug=row.slug)
    if assessment is not None and assessment.framework_id != row.id:
        row = assessment.framework  # not yet upgraded: show what the village answered
    framework = registry.parsed(row)
    answers: dict[str, ChecklistAnswer] = {}
    archived: list[ChecklistAnswer] = []
    evidence: dict[int, list[EvidenceView]] = {}
    history: dict[int, list[ChecklistItemEvent]] = {}
    if assessment is not None:
        for answer in session.scalars(
            select(ChecklistAnswer).where(ChecklistAnswer.assessment_id == assessment.id)
        ):
            answers[answer.item_key] = answer
        ids = [a.id for a in answers.values()]
        if ids:
            for link, stored in session.execute(
                select(ChecklistEvidence, StoredFile)
                .join(StoredFile, StoredFile.id == ChecklistEvidence.stored_file_id)
                .where(ChecklistEvidence.answer_id.in_(ids))
                .order_by(ChecklistEvidence.added_at, ChecklistEvidence.id)
            ):
                evidence.setdefault(link.answer_id, []).append(EvidenceView(link.id, stored))
            for event in session.scalars(
                select(ChecklistItemEvent)
                .where(ChecklistItemEvent.answer_id.in_(ids))
                .order_by(ChecklistItemEvent.at.desc(), ChecklistItemEvent.id.desc())
            ):
                history.setdefault(event.answer_id, []).append(event)
        # answers of items dropped by a newer version stay on the superseded assessment
        archived = list(
            session.scalars(
                select(ChecklistAnswer)
                .join(ChecklistAssessment, ChecklistAssessment.id == ChecklistAnswer.assessment_id)
                .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
                .where(
                    ChecklistAssessment.village_code == village_code,
                    ChecklistFramework.slug == row.slug,
                    ChecklistAnswer.archived_at.is_not(None),
                )
                .order_by(ChecklistAnswer.item_key)
            )
        )
    pillars: list[tuple[Pillar, list[ItemView]]] = []
    for pillar in framework.pillars:
        views = []
        for item in pillar.items:
            found = answers.get(item.id)
            aid = found.id if found else -1
            views.append(ItemView(item, found, evidence.get(aid, []), history.get(aid, [])))
        pillars.append((pillar, views))
    result = compute((v.item, v.state) for _, items in pillars for v in items)
    return AssessmentView(village_code, row, framework, assessment, pillars, result, archived)


def village_checklists(
    session: Session, *, actor: Principal, village_code: str
) -> list[AssessmentView]:
    """Every current framework for one village; NotFound outside the actor's scope."""
    get_village(session, code=village_code, scope=actor.scope)
    return [
        _build_view(session, village_code=village_code, row=row)
        for row in registry.current_versions(session)
    ]


def assessment_view(
    session: Session, *, actor: Principal, village_code: str, framework_slug: str
) -> AssessmentView:
    """One framework for one village; NotFound outside the scope or for unknown frameworks."""
    get_village(session, code=village_code, scope=actor.scope)
    row = registry.current_version(session, slug=framework_slug)
    return _build_view(session, village_code=village_code, row=row)


# --- writing helpers -----------------------------------------------------------------------


def _assessment_for_write(
    session: Session, *, actor: Principal, village_code: str, slug: str
) -> tuple[ChecklistAssessment, Framework]:
    latest = registry.current_version(session, slug=slug)
    assessment = _current_assessment(session, village_code=village_code, slug=slug)
    if assessment is None:
        assessment = ChecklistAssessment(
            village_code=village_code, framework_id=latest.id, created_at=utcnow()
        )
        session.add(assessment)
        session.flush()
        audit.record(
            session,
            actor=actor,
            entity="checklist_assessment",
            entity_id=assessment.id,
            action="create",
            changes={"framework": (None, f"{latest.slug} v{latest.version}")},
            village_code=village_code,
        )
    elif assessment.framework.version < latest.version:
        assessment = upgrade_assessment(session, actor=actor, old=assessment, new_row=latest)
    return assessment, registry.parsed(latest)


def _answer_for_write(
    session: Session, *, assessment: ChecklistAssessment, item_key: str
) -> ChecklistAnswer:
    answer = session.scalar(
        select(ChecklistAnswer).where(
            ChecklistAnswer.assessment_id == assessment.id, ChecklistAnswer.item_key == item_key
        )
    )
    if answer is None:
        answer = ChecklistAnswer(
            assessment_id=assessment.id,
            item_key=item_key,
            status=ItemStatus.BELUM,
            not_applicable_reason="",
            note="",
            verification=Verification.BELUM,
            rejection_reason="",
            derived=False,
            updated_at=utcnow(),
        )
        session.add(answer)
        session.flush()
    return answer


def _check(
    session: Session,
    *,
    actor: Principal,
    action: str,
    village_code: str,
    framework_slug: str,
    item_key: str,
) -> ItemDef:
    """Scope, permission and item checks; writes nothing."""
    get_village(session, code=village_code, scope=actor.scope)
    actor.require(action, village_code)
    item = registry.parsed(registry.current_version(session, slug=framework_slug)).item(item_key)
    if item is None:
        raise NotFound("Butir ceklis tidak ditemukan.")
    return item


def _open(
    session: Session, *, actor: Principal, village_code: str, framework_slug: str, item_key: str
) -> tuple[ChecklistAssessment, Framework, ChecklistAnswer]:
    """The assessment (created or upgraded if needed) and the answer to write to."""
    assessment, framework = _assessment_for_write(
        session, actor=actor, village_code=village_code, slug=framework_slug
    )
    answer = _answer_for_write(session, assessment=assessment, item_key=item_key)
    return assessment, framework, answer


def _existing_answer(
    session: Session, *, village_code: str, framework_slug: str, item_key: str
) -> ChecklistAnswer | None:
    assessment = _current_assessment(session, village_code=village_code, slug=framework_slug)
    if assessment is None:
        return None
    return session.scalar(
        select(ChecklistAnswer).where(
            ChecklistAnswer.assessment_id == assessment.id, ChecklistAnswer.item_key == item_key
        )
    )


def _event(
    session: Session,
    *,
    actor: Principal,
    answer: ChecklistAnswer,
    kind: EventKind,
    detail: str = "",
) -> None:
    session.add(
        ChecklistItemEvent(
            answer_id=answer.id,
            at=utcnow(),
            actor_id=actor.user_id,
            actor_name=actor.full_name or actor.username,
            kind=kind,
            status=answer.status,
            verification=answer.verification,
            detail=detail,
        )
    )
    answer.updated_at = utcnow()
    session.flush()


def _audit(
    session: Session,
    *,
    actor: Principal,
    answer: ChecklistAnswer,
    action: str,
    village_code: str,
    changes: dict[str, tuple[object, object]],
) -> None:
    audit.record(
        session,
        actor=actor,
        entity="checklist_answer",
        entity_id=answer.id,
        action=action,
        changes={"item": (None, answer.item_key), **changes},
        village_code=village_code,
    )


def refresh_total(
    session: Session, *, assessment: ChecklistAssessment, framework: Framework
) -> ChecklistVillageTotal:
    """Recompute and store the village's totals for this assessment (same transaction)."""
    answers = {
        a.item_key: a
        for a in session.scalars(
            select(ChecklistAnswer).where(ChecklistAnswer.assessment_id == assessment.id)
        )
    }
    result = compute(
        (
            item,
            ItemState(answers[item.id].status, answers[item.id].verification)
            if item.id in answers
            else ItemState(),
        )
        for item in framework.items()
    )
    total = session.get(ChecklistVillageTotal, (assessment.village_code, framework.id))
    if total is None:
        total = ChecklistVillageTotal(
            village_code=assessment.village_code, framework_slug=framework.id
        )
        session.add(total)
    total.framework_id = assessment.framework_id
    total.score = result.score
    total.verified_count = result.verified_count
    total.mandatory_missing_count = result.mandatory_missing_count
    total.waiting_count = result.waiting_count
    total.rejected_count = result.rejected_count
    total.qualified = result.qualified
    total.updated_at = utcnow()
    session.flush()
    return total


def _submit(answer: ChecklistAnswer) -> None:
    answer.verification = Verification.MENUNGGU
    answer.submitted_at = utcnow()
    answer.rejection_reason = ""
    answer.verified_at = None
    answer.verified_by_id = None


# --- answering -----------------------------------------------------------------------------


def answer_item(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    framework_slug: str,
    item_key: str,
    status: str,
    not_applicable_reason: str = "",
    note: str = "",
) -> ChecklistAnswer:
    """Save the village's answer to one item.

    "terpenuhi" and "tidak berlaku" are submitted for verification (again, after a rejection
    or when the answer changed); "belum" and "dalam proses" withdraw any verification.
    Raises NotFound (scope, unknown item), OutOfScope (role), ValidationFailed (bad status,
    missing or too long reason/note, "tidak berlaku" on a mandatory item, derived items).
    """
    errors = FieldErrors()
    try:
        new_status = ItemStatus(status)
    except ValueError:
        errors.add("status", "Pilih salah satu status yang tersedia.")
        new_status = ItemStatus.BELUM
    reason = clean_text(
        not_applicable_reason,
        field="not_applicable_reason",
        errors=errors,
        max_length=REASON_MAX,
        multiline=True,
    )
    clean_note = clean_text(note, field="note", errors=errors, max_length=NOTE_MAX, multiline=True)
    item = _check(
        session,
        actor=actor,
        action="checklist.answer",
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
    )
    if item.rule is not None:
        errors.add(
            "status",
            "Status butir ini terisi otomatis; Anda hanya dapat menambah catatan dan bukti.",
        )
    if new_status is ItemStatus.TIDAK_BERLAKU:
        if item.mandatory:
            errors.add("status", "Butir wajib tidak dapat dinyatakan tidak berlaku.")
        elif not reason:
            errors.add("not_applicable_reason", "Jelaskan mengapa butir ini tidak berlaku.")
    else:
        reason = ""
    if errors:
        raise ValidationFailed(dict(errors))
    assessment, framework, answer = _open(
        session,
        actor=actor,
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
    )
    before = (answer.status, answer.not_applicable_reason, answer.note, answer.verification)
    if new_status in SUBMITTED:
        if (
            new_status is not answer.status
            or reason != answer.not_applicable_reason
            or answer.verification in (Verification.BELUM, Verification.DITOLAK)
        ):
            _submit(answer)
    else:
        answer.verification = Verification.BELUM
        answer.submitted_at = answer.verified_at = answer.verified_by_id = None
        answer.rejection_reason = ""
    answer.status = new_status
    answer.not_applicable_reason = reason
    answer.note = clean_note
    after = (answer.status, answer.not_applicable_reason, answer.note, answer.verification)
    if before == after:
        return answer
    _event(
        session, actor=actor, answer=answer, kind=EventKind.ANSWERED, detail=reason or clean_note
    )
    names = ("status", "not_applicable_reason", "note", "verification")
    _audit(
        session,
        actor=actor,
        answer=answer,
        action="answer",
        village_code=village_code,
        changes={n: (b, a) for n, b, a in zip(names, before, after, strict=True) if b != a},
    )
    refresh_total(session, assessment=assessment, framework=framework)
    return answer


def set_note(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    framework_slug: str,
    item_key: str,
    note: str,
) -> ChecklistAnswer | None:
    """Change only the note (``checklist.evidence``: the pendamping's way to comment).

    The note does not change the status or the verification. Returns None when there was
    nothing to save on an untouched item.
    """
    errors = FieldErrors()
    clean_note = clean_text(note, field="note", errors=errors, max_length=NOTE_MAX, multiline=True)
    if errors:
        raise ValidationFailed(dict(errors))
    _check(
        session,
        actor=actor,
        action="checklist.evidence",
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
    )
    current = _existing_answer(
        session, village_code=village_code, framework_slug=framework_slug, item_key=item_key
    )
    if (current.note if current else "") == clean_note:
        return current
    _, _, answer = _open(
        session,
        actor=actor,
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
    )
    if answer.note == clean_note:
        return answer
    before = answer.note
    answer.note = clean_note
    _event(session, actor=actor, answer=answer, kind=EventKind.NOTE, detail=clean_note)
    _audit(
        session,
        actor=actor,
        answer=answer,
        action="note",
        village_code=village_code,
        changes={"note": (before, clean_note)},
    )
    return answer


def _evidence_changed(answer: ChecklistAnswer) -> bool:
    """A verified manual item whose evidence changed goes back to the monitor."""
    if answer.derived or answer.verification is not Verification.DIVERIFIKASI:
        return False
    _submit(answer)
    return True


def add_evidence(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    framework_slug: str,
    item_key: str,
    data: bytes,
    filename: str,
    root: Path,
    max_bytes: int,
) -> ChecklistEvidence:
    """Attach an evidence file (PDF/JPEG/PNG by content, size-limited, deduplicated).

    A verified item returns to "menunggu verifikasi". Raises NotFound, OutOfScope, and
    ValidationFailed (field ``file``) for bad files or a file already attached here.
    """
    _check(
        session,
        actor=actor,
        action="checklist.evidence",
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
    )
    stored, _ = store_upload(
        session, root=root, data=data, filename=filename, actor=actor, max_bytes=max_bytes
    )
    current = _existing_answer(
        session, village_code=village_code, framework_slug=framework_slug, item_key=item_key
    )
    if current is not None and session.scalar(
        select(ChecklistEvidence.id).where(
            ChecklistEvidence.answer_id == current.id,
            ChecklistEvidence.stored_file_id == stored.id,
        )
    ):
        raise ValidationFailed({"file": "Berkas yang sama sudah dilampirkan pada butir ini."})
    assessment, framework, answer = _open(
        session,
        actor=actor,
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
    )
    link = ChecklistEvidence(
        answer_id=answer.id, stored_file_id=stored.id, added_at=utcnow(), added_by_id=actor.user_id
    )
    session.add(link)
    session.flush()
    before = answer.verification
    reopened = _evidence_changed(answer)
    _event(
        session,
        actor=actor,
        answer=answer,
        kind=EventKind.EVIDENCE_ADDED,
        detail=stored.original_name,
    )
    changes: dict[str, tuple[object, object]] = {"evidence": (None, stored.original_name)}
    if reopened:
        changes["verification"] = (before, answer.verification)
    _audit(
        session,
        actor=actor,
        answer=answer,
        action="add_evidence",
        village_code=village_code,
        changes=changes,
    )
    refresh_total(session, assessment=assessment, framework=framework)
    return link


def remove_evidence(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    framework_slug: str,
    item_key: str,
    evidence_id: int,
) -> None:
    """Detach an evidence file (the stored file stays); a verified item returns to waiting."""
    _check(
        session,
        actor=actor,
        action="checklist.evidence",
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
    )
    # a NotFound below rolls the whole request back, so opening first writes nothing for good
    assessment, framework, answer = _open(
        session,
        actor=actor,
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
    )
    link = session.get(ChecklistEvidence, evidence_id)
    if link is None or link.answer_id != answer.id:
        raise NotFound("Bukti tidak ditemukan.")
    stored = session.get(StoredFile, link.stored_file_id)
    name = stored.original_name if stored else ""
    session.delete(link)
    session.flush()
    before = answer.verification
    reopened = _evidence_changed(answer)
    _event(session, actor=actor, answer=answer, kind=EventKind.EVIDENCE_REMOVED, detail=name)
    changes: dict[str, tuple[object, object]] = {"evidence": (name, None)}
    if reopened:
        changes["verification"] = (before, answer.verification)
    _audit(
        session,
        actor=actor,
        answer=answer,
        action="remove_evidence",
        village_code=village_code,
        changes=changes,
    )
    refresh_total(session, assessment=assessment, framework=framework)


def evidence_file(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    framework_slug: str,
    item_key: str,
    evidence_id: int,
) -> StoredFile:
    """The stored file of one evidence link of this item; NotFound outside scope or elsewhere."""
    view = assessment_view(
        session, actor=actor, village_code=village_code, framework_slug=framework_slug
    )
    for evidence in view.item(item_key).evidence:
        if evidence.id == evidence_id:
            return evidence.file
    raise NotFound("Bukti tidak ditemukan.")


# --- verification --------------------------------------------------------------------------


def verify_item(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    framework_slug: str,
    item_key: str,
    decision: str,
    reason: str = "",
) -> ChecklistAnswer:
    """A monitor's decision on a submitted item: "diverifikasi", or "ditolak" with a reason.

    Raises NotFound, OutOfScope (not a monitor, or outside the scope), ValidationFailed
    (unknown decision, missing reason, item not submitted, derived item, same decision twice).
    """
    errors = FieldErrors()
    clean_reason = clean_text(
        reason, field="reason", errors=errors, max_length=REASON_MAX, multiline=True
    )
    if decision not in (Verification.DIVERIFIKASI.value, Verification.DITOLAK.value):
        errors.add("decision", "Pilih diverifikasi atau ditolak.")
    elif decision == Verification.DITOLAK.value and not clean_reason and "reason" not in errors:
        errors.add("reason", "Tuliskan alasan penolakan; desa akan membacanya.")
    if errors:
        raise ValidationFailed(dict(errors))
    item = _check(
        session,
        actor=actor,
        action="checklist.verify",
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
    )
    target = Verification(decision)
    current = _existing_answer(
        session, village_code=village_code, framework_slug=framework_slug, item_key=item_key
    )
    if item.rule is not None:
        raise ValidationFailed({"decision": "Butir ini diverifikasi otomatis oleh sistem."})
    if current is None or current.status not in SUBMITTED:
        raise ValidationFailed({"decision": "Butir ini belum diajukan untuk verifikasi."})
    if current.verification is target:
        raise ValidationFailed({"decision": "Keputusan ini sudah tercatat."})
    assessment, framework, answer = _open(
        session,
        actor=actor,
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
    )
    before = answer.verification
    answer.verification = target
    answer.verified_at = utcnow()
    answer.verified_by_id = actor.user_id
    answer.rejection_reason = clean_reason if target is Verification.DITOLAK else ""
    kind = EventKind.VERIFIED if target is Verification.DIVERIFIKASI else EventKind.REJECTED
    _event(session, actor=actor, answer=answer, kind=kind, detail=clean_reason)
    _audit(
        session,
        actor=actor,
        answer=answer,
        action="verify",
        village_code=village_code,
        changes={"verification": (before, target), "reason": (None, clean_reason or None)},
    )
    refresh_total(session, assessment=assessment, framework=framework)
    return answer


# --- framework versions --------------------------------------------------------------------


def upgrade_assessment(
    session: Session,
    *,
    actor: Principal,
    old: ChecklistAssessment,
    new_row: ChecklistFramework,
) -> ChecklistAssessment:
    """Move a village to a newer framework version.

    Answers (with evidence and history) carry over for item ids the new version keeps; new
    items start empty; answers of dropped items stay on the old, superseded assessment,
    marked archived. A carried "tidak berlaku" on an item that became mandatory is reset.
    """
    framework = registry.parsed(new_row)
    now = utcnow()
    new = ChecklistAssessment(
        village_code=old.village_code, framework_id=new_row.id, created_at=now
    )
    session.add(new)
    old.superseded_at = now
    session.flush()
    for answer in session.scalars(
        select(ChecklistAnswer).where(
            ChecklistAnswer.assessment_id == old.id, ChecklistAnswer.archived_at.is_(None)
        )
    ):
        item = framework.item(answer.item_key)
        if item is None:
            answer.archived_at = now
            _event(session, actor=actor, answer=answer, kind=EventKind.ARCHIVED)
            continue
        copy = ChecklistAnswer(
            assessment_id=new.id,
            item_key=answer.item_key,
            status=answer.status,
            not_applicable_reason=answer.not_applicable_reason,
            note=answer.note,
            verification=answer.verification,
            rejection_reason=answer.rejection_reason,
            submitted_at=answer.submitted_at,
            verified_at=answer.verified_at,
            verified_by_id=answer.verified_by_id,
            derived=answer.derived and item.rule is not None,
            updated_at=answer.updated_at,
        )
        if item.mandatory and copy.status is ItemStatus.TIDAK_BERLAKU:
            copy.status, copy.verification = ItemStatus.BELUM, Verification.BELUM
            copy.not_applicable_reason = ""
        session.add(copy)
        session.flush()
        for link in session.scalars(
            select(ChecklistEvidence).where(ChecklistEvidence.answer_id == answer.id)
        ):
            session.add(
                ChecklistEvidence(
                    answer_id=copy.id,
                    stored_file_id=link.stored_file_id,
                    added_at=link.added_at,
                    added_by_id=link.added_by_id,
                )
            )
        for event in session.scalars(
            select(ChecklistItemEvent)
            .where(ChecklistItemEvent.answer_id == answer.id)
            .order_by(ChecklistItemEvent.id)
        ):
            session.add(
                ChecklistItemEvent(
                    answer_id=copy.id,
                    at=event.at,
                    actor_id=event.actor_id,
                    actor_name=event.actor_name,
                    kind=event.kind,
                    status=event.status,
                    verification=event.verification,
                    detail=event.detail,
                )
            )
        session.flush()
        _event(
            session,
            actor=actor,
            answer=copy,
            kind=EventKind.CARRIED_OVER,
            detail=f"versi {old.framework.version} → versi {new_row.version}",
        )
    audit.record(
        session,
        actor=actor,
        entity="checklist_assessment",
        entity_id=new.id,
        action="upgrade",
        changes={
            "framework": (
                f"{old.framework.slug} v{old.framework.version}",
                f"{new_row.slug} v{new_row.version}",
            )
        },
        village_code=old.village_code,
    )
    refresh_total(session, assessment=new, framework=framework)
    return new


def upgrade_all(session: Session, *, actor: Principal, new_row: ChecklistFramework) -> list[str]:
    """Upgrade every current assessment of an older version of this framework.

    Returns the codes of the villages moved.
    """
    olds = list(
        session.scalars(
            select(ChecklistAssessment)
            .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
            .where(
                ChecklistFramework.slug == new_row.slug,
                ChecklistFramework.version < new_row.version,
                ChecklistAssessment.superseded_at.is_(None),
            )
        )
    )
    for old in olds:
        upgrade_assessment(session, actor=actor, old=old, new_row=new_row)
    return [old.village_code for old in olds]
