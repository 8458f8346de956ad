"""Editing the wording of a draft over its template, and proposed wording in comments.

Every change makes a new immutable revision with the same values and options as the newest
one and the new list of edits (perdes.drafting.edits). A change that would leave an edit
unapplied or a reference unresolved is refused; an option change that orphans an edit is
saved, and the edit is flagged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.drafting.assembler import EditableUnit, editable_units
from perdes.drafting.edits import (
    INSERTED_PREFIX,
    AddAyat,
    Edit,
    InsertPasal,
    RemoveAyat,
    SetText,
    edits_of,
    edits_to_json,
    next_added_ayat,
    next_inserted_pasal,
    normalize,
    text_problems,
)
from perdes.drafting.errors import DraftInputError, TemplateError
from perdes.drafting.framing import CLOSING_ID
from perdes.drafting.model import Ayat, Document
from perdes.drafting.workspace import services as drafts
from perdes.drafting.workspace.models import (
    CommentSource,
    Draft,
    DraftComment,
    DraftRevision,
    ProposalDecision,
)
from perdes.errors import Conflict, NotFound, ValidationFailed
from perdes.validation import FieldErrors, clean_text

MAX_EDITS_BYTES = 100_000  # all edits of one revision, as stored JSON
WHOLE = "isi"  # form key of the body of a Pasal without ayat


class ProposalOutdated(Conflict):
    """The wording a proposal replaces changed after the proposal was written."""


@dataclass(frozen=True, slots=True)
class Clause:
    """A Pasal or ayat a reference can point at: its token and how it prints now."""

    token: str
    label: str


@dataclass(slots=True)
class PasalEditor:
    """What the edit page of one Pasal shows."""

    view: drafts.DraftView
    latest: DraftRevision
    clause_id: str
    label: str
    units: list[EditableUnit]
    template_units: dict[int | None, str]  # the template's own wording (empty if inserted)
    removed: list[tuple[int, str]]  # template ayat the drafter removed, with their wording
    inserted: bool
    clauses: list[Clause]
    flags: list[str]


def unit_key(ordinal: int | None) -> str:
    return WHOLE if ordinal is None else str(ordinal)


def clause_list(document: Document) -> list[Clause]:
    """Every Pasal and numbered ayat, as the reference picker lists them."""
    out: list[Clause] = []
    for pasal in document.all_pasal():
        out.append(Clause(f"[[ref:{pasal.clause_id}]]", pasal.label))
        for block in pasal.blocks:
            if isinstance(block, Ayat):
                out.append(
                    Clause(
                        f"[[ref:{pasal.clause_id}/{block.ordinal}]]",
                        f"{pasal.label} ayat ({block.number})",
                    )
                )
    return out


def _units(
    draft: Draft, revision: DraftRevision, edits: Sequence[Edit], cid: str
) -> list[EditableUnit] | None:
    template = drafts.template_for(draft.template_slug)
    try:
        return editable_units(
            template,
            village=drafts.revision_village(revision),
            values={k: v for k, v in revision.values.items() if k in template.variables},
            options={k: v for k, v in revision.options.items() if k in template.options},
            today=revision.created_at.date(),
            edits=edits,
            clause_id=cid,
        )
    except DraftInputError as exc:
        raise ValidationFailed(dict(exc.messages_id)) from exc
    except TemplateError as exc:
        raise ValidationFailed({"template": f"Templat bermasalah: {exc}"}) from exc


def _writable(
    session: Session, actor: Principal, draft_id: int
) -> tuple[drafts.DraftView, DraftRevision]:
    view = drafts.get_draft(session, actor=actor, draft_id=draft_id)
    actor.require("draft.edit", view.draft.village_code)
    latest = drafts.get_revision(session, draft=view.draft, number=view.draft.latest_number)
    return view, latest


def pasal_editor(
    session: Session, *, actor: Principal, draft_id: int, clause_id: str
) -> PasalEditor:
    """The edit page of one Pasal of the newest revision; NotFound when it is not there."""
    view, latest = _writable(session, actor, draft_id)
    edits = drafts.revision_edits(latest)
    units = _units(view.draft, latest, edits, clause_id)
    if units is None:
        raise NotFound("Pasal tidak ditemukan dalam revisi terakhir.")
    inserted = clause_id.startswith(INSERTED_PREFIX)
    template_units: dict[int | None, str] = {}
    if not inserted:
        others = [e for e in edits if e.pasal != clause_id]
        template_units = {
            u.ordinal: u.text for u in _units(view.draft, latest, others, clause_id) or []
        }
    document = drafts.revision_document(view.draft, latest)
    label = next(p.label for p in document.all_pasal() if p.clause_id == clause_id)
    return PasalEditor(
        view=view,
        latest=latest,
        clause_id=clause_id,
        label=label,
        units=units,
        template_units=template_units,
        removed=[
            (e.ayat, template_units[e.ayat])
            for e in edits_of(edits, clause_id)
            if isinstance(e, RemoveAyat) and e.ayat in template_units
        ],
        inserted=inserted,
        clauses=clause_list(document),
        flags=[f[2] for f in document.edit_flags if f[0] == clause_id],
    )


def _pasal_ops(
    editor_units: Sequence[EditableUnit],
    template_units: Mapping[int | None, str],
    edits: Sequence[Edit],
    cid: str,
    texts: Mapping[str, str],
    removed: set[str],
    new_text: str,
    errors: FieldErrors,
    restored: set[str] | frozenset[str] = frozenset(),
) -> list[Edit]:
    """The new edits of Pasal ``cid`` from the posted texts (keyed by unit_key); keys in
    ``restored`` go back to the template's wording (or, for a removed ayat, come back)."""
    own = edits_of(edits, cid)
    shown = {u.ordinal for u in editor_units}
    added = {e.ayat: e for e in own if isinstance(e, AddAyat)}
    # Edits of ayat the options now leave out are not on the form: they are kept as they are.
    kept: list[Edit] = [
        e
        for e in own
        if isinstance(e, SetText | RemoveAyat)
        and e.ayat not in shown
        and not (isinstance(e, RemoveAyat) and unit_key(e.ayat) in restored)
    ]
    adds: list[Edit] = [e for e in own if isinstance(e, AddAyat) and e.ayat not in shown]
    sets: list[Edit] = []
    present: list[int] = []
    for unit in editor_units:
        key = unit_key(unit.ordinal)
        text = normalize(texts.get(key, unit.text))
        if key in removed:
            if unit.ordinal is None:
                errors.add(f"teks_{key}", "Isi Pasal tanpa ayat tidak dapat dihapus.")
            elif unit.ordinal not in added:
                kept.append(RemoveAyat(cid, unit.ordinal))
            continue
        if unit.ordinal is not None:
            present.append(unit.ordinal)
        base = template_units.get(unit.ordinal)
        if base is None and unit.ordinal == 1:
            base = template_units.get(None)  # a body turned into ayat (1) by an added ayat
        if key in restored and base is not None:
            text = normalize(base)
        if unit.ordinal in added:
            if text != normalize(unit.text):
                _check(text, key, errors)
            adds.append(AddAyat(cid, added[unit.ordinal].after, unit.ordinal, text))
        elif base is None or text != normalize(base):
            if text != normalize(unit.text):
                _check(text, key, errors)
            sets.append(SetText(cid, unit.ordinal, text))
    if normalize(new_text):
        _check(normalize(new_text), "baru", errors)
        after = present[-1] if present else 1
        adds.append(AddAyat(cid, after, next_added_ayat(edits, cid), normalize(new_text)))
    if adds:  # the body of a Pasal without ayat becomes its ayat (1)
        sets = [
            SetText(cid, 1, e.text) if isinstance(e, SetText) and e.ayat is None else e
            for e in sets
        ]
    elif None in template_units:  # no added ayat left: the body is unnumbered again
        sets = [
            SetText(cid, None, e.text) if isinstance(e, SetText) and e.ayat == 1 else e
            for e in sets
        ]
    removals = [e for e in kept if isinstance(e, RemoveAyat)]
    if len(removals) and not present and not adds:
        errors.add("hapus", "Sebuah Pasal harus tetap memiliki sedikitnya satu ayat.")
    # Order matters: added ayat first (a body may turn into ayat (1)), then wording, then removals.
    return [*adds, *sets, *[e for e in kept if isinstance(e, SetText)], *removals]


