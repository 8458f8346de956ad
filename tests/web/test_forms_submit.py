"""``web.forms.submit``: a form's write is all or nothing, refused input answers 422 with the
form the route renders, and only a successful write reaches ``done``."""

from __future__ import annotations

import pytest
from fastapi.responses import Response
from sqlalchemy import select

from perdes.errors import Conflict, ValidationFailed
from perdes.regions.models import Region, RegionLevel
from perdes.web.forms import submit


def _province(db, code: str) -> Region:
    region = Region(code=code, name=f"Provinsi {code}", level=RegionLevel.PROVINSI,
                    province_code=code)  # fmt: skip
    db.add(region)
    db.flush()
    return region


def _stored(db, code: str) -> bool:
    return db.scalar(select(Region.code).where(Region.code == code)) is not None


def test_refused_input_leaves_nothing_written_and_answers_422_with_the_form(db):
    seen: list[dict[str, str]] = []

    def write() -> Region:
        _province(db, "97")  # written (and flushed) before the refusal
        raise ValidationFailed({"name": "Nama wajib diisi."})

    def invalid(errors: dict[str, str]) -> Response:
        seen.append(errors)
        return Response("form again", status_code=200)

    response = submit(db, write, invalid=invalid, done=lambda _: pytest.fail("not done"))
    assert response.status_code == 422
    assert response.body == b"form again"
    assert seen == [{"name": "Nama wajib diisi."}]
    assert not _stored(db, "97")


def test_a_successful_write_is_kept_and_done_gets_its_result(db):
    response = submit(
        db,
        lambda: _province(db, "98"),
        invalid=lambda errors: pytest.fail(f"refused: {errors}"),
        done=lambda region: Response(region.name, status_code=303),
    )
    assert response.status_code == 303
    assert response.body == b"Provinsi 98"
    assert _stored(db, "98")


def test_other_errors_pass_through_and_roll_the_write_back(db):
    def write() -> None:
        _province(db, "99")
        raise Conflict("Sudah disimpan orang lain.")

    with pytest.raises(Conflict):
        submit(db, write, invalid=lambda e: Response(), done=lambda _: Response())
    assert not _stored(db, "99")
