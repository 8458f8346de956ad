"""Adoptions and their steps: start, record, correct, record after the fact, evidence, reads.

Every write validates through the pure fold (``perdes.tracking.fold``), appends events (never
updates or deletes them), refreshes the read model stored on the adoption in the same
transaction, writes the audit log and publishes ``ADOPTION_CHANGED``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from perdes import events
from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import Conflict, NotFound, ValidationFailed
from perdes.files import ACCEPTED_LABEL, StoredFile, sniff_type, store_upload
from perdes.pagination import Page
from perdes.regions.codes import is_valid_code
from perdes.regions.models import Region, RegionLevel
from perdes.tracking import deadlines
from perdes.tracking.deadlines import DEFAULTS, DeadlineKind, EffectiveRule
from perdes.tracking.fold import State, Step, apply, check_step, fold, next_steps
from perdes.tracking.models import (
    DEFAULT_TITLE,
    Adoption,
    AdoptionEvent,
    AdoptionEventFile,
    DeadlineRule,
    EventKind,
)
from perdes.tracking.stages import (
    PROMULGATED,
    REASON_KELURAHAN,
    STEP_FIELDS,
    ClarificationResult,
    Stage,
    stage_index,
)
from perdes.validation import FieldErrors, clean_text

STALE = "Data tahapan sudah diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi."
NOT_FOUND = "Data tahapan Perdes tidak ditemukan."
UNFINISHED = "Desa ini masih memiliki proses Perdes yang belum diundangkan."
TEXT_LIMITS = {
    "berita_acara_number": 60,
    "perdes_number": 30,
    "lembaran_number": 30,
    "berita_desa_number": 30,
    "letter_number": 60,
    "decision_number": 60,
}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ----------------------------------------------------------------------------- reading state


@dataclass(slots=True)
class TimelineEntry:
    """One step on the timeline: the event as recorded, its corrections and evidence."""

    event: AdoptionEvent
    step: Step | None  # as it stands after corrections; None when retracted
    corrections: list[AdoptionEvent] = field(default_factory=list)


def effective_steps(adoption: Adoption) -> tuple[list[Step], list[TimelineEntry]]:
    """The steps after applying corrections and retractions, in order, and the timeline."""
    entries: dict[int, TimelineEntry] = {}
    for event in adoption.events:
        if event.kind is EventKind.STEP:
            entries[event.id] = TimelineEntry(event=event, step=_step_of(event, event.id))
        elif event.corrects_event_id in entries:
            entry = entries[event.corrects_event_id]
            entry.corrections.append(event)
            entry.step = (
                None
                if event.kind is EventKind.RETRACTION
                else _step_of(event, entry.event.id, after_the_fact=entry.event.after_the_fact)
            )
    timeline = list(entries.values())
    return [e.step for e in timeline if e.step is not None], timeline


def _step_of(event: AdoptionEvent, event_id: int, *, after_the_fact: bool | None = None) -> Step:
    return Step(
        stage=event.stage,
        occurred_on=event.occurred_on,
        berita_acara_number=event.berita_acara_number,
        perdes_number=event.perdes_number,
        lembaran_year=event.lembaran_year,
        lembaran_number=event.lembaran_number,
        berita_desa_number=event.berita_desa_number,
        letter_number=event.letter_number,
        clarification_result=event.clarification_result,
        decision_number=event.decision_number,
        after_the_fact=event.after_the_fact if after_the_fact is None else after_the_fact,
        event_id=event_id,
    )


def state_of(adoption: Adoption) -> State:
    """Fold the adoption's events (for checks and tests; lists read the stored columns)."""
    return fold(effective_steps(adoption)[0])


def effective_rules(session: Session, *, regency_code: str) -> dict[DeadlineKind, EffectiveRule]:
    """The deadline rules in force in a kabupaten: its override, else national, else default."""
    rows = session.scalars(
        select(DeadlineRule).where(
            (DeadlineRule.regency_code == regency_code) | DeadlineRule.regency_code.is_(None)
        )
    ).all()
    rules = {
        kind: EffectiveRule(kind=kind, days=d.days, legal_basis=d.legal_basis, source="bawaan")
        for kind, d in DEFAULTS.items()
    }
    for row in sorted(rows, key=lambda r: r.regency_code is not None):
        rules[row.kind] = EffectiveRule(
            kind=row.kind,
            days=row.days,
            legal_basis=row.legal_basis,
            source=row.regency_code or "nasional",
        )
    return rules


