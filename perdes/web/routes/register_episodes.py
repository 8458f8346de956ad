"""A person's migration episodes in the register: consultation, document checks with scans,
the family-permission letter (DOCX), departure, return, cases, empowerment.

Every form posts to its own URL and, when refused, re-renders the person's page with that
form's errors and input (422), or with the conflict notice (409) for a stale version."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.errors import Conflict, NotFound, ValidationFailed
from perdes.files import StoredFile, check_upload, store_upload
from perdes.regions import services as regions
from perdes.register import basis, episodes
from perdes.register import services as register
from perdes.register.letter import LetterData, render_letter
from perdes.register.models import DocumentCheck, FamilyLetter
from perdes.register.retention import remove_files
from perdes.validation import parse_int
from perdes.web.deps import DB, AppSettings, FormData
from perdes.web.files import evidence_response
from perdes.web.forms import Multipart
from perdes.web.permissions import requires
from perdes.web.register_pages import Keys, save_or_rerender

router = APIRouter()

Recorder = Annotated[Principal, Depends(requires("register.record"))]
Exporter = Annotated[Principal, Depends(requires("register.export"))]


@router.post("/pmi/orang/{pid}/konsultasi", name="register_consultation_add")
def register_consultation_add(
    request: Request, pid: str, db: DB, user: Recorder, form: FormData, keys: Keys
) -> Response:
    return save_or_rerender(
        request, db, user, pid, keys, form, "konsultasi",
        lambda: episodes.record_consultation(db, actor=user, public_id=pid, data=form),
    )  # fmt: skip


@router.post("/pmi/orang/{pid}/dokumen", name="register_document_set")
def register_document_set(
    request: Request,
    pid: str,
    db: DB,
    user: Recorder,
    posted: Multipart,
    settings: AppSettings,
    keys: Keys,
) -> Response:
    """Set a document's status, with an optional scan (PDF/JPEG/PNG, checked by content).

    A scan stored for a refused or stale form is deleted again: no personal document stays
    on disk without its row."""
    form = posted.fields
    stored_now: list[Path] = []

    def write() -> None:
        person = register.writable_person(db, actor=user, public_id=pid)
        upload = posted.files.get("scan")
        file_id = None
        if upload is not None:
            check_upload(upload[1], max_bytes=settings.max_upload_bytes, field="scan")
            kind = form.get("kind", "")
            if kind not in basis.DOCUMENT_LABELS:  # refuse before storing anything
                raise ValidationFailed({"kind": "Pilih salah satu pilihan yang tersedia."})
            stored, existed = store_upload(
                db,
                root=settings.effective_upload_path,
                data=upload[1],
                # the file's own name may carry the person's name: never kept
                filename=f"pindaian-{kind}",
                uploaded_by_id=user.user_id,
                max_bytes=settings.max_upload_bytes,
                field="scan",
            )
            file_id = stored.id
            if not existed:
                stored_now.append(Path(stored.storage_name))
        assert person is not None
        episodes.set_document(db, actor=user, public_id=pid, data=form, stored_file_id=file_id)

    saved = False
    try:
        response = save_or_rerender(request, db, user, pid, keys, form, "dokumen", write)
        saved = response.status_code < 400
        return response
    finally:
        if not saved:  # the row was rolled back with the savepoint; the file goes too
            remove_files(settings.effective_upload_path, stored_now)


def _document(db: Session, user: Principal, pid: str, doc_id: int) -> tuple[Any, DocumentCheck]:
    person = register.find_person(db, actor=user, public_id=pid)
    user.require("register.export", person.village_code)
    doc = db.scalar(
        select(DocumentCheck).where(
            DocumentCheck.id == doc_id, DocumentCheck.person_id == person.id
        )
    )
    if doc is None or doc.stored_file_id is None:
        raise NotFound("Pindaian tidak ditemukan.")
    return person, doc


@router.get("/pmi/orang/{pid}/dokumen/{doc_id}/pindaian", name="register_document_scan")
def register_document_scan(
    request: Request, pid: str, doc_id: int, db: DB, user: Exporter, settings: AppSettings
) -> Response:
    """Download a document's scan (written to the access log)."""
    person, doc = _document(db, user, pid, doc_id)
    register.log_access(
        db, actor=user, village_code=person.village_code, person=person, action="pindaian",
        purpose=basis.Purpose.VERIFIKASI,
    )  # fmt: skip
    stored = db.get(StoredFile, doc.stored_file_id)
    if stored is None:
        raise NotFound("Pindaian tidak ditemukan.")
    extension = stored.storage_name.rsplit(".", 1)[-1]
    return evidence_response(settings, stored, filename=f"pindaian-{doc.kind.value}.{extension}")


