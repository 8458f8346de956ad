"""Drafts and revisions of a village's Perdes: create, save, compare, comment, mark.

Every revision is immutable: it keeps the values and options as entered, the village data
and the template version it was written with, and a text snapshot per Pasal for comparison.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.drafting.assembler import assemble
from perdes.drafting.edits import Edit, edits_from_json, edits_to_json
from perdes.drafting.errors import DraftInputError, TemplateError, TemplateNotFound
from perdes.drafting.loader import list_templates, load_template
from perdes.drafting.manifest import Template
from perdes.drafting.model import (
    KEPUTUSAN_KEPALA_DESA,
    PERATURAN_DESA,
    PERATURAN_KEPALA_DESA,
    Document,
    VillageContext,
)
from perdes.drafting.signing import Kind, NotSignable, check_kind
from perdes.drafting.values import default_values
from perdes.drafting.village import context_from_view
from perdes.drafting.workspace.compare import document_sections
from perdes.drafting.workspace.models import (
    CommentSource,
    Draft,
    DraftComment,
    DraftRevision,
)
from perdes.errors import Conflict, NotFound, ValidationFailed
from perdes.regions.eligibility import require_perdes_maker
from perdes.regions.models import Region
from perdes.regions.services import VillageView, get_village
from perdes.validation import FieldErrors, clean_text

PURPOSES = {"konsultasi": "consultation_number", "bpd": "bpd_number"}
INSTRUMENT_NAMES = {
    PERATURAN_DESA: "Peraturan Desa",
    PERATURAN_KEPALA_DESA: "Peraturan Kepala Desa",
    KEPUTUSAN_KEPALA_DESA: "Keputusan Kepala Desa",
}
INSTRUMENT_SHORT = {
    PERATURAN_DESA: "Perdes",
    PERATURAN_KEPALA_DESA: "Perkades",
    KEPUTUSAN_KEPALA_DESA: "Kepdes",
}


class StaleRevision(Conflict):
    """The form was based on an older revision than the newest one."""

    def __init__(self, latest: int) -> None:
        super().__init__(
            f"Rancangan ini sudah disimpan orang lain (revisi {latest}) setelah Anda membukanya."
        )
        self.latest = latest


@dataclass(slots=True)
class DraftView:
    draft: Draft
    village: VillageView


def template_for(slug: str) -> Template:
    """A template by its slug; only the templates listed under the templates root (never a
    folder path sent by a user)."""
    if slug not in {info.slug for info in list_templates()}:
        raise NotFound("Templat rancangan tidak ditemukan.")
    try:
        return load_template(slug)
    except (TemplateNotFound, TemplateError) as exc:
        raise NotFound("Templat rancangan tidak ditemukan.") from exc


def build_document(
    template: Template,
    *,
    village: VillageContext,
    values: Mapping[str, object],
    options: Mapping[str, bool | str],
    today: date | None = None,
    edits: Sequence[Edit] = (),
    english: bool = False,
) -> Document:
    """Assemble, turning the engine's input errors into per-field messages: Indonesian for
    the pages, English (``english``) for the JSON API."""
    try:
        return assemble(
            template, village=village, values=values, options=options, today=today, edits=edits
        )
    except DraftInputError as exc:
        if english:
            raise ValidationFailed(dict(exc.errors), "The template refused the values.") from exc
        raise ValidationFailed(dict(exc.messages_id)) from exc
    except TemplateError as exc:
        if english:
            raise ValidationFailed({"template": str(exc)}, "The template failed.") from exc
        raise ValidationFailed({"template": f"Templat bermasalah: {exc}"}) from exc


def unsaved_document(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    template_slug: str,
    values: Mapping[str, object],
    options: Mapping[str, bool | str],
    english: bool = False,
) -> Document:
    """The document a draft with these values would give, nothing saved (the API's render):
    the same checks as saving a draft (scope, permission, a desa that makes Perdes)."""
    view = _village_for_write(session, actor, village_code)
    return build_document(
        template_for(template_slug),
        village=context_from_view(view),
        values=values,
        options=options,
        english=english,
    )


def clean_inputs(
    template: Template, values: Mapping[str, object], options: Mapping[str, object]
) -> tuple[dict[str, object], dict[str, bool | str]]:
    """Keep only declared names; the engine validates the values themselves."""
    unknown = [k for k in values if k not in template.variables]
    unknown += [k for k in options if k not in template.options]
    if unknown:
        raise ValidationFailed({unknown[0]: "Isian tidak dikenal oleh templat."})
    kept_values = {k: v for k, v in values.items() if v not in (None, "", [])}
    kept_options: dict[str, bool | str] = {}
    for name, value in options.items():
        kept_options[name] = value if isinstance(value, bool) else str(value)
    return kept_values, kept_options


def _message(message: str) -> str:
    errors = FieldErrors()
    text = clean_text(message, field="message", errors=errors, max_length=200)
    if errors:
        raise ValidationFailed(dict(errors))
    return text


def _village_for_write(session: Session, actor: Principal, village_code: str) -> VillageView:
    view = get_village(session, code=village_code, scope=actor.scope)
    actor.require("draft.edit", village_code)
    require_perdes_maker(view.region.code)
    return view


def list_drafts(session: Session, *, actor: Principal, village_code: str) -> list[Draft]:
    get_village(session, code=village_code, scope=actor.scope)
    actor.require("draft.view")
    return list(
        session.scalars(
            select(Draft).where(Draft.village_code == village_code).order_by(Draft.id.desc())
        )
    )


def get_draft(session: Session, *, actor: Principal, draft_id: int) -> DraftView:
    """A draft inside the actor's scope; NotFound otherwise."""
    actor.require("draft.view")
    draft = session.scalar(
        select(Draft)
        .join(Region, Region.code == Draft.village_code)
        .where(Draft.id == draft_id, actor.scope.region_clause())
    )
    if draft is None:
        raise NotFound("Rancangan tidak ditemukan.")
    return DraftView(
        draft=draft, village=get_village(session, code=draft.village_code, scope=actor.scope)
    )


def _add_revision(
    session: Session,
    *,
    actor: Principal,
    draft: Draft,
    template: Template,
    village: VillageContext,
    values: dict[str, object],
    options: dict[str, bool | str],
    message: str,
    edits: Sequence[Edit] = (),
) -> DraftRevision:
    today = utcnow().date()
    doc = build_document(
        template, village=village, values=values, options=options, today=today, edits=edits
    )
    # A conditional update, not a read-modify-write: of two saves on the same base, the second
    # finds the number moved on (after the first commits, on PostgreSQL) and is stale.
    expected = draft.latest_number
    moved = session.execute(
        update(Draft)
        .where(Draft.id == draft.id, Draft.latest_number == expected)
        .values(latest_number=expected + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]  # Result of an UPDATE is a CursorResult
        latest = session.scalar(select(Draft.latest_number).where(Draft.id == draft.id))
        raise StaleRevision(latest or expected)
    set_committed_value(draft, "latest_number", expected + 1)
    revision = DraftRevision(
        draft_id=draft.id,
        number=draft.latest_number,
        created_at=utcnow(),
        author_id=actor.user_id,
        author_name=actor.full_name,
        message=message,
        template_version=template.info.version,
        values=values,
        options=dict(options),
        village=dataclasses.asdict(village),
        sections=document_sections(doc),
        edits=edits_to_json(edits),
    )
    session.add(revision)
    session.flush()
    return revision


def create_draft(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    template_slug: str,
    values: Mapping[str, object],
    options: Mapping[str, object],
    message: str = "",
) -> Draft:
    """A new draft with its first revision; nothing is written when the input is refused."""
    view = _village_for_write(session, actor, village_code)
    template = template_for(template_slug)
    kept_values, kept_options = clean_inputs(template, values, options)
    text = _message(message) or "Rancangan awal"
    village = context_from_view(view)
    build_document(template, village=village, values=kept_values, options=kept_options)
    draft = Draft(
        village_code=village_code,
        template_slug=template.info.slug,
        title=f"Rancangan {INSTRUMENT_NAMES[template.bentuk]} tentang {template.judul}",
        created_at=utcnow(),
        created_by_id=actor.user_id,
        latest_number=0,
    )
    session.add(draft)
    session.flush()
    revision = _add_revision(
        session,
        actor=actor,
        draft=draft,
        template=template,
        village=village,
        values=kept_values,
        options=kept_options,
        message=text,
    )
    audit.record(
        session,
        actor=actor,
        entity="draft",
        entity_id=draft.id,
        action="create",
        changes={"revision": (None, revision.number)},
        village_code=village_code,
    )
    return draft


def save_revision(
    session: Session,
    *,
    actor: Principal,
    draft_id: int,
    base_number: int,
    values: Mapping[str, object],
    options: Mapping[str, object],
    message: str = "",
) -> DraftRevision:
    """Save a new revision on top of ``base_number``.

    Raises StaleRevision when someone saved after the form was opened (no lost updates),
    ValidationFailed on bad input (PerdesNotAllowed for a kelurahan), NotFound/OutOfScope
    on access.
    """
    view = get_draft(session, actor=actor, draft_id=draft_id)
    draft = view.draft
    _village_for_write(session, actor, draft.village_code)
    if base_number != draft.latest_number:
        raise StaleRevision(draft.latest_number)
    template = template_for(draft.template_slug)
    kept_values, kept_options = clean_inputs(template, values, options)
    latest = get_revision(session, draft=draft, number=draft.latest_number)
    revision = _add_revision(
        session,
        actor=actor,
        draft=draft,
        template=template,
        village=context_from_view(view.village),
        values=kept_values,
        options=kept_options,
        message=_message(message),
        edits=revision_edits(latest),  # the wording edits carry over; flagged if now orphaned
    )
    audit.record(
        session,
        actor=actor,
        entity="draft",
        entity_id=draft.id,
        action="save",
        changes={"revision": (base_number, revision.number)},
        village_code=draft.village_code,
    )
    return revision


def get_revision(session: Session, *, draft: Draft, number: int) -> DraftRevision:
    revision = session.scalar(
        select(DraftRevision).where(
            DraftRevision.draft_id == draft.id, DraftRevision.number == number
        )
    )
    if revision is None:
        raise NotFound("Revisi tidak ditemukan.")
    return revision


def list_revisions(session: Session, *, draft: Draft) -> list[DraftRevision]:
    return list(
        session.scalars(
            select(DraftRevision)
            .where(DraftRevision.draft_id == draft.id)
            .order_by(DraftRevision.number.desc())
        )
    )


def revision_edits(revision: DraftRevision) -> list[Edit]:
    """The wording edits a revision stored (perdes.drafting.edits)."""
    return edits_from_json(revision.edits or [])


def revision_village(revision: DraftRevision) -> VillageContext:
    known = {f.name for f in dataclasses.fields(VillageContext)}
    return VillageContext(**{k: v for k, v in revision.village.items() if k in known})


def revision_document(
    draft: Draft,
    revision: DraftRevision,
    *,
    overrides: Mapping[str, object] | None = None,
    edits: Sequence[Edit] | None = None,
) -> Document:
    """Render a revision again from what it stored (village data, values, options, date,
    edits). ``overrides`` replace stored values (the Perdes number and dates recorded in the
    tracker); ``edits`` replace the stored edits (to preview a change).

    Names the current template no longer declares (a variable or option retired in a
    newer template version) are left out, so older revisions still open.
    """
    template = template_for(draft.template_slug)
    values = {**revision.values, **(overrides or {})}
    return build_document(
        template,
        village=revision_village(revision),
        values={k: v for k, v in values.items() if k in template.variables},
        options={k: v for k, v in revision.options.items() if k in template.options},
        today=revision.created_at.date(),
        edits=revision_edits(revision) if edits is None else edits,
    )


NOT_SIGNABLE = "Naskah untuk ditandatangani belum dapat dibuat. Lengkapi dahulu:"


class NotSignableYet(ValidationFailed):
    """A naskah untuk ditandatangani was asked for while something is blank or unverified:
    ``errors`` maps each item (``nomor``, ``mengingat.<key>``, ``edit.<n>``, …) to its
    Indonesian message; ``for_village`` and ``for_catalogue`` split them by who can act."""

    @property
    def for_catalogue(self) -> list[str]:
        """National instruments in Mengingat not yet checked against their official text (or
        without their gazette number): the catalogue's maintainers complete them, not the
        village (``templates/perdes/citations.yaml``)."""
        return [m for k, m in self.errors.items() if _catalogue_item(k)]

    @property
    def for_village(self) -> list[str]:
        """Everything else: blanks of the draft, the village's own instruments, edits."""
        return [m for k, m in self.errors.items() if not _catalogue_item(k)]


def _catalogue_item(field: str) -> bool:
    return field.startswith("mengingat.") and not field.startswith("mengingat.desa-")


def require_kind(document: Document, kind: str) -> Kind:
    """Check the output kind for ``document``; a naskah untuk ditandatangani with anything
    unverified or blank raises ValidationFailed listing every item (Indonesian)."""
    try:
        return check_kind(document, kind)
    except NotSignable as exc:
        raise NotSignableYet(dict(exc.messages_id), NOT_SIGNABLE) from exc
    except DraftInputError as exc:
        raise ValidationFailed(dict(exc.messages_id)) from exc


def output_file_name(
    village_name: str, number: int, kind: Kind, suffix: str, *, bentuk: str = PERATURAN_DESA
) -> str:
    """Distinct names for the two kinds, e.g. ``Rancangan-Perdes-PMI-Lontar-revisi-3.docx``
    and ``Naskah-Perdes-PMI-Lontar-revisi-3-untuk-ditandatangani.docx`` ("Perkades",
    "Kepdes" for the other instruments)."""
    ascii_name = unicodedata.normalize("NFKD", village_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-") or "desa"
    short = INSTRUMENT_SHORT[bentuk]
    if kind == "naskah":
        return f"Naskah-{short}-PMI-{slug}-revisi-{number}-untuk-ditandatangani.{suffix}"
    return f"Rancangan-{short}-PMI-{slug}-revisi-{number}.{suffix}"


def mark_revision(
    session: Session, *, actor: Principal, draft_id: int, number: int, purpose: str
) -> Draft:
    """Record which revision went to public consultation or to the BPD (a Peraturan Desa
    only: a Peraturan or Keputusan Kepala Desa needs no BPD agreement)."""
    view = get_draft(session, actor=actor, draft_id=draft_id)
    _village_for_write(session, actor, view.draft.village_code)
    if purpose not in PURPOSES:
        raise ValidationFailed({"purpose": "Tujuan tidak dikenal."})
    if purpose == "bpd" and template_for(view.draft.template_slug).bentuk != PERATURAN_DESA:
        raise ValidationFailed(
            {"purpose": "Peraturan atau Keputusan Kepala Desa tidak dibahas bersama BPD."}
        )
    revision = get_revision(session, draft=view.draft, number=number)
    column = PURPOSES[purpose]
    before = getattr(view.draft, column)
    setattr(view.draft, column, revision.number)
    audit.record(
        session,
        actor=actor,
        entity="draft",
        entity_id=draft_id,
        action=f"mark_{purpose}",
        changes={column: (before, revision.number)},
        village_code=view.draft.village_code,
    )
    return view.draft


def list_comments(session: Session, *, draft: Draft) -> list[DraftComment]:
    return list(
        session.scalars(
            select(DraftComment).where(DraftComment.draft_id == draft.id).order_by(DraftComment.id)
        )
    )


def add_comment(
    session: Session,
    *,
    actor: Principal,
    draft_id: int,
    clause_id: str,
    source: str,
    text: str,
) -> DraftComment:
    """A comment on a Pasal of the newest revision (operators, pendamping and admins)."""
    view = get_draft(session, actor=actor, draft_id=draft_id)
    actor.require("draft.comment", view.draft.village_code)
    errors = FieldErrors()
    body = clean_text(
        text, field="text", errors=errors, max_length=4000, required=True, multiline=True
    )
    try:
        origin = CommentSource(source)
    except ValueError:
        errors.add("source", "Sumber masukan tidak dikenal.")
        origin = CommentSource.INTERNAL
    latest = get_revision(session, draft=view.draft, number=view.draft.latest_number)
    labels = {s[0]: s[1] for s in latest.sections}
    if clause_id not in labels or not labels[clause_id].startswith("Pasal"):
        errors.add("clause_id", "Pilih Pasal yang dikomentari.")
    if errors:
        raise ValidationFailed(dict(errors))
    comment = DraftComment(
        draft_id=draft_id,
        revision_number=latest.number,
        clause_id=clause_id,
        pasal_label=labels[clause_id],
        source=origin,
        author_id=actor.user_id,
        author_name=actor.full_name,
        text=body,
        created_at=utcnow(),
    )
    session.add(comment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="draft_comment",
        entity_id=comment.id,
        action="create",
        changes={"clause_id": (None, clause_id)},
        village_code=view.draft.village_code,
    )
    return comment


def resolve_comment(
    session: Session, *, actor: Principal, draft_id: int, comment_id: int
) -> DraftComment:
    """Mark a comment as dealt with (the village's operator or an admin)."""
    view = get_draft(session, actor=actor, draft_id=draft_id)
    actor.require("draft.edit", view.draft.village_code)
    comment = session.get(DraftComment, comment_id)
    if comment is None or comment.draft_id != draft_id:
        raise NotFound("Komentar tidak ditemukan.")
    if comment.resolved_at is None:
        comment.resolved_at = utcnow()
        audit.record(
            session,
            actor=actor,
            entity="draft_comment",
            entity_id=comment.id,
            action="resolve",
            changes={"resolved": (False, True)},
            village_code=view.draft.village_code,
        )
    return comment


def form_values(
    template: Template, revision: DraftRevision | None, village: VillageContext | None = None
) -> dict[str, Any]:
    """What the form shows: the defaults (from the village data the revision used, or the
    current profile for a new draft), overlaid with the values entered."""
    context = VillageContext(**revision.village) if revision else village
    today = revision.created_at.date() if revision else utcnow().date()
    defaults: dict[str, Any] = default_values(template, context, today) if context else {}
    return {**defaults, **(revision.values if revision else {})}


def form_options(template: Template, revision: DraftRevision | None) -> dict[str, bool | str]:
    chosen = dict(revision.options) if revision else {}
    return {name: chosen.get(name, spec.default) for name, spec in template.options.items()}


def latest_perdes_document(
    session: Session, *, actor: Principal, village_code: str
) -> Document | None:
    """The newest revision of the village's newest Peraturan Desa draft, assembled (None when
    the village has none), for what its Perkades and Kepdes take over from it."""
    for draft in list_drafts(session, actor=actor, village_code=village_code):
        try:
            template = template_for(draft.template_slug)
        except NotFound:
            continue
        if template.bentuk != PERATURAN_DESA or draft.latest_number < 1:
            continue
        revision = get_revision(session, draft=draft, number=draft.latest_number)
        try:
            return revision_document(draft, revision)
        except ValidationFailed:
            return None
    return None
