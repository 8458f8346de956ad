"""Checklist items on the village page (self-replacing widgets) and the monitor's queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from perdes.accounts.principal import Principal
from perdes.checklist import queue, services, thresholds, views
from perdes.checklist.figures import FIELD_PREFIX
from perdes.checklist.store import STALE_ANSWER, STALE_VERIFICATION
from perdes.config import Settings
from perdes.errors import Conflict, NotFound, ValidationFailed
from perdes.validation import parse_int
from perdes.web.deps import DB, AppSettings, FormData
from perdes.web.files import evidence_response
from perdes.web.forms import Multipart, submit
from perdes.web.htmx import is_htmx, redirect, render
from perdes.web.permissions import requires

router = APIRouter()

Reader = Annotated[Principal, Depends(requires("checklist.view"))]
Answerer = Annotated[Principal, Depends(requires("checklist.answer"))]
EvidenceKeeper = Annotated[Principal, Depends(requires("checklist.evidence"))]
Verifier = Annotated[Principal, Depends(requires("checklist.verify"))]

ITEM_PATH = "/desa/{kode}/ceklis/{kerangka}/{butir}"
QUEUE_PER_PAGE = 25
OUTCOME_FRAMEWORK = "desa-pmi-prosedural"  # the framework whose outcome item has a threshold


def _item_response(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    kerangka: str,
    butir: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    message: str = "",
    conflict: str = "",
    oob: bool = False,
    status_code: int = 200,
) -> Response:
    view = views.assessment_view(db, actor=user, village_code=kode, framework_slug=kerangka)
    context: dict[str, Any] = {
        "user": user,
        "view": view,
        "it": view.item(butir),
        "village_code": kode,
        "errors": errors or {},
        "values": values or {},
        "message": message,
        "conflict": conflict,
        "oob": oob,
    }
    return render(request, "checklist/item.html", context, block="item", status_code=status_code)


def _after_write(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    kerangka: str,
    butir: str,
    write: Callable[[], object],
    *,
    message: str,
    values: dict[str, str] | None = None,
    stale: str = STALE_ANSWER,
) -> Response:
    """Run the write (all of it or nothing: a savepoint); htmx gets the widget back (and the
    score out of band), others a 303. A stale form (someone saved the answer since it was
    opened, or at the same moment) comes back with 409, the input kept and the fresh state
    (htmx swaps 409, see base.html)."""

    def done(_: object) -> Response:
        if is_htmx(request):
            return _item_response(
                request, db, user, kode, kerangka, butir, message=message, oob=True
            )
        url = request.url_for("village_detail", kode=kode)
        return redirect(request, f"{url}#butir-{butir}")

    try:
        return submit(
            db,
            write,
            invalid=lambda errors: _item_response(
                request, db, user, kode, kerangka, butir, errors=errors, values=values, oob=True
            ),
            done=done,
        )
    except (Conflict, IntegrityError, StaleDataError) as exc:
        return _item_response(
            request, db, user, kode, kerangka, butir,
            conflict=exc.message if isinstance(exc, Conflict) else stale,
            values=values, oob=True, status_code=409,
        )  # fmt: skip


def _version(raw: str | None) -> int:
    """The version a form was opened on; a missing or malformed one counts as stale."""
    value = parse_int(raw)
    return -1 if value is None else value


@router.get(ITEM_PATH, name="checklist_item")
def checklist_item(
    request: Request, kode: str, kerangka: str, butir: str, db: DB, user: Reader
) -> Response:
    """One item: the widget for htmx, a page of its own without JavaScript."""
    return _item_response(request, db, user, kode, kerangka, butir)


@router.get(ITEM_PATH + "/penjelasan", name="checklist_item_about")
def checklist_item_about(
    request: Request, kode: str, kerangka: str, butir: str, db: DB, user: Reader
) -> Response:
    """What the item asks and why (description, duties, legal basis, sources, validity),
    fetched by the village page when opened. Without JavaScript: the item's own page."""
    if not is_htmx(request):
        return redirect(
            request, request.url_for("checklist_item", kode=kode, kerangka=kerangka, butir=butir)
        )
    view = views.assessment_view(db, actor=user, village_code=kode, framework_slug=kerangka)
    context = {"user": user, "view": view, "it": view.item(butir), "village_code": kode}
    return render(request, "checklist/_item_about.html", context)


