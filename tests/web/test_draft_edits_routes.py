"""Editing wording over the template, proposed wording, and the agreed text in the tracker
(issue #17, points 1 and 2), through HTTP."""

import io
from datetime import timedelta

import docx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from perdes.accounts.models import AuditEntry
from perdes.accounts.principal import Principal
from perdes.accounts.services import principal_for
from perdes.drafting.workspace import services as drafts
from perdes.drafting.workspace.models import (
    Draft,
    DraftComment,
    DraftRevision,
    ProposalDecision,
)
from perdes.profiles import services as profiles
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from perdes.tracking.models import Adoption
from perdes.tracking.stages import Stage
from tests.factories import LONTAR, PONTANG, make_user
from tests.tracking.helpers import PDF, step_data
from tests.verified_templates import verified_templates
from tests.web.test_drafts_routes import first_preview

PROFILE = {
    "sebutan_desa": "Desa",
    "sebutan_kepala_desa": "Kepala Desa",
    "sebutan_bpd": "Badan Permusyawaratan Desa",
    "kepala_desa_name": "Ahmad Sobari",
    "sekretaris_desa_name": "Junaedi",
}
TODAY = local_today()


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture()
def draft(db, regions) -> Draft:
    profiles.update_profile(db, actor=Principal.system(), code=LONTAR, data=PROFILE)
    operator = principal_for(make_user(db, "operator", (LONTAR,)))
    return drafts.create_draft(
        db,
        actor=operator,
        village_code=LONTAR,
        template_slug="pelindungan-pmi",
        values={},
        options={},
    )


def editor_form(page) -> dict[str, str]:
    form = soup(page).select_one("form.pasal-edit")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    data.update({t["name"]: t.text for t in form.select("textarea")})
    return data


def latest(db, draft):
    db.refresh(draft)
    return drafts.get_revision(db, draft=draft, number=draft.latest_number)


def test_edit_a_pasal_with_a_reference_and_see_it_in_preview_and_comparison(client, db, draft):
    client.login_as(db, "operator")
    page = client.get(f"/rancangan/{draft.id}/pasal?pasal=tugas.pemdes")
    assert page.status_code == 200
    html = soup(page)
    assert [f["data-unit"] for f in html.select("fieldset.unit")] == ["1", "2", "3"]
    tokens = [o["value"] for o in html.select("[data-testid=ref-pick] option")]
    assert "[[ref:pendataan.kewajiban]]" in tokens and "[[ref:tugas.pemdes/1]]" in tokens
    data = editor_form(page)
    data["teks_3"] = (
        "Pelaksanaan tugas menurut [[ref:pendataan.kewajiban]] dikoordinasikan <b>Kades</b>."
    )
    data["hapus_2"] = "on"
    saved = client.post(f"/rancangan/{draft.id}/pasal", data)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?tersimpan=2")
    revision = latest(db, draft)
    assert revision.edits == [
        {"op": "set_text", "pasal": "tugas.pemdes", "ayat": 3, "text": data["teks_3"]},
        {"op": "remove_ayat", "pasal": "tugas.pemdes", "ayat": 2},
    ]
    workspace = client.get(f"/rancangan/{draft.id}")
    preview = first_preview(client, workspace)
    number = next(s[1] for s in revision.sections if s[0] == "pendataan.kewajiban")
    assert f"(2) Pelaksanaan tugas menurut {number} dikoordinasikan <b>Kades</b>." in preview.text
    assert "<b>Kades</b>" not in workspace.text  # escaped, never markup
    assert "(diubah)" in soup(workspace).select_one("[data-testid=edit-pasal-choice]").text
    compare = soup(client.get(f"/rancangan/{draft.id}/bandingkan?a=1&b=2"))
    section = compare.select_one("section[data-clause='tugas.pemdes']")
    assert section.select_one("[data-testid=edited-badge]")
    assert "Kades" in section.select_one("ins").parent.text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nomor {{ nomor }}.", "kode templat"),
        ("Teks\x07berbunyi.", "karakter kendali"),
        ("x" * 100_000, "terlalu panjang"),
        ("Pelanggar dipidana penjara.", "sanksi pidana"),
        ("Lihat [[Pasal 9]].", "dipilih dari daftar"),
        ("", "tidak boleh kosong"),
    ],
)
def test_bad_wording_is_refused_with_422_and_kept_in_the_form(client, db, draft, text, message):
    client.login_as(db, "operator")
    data = editor_form(client.get(f"/rancangan/{draft.id}/pasal?pasal=tugas.pemdes"))
    data["teks_1"] = text
    refused = client.post(f"/rancangan/{draft.id}/pasal", data)
    assert refused.status_code == 422
    html = soup(refused)
    assert message in html.select_one("#e-teks_1").text
    if text.strip() and len(text) < 1000 and "\x07" not in text:
        assert html.select_one("#f-teks_1").text == text
    assert latest(db, draft).number == 1  # nothing written


