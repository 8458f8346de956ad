"""Drafting workspace: editing the wording of a Pasal over the template, inserting a Pasal,
and accepting or rejecting proposed wording from comments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.drafting.workspace import editing
from perdes.drafting.workspace import services as drafts
from perdes.drafting.workspace.models import DraftRevision
from perdes.validation import parse_int
from perdes.web.deps import DB, FormData
from perdes.web.forms import submit
from perdes.web.htmx import redirect, render
from perdes.web.loaders import DraftEditor, EditDraft

router = APIRouter()

Editor = DraftEditor
ClauseId = Annotated[str, Query(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]


# Load-or-404: the Pasal of the newest revision, of a draft inside the user's scope; its id
# comes from the query (the edit page), or from the posted form (save: ``pasal``, insert after
# it: ``after``).
def _pasal_to_edit(draft_id: int, db: DB, user: Editor, pasal: ClauseId) -> editing.PasalEditor:
    return editing.pasal_editor(db, actor=user, draft_id=draft_id, clause_id=pasal)


def _posted_pasal(draft_id: int, db: DB, user: Editor, form: FormData) -> editing.PasalEditor:
    clause_id = form.get("pasal", "")
    return editing.pasal_editor(db, actor=user, draft_id=draft_id, clause_id=clause_id)


def _pasal_to_insert_after(
    draft_id: int, db: DB, user: Editor, form: FormData
) -> editing.PasalEditor:
    clause_id = form.get("after", "")
    return editing.pasal_editor(db, actor=user, draft_id=draft_id, clause_id=clause_id)


PasalToEdit = Annotated[editing.PasalEditor, Depends(_pasal_to_edit)]
PostedPasal = Annotated[editing.PasalEditor, Depends(_posted_pasal)]
PasalToInsertAfter = Annotated[editing.PasalEditor, Depends(_pasal_to_insert_after)]


def _editor_page(
    request: Request,
    user: Principal,
    editor: editing.PasalEditor,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """The edit page of a Pasal (after a refused save: with the user's text kept; the loaded
    ``editor`` is the newest revision, as a refused write leaves nothing behind)."""
    context = {
        "user": user,
        "village": editor.view.village,
        "draft": editor.view.draft,
        "editor": editor,
        "unit_key": editing.unit_key,
        "errors": {},
        "posted": {},
        **extra,
    }
    return render(request, "drafts/pasal_edit.html", context, status_code=status_code)


@router.get("/rancangan/{draft_id}/pasal", name="draft_pasal_edit")
def draft_pasal_edit(request: Request, db: DB, user: Editor, editor: PasalToEdit) -> Response:
    """The wording of one Pasal of the newest revision, ayat by ayat, to edit."""
    return _editor_page(request, user, editor)


def _saved(request: Request, draft_id: int, number: int) -> Response:
    url = request.app.url_path_for("draft_detail", draft_id=str(draft_id))
    return redirect(request, f"{url}?tersimpan={number}")


def _submit_wording(
    request: Request,
    db: DB,
    user: Principal,
    editor: editing.PasalEditor,
    form: dict[str, str],
    write: Callable[[], DraftRevision],
) -> Response:
    """Run a wording write through ``submit``: refused input gives the edit page again with
    the user's text kept (422, nothing written); a save by someone else in between, 409."""
    draft_id = editor.view.draft.id
    base = form.get("base")
    try:
        return submit(
            db,
            write,
            invalid=lambda errors: _editor_page(
                request, user, editor, posted=form, errors=errors, base=base
            ),
            done=lambda saved: _saved(request, draft_id, saved.number),
        )
    except drafts.StaleRevision as exc:
        return _editor_page(
            request, user, editor, status_code=409, posted=form, stale=exc.message, base=base
        )


