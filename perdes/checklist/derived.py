"""Derived items follow their facts: evaluated by the derived-data pipeline once per
transaction for the villages whose facts may have moved, or on demand.

A derived item (``rule``) whose fact holds is "terpenuhi" and *verified by the system* (no
monitor reviews a fact the app itself recorded: the tracker's promulgation event already
carries its own evidence); when the fact stops holding it drops back to "belum". Evidence and
notes can still be added to it, but nobody sets its status by hand.

An item with a ``conditional_rule`` derives only where its ``when`` holds (the village keeps
a PMI register); elsewhere the village answers it itself, as before. Where it derives:
- the status follows ``then`` ("terpenuhi" or "belum"; the outcome item judges the register's
  counts against the kabupaten's threshold, as for typed counts) and the answer keeps the
  *basis*: the fact, its counts (never a name) and the day they were computed;
- it is **never verified by the system**: the register is typed by the village, so a met item
  goes to the monitor's queue and counts only once a monitor countersigned it, for its
  validity period (12 months) from that day. A countersignature stands while the item stays
  met and unexpired; on the outcome item a count that *rises* (a new departure, one newly
  marked procedural, a newly reported case: something BP3MI has not matched yet) sends it
  back to the monitor, and so does a departure recorded into the counts while another left
  the 12-month window (equal counts; the basis keeps when the newest counted departure was
  recorded), while a departure leaving the window alone does not. An expired
  countersignature is requested again; a rejected answer stays rejected until its counts
  change;
- a village that stops keeping the register gets the item back to answer itself ("belum").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.checklist import facts, outcome, registry, store, validity
from perdes.checklist.framework import Framework, ItemDef, Rule
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistFramework,
    ItemEventKind,
    ItemStatus,
    Verification,
)
from perdes.db import utcnow
from perdes.events import Change
from perdes.regions.models import VillageProfile
from perdes.register import suppression
from perdes.register.figures import RegisterVillageFigure
from perdes.tracking import standing

SYSTEM = replace(Principal.system(), full_name="Sistem (otomatis)")


@dataclass(frozen=True, slots=True)
class _Derived:
    row: ChecklistFramework
    framework: Framework
    items: tuple[tuple[ItemDef, Rule, facts.Fact], ...]
    conditional: tuple[ItemDef, ...] = ()


def _fed_by(rules: Iterable[Rule], changes: Collection[Change] | None) -> bool:
    return changes is None or any(set(facts.FACTS[r.fact].events) & set(changes) for r in rules)


def _derived_items(session: Session, changes: Collection[Change] | None) -> list[_Derived]:
    out = []
    for row in registry.current_versions(session):
        framework = registry.parsed(row)
        items = tuple(
            (item, item.rule, facts.FACTS[item.rule.fact])
            for item in framework.items()
            if item.rule is not None and _fed_by([item.rule], changes)
        )
        conditional = tuple(
            item
            for item in framework.items()
            if item.conditional is not None
            and _fed_by([item.conditional.when, item.conditional.then], changes)
        )
        if items or conditional:
            out.append(_Derived(row, framework, items, conditional))
    return out


def register_mode(session: Session, *, item: ItemDef, village_code: str) -> bool:
    """Whether this item derives for this village now (its ``when`` holds)."""
    cond = item.conditional
    if cond is None:
        return False
    return facts.FACTS[cond.when.fact].evaluate(session, village_code, cond.when.params)


def refresh_villages(
    session: Session, *, village_codes: Iterable[str], changes: Collection[Change] | None = None
) -> int:
    """Re-evaluate the derived items of these villages (only those whose fact is fed by one of
    ``changes``, when given); returns the number of items changed.

    Writes only when a state changes; an item whose fact does not hold and that nobody ever
    touched stays unwritten. Each village's totals are recomputed once, after its items.
    """
    derived = _derived_items(session, changes)
    if not derived:
        return 0
    changed = 0
    for code in sorted(set(village_codes)):
        for entry in derived:
            changed += _refresh_one(session, village_code=code, entry=entry)
    return changed


def _refresh_one(session: Session, *, village_code: str, entry: _Derived) -> int:
    assessment = store.current_assessment(session, village_code=village_code, slug=entry.row.slug)
    answers: dict[str, ChecklistAnswer] = {}
    if assessment is not None:
        answers = {
            a.item_key: a
            for a in session.scalars(
                select(ChecklistAnswer).where(ChecklistAnswer.assessment_id == assessment.id)
            )
        }
    changed = 0
    for item, rule, fact in entry.items:
        holds = fact.evaluate(session, village_code, rule.params)
        target = (
            (ItemStatus.TERPENUHI, Verification.DIVERIFIKASI)
            if holds
            else (ItemStatus.BELUM, Verification.BELUM)
        )
        existing = answers.get(item.id)
        if existing is None and not holds:
            continue
        same = existing is not None and (existing.status, existing.verification) == target
        if same and existing is not None and (existing.derived or not holds):
            continue
        if assessment is None:
            assessment = store.assessment_for_write(
                session, actor=SYSTEM, village_code=village_code, row=entry.row
            )
        answer = existing or store.answer_for_write(
            session, assessment=assessment, item_key=item.id
        )
        before = (answer.status, answer.verification)
        answer.status, answer.verification = target
        answer.derived = True
        answer.not_applicable_reason = ""
        answer.rejection_reason = ""
        answer.verified_by_id = None
        answer.verified_at = utcnow() if holds else None
        answer.submitted_at = None
        store.record_event(
            session,
            actor=SYSTEM,
            answer=answer,
            kind=ItemEventKind.OTOMATIS,
            detail=facts.describe(rule.fact, rule.params)
            + (": terpenuhi" if holds else ": belum terpenuhi"),
        )
        store.audit_answer(
            session,
            actor=SYSTEM,
            answer=answer,
            action="derive",
            village_code=village_code,
            changes={"status": (before[0], target[0]), "verification": (before[1], target[1])},
        )
        changed += 1
    for item in entry.conditional:
        done, assessment = _refresh_conditional(
            session, village_code=village_code, entry=entry, item=item,
            existing=answers.get(item.id), assessment=assessment,
        )  # fmt: skip
        changed += done
    if changed and assessment is not None:
        store.refresh_total(session, assessment=assessment, framework=entry.framework)
    return changed


@dataclass(frozen=True, slots=True)
class _Target:
    status: ItemStatus
    verification: Verification
    derived: bool
    figures: dict[str, int]
    basis: dict[str, object] | None
    detail: str
    keep_verification: bool = False


def _rose(before: dict[str, int] | None, after: dict[str, int]) -> bool:
    before = before or {}
    return any(value > before.get(key, -1) for key, value in after.items())


RECORDED = "departures_recorded_until"  # basis key: see facts.newest_departure_recorded


def _arrived(before: dict[str, object] | None, after: dict[str, object]) -> bool:
    """A departure was recorded into the counts after ``before`` was taken: equal counts may
    hide one that left the 12-month window while this one arrived. A basis without the time
    (stored before it was kept) compares as unchanged."""
    old, new = (before or {}).get(RECORDED), after.get(RECORDED)
    if not isinstance(old, str) or not isinstance(new, str):
        return False
    return datetime.fromisoformat(new) > datetime.fromisoformat(old)


def _conditional_target(
    session: Session, *, village_code: str, entry: _Derived, item: ItemDef,
    existing: ChecklistAnswer | None,
) -> _Target | None:  # fmt: skip
    """What a conditional item should be now; None when it is the village's own to answer."""
    cond = item.conditional
    assert cond is not None
    if not facts.FACTS[cond.when.fact].evaluate(session, village_code, cond.when.params):
        if existing is None or not existing.derived:
            return None
        return _Target(
            ItemStatus.BELUM, Verification.BELUM, False, {}, None,
            "Desa tidak lagi memenuhi syarat turunan ("
            + facts.describe(cond.when.fact, cond.when.params)
            + "); butir ini kembali diisi sendiri oleh desa",
        )  # fmt: skip
    fact = facts.FACTS[cond.then.fact]
    finding = fact.finding(session, village_code, cond.then.params)
    counts = dict(finding.counts)
    figures: dict[str, int] = {}
    holds = finding.holds
    summary = ""
    if item.extras.outcome:
        figures = {fid: counts[key] for key, fid in fact.outcome_figures.items()}
        check = outcome.judge(
            session, item=item, figures=figures, village_code=village_code,
            framework_slug=entry.row.slug,
        )  # fmt: skip
        holds = check is not None and check.met
        summary = f" ({check.summary})" if check is not None else ""
    basis: dict[str, object] = {
        "fact": cond.then.fact,
        "params": dict(cond.then.params),
        "counts": counts,
        "as_of": (finding.as_of or validity.today()).isoformat(),
    }
    if finding.departures_recorded is not None:
        basis[RECORDED] = finding.departures_recorded.isoformat()
    detail = (
        f"Menurut register PMI desa: {facts.describe_counts(suppression.primary(counts))}{summary}"
        f" — {'terpenuhi' if holds else 'belum terpenuhi'}"
    )
    if not holds:
        return _Target(ItemStatus.BELUM, Verification.BELUM, True, figures, basis, detail)
    prior = existing if existing is not None and existing.derived else None
    if (
        prior is not None
        and prior.status is ItemStatus.TERPENUHI
        and prior.verification is Verification.DIVERIFIKASI
        and not validity.is_expired(item, prior, validity.today())
        and not (
            item.extras.outcome and (_rose(prior.figures, figures) or _arrived(prior.basis, basis))
        )
    ):
        return _Target(
            ItemStatus.TERPENUHI, Verification.DIVERIFIKASI, True, figures, basis, detail,
            keep_verification=True,
        )  # fmt: skip
    same_counts = (
        prior is not None
        and (prior.basis or {}).get("counts") == counts
        and not _arrived(prior.basis, basis)
    )
    if (
        prior is not None
        and prior.status is ItemStatus.TERPENUHI
        and (
            prior.verification is Verification.MENUNGGU
            or (prior.verification is Verification.DITOLAK and same_counts)
        )
    ):
        return _Target(
            ItemStatus.TERPENUHI, prior.verification, True, figures, basis, detail,
            keep_verification=True,
        )  # fmt: skip
    return _Target(
        ItemStatus.TERPENUHI, Verification.MENUNGGU, True, figures, basis,
        detail + "; menunggu pengesahan pemantau",
    )  # fmt: skip


