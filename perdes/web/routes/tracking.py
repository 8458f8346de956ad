"""Adoption tracker pages: the timeline section on the village page, recording steps,
corrections, evidence upload and download, and recording a Perdes after the fact.

Registers, the deadline list and the deadline rules are in ``tracking_reports``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.errors import Conflict, ValidationFailed
from perdes.files import check_upload
from perdes.regions import services as regions
from perdes.tracking import after_the_fact, evidence, links, queries, services
from perdes.tracking.models import DEFAULT_TITLE, Adoption
from perdes.tracking.stages import (
    REASON_KELURAHAN,
    STEP_FIELDS,
)
from perdes.validation import parse_int
from perdes.web.deps import DB, AppSettings, FormData
from perdes.web.files import evidence_response
from perdes.web.forms import Multipart, submit
from perdes.web.htmx import is_htmx, redirect, render
from perdes.web.permissions import requires
from perdes.web.sections import tracker_labels, tracker_section

router = APIRouter()

Reader = Annotated[Principal, Depends(requires("adoption.view"))]
Recorder = Annotated[Principal, Depends(requires("adoption.record"))]


def _adoption_to_record(kode: str, adoption_id: int, db: DB, user: Recorder) -> Adoption:
    """Load-or-404: the adoption of the path, of that desa, inside the user's scope."""
    return queries.get_adoption(db, actor=user, adoption_id=adoption_id, village_code=kode)


AdoptionToRecord = Annotated[Adoption, Depends(_adoption_to_record)]


def _section(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form_key: str = "",
    message: str = "",
    tone: str = "ok",
    status_code: int = 200,
) -> Response:
    """The tracker section: a fragment for htmx, else the section on a page of its own."""
    village = regions.get_village(db, code=kode, scope=user.scope)
    section = tracker_section(
        db, user, kode, errors=errors, values=values, form_key=form_key, message=message, tone=tone
    )
    return render(
        request,
        "tracking/section.html",
        {"user": user, "village": village, "tracker_section": section},
        block="tracker",
        status_code=status_code,
    )


def _done(
    request: Request, db: DB, user: Principal, kode: str, message: str, form_key: str = ""
) -> Response:
    """After a save: the fresh section with ``message`` (for htmx; ``form_key`` says which form
    was saved, so a step's outcome shows under its product), else back to the village page."""
    if is_htmx(request):
        return _section(request, db, user, kode, message=message, form_key=form_key)
    return redirect(request, request.url_for("village_detail", kode=kode))


def _versioned_write(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    write: Callable[[], object],
    *,
    values: dict[str, str],
    form_key: str,
    message: str,
) -> Response:
    """A tracker form that carries a version: refused input gives the form again (422); a
    newer save by someone else gives, for htmx, the fresh section with the reason (htmx does
    not swap a 409), else the error map's 409 page."""
    try:
        return submit(
            db,
            write,
            invalid=lambda errors: _section(
                request, db, user, kode, errors=errors, values=values, form_key=form_key
            ),
            done=lambda _: _done(request, db, user, kode, message, form_key),
        )
    except Conflict as exc:
        if not is_htmx(request):
            raise
        return _section(request, db, user, kode, message=exc.message, tone="warn")


@router.get("/desa/{kode}/perdes", name="adoption_section")
def adoption_section(request: Request, kode: str, db: DB, user: Reader) -> Response:
    return _section(request, db, user, kode)


@router.post("/desa/{kode}/perdes", name="adoption_start")
def adoption_start(request: Request, kode: str, db: DB, user: Recorder, form: FormData) -> Response:
    started = "Perdes" if form.get("kind", "perdes") in ("", "perdes") else "produk hukum"
    return submit(
        db,
        lambda: services.start_adoption(
            db,
            actor=user,
            village_code=kode,
            title=form.get("title", ""),
            summary=form.get("summary", ""),
            perdes_type=form.get("perdes_type", ""),
            kind=form.get("kind", ""),
            partner_codes=form.get("partner_codes", ""),
        ),
        invalid=lambda errors: _section(
            request, db, user, kode, errors=errors, values=form, form_key="start"
        ),
        done=lambda _: _done(request, db, user, kode, f"Pencatatan {started} dimulai."),
    )


