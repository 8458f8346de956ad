"""The drafting workspace through HTTP: new draft, preview, save, stale save, compare,
comments, downloads."""

import io
import re

import docx
import pytest
from bs4 import BeautifulSoup

from perdes.accounts.principal import Principal
from perdes.drafting.loader import list_templates
from perdes.drafting.workspace import pdf as pdf_module
from perdes.drafting.workspace import services as drafts
from perdes.drafting.workspace.models import Draft
from perdes.profiles import services as profiles
from perdes.tracking.after_the_fact import record_after_the_fact
from perdes.tracking.services import TEXT_LIMITS
from tests.factories import KELURAHAN, LONTAR, PONTANG

PROFILE = {
    "sebutan_desa": "Desa",
    "sebutan_kepala_desa": "Kepala Desa",
    "sebutan_bpd": "Badan Permusyawaratan Desa",
    "kepala_desa_name": "Ahmad Sobari",
    "sekretaris_desa_name": "Junaedi",
}


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def first_preview(client, page):
    """A drafting page's preview (new draft, workspace) as the browser shows it: the page
    loads it right after itself (``hx-get`` … ``hx-trigger="load"``)."""
    loader = BeautifulSoup(page.text, "html.parser").select_one("#preview [hx-get]")
    assert loader is not None and loader["hx-trigger"] == "load"
    response = client.get(loader["hx-get"], htmx=True)
    assert response.status_code == 200, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture()
def lontar_profile(db, regions):
    profiles.update_profile(db, actor=Principal.system(), code=LONTAR, data=PROFILE)


def form_of(page_html: str) -> dict[str, object]:
    """The workspace form as a browser would post it (ticked boxes only)."""
    form = BeautifulSoup(page_html, "html.parser").select_one("#draft-form")
    data: dict[str, object] = {}
    for field in form.select("input, select, textarea"):
        name = field.get("name")
        if not name:
            continue
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = chosen["value"] if chosen else ""
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data.setdefault(name, [])
                data[name].append(field["value"])  # type: ignore[union-attr]
        elif field.name == "textarea":
            data[name] = field.text
        else:
            data[name] = field.get("value", "")
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in data.items()}


def create(client) -> int:
    page = client.get(f"/desa/{LONTAR}/rancangan/baru")
    response = client.post(f"/desa/{LONTAR}/rancangan", form_of(page.text))
    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"].endswith("?tersimpan=1")
    return int(response.headers["location"].split("?")[0].rsplit("/", 1)[1])


def test_new_draft_form_is_prefilled_and_previewed(client, db, lontar_profile):
    client.login_as(db, "operator")
    page = client.get(f"/desa/{LONTAR}/rancangan/baru")
    assert page.status_code == 200
    html = soup(page)
    preview = first_preview(client, page)
    assert "PERATURAN DESA LONTAR" in preview.text and "AHMAD SOBARI" in preview.text
    assert html.select_one("#f-o_pengasuhan_anak").has_attr("checked")


def test_live_preview_follows_options_and_reports_errors(client, db, lontar_profile):
    client.login_as(db, "operator")
    data = form_of(client.get(f"/desa/{LONTAR}/rancangan/baru").text)
    full = client.post(f"/desa/{LONTAR}/rancangan/pratinjau", data, htmx=True)
    fewer = client.post(
        f"/desa/{LONTAR}/rancangan/pratinjau",
        {k: v for k, v in data.items() if k != "o_pengasuhan_anak"},
        htmx=True,
    )
    assert full.status_code == fewer.status_code == 200
    count = lambda r: len(soup(r).select("section[id^=pasal-]"))  # noqa: E731
    assert count(fewer) == count(full) - 1
    bad = client.post(f"/desa/{LONTAR}/rancangan/pratinjau", {**data, "v_tahun": "abad"}, htmx=True)
    assert bad.status_code == 422 and "tahun" in bad.text
    xss = client.post(
        f"/desa/{LONTAR}/rancangan/pratinjau",
        {**data, "v_nama_balai": "<script>alert(1)</script>"},
        htmx=True,
    )
    assert "<script>alert" not in xss.text and "&lt;script&gt;" in xss.text