def _refresh_conditional(
    session: Session,
    *,
    village_code: str,
    entry: _Derived,
    item: ItemDef,
    existing: ChecklistAnswer | None,
    assessment: ChecklistAssessment | None,
) -> tuple[int, ChecklistAssessment | None]:
    target = _conditional_target(
        session, village_code=village_code, entry=entry, item=item, existing=existing
    )
    if target is None:
        return 0, assessment
    if existing is not None:
        old_basis, new_basis = existing.basis or {}, target.basis or {}
        if (
            existing.status is target.status
            and existing.verification is target.verification
            and existing.derived == target.derived
            and old_basis.get("counts") == new_basis.get("counts")
            and dict(existing.figures or {}) == target.figures
        ):
            # the day of the counts alone does not rewrite the answer; a departure recorded
            # while the counts stayed equal (or a basis from before the time was kept) is
            # noted in the basis without a history line, so that a countersignature given
            # afterwards is compared with what the monitor saw
            if old_basis.get(RECORDED) != new_basis.get(RECORDED):
                existing.basis = {**old_basis, RECORDED: new_basis.get(RECORDED)}
            return 0, assessment
    if assessment is None:
        assessment = store.assessment_for_write(
            session, actor=SYSTEM, village_code=village_code, row=entry.row
        )
    answer = existing or store.answer_for_write(session, assessment=assessment, item_key=item.id)
    before = (answer.status, answer.verification, (answer.basis or {}).get("counts"))
    if target.verification is Verification.MENUNGGU and not target.keep_verification:
        store.submit(answer)
    elif not target.keep_verification:
        answer.verification = target.verification
        answer.submitted_at = answer.verified_at = answer.verified_by_id = None
        answer.rejection_reason = ""
    answer.status = target.status
    answer.derived = target.derived
    answer.figures = target.figures
    answer.basis = target.basis
    answer.not_applicable_reason = ""
    store.record_event(
        session, actor=SYSTEM, answer=answer, kind=ItemEventKind.OTOMATIS, detail=target.detail
    )
    after = (answer.status, answer.verification, (target.basis or {}).get("counts"))
    store.audit_answer(
        session,
        actor=SYSTEM,
        answer=answer,
        action="derive",
        village_code=village_code,
        changes={
            # the audit log is read above the village: counts with small ones suppressed
            name: (_audited(b), _audited(a)) if name == "counts" else (b, a)
            for name, b, a in zip(("status", "verification", "counts"), before, after, strict=True)
            if b != a
        },
    )
    return 1, assessment


def _audited(counts: object) -> object:
    if not isinstance(counts, dict):
        return counts
    return suppression.primary({str(k): int(v) for k, v in counts.items()})


def refresh_village(session: Session, *, village_code: str) -> int:
    """Re-evaluate every derived item of one village; returns the number changed."""
    return refresh_villages(session, village_codes=[village_code])


def villages_with_facts(session: Session) -> list[str]:
    """Every village a fact could hold for: with an assessment, a profile or an adoption."""
    return list(
        session.scalars(
            union(
                select(ChecklistAssessment.village_code),
                select(VillageProfile.region_code),
                select(RegisterVillageFigure.village_code),
                standing.villages_with_adoptions(),
            )
        )
    )


def refresh_all(session: Session) -> tuple[int, int]:
    """Re-evaluate every village a fact could hold for: (villages, changes). Idempotent.

    Needed for facts that change with time alone (``profile.pmi_data_recent``): run daily;
    also the repair tool ``perdes checklist refresh``.
    """
    codes = villages_with_facts(session)
    return len(codes), refresh_villages(session, village_codes=codes)