@router.get(ITEM_PATH + "/formulir", name="checklist_item_form")
def checklist_item_form(
    request: Request,
    kode: str,
    kerangka: str,
    butir: str,
    db: DB,
    user: EvidenceKeeper,
    versi: Annotated[int | None, Query(ge=0, le=2_147_483_647)] = None,
) -> Response:
    """The item's answer form (the note form for a pendamping or a derived item), fetched by
    the village page when the item's form is opened. ``versi`` is the answer's version the
    page showed: the form carries it (the user decided to act on that page), so a save after
    someone else's change is 409 with the input kept, however late the form was opened; the
    form says so at once when the stored version differs. Without ``versi``: the version
    stored now. Without JavaScript: the item's own page, form included."""
    if not is_htmx(request):
        return redirect(
            request, request.url_for("checklist_item", kode=kode, kerangka=kerangka, butir=butir)
        )
    view = views.assessment_view(db, actor=user, village_code=kode, framework_slug=kerangka)
    it = view.item(butir)
    current = it.answer.version if it.answer is not None else 0
    context: dict[str, Any] = {
        "user": user,
        "view": view,
        "it": it,
        "village_code": kode,
        "changed_since": versi is not None and versi != current,
        "form_version": current if versi is None else versi,
    }
    return render(request, "checklist/_item_form.html", context)


@router.post(ITEM_PATH + "/jawaban", name="checklist_answer")
def checklist_answer(
    request: Request,
    kode: str,
    kerangka: str,
    butir: str,
    db: DB,
    user: Answerer,
    settings: AppSettings,
    posted: Multipart,
) -> Response:
    """Save status, reason, note and (if chosen) an evidence file in one go; "terpenuhi"/"tidak
    berlaku" go to the monitor. A bad file keeps the answer unsaved too."""
    form = posted.fields

    def write() -> None:
        services.answer_item(
            db,
            actor=user,
            village_code=kode,
            framework_slug=kerangka,
            item_key=butir,
            status=form.get("status", ""),
            not_applicable_reason=form.get("not_applicable_reason", ""),
            note=form.get("note", ""),
            figures={
                key.removeprefix(FIELD_PREFIX): value
                for key, value in form.items()
                if key.startswith(FIELD_PREFIX)
            },
            expected_version=_version(form.get("version")),
        )
        _attach(db, user, settings, kode, kerangka, butir, posted.file())

    message = "Jawaban dan bukti tersimpan." if posted.file()[0] else "Jawaban tersimpan."
    return _after_write(
        request, db, user, kode, kerangka, butir, write, message=message, values=form
    )


def _attach(
    db: DB,
    user: Principal,
    settings: Settings,
    kode: str,
    kerangka: str,
    butir: str,
    upload: tuple[str, bytes],
) -> None:
    filename, data = upload
    if not filename and not data:
        return
    services.add_evidence(
        db,
        actor=user,
        village_code=kode,
        framework_slug=kerangka,
        item_key=butir,
        data=data,
        filename=filename,
        root=settings.effective_upload_path,
        max_bytes=settings.max_upload_bytes,
    )


@router.post(ITEM_PATH + "/catatan", name="checklist_note")
def checklist_note(
    request: Request,
    kode: str,
    kerangka: str,
    butir: str,
    db: DB,
    user: EvidenceKeeper,
    settings: AppSettings,
    posted: Multipart,
) -> Response:
    """Change the note and (if chosen) add an evidence file: the pendamping's form."""
    form = posted.fields

    def write() -> None:
        services.set_note(
            db,
            actor=user,
            village_code=kode,
            framework_slug=kerangka,
            item_key=butir,
            note=form.get("note", ""),
            expected_version=_version(form.get("version")),
        )
        _attach(db, user, settings, kode, kerangka, butir, posted.file())

    message = "Catatan dan bukti tersimpan." if posted.file()[0] else "Catatan tersimpan."
    return _after_write(
        request, db, user, kode, kerangka, butir, write, message=message, values=form
    )