def _check(text: str, key: str, errors: FieldErrors) -> None:
    for problem in text_problems(text):
        errors.add(f"teks_{key}", problem)


def _inserted_ops(
    units: Sequence[EditableUnit],
    insert: InsertPasal,
    texts: Mapping[str, str],
    removed: set[str],
    new_text: str,
    errors: FieldErrors,
) -> InsertPasal | None:
    out: list[str] = []
    for unit in units:
        key = unit_key(unit.ordinal)
        if key in removed:
            continue
        text = normalize(texts.get(key, unit.text))
        if text != normalize(unit.text):
            _check(text, key, errors)
        out.append(text)
    if normalize(new_text):
        _check(normalize(new_text), "baru", errors)
        out.append(normalize(new_text))
    return InsertPasal(insert.after, insert.pasal, tuple(out)) if out else None


def _replace_pasal_edits(edits: Sequence[Edit], cid: str, new: Sequence[Edit]) -> list[Edit]:
    """``edits`` with those of ``cid`` replaced by ``new``, at the place of the first one."""
    out: list[Edit] = []
    placed = False
    for e in edits:
        if e.pasal == cid:
            if not placed:
                out.extend(new)
                placed = True
            continue
        out.append(e)
    if not placed:
        out.extend(new)
    return out


def _commit_edits(
    session: Session,
    *,
    actor: Principal,
    view: drafts.DraftView,
    latest: DraftRevision,
    edits: list[Edit],
    message: str,
    action: str,
    field: str,
) -> DraftRevision:
    """Save ``edits`` as a new revision on top of ``latest``, refusing new flags."""
    if len(json.dumps(edits_to_json(edits), ensure_ascii=False).encode()) > MAX_EDITS_BYTES:
        raise ValidationFailed(
            {field: "Suntingan rancangan ini terlalu besar (lebih dari 100 kB)."}
        )
    before = {f for f in drafts.revision_document(view.draft, latest).edit_flags}
    after = drafts.revision_document(view.draft, latest, edits=edits)
    new_flags = [f[2] for f in after.edit_flags if f not in before]
    if new_flags:
        raise ValidationFailed({field: "; ".join(new_flags)})
    template = drafts.template_for(view.draft.template_slug)
    revision = drafts._add_revision(  # the one way a revision is made
        session,
        actor=actor,
        draft=view.draft,
        template=template,
        village=drafts.revision_village(latest),
        values=dict(latest.values),
        options=dict(latest.options),
        message=drafts._message(message),
        edits=edits,
    )
    audit.record(
        session,
        actor=actor,
        entity="draft",
        entity_id=view.draft.id,
        action=action,
        changes={"revision": (latest.number, revision.number)},
        village_code=view.draft.village_code,
    )
    return revision


