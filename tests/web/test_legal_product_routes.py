"""The four kinds of legal products through the tracker pages: starting each kind, its own
steps, amend/repeal links (bad ones re-render with 422), after-the-fact records with a scan."""

from __future__ import annotations

from datetime import date, timedelta

from bs4 import BeautifulSoup

from perdes.accounts.services import principal_for
from perdes.tracking import queries, services
from perdes.tracking.deadlines import local_today
from perdes.tracking.stages import Stage
from tests.factories import LONTAR, PONTANG, SUSUKAN, make_user
from tests.tracking.helpers import PDF

ON = local_today() - timedelta(days=30)


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def _articles(response):
    return {a["data-kind"]: a for a in soup(response).select("article.adoption")}


def _ids(db):
    admin = principal_for(make_user(db, "admin", username="admin.ids"))
    views = queries.village_tracker(db, actor=admin, village_code=LONTAR).adoptions
    return {v.adoption.title: v.adoption for v in views}


def test_operator_records_a_perkades_without_the_bpd_steps(client, db, regions):
    client.login_as(db, "operator")
    page = client.get(f"/desa/{LONTAR}")
    options = [o["value"] for o in soup(page).select("#start-kind option")]
    assert options == ["perdes", "peraturan_bersama", "perkades", "kepdes"]
    started = client.post(
        f"/desa/{LONTAR}/perdes",
        {"kind": "perkades", "title": "Tata Cara Pendataan PMI"},
        htmx=True,
    )
    assert started.status_code == 200 and "Pencatatan produk hukum dimulai." in started.text
    article = _articles(started)["perkades"]
    assert article.select_one("h3").text == "Peraturan Kepala Desa tentang Tata Cara Pendataan PMI"
    adoption = _ids(db)["Tata Cara Pendataan PMI"]
    url = f"/desa/{LONTAR}/perdes/{adoption.id}/langkah"
    client.post(url, {"stage": "penyusunan", "occurred_on": ON.isoformat()}, htmx=True)
    after = client.post(
        url, {"stage": "ditetapkan", "occurred_on": ON.isoformat(), "perdes_number": "3"},
        htmx=True,
    )  # fmt: skip
    article = _articles(after)["perkades"]
    stages = [
        f.select_one("input[name=stage]")["value"]
        for f in article.select("form[data-testid=step-form]")
    ]
    assert stages == ["diundangkan"]
    labels = [lbl.text for lbl in article.select("form[data-testid=step-form] label")]
    assert any("Nomor Berita Desa" in t for t in labels)
    assert not any("Lembaran Desa" in t for t in labels)
    bad = client.post(
        url, {"stage": "disepakati", "occurred_on": ON.isoformat(), "berita_acara_number": "1"},
        htmx=True,
    )  # fmt: skip
    assert bad.status_code == 422 and "Periksa kembali" in bad.text
    # A Perkades in progress does not block a new Peraturan Desa.
    assert "perdes" in [o["value"] for o in soup(after).select("#start-kind option")]


def test_bad_kind_and_partners_re_render_with_422(client, db, regions):
    client.login_as(db, "operator")
    bad = client.post(f"/desa/{LONTAR}/perdes", {"kind": "<script>", "title": "X"}, htmx=True)
    assert bad.status_code == 422 and "Pilih jenis produk hukum." in bad.text
    assert "<script>" not in bad.text
    bad = client.post(
        f"/desa/{LONTAR}/perdes",
        {"kind": "peraturan_bersama", "title": "Kerja sama", "partner_codes": ""},
        htmx=True,
    )
    assert bad.status_code == 422 and "desa mitra" in bad.text


def _published_perkades(db, actor, title, number):
    a = services.start_adoption(db, actor=actor, village_code=LONTAR, kind="perkades", title=title)
    for stage, fields in (
        (Stage.PENYUSUNAN, {}),
        (Stage.DITETAPKAN, {"perdes_number": number}),
        (Stage.DIUNDANGKAN, {"berita_desa_number": number}),
    ):
        data = {"stage": stage.value, "occurred_on": ON.isoformat(), **fields}
        services.record_step(db, actor=actor, adoption_id=a.id, data=data)
    return a


