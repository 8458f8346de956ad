"""Monitors see register counts per region; below the kecamatan small counts are "< 5"."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup

from perdes import pipeline
from perdes.accounts.services import principal_for
from perdes.errors import NotFound, OutOfScope
from perdes.monitoring.register import region_table
from perdes.register.suppression import HIDDEN_LABEL
from tests.factories import LONTAR, PONTANG, SUSUKAN, make_user
from tests.register.conftest import consult, depart, make_person, verify_all

TIRTAYASA = "36.04.13"


def fill(db, keyring, village, n, *, procedural=True, verified=False):
    people = []
    for i in range(n):
        person = make_person(db, village, keyring=keyring, name=f"Nama Rahasia {village} {i}")
        consult(db, person)
        if verified:
            verify_all(db, person)
        depart(db, person, procedural=procedural)
        people.append(person)
    pipeline.settle(db)
    return people


@pytest.fixture()
def serang(db, regions, keyring):
    """Lontar: 12 departures (9 procedural); Susukan: 3; Pontang (another kecamatan): 6."""
    fill(db, keyring, LONTAR, 9, verified=True)
    fill(db, keyring, LONTAR, 3, procedural=False)
    fill(db, keyring, SUSUKAN, 3)
    fill(db, keyring, PONTANG, 6)


def monitor(db):
    return principal_for(make_user(db, "pemantau"))


def cells(row):
    return {c: cell.value for c, cell in row.cells.items()}


def test_kabupaten_rows_are_exact_kecamatan_sums(db, serang):
    table = region_table(db, actor=monitor(db), code="36.04")
    rows = {r.code: r for r in table.rows}
    assert cells(rows[TIRTAYASA])["departures"] == 15
    assert cells(rows[TIRTAYASA])["departures_procedural"] == 12
    assert rows[TIRTAYASA].procedural_share == 80
    assert cells(rows[PONTANG[:8]])["departures"] == 6
    assert cells(table.total)["departures"] == 21 and not table.suppressed
    national = region_table(db, actor=monitor(db), code=None)
    assert [r.code for r in national.rows] == ["36"]
    assert cells(national.total)["consultations"] == 21


def test_villages_below_five_are_hidden_and_cannot_be_recovered(db, serang):
    table = region_table(db, actor=monitor(db), code=TIRTAYASA)
    assert table.suppressed
    rows = {r.code: r for r in table.rows}
    # Susukan's 3 departures are "< 5"; Lontar's 12 would give them away (15 - 12): hidden.
    assert rows[SUSUKAN].cells["departures"].label == HIDDEN_LABEL
    assert rows[LONTAR].cells["departures"].hidden
    assert cells(table.total)["departures"] == 15, "the kecamatan total stays exact"
    # Lontar: 12 departures, 3 not procedural: the procedural count (9) would reveal the 3.
    assert rows[LONTAR].cells["departures_procedural"].hidden
    assert rows[LONTAR].procedural_share is None
    assert rows[LONTAR].share_label() == "–"


def test_a_village_code_or_a_region_out_of_reach_is_not_found(db, serang):
    with pytest.raises(NotFound):
        region_table(db, actor=monitor(db), code=LONTAR)
    with pytest.raises(NotFound):
        region_table(db, actor=monitor(db), code="32.12")  # Indramayu: outside 36.04
    with pytest.raises(OutOfScope):
        region_table(db, actor=principal_for(make_user(db, "operator")), code=TIRTAYASA)


def test_page_export_and_api_show_the_same_suppressed_cells(client, db, serang):
    client.login_as(db, "pemantau")
    page = client.get(f"/pemantauan/register/wilayah/{TIRTAYASA}")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    susukan = soup.select_one(f'[data-testid=register-figures] tr[data-code="{SUSUKAN}"]')
    assert HIDDEN_LABEL in susukan.get_text()
    total = soup.select_one('[data-testid=register-figures] tr[data-code="total"]')
    assert "15" in total.get_text()
    assert "Nama Rahasia" not in page.text

    exported = client.get(f"/pemantauan/register.csv?wilayah={TIRTAYASA}")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code[SUSUKAN][3] == HIDDEN_LABEL and by_code[LONTAR][3] == HIDDEN_LABEL
    assert rows[-1][3] == "15"

    api = client.get("/api/v1/register/figures", params={"region": TIRTAYASA})
    assert api.status_code == 200
    body = api.json()
    assert body["suppressed"] is True
    susukan_api = next(r for r in body["rows"] if r["code"] == SUSUKAN)
    assert susukan_api["departures"] == HIDDEN_LABEL
    assert body["total"]["departures"] == 15
    assert "Nama Rahasia" not in api.text


@pytest.mark.parametrize(
    "url",
    [
        f"/pemantauan/register/wilayah/{LONTAR}",
        f"/pemantauan/register.csv?wilayah={LONTAR}",
        f"/api/v1/register/figures?region={LONTAR}",
        "/pemantauan/register/wilayah/32.12",
        "/pemantauan/register.pdf",
    ],
)
def test_a_monitor_asking_for_a_village_gets_404(client, db, serang, url):
    client.login_as(db, "pemantau")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/register/figures?region=<script>",
        "/api/v1/register/figures?region=36.04%00",
        "/pemantauan/register.csv?wilayah=" + "9" * 40,
    ],
)
def test_bad_region_codes_are_refused(client, db, serang, url):
    client.login_as(db, "pemantau")
    assert client.get(url).status_code in {404, 422}


def test_village_roles_may_not_see_the_monitoring_figures(client, db, serang):
    client.login_as(db, "operator")
    assert client.get("/pemantauan/register").status_code == 403


def test_the_village_page_and_api_hide_small_register_counts_from_outsiders(client, db, serang):
    # Susukan: 3 persons abroad, counted by its register.
    client.login_as(db, "pemantau")
    page = BeautifulSoup(client.get(f"/desa/{SUSUKAN}").text, "html.parser")
    assert page.select_one("[data-field=pmi_active_count]").get_text() == HIDDEN_LABEL
    api = client.get(f"/api/v1/villages/{SUSUKAN}").json()["profile"]
    assert (api["pmi_active_count"], api["pmi_counts_from_register"]) == (HIDDEN_LABEL, True)
    lontar = client.get(f"/api/v1/villages/{LONTAR}").json()["profile"]
    assert lontar["pmi_active_count"] == 12, "5 or more is shown"
    client.login_as(db, "operator", (SUSUKAN,))
    own = BeautifulSoup(client.get(f"/desa/{SUSUKAN}").text, "html.parser")
    assert own.select_one("[data-field=pmi_active_count]").get_text() == "3"
