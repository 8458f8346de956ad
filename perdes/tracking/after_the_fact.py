"""Recording a Perdes that was enacted before the app came: its numbers, dates and scans."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.errors import ValidationFailed
from perdes.files import check_upload
from perdes.regions.eligibility import PerdesNotAllowed
from perdes.tracking import deadlines
from perdes.tracking.evidence import attach_file
from perdes.tracking.fold import State, Step, apply, check_step
from perdes.tracking.kinds import parse_kind, step_fields, step_set
from perdes.tracking.models import (
    DEFAULT_TITLE,
    Adoption,
    EventKind,
)
from perdes.tracking.queries import village_region
from perdes.tracking.services import clean_step, event_from, refresh_read_model, start_adoption
from perdes.tracking.stages import Stage
from perdes.validation import FieldErrors, clean_text

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
    """Record a legal product made before the app came (or outside it): for a Perdes its
    agreement, enactment, promulgation and, if known, hand-over and report; for a Perkades or
    Peraturan Bersama its enactment, promulgation in the Berita Desa and, if known, report
    (Perkades); for a Keputusan its enactment and, if known, report; with their numbers,
    dates and scanned documents.

    ``data`` keys: kind (default perdes), partner_codes (Peraturan Bersama), title, summary,
    agreed_on, berita_acara_number, handed_over_on (optional), enacted_on, perdes_number,
    promulgated_on, lembaran_year, lembaran_number, berita_desa_number, reported_on and
    letter_number (optional, together), notes. Steps the kind does not have are ignored.
    ``scans`` maps a step to (file name, content). All or nothing: any bad field or file
    raises ValidationFailed and nothing is written.
    """
    region = village_region(session, actor=actor, village_code=village_code)
    actor.require("adoption.record", village_code)
    if not region.can_make_perdes:
        raise PerdesNotAllowed()
    today = today or deadlines.latest_valid_date()
    errors = FieldErrors()
    kind = parse_kind(data.get("kind"))
    if kind is None:
        raise ValidationFailed({"kind": "Pilih jenis produk hukum."})
    stages = step_set(kind)
    steps: list[Step] = []
    for stage, date_field in AFTER_THE_FACT_DATES.items():
        if stage not in stages:
            continue
        fields = step_fields(kind, stage)
        present = any(str(data.get(k) or "").strip() for k in (date_field, *fields))
        if stage in AFTER_THE_FACT_OPTIONAL and not present:
            continue
        step = clean_step(
            stage, data, errors, date_field=date_field, after_the_fact=True, kind=kind
        )
        if step is not None:
            steps.append(step)
    notes = clean_text(
        data.get("notes"), field="notes", errors=errors, max_length=2000, multiline=True
    )
    if not errors:
        state = State()
        for step in steps:
            try:
                check_step(state, step, today=today, kind=kind)
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
        kind=kind.value,
        partner_codes=str(data.get("partner_codes") or ""),
    )
    adoption.recorded_after_the_fact = True
    state = State()
    for step in steps:
        event = event_from(
            step,
            adoption_id=adoption.id,
            kind=EventKind.LANGKAH,
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
            attach_file(
                session,
                actor=actor,
                event=event,
                data=content,
                filename=filename,
                root=upload_root,
                max_bytes=max_upload_bytes,
            )
    refresh_read_model(session, adoption, state)
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
