"""Adoptions and their steps: start, record the next step, correct or retract a step.

Where a village stands (its stage, whether it has a Perdes in force) is answered by
``perdes.tracking.standing``, for this package and every other.

Every write validates through the pure fold (``perdes.tracking.fold``), appends events (never
updates or deletes them), refreshes the read model stored on the adoption in the same
transaction, writes the audit log and publishes ``ADOPTION_CHANGED``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from perdes import events
from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.drafting.workspace.models import Draft, DraftRevision
from perdes.errors import Conflict, ValidationFailed
from perdes.regions.codes import is_valid_code
from perdes.regions.eligibility import PerdesNotAllowed
from perdes.regions.models import Region, RegionLevel
from perdes.tracking import agreed, deadlines
from perdes.tracking.fold import State, Step, apply, check_step, fold
from perdes.tracking.kinds import PUBLISHED_AT, ProductKind, parse_kind, step_fields
from perdes.tracking.models import (
    DEFAULT_TITLE,
    Adoption,
    AdoptionEvent,
    EventKind,
    LegalProductParty,
)
from perdes.tracking.queries import (
    compute_deadline,
    effective_rules,
    effective_steps,
    get_adoption,
    get_event,
    skips_joint_leave,
    village_region,
)
from perdes.tracking.stages import (
    PROMULGATED,
    REASON_FUTURE,
    ClarificationResult,
    Stage,
)
from perdes.validation import FieldErrors, clean_text, parse_int, parse_iso_date

STALE = "Data tahapan sudah diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi."
REVISION_UNKNOWN = "Revisi rancangan ini tidak ditemukan pada rancangan Perdes desa ini."
UNFINISHED = "Desa ini masih memiliki proses Perdes yang belum diundangkan."
TEXT_LIMITS = {
    "berita_acara_number": 60,
    "perdes_number": 30,
    "lembaran_number": 30,
    "berita_desa_number": 30,
    "letter_number": 60,
    "decision_number": 60,
}

# Numbers printed as "Nomor <n> Tahun <year>" (the village page, the Perdes itself, the
# registers): the year is added from the date, so a number typed with it would read
# "Nomor 5 Tahun 2026 Tahun 2026".
NUMBERS_WITHOUT_YEAR = ("perdes_number", "lembaran_number", "berita_desa_number")
_NAMES_A_YEAR = re.compile(r"\b(tahun|thn)\b", re.IGNORECASE)
NUMBER_WITH_YEAR = (
    "Tulis nomornya saja (mis. 5): kata «Tahun» dan tahunnya ditambahkan otomatis dari tanggal."
)


def refresh_read_model(session: Session, adoption: Adoption, state: State) -> None:
    """Store the fold on the adoption (the read model) and tell subscribers."""
    regency = adoption.village_code[:5]
    # Read the rules before changing the adoption, so no query autoflushes a half-made change.
    try:
        rules = effective_rules(session, regency_code=regency)
        skip = skips_joint_leave(session, regency_code=regency)
    except StaleDataError as exc:
        raise Conflict(STALE) from exc
    adoption.current_stage = state.stage
    adoption.current_stage_on = state.stage_on
    adoption.next_deadline_kind, adoption.next_deadline_on = (
        compute_deadline(adoption, rules, skip_joint_leave=skip)
        if adoption.kind is ProductKind.PERDES
        else (None, None)  # the statutory deadlines are a Perdes's (PP 43/2014 Pasal 83–84)
    )
    adoption.published_on = published_on(adoption.kind, state)
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
    events.publish(session, events.Change.ADOPTION, adoption.village_code)


def published_on(kind: ProductKind, state: State) -> date | None:
    """When the latest published text of a product became public (promulgation; penetapan
    for a Keputusan), even if it was annulled since; None while never published."""
    promulgated = PUBLISHED_AT[kind] is Stage.DIUNDANGKAN
    for cycle in reversed(state.cycles):
        step = cycle.promulgated if promulgated else cycle.enacted
        if step is not None:
            return step.occurred_on
    return None


def parse_date(raw: object, *, field_name: str, errors: FieldErrors) -> date | None:
    """An ISO date (as sent by ``<input type=date>``), or None with the reason recorded."""
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str) or not raw.strip():
        errors.add(field_name, "Wajib diisi.")
        return None
    value = parse_iso_date(raw)
    if value is None:
        errors.add(field_name, "Tanggal tidak valid (format TTTT-BB-HH).")
    return value


def clean_step(
    stage: Stage,
    data: Mapping[str, object],
    errors: FieldErrors,
    *,
    date_field: str = "occurred_on",
    after_the_fact: bool = False,
    kind: ProductKind = ProductKind.PERDES,
) -> Step | None:
    """The step ``data`` describes (only the fields ``stage`` carries for a product of
    ``kind``), or None with errors."""
    occurred_on = parse_date(data.get(date_field), field_name=date_field, errors=errors)
    values: dict[str, Any] = {}
    allowed = step_fields(kind, stage)
    for name, limit in TEXT_LIMITS.items():
        if name in allowed:
            values[name] = clean_text(data.get(name), field=name, errors=errors, max_length=limit)
            if name in NUMBERS_WITHOUT_YEAR and _NAMES_A_YEAR.search(values[name] or ""):
                errors.add(name, NUMBER_WITH_YEAR)
    if "lembaran_year" in allowed:
        raw = data.get("lembaran_year")
        text = str(raw).strip() if raw is not None else ""
        year = parse_int(text, lo=1945, hi=2100)
        if text and year is None:
            errors.add("lembaran_year", "Tahun tidak valid (empat angka).")
        elif text:
            values["lembaran_year"] = year
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
    revision = parse_int(raw, lo=1)
    if revision is None:
        errors.add("draft_revision_id", "Nomor revisi rancangan tidak valid.")
    return revision


def event_from(step: Step, **extra: Any) -> AdoptionEvent:
    """A new (unsaved) event row holding ``step``'s date and fields."""
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