def test_create_save_and_compare(client, db, lontar_profile):
    client.login_as(db, "operator")
    draft_id = create(client)
    page = client.get(f"/rancangan/{draft_id}")
    assert page.status_code == 200
    data = form_of(page.text)
    assert data["base"] == "1"
    data.update({"v_nama_balai": "BP3MI Banten", "message": "masukan BPD"})
    data.pop("o_pengasuhan_anak")
    saved = client.post(f"/rancangan/{draft_id}/revisi", data)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/rancangan/{draft_id}?tersimpan=2"
    notice = soup(client.get(saved.headers["location"])).select_one("[data-testid=saved-notice]")
    assert notice is not None and "Revisi 2 tersimpan" in notice.text
    workspace = soup(client.get(f"/rancangan/{draft_id}"))
    assert workspace.select_one("[data-testid=saved-notice]") is None
    assert workspace.select_one("[data-testid=revision-2]") and "masukan BPD" in workspace.text
    compare = client.get(f"/rancangan/{draft_id}/bandingkan?a=1&b=2")
    html = soup(compare)
    assert "BP3MI Banten" in " ".join(i.text for i in html.select("ins"))
    assert html.select("[data-testid=renumbered]"), "numbering shift is noted"
    assert html.select_one("section.diff-removed")


def test_stale_save_shows_the_newer_revision_and_keeps_the_input(client, db, lontar_profile):
    client.login_as(db, "operator")
    draft_id = create(client)
    old_form = form_of(client.get(f"/rancangan/{draft_id}").text)
    client.post(f"/rancangan/{draft_id}/revisi", {**old_form, "v_nama_balai": "Versi orang lain"})
    mine = {**old_form, "v_nama_balai": "Versi saya"}
    response = client.post(f"/rancangan/{draft_id}/revisi", mine)
    assert response.status_code == 409
    html = soup(response)
    assert "sudah disimpan orang lain" in html.select_one("[data-testid=stale-notice]").text
    assert html.select_one("#f-v_nama_balai")["value"] == "Versi saya"
    assert html.select_one("input[name=base]")["value"] == "2"
    again = client.post(f"/rancangan/{draft_id}/revisi", form_of(response.text))
    assert again.status_code == 303
    db.expire_all()
    assert db.get(Draft, draft_id).latest_number == 3


def test_invalid_save_rerenders_with_field_errors(client, db, lontar_profile):
    client.login_as(db, "operator")
    draft_id = create(client)
    data = {**form_of(client.get(f"/rancangan/{draft_id}").text), "v_batas_lapor_hari": "-5"}
    response = client.post(f"/rancangan/{draft_id}/revisi", data)
    assert response.status_code == 422
    assert soup(response).select_one("[data-testid=form-errors]")
    assert "HX-Push-Url" not in response.headers  # a plain browser: nothing pushed anyway
    boosted = {"HX-Request": "true", "HX-Boosted": "true"}
    again = client.post(f"/rancangan/{draft_id}/revisi", data, headers=boosted)
    # htmx must not put the POST address in the address bar (a reload would be 405)
    assert again.status_code == 422 and again.headers["HX-Push-Url"] == "false"
    assert "HX-Push-Url" not in client.get(f"/rancangan/{draft_id}", headers=boosted).headers
    db.expire_all()
    assert db.get(Draft, draft_id).latest_number == 1


