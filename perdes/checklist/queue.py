"""The monitor's queue: submitted items waiting for verification across the monitor's scope."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.checklist import outcome, registry, services
from perdes.checklist.figures import OutcomeCheck, as_seen_outside, check_outcome, figures_for
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistEvidence,
    ChecklistFramework,
    ItemStatus,
    Verification,
)
from perdes.checklist.store import StaleAnswer
from perdes.errors import ValidationFailed
from perdes.pagination import Page
from perdes.regions.models import Region
from perdes.register import suppression


@dataclass(frozen=True, slots=True)
class QueueRow:
    village_code: str
    village_name: str
    framework_slug: str
    framework_title: str
    item_key: str
    item_title: str
    status: ItemStatus
    submitted_at: datetime | None
    answer_id: int = 0
    evidence: tuple[tuple[int, str], ...] = ()  # (id, file name) for the download links
    version: int = 0  # the answer's version, carried by the batch form
    # (label, value) of the answer's numbers; a register-derived count under 5 reads "< 5"
    figures: tuple[tuple[str, int | str], ...] = ()
    outcome: OutcomeCheck | None = None  # the outcome item's counts against the threshold


def list_waiting(
    session: Session, *, actor: Principal, page: int = 1, per_page: int = 25
) -> Page[QueueRow]:
    """Items waiting for verification in the actor's scope, oldest submission first.

    Raises OutOfScope unless the actor may verify.
    """
    actor.require("checklist.verify")
    stmt = (
        select(ChecklistAnswer, ChecklistFramework, Region.code, Region.name)
        .join(ChecklistAssessment, ChecklistAssessment.id == ChecklistAnswer.assessment_id)
        .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
        .join(Region, Region.code == ChecklistAssessment.village_code)
        .where(
            ChecklistAnswer.verification == Verification.MENUNGGU,
            ChecklistAnswer.archived_at.is_(None),
            ChecklistAssessment.superseded_at.is_(None),
            actor.scope.region_clause(),
        )
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    rows = session.execute(
        stmt.order_by(ChecklistAnswer.submitted_at, ChecklistAnswer.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    evidence: dict[int, list[tuple[int, str]]] = {}
    answer_ids = [answer.id for answer, *_ in rows]
    if answer_ids:
        for answer_id, evidence_id, file_name in session.execute(
            select(ChecklistEvidence.answer_id, ChecklistEvidence.id, ChecklistEvidence.file_name)
            .where(ChecklistEvidence.answer_id.in_(answer_ids))
            .order_by(ChecklistEvidence.id)
        ):
            evidence.setdefault(answer_id, []).append((evidence_id, file_name))
    items = []
    thresholds: dict[tuple[str, str], int | None] = {}
    for answer, row, code, name in rows:
        item = registry.parsed(row).item(answer.item_key)
        numbers = answer.figures or {}
        defs = figures_for(item.extras) if item else ()
        # counts from the village's register: the queue's readers (monitors) are outside the
        # village, and see a count under 5 as "< 5", as on the item's page
        from_register = answer.derived and answer.basis is not None
        shown: Mapping[str, int | str] = suppression.primary(numbers) if from_register else numbers
        check = None
        if item is not None and item.extras.outcome:
            key = (code[:5], row.slug)
            if key not in thresholds:
                thresholds[key] = outcome.threshold_percent(
                    session, village_code=code, framework_slug=row.slug
                )
            check = check_outcome(numbers, thresholds[key])
            if check is not None and from_register:
                check = as_seen_outside(check, numbers, thresholds[key])
        items.append(
            QueueRow(
                village_code=code,
                village_name=name,
                framework_slug=row.slug,
                framework_title=row.title,
                item_key=answer.item_key,
                item_title=item.title if item else answer.item_key,
                status=answer.status,
                submitted_at=answer.submitted_at,
                answer_id=answer.id,
                evidence=tuple(evidence.get(answer.id, ())),
                version=answer.version,
                figures=tuple((d.label, shown[d.id]) for d in defs if d.id in shown),
                outcome=check,
            )
        )
    return Page(items=items, total=total, page=page, per_page=per_page)


MAX_BATCH = 100


def verify_many(
    session: Session,
    *,
    actor: Principal,
    answer_ids: Sequence[int],
    evidence_checked: bool,
    versions: Mapping[int, int] | None = None,
) -> list[ChecklistAnswer]:
    """Verify several waiting answers at once, each recorded and audited as if verified alone.

    Only answers waiting in the actor's scope, with at least one evidence file, can be
    verified in a batch, and the monitor must confirm having checked the evidence. Anything
    else (another region's answer, an unknown id, an answer without evidence, a batch over
    ``MAX_BATCH``) refuses the whole batch: nothing is written. ``versions`` maps each id to
    the answer's version the monitor saw; an answer changed since (or with no version given)
    refuses the whole batch with StaleAnswer. Rejecting stays one by one, with a reason.
    """
    actor.require("checklist.verify")
    ids = sorted(set(answer_ids))
    if not ids:
        raise ValidationFailed({"butir": "Pilih minimal satu butir."})
    if len(ids) > MAX_BATCH:
        raise ValidationFailed({"butir": f"Paling banyak {MAX_BATCH} butir sekaligus."})
    if not evidence_checked:
        raise ValidationFailed(
            {"diperiksa": "Centang pernyataan bahwa Anda sudah memeriksa bukti butir terpilih."}
        )
    has_evidence = exists().where(ChecklistEvidence.answer_id == ChecklistAnswer.id)
    found = session.execute(
        select(
            ChecklistAnswer.id,
            Region.code,
            ChecklistFramework.slug,
            ChecklistAnswer.item_key,
            ChecklistAnswer.version,
        )
        .join(ChecklistAssessment, ChecklistAssessment.id == ChecklistAnswer.assessment_id)
        .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
        .join(Region, Region.code == ChecklistAssessment.village_code)
        .where(
            ChecklistAnswer.id.in_(ids),
            ChecklistAnswer.verification == Verification.MENUNGGU,
            ChecklistAnswer.archived_at.is_(None),
            ChecklistAssessment.superseded_at.is_(None),
            has_evidence,
            actor.scope.region_clause(),
        )
    ).all()
    if len(found) != len(ids):
        refused = sorted(set(ids) - {row[0] for row in found})
        raise ValidationFailed(
            {
                "butir": (
                    "Butir berikut tidak dapat diverifikasi sekaligus (di luar wilayah tugas, "
                    "sudah diputuskan, atau tanpa bukti): "
                    + ", ".join(str(i) for i in refused)
                    + ". Tidak ada yang disimpan."
                )
            }
        )
    if versions is not None:
        changed = sorted(row[0] for row in found if versions.get(row[0]) != row[4])
        if changed:
            raise StaleAnswer(
                "Jawaban desa pada butir berikut berubah sejak antrean ini dibuka: "
                + ", ".join(str(i) for i in changed)
                + ". Tidak ada yang disimpan; periksa lagi bukti terbarunya."
            )
    done: list[ChecklistAnswer] = []
    with session.begin_nested():
        for answer_id, village_code, slug, item_key, version in found:
            try:
                verified = services.verify_item(
                    session,
                    actor=actor,
                    village_code=village_code,
                    framework_slug=slug,
                    item_key=item_key,
                    decision=Verification.DIVERIFIKASI.value,
                    expected_version=version if versions is not None else None,
                )
            except ValidationFailed as exc:  # e.g. the outcome's counts: say which answer
                reasons = " ".join(exc.errors.values())
                raise ValidationFailed(
                    {"butir": f"Butir {answer_id} ({item_key}, {village_code}): {reasons} "
                     "Tidak ada yang disimpan."}
                ) from exc  # fmt: skip
            done.append(verified)
    return done
