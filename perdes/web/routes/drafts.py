"""Drafting workspace: drafts per village, live preview, revisions, comparison, comments."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from perdes.accounts.principal import Principal
from perdes.drafting.companions import values_from_perdes
from perdes.drafting.framing import CLOSING_ID
from perdes.drafting.loader import list_templates
from perdes.drafting.manifest import Template
from perdes.drafting.model import PERATURAN_DESA, DocComment, Document
from perdes.drafting.preview_delta import delta, read_fingerprints
from perdes.drafting.render_akn import render_akn
from perdes.drafting.render_docx import render_docx
from perdes.drafting.render_html import render_html
from perdes.drafting.signing import Kind
from perdes.drafting.village import context_from_view
from perdes.drafting.workspace import editing
from perdes.drafting.workspace import services as drafts
from perdes.drafting.workspace.compare import compare_sections
from perdes.drafting.workspace.models import COMMENT_SOURCE_LABELS, Draft, DraftRevision
from perdes.drafting.workspace.pdf import PdfUnavailable
from perdes.errors import ValidationFailed
from perdes.home.services import draft_values_from_tracker
from perdes.regions.services import VillageView, get_village
from perdes.tracking import agreed
from perdes.validation import parse_int
from perdes.web.deps import DB, FormData
from perdes.web.errors import error_response
from perdes.web.forms import submit
from perdes.web.htmx import redirect, render
from perdes.web.loaders import (
    CommentDraft,
    DraftCommenter,
    DraftEditor,
    DraftReader,
    EditDraft,
    ReadDraft,
)

router = APIRouter()

Reader = DraftReader
Editor = DraftEditor
Commenter = DraftCommenter


def _village_to_read(kode: str, db: DB, user: Reader) -> VillageView:
    return get_village(db, code=kode, scope=user.scope)


def _village_to_draft(kode: str, db: DB, user: Editor) -> VillageView:
    village = get_village(db, code=kode, scope=user.scope)
    user.require("draft.edit", kode)
    return village


VillageToRead = Annotated[VillageView, Depends(_village_to_read)]
VillageToDraft = Annotated[VillageView, Depends(_village_to_draft)]
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
AKN_TYPE = "application/xml"


@dataclass
class DraftForm:
    """The posted workspace form: variables (``v_*``), options (``o_*``), message, base."""

    template: str = ""
    values: dict[str, object] = field(default_factory=dict)
    options: dict[str, bool | str] = field(default_factory=dict)
    message: str = ""
    base: int | None = None
    # the fingerprints of the parts the browser's preview shows (``preview_delta``)
    shown: list[str] = field(default_factory=list)


async def _draft_form(request: Request) -> DraftForm:
    form = await request.form()
    parsed = DraftForm(template=str(form.get("template", "")), message=str(form.get("message", "")))
    declared = [n for n in str(form.get("o__all", "")).split(",") if n]
    for name in declared:
        parsed.options[name] = False  # an unticked checkbox is simply absent
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        if key.startswith("v_"):
            parsed.values[key[2:]] = values if len(values) > 1 else (values[0] if values else "")
        elif key.startswith("o_") and key != "o__all":
            value = values[-1] if values else ""
            parsed.options[key[2:]] = True if value == "on" else value
    base = str(form.get("base", ""))
    parsed.base = parse_int(base)
    parsed.shown = read_fingerprints(str(form.get(SHOWN_FIELD, "")))
    return parsed


PostedDraft = Annotated[DraftForm, Depends(_draft_form)]
SHOWN_FIELD = "pratinjau_punya"  # set by static/js/drafting.js on each preview refresh


# The draft form in steps. Variables not named here (a new template's) go to the first step;
# citation lists always go to the collapsed "Dasar hukum" step.
FORM_STEPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "data",
        "Data desa dan nomor",
        ("nomor", "tahun", "tanggal_penetapan", "tanggal_pengundangan", "nomor_lembaran"),
    ),
    ("pejabat", "Pejabat", ("nama_kepala_desa", "nama_sekretaris_desa")),
    (
        "pasal",
        "Pilihan pasal",
        (
            "nama_lembaga",
            "singkatan_lembaga",
            "nama_komunitas",
            "nama_dinas",
            "nama_balai",
            "pasal_tugas_desa",
            "batas_lapor_hari",
            "batas_penundaan_hari",
            "batas_pengaduan_hari",
            "masa_retensi_tahun",
            "batas_perkades_bulan",
            "periode_laporan",
            "frekuensi_sosialisasi",
            "frekuensi_rekap",
            "frekuensi_laporan_lembaga",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class FormStep:
    key: str
    title: str
    variables: list[str]


def form_steps(template: Any) -> tuple[list[FormStep], list[str]]:
    """The template's variables per step, and its citation lists (for "Dasar hukum")."""
    citations = [n for n, v in template.variables.items() if v.type == "citations"]
    placed = {n for _, _, names in FORM_STEPS for n in names}
    steps = []
    for key, title, names in FORM_STEPS:
        chosen = [n for n in names if n in template.variables and n not in citations]
        if key == "data":
            chosen += [n for n in template.variables if n not in placed and n not in citations]
        steps.append(FormStep(key, title, chosen))
    return steps, citations