@router.post(ITEM_PATH + "/bukti", name="checklist_evidence_add")
def checklist_evidence_add(
    request: Request,
    kode: str,
    kerangka: str,
    butir: str,
    db: DB,
    user: EvidenceKeeper,
    settings: AppSettings,
    upload: Multipart,
) -> Response:
    """Attach an evidence file (PDF, JPEG or PNG)."""
    return _after_write(
        request,
        db,
        user,
        kode,
        kerangka,
        butir,
        lambda: services.add_evidence(
            db,
            actor=user,
            village_code=kode,
            framework_slug=kerangka,
            item_key=butir,
            data=upload.file()[1],
            filename=upload.file()[0],
            root=settings.effective_upload_path,
            max_bytes=settings.max_upload_bytes,
        ),
        message="Bukti ditambahkan.",
    )


@router.post(ITEM_PATH + "/bukti/{bukti}/hapus", name="checklist_evidence_remove")
def checklist_evidence_remove(
    request: Request,
    kode: str,
    kerangka: str,
    butir: str,
    bukti: int,
    db: DB,
    user: EvidenceKeeper,
) -> Response:
    """Detach an evidence file."""
    return _after_write(
        request,
        db,
        user,
        kode,
        kerangka,
        butir,
        lambda: services.remove_evidence(
            db,
            actor=user,
            village_code=kode,
            framework_slug=kerangka,
            item_key=butir,
            evidence_id=bukti,
        ),
        message="Bukti dihapus.",
    )


@router.get(ITEM_PATH + "/bukti/{bukti}", name="checklist_evidence_download")
def checklist_evidence_download(
    kode: str,
    kerangka: str,
    butir: str,
    bukti: int,
    db: DB,
    user: Reader,
    settings: AppSettings,
) -> Response:
    """Download an evidence file (always as an attachment)."""
    record = views.evidence_file(
        db,
        actor=user,
        village_code=kode,
        framework_slug=kerangka,
        item_key=butir,
        evidence_id=bukti,
    )
    return evidence_response(settings, record.file, filename=record.name)


@router.post(ITEM_PATH + "/verifikasi", name="checklist_verify")
def checklist_verify(
    request: Request,
    kode: str,
    kerangka: str,
    butir: str,
    db: DB,
    user: Verifier,
    form: FormData,
) -> Response:
    """The monitor's decision: diverifikasi, or ditolak with a reason the village reads."""
    decision = form.get("decision", "")
    return _after_write(
        request,
        db,
        user,
        kode,
        kerangka,
        butir,
        lambda: services.verify_item(
            db,
            actor=user,
            village_code=kode,
            framework_slug=kerangka,
            item_key=butir,
            decision=decision,
            reason=form.get("reason", ""),
            expected_version=_version(form.get("version")),
        ),
        message="Butir diverifikasi." if decision == "diverifikasi" else "Butir ditolak.",
        values=form,
        stale=STALE_VERIFICATION,
    )