def test_links_through_the_page(client, db, regions):
    admin = principal_for(make_user(db, "admin", username="admin.tautan"))
    old = _published_perkades(db, admin, "Lama", "1")
    new = _published_perkades(db, admin, "Baru", "2")
    other = services.start_adoption(
        db, actor=admin, village_code=PONTANG, kind="perkades", title="Pontang"
    )
    client.login_as(db, "operator")
    url = f"/desa/{LONTAR}/perdes/{new.id}/tautan"
    for target, kind, message in (
        (new.id, "mencabut", "dirinya sendiri"),
        (other.id, "mencabut", "tidak ditemukan di desa ini"),
        ("1; DROP TABLE adoption", "mencabut", "tidak ditemukan"),
        (old.id, "menghapus", "Pilih mengubah atau mencabut."),
    ):
        bad = client.post(url, {"target_id": str(target), "kind": kind}, htmx=True)
        assert bad.status_code == 422 and message in bad.text, (target, kind)
    ok = client.post(url, {"target_id": str(old.id), "kind": "mencabut"}, htmx=True)
    assert ok.status_code == 200
    shown = [" ".join(li.get_text(" ").split()) for li in soup(ok).select("[data-testid=links] li")]
    assert any(
        t.startswith("Mencabut Peraturan Kepala Desa Nomor 1 tentang Lama") for t in shown
    ), shown
    assert any(
        t.startswith("Dicabut dengan Peraturan Kepala Desa Nomor 2 tentang Baru") for t in shown
    )
    cycle = client.post(
        f"/desa/{LONTAR}/perdes/{old.id}/tautan", {"target_id": str(new.id), "kind": "mengubah"},
        htmx=True,
    )  # fmt: skip
    assert cycle.status_code == 422 and "lingkaran" in cycle.text
    # Another village's page cannot add a link from this village's product.
    assert client.post(
        f"/desa/{SUSUKAN}/perdes/{new.id}/tautan", {"target_id": str(old.id), "kind": "mencabut"}
    ).status_code in (403, 404)
    link_id = soup(ok).select_one("[data-testid=links] form")["action"].split("/")[-2]
    removed = client.post(f"/desa/{LONTAR}/perdes/tautan/{link_id}/hapus", htmx=True)
    assert removed.status_code == 200 and not soup(removed).select("[data-testid=links]")
    assert client.post(f"/desa/{LONTAR}/perdes/tautan/{link_id}/hapus").status_code == 404


def test_after_the_fact_kepdes_with_its_scan_goes_public(client, db, regions):
    client.login_as(db, "operator")
    form = client.get(f"/desa/{LONTAR}/perdes/tercatat")
    assert [o["value"] for o in soup(form).select("#a-kind option")][-1] == "kepdes"
    data = {
        "kind": "kepdes",
        "title": "Pembentukan Satgas PMI",
        "enacted_on": date(2025, 6, 2).isoformat(),
        "perdes_number": "141/12",
    }
    saved = client.post(
        f"/desa/{LONTAR}/perdes/tercatat", data,
        files={"scan_ditetapkan": ("sk satgas.pdf", PDF, "application/pdf")},
    )  # fmt: skip
    assert saved.status_code == 303
    registers = client.get(f"/desa/{LONTAR}/register?tahun=2025")
    row = soup(registers).select_one("[data-testid=buku-keputusan] tbody tr")
    assert "141/12" in row.text and "Pembentukan Satgas PMI" in row.text
    client.raw.cookies.clear()
    public = client.get(f"/publik/desa/{LONTAR}")
    (tr,) = soup(public).select("[data-testid=public-products] tbody tr")
    assert "Keputusan Kepala Desa" in tr.text and tr["data-status"] == "berlaku"
    scan = client.get(tr.select_one("a[download]")["href"])
    assert (
        scan.content == PDF
        and "kepdes-lontar-141-12-2025.pdf" in scan.headers["content-disposition"]
    )
