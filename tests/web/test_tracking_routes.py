"""Adoption tracker through the HTTP client: pages and htmx fragments, per role."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from io import BytesIO

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlalchemy import select

from perdes.accounts.services import principal_for
from perdes.tracking import queries, services
from perdes.tracking.deadlines import local_today
from perdes.tracking.models import Adoption
from perdes.tracking.stages import Stage
from tests.factories import KELURAHAN, LONTAR, SUSUKAN, make_user
from tests.tracking.helpers import PDF, PNG, plus_working_days, walk, working_days_after

TODAY = local_today()


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def _adoption(db, until=None, start=None):
    actor = principal_for(make_user(db, "admin", username="admin.setup"))
    adoption = services.start_adoption(db, actor=actor, village_code=LONTAR)
    if until is not None:
        walk(db, actor, adoption, until, start=start or TODAY - timedelta(days=60), gap=1)
    return adoption


@pytest.mark.parametrize(
    ("role", "records"),
    [("operator", True), ("admin", True), ("pendamping", False), ("pemantau", False)],
)
def test_village_page_shows_the_tracker_to_every_role_forms_only_to_recorders(
    client, db, regions, role, records
):
    _adoption(db, Stage.PENYUSUNAN)
    client.login_as(db, role)
    for response in (
        client.get(f"/desa/{LONTAR}"),
        client.get(f"/desa/{LONTAR}/perdes", htmx=True),
    ):
        assert response.status_code == 200
        html = soup(response)
        section = html.select_one("#adoption-tracker")
        assert section is not None
        assert [li["data-stage"] for li in section.select("ol.timeline > li")] == [
            "direncanakan",
            "penyusunan",
        ]
        assert section.select_one("[data-testid=current-stage]").text == "Penyusunan rancangan"
        assert bool(section.select("form[data-testid=step-form]")) is records
    fragment = client.get(f"/desa/{LONTAR}/perdes", htmx=True)
    assert "<html" not in fragment.text
    full = client.get(f"/desa/{LONTAR}/perdes")
    assert "<html" in full.text and soup(full).select_one("h1").text.startswith("Tahapan Perdes")


def test_operator_records_steps_with_an_upload_and_sees_the_deadline(client, db, regions, settings):
    client.login_as(db, "operator")
    started = client.post(f"/desa/{LONTAR}/perdes", {"title": "Pelindungan PMI"}, htmx=True)
    assert started.status_code == 200 and "Pencatatan Perdes dimulai." in started.text
    forms = soup(started).select("form[data-testid=step-form]")
    assert [f.select_one("input[name=stage]")["value"] for f in forms] == ["direncanakan"]
    adoption = (
        queries.village_tracker(
            db, actor=principal_for(make_user(db, "admin")), village_code=LONTAR
        )
        .adoptions[0]
        .adoption
    )
    on = TODAY - timedelta(days=20)
    url = f"/desa/{LONTAR}/perdes/{adoption.id}/langkah"
    for stage in (
        "direncanakan",
        "penyusunan",
        "konsultasi_masyarakat",
        "diajukan_ke_bpd",
        "pembahasan",
    ):
        response = client.post(url, {"stage": stage, "occurred_on": on.isoformat()}, htmx=True)
        assert response.status_code == 200, response.text[:300]
        # the outcome sits under this product's timeline, where the new step shows
        outcome = soup(response).select_one(f"#adoption-{adoption.id} [data-testid=step-outcome]")
        assert outcome.text == "Langkah tercatat."
        assert outcome.find_previous_sibling("ol", class_="timeline") is not None
    response = client.post(
        url,
        {
            "stage": "disepakati",
            "occurred_on": on.isoformat(),
            "berita_acara_number": "BA/3/2026",
            "notes": "<b>rapat</b>",
        },
        htmx=True,
        files={"file": ("berita acara.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 200
    html = soup(response)
    late = working_days_after(plus_working_days(on, 7), TODAY)
    badge = html.select_one("[data-testid=deadline]").select_one(".badge").text
    assert badge == (f"terlambat {late} hari kerja" if late else "tenggat terlewati (hari libur)")
    assert "PP 43/2014 Pasal 83" in html.select_one("[data-testid=deadline]").text
    assert "<b>rapat</b>" not in response.text and "&lt;b&gt;rapat&lt;/b&gt;" in response.text
    link = html.select_one("#adoption-tracker ol.timeline > li:last-child .files a")
    assert link.text == "berita acara.pdf"
    # the digest is there for whoever checks a copy, not printed beside the name
    assert link["title"] == f"Sidik berkas (SHA-256): {hashlib.sha256(PDF).hexdigest()}"
    assert "SHA-256" not in link.parent.get_text()
    download = client.get(link["href"])
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment")
    assert [
        f.select_one("input[name=stage]")["value"]
        for f in html.select("form[data-testid=step-form]")
    ] == ["diserahkan_ke_kepala_desa"]
    page = soup(client.get(f"/desa/{LONTAR}"))
    assert page.select_one("[data-testid=deadline]") is not None


def test_without_javascript_a_step_redirects_back_to_the_village(client, db, regions):
    adoption = _adoption(db)
    client.login_as(db, "operator")
    response = client.post(
        f"/desa/{LONTAR}/perdes/{adoption.id}/langkah",
        {"stage": "direncanakan", "occurred_on": TODAY.isoformat()},
    )
    assert response.status_code == 303 and response.headers["location"].endswith(f"/desa/{LONTAR}")


@pytest.mark.parametrize("htmx", [True, False])
def test_bad_step_rerenders_the_form_with_422(client, db, regions, htmx):
    adoption = _adoption(db, Stage.PEMBAHASAN)
    client.login_as(db, "operator")
    data = {
        "stage": "disepakati",
        "occurred_on": (TODAY + timedelta(days=2)).isoformat(),
        "berita_acara_number": "",
    }
    response = client.post(f"/desa/{LONTAR}/perdes/{adoption.id}/langkah", data, htmx=htmx)
    assert response.status_code == 422
    html = soup(response)
    assert ("<html" in response.text) is not htmx
    errors = [p.text for p in html.select("form[data-testid=step-form] .field-error")]
    assert "Tanggal tidak boleh di masa depan." in errors and "Wajib diisi." in errors
    db.refresh(adoption)
    assert adoption.current_stage is Stage.PEMBAHASAN


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 80, "Jenis berkas tidak diterima"),
        ("surat.pdf", b"<html><script>alert(1)</script></html>", "Jenis berkas tidak diterima"),
        ("besar.pdf", PDF + b" " * (10 * 1024 * 1024), "terlalu besar"),
    ],
)
def test_lying_or_oversized_files_are_refused_and_the_step_is_not_recorded(
    client, db, regions, name, content, message
):
    adoption = _adoption(db)
    client.login_as(db, "operator")
    response = client.post(
        f"/desa/{LONTAR}/perdes/{adoption.id}/langkah",
        {"stage": "direncanakan", "occurred_on": TODAY.isoformat()},
        htmx=True,
        files={"file": (name, content, "application/pdf")},
    )
    assert response.status_code == 422 and message in response.text
    db.refresh(adoption)
    assert adoption.current_stage is None


def test_evidence_upload_on_a_step_and_path_characters_in_the_name(client, db, regions, settings):
    adoption = _adoption(db, Stage.DIRENCANAKAN)
    event = adoption.events[0]
    client.login_as(db, "operator")
    response = client.post(
        f"/desa/{LONTAR}/perdes/langkah/{event.id}/berkas",
        {},
        htmx=True,
        files={"file": ("../../etc/<rkp>.png", PNG, "image/png")},
    )
    assert response.status_code == 200 and "Berkas bukti dilampirkan." in response.text
    link = soup(response).select_one(f"#event-{event.id} .files a")
    assert link.text == "rkp.png"
    stored = list(settings.effective_upload_path.rglob("*.png"))
    assert len(stored) == 1 and "rkp" not in stored[0].name
    again = client.post(
        f"/desa/{LONTAR}/perdes/langkah/{event.id}/berkas",
        {},
        htmx=True,
        files={"file": ("lagi.png", PNG, "image/png")},
    )
    assert again.status_code == 422 and "sudah dilampirkan" in again.text
    empty = client.post(f"/desa/{LONTAR}/perdes/langkah/{event.id}/berkas", {}, htmx=True)
    assert empty.status_code == 422 and "Pilih berkas" in empty.text


def test_steps_outside_ones_scope_or_role(client, db, regions):
    admin = principal_for(make_user(db, "admin", username="admin.other"))
    other = services.start_adoption(db, actor=admin, village_code=SUSUKAN)
    mine = _adoption(db, Stage.DIRENCANAKAN)
    client.login_as(db, "operator")
    data = {"stage": "direncanakan", "occurred_on": TODAY.isoformat()}
    assert client.post(f"/desa/{SUSUKAN}/perdes/{other.id}/langkah", data).status_code == 404
    assert client.post(f"/desa/{LONTAR}/perdes/{other.id}/langkah", data).status_code == 404
    assert client.get(f"/desa/{SUSUKAN}/perdes").status_code == 404
    client.login_as(db, "pendamping")
    response = client.post(
        f"/desa/{LONTAR}/perdes/{mine.id}/langkah",
        {"stage": "penyusunan", "occurred_on": TODAY.isoformat()},
    )
    assert response.status_code == 403
    assert client.get(f"/desa/{SUSUKAN}/perdes").status_code == 200


def test_kelurahan_page_says_why_and_refuses(client, db, regions):
    client.login_as(db, "admin")
    html = soup(client.get(f"/desa/{KELURAHAN}"))
    assert "tidak membentuk Peraturan Desa" in html.select_one("[data-testid=tracker-refusal]").text
    assert html.select_one("#adoption-tracker form") is None
    response = client.post(f"/desa/{KELURAHAN}/perdes", {"title": "X"}, htmx=True)
    assert response.status_code == 422 and "Kelurahan" in response.text
    assert "tidak membentuk" in client.get(f"/desa/{KELURAHAN}/perdes/tercatat").text


def test_after_the_fact_recording_with_scans(client, db, regions):
    client.login_as(db, "operator")
    form = client.get(f"/desa/{LONTAR}/perdes/tercatat")
    assert form.status_code == 200 and soup(form).select_one(
        "input[name=scan_ditetapkan][type=file]"
    )
    data = {
        "title": "Pelindungan Pekerja Migran Indonesia",
        "agreed_on": "2018-11-20",
        "berita_acara_number": "BA/07/2018",
        "enacted_on": "2018-12-03",
        "perdes_number": "7",
        "promulgated_on": "2018-12-03",
        "lembaran_year": "2018",
        "lembaran_number": "7",
        "reported_on": "2018-12-06",
        "letter_number": "140/33/2018",
    }
    bad = client.post(f"/desa/{LONTAR}/perdes/tercatat", {**data, "perdes_number": ""}, htmx=True)
    assert (
        bad.status_code == 422 and soup(bad).select_one("#a-perdes_number-e").text == "Wajib diisi."
    )
    # the year is printed from the date ("Nomor 7 Tahun 2018"): typed in, it would be twice
    for field, word in (("perdes_number", "Tahun"), ("lembaran_number", "thn.")):
        with_year = client.post(
            f"/desa/{LONTAR}/perdes/tercatat", {**data, field: f"7 {word} 2018"}, htmx=True
        )
        assert with_year.status_code == 422
        assert "Tulis nomornya saja" in soup(with_year).select_one(f"#a-{field}-e").text
    assert not db.scalars(select(Adoption).where(Adoption.village_code == LONTAR)).all()
    response = client.post(
        f"/desa/{LONTAR}/perdes/tercatat",
        data,
        files={"scan_ditetapkan": ("perdes 7.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303
    html = soup(client.get(f"/desa/{LONTAR}"))
    assert html.select_one("[data-testid=current-stage]").text == "Dilaporkan ke Bupati/Wali Kota"
    assert "dicatat setelah berlaku" in html.select_one("#adoption-tracker").text
    assert html.select_one("li[data-stage=ditetapkan] .files a").text == "perdes 7.pdf"


def test_correction_form_and_record(client, db, regions):
    adoption = _adoption(db, Stage.PENYUSUNAN, start=date(2026, 1, 5))
    event = adoption.events[0]
    client.login_as(db, "operator")
    form = client.get(f"/desa/{LONTAR}/perdes/langkah/{event.id}/koreksi", htmx=True)
    assert form.status_code == 200 and "<html" not in form.text
    assert soup(form).select_one("#c-occurred_on")["value"] == "2026-01-05"
    url = f"/desa/{LONTAR}/perdes/langkah/{event.id}/koreksi"
    refused = client.post(url, {"occurred_on": "2026-01-04", "reason": ""}, htmx=True)
    assert refused.status_code == 422 and "Wajib diisi." in refused.text
    done = client.post(
        url,
        {"occurred_on": "2026-01-04", "reason": "Salah tanggal", "version": str(adoption.version)},
    )
    assert done.status_code == 303
    html = soup(client.get(f"/desa/{LONTAR}"))
    first = html.select_one("li[data-stage=direncanakan]")
    assert first.select_one("time")["datetime"] == "2026-01-04" and "Salah tanggal" in first.text
    stale = client.post(url, {"occurred_on": "2026-01-03", "reason": "lagi", "version": "1"})
    assert stale.status_code == 409


def test_registers_page_and_xlsx(client, db, regions):
    adoption = _adoption(db, Stage.DIUNDANGKAN, start=date(2026, 1, 5))
    client.login_as(db, "pemantau")
    page = client.get(f"/desa/{LONTAR}/register?tahun=2026")
    assert page.status_code == 200
    row = soup(page).select_one("[data-testid=buku-peraturan] tbody tr")
    assert [td.get_text(" ", strip=True) for td in row.select("td")][:4] == [
        "1",
        "Peraturan Desa",
        f"5 {adoption.enacted_on.day} Januari 2026",
        "Pelindungan Pekerja Migran Indonesia",
    ]
    fragment = client.get(f"/desa/{LONTAR}/register?tahun=2025", htmx=True)
    assert "<html" not in fragment.text and "Tidak ada peraturan di desa" in fragment.text
    xlsx = client.get(f"/desa/{LONTAR}/register.xlsx?tahun=2026")
    assert xlsx.status_code == 200 and xlsx.headers["content-disposition"].startswith("attachment")
    wb = load_workbook(BytesIO(xlsx.content))
    assert [c.value for c in wb["Buku Peraturan di Desa"][4]][:3] == [1, "Peraturan Desa", "5"]
    assert client.get(f"/desa/{LONTAR}/register?tahun=abc").status_code == 422
    client.login_as(db, "pemantau", ("32",))
    assert client.get(f"/desa/{LONTAR}/register.xlsx").status_code == 404


def test_overdue_list_in_scope(client, db, regions):
    _adoption(db, Stage.DISEPAKATI)
    client.login_as(db, "pemantau")
    page = client.get("/perdes/tenggat")
    assert page.status_code == 200
    rows = soup(page).select("#deadline-results tbody tr")
    assert len(rows) == 1 and "Lontar" in rows[0].text and "terlambat" in rows[0].text
    fragment = client.get("/perdes/tenggat?semua=1", htmx=True)
    assert "<html" not in fragment.text and "dengan tenggat berjalan" in fragment.text
    client.login_as(db, "pemantau", ("32",))
    assert "Tidak ada." in client.get("/perdes/tenggat").text


def test_admin_sets_a_deadline_override(client, db, regions):
    adoption = _adoption(db, Stage.DISEPAKATI)
    client.login_as(db, "operator")
    assert client.get("/admin/tenggat").status_code == 403
    client.login_as(db, "admin")
    assert client.get("/admin/tenggat").status_code == 200
    bad = client.post(
        "/admin/tenggat",
        {"kind": "penyerahan", "regency_code": "99.99", "days": "0", "legal_basis": ""},
        htmx=True,
    )
    assert bad.status_code == 422 and "<html" not in bad.text
    ok = client.post(
        "/admin/tenggat",
        {
            "kind": "penyerahan",
            "regency_code": "36.04",
            "days": "30",
            "legal_basis": "Perbup Serang 1/2026",
        },
        htmx=True,
    )
    assert (
        ok.status_code == 200
        and "Perbup Serang 1/2026" in soup(ok).select_one("[data-testid=rules]").text
    )
    db.refresh(adoption)
    assert adoption.next_deadline_on == plus_working_days(adoption.current_stage_on, 30)
    html = soup(client.get(f"/desa/{LONTAR}"))
    assert "Perbup Serang 1/2026" in html.select_one("[data-testid=deadline]").text
    # deleting a rule recomputes every village's deadline: htmx asks before it does
    delete = soup(ok).select_one("[data-testid=rules] form[hx-confirm]")
    assert delete is not None and "dihitung ulang" in delete["hx-confirm"]


def test_a_stale_step_form_under_htmx_shows_the_fresh_state(client, db, regions):
    adoption = _adoption(db)
    client.login_as(db, "operator")
    url = f"/desa/{LONTAR}/perdes/{adoption.id}/langkah"
    stale = str(adoption.version)
    data = {"stage": "direncanakan", "occurred_on": TODAY.isoformat(), "version": stale}
    assert client.post(url, data, htmx=True).status_code == 200
    again = client.post(url, data, htmx=True)
    assert again.status_code == 200 and "diubah oleh pengguna lain" in again.text
    assert soup(again).select_one(".notice.warn")
    assert client.post(url, data).status_code == 409


def test_an_evaluated_perdes_records_the_bupati_evaluation_on_the_village_page(client, db, regions):
    client.login_as(db, "operator")
    started = client.post(
        f"/desa/{LONTAR}/perdes",
        {"title": "APB Desa", "perdes_type": "apb_desa"},
        htmx=True,
    )
    assert started.status_code == 200
    bad_type = client.post(f"/desa/{LONTAR}/perdes", {"title": "X", "perdes_type": "²"}, htmx=True)
    assert bad_type.status_code == 422
    admin = principal_for(make_user(db, "admin"))
    shown = queries.village_tracker(db, actor=admin, village_code=LONTAR).adoptions[0].adoption
    adoption = db.get(Adoption, shown.id)  # the entity, which walk() records steps on
    walk(db, admin, adoption, Stage.DISERAHKAN, start=TODAY - timedelta(days=60), gap=1)
    page = soup(client.get(f"/desa/{LONTAR}"))
    form = page.select_one("[data-testid=evaluation-form]")
    assert form is not None and "Pasal 69" in page.select_one("[data-testid=evaluation]").text
    url = f"/desa/{LONTAR}/perdes/{adoption.id}/evaluasi"
    received = TODAY - timedelta(days=2)
    future = client.post(
        url,
        {
            "evaluation_received_on": (TODAY + timedelta(days=30)).isoformat(),
            "version": str(adoption.version),
        },
        htmx=True,
    )
    assert future.status_code == 422 and "masa depan" in future.text
    ok = client.post(
        url,
        {"evaluation_received_on": received.isoformat(), "version": str(adoption.version)},
        htmx=True,
    )
    assert ok.status_code == 200, ok.text[:300]
    deadline = soup(ok).select_one("[data-testid=deadline]").text
    assert "Hasil evaluasi rancangan oleh Bupati/Wali Kota" in deadline
    assert "20 hari kerja" in deadline and "UU 6/2014 Pasal 69 ayat (5)" in deadline
    db.refresh(adoption)
    assert adoption.next_deadline_on == plus_working_days(received, 20)
    stale = client.post(url, {"evaluation_received_on": received.isoformat(), "version": "1"},
                        htmx=True)  # fmt: skip
    assert stale.status_code == 200 and "diubah oleh pengguna lain" in stale.text


def test_admin_sets_the_cuti_bersama_rule_of_a_kabupaten(client, db, regions):
    client.login_as(db, "operator")
    assert (
        client.post(
            "/admin/tenggat/cuti-bersama", {"regency_code": "36.04", "skip_joint_leave": "1"}
        ).status_code
        == 403
    )
    client.login_as(db, "admin")
    bad = client.post(
        "/admin/tenggat/cuti-bersama", {"regency_code": "36", "legal_basis": ""}, htmx=True
    )
    assert bad.status_code == 422
    assert soup(bad).select_one("[data-testid=workday-form] [aria-invalid]") is not None
    ok = client.post(
        "/admin/tenggat/cuti-bersama",
        {"regency_code": "36.04", "skip_joint_leave": "1", "legal_basis": "Perbup Serang 9/2026"},
        htmx=True,
    )
    assert ok.status_code == 200
    row = soup(ok).select_one("[data-testid=workday-rules] tbody tr").text
    assert "36.04" in row and "tidak dihitung" in row and "Perbup Serang 9/2026" in row