@router.post("/rancangan/{draft_id}/pasal", name="draft_pasal_save")
def draft_pasal_save(
    request: Request, draft_id: int, db: DB, user: Editor, editor: PostedPasal, form: FormData
) -> Response:
    """Save the edited wording of a Pasal as a new revision."""
    texts = {k.removeprefix("teks_"): v for k, v in form.items() if k.startswith("teks_")}
    texts.pop("baru", None)
    removed = {k.removeprefix("hapus_") for k, v in form.items() if k.startswith("hapus_") and v}
    restored = {k.removeprefix("pulihkan_") for k, v in form.items() if k.startswith("pulihkan_")}

    def write() -> DraftRevision:
        return editing.save_pasal(
            db,
            actor=user,
            draft_id=draft_id,
            base_number=parse_int(form.get("base", "")) or 0,
            clause_id=editor.clause_id,
            texts=texts,
            removed=removed,
            restored=restored,
            new_text=form.get("teks_baru", ""),
            message=form.get("message", ""),
        )

    return _submit_wording(request, db, user, editor, form, write)


@router.post("/rancangan/{draft_id}/sisipkan", name="draft_pasal_insert")
def draft_pasal_insert(
    request: Request,
    draft_id: int,
    db: DB,
    user: Editor,
    editor: PasalToInsertAfter,
    form: FormData,
) -> Response:
    """Insert a new Pasal after the one being edited."""

    def write() -> DraftRevision:
        return editing.insert_pasal(
            db,
            actor=user,
            draft_id=draft_id,
            base_number=parse_int(form.get("base", "")) or 0,
            after=editor.clause_id,
            text=form.get("teks_sisipan", ""),
            message=form.get("message", ""),
        )

    return _submit_wording(request, db, user, editor, form, write)


@router.post("/rancangan/{draft_id}/pasal/buang", name="draft_edits_discard")
def draft_edits_discard(
    request: Request, draft_id: int, db: DB, user: Editor, view: EditDraft, form: FormData
) -> Response:
    """Drop the edits of one Pasal (e.g. flagged after an option change): a new revision."""
    saved = editing.discard_edits(
        db,
        actor=user,
        draft_id=view.draft.id,
        base_number=parse_int(form.get("base", "")) or 0,
        clause_id=form.get("pasal", ""),
    )
    return _saved(request, draft_id, saved.number)


@router.post("/rancangan/{draft_id}/usulan/{comment_id}/terima", name="draft_proposal_accept")
def draft_proposal_accept(
    request: Request,
    draft_id: int,
    comment_id: int,
    db: DB,
    user: Editor,
    view: EditDraft,
    form: FormData,
) -> Response:
    """Accept proposed wording (a new revision); refused wording is 422, a stale or outdated
    proposal 409, each with the proposal kept on the page."""

    def refused(message: str, status_code: int) -> Response:
        return render(
            request,
            "drafts/proposal_refused.html",
            {
                "user": user,
                "village": view.village,
                "draft": view.draft,
                "message": message,
                "comment": editing.proposal_of(db, draft=view.draft, comment_id=comment_id),
            },
            status_code=status_code,
        )

    def write() -> DraftRevision:
        return editing.accept_proposal(
            db,
            actor=user,
            draft_id=view.draft.id,
            comment_id=comment_id,
            base_number=parse_int(form.get("base", "")) or 0,
        )

    try:
        return submit(
            db,
            write,
            invalid=lambda errors: refused(
                "Usulan tidak dapat diterapkan: " + "; ".join(errors.values()), 422
            ),
            done=lambda saved: _saved(request, draft_id, saved.number),
        )
    except (drafts.StaleRevision, editing.ProposalOutdated) as exc:
        return refused(exc.message, 409)


@router.post("/rancangan/{draft_id}/usulan/{comment_id}/tolak", name="draft_proposal_reject")
def draft_proposal_reject(
    request: Request, draft_id: int, comment_id: int, db: DB, user: Editor, view: EditDraft
) -> Response:
    editing.reject_proposal(db, actor=user, draft_id=view.draft.id, comment_id=comment_id)
    url = request.app.url_path_for("draft_detail", draft_id=str(draft_id))
    return redirect(request, f"{url}#draft-comments")