def test_downloads_docx_with_comments_print_and_pdf(client, db, lontar_profile, monkeypatch):
    client.login_as(db, "operator")
    draft_id = create(client)
    draft = db.get(Draft, draft_id)
    clause = drafts.get_revision(db, draft=draft, number=1).sections[2][0]
    client.post(
        f"/rancangan/{draft_id}/komentar",
        {"clause_id": clause, "source": "bpd", "text": "Perjelas jangka waktu."},
    )
    plain = client.get(f"/rancangan/{draft_id}/revisi/1/docx")
    assert plain.status_code == 200
    assert (
        'filename="Rancangan-Perdes-PMI-Lontar-revisi-1.docx"'
        in plain.headers["content-disposition"]
    )
    document = docx.Document(io.BytesIO(plain.content))
    assert any("PERATURAN DESA LONTAR" in p.text for p in document.paragraphs)
    commented = client.get(f"/rancangan/{draft_id}/revisi/1/docx?komentar=1")
    assert "Lontar-revisi-1-dengan-komentar.docx" in commented.headers["content-disposition"]
    with_comments = docx.Document(io.BytesIO(commented.content))
    assert [c.text for c in with_comments.comments] == ["[BPD] Perjelas jangka waktu."]
    printed = client.get(f"/rancangan/{draft_id}/revisi/1/cetak")
    assert "PERATURAN DESA LONTAR" in printed.text
    assert re.search(r"/static/css/print\.[0-9a-f]{10}\.css", printed.text)
    page = soup(printed)
    assert page.select_one("[data-print]").text == "Cetak" and "Ctrl+P" not in printed.text
    assert page.select_one("script[src*='/js/app.']"), "the Cetak button works through app.js"
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    unavailable = client.get(f"/rancangan/{draft_id}/revisi/1/pdf")
    assert unavailable.status_code == 503 and "LibreOffice" in unavailable.text


def test_roles_in_the_workspace(client, db, lontar_profile):
    client.login_as(db, "operator")
    draft_id = create(client)
    client.raw.cookies.clear()
    client.login_as(db, "pendamping")
    page = soup(client.get(f"/rancangan/{draft_id}"))
    assert not page.select_one("#draft-form"), "a pendamping does not edit"
    assert page.select_one("textarea[name=text]"), "but comments"
    clause = drafts.get_revision(db, draft=db.get(Draft, draft_id), number=1).sections[3][0]
    ok = client.post(
        f"/rancangan/{draft_id}/komentar",
        {"clause_id": clause, "source": "pendamping", "text": "Usul"},
        htmx=True,
    )
    assert ok.status_code == 200 and "Usul" in ok.text and "<html" not in ok.text
    assert client.post(f"/rancangan/{draft_id}/revisi", {"base": "1"}).status_code == 403
    empty = client.post(
        f"/rancangan/{draft_id}/komentar",
        {"clause_id": clause, "source": "pendamping", "text": ""},
        htmx=True,
    )
    assert empty.status_code == 422 and "Wajib diisi." in empty.text
    client.raw.cookies.clear()
    client.login_as(db, "pemantau")
    assert client.get(f"/rancangan/{draft_id}").status_code == 200
    assert (
        client.post(
            f"/rancangan/{draft_id}/komentar", {"clause_id": clause, "source": "bpd", "text": "x"}
        ).status_code
        == 403
    )
    client.raw.cookies.clear()
    client.login_as(db, "operator", ("36.04.12.2001",))
    assert client.get(f"/rancangan/{draft_id}").status_code == 404
    assert client.get(f"/desa/{PONTANG}/rancangan").status_code == 200


def test_kelurahan_page_says_why_there_is_no_perdes(client, db, regions):
    client.login_as(db, "admin")
    page = client.get(f"/desa/{KELURAHAN}/rancangan")
    assert "tidak membentuk Peraturan Desa" in page.text
    assert not soup(page).select_one(f"form[action='/desa/{KELURAHAN}/rancangan/baru']")


def test_new_draft_fields_are_prefilled_from_the_profile_and_the_year(client, db, lontar_profile):
    from perdes.tracking.deadlines import local_today

    client.login_as(db, "operator")
    html = soup(client.get(f"/desa/{LONTAR}/rancangan/baru"))
    assert html.select_one("#f-v_nama_kepala_desa")["value"] == "Ahmad Sobari"
    assert html.select_one("#f-v_nama_sekretaris_desa")["value"] == "Junaedi"
    assert html.select_one("#f-v_tahun")["value"] in {
        str(local_today().year),
        str(local_today().year - 1),
    }