def save_pasal(
    session: Session,
    *,
    actor: Principal,
    draft_id: int,
    base_number: int,
    clause_id: str,
    texts: Mapping[str, str],
    removed: set[str] | frozenset[str] = frozenset(),
    restored: set[str] | frozenset[str] = frozenset(),
    new_text: str = "",
    message: str = "",
) -> DraftRevision:
    """Save the wording of one Pasal (its ayat by ``unit_key``, removals, ayat or wording
    ``restored`` to the template's, one new ayat) as a new revision. Raises StaleRevision
    (409) when someone saved after ``base_number``, ValidationFailed (per field:
    ``teks_<key>``, ``teks_baru``) for text refused by ``text_problems``, a reference to a
    clause not in the draft, or an emptied Pasal."""
    view, latest = _writable(session, actor, draft_id)
    if base_number != latest.number:
        raise drafts.StaleRevision(latest.number)
    edits = drafts.revision_edits(latest)
    units = _units(view.draft, latest, edits, clause_id)
    if units is None:
        raise NotFound("Pasal tidak ditemukan dalam revisi terakhir.")
    errors = FieldErrors()
    removed = set(removed)
    if clause_id.startswith(INSERTED_PREFIX):
        insert = next(e for e in edits if isinstance(e, InsertPasal) and e.pasal == clause_id)
        new_insert = _inserted_ops(units, insert, texts, removed, new_text, errors)
        new_ops: list[Edit] = [new_insert] if new_insert else []
    else:
        others = [e for e in edits if e.pasal != clause_id]
        template_units = {
            u.ordinal: u.text for u in _units(view.draft, latest, others, clause_id) or []
        }
        new_ops = _pasal_ops(
            units, template_units, edits, clause_id, texts, removed, new_text, errors, restored
        )
    if errors:
        raise ValidationFailed(dict(errors))
    label = next((s[1] for s in latest.sections if s[0] == clause_id), clause_id)
    return _commit_edits(
        session,
        actor=actor,
        view=view,
        latest=latest,
        edits=_replace_pasal_edits(edits, clause_id, new_ops),
        message=message or f"Ubah rumusan {label}",
        action="edit_pasal",
        field="teks_baru" if normalize(new_text) else "teks",
    )