def test_a_refused_save_or_insert_writes_nothing(client, db, draft):
    """422 (the write runs in a savepoint): no revision, no audit entry, the same newest
    number, even when valid parts (a new ayat) came with the refused one."""
    client.login_as(db, "operator")
    data = editor_form(client.get(f"/rancangan/{draft.id}/pasal?pasal=tugas.pemdes"))

    def written() -> tuple[int | None, int | None]:
        revisions = select(func.count()).select_from(DraftRevision)
        return db.scalar(revisions), db.scalar(select(func.count()).select_from(AuditEntry))

    before = written()
    data["teks_1"] = "Pelanggar dipidana penjara."
    data["teks_baru"] = "Ayat tambahan yang sah."
    assert client.post(f"/rancangan/{draft.id}/pasal", data).status_code == 422
    insert = {"base": "1", "after": "tugas.pemdes", "teks_sisipan": "Lihat {% raw %}."}
    assert client.post(f"/rancangan/{draft.id}/sisipkan", insert).status_code == 422
    assert written() == before
    assert latest(db, draft).number == 1


def test_a_reference_to_a_clause_an_option_removed_is_refused(client, db, draft):
    operator = principal_for(make_user(db, "operator", (LONTAR,)))
    drafts.save_revision(
        db, actor=operator, draft_id=draft.id, base_number=1, values={},
        options={"literasi_keuangan": False},
    )  # fmt: skip
    client.login_as(db, "operator")
    data = editor_form(client.get(f"/rancangan/{draft.id}/pasal?pasal=tugas.pemdes"))
    data["teks_3"] = "Sesuai [[ref:pemberdayaan.literasi]]."
    refused = client.post(f"/rancangan/{draft.id}/pasal", data)
    assert refused.status_code == 422
    assert "merujuk pemberdayaan.literasi yang tidak ada dalam rancangan" in refused.text
    assert latest(db, draft).number == 2


def test_an_option_change_flags_the_orphaned_edit_and_blocks_the_naskah(client, db, draft):
    client.login_as(db, "operator")
    data = editor_form(client.get(f"/rancangan/{draft.id}/pasal?pasal=pemberdayaan.literasi"))
    key = next(
        k for k in data if k.startswith("teks_") and k != "teks_baru" and k != "teks_sisipan"
    )
    data[key] = "Pemerintah Desa menyelenggarakan kelas literasi keuangan setiap bulan."
    assert client.post(f"/rancangan/{draft.id}/pasal", data).status_code == 303
    db.expire_all()
    operator = principal_for(make_user(db, "operator", (LONTAR,)))
    drafts.save_revision(
        db, actor=operator, draft_id=draft.id, base_number=2, values={},
        options={"literasi_keuangan": False},
    )  # fmt: skip
    revision = latest(db, draft)
    assert revision.edits and revision.edits[0]["pasal"] == "pemberdayaan.literasi"  # kept
    flags = soup(client.get(f"/rancangan/{draft.id}")).select_one("[data-testid=edit-flags]")
    assert "tidak disertakan oleh pilihan pasal" in flags.text
    naskah = client.get(f"/rancangan/{draft.id}/revisi/3/docx?jenis=naskah")
    assert naskah.status_code == 422 and "Suntingan tidak dapat diterapkan" in naskah.text
    # The drafter may drop the flagged edit on purpose (a new revision), never silently.
    discard = flags.select_one("form[action$='/pasal/buang']")
    assert discard.select_one("input[name=pasal]")["value"] == "pemberdayaan.literasi"
    stale = client.post(discard["action"], {"base": "2", "pasal": "pemberdayaan.literasi"})
    assert stale.status_code == 409
    dropped = client.post(discard["action"], {"base": "3", "pasal": "pemberdayaan.literasi"})
    assert dropped.status_code == 303
    assert latest(db, draft).edits == []
    assert not soup(client.get(f"/rancangan/{draft.id}")).select_one("[data-testid=edit-flags]")