def record_lontar_perdes(db, *, number: str) -> None:  # type: ignore[no-untyped-def]
    """Lontar's Perdes on PMI, recorded after the fact: enacted 10 March 2019 as ``number``,
    promulgated the next day in the Lembaran Desa under the same number."""
    record_after_the_fact(
        db,
        actor=Principal.system(),
        village_code=LONTAR,
        data={
            "title": "Pelindungan Pekerja Migran Indonesia",
            "agreed_on": "2019-03-01",
            "berita_acara_number": "BA/01/2019",
            "enacted_on": "2019-03-10",
            "perdes_number": number,
            "promulgated_on": "2019-03-11",
            "lembaran_year": "2019",
            "lembaran_number": number,
            "berita_desa_number": "",
        },
    )


def test_numbers_recorded_in_the_tracker_fill_the_draft(client, db, lontar_profile):
    """A Perdes number and dates recorded in the tracker are not typed again."""
    record_lontar_perdes(db, number="4")
    client.login_as(db, "operator")
    page = client.get(f"/desa/{LONTAR}/rancangan/baru")
    html = soup(page)
    number = html.select_one("#f-v_nomor")
    assert number["value"] == "4" and number.has_attr("readonly")
    assert html.select_one("#f-v_tanggal_penetapan")["value"] == "2019-03-10"
    assert html.select_one("#f-v_tahun")["value"] == "2019"
    assert "dari Tahapan Perdes" in html.select_one("label[for=f-v_nomor]").text
    assert "NOMOR 4 TAHUN 2019" in first_preview(client, page).text
    draft_id = create(client)
    revision = drafts.get_revision(db, draft=db.get(Draft, draft_id), number=1)
    assert revision.values["nomor"] == "4"


def test_the_longest_numbers_the_tracker_takes_still_open_the_draft(client, db, lontar_profile):
    """A number as long as the tracker accepts (30 characters, e.g. "141/12/2025" and longer
    local formats) fills the draft; once it made every page of the draft 422 (the template
    took 10)."""
    longest = "141/12/2025/PEMDES-LONTAR/ABCD"
    assert len(longest) == TEXT_LIMITS["perdes_number"] == TEXT_LIMITS["lembaran_number"]
    record_lontar_perdes(db, number=longest)
    client.login_as(db, "operator")
    page = client.get(f"/desa/{LONTAR}/rancangan/baru")
    assert page.status_code == 200
    assert f"NOMOR {longest} TAHUN 2019" in first_preview(client, page).text
    draft_id = create(client)
    assert client.get(f"/rancangan/{draft_id}").status_code == 200
    word = client.get(f"/rancangan/{draft_id}/revisi/1/docx")
    assert word.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert longest in text


def test_every_template_takes_the_numbers_the_tracker_takes():
    """Each variable the tracker fills (the Perdes number, the Lembaran Desa number, and in
    the companion templates the Perdes they implement) accepts as many characters as the
    tracker does."""
    filled = {
        "nomor": "perdes_number",
        "nomor_lembaran": "lembaran_number",
        "perdes_nomor": "perdes_number",
        "perdes_lembaran_nomor": "lembaran_number",
    }
    checked = 0
    for info in list_templates():
        slug = info.slug
        variables = drafts.template_for(slug).variables
        for name, source in filled.items():
            if name in variables:
                limit = variables[name].max_length
                assert limit >= TEXT_LIMITS[source], (slug, name, limit)
                checked += 1
    assert checked >= 7


