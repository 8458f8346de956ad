"""The village profile form says where the PMI counts come from: a village keeping a register
shows them read-only, with the reason; other villages type them."""

from __future__ import annotations

from bs4 import BeautifulSoup

from perdes import pipeline
from tests.factories import LONTAR, SUSUKAN
from tests.register.conftest import come_back, consult, depart, make_person


def test_the_profile_form_shows_the_register_counts_read_only(client, db, regions, keyring):
    person = make_person(db, LONTAR, keyring=keyring)
    consult(db, person)
    depart(db, person)
    back = make_person(db, LONTAR, keyring=keyring)
    consult(db, back)
    depart(db, back)
    come_back(db, back)
    pipeline.settle(db)
    client.login_as(db, "operator", (LONTAR,))

    page = BeautifulSoup(client.get(f"/desa/{LONTAR}/profil").text, "html.parser")
    note = page.select_one("[data-testid=pmi-from-register]")
    assert note is not None and "dihitung dari register PMI desa" in note.get_text()
    assert note.select_one("a")["href"] == f"/desa/{LONTAR}/pmi"
    active, returned = (
        page.select_one("#f-pmi_active_count"),
        page.select_one("#f-pmi_returned_count"),
    )
    assert active.has_attr("readonly") and returned.has_attr("readonly")
    assert (active["value"], returned["value"]) == ("1", "1")

    # a typed number is not taken, and a refused save shows the register's counts again
    form = {i["name"]: i.get("value", "") for i in page.select("form input[name]")}
    refused = client.post(
        f"/desa/{LONTAR}/profil", {**form, "sebutan_desa": "", "pmi_active_count": "500"}
    )
    assert refused.status_code == 422
    again = BeautifulSoup(refused.text, "html.parser")
    assert again.select_one("#f-pmi_active_count")["value"] == "1"
    assert again.select_one("[data-testid=pmi-from-register]") is not None

    client.raw.cookies.clear()
    client.login_as(db, "operator", (SUSUKAN,))
    other = BeautifulSoup(client.get(f"/desa/{SUSUKAN}/profil").text, "html.parser")
    assert other.select_one("[data-testid=pmi-from-register]") is None
    assert not other.select_one("#f-pmi_active_count").has_attr("readonly")
