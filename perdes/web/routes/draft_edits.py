"""Drafting workspace: editing the wording of a Pasal over the template, inserting a Pasal,
and accepting or rejecting proposed wording from comments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.drafting.workspace import editing
from perdes.drafting.workspace import services as drafts
from perdes.errors import ValidationFailed
from perdes.validation import parse_int
from perdes.web.deps import DB, FormData
from perdes.web.htmx import redirect, render
from perdes.web.permissions import requires

router = APIRouter()

Editor = Annotated[Principal, Depends(requires("draft.edit"))]
ClauseId = Annotated[str, Query(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]


def _editor_context(
    db: DB, user: Principal, draft_id: int, clause_id: str, **extra: Any
) -> dict[str, Any]:
    editor = editing.pasal_editor(db, actor=user, draft_id=draft_id, clause_id=clause_id)
    return {
        "user": user,
        "village": editor.view.village,
        "draft": editor.view.draft,
        "editor": editor,
        "unit_key": editing.unit_key,
        "errors": {},
        "posted": {},
        **extra,
    }


@router.get("/rancangan/{draft_id}/pasal", name="draft_pasal_edit")
def draft_pasal_edit(
    request: Request, draft_id: int, db: DB, user: Editor, pasal: ClauseId
) -> Response:
    """The wording of one Pasal of the newest revision, ayat by ayat, to edit."""
    return render(request, "drafts/pasal_edit.html", _editor_context(db, user, draft_id, pasal))


def _saved(request: Request, draft_id: int, number: int) -> Response:
    url = request.app.url_path_for("draft_detail", draft_id=str(draft_id))
    return redirect(request, f"{url}?tersimpan={number}")


def _refused(
    request: Request,
    db: DB,
    user: Principal,
    draft_id: int,
    clause_id: str,
    form: dict[str, str],
    exc: ValidationFailed | drafts.StaleRevision,
) -> Response:
    """The edit page again with the user's text kept: 422 with messages, or 409 when someone
    saved in between."""
    if isinstance(exc, drafts.StaleRevision):
        context = _editor_context(
            db, user, draft_id, clause_id, posted=form, stale=exc.message, base=form.get("base")
        )
        return render(request, "drafts/pasal_edit.html", context, status_code=409)
    context = _editor_context(
        db, user, draft_id, clause_id, posted=form, errors=exc.errors, base=form.get("base")
    )
    return render(request, "drafts/pasal_edit.html", context, status_code=422)


@router.post("/rancangan/{draft_id}/pasal", name="draft_pasal_save")
def draft_pasal_save(
    request: Request, draft_id: int, db: DB, user: Editor, form: FormData
) -> Response:
    """Save the edited wording of a Pasal as a new revision."""
    clause_id = form.get("pasal", "")
    editing.pasal_editor(db, actor=user, draft_id=draft_id, clause_id=clause_id)  # 404 first
    texts = {k.removeprefix("teks_"): v for k, v in form.items() if k.startswith("teks_")}
    texts.pop("baru", None)
    removed = {k.removeprefix("hapus_") for k, v in form.items() if k.startswith("hapus_") and v}
    restored = {k.removeprefix("pulihkan_") for k, v in form.items() if k.startswith("pulihkan_")}
    try:
        saved = editing.save_pasal(
            db,
            actor=user,
            draft_id=draft_id,
            base_number=parse_int(form.get("base", "")) or 0,
            clause_id=clause_id,
            texts=texts,
            removed=removed,
            restored=restored,
            new_text=form.get("teks_baru", ""),
            message=form.get("message", ""),
        )
    except (ValidationFailed, drafts.StaleRevision) as exc:
        return _refused(request, db, user, draft_id, clause_id, form, exc)
    return _saved(request, draft_id, saved.number)


@router.post("/rancangan/{draft_id}/sisipkan", name="draft_pasal_insert")
def draft_pasal_insert(
    request: Request, draft_id: int, db: DB, user: Editor, form: FormData
) -> Response:
    """Insert a new Pasal after the one being edited."""
    after = form.get("after", "")
    editing.pasal_editor(db, actor=user, draft_id=draft_id, clause_id=after)  # 404 first
    try:
        saved = editing.insert_pasal(
            db,
            actor=user,
            draft_id=draft_id,
            base_number=parse_int(form.get("base", "")) or 0,
            after=after,
            text=form.get("teks_sisipan", ""),
            message=form.get("message", ""),
        )
    except (ValidationFailed, drafts.StaleRevision) as exc:
        return _refused(request, db, user, draft_id, after, form, exc)
    return _saved(request, draft_id, saved.number)


@router.post("/rancangan/{draft_id}/pasal/buang", name="draft_edits_discard")
def draft_edits_discard(
    request: Request, draft_id: int, db: DB, user: Editor, form: FormData
) -> Response:
    """Drop the edits of one Pasal (e.g. flagged after an option change): a new revision."""
    saved = editing.discard_edits(
        db,
        actor=user,
        draft_id=draft_id,
        base_number=parse_int(form.get("base", "")) or 0,
        clause_id=form.get("pasal", ""),
    )
    return _saved(request, draft_id, saved.number)


@router.post("/rancangan/{draft_id}/usulan/{comment_id}/terima", name="draft_proposal_accept")
def draft_proposal_accept(
    request: Request, draft_id: int, comment_id: int, db: DB, user: Editor, form: FormData
) -> Response:
    """Accept proposed wording (a new revision); 409 with the proposal kept when stale."""
    try:
        saved = editing.accept_proposal(
            db,
            actor=user,
            draft_id=draft_id,
            comment_id=comment_id,
            base_number=parse_int(form.get("base", "")) or 0,
        )
    except (drafts.StaleRevision, editing.ProposalOutdated, ValidationFailed) as exc:
        view = drafts.get_draft(db, actor=user, draft_id=draft_id)
        message = exc.message
        if isinstance(exc, ValidationFailed):
            message = "Usulan tidak dapat diterapkan: " + "; ".join(exc.errors.values())
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
            status_code=422 if isinstance(exc, ValidationFailed) else 409,
        )
    return _saved(request, draft_id, saved.number)


@router.post("/rancangan/{draft_id}/usulan/{comment_id}/tolak", name="draft_proposal_reject")
def draft_proposal_reject(
    request: Request, draft_id: int, comment_id: int, db: DB, user: Editor
) -> Response:
    editing.reject_proposal(db, actor=user, draft_id=draft_id, comment_id=comment_id)
    url = request.app.url_path_for("draft_detail", draft_id=str(draft_id))
    return redirect(request, f"{url}#draft-comments")