@router.get("/verifikasi", name="checklist_queue")
def checklist_queue(
    request: Request,
    db: DB,
    user: Verifier,
    halaman: Annotated[int, Query(ge=1, le=100_000)] = 1,
    diverifikasi: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> Response:
    """Items waiting for verification across the monitor's scope, oldest first."""
    page = queue.list_waiting(db, actor=user, page=halaman, per_page=QUEUE_PER_PAGE)
    return render(
        request,
        "checklist/queue.html",
        {"user": user, "page": page, "verified": diverifikasi},
        block="results",
    )


async def _chosen_answers(request: Request) -> list[str]:
    """Every value of the repeated ``butir`` field of the queue's batch form."""
    form = await request.form()
    return [v for v in form.getlist("butir") if isinstance(v, str)]


@router.post("/verifikasi/sekaligus", name="checklist_verify_bulk")
def checklist_verify_bulk(
    request: Request,
    db: DB,
    user: Verifier,
    form: FormData,
    chosen: Annotated[list[str], Depends(_chosen_answers)],
) -> Response:
    """Verify the selected waiting answers at once (each recorded and audited on its own).

    Each row carries the version of the answer the monitor saw (``versi-<id>``): an answer
    changed since refuses the whole batch with 409, the choice kept."""
    ids: list[int] = []
    for raw in chosen:
        value = parse_int(raw, lo=1)
        if value is None:
            ids = []
            chosen = ["?"]
            break
        ids.append(value)
    versions = {i: _version(form.get(f"versi-{i}")) for i in ids}

    def write() -> int:
        if chosen and not ids:
            raise ValidationFailed({"butir": "Pilihan butir tidak valid."})
        done = queue.verify_many(
            db,
            actor=user,
            answer_ids=ids,
            evidence_checked=form.get("diperiksa") == "ya",
            versions=versions,
        )
        return len(done)

    def invalid(errors: dict[str, str], status_code: int = 422) -> Response:
        page = queue.list_waiting(db, actor=user, page=1, per_page=QUEUE_PER_PAGE)
        return render(
            request,
            "checklist/queue.html",
            {"user": user, "page": page, "errors": errors, "chosen": set(chosen)},
            status_code=status_code,
        )

    try:
        return submit(
            db,
            write,
            invalid=invalid,
            done=lambda count: redirect(
                request,
                request.url_for("checklist_queue").include_query_params(diverifikasi=count),
            ),
        )
    except (Conflict, StaleDataError) as exc:
        message = exc.message if isinstance(exc, Conflict) else STALE_VERIFICATION
        return invalid({"butir": message}, status_code=409)


def _thresholds_page(
    request: Request,
    db: DB,
    user: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    saved: str = "",
    conflict: str = "",
    status_code: int = 200,
) -> Response:
    rows = thresholds.thresholds_in_scope(db, actor=user, framework_slug=OUTCOME_FRAMEWORK)
    return render(
        request,
        "checklist/thresholds.html",
        {
            "user": user,
            "rows": rows,
            "values": values or {},
            "errors": errors or {},
            "saved": saved,
            "conflict": conflict,
        },
        status_code=status_code,
    )


@router.get("/verifikasi/ambang", name="checklist_thresholds")
def checklist_thresholds(
    request: Request,
    db: DB,
    user: Verifier,
    tersimpan: Annotated[str, Query(max_length=13)] = "",
) -> Response:
    """The outcome threshold of each kabupaten/kota in scope, and a form to set one."""
    return _thresholds_page(request, db, user, saved=tersimpan)


@router.post("/verifikasi/ambang", name="checklist_threshold_save")
def checklist_threshold_save(request: Request, db: DB, user: Verifier, form: FormData) -> Response:
    """Set or change one kabupaten/kota's threshold (the service validates and audits).

    The form carries the version of every threshold it shows (``versi-<kode>``; none for a
    kabupaten/kota not set yet): a threshold saved by someone else since answers 409, the
    input kept."""
    regency = form.get("regency", "")
    posted = {k: form.get(k, "") for k in ("regency", "percent", "note")}
    shown = form.get(f"versi-{regency}")
    try:
        return submit(
            db,
            lambda: thresholds.set_threshold(
                db,
                actor=user,
                regency_code=regency,
                framework_slug=OUTCOME_FRAMEWORK,
                percent=form.get("percent", ""),
                note=form.get("note", ""),
                expected_version=0 if shown is None else _version(shown),
            ),
            invalid=lambda errors: _thresholds_page(
                request, db, user, values=posted, errors=errors
            ),
            done=lambda _: redirect(
                request,
                request.url_for("checklist_thresholds").include_query_params(tersimpan=regency),
            ),
        )
    except NotFound:
        errors = {"regency": "Pilih kabupaten/kota di wilayah tugas Anda."}
        return _thresholds_page(request, db, user, values=posted, errors=errors, status_code=422)
    except Conflict as exc:
        return _thresholds_page(
            request, db, user, values=posted, conflict=exc.message, status_code=409
        )