def _refresh(session: Session, adoption: Adoption, state: State) -> None:
    """Store the fold on the adoption (the read model) and tell subscribers."""
    adoption.current_stage = state.stage
    adoption.current_stage_on = state.stage_on
    kind = deadlines.deadline_after(state.stage)
    adoption.next_deadline_kind = kind
    if kind is not None and state.stage_on is not None:
        rule = effective_rules(session, regency_code=adoption.village_code[:5])[kind]
        adoption.next_deadline_on = deadlines.due_on(state.stage_on, rule.days)
    else:
        adoption.next_deadline_on = None
    cycle = state.current_cycle
    cancelled = ClarificationResult.DIBATALKAN
    if cycle and cycle.clarified and cycle.clarified.clarification_result is cancelled:
        cycle = None  # the cancelled text stays in the registers, not on the adoption
    agreed = cycle.agreed if cycle else None
    enacted = cycle.enacted if cycle else None
    promulgated = cycle.promulgated if cycle else None
    reported = cycle.reported if cycle else None
    adoption.agreed_on = agreed.occurred_on if agreed else None
    adoption.berita_acara_number = agreed.berita_acara_number if agreed else ""
    adoption.enacted_on = enacted.occurred_on if enacted else None
    adoption.perdes_number = enacted.perdes_number if enacted else ""
    adoption.promulgated_on = promulgated.occurred_on if promulgated else None
    adoption.lembaran_year = promulgated.lembaran_year if promulgated else None
    adoption.lembaran_number = promulgated.lembaran_number if promulgated else ""
    adoption.reported_on = reported.occurred_on if reported else None
    adoption.report_letter_number = reported.letter_number if reported else ""
    adoption.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(STALE) from exc
    events.publish(events.ADOPTION_CHANGED, session, village_code=adoption.village_code)


# ----------------------------------------------------------------------------- input


def parse_date(raw: object, *, field_name: str, errors: FieldErrors) -> date | None:
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str) or not raw.strip():
        errors.add(field_name, "Wajib diisi.")
        return None
    value = raw.strip()
    try:
        if not _DATE_RE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        errors.add(field_name, "Tanggal tidak valid (format TTTT-BB-HH).")
        return None


def _clean_step(
    stage: Stage,
    data: Mapping[str, object],
    errors: FieldErrors,
    *,
    date_field: str = "occurred_on",
    after_the_fact: bool = False,
) -> Step | None:
    occurred_on = parse_date(data.get(date_field), field_name=date_field, errors=errors)
    values: dict[str, Any] = {}
    allowed = STEP_FIELDS[stage]
    for name, limit in TEXT_LIMITS.items():
        if name in allowed:
            values[name] = clean_text(data.get(name), field=name, errors=errors, max_length=limit)
    if "lembaran_year" in allowed:
        raw = data.get("lembaran_year")
        text = str(raw).strip() if raw is not None else ""
        if text and (not text.isdigit() or not 1945 <= int(text) <= 2100):
            errors.add("lembaran_year", "Tahun tidak valid (empat angka).")
        elif text:
            values["lembaran_year"] = int(text)
    if "clarification_result" in allowed:
        raw = data.get("clarification_result")
        if raw not in (None, ""):
            try:
                values["clarification_result"] = ClarificationResult(str(raw))
            except ValueError:
                errors.add("clarification_result", "Pilih hasil klarifikasi.")
    if occurred_on is None:
        return None
    return Step(stage=stage, occurred_on=occurred_on, after_the_fact=after_the_fact, **values)


def _clean_stage(raw: object, errors: FieldErrors) -> Stage | None:
    try:
        return Stage(str(raw))
    except ValueError:
        errors.add("stage", "Langkah tidak dikenal.")
        return None


def _clean_revision(raw: object, errors: FieldErrors) -> int | None:
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if not text.isdigit() or not 0 < int(text) < 2**31:
        errors.add("draft_revision_id", "Nomor revisi rancangan tidak valid.")
        return None
    return int(text)


