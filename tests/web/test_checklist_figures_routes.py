"""Departure counts and the budget year as number fields of the answer form, shown on the item
and in the monitor's queue, compared with the kabupaten/kota threshold."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from perdes.checklist.models import ChecklistAnswer
from tests.factories import LONTAR, make_user
from tests.web.test_checklist_routes import opened

SLUG = "desa-pmi-prosedural"
OUTCOME = "keberangkatan-prosedural"
URL = f"/desa/{LONTAR}/ceklis/{SLUG}/{OUTCOME}"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture()
def v2(db, regions):
    return load_bundled(db, actor=Principal.system())[-1].row


def counts(known, matched, followed, status="terpenuhi"):
    return {
        "status": status,
        "figure_known": known,
        "figure_matched": matched,
        "figure_followed_up": followed,
        "version": "0",
    }


def stored(db):
    db.expire_all()
    return db.scalar(select(ChecklistAnswer).where(ChecklistAnswer.item_key == OUTCOME))


def test_the_operator_types_the_counts_in_number_fields_and_sees_the_result(client, db, v2):
    client.login(make_user(db, "operator", (LONTAR,)).username)
    item = opened(client, soup(client.get(f"/desa/{LONTAR}")), OUTCOME)
    fields = item.select("form[action$='/jawaban'] input[inputmode=numeric]")
    assert [f["name"] for f in fields] == ["figure_known", "figure_matched", "figure_followed_up"]
    assert "belum diisi" in item.select_one("[data-testid=outcome-check]").text
    response = client.post(URL + "/jawaban", counts("12", "10", "2"), htmx=True)
    assert response.status_code == 200
    widget = soup(response).select_one(f"#butir-{OUTCOME}")
    shown = {dd["data-figure"]: dd.text for dd in widget.select("[data-testid=figures] dd")}
    assert shown == {"known": "12", "matched": "10", "followed_up": "2"}
    check = widget.select_one("[data-testid=outcome-check]")
    assert check["data-met"] == "ya" and "semua 2 yang tidak cocok telah dilaporkan" in check.text
    assert widget.select_one("input[name=figure_known]")["value"] == "12"
    assert stored(db).figures == {"known": 12, "matched": 10, "followed_up": 2}


@pytest.mark.parametrize(
    "bad",
    ["", "-1", "²", "1e3", "100001", "99999999999999999999", "dua belas", "1\x00", "<b>1</b>"],
)
def test_bad_counts_get_422_with_the_input_kept_and_nothing_stored(client, db, v2, bad):
    client.login(make_user(db, "operator", (LONTAR,)).username)
    response = client.post(URL + "/jawaban", counts(bad, "0", "0"), htmx=True)
    assert response.status_code == 422
    widget = soup(response).select_one(f"#butir-{OUTCOME}")
    field = widget.select_one("input[name=figure_known]")
    assert field["aria-invalid"] == "true" and field["value"] == bad
    assert widget.select_one(f"#e-figure_known-{OUTCOME}").text.strip()
    assert "<b>1</b>" not in response.text
    assert stored(db) is None


def test_counts_that_do_not_meet_the_threshold_are_refused_as_terpenuhi(client, db, v2):
    monitor = make_user(db, "pemantau", ("36.04",))
    client.login(monitor.username)
    assert client.post("/verifikasi/ambang", {"regency": "36.04", "percent": "90"}).status_code
    client.login(make_user(db, "operator", (LONTAR,)).username)
    response = client.post(URL + "/jawaban", counts("10", "8", "0"), htmx=True)
    assert response.status_code == 422
    assert "di bawah ambang 90%" in soup(response).select_one(".field-error").text
    assert stored(db) is None


def test_the_monitor_sees_the_counts_and_the_result_in_the_queue_and_on_the_item(client, db, v2):
    monitor = make_user(db, "pemantau", ("36.04",))
    client.login(monitor.username)
    client.post("/verifikasi/ambang", {"regency": "36.04", "percent": "90"})
    operator = make_user(db, "operator", (LONTAR,))
    client.login(operator.username)
    assert client.post(URL + "/jawaban", counts("20", "19", "0")).status_code == 303
    client.post(URL + "/bukti", files={"file": ("rekap.pdf", PDF)})
    client.login(monitor.username)
    queue = soup(client.get("/verifikasi"))
    row = next(
        tr for tr in queue.select("tbody tr") if OUTCOME in tr.select_one("a.ck-queue-item")["href"]
    )
    figures = row.select_one("[data-testid=queue-figures]").text
    assert "Keberangkatan warga yang diketahui desa: 20" in figures
    assert "19 dari 20" in row.select_one("[data-testid=queue-outcome]").text
    assert "mencapai ambang 90%" in row.select_one("[data-testid=queue-outcome]").text
    item = soup(client.get(URL))
    assert item.select_one("[data-testid=outcome-check]")["data-met"] == "ya"
    assert item.select_one("form.ck-verify")