def _tracked(db: DB, user: Principal, kode: str, template: Template) -> dict[str, str]:
    """Values the tracker (and, for a Perkades or Kepdes, the village's Perdes draft) already
    holds, so nobody types them twice."""
    if not user.can("adoption.view", kode):
        return {}
    tracked = draft_values_from_tracker(db, actor=user, village_code=kode)
    if template.bentuk == PERATURAN_DESA:
        return tracked
    perdes = drafts.latest_perdes_document(db, actor=user, village_code=kode)
    values = values_from_perdes(perdes, tracked, template.bentuk)
    return {k: v for k, v in values.items() if k in template.variables}


def _workspace_context(
    db: DB,
    user: Principal,
    view: drafts.DraftView,
    *,
    shown: DraftRevision | None = None,
    inline_preview: bool = True,
) -> dict[str, Any]:
    """The workspace page's context; without ``inline_preview`` the page loads the preview
    itself (``draft_revision_preview``) and the browser keeps it."""
    draft = view.draft
    template = drafts.template_for(draft.template_slug)
    latest = drafts.get_revision(db, draft=draft, number=draft.latest_number)
    shown = shown or latest
    agreement = agreed.agreement_of_draft(db, draft=draft)
    document = drafts.revision_document(
        draft, shown, overrides=agreement.signing_values if agreement else None
    )
    tracked = _tracked(db, user, draft.village_code, template)
    steps, citations = form_steps(template)
    return {
        "tracked": tracked,
        "steps": steps,
        "citation_fields": citations,
        "user": user,
        "village": view.village,
        "draft": draft,
        "template": template,
        "revision": shown,
        "latest": latest,
        "preview": render_html(document) if inline_preview else "",
        "revisions": drafts.list_revisions(db, draft=draft),
        "comments": drafts.list_comments(db, draft=draft),
        "sources": COMMENT_SOURCE_LABELS,
        "pasal_choices": [
            s for s in latest.sections if s[0] not in ("pembukaan", "penjelasan-umum")
        ],
        "values": {**drafts.form_values(template, latest), **tracked},
        "options": drafts.form_options(template, latest),
        "errors": {},
        "unverified": [c.text for c in document.unverified_citations()],
        "edit_flags": document.edit_flags,
        "edited": document.edited,
        "agreement": agreement,
        "proposal_targets": editing.proposal_targets(
            document if shown.id == latest.id else drafts.revision_document(draft, latest)
        ),
        "closing_id": CLOSING_ID,
    }


