"""Real-browser journey (issue #17, 1-2), on a 360 px phone: edit a Pasal with a clause
reference, comment with proposed wording, accept it, mark it for the BPD, record
"disepakati" with that revision, "ditetapkan" with a number and "diundangkan", download the
naskah untuk ditandatangani with that number, upload the signed scan."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
from playwright.sync_api import expect

from perdes.accounts.principal import Principal
from perdes.db import engine_from_settings, session_scope
from perdes.pipeline import make_session_factory
from perdes.profiles import services as profiles
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from perdes.tracking.stages import Stage
from tests.browser.conftest import assert_fits, check_page, login
from tests.factories import PONTANG, make_user
from tests.tracking.helpers import PDF, step_data
from tests.verified_templates import verified_templates

START = local_today() - timedelta(days=30)


def _prepare_pontang(live_server) -> None:  # type: ignore[no-untyped-def]
    """An operator of Desa Pontang, its officials, and its Perdes record up to pembahasan."""
    engine = engine_from_settings(live_server.settings)
    with session_scope(make_session_factory(engine)) as session:
        user = make_user(session, "operator", (PONTANG,), username="operator.pontang")
        live_server.users["operator_pontang"] = user.username
        profiles.update_profile(
            session,
            actor=Principal.system(),
            code=PONTANG,
            data={
                "sebutan_desa": "Desa",
                "sebutan_kepala_desa": "Kepala Desa",
                "sebutan_bpd": "Badan Permusyawaratan Desa",
                "kepala_desa_name": "Sardi",
                "sekretaris_desa_name": "Rohim",
            },
        )
        adoption = tracking.start_adoption(session, actor=Principal.system(), village_code=PONTANG)
        for stage in (Stage.DIRENCANAKAN, Stage.PENYUSUNAN, Stage.KONSULTASI,
                      Stage.DIAJUKAN_KE_BPD, Stage.PEMBAHASAN):  # fmt: skip
            tracking.record_step(
                session,
                actor=Principal.system(),
                adoption_id=adoption.id,
                data=step_data(stage, START),
            )
    engine.dispose()


def _record(page, stage: str, on: str, **fields: str) -> None:  # type: ignore[no-untyped-def]
    form = page.locator("article[data-kind=perdes] form[data-testid=step-form]").first
    expect(form.locator("input[name=stage]")).to_have_value(stage)
    form.locator("input[name=occurred_on]").fill(on)
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button:has-text('Simpan langkah')").click()
    done = page.locator(f"article[data-kind=perdes] ol.timeline > li[data-stage={stage}]")
    expect(done).to_be_visible()


def test_edit_propose_agree_enact_and_sign(page, second_page, live_server, tmp_path, monkeypatch):
    # The real catalogue still has unverified citations, which rightly block a naskah; the
    # server reads templates from a copy whose catalogue is verified (tests only).
    monkeypatch.setenv("PERDES_TEMPLATES_DIR", str(verified_templates(tmp_path)))
    _prepare_pontang(live_server)
    login(page, live_server, "operator_pontang")
    page.goto(f"/desa/{PONTANG}/rancangan")
    page.click("button:has-text('Buat rancangan')")
    page.click("text=Simpan rancangan")
    expect(page.locator("[data-testid=revision-1]")).to_be_visible()
    workspace = page.url.split("?")[0]

    # 1. Edit a Pasal, with a reference chosen from the list of clauses.
    page.select_option("[data-testid=edit-pasal-choice]", "tugas.pemdes")
    page.click("[data-testid=edit-pasal]")
    expect(page.locator("h1")).to_contain_text("Ubah rumusan Pasal")
    check_page(page)  # fits 360 px, no serious accessibility violation
    box = page.locator("#f-teks_3")
    box.fill("Pelaksanaan tugas sebagaimana dimaksud pada ")
    box.press("End")
    page.select_option("[data-testid=ref-pick]", "[[ref:tugas.pemdes/1]]")
    page.click("button:has-text('Sisipkan rujukan')")
    expect(box).to_have_value("Pelaksanaan tugas sebagaimana dimaksud pada [[ref:tugas.pemdes/1]]")
    box.press("End")
    box.type(" dikoordinasikan oleh Sekretaris Desa.")
    page.click("[data-testid=save-pasal]")
    expect(page.locator("[data-testid=saved-notice]")).to_contain_text("Revisi 2")
    expect(page.locator("#preview")).to_contain_text(
        "(3) Pelaksanaan tugas sebagaimana dimaksud pada ayat (1) dikoordinasikan oleh "
        "Sekretaris Desa."
    )

    # 2. A comment with proposed wording, accepted: a new revision.
    page.locator("details.proposal-fields summary").click()
    page.select_option("#f-target", "tugas.pemdes#2")
    page.fill("#f-text", "Usul dari musyawarah BPD")
    page.fill("#f-proposed", "Tugas berlaku bagi setiap Penduduk yang akan bekerja di luar negeri.")
    page.click("button:has-text('Tambah komentar')")
    proposal = page.locator("[data-testid^=proposal-]").first
    expect(proposal).to_contain_text("Tugas berlaku bagi setiap Penduduk")
    proposal.locator("button:has-text('Terima usulan')").click()
    expect(page.locator("[data-testid=saved-notice]")).to_contain_text("Revisi 3")
    expect(page.locator("#preview")).to_contain_text("(2) Tugas berlaku bagi setiap Penduduk")
    assert_fits(page)

    # 3. Mark revision 3 as the one sent to the BPD.
    item = page.locator("[data-testid=revision-3]")
    item.locator("select[name=purpose]").select_option("bpd")
    item.locator("button:has-text('Tandai')").click()
    expect(page.locator("[data-testid=revision-3] .badge")).to_contain_text("diajukan ke BPD")

    # 4. The tracker: "disepakati" picks that revision, then enactment with a number.
    page.goto(f"/desa/{PONTANG}")
    form = page.locator("article[data-kind=perdes] form[data-testid=step-form]").first
    chosen = form.locator("select[name=draft_revision_id] option:checked")
    expect(chosen).to_contain_text("revisi 3 — diajukan ke BPD")
    days = [(START + timedelta(days=n)).isoformat() for n in (1, 2, 3, 4)]
    _record(page, "disepakati", days[0], berita_acara_number="141/5/BPD")
    expect(page.locator("[data-testid=agreed-text]")).to_contain_text("revisi 3")
    _record(page, "diserahkan_ke_kepala_desa", days[1])
    _record(page, "ditetapkan", days[2], perdes_number="7")
    _record(page, "diundangkan", days[3], lembaran_year=days[3][:4], lembaran_number="7")
    assert_fits(page)

    # 5. The naskah untuk ditandatangani carries the number recorded in the tracker.
    page.goto(workspace)
    expect(page.locator("[data-testid=agreed-notice]")).to_contain_text("Nomor 7")
    with page.expect_download() as info:
        page.click("[data-testid=download-naskah]")
    download = info.value
    assert download.suggested_filename.endswith("-untuk-ditandatangani.docx")
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(download.path().read_bytes())).paragraphs
    )
    assert f"NOMOR 7 TAHUN {days[2][:4]}" in text and "RANCANGAN" not in text
    assert f"TAHUN {days[3][:4]} NOMOR 7" in text
    assert "dikoordinasikan oleh Sekretaris Desa" in text

    # 6. The signed scan, uploaded at "diundangkan", is the official text.
    page.goto(f"/desa/{PONTANG}")
    step = page.locator("article[data-kind=perdes] li[data-stage=diundangkan]")
    step.locator("summary:has-text('Lampirkan bukti')").click()
    scan = tmp_path / "perdes-7-bertanda-tangan.pdf"
    scan.write_bytes(PDF)
    step.locator("input[type=file]").set_input_files(str(scan))
    step.locator("button:has-text('Unggah bukti')").click()
    expect(page.locator("[data-testid=official-scan]")).to_have_text("perdes-7-bertanda-tangan.pdf")

    # 7. The public, without signing in, finds the law in force with its official scan, and
    # the JDIHN feed lists it with the file's address.
    public = second_page
    public.goto(f"/publik/desa/{PONTANG}")
    # Other tests may have published a Perkades in the same village: find the Perdes.
    row = public.locator("[data-testid=public-products] tbody tr").filter(has_text="Peraturan Desa")
    expect(row).to_have_count(1)
    expect(row.locator("[data-testid=status]")).to_have_text("Berlaku")
    row.locator("a").first.click()
    expect(public.locator("[data-testid=citation]")).to_contain_text(
        f"Peraturan Desa Pontang Nomor 7 Tahun {days[2][:4]}"
    )
    with public.expect_download() as info:
        public.locator("[data-testid=scan-link]").click()
    assert info.value.path().read_bytes() == PDF
    feed = public.request.get(f"/api/v1/public/jdihn/{PONTANG}")
    assert feed.ok
    records = feed.json()
    ours = [r for r in records if r["noPeraturan"] == "7" and r["jenis"] == "Peraturan Desa"]
    assert len(ours) == 1 and ours[0]["status"] == "Berlaku" and ours[0]["urlDownload"]
