"""Shared by the register's route modules: the keyring dependency, the labels every register
template reads, the person's page, and the save-or-re-render step of its forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.errors import Conflict
from perdes.regions import services as regions
from perdes.register import basis, crypto
from perdes.register import figures as register_figures
from perdes.register import services as register
from perdes.register.models import DocumentKind
from perdes.register.rights import requests_of
from perdes.register.services import PersonView
from perdes.web.deps import DB, AppSettings
from perdes.web.forms import submit
from perdes.web.htmx import redirect, render


def keyring(settings: AppSettings) -> crypto.Keyring:
    return crypto.keyring_from_settings(settings)


Keys = Annotated[crypto.Keyring, Depends(keyring)]


def first_record(db: DB, village: regions.VillageView) -> dict[str, Any]:
    """For the forms that can write a village's first person (new person, import): whether
    the register is still empty, and the profile's typed PMI counts that the first person
    replaces with the register's (``register.figures.keeps_register``); the page warns."""
    empty = not register_figures.keeps_register(db, village_code=village.region.code)
    return {
        "first_record": empty,
        "typed_active": village.profile.pmi_active_count if empty else None,
        "typed_returned": village.profile.pmi_returned_count if empty else None,
    }


def labels() -> dict[str, Any]:
    return {
        "sex_labels": basis.SEX_LABELS,
        "channel_labels": basis.CHANNEL_LABELS,
        "document_labels": basis.DOCUMENT_LABELS,
        "document_status_labels": basis.DOCUMENT_STATUS_LABELS,
        "condition_labels": basis.CONDITION_LABELS,
        "case_status_labels": basis.CASE_STATUS_LABELS,
        "referral_labels": basis.REFERRAL_LABELS,
        "empowerment_labels": basis.EMPOWERMENT_LABELS,
        "request_labels": basis.REQUEST_LABELS,
        "request_status_labels": basis.REQUEST_STATUS_LABELS,
        "relation_labels": basis.RELATION_LABELS,
        "purpose_labels": {p.value: label for p, label in basis.PURPOSE_LABELS.items()},
        "stage_labels": register.STAGE_LABELS,
    }


def person_page(
    request: Request,
    db: DB,
    user: Principal,
    pid: str,
    keys: crypto.Keyring,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form_key: str = "",
    conflict: str = "",
    status_code: int = 200,
    recorded: bool = False,
) -> Response:
    """A person's page; a failed form re-renders it with its errors and its input;
    ``recorded``: just recorded, the page says so."""
    view: PersonView = register.read_person(db, actor=user, public_id=pid, keyring=keys)
    person = view.person
    village = regions.get_village(db, code=person.village_code, scope=user.scope)
    channel = person.consultations[-1].channel if person.consultations else None
    documents = {d.kind: d for d in person.documents}
    required = basis.REQUIRED_DOCUMENTS[channel] if channel else tuple(DocumentKind)
    verified = sum(1 for k in required if k in documents and documents[k].status.value == "sesuai")
    since = register.restricted_since(db, person=person)
    return render(
        request,
        "register/person.html",
        {
            "user": user,
            "village": village,
            "view": view,
            "person": person,
            "stage": register.stage_of(person),
            "channel": channel,
            "documents": documents,
            "required_documents": required,
            "verified_count": verified,
            "requests": requests_of(db, person=person) if view.full else [],
            "restricted_since": since,
            "restriction_lifted_on": (
                register.restriction_lifted_on(db, person=person)
                if view.full and since is None
                else None
            ),
            "legal_bases": basis.LEGAL_BASES,
            "errors": errors or {},
            "values": values or {},
            "form_key": form_key,
            "conflict": conflict,
            "recorded": recorded,
            **labels(),
        },
        status_code=status_code,
    )


def save_or_rerender(
    request: Request,
    db: DB,
    user: Principal,
    pid: str,
    keys: Keys,
    form: dict[str, str],
    form_key: str,
    write: Callable[[], object],
) -> Response:
    """An episode form's write through ``forms.submit`` (a savepoint: refused input leaves
    nothing written, 422 with the input kept); a stale version answers 409, input kept."""

    def invalid(errors: dict[str, str]) -> Response:
        return person_page(
            request, db, user, pid, keys, errors=errors, values=form, form_key=form_key,
            status_code=422,
        )  # fmt: skip

    def done(_: object) -> Response:
        return redirect(request, str(request.url_for("register_person", pid=pid)) + f"#{form_key}")

    try:
        return submit(db, write, invalid=invalid, done=done)
    except Conflict as exc:
        return person_page(
            request, db, user, pid, keys, values=form, form_key=form_key, conflict=exc.message,
            status_code=409,
        )  # fmt: skip