@router.get("/desa/{kode}/rancangan", name="draft_list")
def draft_list(
    request: Request, kode: str, db: DB, user: Reader, village: VillageToRead
) -> Response:
    return render(
        request,
        "drafts/list.html",
        {
            "user": user,
            "village": village,
            "drafts": drafts.list_drafts(db, actor=user, village_code=kode),
            "templates": list_templates(),
        },
    )


@router.get("/desa/{kode}/rancangan/baru", name="draft_new")
def draft_new(
    request: Request,
    kode: str,
    db: DB,
    user: Editor,
    village: VillageToDraft,
    template: Annotated[str, Query(max_length=60)] = "pelindungan-pmi",
) -> Response:
    """The variables form, prefilled from the village profile, with a live preview."""
    spec = drafts.template_for(template)
    tracked = _tracked(db, user, kode, spec)
    steps, citations = form_steps(spec)
    context: dict[str, Any] = {
        "user": user,
        "village": village,
        "template": spec,
        "values": {**drafts.form_values(spec, None, context_from_view(village)), **tracked},
        "options": drafts.form_options(spec, None),
        "errors": {},
        "preview": "",
        "start_preview": True,  # loaded by the page (draft_preview_start), kept by the browser
        "tracked": tracked,
        "steps": steps,
        "citation_fields": citations,
    }
    return render(request, "drafts/new.html", context)


def _first_preview(
    db: DB, user: Principal, kode: str, village: VillageView, spec: Template
) -> tuple[str, dict[str, str]]:
    """The preview of a new draft from the village profile and the tracker, or what is
    missing to make one."""
    tracked = _tracked(db, user, kode, spec)
    try:
        doc = drafts.build_document(
            spec,
            village=context_from_view(village),
            values=dict(tracked),
            options=drafts.form_options(spec, None),
        )
    except ValidationFailed as exc:
        return "", exc.errors  # e.g. the profile lacks the officials' names
    return render_html(doc), {}


@router.get("/desa/{kode}/rancangan/pratinjau", name="draft_preview_start")
def draft_preview_start(
    request: Request,
    kode: str,
    db: DB,
    user: Editor,
    village: VillageToDraft,
    template: Annotated[str, Query(max_length=60)] = "pelindungan-pmi",
) -> Response:
    """The new-draft page's first preview, loaded right after the page. The browser keeps it
    and asks again with its ETag: an unchanged preview answers 304 without a body."""
    spec = drafts.template_for(template)
    if not village.region.can_make_perdes:
        return Response(status_code=204)
    preview, missing = _first_preview(db, user, kode, village, spec)
    response = render(
        request,
        "drafts/_preview_start.html",
        {"template": spec, "preview": preview, "preview_errors": missing},
    )
    return _kept_by_browser(request, response)


@router.post("/desa/{kode}/rancangan/pratinjau", name="draft_preview")
def draft_preview(
    request: Request, db: DB, user: Editor, village: VillageToDraft, form: PostedDraft
) -> Response:
    """The preview fragment for the form as it is now (422 with the problems when invalid);
    the parts the browser already shows are referenced, not sent (``preview_delta``)."""
    spec = drafts.template_for(form.template or "pelindungan-pmi")

    def build() -> Document:
        values, options = drafts.clean_inputs(spec, form.values, form.options)
        return drafts.build_document(
            spec, village=context_from_view(village), values=values, options=options
        )

    return submit(
        db,
        build,
        invalid=lambda errors: render(
            request, "drafts/_preview.html", {"errors": errors, "preview": ""}
        ),
        done=lambda doc: render(
            request,
            "drafts/_preview.html",
            {"errors": {}, "preview": delta(render_html(doc), form.shown)},
        ),
    )