def test_stale_pasal_save_is_409_with_the_text_kept(client, db, draft):
    client.login_as(db, "operator")
    data = editor_form(client.get(f"/rancangan/{draft.id}/pasal?pasal=tugas.pemdes"))
    operator = principal_for(make_user(db, "operator", (LONTAR,)))
    drafts.save_revision(
        db, actor=operator, draft_id=draft.id, base_number=1, values={}, options={}
    )
    data["teks_3"] = "Rumusan saya."
    stale = client.post(f"/rancangan/{draft.id}/pasal", data)
    assert stale.status_code == 409
    html = soup(stale)
    assert html.select_one("[data-testid=stale-notice]")
    assert html.select_one("#f-teks_3").text == "Rumusan saya."
    assert html.select_one("input[name=base]")["value"] == "2"


def test_insert_a_pasal_and_edit_it(client, db, draft):
    client.login_as(db, "operator")
    page = client.get(f"/rancangan/{draft.id}/pasal?pasal=asas.asas")
    base = soup(page).select_one("form[action$='/sisipkan'] input[name=base]")["value"]
    inserted = client.post(
        f"/rancangan/{draft.id}/sisipkan",
        {"base": base, "after": "asas.asas",
         "teks_sisipan": "Asas gotong royong berlaku.\n\nAsas sebagaimana dimaksud pada "
                         "[[ref:sisipan-1/1]] dijalankan bersama."},
    )  # fmt: skip
    assert inserted.status_code == 303
    revision = latest(db, draft)
    labels = {s[0]: s[1] for s in revision.sections}
    assert labels["sisipan-1"] == "Pasal 3" and labels["asas.tujuan"] == "Pasal 4"
    text = next(s[2] for s in revision.sections if s[0] == "sisipan-1")
    assert "(2) Asas sebagaimana dimaksud pada ayat (1) dijalankan bersama." in text
    editor = client.get(f"/rancangan/{draft.id}/pasal?pasal=sisipan-1")
    assert editor.status_code == 200 and "Pasal sisipan" in editor.text
    bad = client.post(
        f"/rancangan/{draft.id}/sisipkan",
        {"base": str(revision.number), "after": "asas.asas", "teks_sisipan": "{% raw %}"},
    )
    assert bad.status_code == 422 and "kode templat" in bad.text
    assert client.get(f"/rancangan/{draft.id}/pasal?pasal=tidak.ada").status_code == 404