@router.post("/desa/{kode}/perdes/{adoption_id}/tautan", name="adoption_link_add")
def adoption_link_add(
    request: Request,
    kode: str,
    adoption_id: int,
    db: DB,
    user: Recorder,
    _: AdoptionToRecord,
    form: FormData,
) -> Response:
    """Record that this product amends or repeals another of the village (same kind); bad
    links re-render with 422, a simultaneous change of either product is a 409."""
    return _versioned_write(
        request,
        db,
        user,
        kode,
        lambda: links.add_link(db, actor=user, village_code=kode, source_id=adoption_id, data=form),
        values=form,
        form_key=f"link-{adoption_id}",
        message="Tautan perubahan/pencabutan dicatat.",
    )


@router.post("/desa/{kode}/perdes/tautan/{link_id}/hapus", name="adoption_link_remove")
def adoption_link_remove(
    request: Request, kode: str, link_id: int, db: DB, user: Recorder
) -> Response:
    links.remove_link(db, actor=user, village_code=kode, link_id=link_id)
    return _done(request, db, user, kode, "Tautan dihapus.")


@router.post("/desa/{kode}/perdes/{adoption_id}/evaluasi", name="adoption_evaluation_record")
def adoption_evaluation_record(
    request: Request,
    kode: str,
    adoption_id: int,
    db: DB,
    user: Recorder,
    _: AdoptionToRecord,
    form: FormData,
) -> Response:
    """Record the dates of the Bupati's evaluation of an evaluated draft (UU 6/2014 Pasal 69)."""
    form_key = f"evaluation-{adoption_id}"
    version = form.get("version", "")

    return _versioned_write(
        request,
        db,
        user,
        kode,
        lambda: services.record_evaluation(
            db,
            actor=user,
            adoption_id=adoption_id,
            data=form,
            expected_version=parse_int(version),
        ),
        values=form,
        form_key=form_key,
        message="Tanggal evaluasi dicatat; tenggat dihitung ulang.",
    )


@router.post("/desa/{kode}/perdes/{adoption_id}/langkah", name="adoption_step_record")
def adoption_step_record(
    request: Request,
    kode: str,
    adoption_id: int,
    db: DB,
    user: Recorder,
    _: AdoptionToRecord,
    posted: Multipart,
    settings: AppSettings,
) -> Response:
    """Record the next step, with an optional evidence file; bad input re-renders with 422."""
    form = posted.fields
    form_key = f"step-{adoption_id}"
    version = form.get("version", "")

    def write() -> None:
        upload = posted.files.get("file")
        if upload is not None:
            check_upload(upload[1], max_bytes=settings.max_upload_bytes)
        event = services.record_step(
            db,
            actor=user,
            adoption_id=adoption_id,
            data=form,
            expected_version=parse_int(version),
        )
        if upload is not None:
            evidence.attach_evidence(
                db,
                actor=user,
                event_id=event.id,
                data=upload[1],
                filename=upload[0],
                root=settings.effective_upload_path,
                max_bytes=settings.max_upload_bytes,
            )

    return _versioned_write(
        request, db, user, kode, write, values=form, form_key=form_key, message="Langkah tercatat."
    )