def _event_from(step: Step, **extra: Any) -> AdoptionEvent:
    return AdoptionEvent(
        stage=step.stage,
        occurred_on=step.occurred_on,
        berita_acara_number=step.berita_acara_number,
        perdes_number=step.perdes_number,
        lembaran_year=step.lembaran_year,
        lembaran_number=step.lembaran_number,
        berita_desa_number=step.berita_desa_number,
        letter_number=step.letter_number,
        clarification_result=step.clarification_result,
        decision_number=step.decision_number,
        after_the_fact=step.after_the_fact,
        recorded_at=utcnow(),
        **extra,
    )


# ----------------------------------------------------------------------------- access


def _village(session: Session, *, actor: Principal, village_code: str) -> Region:
    if not is_valid_code(village_code):
        raise NotFound("Desa tidak ditemukan.")
    region = session.scalar(
        select(Region).where(
            Region.code == village_code,
            Region.level == RegionLevel.DESA,
            actor.scope.region_clause(),
        )
    )
    if region is None:
        raise NotFound("Desa tidak ditemukan.")
    return region


def get_adoption(
    session: Session, *, actor: Principal, adoption_id: int, village_code: str | None = None
) -> Adoption:
    """An adoption inside the actor's scope (and of ``village_code`` if given); else NotFound."""
    stmt = (
        select(Adoption)
        .join(Region, Region.code == Adoption.village_code)
        .where(Adoption.id == adoption_id, actor.scope.region_clause())
    )
    if village_code is not None:
        stmt = stmt.where(Adoption.village_code == village_code)
    adoption = session.scalar(stmt)
    if adoption is None:
        raise NotFound(NOT_FOUND)
    return adoption


def get_event(
    session: Session, *, actor: Principal, event_id: int, village_code: str | None = None
) -> AdoptionEvent:
    """A recorded step (not a correction) inside the actor's scope; else NotFound."""
    stmt = (
        select(AdoptionEvent)
        .join(Adoption, Adoption.id == AdoptionEvent.adoption_id)
        .join(Region, Region.code == Adoption.village_code)
        .where(
            AdoptionEvent.id == event_id,
            AdoptionEvent.kind == EventKind.STEP,
            actor.scope.region_clause(),
        )
    )
    if village_code is not None:
        stmt = stmt.where(Adoption.village_code == village_code)
    event = session.scalar(stmt)
    if event is None:
        raise NotFound(NOT_FOUND)
    return event


