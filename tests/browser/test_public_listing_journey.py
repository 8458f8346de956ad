"""Real-browser journey: a village records a Peraturan Kepala Desa with its scan; anyone, not
signed in, finds it on the village's public page, opens it and downloads the official text."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from perdes.tracking.deadlines import local_today
from tests.browser.conftest import assert_accessible, login
from tests.factories import PONTANG

SCAN = b"%PDF-1.4\n1 0 obj <<>> endobj\n% perkades pontang\ntrailer <<>>\n%%EOF\n"


def test_a_promulgated_perkades_is_on_the_public_village_page(
    page, second_page, live_server, tmp_path
):
    login(page, live_server, "admin")
    page.goto(f"/desa/{PONTANG}")
    tools = page.locator("#adoption-tracker [data-testid=start-tools]")
    if tools.get_attribute("open") is None:  # closed once the village has products
        tools.locator("summary").click()
    start = tools.locator(".start-form")
    start.locator("select[name=kind]").select_option("perkades")
    start.locator("input[name=title]").fill("Tata Cara Pendataan Pekerja Migran")
    start.locator("button[type=submit]").click()
    article = page.locator("article.adoption[data-kind=perkades]")
    expect(article.locator("h3")).to_have_text(
        "Peraturan Kepala Desa tentang Tata Cara Pendataan Pekerja Migran"
    )
    day = local_today() - timedelta(days=10)
    on = day.isoformat()
    scan = tmp_path / "perkades.pdf"
    scan.write_bytes(SCAN)
    for stage, fields in (
        ("penyusunan", {}),
        ("ditetapkan", {"perdes_number": "4"}),
        ("diundangkan", {"berita_desa_number": "4"}),
    ):
        form = page.locator("article.adoption[data-kind=perkades] form[data-testid=step-form]")
        expect(form.locator("input[name=stage]")).to_have_value(stage)
        form.locator("input[name=occurred_on]").fill(on)
        for name, value in fields.items():
            form.locator(f"input[name={name}]").fill(value)
        if stage == "diundangkan":
            form.locator("input[type=file]").set_input_files(str(scan))
        form.locator("button:has-text('Simpan langkah')").click()
        expect(page.locator(f"article[data-kind=perkades] li[data-stage={stage}]")).to_be_visible()

    # Someone else, not signed in, on a phone.
    public = second_page
    public.goto(f"/publik/desa/{PONTANG}")
    expect(public.locator("h1")).to_have_text("Produk hukum Desa Pontang")
    row = public.locator("[data-testid=public-products] tbody tr").first
    expect(row).to_contain_text("Peraturan Kepala Desa")
    expect(row.locator("[data-testid=status]")).to_have_text("Berlaku")
    assert_accessible(public)
    row.locator("a", has_text="Tata Cara Pendataan Pekerja Migran").click()
    expect(public.locator("[data-testid=citation]")).to_have_text(
        f"Peraturan Kepala Desa Pontang Nomor 4 Tahun {day.year} "
        "tentang Tata Cara Pendataan Pekerja Migran"
    )
    expect(public.locator("dl.facts")).to_contain_text("Berita Desa Tahun")
    assert_accessible(public)
    with public.expect_download() as info:
        public.locator("[data-testid=scan-link]").click()
    download = info.value
    assert download.suggested_filename == f"perkades-pontang-4-{day.year}.pdf"
    assert download.path().read_bytes() == SCAN