@router.post("/desa/{kode}/rancangan", name="draft_create")
def draft_create(
    request: Request, kode: str, db: DB, user: Editor, village: VillageToDraft, form: PostedDraft
) -> Response:

    def invalid(errors: dict[str, str]) -> Response:
        spec = drafts.template_for(form.template or "pelindungan-pmi")
        steps, citations = form_steps(spec)
        return render(
            request,
            "drafts/new.html",
            {
                "user": user,
                "village": village,
                "template": spec,
                "values": form.values,
                "options": {**drafts.form_options(spec, None), **form.options},
                "errors": errors,
                "preview": "",
                "message": form.message,
                "tracked": _tracked(db, user, kode, spec),
                "steps": steps,
                "citation_fields": citations,
            },
        )

    return submit(
        db,
        lambda: drafts.create_draft(
            db,
            actor=user,
            village_code=kode,
            template_slug=form.template or "pelindungan-pmi",
            values=form.values,
            options=form.options,
            message=form.message,
        ),
        invalid=invalid,
        done=lambda draft: redirect(request, _saved_url(request, draft.id, draft.latest_number)),
    )


def _saved_url(request: Request, draft_id: int, number: int) -> str:
    """The workspace, saying which revision was just saved ("Revisi 2 tersimpan")."""
    return f"{request.app.url_path_for('draft_detail', draft_id=str(draft_id))}?tersimpan={number}"


