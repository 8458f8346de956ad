"""Step documents from the app's data: the tracker's adoption, the village profile and local
terms, and the village's Perdes draft. Scoped like the tracker; reads only."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.drafting.stepdocs import (
    MissingData,
    StepDocument,
    StepTemplate,
    StepTemplateError,
    assemble_step,
    list_step_templates,
    load_step_template,
    village_terms,
)
from perdes.drafting.village import context_from_view
from perdes.drafting.workspace.models import Draft
from perdes.errors import NotFound, ValidationFailed
from perdes.regions.eligibility import require_perdes_maker
from perdes.regions.services import get_village
from perdes.tracking.deadlines import EVALUATED, local_today
from perdes.tracking.models import Adoption
from perdes.tracking.queries import AnyAdoption
from perdes.tracking.stages import STAGE_ORDER, Stage
from perdes.validation import FieldErrors, clean_text, parse_iso_date

NOT_READY = "Dokumen belum dapat dibuat. Lengkapi dahulu:"
DATE_REFUSAL = "Tanggal tidak sah (format TTTT-BB-HH, paling jauh setahun dari hari ini)."


@dataclass(frozen=True, slots=True)
class OfferedDocument:
    """A step document as the tracker page offers it next to its stage."""

    template: StepTemplate
    ready: bool  # the stage is reached or is the next step


def offered_documents(
    adoption: AnyAdoption, *, templates: list[StepTemplate] | None = None
) -> list[OfferedDocument]:
    """The step documents for this adoption's type of Perdes, each marked ready once its
    stage is recorded or is the next one (an invitation is made before the meeting).
    ``templates``: the list read once for a page of several adoptions."""
    evaluated = adoption.perdes_type in EVALUATED
    reached = -1 if adoption.current_stage is None else STAGE_ORDER.index(adoption.current_stage)
    out = []
    for t in list_step_templates() if templates is None else templates:
        if not t.applies_to(evaluated):
            continue
        ready = STAGE_ORDER.index(Stage(t.stage)) <= reached + 1
        out.append(OfferedDocument(t, ready))
    return out


def _adoption(session: Session, *, actor: Principal, village_code: str, adoption_id: int) -> Any:
    view = get_village(session, code=village_code, scope=actor.scope)  # NotFound out of scope
    actor.require("adoption.view", village_code)
    require_perdes_maker(view.region.code)
    adoption = session.scalar(
        select(Adoption).where(Adoption.id == adoption_id, Adoption.village_code == village_code)
    )
    if adoption is None:
        raise NotFound("Catatan Perdes tidak ditemukan.")
    return view, adoption


def _inputs(template: StepTemplate, raw: Mapping[str, str], today: date) -> dict[str, Any]:
    errors = FieldErrors()
    out: dict[str, Any] = {}
    for name, spec in template.inputs.items():
        value = raw.get(name, "")
        if spec.type == "date":
            if value in ("", None):
                out[name] = None
                continue
            # A meeting is planned ahead, or recorded shortly after: within a year either way.
            year = timedelta(days=366)
            parsed = parse_iso_date(value, lo=today - year, hi=today + year)
            if parsed is None:
                errors.add(name, DATE_REFUSAL)
            out[name] = parsed
        else:
            text = clean_text(value, field=name, errors=errors, max_length=spec.max_length)
            out[name] = text or None
    if errors:
        raise ValidationFailed(dict(errors))
    return out


def _data(session: Session, view: Any, adoption: Adoption, today: date) -> dict[str, Any]:
    draft = session.scalar(
        select(Draft)
        .where(Draft.village_code == adoption.village_code, Draft.bpd_number.is_not(None))
        .order_by(Draft.id.desc())
        .limit(1)
    )
    return {
        **village_terms(context_from_view(view)),
        "judul": adoption.title,
        "tanggal_kesepakatan": adoption.agreed_on,
        "nomor_berita_acara": adoption.berita_acara_number,
        "nomor_perdes": adoption.perdes_number,
        "tanggal_penetapan": adoption.enacted_on,
        "tanggal_pengundangan": adoption.promulgated_on,
        "tahun_lembaran": adoption.lembaran_year,
        "nomor_lembaran": adoption.lembaran_number,
        "nomor_surat_laporan": adoption.report_letter_number,
        "tanggal_laporan": adoption.reported_on,
        "revisi_bpd": draft.bpd_number if draft is not None else None,
        "hari_ini": today,
    }


def step_document(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    adoption_id: int,
    slug: str,
    inputs: Mapping[str, str],
    today: date | None = None,
) -> StepDocument:
    """Assemble one step document for an adoption of the actor's scope.

    Raises ``NotFound`` (another village, out of scope, unknown document),
    ``PerdesNotAllowed`` (a kelurahan), ``ValidationFailed`` for bad typed inputs (per field)
    or for data the app does not have yet (one entry per missing datum, saying where to record
    it), or when the document does not apply to this type of Perdes.
    """
    view, adoption = _adoption(
        session, actor=actor, village_code=village_code, adoption_id=adoption_id
    )
    try:
        template = load_step_template(slug)
    except StepTemplateError as exc:
        raise NotFound("Dokumen tidak ditemukan.") from exc
    if not template.applies_to(adoption.perdes_type in EVALUATED):
        raise ValidationFailed(
            {"dokumen": "Dokumen ini tidak berlaku untuk jenis Perdes ini."},
            "Dokumen ini tidak berlaku untuk jenis Perdes ini.",
        )
    today = today or local_today()
    typed = _inputs(template, inputs, today)
    try:
        doc = assemble_step(template, data=_data(session, view, adoption, today), inputs=typed)
    except MissingData as exc:
        missing = {k: f"{label} belum ada" for k, label in exc.missing}
        raise ValidationFailed(missing, NOT_READY) from exc
    ascii_name = unicodedata.normalize("NFKD", view.region.name).encode("ascii", "ignore").decode()
    village = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-") or "desa"
    return dataclasses.replace(doc, file_name=f"{doc.file_name}-{village}")
