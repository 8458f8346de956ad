"""Village assessments: answering, notes, evidence and verification of items.

Who may do what (``perdes/accounts/permissions.py``), always inside the actor's scope:
- ``checklist.view`` (everyone): read items, history, evidence, score.
- ``checklist.answer`` (operator, admin): set status, the "tidak berlaku" reason and the
  note; saving a "terpenuhi"/"tidak berlaku" answer submits it (again) for verification.
- ``checklist.evidence`` (operator, pendamping, admin): add or remove evidence files and
  edit the note; a pendamping cannot set the status, so cannot submit.
- ``checklist.verify`` (pemantau, admin): verify or reject (with a reason) a submitted item.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes import events
from perdes.accounts.principal import Principal
from perdes.checklist import derived, outcome, registry, validity
from perdes.checklist.figures import describe
from perdes.checklist.framework import Framework, ItemDef
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistEvidence,
    ItemEventKind,
    ItemStatus,
    Verification,
)
from perdes.checklist.store import (
    STALE_ANSWER,
    STALE_VERIFICATION,
    answer_for_write,
    assessment_for_write,
    audit_answer,
    check_version,
    existing_answer,
    record_event,
    refresh_total,
    submit,
)
from perdes.db import utcnow
from perdes.errors import NotFound, ValidationFailed
from perdes.events import Change
from perdes.files import StoredFile, display_name, store_upload
from perdes.regions.services import get_village
from perdes.validation import FieldErrors, clean_text

NOTE_MAX = 2000
REASON_MAX = 1000
SUBMITTED = frozenset({ItemStatus.TERPENUHI, ItemStatus.TIDAK_BERLAKU})


def _assessment_for_write(
    session: Session, *, actor: Principal, village_code: str, slug: str
) -> tuple[ChecklistAssessment, Framework]:
    latest = registry.current_version(session, slug=slug)
    assessment = assessment_for_write(session, actor=actor, village_code=village_code, row=latest)
    return assessment, registry.parsed(latest)


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


def open_answer(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    framework_slug: str,
    item_key: str,
    expected_version: int | None = None,
) -> tuple[ChecklistAssessment, Framework, ChecklistAnswer]:
    """The assessment (created if needed) and the answer to write to; StaleAnswer when the
    answer is no longer at ``expected_version``."""
    assessment, framework = _assessment_for_write(
        session, actor=actor, village_code=village_code, slug=framework_slug
    )
    answer = answer_for_write(
        session, assessment=assessment, item_key=item_key, expected_version=expected_version
    )
    return assessment, framework, answer


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
    figures: Mapping[str, object] | None = None,
    expected_version: int | None = None,
) -> ChecklistAnswer:
    """Save the village's answer to one item.

    "terpenuhi" and "tidak berlaku" are submitted for verification (again, after a rejection,
    when the answer changed, or to renew an answer whose validity period is over); "belum"
    and "dalam proses" withdraw any verification. ``figures`` are the item's numbers by id
    (``figures.figures_for``: the outcome's departure counts, a budget item's year); blank
    ones are dropped, and "terpenuhi" needs all of them and needs them to meet the item.
    Raises NotFound (scope, unknown item), OutOfScope (role), ValidationFailed (bad status,
    missing or too long reason/note, "tidak berlaku" on a mandatory item, derived items, bad
    or insufficient numbers, keyed ``figure_<id>`` or ``status``) and
    StaleAnswer when ``expected_version`` (the answer's version the form was opened on, 0
    for an untouched item) is no longer current.
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
    elif derived.register_mode(session, item=item, village_code=village_code):
        errors.add(
            "status",
            "Status butir ini diturunkan dari register PMI desa (hanya angka); perbarui "
            "register, bukan status di sini. Catatan dan bukti tetap dapat ditambahkan.",
        )
    if new_status is ItemStatus.TIDAK_BERLAKU:
        if item.mandatory:
            errors.add("status", "Butir wajib tidak dapat dinyatakan tidak berlaku.")
        elif not reason:
            errors.add("not_applicable_reason", "Jelaskan mengapa butir ini tidak berlaku.")
    else:
        reason = ""
    clean_figures = outcome.clean_figures(
        session, item=item, raw=figures or {}, status=new_status, village_code=village_code,
        framework_slug=framework_slug, today=validity.today(), errors=errors,
    )  # fmt: skip
    if errors:
        raise ValidationFailed(dict(errors))
    check_version(
        existing_answer(
            session,
            village_code=village_code,
            framework_slug=framework_slug,
            item_key=item_key,
            for_update=expected_version is not None,
        ),
        expected_version,
        STALE_ANSWER,
    )
    assessment, framework, answer = open_answer(
        session,
        actor=actor,
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
        expected_version=expected_version,
    )
    before = (
        answer.status,
        answer.not_applicable_reason,
        answer.note,
        answer.verification,
        dict(answer.figures or {}),
    )
    if new_status in SUBMITTED:
        if (
            new_status is not answer.status
            or reason != answer.not_applicable_reason
            or clean_figures != (answer.figures or {})
            or answer.verification in (Verification.BELUM, Verification.DITOLAK)
            or validity.is_expired(item, answer, validity.today())  # renewing
        ):
            submit(answer)
    else:
        answer.verification = Verification.BELUM
        answer.submitted_at = answer.verified_at = answer.verified_by_id = None
        answer.rejection_reason = ""
    answer.status = new_status
    answer.not_applicable_reason = reason
    answer.note = clean_note
    answer.figures = clean_figures
    after = (
        answer.status,
        answer.not_applicable_reason,
        answer.note,
        answer.verification,
        clean_figures,
    )
    if before == after:
        return answer
    record_event(
        session,
        actor=actor,
        answer=answer,
        kind=ItemEventKind.DIJAWAB,
        detail="; ".join(
            t for t in (reason or clean_note, describe(item.extras, clean_figures)) if t
        ),
    )
    names = ("status", "not_applicable_reason", "note", "verification", "figures")
    audit_answer(
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
    expected_version: int | None = None,
) -> ChecklistAnswer | None:
    """Change only the note (``checklist.evidence``: the pendamping's way to comment).

    The note does not change the status or the verification. Returns None when there was
    nothing to save on an untouched item. Raises StaleAnswer like ``answer_item``.
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
    current = existing_answer(
        session,
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
        for_update=expected_version is not None,
    )
    check_version(current, expected_version, STALE_ANSWER)
    if (current.note if current else "") == clean_note:
        return current
    _, _, answer = open_answer(
        session,
        actor=actor,
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
        expected_version=expected_version,
    )
    if answer.note == clean_note:
        return answer
    before = answer.note
    answer.note = clean_note
    record_event(session, actor=actor, answer=answer, kind=ItemEventKind.CATATAN, detail=clean_note)
    audit_answer(
        session,
        actor=actor,
        answer=answer,
        action="note",
        village_code=village_code,
        changes={"note": (before, clean_note)},
    )
    return answer


def _evidence_changed(answer: ChecklistAnswer) -> bool:
    """A verified item whose evidence changed goes back to the monitor, unless the system
    verified it (a rule item: no monitor looked at its evidence)."""
    system_verified = answer.derived and answer.verified_by_id is None
    if system_verified or answer.verification is not Verification.DIVERIFIKASI:
        return False
    submit(answer)
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
        session,
        root=root,
        data=data,
        filename=filename,
        uploaded_by_id=actor.user_id,
        max_bytes=max_bytes,
    )
    current = existing_answer(
        session, village_code=village_code, framework_slug=framework_slug, item_key=item_key
    )
    if current is not None and session.scalar(
        select(ChecklistEvidence.id).where(
            ChecklistEvidence.answer_id == current.id,
            ChecklistEvidence.stored_file_id == stored.id,
        )
    ):
        raise ValidationFailed({"file": "Berkas yang sama sudah dilampirkan pada butir ini."})
    assessment, framework, answer = open_answer(
        session,
        actor=actor,
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
    )
    name = display_name(filename, stored.storage_name.rsplit(".", 1)[1])
    link = ChecklistEvidence(
        answer_id=answer.id,
        stored_file_id=stored.id,
        added_at=utcnow(),
        added_by_id=actor.user_id,
        file_name=name,
    )
    session.add(link)
    session.flush()
    _after_evidence_change(
        session, actor=actor, answer=answer, assessment=assessment, framework=framework,
        village_code=village_code, name=name, added=True,
    )  # fmt: skip
    return link


def _after_evidence_change(
    session: Session,
    *,
    actor: Principal,
    answer: ChecklistAnswer,
    assessment: ChecklistAssessment,
    framework: Framework,
    village_code: str,
    name: str,
    added: bool,
) -> None:
    """History, audit and totals after evidence was added or removed (a verified item returns
    to waiting)."""
    before = answer.verification
    reopened = _evidence_changed(answer)
    kind = ItemEventKind.BUKTI_DITAMBAH if added else ItemEventKind.BUKTI_DIHAPUS
    record_event(session, actor=actor, answer=answer, kind=kind, detail=name)
    changes: dict[str, tuple[object, object]] = {
        "evidence": (None, name) if added else (name, None)
    }
    if reopened:
        changes["verification"] = (before, answer.verification)
    audit_answer(
        session,
        actor=actor,
        answer=answer,
        action="add_evidence" if added else "remove_evidence",
        village_code=village_code,
        changes=changes,
    )
    refresh_total(session, assessment=assessment, framework=framework)


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
    assessment, framework, answer = open_answer(
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
    name = link.file_name or (stored.original_name if stored else "")
    session.delete(link)
    session.flush()
    _after_evidence_change(
        session, actor=actor, answer=answer, assessment=assessment, framework=framework,
        village_code=village_code, name=name, added=False,
    )  # fmt: skip


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
    expected_version: int | None = None,
) -> ChecklistAnswer:
    """A monitor's decision on a submitted item: "diverifikasi", or "ditolak" with a reason.

    Raises NotFound, OutOfScope (not a monitor, or outside the scope), ValidationFailed
    (unknown decision, missing reason, item not submitted, derived item, same decision twice,
    numbers missing or not meeting the item today: ``outcome.verification_refusal``) and
    StaleAnswer when the answer changed after the monitor opened it (``expected_version``).
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
    current = existing_answer(
        session,
        village_code=village_code,
        framework_slug=framework_slug,
        item_key=item_key,
        for_update=expected_version is not None,
    )
    if item.rule is not None:
        raise ValidationFailed({"decision": "Butir ini diverifikasi otomatis oleh sistem."})
    check_version(current, expected_version, STALE_VERIFICATION)
    if current is None or current.status not in SUBMITTED:
        raise ValidationFailed({"decision": "Butir ini belum diajukan untuk verifikasi."})
    if current.verification is target:
        raise ValidationFailed({"decision": "Keputusan ini sudah tercatat."})
    if target is Verification.DIVERIFIKASI:
        refusal = outcome.verification_refusal(
            session, item=item, status=current.status, figures=current.figures or {},
            village_code=village_code, framework_slug=framework_slug, today=validity.today(),
        )  # fmt: skip
        if refusal:
            raise ValidationFailed({"decision": refusal})
    assessment, framework, answer = open_answer(
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
    kind = (
        ItemEventKind.DIVERIFIKASI if target is Verification.DIVERIFIKASI else ItemEventKind.DITOLAK
    )
    record_event(session, actor=actor, answer=answer, kind=kind, detail=clean_reason)
    audit_answer(
        session,
        actor=actor,
        answer=answer,
        action="verify",
        village_code=village_code,
        changes={"verification": (before, target), "reason": (None, clean_reason or None)},
    )
    refresh_total(session, assessment=assessment, framework=framework)
    if target is Verification.DITOLAK:
        events.publish(session, Change.ITEM_REJECTED, str(answer.id))
    return answer