def _expect(adoption: Adoption, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != adoption.version:
        raise Conflict(STALE)


# ----------------------------------------------------------------------------- writes


def start_adoption(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    title: str = DEFAULT_TITLE,
    summary: str = "",
) -> Adoption:
    """Open the record of a new Perdes for a village; nothing is recorded as a step yet.

    Raises NotFound outside the scope, OutOfScope without the right to record, and
    ValidationFailed for a kelurahan (which cannot make a Perdes), a village that still has
    an unpromulgated Perdes in progress, or a bad title.
    """
    region = _village(session, actor=actor, village_code=village_code)
    actor.require("adoption.record", village_code)
    if not region.can_make_perdes:
        raise ValidationFailed({"village": REASON_KELURAHAN}, REASON_KELURAHAN)
    errors = FieldErrors()
    clean_title = clean_text(title, field="title", errors=errors, max_length=200, required=True)
    clean_summary = clean_text(
        summary, field="summary", errors=errors, max_length=500, multiline=True
    )
    if errors:
        raise ValidationFailed(dict(errors))
    unfinished = session.scalar(
        select(Adoption.id).where(
            Adoption.village_code == village_code,
            Adoption.current_stage.is_(None) | Adoption.current_stage.not_in(list(PROMULGATED)),
        )
    )
    if unfinished is not None:
        raise ValidationFailed({"title": UNFINISHED}, UNFINISHED)
    adoption = Adoption(
        village_code=village_code,
        title=clean_title,
        summary=clean_summary,
        created_by_id=actor.user_id,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(adoption)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="adoption",
        entity_id=adoption.id,
        action="start",
        changes={"title": (None, clean_title)},
        village_code=village_code,
    )
    events.publish(events.ADOPTION_CHANGED, session, village_code=village_code)
    return adoption


def record_step(
    session: Session,
    *,
    actor: Principal,
    adoption_id: int,
    data: Mapping[str, object],
    expected_version: int | None = None,
    today: date | None = None,
) -> AdoptionEvent:
    """Append the next step of an adoption from form-like ``data``.

    ``data`` holds ``stage``, ``occurred_on`` (ISO date), the step's own fields (see
    ``stages.STEP_FIELDS``), ``notes`` and optionally ``draft_revision_id``. Raises NotFound,
    OutOfScope, Conflict when someone recorded in between (``expected_version``), and
    ValidationFailed with Indonesian reasons for a forbidden step, a date in the future or
    before the previous step, or a missing field; nothing is written then.
    """
    adoption = get_adoption(session, actor=actor, adoption_id=adoption_id)
    actor.require("adoption.record", adoption.village_code)
    _expect(adoption, expected_version)
    today = today or deadlines.latest_valid_date()
    errors = FieldErrors()
    stage = _clean_stage(data.get("stage"), errors)
    step = _clean_step(stage, data, errors) if stage is not None else None
    notes = clean_text(
        data.get("notes"), field="notes", errors=errors, max_length=2000, multiline=True
    )
    revision = _clean_revision(data.get("draft_revision_id"), errors)
    steps, _ = effective_steps(adoption)
    state = fold(steps)
    if step is not None:
        try:
            check_step(state, step, today=today)
        except ValidationFailed as exc:
            for key, message in exc.errors.items():
                errors.add(key, message)
    if errors or step is None:
        raise ValidationFailed(dict(errors))
    before = adoption.current_stage
    event = _event_from(
        step,
        adoption_id=adoption.id,
        kind=EventKind.STEP,
        notes=notes,
        draft_revision_id=revision,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.full_name[:100],
    )
    adoption.events.append(event)
    session.flush()
    _refresh(session, adoption, apply(state, step))
    audit.record(
        session,
        actor=actor,
        entity="adoption",
        entity_id=adoption.id,
        action="record_step",
        changes={"current_stage": (before, adoption.current_stage), "event_id": (None, event.id)},
        village_code=adoption.village_code,
    )
    return event


def correct_event(
    session: Session,
    *,
    actor: Principal,
    event_id: int,
    reason: str,
    data: Mapping[str, object] | None = None,
    retract: bool = False,
    expected_version: int | None = None,
    today: date | None = None,
) -> AdoptionEvent:
    """Append a correction of a recorded step (new date/fields) or retract the latest step.

    The original event is never changed; the correction carries the reason. The corrected
    history must still obey every rule (order, dates, fields); only the latest step may be
    retracted. Raises NotFound, OutOfScope, Conflict and ValidationFailed.
    """
    original = get_event(session, actor=actor, event_id=event_id)
    adoption = get_adoption(session, actor=actor, adoption_id=original.adoption_id)
    actor.require("adoption.record", adoption.village_code)
    _expect(adoption, expected_version)
    today = today or deadlines.latest_valid_date()
    errors = FieldErrors()
    clean_reason = clean_text(
        reason, field="reason", errors=errors, max_length=1000, required=True, multiline=True
    )
    steps, timeline = effective_steps(adoption)
    current = next((e.step for e in timeline if e.event.id == original.id), None)
    if current is None:
        raise ValidationFailed({"stage": "Langkah ini sudah dibatalkan pencatatannya."})
    if retract:
        if steps[-1].event_id != original.id:
            errors.add("stage", "Hanya langkah terakhir yang dapat dibatalkan pencatatannya.")
        replacement: Step | None = None
    else:
        replacement = _clean_step(
            original.stage, data or {}, errors, after_the_fact=original.after_the_fact
        )
    if errors:
        raise ValidationFailed(dict(errors))
    candidate = [
        (replacement if s.event_id == original.id else s)
        for s in steps
        if not (retract and s.event_id == original.id)
    ]
    try:
        state = fold([s for s in candidate if s is not None], today=today)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.errors) from exc
    kind = EventKind.RETRACTION if retract else EventKind.CORRECTION
    base = replacement or current
    event = _event_from(
        base,
        adoption_id=adoption.id,
        kind=kind,
        corrects_event_id=original.id,
        reason=clean_reason,
        notes="",
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.full_name[:100],
    )
    event.after_the_fact = original.after_the_fact
    adoption.events.append(event)
    session.flush()
    before = adoption.current_stage
    _refresh(session, adoption, state)
    audit.record(
        session,
        actor=actor,
        entity="adoption_event",
        entity_id=original.id,
        action=kind.value,
        changes={
            "occurred_on": (current.occurred_on, None if retract else base.occurred_on),
            "current_stage": (before, adoption.current_stage),
            "reason": (None, clean_reason),
        },
        village_code=adoption.village_code,
    )
    return event


