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
from perdes.regions.codes import normalise_code
from perdes.regions.models import Region, RegionLevel
from perdes.tracking.deadlines import MAX_DAYS, DeadlineKind, EffectiveRule
from perdes.tracking.models import Adoption, DeadlineRule, WorkdayRule
from perdes.tracking.queries import compute_deadline, effective_rules, skips_joint_leave
from perdes.validation import FieldErrors, clean_text, parse_int

# Scope-checked as a "region" that only a scope of everything contains.
NATIONAL = "00"


@dataclass(frozen=True, slots=True)
class RuleRow:
    rule: DeadlineRule
    regency_name: str


def list_rules(session: Session, *, actor: Principal) -> list[RuleRow]:
    """Stored rules: national defaults first, then the kabupaten inside the actor's scope."""
    actor.require("deadline.manage")
    in_scope = DeadlineRule.regency_code.is_(None) | actor.scope.region_clause(Region)
    rows = session.execute(
        select(DeadlineRule, Region.name)
        .outerjoin(Region, Region.code == DeadlineRule.regency_code)
        .where(in_scope)
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

    Raises OutOfScope for a role without ``deadline.manage``, for a kabupaten outside the
    actor's scope, and for a national rule set by anyone whose scope is not everything (an
    admin daerah); ValidationFailed for an unknown kind or kabupaten, days outside 1–365, or
    a missing legal basis.
    """
    actor.require("deadline.manage")
    errors = FieldErrors()
    try:
        rule_kind = DeadlineKind(kind)
    except ValueError:
        errors.add("kind", "Jenis tenggat tidak dikenal.")
        rule_kind = DeadlineKind.PENYERAHAN
    code = normalise_code(regency_code)
    if code:
        found = session.scalar(
            select(Region.code).where(Region.code == code, Region.level == RegionLevel.KABUPATEN)
        )
        if found is None:
            errors.add("regency_code", "Kode kabupaten/kota tidak ditemukan (contoh: 36.04).")
        elif not actor.scope.contains(code):
            errors.add("regency_code", "Kabupaten/kota ini di luar wilayah tugas Anda.")
    elif not actor.scope.everything:
        errors.add("regency_code", "Isi kode kabupaten/kota; aturan nasional hanya diatur admin.")
    day_count = parse_int(days, lo=1, hi=MAX_DAYS)
    if day_count is None:
        errors.add("days", f"Isi jumlah hari kerja, 1 sampai {MAX_DAYS}.")
    basis = clean_text(
        legal_basis, field="legal_basis", errors=errors, max_length=300, required=True
    )
    if errors:
        raise ValidationFailed(dict(errors))
    actor.require("deadline.manage", code or NATIONAL)
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
    rule.days = day_count or 1
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
    actor.require("deadline.manage", rule.regency_code or NATIONAL)
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


def recompute_deadlines(
    session: Session, *, kind: DeadlineKind | None = None, regency_code: str | None = None
) -> int:
    """Refresh the stored due date of adoptions waiting on ``kind`` (any kind when None), in
    one kabupaten or everywhere; returns how many changed."""
    stmt = select(Adoption).where(Adoption.next_deadline_kind.is_not(None))
    if kind is not None:
        stmt = stmt.where(Adoption.next_deadline_kind == kind)
    if regency_code:
        stmt = stmt.where(Adoption.village_code.startswith(regency_code + "."))
    changed = 0
    cache: dict[str, tuple[dict[DeadlineKind, EffectiveRule], bool]] = {}
    for adoption in session.scalars(stmt).all():
        regency = adoption.village_code[:5]
        if regency not in cache:
            cache[regency] = (
                effective_rules(session, regency_code=regency),
                skips_joint_leave(session, regency_code=regency),
            )
        rules, skip = cache[regency]
        due_kind, due = compute_deadline(adoption, rules, skip_joint_leave=skip)
        if (due_kind, due) != (adoption.next_deadline_kind, adoption.next_deadline_on):
            adoption.next_deadline_kind, adoption.next_deadline_on = due_kind, due
            changed += 1
            session.flush()
            events.publish(session, events.Change.ADOPTION, adoption.village_code)
    return changed


def set_workday_rule(
    session: Session,
    *,
    actor: Principal,
    regency_code: str,
    skip_joint_leave: bool,
    legal_basis: str,
) -> WorkdayRule:
    """Say whether cuti bersama days are skipped in a kabupaten, and recompute its deadlines.

    Raises OutOfScope for non-admins and ValidationFailed for an unknown kabupaten or a
    missing legal basis.
    """
    actor.require("deadline.manage")
    errors = FieldErrors()
    code = normalise_code(regency_code) if isinstance(regency_code, str) else ""
    found = (
        session.scalar(
            select(Region.code).where(Region.code == code, Region.level == RegionLevel.KABUPATEN)
        )
        if code
        else None
    )
    if found is None:
        errors.add("regency_code", "Kode kabupaten/kota tidak ditemukan (contoh: 36.04).")
    basis = clean_text(
        legal_basis, field="legal_basis", errors=errors, max_length=300, required=True
    )
    if errors:
        raise ValidationFailed(dict(errors))
    rule = session.get(WorkdayRule, code)
    before = rule.skip_joint_leave if rule else None
    if rule is None:
        rule = WorkdayRule(regency_code=code)
        session.add(rule)
    rule.skip_joint_leave = skip_joint_leave
    rule.legal_basis = basis
    rule.updated_at = utcnow()
    rule.updated_by_id = actor.user_id
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="workday_rule",
        entity_id=code,
        action="set",
        changes={
            "regency_code": (None, code),
            "skip_joint_leave": (before, skip_joint_leave),
            "legal_basis": (None, basis),
        },
    )
    recompute_deadlines(session, regency_code=code)
    return rule


def list_workday_rules(session: Session, *, actor: Principal) -> list[tuple[WorkdayRule, str]]:
    actor.require("deadline.manage")
    rows = session.execute(
        select(WorkdayRule, Region.name)
        .join(Region, Region.code == WorkdayRule.regency_code)
        .order_by(WorkdayRule.regency_code)
    ).all()
    return [(r, name) for r, name in rows]