def test_proposed_wording_accepted_rejected_and_stale(client, db, draft):
    client.login_as(db, "pendamping")
    posted = client.post(
        f"/rancangan/{draft.id}/komentar",
        {"clause_id": "tugas.pemdes", "source": "bpd", "text": "Usul BPD",
         "target": "tugas.pemdes#3",
         "proposed": "Pelaksanaan tugas dikoordinasikan Sekretaris Desa."},
        htmx=True,
    )  # fmt: skip
    assert posted.status_code == 200 and "Usulan rumusan" in posted.text
    client.post(
        f"/rancangan/{draft.id}/komentar",
        {"clause_id": "tugas.pemdes", "source": "bpd", "text": "Usul kedua",
         "target": "tugas.pemdes#2", "proposed": "Tugas berlaku bagi semua Penduduk."},
        htmx=True,
    )  # fmt: skip
    bad = client.post(
        f"/rancangan/{draft.id}/komentar",
        {"clause_id": "tugas.pemdes", "source": "bpd", "text": "x",
         "target": "tugas.pemdes#3", "proposed": "{{ 7*7 }}"},
        htmx=True,
    )  # fmt: skip
    assert bad.status_code == 422 and "kode templat" in bad.text
    first, second = db.query(DraftComment).order_by(DraftComment.id).all()
    client.raw.cookies.clear()
    client.login_as(db, "operator")
    accepted = client.post(f"/rancangan/{draft.id}/usulan/{first.id}/terima", {"base": "1"})
    assert accepted.status_code == 303
    db.refresh(first)
    assert first.decision is ProposalDecision.DITERIMA and first.decided_revision == 2
    text = next(s[2] for s in latest(db, draft).sections if s[0] == "tugas.pemdes")
    assert "(3) Pelaksanaan tugas dikoordinasikan Sekretaris Desa." in text
    # The second was opened on revision 1: accepting it now is stale, and it stays open.
    stale = client.post(f"/rancangan/{draft.id}/usulan/{second.id}/terima", {"base": "1"})
    assert stale.status_code == 409
    assert "Tugas berlaku bagi semua Penduduk." in soup(stale).select_one(".proposal-text").text
    db.refresh(second)
    assert second.decision is None and latest(db, draft).number == 2
    rejected = client.post(f"/rancangan/{draft.id}/usulan/{second.id}/tolak")
    assert rejected.status_code == 303
    db.refresh(second)
    assert second.decision is ProposalDecision.DITOLAK and second.resolved_at is not None


def test_a_proposal_on_wording_changed_since_is_409(client, db, draft):
    client.login_as(db, "operator")
    client.post(
        f"/rancangan/{draft.id}/komentar",
        {"clause_id": "tugas.pemdes", "source": "internal", "text": "x",
         "target": "tugas.pemdes#3", "proposed": "Usulan lama."},
    )  # fmt: skip
    data = editor_form(client.get(f"/rancangan/{draft.id}/pasal?pasal=tugas.pemdes"))
    data["teks_3"] = "Rumusan baru yang lain."
    assert client.post(f"/rancangan/{draft.id}/pasal", data).status_code == 303
    comment = db.query(DraftComment).one()
    outdated = client.post(f"/rancangan/{draft.id}/usulan/{comment.id}/terima", {"base": "2"})
    assert outdated.status_code == 409 and "diubah sejak usulan ditulis" in outdated.text
    db.refresh(comment)
    assert comment.decision is None


def test_readers_cannot_edit_or_accept(client, db, draft):
    client.login_as(db, "pendamping")
    assert client.get(f"/rancangan/{draft.id}/pasal?pasal=tugas.pemdes").status_code == 403
    assert client.post(f"/rancangan/{draft.id}/pasal", {"pasal": "tugas.pemdes"}).status_code == 403
    client.raw.cookies.clear()
    client.login_as(db, "operator", (PONTANG,))
    assert client.get(f"/rancangan/{draft.id}/pasal?pasal=tugas.pemdes").status_code == 404


def _adoption_until(db, until: Stage) -> Adoption:
    operator = principal_for(make_user(db, "operator", (LONTAR,)))
    adoption = tracking.start_adoption(db, actor=operator, village_code=LONTAR)
    on = TODAY - timedelta(days=30)
    for stage in [Stage.DIRENCANAKAN, Stage.PENYUSUNAN, Stage.KONSULTASI,
                  Stage.DIAJUKAN_KE_BPD, Stage.PEMBAHASAN]:  # fmt: skip
        tracking.record_step(db, actor=operator, adoption_id=adoption.id, data=step_data(stage, on))
        if stage is until:
            break
    return adoption


