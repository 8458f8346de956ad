"""Admin: deadline days and their legal basis, nationally or per kabupaten (Perbup).

Changing a rule recomputes the stored next deadline of every adoption it affects, in the same
transaction, so lists never show a stale due date.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes import events
from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import NotFound, ValidationFailed
from perdes.regions.models import Region, RegionLevel
from perdes.tracking import deadlines
from perdes.tracking.deadlines import MAX_DAYS, DeadlineKind
from perdes.tracking.models import Adoption, DeadlineRule
from perdes.tracking.queries import effective_rules
from perdes.validation import FieldErrors, clean_text


@dataclass(frozen=True, slots=True)
class RuleRow:
    rule: DeadlineRule
    regency_name: str


def list_rules(session: Session, *, actor: Principal) -> list[RuleRow]:
    """Every stored rule: national defaults first, then kabupaten by code."""
    actor.require("deadline.manage")
    rows = session.execute(
        select(DeadlineRule, Region.name)
        .outerjoin(Region, Region.code == DeadlineRule.regency_code)
        .order_by(
            DeadlineRule.regency_code.is_not(None), DeadlineRule.regency_code, DeadlineRule.kind
        )
    ).all()
    return [RuleRow(rule=r, regency_name=name or "") for r, name in rows]


def set_rule(
    session: Session,
    *,
    actor: Principal,
    kind: str,
    regency_code: str,
    days: str | int,
    legal_basis: str,
) -> DeadlineRule:
    """Create or replace the rule for (kind, kabupaten); an empty code is the national default.

    Raises OutOfScope for non-admins and ValidationFailed for an unknown kind or kabupaten,
    days outside 1–365, or a missing legal basis.
    """
    actor.require("deadline.manage")
    errors = FieldErrors()
    try:
        rule_kind = DeadlineKind(kind)
    except ValueError:
        errors.add("kind", "Jenis tenggat tidak dikenal.")
        rule_kind = DeadlineKind.HANDOVER
    code = regency_code.strip()
    if code:
        found = session.scalar(
            select(Region.code).where(Region.code == code, Region.level == RegionLevel.KABUPATEN)
        )
        if found is None:
            errors.add("regency_code", "Kode kabupaten/kota tidak ditemukan (contoh: 36.04).")
    text = str(days).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        errors.add("days", f"Isi jumlah hari kalender, 1 sampai {MAX_DAYS}.")
    basis = clean_text(
        legal_basis, field="legal_basis", errors=errors, max_length=300, required=True
    )
    if errors:
        raise ValidationFailed(dict(errors))
    regency = code or None
    rule = session.scalar(
        select(DeadlineRule).where(
            DeadlineRule.kind == rule_kind,
            DeadlineRule.regency_code == regency
            if regency
            else DeadlineRule.regency_code.is_(None),
        )
    )
    before = (rule.days, rule.legal_basis) if rule else (None, None)
    if rule is None:
        rule = DeadlineRule(kind=rule_kind, regency_code=regency)
        session.add(rule)
    rule.days = int(text)
    rule.legal_basis = basis
    rule.updated_at = utcnow()
    rule.updated_by_id = actor.user_id
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="deadline_rule",
        entity_id=rule.id,
        action="set",
        changes={
            "scope": (None, regency or "nasional"),
            "kind": (None, rule_kind),
            "days": (before[0], rule.days),
            "legal_basis": (before[1], basis),
        },
    )
    recompute_deadlines(session, kind=rule_kind, regency_code=regency)
    return rule


def delete_rule(session: Session, *, actor: Principal, rule_id: int) -> None:
    """Remove a rule; the next rule up (national, then the default) applies again."""
    actor.require("deadline.manage")
    rule = session.get(DeadlineRule, rule_id)
    if rule is None:
        raise NotFound("Aturan tenggat tidak ditemukan.")
    kind, regency = rule.kind, rule.regency_code
    audit.record(
        session,
        actor=actor,
        entity="deadline_rule",
        entity_id=rule.id,
        action="delete",
        changes={"scope": (regency or "nasional", None), "days": (rule.days, None)},
    )
    session.delete(rule)
    session.flush()
    recompute_deadlines(session, kind=kind, regency_code=regency)


def recompute_deadlines(session: Session, *, kind: DeadlineKind, regency_code: str | None) -> int:
    """Refresh the stored due date of adoptions waiting on ``kind`` (in one kabupaten, or
    everywhere for a national change); returns how many changed."""
    stmt = select(Adoption).where(Adoption.next_deadline_kind == kind)
    if regency_code:
        stmt = stmt.where(Adoption.village_code.startswith(regency_code + "."))
    changed = 0
    cache: dict[str, int] = {}
    for adoption in session.scalars(stmt):
        regency = adoption.village_code[:5]
        if regency not in cache:
            cache[regency] = effective_rules(session, regency_code=regency)[kind].days
        if adoption.current_stage_on is None:
            continue
        due = deadlines.due_on(adoption.current_stage_on, cache[regency])
        if due != adoption.next_deadline_on:
            adoption.next_deadline_on = due
            changed += 1
            session.flush()
            events.publish(session, events.Change.ADOPTION, adoption.village_code)
    return changed