@router.post("/pmi/orang/{pid}/surat", name="register_letter_add")
def register_letter_add(
    request: Request, pid: str, db: DB, user: Recorder, form: FormData, keys: Keys
) -> Response:
    return save_or_rerender(
        request, db, user, pid, keys, form, "surat",
        lambda: episodes.issue_letter(db, actor=user, public_id=pid, data=form),
    )  # fmt: skip


@router.get("/pmi/orang/{pid}/surat/{letter_id}", name="register_letter_docx")
def register_letter_docx(
    request: Request, pid: str, letter_id: int, db: DB, user: Exporter, keys: Keys
) -> Response:
    """The surat izin keluarga as DOCX for the Kepala Desa (written to the access log)."""
    view = register.read_person(
        db, actor=user, public_id=pid, keyring=keys, purpose=basis.Purpose.SURAT_IZIN,
        action="surat",
    )  # fmt: skip
    person = view.person
    user.require("register.export", person.village_code)
    since = register.restricted_since(db, person=person)
    if since is not None:  # printing the letter is processing for the objected purpose
        raise Conflict(register.restriction_message(since))
    letter = next((item for item in person.letters if item.id == letter_id), None)
    if letter is None:
        raise NotFound("Surat tidak ditemukan.")
    consultation = next(c for c in person.consultations if c.id == letter.consultation_id)
    village = regions.get_village(db, code=person.village_code, scope=user.scope)
    data = _letter_data(view, letter, consultation.held_on, consultation.channel, village)
    return Response(
        render_letter(data),
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={
            "Content-Disposition": f'attachment; filename="surat-izin-keluarga-{letter.id}.docx"'
        },
    )


def _letter_data(
    view: register.PersonView, letter: FamilyLetter, held_on: Any, channel: Any, village: Any
) -> LetterData:
    person = view.person
    return LetterData(
        number=letter.number,
        issued_on=letter.issued_on,
        granted_by_name=letter.granted_by_name,
        granted_by_relation=basis.RELATION_LABELS.get(letter.granted_by_relation, ""),
        person_name=person.name,
        nik=view.nik,
        sex_label=basis.SEX_LABELS[person.sex],
        birth_on=person.birth_on,
        address=person.address,
        rt=person.rt,
        rw=person.rw,
        village_label=f"{village.profile.sebutan_desa or 'Desa'} {village.region.name}",
        district_name=village.district.name,
        regency_name=village.regency.name,
        destination_country=letter.destination_country,
        channel_label=basis.CHANNEL_LABELS[channel],
        consultation_on=held_on,
        kepala_desa_title=village.profile.sebutan_kepala_desa or "Kepala Desa",
        kepala_desa_name=village.profile.kepala_desa_name,
    )


@router.post("/pmi/orang/{pid}/berangkat", name="register_departure_add")
def register_departure_add(
    request: Request, pid: str, db: DB, user: Recorder, form: FormData, keys: Keys
) -> Response:
    return save_or_rerender(
        request, db, user, pid, keys, form, "berangkat",
        lambda: episodes.record_departure(db, actor=user, public_id=pid, data=form),
    )  # fmt: skip


@router.post("/pmi/orang/{pid}/kembali", name="register_return_add")
def register_return_add(
    request: Request, pid: str, db: DB, user: Recorder, form: FormData, keys: Keys
) -> Response:
    return save_or_rerender(
        request, db, user, pid, keys, form, "kembali",
        lambda: episodes.record_return(db, actor=user, public_id=pid, data=form),
    )  # fmt: skip


@router.post("/pmi/orang/{pid}/kasus", name="register_case_add")
def register_case_add(
    request: Request, pid: str, db: DB, user: Recorder, form: FormData, keys: Keys
) -> Response:
    return save_or_rerender(
        request, db, user, pid, keys, form, "kasus",
        lambda: episodes.open_case(db, actor=user, public_id=pid, data=form),
    )  # fmt: skip


@router.post("/pmi/orang/{pid}/kasus/{case_id}", name="register_case_update")
def register_case_update(
    request: Request, pid: str, case_id: int, db: DB, user: Recorder, form: FormData, keys: Keys
) -> Response:
    return save_or_rerender(
        request, db, user, pid, keys, form, f"kasus-{case_id}",
        lambda: episodes.update_case(
            db, actor=user, public_id=pid, case_id=case_id, data=form,
            expected_version=parse_int(form.get("version", "")),
        ),
    )  # fmt: skip


@router.post("/pmi/orang/{pid}/pemberdayaan", name="register_empowerment_add")
def register_empowerment_add(
    request: Request, pid: str, db: DB, user: Recorder, form: FormData, keys: Keys
) -> Response:
    return save_or_rerender(
        request, db, user, pid, keys, form, "pemberdayaan",
        lambda: episodes.record_empowerment(db, actor=user, public_id=pid, data=form),
    )  # fmt: skip