def test_disepakati_names_the_revision_marked_for_the_bpd_and_later_changes_show(
    client, db, draft, monkeypatch, tmp_path
):
    client.login_as(db, "operator")
    assert (
        client.post(f"/rancangan/{draft.id}/revisi/1/tandai", {"purpose": "bpd"}).status_code == 303
    )
    adoption = _adoption_until(db, Stage.PEMBAHASAN)
    section = soup(client.get(f"/desa/{LONTAR}/perdes"))
    choice = section.select_one("select[name=draft_revision_id] option[selected]")
    assert choice.text.endswith("revisi 1 — diajukan ke BPD")
    url = f"/desa/{LONTAR}/perdes/{adoption.id}/langkah"
    on = (TODAY - timedelta(days=20)).isoformat()
    agreed = client.post(
        url, {"stage": "disepakati", "occurred_on": on, "berita_acara_number": "BA/1"}, htmx=True
    )  # no revision posted: the one marked for the BPD
    assert agreed.status_code == 200
    revision_1 = drafts.get_revision(db, draft=draft, number=1)
    db.refresh(adoption)
    assert adoption.events[-1].draft_revision_id == revision_1.id
    assert soup(agreed).select_one("[data-testid=agreed-text]") is not None
    assert soup(agreed).select_one("[data-testid=agreed-differs]") is None
    # A change after the agreement is shown in the tracker and the workspace.
    data = editor_form(client.get(f"/rancangan/{draft.id}/pasal?pasal=tugas.pemdes"))
    data["teks_3"] = "Rumusan setelah kesepakatan."
    assert client.post(f"/rancangan/{draft.id}/pasal", data).status_code == 303
    tracker = soup(client.get(f"/desa/{LONTAR}/perdes"))
    assert (
        "berbeda dari naskah yang disepakati"
        in tracker.select_one("[data-testid=agreed-differs]").text
    )
    workspace = soup(client.get(f"/rancangan/{draft.id}"))
    assert (
        "berbeda dari naskah yang disepakati"
        in workspace.select_one("[data-testid=agreed-notice]").text
    )


def test_disepakati_refuses_a_revision_of_another_villages_draft(client, db, draft, regions):
    admin = principal_for(make_user(db, "admin"))
    other = drafts.create_draft(
        db, actor=admin, village_code=PONTANG, template_slug="pelindungan-pmi",
        values={"nama_kepala_desa": "Sardi", "nama_sekretaris_desa": "Rohim"}, options={},
    )  # fmt: skip
    foreign = drafts.get_revision(db, draft=other, number=1)
    adoption = _adoption_until(db, Stage.PEMBAHASAN)
    client.login_as(db, "operator")
    refused = client.post(
        f"/desa/{LONTAR}/perdes/{adoption.id}/langkah",
        {"stage": "disepakati", "occurred_on": (TODAY - timedelta(days=20)).isoformat(),
         "berita_acara_number": "BA/1", "draft_revision_id": str(foreign.id)},
        htmx=True,
    )  # fmt: skip
    assert refused.status_code == 422
    assert "tidak ditemukan pada rancangan Perdes desa ini" in refused.text
    db.refresh(adoption)
    assert adoption.current_stage is Stage.PEMBAHASAN


