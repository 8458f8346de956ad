"""The home page per role: "Desa saya" for operators and pendamping, a monitor's own region."""

from datetime import timedelta

import holidays
from bs4 import BeautifulSoup

from perdes.accounts.principal import Principal
from perdes.drafting.workspace import services as drafts
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from tests.factories import LONTAR, SUSUKAN


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def test_operator_home_shows_his_village_and_one_next_action(client, db, regions):
    client.login_as(db, "operator")
    html = soup(client.get("/"))
    assert html.select_one("h1").text == "Desa saya"
    cards = html.select("[data-testid=home-village]")
    assert len(cards) == 1 and "Desa Lontar" in cards[0].select_one("h2").text
    assert "Belum mulai" in cards[0].select_one("[data-testid=home-stage]").text
    action = cards[0].select_one(".next-action a.button.big")
    assert action.text == "Buat rancangan Perdes"
    assert action["href"] == f"/desa/{LONTAR}/rancangan/baru"


def test_with_a_draft_the_home_offers_continue_word_pdf_and_print(client, db, regions):
    draft = drafts.create_draft(
        db,
        actor=Principal.system(),
        village_code=LONTAR,
        template_slug="pelindungan-pmi",
        values={"nama_kepala_desa": "Ahmad", "nama_sekretaris_desa": "Junaedi"},
        options={},
    )
    client.login_as(db, "operator")
    card = soup(client.get("/")).select_one("[data-testid=home-village]")
    assert card.select_one(".next-action a.big").text == "Lanjutkan rancangan"
    downloads = {a.text: a["href"] for a in card.select(".download-bar a")}
    assert downloads == {
        "Unduh Word": f"/rancangan/{draft.id}/revisi/1/docx",
        "PDF": f"/rancangan/{draft.id}/revisi/1/pdf",
        "Cetak": f"/rancangan/{draft.id}/revisi/1/cetak",
    }


def test_pendamping_sees_each_village_with_overdue_ones_first(client, db, regions):
    system = Principal.system()
    adoption = tracking.start_adoption(db, actor=system, village_code=SUSUKAN)
    tracking.record_step(
        db,
        actor=system,
        adoption_id=adoption.id,
        data={
            "stage": "direncanakan",
            "occurred_on": (local_today() - timedelta(days=60)).isoformat(),
        },
    )
    adoption.next_deadline_on = local_today() - timedelta(days=5)  # the stored read model
    db.flush()
    client.login_as(db, "pendamping")
    html = soup(client.get("/"))
    assert html.select_one("h1").text == "Desa dampingan saya"
    names = [c.select_one("h2").text.split()[1] for c in html.select("[data-testid=home-village]")]
    assert names == ["Susukan", "Lontar"]
    alert = html.select_one("[data-testid=overdue-alerts]")
    due, today = adoption.next_deadline_on, local_today()
    off = holidays.country_holidays("ID", years=range(due.year, today.year + 1))
    late = sum(
        1
        for n in range(1, (today - due).days + 1)
        if (day := due + timedelta(days=n)).weekday() < 5 and day not in off
    )  # deadlines count working days (PP 43/2014 Pasal 1 angka 13)
    assert "Desa Susukan" in alert.text
    assert (f"terlambat {late} hari kerja" if late else "hari libur") in alert.text
    # a pendamping does not draft: no "Buat rancangan" button
    assert not html.select(".next-action a.big")


def test_a_monitor_lands_on_his_own_region(client, db, regions):
    client.login_as(db, "pemantau", ("36.04",))
    first = client.get("/")
    assert first.status_code == 303 and first.headers["location"].endswith("/pemantauan/mulai")
    second = client.get(first.headers["location"])
    assert second.status_code == 303
    assert second.headers["location"].endswith("/pemantauan/wilayah/36.04")
    page = client.get(second.headers["location"])
    assert page.status_code == 200 and "Kabupaten Serang" in soup(page).select_one("h1").text


def test_admin_and_anonymous_homes(client, db, regions):
    anonymous = soup(client.get("/"))
    assert anonymous.select_one("a.button[href='/masuk']")
    client.login_as(db, "admin")
    assert soup(client.get("/")).select_one("form[role=search]")


def test_history_restore_gets_the_whole_page_not_a_fragment(client, db, regions):
    """htmx re-requests a page on a history-cache miss; a fragment would replace the body."""
    client.login_as(db, "operator")
    fragment = client.get("/desa?q=lontar", htmx=True)
    assert "<header" not in fragment.text
    restored = client.get(
        "/desa?q=lontar", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<header" in restored.text and "<main" in restored.text
