"""Low-level reads and writes shared by the checklist services: rows, history, totals.

Callers check scope and permission first; nothing here does.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from perdes import events
from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.checklist import validity
from perdes.checklist.framework import Framework
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistFramework,
    ChecklistItemEvent,
    ChecklistVillageTotal,
    ItemEventKind,
    ItemStatus,
    Verification,
)
from perdes.checklist.scoring import compute
from perdes.db import utcnow
from perdes.errors import Conflict

_CURRENT_ASSESSMENT = (  # built once: the village page reads it on every visit
    select(ChecklistAssessment)
    .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
    .where(
        ChecklistAssessment.village_code == bindparam("village_code"),
        ChecklistFramework.slug == bindparam("slug"),
        ChecklistAssessment.superseded_at.is_(None),
    )
    # its framework row is in the session already (the current versions were read first) or
    # is read when needed: no eager join
    .options(lazyload(ChecklistAssessment.framework))
)


def current_assessment(
    session: Session, *, village_code: str, slug: str
) -> ChecklistAssessment | None:
    return session.scalar(_CURRENT_ASSESSMENT, {"village_code": village_code, "slug": slug})


OLD_VERSION = (
    "Ceklis desa ini masih memakai versi kerangka lama; admin perlu memperbaruinya "
    "(perdes checklist load) sebelum jawaban dapat disimpan."
)


def assessment_for_write(
    session: Session, *, actor: Principal, village_code: str, row: ChecklistFramework
) -> ChecklistAssessment:
    """The village's current assessment against the framework version ``row`` (the current
    one), created on the first write.

    Never upgrades on a write: moving to a newer version is explicit (``versions``, run when
    a version is loaded). Raises Conflict when the village is still on an older version.
    """
    assessment = current_assessment(session, village_code=village_code, slug=row.slug)
    if assessment is None:
        assessment = ChecklistAssessment(
            village_code=village_code, framework_id=row.id, created_at=utcnow()
        )
        try:
            with session.begin_nested():  # a parallel first answer may have created it
                session.add(assessment)
                session.flush()
        except IntegrityError:
            winner = current_assessment(session, village_code=village_code, slug=row.slug)
            if winner is None:
                raise
            if winner.framework_id != row.id:
                raise Conflict(OLD_VERSION) from None
            return winner
        audit.record(
            session,
            actor=actor,
            entity="checklist_assessment",
            entity_id=assessment.id,
            action="create",
            changes={"framework": (None, f"{row.slug} v{row.version}")},
            village_code=village_code,
        )
    elif assessment.framework_id != row.id:
        raise Conflict(OLD_VERSION)
    return assessment


STALE_ANSWER = (
    "Butir ini telah diubah oleh pengguna lain sejak Anda membukanya. Isian Anda belum "
    "disimpan dan masih tertera di bawah; periksa keadaan terbaru, lalu simpan lagi."
)
STALE_VERIFICATION = (
    "Jawaban desa berubah sejak Anda membukanya. Keputusan Anda belum disimpan; periksa "
    "jawaban dan bukti terbaru, lalu putuskan lagi."
)


class StaleAnswer(Conflict):
    """The form was opened on an older version of the answer (someone saved in between)."""


def check_version(answer: ChecklistAnswer | None, expected: int | None, message: str) -> None:
    """Refuse a form opened on another version of the answer (0: the item was untouched).

    ``expected`` None skips the check (callers without a form: the CLI, the demo).
    """
    if expected is not None and expected != (answer.version if answer is not None else 0):
        raise StaleAnswer(message)


def existing_answer(
    session: Session,
    *,
    village_code: str,
    framework_slug: str,
    item_key: str,
    for_update: bool = False,
) -> ChecklistAnswer | None:
    """The answer of the village's current assessment, if any. ``for_update`` locks the row
    (PostgreSQL) and reloads it, so that a writer compares its version with the last commit:
    of two writers on one version, the second waits and then sees the first's change."""
    assessment = current_assessment(session, village_code=village_code, slug=framework_slug)
    if assessment is None:
        return None
    stmt = select(ChecklistAnswer).where(
        ChecklistAnswer.assessment_id == assessment.id, ChecklistAnswer.item_key == item_key
    )
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def answer_for_write(
    session: Session,
    *,
    assessment: ChecklistAssessment,
    item_key: str,
    expected_version: int | None = None,
) -> ChecklistAnswer:
    """The answer row to write to, created on the first write.

    With ``expected_version`` the row is locked and its version checked here, after the
    assessment is known: a parallel first answer may have created both meanwhile (StaleAnswer).
    """
    stmt = select(ChecklistAnswer).where(
        ChecklistAnswer.assessment_id == assessment.id, ChecklistAnswer.item_key == item_key
    )
    if expected_version is not None:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    answer = session.scalar(stmt)
    check_version(answer, expected_version, STALE_ANSWER)
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


def record_event(
    session: Session,
    *,
    actor: Principal,
    answer: ChecklistAnswer,
    kind: ItemEventKind,
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


def audit_answer(
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
    session: Session,
    *,
    assessment: ChecklistAssessment,
    framework: Framework,
    on: date | None = None,
) -> ChecklistVillageTotal:
    """Recompute and store the village's totals for this assessment (same transaction),
    counting only answers still valid ``on`` that day (default: today)."""
    day = on or validity.today()
    answers = {
        a.item_key: a
        for a in session.scalars(
            select(ChecklistAnswer).where(ChecklistAnswer.assessment_id == assessment.id)
        )
    }
    result = compute(
        (item, validity.state_of(item, answers.get(item.id), day)) for item in framework.items()
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
    events.publish(session, events.Change.CHECKLIST, assessment.village_code)
    return total


def submit(answer: ChecklistAnswer) -> None:
    answer.verification = Verification.MENUNGGU
    answer.submitted_at = utcnow()
    answer.rejection_reason = ""
    answer.verified_at = None
    answer.verified_by_id = None