AFTER_THE_FACT_DATES: dict[Stage, str] = {
    Stage.DISEPAKATI: "agreed_on",
    Stage.DISERAHKAN: "handed_over_on",
    Stage.DITETAPKAN: "enacted_on",
    Stage.DIUNDANGKAN: "promulgated_on",
    Stage.DILAPORKAN: "reported_on",
}
AFTER_THE_FACT_OPTIONAL = (Stage.DISERAHKAN, Stage.DILAPORKAN)


def record_after_the_fact(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    data: Mapping[str, object],
    scans: Mapping[Stage, tuple[str, bytes]] | None = None,
    upload_root: Path | None = None,
    max_upload_bytes: int = 10 * 1024 * 1024,
    today: date | None = None,
) -> Adoption:
    """Record a Perdes enacted before the app came: agreement, enactment, promulgation and,
    if known, hand-over and report, with their numbers, dates and scanned documents.

    ``data`` keys: title, summary, agreed_on, berita_acara_number, handed_over_on (optional),
    enacted_on, perdes_number, promulgated_on, lembaran_year, lembaran_number,
    berita_desa_number, reported_on and letter_number (optional, together), notes.
    ``scans`` maps a step to (file name, content). All or nothing: any bad field or file
    raises ValidationFailed and nothing is written.
    """
    region = _village(session, actor=actor, village_code=village_code)
    actor.require("adoption.record", village_code)
    if not region.can_make_perdes:
        raise ValidationFailed({"village": REASON_KELURAHAN}, REASON_KELURAHAN)
    today = today or deadlines.latest_valid_date()
    errors = FieldErrors()
    steps: list[Step] = []
    for stage, date_field in AFTER_THE_FACT_DATES.items():
        present = any(str(data.get(k) or "").strip() for k in (date_field, *STEP_FIELDS[stage]))
        if stage in AFTER_THE_FACT_OPTIONAL and not present:
            continue
        step = _clean_step(stage, data, errors, date_field=date_field, after_the_fact=True)
        if step is not None:
            steps.append(step)
    notes = clean_text(
        data.get("notes"), field="notes", errors=errors, max_length=2000, multiline=True
    )
    if not errors:
        state = State()
        for step in steps:
            try:
                check_step(state, step, today=today)
            except ValidationFailed as exc:
                for key, message in exc.errors.items():
                    errors.add(
                        AFTER_THE_FACT_DATES[step.stage] if key == "occurred_on" else key, message
                    )
                break
            state = apply(state, step)
    for stage, (_name, content) in (scans or {}).items():
        try:
            check_upload(content, max_bytes=max_upload_bytes)
        except ValidationFailed as exc:
            errors.add(f"scan_{stage.value}", exc.errors["file"])
    if errors:
        raise ValidationFailed(dict(errors))
    adoption = start_adoption(
        session,
        actor=actor,
        village_code=village_code,
        title=str(data.get("title") or DEFAULT_TITLE),
        summary=str(data.get("summary") or ""),
    )
    adoption.recorded_after_the_fact = True
    state = State()
    for step in steps:
        event = _event_from(
            step,
            adoption_id=adoption.id,
            kind=EventKind.STEP,
            notes=notes if step.stage is Stage.DITETAPKAN else "",
            recorded_by_id=actor.user_id,
            recorded_by_name=actor.full_name[:100],
        )
        adoption.events.append(event)
        session.flush()
        state = apply(state, step)
        scan = (scans or {}).get(step.stage)
        if scan is not None and upload_root is not None:
            filename, content = scan
            _attach(
                session,
                actor=actor,
                event=event,
                data=content,
                filename=filename,
                root=upload_root,
                max_bytes=max_upload_bytes,
            )
    _refresh(session, adoption, state)
    audit.record(
        session,
        actor=actor,
        entity="adoption",
        entity_id=adoption.id,
        action="record_after_the_fact",
        changes={
            "current_stage": (None, adoption.current_stage),
            "perdes_number": (None, adoption.perdes_number),
        },
        village_code=village_code,
    )
    return adoption