def discard_edits(
    session: Session,
    *,
    actor: Principal,
    draft_id: int,
    base_number: int,
    clause_id: str,
) -> DraftRevision:
    """Drop every edit of one Pasal (or the Pasal the drafter inserted) in a new revision:
    the way out for an edit flagged after an option change. StaleRevision (409) when
    someone saved after ``base_number``; NotFound when that Pasal has no edit."""
    view, latest = _writable(session, actor, draft_id)
    if base_number != latest.number:
        raise drafts.StaleRevision(latest.number)
    edits = drafts.revision_edits(latest)
    kept = [e for e in edits if e.pasal != clause_id]
    if len(kept) == len(edits):
        raise NotFound("Pasal ini tidak memiliki suntingan.")
    return _commit_edits(
        session,
        actor=actor,
        view=view,
        latest=latest,
        edits=kept,
        message=f"Buang suntingan {clause_id}",
        action="discard_edits",
        field="pasal",
    )


def insert_pasal(
    session: Session,
    *,
    actor: Principal,
    draft_id: int,
    base_number: int,
    after: str,
    text: str,
    message: str = "",
) -> DraftRevision:
    """Insert a new Pasal after Pasal ``after``; ``text`` holds its ayat separated by a blank
    line (one block: a Pasal without ayat number). Same errors as ``save_pasal``."""
    view, latest = _writable(session, actor, draft_id)
    if base_number != latest.number:
        raise drafts.StaleRevision(latest.number)
    edits = drafts.revision_edits(latest)
    if after not in {s[0] for s in latest.sections}:
        raise ValidationFailed({"after": "Pilih Pasal tempat menyisipkan."})
    blocks = [b for b in normalize(text).split("\n\n") if b.strip()]
    errors = FieldErrors()
    if not blocks:
        errors.add("teks_sisipan", "Tulis isi Pasal yang disisipkan.")
    for block in blocks:
        _check(block, "sisipan", errors)
    if errors:
        raise ValidationFailed(dict(errors))
    new = InsertPasal(after, next_inserted_pasal(edits), tuple(normalize(b) for b in blocks))
    return _commit_edits(
        session,
        actor=actor,
        view=view,
        latest=latest,
        edits=[*edits, new],
        message=message or "Sisipkan Pasal baru",
        action="insert_pasal",
        field="teks_sisipan",
    )


# -- proposed wording in comments ------------------------------------------------------


def proposal_targets(document: Document) -> list[Clause]:
    """The pieces of ``document`` a proposal can replace: each ayat, or a Pasal without ayat
    as a whole (values ``<clause id>#<ordinal|isi>``)."""
    out: list[Clause] = []
    for pasal in document.all_pasal():
        ayat = [b for b in pasal.blocks if isinstance(b, Ayat)]
        if not ayat:
            out.append(Clause(f"{pasal.clause_id}#{WHOLE}", f"{pasal.label} (seluruhnya)"))
        for a in ayat:
            out.append(Clause(f"{pasal.clause_id}#{a.ordinal}", f"{pasal.label} ayat ({a.number})"))
    return [c for c in out if c.token.split("#")[0] != CLOSING_ID]  # not from the template


def _parse_target(target: str) -> tuple[str, int | None] | None:
    cid, _, part = target.partition("#")
    if not cid or not part:
        return None
    if part == WHOLE:
        return cid, None
    return (cid, int(part)) if part.isdigit() else None


