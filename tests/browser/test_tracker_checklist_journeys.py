"""Real-browser journeys: recording law-making steps; the checklist verification round trip."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from perdes.tracking.deadlines import local_today
from tests.browser.conftest import login
from tests.factories import LONTAR, SUSUKAN
from tests.tracking.helpers import plus_working_days, working_days_after

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_record_steps_with_an_upload_and_see_the_deadline(page, live_server, tmp_path):
    login(page, live_server, "pendamping")  # Lontar and Susukan; cannot record steps
    page.goto(f"/desa/{SUSUKAN}")
    expect(page.locator("#adoption-tracker")).to_be_visible()
    assert page.locator("form[data-testid=step-form]").count() == 0
    page.goto("/keluar")
    page.click("button:has-text('Keluar')")
    login(page, live_server, "operator")
    page.goto(f"/desa/{LONTAR}")
    tools = page.locator("#adoption-tracker [data-testid=start-tools]")
    if tools.get_attribute("open") is None:  # closed once the village has products
        tools.locator("summary").click()
    page.click("#adoption-tracker .start-form button[type=submit]")
    on = (local_today() - timedelta(days=30)).isoformat()  # the app counts days in WIB
    for stage in (
        "direncanakan",
        "penyusunan",
        "konsultasi_masyarakat",
        "diajukan_ke_bpd",
        "pembahasan",
    ):
        form = page.locator("form[data-testid=step-form]").first
        expect(form.locator("input[name=stage]")).to_have_value(stage)
        form.locator("input[name=occurred_on]").fill(on)
        form.locator("button:has-text('Simpan langkah')").click()
        expect(page.locator(f"ol.timeline > li[data-stage={stage}]")).to_be_visible()
    form = page.locator("form[data-testid=step-form]").first
    expect(form.locator("input[name=stage]")).to_have_value("disepakati")
    future = (local_today() + timedelta(days=3)).isoformat()
    form.locator("input[name=occurred_on]").fill(future)
    form.locator("input[name=berita_acara_number]").fill("141/03/BPD/2026")
    form.locator("button:has-text('Simpan langkah')").click()
    expect(page.locator(".field-error", has_text="masa depan").first).to_be_visible()
    form = page.locator("form[data-testid=step-form]").first
    form.locator("input[name=occurred_on]").fill(on)
    form.locator("input[name=berita_acara_number]").fill("141/03/BPD/2026")
    scan = tmp_path / "berita acara.pdf"
    scan.write_bytes(PDF)
    form.locator("input[type=file]").set_input_files(str(scan))
    form.locator("button:has-text('Simpan langkah')").click()
    expect(page.locator("ol.timeline > li[data-stage=disepakati]")).to_be_visible()
    expect(page.locator("li[data-stage=disepakati] .files a")).to_contain_text("berita acara")
    expect(page.locator("[data-testid=current-stage]")).to_contain_text("Disepakati")
    # 7 working days after the agreement, overdue counted in working days too.
    due = plus_working_days(local_today() - timedelta(days=30), 7)
    late = working_days_after(due, local_today())
    badge = f"terlambat {late} hari kerja" if late else "tenggat terlewati (hari libur)"
    expect(page.locator("[data-testid=deadline] .badge")).to_have_text(badge)
    next_steps = page.locator("form[data-testid=step-form] input[name=stage]")
    expect(next_steps).to_have_count(1)
    expect(next_steps).to_have_value("diserahkan_ke_kepala_desa")
    # The documents of the recorded steps, next to them (issue #17, point 3).
    documents = page.locator("[data-testid=step-documents]").first
    documents.locator("summary").click()
    assert "tersedia setelah" in documents.locator("li[data-document=lembaran-desa]").inner_text()
    invitation = documents.locator("li[data-document=undangan-konsultasi]")
    invitation.get_by_label("Tanggal konsultasi").fill(local_today().isoformat())
    invitation.get_by_label("Pukul").fill("09.00 WIB")
    invitation.get_by_label("Tempat", exact=True).fill("Balai Desa Lontar")
    with page.expect_download() as undangan:
        invitation.locator("button:has-text('Unduh Word')").click()
    assert undangan.value.suggested_filename == "Undangan-Konsultasi-Masyarakat-Lontar.docx"
    # The profile has no BPD chair yet: the berita acara says what is missing, as a page.
    documents.locator("li[data-document=berita-acara-kesepakatan] a").first.click()
    expect(page.locator("body")).to_contain_text("Nama Ketua BPD (profil desa) belum ada")


def test_checklist_answer_reject_resubmit_verify(page, second_page, live_server, tmp_path):
    operator, monitor = page, second_page
    login(operator, live_server, "operator")
    operator.goto(f"/desa/{LONTAR}")
    item = operator.locator("#butir-satgas-komunitas-pmi")
    # an item is one closed line on the village page; a link to it opens it
    expect(item.locator(":scope > details.ck-body")).not_to_have_attribute("open", "")
    operator.goto(f"/desa/{LONTAR}#butir-satgas-komunitas-pmi")
    expect(item.locator(":scope > details.ck-body")).to_have_attribute("open", "")
    # the answer form is fetched when the item's form is opened
    expect(item.locator("form.ck-form")).to_have_count(0)
    item.locator("summary", has_text="catatan dan bukti").click()
    expect(item.locator("form.ck-form")).to_have_count(1)
    item.get_by_label("Status").select_option(label="Terpenuhi")
    item.get_by_label("Catatan").fill("SK Kepala Desa tentang Satgas PMI sudah terbit.")
    sk = tmp_path / "sk-satgas.pdf"
    sk.write_bytes(PDF)
    # answer and file in one form: choosing a file and saving the answer keeps the file
    item.locator("input[type=file]").set_input_files(str(sk))
    item.locator("button:has-text('Simpan jawaban')").click()
    expect(operator.locator("#butir-satgas-komunitas-pmi")).to_have_attribute(
        "data-verification", "menunggu"
    )
    expect(operator.locator("#butir-satgas-komunitas-pmi .ck-evidence a").first).to_contain_text(
        "sk-satgas"
    )
    notice = operator.locator("#butir-satgas-komunitas-pmi .notice[data-outcome]")
    expect(notice).to_contain_text("Jawaban dan bukti tersimpan.")
    expect(notice).to_be_focused()
    expect(notice).to_be_in_viewport()
    expect(operator.locator("[data-testid=checklist-score]").first).to_contain_text("0,0")

    login(monitor, live_server, "pemantau")
    monitor.click("header nav >> text=Verifikasi")
    # (other journeys may leave Lontar's register-derived items waiting too)
    expect(monitor.locator("[data-testid=queue-count]")).to_contain_text("butir menunggu")
    monitor.locator("a.ck-queue-item", has_text="Satgas atau komunitas").first.click()
    monitor.locator("summary", has_text="Tolak dengan alasan").click()
    monitor.get_by_label("Alasan penolakan").fill("Lampirkan daftar anggota satgas.")
    monitor.locator("button[value=ditolak]").click()
    expect(monitor.locator("[data-verification]").first).to_have_attribute(
        "data-verification", "ditolak"
    )

    operator.reload()
    item = operator.locator("#butir-satgas-komunitas-pmi")
    expect(item.locator("[data-testid=rejection]")).to_contain_text("daftar anggota")
    item.locator("summary", has_text="catatan dan bukti").click()
    item.get_by_label("Catatan").fill("Daftar anggota ada di halaman 2 SK.")
    item.locator("button:has-text('Simpan dan ajukan ulang')").click()
    expect(operator.locator("#butir-satgas-komunitas-pmi")).to_have_attribute(
        "data-verification", "menunggu"
    )

    monitor.reload()
    monitor.locator("button:has-text('Verifikasi')").first.click()
    expect(monitor.locator("[data-verification]").first).to_have_attribute(
        "data-verification", "diverifikasi"
    )
    operator.reload()
    score = operator.locator("[data-testid=checklist-score]").first
    expect(score).not_to_contain_text(re.compile(r"^\s*0,0"))
    expect(score).to_contain_text("4,8")  # satgas (weight 2) of 42 in checklist v3


def test_a_stale_answer_shows_the_conflict_with_the_input_kept_then_counts_are_judged(
    page, second_page, live_server
):
    """Two people have the outcome item open; the first saves counts; the second's save is
    refused in place (htmx swaps the 409) with the typed note kept; saved again, the counts
    are judged against the rule. Left "dalam proses": nothing reaches the queue. Susukan keeps
    no PMI register, so the village types these counts itself (Lontar's may derive from the
    register another journey filled)."""
    first, second = page, second_page
    login(first, live_server, "operator_susukan")
    login(second, live_server, "admin")
    for p in (first, second):
        p.goto(f"/desa/{SUSUKAN}")
        p.locator("#butir-keberangkatan-prosedural summary.ck-head").click()  # opens the item
        p.locator("#butir-keberangkatan-prosedural summary", has_text="catatan dan bukti").click()
        expect(p.locator("#butir-keberangkatan-prosedural input[name=version]")).to_have_value("0")
    item = first.locator("#butir-keberangkatan-prosedural")
    item.get_by_label("Status", exact=True).select_option(label="Dalam proses")
    item.get_by_label("Keberangkatan warga yang diketahui desa").fill("12")
    item.get_by_label("Di antaranya cocok dengan data penempatan BP3MI").fill("10")
    item.locator("button:has-text('Simpan jawaban')").click()
    expect(first.locator("#butir-keberangkatan-prosedural [data-testid=figures]")).to_contain_text(
        "12"
    )

    stale = second.locator("#butir-keberangkatan-prosedural")
    stale.get_by_label("Catatan").fill("Rekap dari rapat dusun.")
    stale.locator("button:has-text('Simpan jawaban')").click()
    conflict = second.locator("#butir-keberangkatan-prosedural [data-testid=conflict]")
    expect(conflict).to_contain_text("diubah oleh pengguna lain")
    expect(conflict).to_be_focused()
    fresh = second.locator("#butir-keberangkatan-prosedural")
    expect(fresh.get_by_label("Catatan")).to_have_value("Rekap dari rapat dusun.")
    fresh.get_by_label("Keberangkatan warga yang diketahui desa").fill("12")
    fresh.get_by_label("Di antaranya cocok dengan data penempatan BP3MI").fill("10")
    fresh.get_by_label("Yang tidak cocok dan telah dilaporkan").fill("2")
    fresh.locator("button:has-text('Simpan jawaban')").click()
    check = second.locator("#butir-keberangkatan-prosedural [data-testid=outcome-check]")
    expect(check).to_contain_text("Memenuhi butir")
    expect(check).to_contain_text("semua 2 yang tidak cocok telah dilaporkan")


def test_a_form_opened_after_another_save_from_an_older_page_is_refused_once(
    page, second_page, live_server
):
    """The second person's page was shown before the first saved; they open the item's form
    only afterwards: the form says the answer changed and shows what is stored, and their
    first save is refused in place (htmx swaps the 409) with their note kept; saved again, it
    is stored."""
    first, second = page, second_page
    login(first, live_server, "operator_susukan")
    login(second, live_server, "admin")
    second.goto(f"/desa/{SUSUKAN}#butir-penggerak-terlatih")  # shown now, form not opened yet
    first.goto(f"/desa/{SUSUKAN}#butir-penggerak-terlatih")
    item = first.locator("#butir-penggerak-terlatih")
    item.locator("summary", has_text="catatan dan bukti").click()
    item.get_by_label("Status", exact=True).select_option(label="Dalam proses")
    item.get_by_label("Catatan").fill("Pelatihan dijadwalkan.")
    item.locator("button:has-text('Simpan jawaban')").click()
    expect(first.locator("#butir-penggerak-terlatih [data-outcome]")).to_contain_text("tersimpan")

    late = second.locator("#butir-penggerak-terlatih")
    late.locator("summary", has_text="catatan dan bukti").click()
    expect(late.locator("[data-testid=changed-since]")).to_contain_text("telah diubah")
    expect(late.get_by_label("Catatan")).to_have_value("Pelatihan dijadwalkan.")
    late.get_by_label("Catatan").fill("Penggerak sudah ditunjuk.")
    late.locator("button:has-text('Simpan jawaban')").click()
    conflict = second.locator("#butir-penggerak-terlatih [data-testid=conflict]")
    expect(conflict).to_contain_text("diubah oleh pengguna lain")
    expect(conflict).to_contain_text("Pelatihan dijadwalkan.")
    fresh = second.locator("#butir-penggerak-terlatih")
    expect(fresh.get_by_label("Catatan")).to_have_value("Penggerak sudah ditunjuk.")
    fresh.locator("button:has-text('Simpan jawaban')").click()
    expect(second.locator("#butir-penggerak-terlatih .ck-note")).to_contain_text(
        "Penggerak sudah ditunjuk."
    )


def test_the_not_applicable_reason_shows_only_while_that_status_is_chosen(page, live_server):
    login(page, live_server, "operator_susukan")
    page.goto(f"/desa/{SUSUKAN}#butir-pengasuhan-anak-pmi")  # optional: may be "tidak berlaku"
    item = page.locator("#butir-pengasuhan-anak-pmi")
    item.locator("summary", has_text="catatan dan bukti").click()
    reason = item.get_by_label("Alasan jika tidak berlaku")
    status = item.get_by_label("Status", exact=True)
    status.select_option(value="dalam_proses")
    expect(reason).to_be_hidden()
    status.select_option(value="tidak_berlaku")
    expect(reason).to_be_visible()
    item.locator("button:has-text('Simpan jawaban')").click()  # no reason: refused, shown
    expect(item.locator(".field-error")).to_be_visible()
    expect(
        page.locator("#butir-pengasuhan-anak-pmi").get_by_label("Alasan jika tidak berlaku")
    ).to_be_visible()