# ----------------------------------------------------------------------------- evidence


def check_upload(data: bytes, *, max_bytes: int, field_name: str = "file") -> None:
    """The checks ``store_upload`` makes, without writing: lets a form refuse a bad file
    before anything else of the same request is written."""
    if not data:
        raise ValidationFailed({field_name: "Berkas kosong atau tidak terkirim."})
    if len(data) > max_bytes:
        limit = max_bytes / (1024 * 1024)
        raise ValidationFailed({field_name: f"Berkas terlalu besar: paling besar {limit:g} MB."})
    if sniff_type(data) is None:
        raise ValidationFailed(
            {field_name: f"Jenis berkas tidak diterima. Unggah {ACCEPTED_LABEL} yang asli."}
        )


def _attach(
    session: Session,
    *,
    actor: Principal,
    event: AdoptionEvent,
    data: bytes,
    filename: str,
    root: Path,
    max_bytes: int,
) -> tuple[StoredFile, bool]:
    record, duplicate = store_upload(
        session, root=root, data=data, filename=filename, actor=actor, max_bytes=max_bytes
    )
    linked = session.get(AdoptionEventFile, (event.id, record.id))
    if linked is not None:
        raise ValidationFailed({"file": "Berkas yang sama sudah dilampirkan pada langkah ini."})
    session.add(
        AdoptionEventFile(
            event_id=event.id,
            stored_file_id=record.id,
            attached_at=utcnow(),
            attached_by_id=actor.user_id,
        )
    )
    session.flush()
    session.expire(event, ["files"])
    return record, duplicate


def attach_evidence(
    session: Session,
    *,
    actor: Principal,
    event_id: int,
    data: bytes,
    filename: str,
    root: Path,
    max_bytes: int,
    village_code: str | None = None,
) -> tuple[StoredFile, bool]:
    """Attach a PDF/JPEG/PNG to a recorded step; True when the content was already stored.

    The type comes from the content, the name on disk is generated, the SHA-256 is kept.
    Raises NotFound, OutOfScope and ValidationFailed (empty, too large, wrong type, or the
    same file already attached to this step).
    """
    event = get_event(session, actor=actor, event_id=event_id, village_code=village_code)
    adoption = get_adoption(session, actor=actor, adoption_id=event.adoption_id)
    actor.require("adoption.record", adoption.village_code)
    record, duplicate = _attach(
        session,
        actor=actor,
        event=event,
        data=data,
        filename=filename,
        root=root,
        max_bytes=max_bytes,
    )
    audit.record(
        session,
        actor=actor,
        entity="adoption_event",
        entity_id=event.id,
        action="attach_evidence",
        changes={"file": (None, f"{record.original_name} ({record.sha256[:12]})")},
        village_code=adoption.village_code,
    )
    events.publish(events.ADOPTION_CHANGED, session, village_code=adoption.village_code)
    return record, duplicate


def get_evidence(
    session: Session, *, actor: Principal, village_code: str, file_id: int
) -> StoredFile:
    """A file attached to a step of this village, inside the actor's scope; else NotFound."""
    record = session.scalar(
        select(StoredFile)
        .join(AdoptionEventFile, AdoptionEventFile.stored_file_id == StoredFile.id)
        .join(AdoptionEvent, AdoptionEvent.id == AdoptionEventFile.event_id)
        .join(Adoption, Adoption.id == AdoptionEvent.adoption_id)
        .join(Region, Region.code == Adoption.village_code)
        .where(
            StoredFile.id == file_id,
            Adoption.village_code == village_code,
            actor.scope.region_clause(),
        )
        .limit(1)
    )
    if record is None:
        raise NotFound("Berkas tidak ditemukan.")
    return record