@router.get("/rancangan/{draft_id}", name="draft_detail")
def draft_detail(
    request: Request,
    db: DB,
    user: Reader,
    view: ReadDraft,
    tersimpan: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    context = _workspace_context(db, user, view, inline_preview=False)
    context["start_preview"] = True
    if tersimpan is not None and tersimpan <= view.draft.latest_number:
        context["saved_number"] = tersimpan
    return render(request, "drafts/workspace.html", context)


def _kept_by_browser(request: Request, response: Response) -> Response:
    """``response`` with a weak ETag of its body, kept privately by the browser and
    revalidated on each use: an unchanged body answers 304 without one."""
    etag = f'W/"{hashlib.sha256(bytes(response.body)).hexdigest()[:20]}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response


@router.get("/rancangan/{draft_id}/pratinjau", name="draft_revision_preview")
def draft_revision_preview(request: Request, db: DB, user: Reader, view: ReadDraft) -> Response:
    """The workspace's preview of the latest revision, loaded right after the page."""
    draft = view.draft
    latest = drafts.get_revision(db, draft=draft, number=draft.latest_number)
    agreement = agreed.agreement_of_draft(db, draft=draft)
    document = drafts.revision_document(
        draft, latest, overrides=agreement.signing_values if agreement else None
    )
    response = render(
        request, "drafts/_preview.html", {"errors": {}, "preview": render_html(document)}
    )
    return _kept_by_browser(request, response)


@router.post("/rancangan/{draft_id}/revisi", name="draft_save")
def draft_save(
    request: Request, draft_id: int, db: DB, user: Editor, view: EditDraft, form: PostedDraft
) -> Response:
    """Save a revision; a stale form (someone saved meanwhile) is shown back with a choice."""
    try:
        saved = drafts.save_revision(
            db,
            actor=user,
            draft_id=draft_id,
            base_number=form.base or 0,
            values=form.values,
            options=form.options,
            message=form.message,
        )
    except (ValidationFailed, drafts.StaleRevision) as exc:
        context = _workspace_context(db, user, view)
        context["values"] = form.values
        context["options"] = {**context["options"], **form.options}
        context["message"] = form.message
        if isinstance(exc, drafts.StaleRevision):
            context["stale_from"] = form.base
            return render(request, "drafts/workspace.html", context, status_code=409)
        context["errors"] = exc.errors
        context["base"] = form.base
        return render(request, "drafts/workspace.html", context, status_code=422)
    return redirect(request, _saved_url(request, draft_id, saved.number))


@router.get("/rancangan/{draft_id}/revisi/{number}", name="draft_revision")
def draft_revision(
    request: Request, number: int, db: DB, user: Reader, view: ReadDraft
) -> Response:
    shown = drafts.get_revision(db, draft=view.draft, number=number)
    context = _workspace_context(db, user, view, shown=shown)
    return render(request, "drafts/revision.html", context)


@router.get("/rancangan/{draft_id}/bandingkan", name="draft_compare")
def draft_compare(
    request: Request,
    db: DB,
    user: Reader,
    view: ReadDraft,
    a: Annotated[int, Query(ge=1)],
    b: Annotated[int, Query(ge=1)],
) -> Response:
    """Word-level differences between two revisions, per Pasal, with renumbering noted."""
    old = drafts.get_revision(db, draft=view.draft, number=a)
    new = drafts.get_revision(db, draft=view.draft, number=b)
    diffs = compare_sections(old.sections, new.sections)
    return render(
        request,
        "drafts/compare.html",
        {
            "user": user,
            "village": view.village,
            "draft": view.draft,
            "old": old,
            "new": new,
            "diffs": diffs,
            "edited_new": {e.pasal for e in drafts.revision_edits(new)},
            "edited_old": {e.pasal for e in drafts.revision_edits(old)},
            "revisions": drafts.list_revisions(db, draft=view.draft),
        },
    )


def _bentuk(draft: Draft) -> str:
    return drafts.template_for(draft.template_slug).bentuk


def _docx_bytes(
    db: DB, draft: Draft, revision: DraftRevision, with_comments: bool, kind: str = "rancangan"
) -> tuple[bytes, Kind]:
    agreement = agreed.agreement_of_draft(db, draft=draft)
    document = drafts.revision_document(
        draft, revision, overrides=agreement.signing_values if agreement else None
    )
    checked = drafts.require_kind(document, kind)
    comments: dict[str, list[DocComment]] = {}
    if with_comments:
        present = {p.clause_id for p in document.all_pasal()}
        for c in drafts.list_comments(db, draft=draft):
            if c.resolved_at is None and c.clause_id in present:
                text = f"[{COMMENT_SOURCE_LABELS[c.source]}] {c.text}"
                comments.setdefault(c.clause_id, []).append(DocComment(c.author_name, text))
    return render_docx(document, comments=comments or None, kind=checked), checked


def _not_signable(
    request: Request,
    user: Principal,
    view: drafts.DraftView,
    number: int,
    exc: drafts.NotSignableYet,
) -> Response:
    """A naskah asked for too early: what the village can complete, and what waits for the
    catalogue's verification of the legal basis, with the way back to the draft (422)."""
    return render(
        request,
        "drafts/not_signable.html",
        {"user": user, "view": view, "number": number, "problems": exc},
        status_code=422,
    )


@router.get("/rancangan/{draft_id}/revisi/{number}/docx", name="draft_docx")
def draft_docx(
    request: Request,
    number: int,
    db: DB,
    user: Reader,
    view: ReadDraft,
    komentar: bool = False,
    jenis: Annotated[str, Query(max_length=20)] = "rancangan",
) -> Response:
    """DOCX of a revision: ``jenis=rancangan`` (default) or ``jenis=naskah`` (untuk
    ditandatangani; 422 listing what to complete while anything is unverified or blank)."""
    revision = drafts.get_revision(db, draft=view.draft, number=number)
    try:
        data, kind = _docx_bytes(db, view.draft, revision, komentar, jenis)
    except drafts.NotSignableYet as exc:
        return _not_signable(request, user, view, number, exc)
    name = drafts.output_file_name(
        view.village.region.name, number, kind, "docx", bentuk=_bentuk(view.draft)
    )
    if komentar:  # not the same file as the plain one: not the same name
        name = name.removesuffix(".docx") + "-dengan-komentar.docx"
    return Response(
        data,
        media_type=DOCX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/rancangan/{draft_id}/revisi/{number}/akn", name="draft_akn")
def draft_akn(
    request: Request,
    number: int,
    db: DB,
    user: Reader,
    view: ReadDraft,
    jenis: Annotated[str, Query(max_length=20)] = "rancangan",
) -> Response:
    """Akoma Ntoso 3.0 XML of a revision (``jenis=naskah``: 422 listing what to complete)."""
    revision = drafts.get_revision(db, draft=view.draft, number=number)
    document = drafts.revision_document(view.draft, revision)
    try:
        kind = drafts.require_kind(document, jenis)
    except drafts.NotSignableYet as exc:
        return _not_signable(request, user, view, number, exc)
    data = render_akn(document, kind=kind, generated_on=revision.created_at.date())
    name = drafts.output_file_name(
        view.village.region.name, number, kind, "akn.xml", bentuk=_bentuk(view.draft)
    )
    return Response(
        data,
        media_type=AKN_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/rancangan/{draft_id}/revisi/{number}/pdf", name="draft_pdf")
async def draft_pdf(
    request: Request, number: int, db: DB, user: Reader, view: ReadDraft
) -> Response:
    revision = drafts.get_revision(db, draft=view.draft, number=number)
    data, _ = _docx_bytes(db, view.draft, revision, False)
    try:
        pdf = await run_in_threadpool(request.app.state.pdfs.pdf, data)
    except PdfUnavailable:
        return error_response(
            request,
            503,
            "PDF belum dapat dibuat di server ini (LibreOffice tidak tersedia atau gagal). "
            "Unduh berkas DOCX lalu cetak atau simpan sebagai PDF dari Word atau LibreOffice.",
        )
    name = drafts.output_file_name(
        view.village.region.name, number, "rancangan", "pdf", bentuk=_bentuk(view.draft)
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/rancangan/{draft_id}/revisi/{number}/cetak", name="draft_print")
def draft_print(request: Request, number: int, db: DB, user: Reader, view: ReadDraft) -> Response:
    revision = drafts.get_revision(db, draft=view.draft, number=number)
    agreement = agreed.agreement_of_draft(db, draft=view.draft)
    document = drafts.revision_document(
        view.draft, revision, overrides=agreement.signing_values if agreement else None
    )
    return render(
        request,
        "drafts/print.html",
        {
            "user": user,
            "draft": view.draft,
            "revision": revision,
            "village": view.village,
            "preview": render_html(document),
        },
    )


@router.post("/rancangan/{draft_id}/revisi/{number}/tandai", name="draft_mark")
def draft_mark(
    request: Request, draft_id: int, number: int, db: DB, user: Editor, form: FormData
) -> Response:
    drafts.mark_revision(
        db, actor=user, draft_id=draft_id, number=number, purpose=form.get("purpose", "")
    )
    return redirect(request, request.url_for("draft_detail", draft_id=draft_id))


@router.post("/rancangan/{draft_id}/komentar", name="draft_comment_add")
def draft_comment_add(
    request: Request, draft_id: int, db: DB, user: Commenter, view: CommentDraft, form: FormData
) -> Response:

    def comments(errors: dict[str, str]) -> Response:
        context = _workspace_context(db, user, view)
        context["comment_errors"] = errors
        context["comment_values"] = form if errors else {}
        return render(request, "drafts/workspace.html", context, block="comments")

    def write() -> object:
        if form.get("proposed", "").strip():  # a comment with proposed wording
            return editing.add_proposal(
                db,
                actor=user,
                draft_id=draft_id,
                target=form.get("target", ""),
                source=form.get("source", ""),
                text=form.get("text", ""),
                proposed=form.get("proposed", ""),
            )
        return drafts.add_comment(
            db,
            actor=user,
            draft_id=draft_id,
            clause_id=form.get("clause_id", ""),
            source=form.get("source", ""),
            text=form.get("text", ""),
        )

    return submit(db, write, invalid=comments, done=lambda _: comments({}))


@router.post("/rancangan/{draft_id}/komentar/{comment_id}/selesai", name="draft_comment_resolve")
def draft_comment_resolve(
    request: Request, draft_id: int, comment_id: int, db: DB, user: Editor, view: EditDraft
) -> Response:
    drafts.resolve_comment(db, actor=user, draft_id=draft_id, comment_id=comment_id)
    return render(
        request, "drafts/workspace.html", _workspace_context(db, user, view), block="comments"
    )