def test_tracker_number_and_dates_fill_the_naskah_and_the_scan_is_the_official_text(
    client, db, draft, monkeypatch, tmp_path
):
    monkeypatch.setenv("PERDES_TEMPLATES_DIR", str(verified_templates(tmp_path)))
    client.login_as(db, "operator")
    client.post(f"/rancangan/{draft.id}/revisi/1/tandai", {"purpose": "bpd"})
    adoption = _adoption_until(db, Stage.PEMBAHASAN)
    operator = principal_for(make_user(db, "operator", (LONTAR,)))
    start = TODAY - timedelta(days=20)
    for offset, stage, extra in [
        (0, Stage.DISEPAKATI, {}),
        (1, Stage.DISERAHKAN, {}),
        (2, Stage.DITETAPKAN, {"perdes_number": "7"}),
        (3, Stage.DIUNDANGKAN, {"lembaran_year": str(start.year), "lembaran_number": "7"}),
    ]:
        data = {**step_data(stage, start + timedelta(days=offset)), **extra}
        tracking.record_step(db, actor=operator, adoption_id=adoption.id, data=data)
    naskah = client.get(f"/rancangan/{draft.id}/revisi/1/docx?jenis=naskah")
    assert naskah.status_code == 200, naskah.text[:500]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(naskah.content)).paragraphs)
    year = (start + timedelta(days=2)).year
    assert f"NOMOR 7 TAHUN {year}" in text
    assert f"LEMBARAN DESA LONTAR TAHUN {start.year} NOMOR 7" in text
    assert "RANCANGAN" not in text
    # The signed scan uploaded at "diundangkan" is the official text.
    section = soup(client.get(f"/desa/{LONTAR}/perdes"))
    promulgated = section.select_one("li[data-stage=diundangkan]")
    upload = promulgated.select_one("form[enctype='multipart/form-data']")["action"]
    stored = client.post(
        upload, {}, files={"file": ("perdes-7-bertanda-tangan.pdf", PDF, "application/pdf")}
    )
    assert stored.status_code in (200, 303)
    tracker = soup(client.get(f"/desa/{LONTAR}/perdes"))
    assert tracker.select_one("[data-testid=official-scan]").text == "perdes-7-bertanda-tangan.pdf"
    workspace = soup(client.get(f"/rancangan/{draft.id}"))
    link = workspace.select_one("[data-testid=official-scan]")
    assert client.get(link["href"]).content == PDF


def test_add_an_ayat_then_restore_the_template_wording_and_a_removed_ayat(client, db, draft):
    client.login_as(db, "operator")
    url = f"/rancangan/{draft.id}/pasal"
    data = editor_form(client.get(f"{url}?pasal=hak.keluarga"))  # a Pasal without ayat
    data["teks_baru"] = "Hak sebagaimana dimaksud pada [[ref:hak.keluarga/1]] tanpa biaya."
    assert client.post(url, data).status_code == 303
    text = next(s[2] for s in latest(db, draft).sections if s[0] == "hak.keluarga")
    assert text.startswith("(1) Keluarga PMI berhak:")
    assert "(2) Hak sebagaimana dimaksud pada ayat (1) tanpa biaya." in text
    # Remove ayat (2) of another Pasal and change its ayat (1).
    data = editor_form(client.get(f"{url}?pasal=informasi.sosialisasi"))
    data["hapus_2"] = "on"
    data["teks_1"] = "Sosialisasi dilakukan setiap bulan."
    assert client.post(url, data).status_code == 303
    page = soup(client.get(f"{url}?pasal=informasi.sosialisasi"))
    assert page.select_one("[data-testid=removed-ayat]") is not None
    assert page.select_one("input[name=pulihkan_1]") is not None  # wording differs
    data = editor_form(client.get(f"{url}?pasal=informasi.sosialisasi"))
    data["pulihkan_1"] = data["pulihkan_2"] = "on"
    assert client.post(url, data).status_code == 303
    revision = latest(db, draft)
    assert [e["pasal"] for e in revision.edits] == ["hak.keluarga"]  # back to the template
    first = drafts.get_revision(db, draft=draft, number=1)
    original = next(s[2] for s in first.sections if s[0] == "informasi.sosialisasi")
    assert next(s[2] for s in revision.sections if s[0] == "informasi.sosialisasi") == original
    # Removing every ayat is refused.
    data = editor_form(client.get(f"{url}?pasal=informasi.sosialisasi"))
    data["hapus_1"] = data["hapus_2"] = "on"
    refused = client.post(url, data)
    assert refused.status_code == 422 and "sedikitnya satu ayat" in refused.text


def test_removing_an_ayat_another_pasal_refers_to_is_refused(client, db, draft):
    client.login_as(db, "operator")
    data = editor_form(client.get(f"/rancangan/{draft.id}/pasal?pasal=prosedural.sasaran"))
    data["hapus_2"] = "on"
    refused = client.post(f"/rancangan/{draft.id}/pasal", data)
    assert refused.status_code == 422
    assert "dirujuk oleh pengawasan.laporan" in soup(refused).select_one(".field-error").text
    assert latest(db, draft).number == 1