def revision_of_village(session: Session, *, revision_id: int, village_code: str) -> bool:
    """True when ``revision_id`` is a revision of one of this village's drafts."""
    found = session.scalar(
        select(DraftRevision.id)
        .join(Draft, Draft.id == DraftRevision.draft_id)
        .where(DraftRevision.id == revision_id, Draft.village_code == village_code)
    )
    return found is not None


def _expect(adoption: Adoption, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != adoption.version:
        raise Conflict(STALE)


def start_adoption(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    title: str = DEFAULT_TITLE,
    summary: str = "",
    perdes_type: str = deadlines.PerdesType.LAINNYA.value,
    kind: str = ProductKind.PERDES.value,
    partner_codes: str = "",
) -> Adoption:
    """Open the record of a new legal product of ``kind`` (default a Perdes) for a village;
    nothing is recorded as a step yet. A Peraturan Bersama names its partner villages
    (``partner_codes``: Kemendagri codes separated by commas or spaces).

    Raises NotFound outside the scope, OutOfScope without the right to record, and
    ValidationFailed for a kelurahan (which cannot make village regulations), a village that
    still has an unpromulgated Perdes in progress (other kinds may be many), an unknown kind,
    bad partner villages, or a bad title.
    """
    region = village_region(session, actor=actor, village_code=village_code)
    actor.require("adoption.record", village_code)
    if not region.can_make_perdes:
        raise PerdesNotAllowed()
    errors = FieldErrors()
    clean_title = clean_text(title, field="title", errors=errors, max_length=200, required=True)
    clean_summary = clean_text(
        summary, field="summary", errors=errors, max_length=500, multiline=True
    )
    try:
        evaluated = deadlines.PerdesType(perdes_type or deadlines.PerdesType.LAINNYA.value)
    except ValueError:
        errors.add("perdes_type", "Pilih jenis Perdes.")
        evaluated = deadlines.PerdesType.LAINNYA
    product = parse_kind(kind)
    if product is None:
        errors.add("kind", "Pilih jenis produk hukum.")
        product = ProductKind.PERDES
    if product is not ProductKind.PERDES:
        evaluated = deadlines.PerdesType.LAINNYA  # only a Perdes is evaluated (Pasal 69)
    partners = _clean_partners(
        session, actor=actor, raw=partner_codes, village_code=village_code, kind=product,
        errors=errors,
    )  # fmt: skip
    if errors:
        raise ValidationFailed(dict(errors))
    unfinished = session.scalar(
        select(Adoption.id).where(
            Adoption.village_code == village_code,
            Adoption.kind == ProductKind.PERDES,
            Adoption.current_stage.is_(None) | Adoption.current_stage.not_in(list(PROMULGATED)),
        )
    )
    if product is ProductKind.PERDES and unfinished is not None:
        raise ValidationFailed({"title": UNFINISHED}, UNFINISHED)
    adoption = Adoption(
        village_code=village_code,
        kind=product,
        title=clean_title,
        summary=clean_summary,
        perdes_type=evaluated,
        created_by_id=actor.user_id,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    try:
        with session.begin_nested():  # a parallel start may have won since the check above
            session.add(adoption)
            session.flush()
    except IntegrityError as exc:
        raise ValidationFailed({"title": UNFINISHED}, UNFINISHED) from exc
    for code in partners:
        session.add(LegalProductParty(adoption_id=adoption.id, village_code=code))
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="adoption",
        entity_id=adoption.id,
        action="start",
        changes={
            "title": (None, clean_title),
            "perdes_type": (None, evaluated.value),
            "kind": (None, product.value),
            "partners": (None, ", ".join(partners) or None),
        },
        village_code=village_code,
    )
    events.publish(session, events.Change.ADOPTION, village_code)
    return adoption


PARTNERS_REQUIRED = (
    "Peraturan Bersama Kepala Desa ditetapkan oleh dua Kepala Desa atau lebih: isi kode desa mitra."
)
PARTNERS_ONLY_JOINT = "Desa mitra hanya untuk Peraturan Bersama Kepala Desa."
MAX_PARTNERS = 20


def _clean_partners(
    session: Session,
    *,
    actor: Principal,
    raw: str,
    village_code: str,
    kind: ProductKind,
    errors: FieldErrors,
) -> list[str]:
    """The partner villages of a Peraturan Bersama (UU 6/2014 Pasal 70: two or more
    villages): existing desa (not kelurahan), other than the recording one, no repeats."""
    codes = [c for c in str(raw or "").replace(",", " ").split() if c]
    if kind is not ProductKind.PERATURAN_BERSAMA:
        if codes:
            errors.add("partner_codes", PARTNERS_ONLY_JOINT)
        return []
    if not codes:
        errors.add("partner_codes", PARTNERS_REQUIRED)
        return []
    if len(codes) > MAX_PARTNERS:
        errors.add("partner_codes", f"Paling banyak {MAX_PARTNERS} desa mitra.")
        return []
    found: list[str] = []
    for code in dict.fromkeys(codes):
        region = session.get(Region, code) if is_valid_code(code) else None
        if region is None or region.level is not RegionLevel.DESA or not region.can_make_perdes:
            errors.add("partner_codes", f"Kode desa “{code[:20]}” tidak dikenal atau bukan desa.")
            return []
        if code == village_code:
            errors.add("partner_codes", "Desa pencatat tidak perlu dicantumkan sebagai mitra.")
            return []
        found.append(code)
    return found


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
    step = clean_step(stage, data, errors, kind=adoption.kind) if stage is not None else None
    notes = clean_text(
        data.get("notes"), field="notes", errors=errors, max_length=2000, multiline=True
    )
    revision = _clean_revision(data.get("draft_revision_id"), errors)
    if revision is None and stage is Stage.DISEPAKATI and "draft_revision_id" not in errors:
        # The BPD agreed the revision sent to it, unless the form names another.
        revision = agreed.default_agreed_revision(session, village_code=adoption.village_code)
    if revision is not None and not revision_of_village(
        session, revision_id=revision, village_code=adoption.village_code
    ):
        errors.add("draft_revision_id", REVISION_UNKNOWN)
    steps, _ = effective_steps(adoption)
    state = fold(steps)
    if step is not None:
        try:
            check_step(state, step, today=today, kind=adoption.kind)
        except ValidationFailed as exc:
            for key, message in exc.errors.items():
                errors.add(key, message)
    if step is not None and step.stage is Stage.DITETAPKAN and not step.after_the_fact:
        reason = _evaluation_pending(adoption, step.occurred_on)
        if reason:
            errors.add("stage", reason)
    if errors or step is None:
        raise ValidationFailed(dict(errors))
    before = adoption.current_stage
    event = event_from(
        step,
        adoption_id=adoption.id,
        kind=EventKind.LANGKAH,
        notes=notes,
        draft_revision_id=revision,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.full_name[:100],
    )
    adoption.events.append(event)
    session.flush()
    refresh_read_model(session, adoption, apply(state, step))
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


def _evaluation_pending(adoption: Adoption, signed_on: date) -> str:
    """Why an evaluated draft may not be signed yet (UU 6/2014 Pasal 69 ayat (4)–(8)), or ""."""
    if adoption.perdes_type not in deadlines.EVALUATED:
        return ""
    if adoption.evaluation_received_on is None:
        return (
            "Rancangan Perdes jenis ini dievaluasi Bupati/Wali Kota sebelum ditetapkan "
            "(UU 6/2014 Pasal 69 ayat (4)); catat dahulu tanggal rancangan diterima."
        )
    if adoption.evaluation_result_on is None and (
        adoption.next_deadline_on is None or signed_on <= adoption.next_deadline_on
    ):
        return (
            "Hasil evaluasi belum dicatat dan tenggat evaluasi belum lewat; rancangan berlaku "
            "dengan sendirinya bila Bupati/Wali Kota tidak memberi hasil dalam tenggat "
            "(UU 6/2014 Pasal 69 ayat (8))."
        )
    return ""


NOT_EVALUATED = "Perdes jenis ini tidak dievaluasi Bupati/Wali Kota (UU 6/2014 Pasal 69)."
NOT_WAITING = "Evaluasi dicatat setelah rancangan disepakati dan sebelum ditetapkan."


def record_evaluation(
    session: Session,
    *,
    actor: Principal,
    adoption_id: int,
    data: Mapping[str, object],
    expected_version: int | None = None,
    today: date | None = None,
) -> Adoption:
    """Record when the Bupati/Wali Kota received an evaluated draft, and (later) when the
    result came back; the 20-working-day evaluation deadline runs in between.

    ``data`` holds ``evaluation_received_on`` (required) and ``evaluation_result_on``
    (optional), ISO dates. Raises NotFound, OutOfScope, Conflict, and ValidationFailed for a
    Perdes type that is not evaluated, a draft not yet agreed or already signed, dates in the
    future, before the agreement, or a result before receipt.
    """
    adoption = get_adoption(session, actor=actor, adoption_id=adoption_id)
    actor.require("adoption.record", adoption.village_code)
    _expect(adoption, expected_version)
    today = today or deadlines.latest_valid_date()
    if adoption.perdes_type not in deadlines.EVALUATED:
        raise ValidationFailed({"evaluation_received_on": NOT_EVALUATED}, NOT_EVALUATED)
    if adoption.current_stage not in deadlines.EVALUATION_STAGES:
        raise ValidationFailed({"evaluation_received_on": NOT_WAITING}, NOT_WAITING)
    errors = FieldErrors()
    received = parse_date(
        data.get("evaluation_received_on"), field_name="evaluation_received_on", errors=errors
    )
    result: date | None = None
    if data.get("evaluation_result_on") not in (None, ""):
        result = parse_date(
            data.get("evaluation_result_on"), field_name="evaluation_result_on", errors=errors
        )
    for name, value in (("evaluation_received_on", received), ("evaluation_result_on", result)):
        if value is not None and value > today:
            errors.add(name, REASON_FUTURE)
    if received and adoption.agreed_on and received < adoption.agreed_on:
        errors.add("evaluation_received_on", "Tanggal tidak boleh sebelum kesepakatan bersama.")
    if received and result and result < received:
        errors.add("evaluation_result_on", "Hasil evaluasi tidak boleh sebelum rancangan diterima.")
    if errors:
        raise ValidationFailed(dict(errors))
    before = (adoption.evaluation_received_on, adoption.evaluation_result_on)
    adoption.evaluation_received_on, adoption.evaluation_result_on = received, result
    steps, _ = effective_steps(adoption)
    refresh_read_model(session, adoption, fold(steps))
    audit.record(
        session,
        actor=actor,
        entity="adoption",
        entity_id=adoption.id,
        action="record_evaluation",
        changes={
            "evaluation_received_on": (before[0], received),
            "evaluation_result_on": (before[1], result),
        },
        village_code=adoption.village_code,
    )
    return adoption


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
        replacement = clean_step(
            original.stage,
            data or {},
            errors,
            after_the_fact=original.after_the_fact,
            kind=adoption.kind,
        )
    if errors:
        raise ValidationFailed(dict(errors))
    candidate = [
        (replacement if s.event_id == original.id else s)
        for s in steps
        if not (retract and s.event_id == original.id)
    ]
    try:
        state = fold([s for s in candidate if s is not None], today=today, kind=adoption.kind)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.errors) from exc
    kind = EventKind.PEMBATALAN if retract else EventKind.KOREKSI
    base = replacement or current
    event = event_from(
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
    refresh_read_model(session, adoption, state)
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