def test_draft_form_is_in_steps_with_citations_collapsed(client, db, lontar_profile):
    client.login_as(db, "operator")
    html = soup(client.get(f"/desa/{LONTAR}/rancangan/baru"))
    steps = [a.text for a in html.select(".steps-nav a")]
    assert steps == [
        "Data desa dan nomor",
        "Pejabat",
        "Pilihan pasal",
        "Dasar hukum",
        "Pratinjau",
    ]
    assert html.select_one("#step-pejabat #f-v_nama_kepala_desa")
    assert html.select_one("#step-pasal #f-o_sanksi")
    citations = html.select_one("details#step-dasar-hukum")
    assert citations is not None and not citations.has_attr("open")
    assert html.select_one("#draft-form").has_attr("novalidate")
    assert html.select_one("#draft-form .action-bar [data-testid=save]").text == "Simpan rancangan"


def test_workspace_action_bar_offers_the_latest_revision_downloads(client, db, lontar_profile):
    client.login_as(db, "operator")
    draft_id = create(client)
    bar = soup(client.get(f"/rancangan/{draft_id}")).select_one("#draft-form .action-bar")
    links = {a["data-testid"]: a["href"] for a in bar.select("a")}
    assert links == {
        "download-word": f"/rancangan/{draft_id}/revisi/1/docx",
        "download-naskah": f"/rancangan/{draft_id}/revisi/1/docx?jenis=naskah",
        "download-pdf": f"/rancangan/{draft_id}/revisi/1/pdf",
        "print": f"/rancangan/{draft_id}/revisi/1/cetak",
        "download-akn": f"/rancangan/{draft_id}/revisi/1/akn",
    }
    # the text to be signed sits right after "Unduh Word" and is named as such
    order = [a["data-testid"] for a in bar.select("a")]
    assert order.index("download-naskah") == order.index("download-word") + 1
    naskah_link = bar.select_one("[data-testid=download-naskah]")
    assert naskah_link.get_text(strip=True) == "Naskah untuk ditandatangani"
    # following it while markers remain shows why it cannot be made yet
    refused = client.get(naskah_link["href"])
    assert refused.status_code == 422
    assert "Naskah untuk ditandatangani belum dapat dibuat" in refused.text
    client.login_as(db, "pemantau")
    reader_bar = soup(client.get(f"/rancangan/{draft_id}")).select_one(".action-bar")
    assert reader_bar.select_one("button") is None and reader_bar.select_one("a[download]")


def test_rancangan_and_naskah_downloads(client, db, lontar_profile):
    """Two kinds of output with distinct names; the naskah is refused, listing what to
    complete, while anything is unverified or blank (issue #12, 1)."""
    client.login_as(db, "operator")
    draft_id = create(client)
    workspace = soup(client.get(f"/rancangan/{draft_id}"))
    assert workspace.select_one("[data-testid=naskah-1]")
    rancangan = client.get(f"/rancangan/{draft_id}/revisi/1/docx")
    assert rancangan.status_code == 200
    assert (
        'filename="Rancangan-Perdes-PMI-Lontar-revisi-1.docx"'
        in rancangan.headers["content-disposition"]
    )
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(rancangan.content)).paragraphs)
    assert text.startswith("RANCANGAN") and "[belum diverifikasi]" in text
    naskah = client.get(f"/rancangan/{draft_id}/revisi/1/docx?jenis=naskah")
    assert naskah.status_code == 422
    assert "Naskah untuk ditandatangani belum dapat dibuat" in naskah.text
    page = soup(naskah)
    village = page.select_one("[data-testid=for-village]").text
    assert "Nomor Peraturan belum diisi" in village  # the draft has no number yet
    catalogue = page.select_one("[data-testid=for-catalogue]").text
    assert "Dasar hukum angka" in catalogue and "belum diverifikasi" in catalogue
    assert "(Undang-Undang Nomor 18 Tahun 2017 tentang Pelindungan Pekerja Migran" in catalogue
    assert "uu-18-2017" not in naskah.text and "mengingat." not in naskah.text  # no raw keys
    assert "Dasar hukum" not in village  # the village is not asked to fix the catalogue
    back = page.select_one("a.button[href]")
    assert back.text == "Kembali ke rancangan" and back["href"] == f"/rancangan/{draft_id}"
    assert client.get(f"/rancangan/{draft_id}/revisi/1/docx?jenis=lain").status_code == 422
