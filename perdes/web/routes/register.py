"""The village PMI register: the village's list, finding by name or NIK, recording and
correcting a person, and a person's page (every opening written to the access log).

Personal data never enters a URL: persons are addressed by an opaque id, and the search form
(which may carry a NIK) is posted, never sent as a query string."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.errors import Conflict
from perdes.regions import services as regions
from perdes.register import services as register
from perdes.validation import parse_int
from perdes.web.deps import DB, FormData
from perdes.web.forms import submit
from perdes.web.htmx import redirect, render
from perdes.web.permissions import requires
from perdes.web.register_pages import Keys, first_record, labels, person_page

router = APIRouter()
_NIK_LIKE = re.compile(r"\s*[0-9]{16}\s*")

Viewer = Annotated[Principal, Depends(requires("register.view"))]
Lister = Annotated[Principal, Depends(requires("register.list"))]
Recorder = Annotated[Principal, Depends(requires("register.record"))]


def _index(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    *,
    name: str = "",
    message: str = "",
    status_code: int = 200,
) -> Response:
    village = regions.get_village(db, code=kode, scope=user.scope)
    page = parse_int(request.query_params.get("halaman", "1"), lo=1, hi=100_000) or 1
    persons = register.list_persons(db, actor=user, village_code=kode, name=name, page=page)
    return render(
        request,
        "register/index.html",
        {
            "user": user,
            "village": village,
            "persons": persons,
            "search": name,
            "message": message,
            **labels(),
        },
        status_code=status_code,
    )


@router.get("/desa/{kode}/pmi", name="register_index")
def register_index(request: Request, kode: str, db: DB, user: Lister) -> Response:
    """The village's register (names for its staff; a consented summary for a pendamping)."""
    return _index(request, db, user, kode)


@router.post("/desa/{kode}/pmi/cari", name="register_search")
def register_search(
    request: Request, kode: str, db: DB, user: Lister, form: FormData, keys: Keys
) -> Response:
    """Find by name, or open a person by NIK (posted, so the NIK stays out of URLs and logs)."""
    query = form.get("q", "")
    if _NIK_LIKE.fullmatch(query):
        if not user.can("register.record", kode):
            return _index(request, db, user, kode, message="Pencarian NIK hanya untuk petugas.")
        public_id = register.find_by_nik(
            db, actor=user, village_code=kode, nik_value=query, keyring=keys
        )
        if public_id is None:
            return _index(request, db, user, kode, message="NIK tidak ditemukan di register desa.")
        return redirect(request, request.url_for("register_person", pid=public_id))
    name = query.strip()[:100]
    return _index(request, db, user, kode, name=name)


def _person_form(
    request: Request,
    db: DB,
    user: Principal,
    kode: str,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    conflict: str = "",
    pid: str = "",
    status_code: int = 200,
) -> Response:
    village = regions.get_village(db, code=kode, scope=user.scope)
    return render(
        request,
        "register/person_form.html",
        {
            "user": user,
            "village": village,
            "values": values,
            "errors": errors or {},
            "conflict": conflict,
            "pid": pid,
            **(first_record(db, village) if not pid else {"first_record": False}),
            **labels(),
        },
        status_code=status_code,
    )


@router.get("/desa/{kode}/pmi/baru", name="register_person_new")
def register_person_new(request: Request, kode: str, db: DB, user: Recorder) -> Response:
    user.require("register.record", kode)
    return _person_form(request, db, user, kode, values={})


@router.post("/desa/{kode}/pmi/baru", name="register_person_create")
def register_person_create(
    request: Request, kode: str, db: DB, user: Recorder, form: FormData, keys: Keys
) -> Response:
    """Record a person; bad input (or a NIK already recorded) re-renders the form, 422."""
    regions.get_village(db, code=kode, scope=user.scope)
    return submit(
        db,
        lambda: register.create_person(db, actor=user, village_code=kode, data=form, keyring=keys),
        invalid=lambda errors: _person_form(request, db, user, kode, values=form, errors=errors),
        done=lambda person: redirect(
            request,
            request.url_for("register_person", pid=person.public_id).include_query_params(
                tercatat=1
            ),
        ),
    )


@router.get("/pmi/orang/{pid}/ubah", name="register_person_edit")
def register_person_edit(
    request: Request, pid: str, db: DB, user: Recorder, keys: Keys
) -> Response:
    view = register.read_person(db, actor=user, public_id=pid, keyring=keys)
    user.require("register.record", view.person.village_code)
    values = register.person_form_values(view)
    return _person_form(request, db, user, view.person.village_code, values=values, pid=pid)


@router.post("/pmi/orang/{pid}/ubah", name="register_person_update")
def register_person_update(
    request: Request, pid: str, db: DB, user: Recorder, form: FormData, keys: Keys
) -> Response:
    """Save corrections; a stale form is 409 with the input kept, bad input 422."""
    person = register.find_person(db, actor=user, public_id=pid)
    kode = person.village_code

    def again(errors: dict[str, str], conflict: str = "") -> Response:
        return _person_form(
            request, db, user, kode, values=form, pid=pid, errors=errors, conflict=conflict
        )

    try:
        return submit(
            db,
            lambda: register.update_person(
                db,
                actor=user,
                public_id=pid,
                data=form,
                expected_version=parse_int(form.get("version", "")),
                keyring=keys,
            ),
            invalid=again,
            done=lambda _: redirect(request, request.url_for("register_person", pid=pid)),
        )
    except Conflict as exc:
        response = again({}, exc.message)
        response.status_code = 409
        return response


@router.get("/pmi/orang/{pid}", name="register_person")
def register_person(
    request: Request,
    pid: str,
    db: DB,
    user: Viewer,
    keys: Keys,
    tercatat: Annotated[int | None, Query(ge=1, le=1)] = None,
) -> Response:
    """A person's record: 404 for anyone who may not see it (monitors and admins always).
    ``?tercatat=1``: the page right after recording the person says so."""
    return person_page(request, db, user, pid, keys, recorded=tercatat == 1)