def add_proposal(
    session: Session,
    *,
    actor: Principal,
    draft_id: int,
    target: str,
    source: str,
    text: str,
    proposed: str,
) -> DraftComment:
    """A comment with proposed wording for one ayat (or a Pasal without ayat) of the newest
    revision. ValidationFailed for bad text (``proposed``), an unknown target or source."""
    view = drafts.get_draft(session, actor=actor, draft_id=draft_id)
    actor.require("draft.comment", view.draft.village_code)
    latest = drafts.get_revision(session, draft=view.draft, number=view.draft.latest_number)
    errors = FieldErrors()
    parsed = _parse_target(target)
    document = drafts.revision_document(view.draft, latest)
    targets = {c.token: c.label for c in proposal_targets(document)}
    if parsed is None or target not in targets:
        errors.add("target", "Pilih ayat yang diusulkan diubah.")
    wording = normalize(proposed)
    for problem in text_problems(wording):
        errors.add("proposed", problem)
    body = clean_text(text, field="text", errors=errors, max_length=4000, multiline=True)
    try:
        origin = CommentSource(source)
    except ValueError:
        errors.add("source", "Sumber masukan tidak dikenal.")
        origin = CommentSource.INTERNAL
    if errors or parsed is None:
        raise ValidationFailed(dict(errors))
    cid, ordinal = parsed
    comment = DraftComment(
        draft_id=draft_id,
        revision_number=latest.number,
        clause_id=cid,
        pasal_label=targets[target].removesuffix(" (seluruhnya)")[:20],  # "Pasal 9 ayat (2)"
        source=origin,
        author_id=actor.user_id,
        author_name=actor.full_name,
        text=body or "Usulan rumusan.",
        created_at=utcnow(),
        proposed_text=wording,
        proposed_ayat=ordinal,
    )
    session.add(comment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="draft_comment",
        entity_id=comment.id,
        action="propose",
        changes={"target": (None, target)},
        village_code=view.draft.village_code,
    )
    return comment


def proposal_of(session: Session, *, draft: Draft, comment_id: int) -> DraftComment | None:
    """A comment with proposed wording on this draft (decided or not), or None."""
    comment = session.get(DraftComment, comment_id)
    if comment is None or comment.draft_id != draft.id or comment.proposed_text is None:
        return None
    return comment


def _open_proposal(session: Session, draft: Draft, comment_id: int) -> DraftComment:
    comment = session.get(DraftComment, comment_id)
    if comment is None or comment.draft_id != draft.id or comment.proposed_text is None:
        raise NotFound("Usulan rumusan tidak ditemukan.")
    if comment.decision is not None:
        raise Conflict("Usulan ini sudah diputuskan.")
    return comment


def _unit_text(draft: Draft, revision: DraftRevision, cid: str, ordinal: int | None) -> str | None:
    units = _units(draft, revision, drafts.revision_edits(revision), cid) or []
    return next((normalize(u.text) for u in units if u.ordinal == ordinal), None)


def accept_proposal(
    session: Session, *, actor: Principal, draft_id: int, comment_id: int, base_number: int
) -> DraftRevision:
    """Accept proposed wording: a new revision with it. StaleRevision (409) when the page was
    opened on an older revision, ProposalOutdated (409) when the wording it replaces changed
    since it was written; the proposal stays open in both cases."""
    view, latest = _writable(session, actor, draft_id)
    comment = _open_proposal(session, view.draft, comment_id)
    if base_number != latest.number:
        raise drafts.StaleRevision(latest.number)
    written_on = drafts.get_revision(session, draft=view.draft, number=comment.revision_number)
    then = _unit_text(view.draft, written_on, comment.clause_id, comment.proposed_ayat)
    now = _unit_text(view.draft, latest, comment.clause_id, comment.proposed_ayat)
    if now is None or then != now:
        raise ProposalOutdated(
            "Rumusan yang diusulkan diubah sejak usulan ditulis (revisi "
            f"{comment.revision_number}); usulan tetap tersimpan. Sunting Pasal ini langsung."
        )
    revision = save_pasal(
        session,
        actor=actor,
        draft_id=draft_id,
        base_number=base_number,
        clause_id=comment.clause_id,
        texts={unit_key(comment.proposed_ayat): comment.proposed_text or ""},
        message=f"Usulan rumusan diterima ({comment.author_name}, {comment.pasal_label})",
    )
    comment.decision = ProposalDecision.DITERIMA
    comment.decided_revision = revision.number
    comment.resolved_at = utcnow()
    audit.record(
        session,
        actor=actor,
        entity="draft_comment",
        entity_id=comment.id,
        action="accept",
        changes={"decided_revision": (None, revision.number)},
        village_code=view.draft.village_code,
    )
    return revision


def reject_proposal(
    session: Session, *, actor: Principal, draft_id: int, comment_id: int
) -> DraftComment:
    """Reject proposed wording; the comment is kept, marked rejected and resolved."""
    view, _latest = _writable(session, actor, draft_id)
    comment = _open_proposal(session, view.draft, comment_id)
    comment.decision = ProposalDecision.DITOLAK
    comment.resolved_at = utcnow()
    audit.record(
        session,
        actor=actor,
        entity="draft_comment",
        entity_id=comment.id,
        action="reject",
        changes={"decision": (None, ProposalDecision.DITOLAK.value)},
        village_code=view.draft.village_code,
    )
    return comment