# ----------------------------------------------------------------------------- reads


@dataclass(slots=True)
class AdoptionView:
    """An adoption with its timeline, the steps that may come next and its deadline."""

    adoption: Adoption
    timeline: list[TimelineEntry]
    next_steps: tuple[Stage, ...]
    deadline_text: str = ""
    deadline_tone: str = ""
    deadline_rule: EffectiveRule | None = None


@dataclass(slots=True)
class VillageTracker:
    """What the village page shows about the village's Perdes."""

    village: Region
    adoptions: list[AdoptionView]
    can_start: bool
    refusal: str = ""


def village_tracker(
    session: Session, *, actor: Principal, village_code: str, today: date | None = None
) -> VillageTracker:
    """The village's adoptions, newest first, with timelines and deadlines."""
    actor.require("adoption.view")
    village = _village(session, actor=actor, village_code=village_code)
    today = today or deadlines.local_today()
    rows = list(
        session.scalars(
            select(Adoption)
            .where(Adoption.village_code == village_code)
            .order_by(Adoption.id.desc())
        )
    )
    rules = effective_rules(session, regency_code=village_code[:5]) if rows else {}
    views = []
    for adoption in rows:
        steps, timeline = effective_steps(adoption)
        state = fold(steps)
        after_the_fact = adoption.recorded_after_the_fact and not state.steps
        view = AdoptionView(
            adoption=adoption,
            timeline=timeline,
            next_steps=next_steps(state, after_the_fact=after_the_fact),
        )
        if adoption.next_deadline_on is not None and adoption.next_deadline_kind is not None:
            view.deadline_text, view.deadline_tone = deadlines.describe(
                adoption.next_deadline_on, today
            )
            view.deadline_rule = rules[adoption.next_deadline_kind]
        views.append(view)
    unfinished = any(
        v.adoption.current_stage is None or v.adoption.current_stage not in PROMULGATED
        for v in views
    )
    can_start = village.can_make_perdes and not unfinished
    return VillageTracker(
        village=village,
        adoptions=views,
        can_start=can_start,
        refusal="" if village.can_make_perdes else REASON_KELURAHAN,
    )


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    adoption: Adoption
    village_name: str
    text: str
    tone: str


def list_deadlines(
    session: Session,
    *,
    actor: Principal,
    overdue_only: bool = True,
    today: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[DeadlineRow]:
    """Adoptions in the actor's scope with a pending deadline (or only overdue), soonest first.

    Reads the stored ``next_deadline_on`` column (indexed), never the event log.
    """
    actor.require("adoption.view")
    today = today or deadlines.local_today()
    stmt = (
        select(Adoption, Region.name)
        .join(Region, Region.code == Adoption.village_code)
        .where(Adoption.next_deadline_on.is_not(None), actor.scope.region_clause())
    )
    if overdue_only:
        stmt = stmt.where(Adoption.next_deadline_on < today)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(page, 1)
    rows = session.execute(
        stmt.order_by(Adoption.next_deadline_on, Adoption.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = []
    for adoption, name in rows:
        assert adoption.next_deadline_on is not None
        text, tone = deadlines.describe(adoption.next_deadline_on, today)
        items.append(DeadlineRow(adoption=adoption, village_name=name, text=text, tone=tone))
    return Page(items=items, total=total, page=page, per_page=per_page)


def current_stage(session: Session, *, village_code: str) -> Stage | None:
    """The stage of the village's most advanced adoption, from the stored column (no scope:
    for other packages' rules, which apply their own access checks)."""
    stages = session.scalars(
        select(Adoption.current_stage).where(
            Adoption.village_code == village_code, Adoption.current_stage.is_not(None)
        )
    ).all()
    found = [s for s in stages if s is not None]
    return max(found, key=stage_index) if found else None


def is_promulgated(session: Session, *, village_code: str) -> bool:
    """True when the village has a Perdes in force (diundangkan or later, not cancelled)."""
    stage = current_stage(session, village_code=village_code)
    return stage is not None and stage in PROMULGATED