def _correction_page(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    event_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    event = queries.get_event(db, actor=user, event_id=event_id, village_code=kode)
    user.require("adoption.record", kode)
    village = regions.get_village(db, code=kode, scope=user.scope)
    adoption = queries.get_adoption(db, actor=user, adoption_id=event.adoption_id)
    steps, timeline = queries.effective_steps(adoption)
    entry = next(e for e in timeline if e.event.id == event.id)
    step = entry.step
    if values is None and step is not None:
        values = {"occurred_on": step.occurred_on.isoformat()}
        for name in STEP_FIELDS[event.stage]:
            value = getattr(step, name)
            values[name] = "" if value is None else str(value)
    context = {
        "user": user,
        "village": village,
        "event": event,
        "entry": entry,
        "is_latest": bool(steps) and steps[-1].event_id == event.id,
        "adoption": adoption,
        "values": values or {},
        "errors": errors or {},
        **tracker_labels(),
    }
    return render(
        request, "tracking/correction.html", context, block="correction_form",
        status_code=status_code,
    )  # fmt: skip


@router.get("/desa/{kode}/perdes/langkah/{event_id}/koreksi", name="adoption_correction_form")
def adoption_correction_form(
    request: Request, kode: str, event_id: int, db: DB, user: Recorder
) -> Response:
    return _correction_page(request, db, user, kode, event_id)


@router.post("/desa/{kode}/perdes/langkah/{event_id}/koreksi", name="adoption_correction_record")
def adoption_correction_record(
    request: Request, kode: str, event_id: int, db: DB, user: Recorder, form: FormData
) -> Response:
    """Append a correction (or retraction) with its reason; the original stays as recorded."""
    version = form.get("version", "")

    def write() -> None:
        queries.get_event(db, actor=user, event_id=event_id, village_code=kode)
        services.correct_event(
            db,
            actor=user,
            event_id=event_id,
            reason=form.get("reason", ""),
            data=form,
            retract=form.get("retract") == "1",
            expected_version=parse_int(version),
        )

    return submit(
        db,
        write,
        invalid=lambda errors: _correction_page(
            request, db, user, kode, event_id, errors=errors, values=form
        ),
        done=lambda _: redirect(request, request.url_for("village_detail", kode=kode)),
    )


@router.post("/desa/{kode}/perdes/langkah/{event_id}/berkas", name="adoption_evidence_upload")
def adoption_evidence_upload(
    request: Request,
    kode: str,
    event_id: int,
    db: DB,
    user: Recorder,
    posted: Multipart,
    settings: AppSettings,
) -> Response:
    form_key = f"file-{event_id}"
    upload = posted.files.get("file")

    def write() -> None:
        if upload is None:
            raise ValidationFailed({"file": "Pilih berkas yang akan diunggah."})
        evidence.attach_evidence(
            db,
            actor=user,
            event_id=event_id,
            data=upload[1],
            filename=upload[0],
            root=settings.effective_upload_path,
            max_bytes=settings.max_upload_bytes,
            village_code=kode,
        )

    # The same message whether or not the bytes were stored before (perhaps by another
    # village): an upload must not tell who else holds a file.
    return submit(
        db,
        write,
        invalid=lambda errors: _section(request, db, user, kode, errors=errors, form_key=form_key),
        done=lambda _: _done(request, db, user, kode, "Berkas bukti dilampirkan."),
    )


@router.get("/desa/{kode}/perdes/berkas/{file_id}", name="adoption_evidence_download")
def adoption_evidence_download(
    kode: str, file_id: int, db: DB, user: Reader, settings: AppSettings
) -> Response:
    record, name = evidence.get_evidence(db, actor=user, village_code=kode, file_id=file_id)
    return evidence_response(settings, record, filename=name)


AFTER_FIELDS = (
    "kind",
    "partner_codes",
    "title",
    "summary",
    "agreed_on",
    "berita_acara_number",
    "handed_over_on",
    "enacted_on",
    "perdes_number",
    "promulgated_on",
    "lembaran_year",
    "lembaran_number",
    "berita_desa_number",
    "reported_on",
    "letter_number",
    "notes",
)
SCAN_FIELDS = {f"scan_{s.value}": s for s in after_the_fact.AFTER_THE_FACT_DATES}


def _after_page(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    village = regions.get_village(db, code=kode, scope=user.scope)
    user.require("adoption.record", kode)
    return render(
        request,
        "tracking/after_the_fact.html",
        {
            "user": user,
            "village": village,
            "values": values,
            "errors": errors or {},
            "refusal": "" if village.region.can_make_perdes else REASON_KELURAHAN,
            **tracker_labels(),
        },
        block="after_form",
        status_code=status_code,
    )


@router.get("/desa/{kode}/perdes/tercatat", name="adoption_after_fact_form")
def adoption_after_fact_form(request: Request, kode: str, db: DB, user: Recorder) -> Response:
    return _after_page(request, db, user, kode, values={"title": DEFAULT_TITLE})


@router.post("/desa/{kode}/perdes/tercatat", name="adoption_after_fact_record")
def adoption_after_fact_record(
    request: Request, kode: str, db: DB, user: Recorder, posted: Multipart, settings: AppSettings
) -> Response:
    """Record a Perdes enacted before the app, with scans; all or nothing."""
    scans = {
        stage: posted.files[name] for name, stage in SCAN_FIELDS.items() if name in posted.files
    }
    values = {k: posted.fields.get(k, "") for k in AFTER_FIELDS}
    return submit(
        db,
        lambda: after_the_fact.record_after_the_fact(
            db,
            actor=user,
            village_code=kode,
            data=posted.fields,
            scans=scans,
            upload_root=settings.effective_upload_path,
            max_upload_bytes=settings.max_upload_bytes,
        ),
        invalid=lambda errors: _after_page(request, db, user, kode, values=values, errors=errors),
        done=lambda _: redirect(request, request.url_for("village_detail", kode=kode)),
    )
