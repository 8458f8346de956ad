"""The outcome-threshold page (/verifikasi/ambang): the monitor's office sets the share of
matched departures per kabupaten/kota in its scope; the outcome item shows it."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from perdes.checklist.thresholds import OutcomeThreshold
from tests.factories import LONTAR, make_user

PAGE = "/verifikasi/ambang"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture()
def v2(db, regions):
    return load_bundled(db, actor=Principal.system())[-1].row


@pytest.fixture()
def monitor(client, db, v2):
    user = make_user(db, "pemantau", ("36.04",))
    user.full_name = "Rina Pemantau"
    db.flush()
    client.login(user.username)
    return user


def rows(db) -> list[tuple[str, int, str]]:
    return [
        (t.regency_code, t.min_matched_percent, t.note)
        for t in db.scalars(select(OutcomeThreshold)).all()
    ]


def test_monitor_sets_and_changes_the_threshold_and_the_item_shows_it(client, db, monitor):
    queue = soup(client.get("/verifikasi"))
    assert queue.select_one("[data-testid=thresholds-link]")["href"] == PAGE
    page = soup(client.get(PAGE))
    assert page.select_one("form[method=post] input[name=csrf_token]") is not None
    row = page.select_one("tr[data-regency='36.04']")
    assert "belum ditetapkan" in row.text
    assert [o["value"] for o in page.select("#f-regency option") if o["value"]] == ["36.04"]

    sent = client.post(PAGE, {"regency": "36.04", "percent": "90", "note": "Surat BP3MI Banten"})
    assert sent.status_code == 303
    assert rows(db) == [("36.04", 90, "Surat BP3MI Banten")]
    row = soup(client.get(PAGE)).select_one("tr[data-regency='36.04']")
    assert "90%" in row.text and "Rina Pemantau" in row.text and "Surat BP3MI Banten" in row.text

    shown = soup(client.get(PAGE)).select_one("input[name='versi-36.04']")["value"]
    again = {"regency": "36.04", "percent": " 95 ", "versi-36.04": shown}
    assert client.post(PAGE, again).status_code == 303
    assert rows(db) == [("36.04", 95, "")]

    operator = make_user(db, "operator", (LONTAR,))
    client.login(operator.username)
    village = soup(client.get(f"/desa/{LONTAR}"))
    shown = village.select_one("#butir-keberangkatan-prosedural [data-testid=threshold]").text
    assert "sekurang-kurangnya 95%" in shown and "Rina Pemantau" in shown


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"regency": "36.04", "percent": ""}, "percent"),
        ({"regency": "36.04", "percent": "sembilan puluh"}, "percent"),
        ({"regency": "36.04", "percent": "12.5"}, "percent"),
        ({"regency": "36.04", "percent": "101"}, "percent"),
        ({"regency": "36.04", "percent": "-1"}, "percent"),
        ({"regency": "36.04", "percent": "9\x000"}, "percent"),
        ({"regency": "36.04", "percent": "²"}, "percent"),  # isdigit() but not a number
        ({"regency": "36.04", "percent": "٩٠"}, "percent"),  # non-ASCII digits
        ({"regency": "36.04", "percent": "90", "note": "baris\x00kontrol"}, "note"),
        ({"regency": "36.04", "percent": "90", "note": "x" * 501}, "note"),
        ({"regency": "", "percent": "90"}, "regency"),
        ({"regency": "32.12", "percent": "90"}, "regency"),  # Indramayu: outside the scope
        ({"regency": "36.04.13", "percent": "90"}, "regency"),  # a kecamatan, not a regency
    ],
)
def test_bad_input_gets_422_with_the_field_marked_and_writes_nothing(
    client, db, monitor, form, field
):
    sent = client.post(PAGE, form)
    assert sent.status_code == 422
    page = soup(sent)
    assert page.select_one(f"#e-{field}").text.strip()
    assert page.select_one(f"#f-{field}")["aria-invalid"] == "true"
    assert rows(db) == []


def test_a_monitor_of_another_regency_cannot_set_this_one(client, db, v2):
    elsewhere = make_user(db, "pemantau", ("32.12",))
    client.login(elsewhere.username)
    page = soup(client.get(PAGE))
    assert page.select_one("tr[data-regency='36.04']") is None
    assert client.post(PAGE, {"regency": "36.04", "percent": "90"}).status_code == 422
    assert rows(db) == []


@pytest.mark.parametrize("role", ["operator", "pendamping"])
def test_village_roles_are_refused(client, db, v2, role):
    user = make_user(db, role, (LONTAR,))
    client.login(user.username)
    assert client.get(PAGE).status_code in (403, 404)
    assert client.post(PAGE, {"regency": "36.04", "percent": "90"}).status_code in (403, 404)
    assert rows(db) == []


def test_a_stale_threshold_form_gets_409_with_the_input_kept_and_changes_nothing(
    client, db, monitor
):
    """Two monitors open the page; the first sets 90 %; the second's 80 % is refused."""
    opened = soup(client.get(PAGE))
    assert opened.select_one("input[name='versi-36.04']") is None  # not set yet: version 0
    assert client.post(PAGE, {"regency": "36.04", "percent": "90"}).status_code == 303
    stale = {"regency": "36.04", "percent": "80", "note": "Surat lama"}
    response = client.post(PAGE, stale)  # the page it came from showed no threshold
    assert response.status_code == 409
    page = soup(response)
    assert "diubah oleh pengguna lain" in page.select_one("[data-testid=conflict]").text
    assert page.select_one("#f-percent")["value"] == "80"
    assert "Surat lama" in page.select_one("#f-note").text
    assert "90%" in page.select_one("tr[data-regency='36.04']").text
    assert rows(db) == [("36.04", 90, "")]
    shown = page.select_one("input[name='versi-36.04']")["value"]
    old = {**stale, "versi-36.04": str(int(shown) - 1)}
    assert client.post(PAGE, old).status_code == 409
    assert client.post(PAGE, {**stale, "versi-36.04": "²"}).status_code == 409
    assert rows(db) == [("36.04", 90, "")]
    assert client.post(PAGE, {**stale, "versi-36.04": shown}).status_code == 303
    assert rows(db) == [("36.04", 80, "Surat lama")]
