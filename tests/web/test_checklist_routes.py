"""The checklist through the HTTP client: village page, item widgets, verification, queue."""

import pytest
from bs4 import BeautifulSoup

from perdes.accounts.principal import Principal
from perdes.checklist.framework import bundled_files, load_framework_file
from perdes.checklist.loading import load_framework
from tests.factories import LONTAR, PONTANG, make_user

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SLUG = "desa-pmi-prosedural"
ITEM = "satgas-komunitas-pmi"
BASE = f"/desa/{LONTAR}/ceklis/{SLUG}/{ITEM}"


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture()
def framework(db, regions):
    return load_framework(
        db,
        actor=Principal.system(),
        framework=load_framework_file(bundled_files()[0]),
        source="v1.yaml",
    ).row


def login(client, db, role, scopes=()):
    user = make_user(db, role, scopes)
    client.login(user.username)
    return user


def widget(html, item=ITEM):
    return html.select_one(f"article#butir-{item}")


def opened(client, html, item=ITEM):
    """The item's widget as the browser shows it once its form is opened: the village page
    carries no form; opening <details class=ck-edit> fetches it (hx-get) into its body."""
    found = widget(html, item)
    details = found.select_one("details.ck-edit")
    assert details is not None, "no form to open"
    assert not details.select("form"), "the form is loaded only when opened"
    assert details.select_one(".ck-edit-body a[href]"), "without JavaScript: a link to the form"
    response = client.get(details["hx-get"], htmx=True)
    assert response.status_code == 200 and "<html" not in response.text
    body = details.select_one(".ck-edit-body")
    body.clear()
    body.append(BeautifulSoup(response.text, "html.parser"))
    return found


def explained(client, html, item=ITEM):
    """The item's widget once "Penjelasan, sumber dan bukti" is opened (fetched by htmx)."""
    found = widget(html, item)
    details = found.select_one("details.ck-about")
    assert not details.select("[data-testid=sources]"), "loaded only when opened"
    response = client.get(details["hx-get"], htmx=True)
    assert response.status_code == 200 and "<html" not in response.text
    body = details.select_one(".ck-about-body")
    body.clear()
    body.append(BeautifulSoup(response.text, "html.parser"))
    return found


def seen(client, item=ITEM, code=LONTAR):
    """The answer's version as the item's forms carry it (what a browser would post)."""
    field = soup(client.get(f"/desa/{code}/ceklis/{SLUG}/{item}", htmx=True)).select_one(
        "input[name=version]"
    )
    return field["value"] if field else "0"


def score(html):
    return html.select_one("[data-testid=checklist-score]").get_text(strip=True)


def test_village_page_groups_items_by_pillar_with_score_and_what_is_missing(client, db, framework):
    login(client, db, "operator")
    html = soup(client.get(f"/desa/{LONTAR}"))
    section = html.select_one("#checklist")
    assert section.select_one("h3").get_text(" ", strip=True).startswith("Desa PMI Prosedural")
    pillars = [h.get_text(strip=True) for h in section.select(".ck-pillar-title")]
    assert pillars[0] == "1. Regulasi dan kelembagaan" and len(pillars) == 6
    assert len(section.select("article.ck-item")) == 13
    assert score(html) == "0,0"
    missing = html.select_one("[data-testid=qualification]")
    assert (
        "Belum memenuhi butir wajib (instrumen usulan)" in missing.text
        and len(missing.select("li")) == 7
    )
    assert not section.select("form"), "an operator's answer forms load when opened"
    satgas = opened(client, html)
    assert satgas.select_one("select[name=status]")
    assert "tidak_berlaku" not in [o["value"] for o in satgas.select("option")], "mandatory"
    optional = opened(client, html, "pengasuhan-anak-pmi")
    assert "tidak_berlaku" in [o["value"] for o in optional.select("option")]
    assert not satgas.select_one("form.ck-verify")
    perdes = opened(client, html, "perdes-diundangkan")
    assert perdes.select_one("[data-testid=derived]") and not perdes.select_one("select")
    assert perdes.select_one("form[action$='/catatan'] textarea[name=note]")


def test_evidence_rules_are_in_the_explanation_and_the_form_not_on_the_village_page(
    client, db, framework_v2
):
    login(client, db, "operator", (LONTAR,))
    html = soup(client.get(f"/desa/{LONTAR}"))
    assert not html.select("#checklist [data-testid=evidence-rules]")  # 42 % of its height
    form = opened(client, html, "pengasuhan-anak-pmi")
    rules = form.select_one("form [data-testid=evidence-rules]")
    assert "Tanpa foto atau gambar anak." in rules.text  # beside the file field


def test_pendamping_may_add_notes_and_evidence_but_not_set_the_status(client, db, framework):
    login(client, db, "pendamping")
    satgas = opened(client, soup(client.get(f"/desa/{LONTAR}")))
    assert not satgas.select_one("select[name=status]")
    assert satgas.select_one("form[action$='/catatan'] textarea[name=note]")
    assert satgas.select_one("form[action$='/catatan'] input[type=file]")
    assert client.post(BASE + "/jawaban", {"status": "terpenuhi"}).status_code == 403
    response = client.post(
        BASE + "/catatan", {"note": "Sudah dibahas di musdes.", "version": seen(client)}, htmx=True
    )
    assert response.status_code == 200
    assert "Sudah dibahas di musdes." in widget(soup(response)).select_one(".ck-note").text


def test_monitor_reads_without_forms_and_cannot_answer(client, db, framework):
    login(client, db, "pemantau")
    satgas = widget(soup(client.get(f"/desa/{LONTAR}")))
    assert not satgas.select("form") and not satgas.select("details.ck-edit")
    assert client.get(BASE + "/formulir", htmx=True).status_code == 403
    assert client.post(BASE + "/jawaban", {"status": "terpenuhi"}).status_code == 403
    # (urlencoded: a refused multipart upload is tested at the service level)
    assert client.post(BASE + "/bukti", {}).status_code == 403


def test_the_whole_journey_answer_reject_resubmit_verify(client, db, framework):
    operator, monitor = make_user(db, "operator"), make_user(db, "pemantau")
    client.login(operator.username)
    response = client.post(
        BASE + "/jawaban",
        {"status": "terpenuhi", "note": "SK Kades 5/2026", "version": seen(client)},
        htmx=True,
    )
    assert response.status_code == 200 and "<html" not in response.text
    html = soup(response)
    assert widget(html)["data-verification"] == "menunggu"
    assert widget(html).select_one("[data-outcome]").text.strip().endswith("tersimpan.")
    assert not widget(html).select_one("details.ck-edit").has_attr("open")  # saved: closed
    assert html.select_one("#ck-summary-desa-pmi-prosedural[hx-swap-oob=true]")
    uploaded = client.post(BASE + "/bukti", files={"file": ("sk satgas.pdf", PDF)}, htmx=True)
    assert uploaded.status_code == 200
    link = widget(soup(uploaded)).select_one(".ck-evidence a")
    assert link.get_text() == "sk satgas.pdf"
    download = client.get(link["href"])
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")

    def is_open(html, item=ITEM):
        return widget(html, item).select_one(":scope > details.ck-body").has_attr("open")

    assert not is_open(soup(client.get(f"/desa/{LONTAR}")))  # submitted: nothing to do here
    assert is_open(soup(client.get(BASE)))  # the item's own page shows it open

    client.login(monitor.username)
    queue = soup(client.get("/verifikasi"))
    assert "1 butir menunggu" in queue.select_one("[data-testid=queue-count]").text
    village = soup(client.get(f"/desa/{LONTAR}"))
    assert is_open(village)  # waiting for this monitor: open
    assert not is_open(village, "perdes-diundangkan")  # nothing to do: one closed line
    # on the village page the monitor sees "Verifikasi" and a closed "Tolak dengan alasan"
    pending = widget(soup(client.get(f"/desa/{LONTAR}"))).select_one("form.ck-verify")
    assert pending.select_one("button[value=diverifikasi]")
    reject = pending.select_one("details.ck-reject")
    assert not reject.has_attr("open") and reject.select_one("textarea[name=reason]")
    assert reject.select_one("button[value=ditolak]")
    empty = client.post(BASE + "/verifikasi", {"decision": "ditolak", "version": seen(client)})
    assert empty.status_code == 422  # no reason: the refused form shows its reason field open
    assert widget(soup(empty)).select_one("details.ck-reject").has_attr("open")
    reason = {"decision": "ditolak", "reason": "SK belum bertanda tangan.", "version": seen(client)}
    rejected = client.post(BASE + "/verifikasi", reason, htmx=True)
    assert rejected.status_code == 200
    assert widget(soup(rejected))["data-verification"] == "ditolak"

    client.login(operator.username)
    page = soup(client.get(f"/desa/{LONTAR}"))
    assert is_open(page)  # rejected: open for the village to act on
    assert "SK belum bertanda tangan." in widget(page).select_one("[data-testid=rejection]").text
    resubmit = opened(client, page).select_one("form[action$='/jawaban'] button[type=submit]")
    assert resubmit.get_text() == "Simpan dan ajukan ulang"
    data = {"status": "terpenuhi", "note": "SK bertanda tangan", "version": seen(client)}
    client.post(BASE + "/jawaban", data, htmx=True)

    client.login(monitor.username)
    decision = {"decision": "diverifikasi", "version": seen(client)}
    verified = soup(client.post(BASE + "/verifikasi", decision, htmx=True))
    assert widget(verified)["data-verification"] == "diverifikasi"
    assert score(verified) == "8,7"
    assert score(soup(client.get(f"/desa/{LONTAR}"))) == "8,7"
    history = widget(verified).select(".ck-history li")
    assert len(history) == 5 and "Diverifikasi" in history[0].text


def test_without_javascript_writes_redirect_back_to_the_item(client, db, framework):
    login(client, db, "operator")
    response = client.post(BASE + "/jawaban", {"status": "dalam_proses", "version": "0"})
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/desa/{LONTAR}#butir-{ITEM}")
    page = client.get(BASE)
    assert page.status_code == 200 and soup(page).select_one("html")
    assert widget(soup(page))["data-status"] == "dalam_proses"
    fragment = client.get(BASE, htmx=True)
    assert "<html" not in fragment.text and widget(soup(fragment))


@pytest.mark.parametrize("htmx", [True, False])
def test_invalid_answer_rerenders_the_widget_with_errors_and_422(client, db, framework, htmx):
    login(client, db, "operator")
    url = f"/desa/{LONTAR}/ceklis/{SLUG}/pengasuhan-anak-pmi/jawaban"
    data = {"status": "tidak_berlaku", "note": "<script>x</script>", "version": "0"}
    response = client.post(url, data, htmx=htmx)
    assert response.status_code == 422
    html = soup(response)
    item = widget(html, "pengasuhan-anak-pmi")
    assert "Jelaskan mengapa" in item.select_one(".field-error").text
    assert item.select_one("textarea[name=note]").text == "<script>x</script>"
    assert "<script>x</script>" not in response.text
    assert (html.select_one("html") is None) is htmx


def test_files_that_lie_about_their_type_are_refused(client, db, framework):
    login(client, db, "operator")
    response = client.post(
        BASE + "/bukti", files={"file": ("laporan.pdf", b"MZ\x90\x00" + b"\x00" * 64)}, htmx=True
    )
    assert response.status_code == 422
    assert "Jenis berkas tidak diterima" in widget(soup(response)).select_one(".field-error").text
    empty = client.post(BASE + "/bukti", {}, htmx=True)
    assert empty.status_code == 422


def test_other_villages_and_unknown_items_are_404(client, db, framework):
    login(client, db, "operator")
    assert client.get(f"/desa/{PONTANG}/ceklis/{SLUG}/{ITEM}").status_code == 404
    other = client.post(f"/desa/{PONTANG}/ceklis/{SLUG}/{ITEM}/jawaban", {"status": "terpenuhi"})
    assert other.status_code == 404
    assert client.get(f"/desa/{LONTAR}/ceklis/{SLUG}/tidak-ada").status_code == 404
    assert client.get(f"/desa/{LONTAR}/ceklis/lain/{ITEM}").status_code == 404
    assert client.get(BASE + "/bukti/999999").status_code == 404
    assert client.post(BASE + "/bukti/999999/hapus", {}).status_code == 404


def test_monitor_outside_the_region_sees_nothing(client, db, framework):
    login(client, db, "pemantau", ("32.12",))
    assert client.get(BASE).status_code == 404
    assert client.post(BASE + "/verifikasi", {"decision": "diverifikasi"}).status_code == 404


def test_queue_is_for_monitors_paginated_and_has_a_fragment(client, db, framework):
    login(client, db, "operator")
    assert client.get("/verifikasi").status_code == 403
    for key in ("satgas-komunitas-pmi", "pendataan-pmi", "layanan-pengaduan"):
        url = f"/desa/{LONTAR}/ceklis/{SLUG}/{key}/jawaban"
        client.post(url, {"status": "terpenuhi", "version": "0"})
    login(client, db, "pemantau")
    page = soup(client.get("/verifikasi"))
    assert page.select_one("nav a[href='/verifikasi']") is not None
    rows = page.select("#queue-results tbody tr")
    assert len(rows) == 3 and "Lontar" in rows[0].text
    assert rows[0].select_one("a.ck-queue-item")["href"] == BASE
    fragment = client.get("/verifikasi?halaman=1", htmx=True)
    assert "<html" not in fragment.text and soup(fragment).select_one("#queue-results")
    assert client.get("/verifikasi?halaman=0").status_code == 422


def test_evidence_is_removed_by_its_widget_and_cannot_be_reached_from_another_item(
    client, db, framework
):
    login(client, db, "pendamping")
    uploaded = soup(client.post(BASE + "/bukti", files={"file": ("foto.pdf", PDF)}, htmx=True))
    link = widget(uploaded).select_one(".ck-evidence a")["href"]
    evidence_id = link.rsplit("/", 1)[1]
    other_item = f"/desa/{LONTAR}/ceklis/{SLUG}/pendataan-pmi/bukti/{evidence_id}"
    assert client.get(other_item).status_code == 404
    susukan = f"/desa/36.04.13.2008/ceklis/{SLUG}/{ITEM}/bukti/{evidence_id}"
    assert client.get(susukan).status_code == 404
    removed = client.post(f"{BASE}/bukti/{evidence_id}/hapus", {}, htmx=True)
    assert removed.status_code == 200
    item = widget(soup(removed))
    assert "belum ada" in item.select_one(".ck-evidence").text
    assert "Bukti dihapus" in item.select_one(".ck-history").text
    assert client.get(link).status_code == 404


def test_admin_may_answer_and_verify_anywhere(client, db, framework):
    login(client, db, "admin")
    client.post(BASE + "/jawaban", {"status": "terpenuhi", "version": "0"}, htmx=True)
    decision = {"decision": "diverifikasi", "version": seen(client)}
    verified = soup(client.post(BASE + "/verifikasi", decision, htmx=True))
    assert widget(verified)["data-verification"] == "diverifikasi"
    decision["version"] = seen(client)
    again = client.post(BASE + "/verifikasi", decision, htmx=True)
    assert again.status_code == 422
    assert "sudah tercatat" in again.text


def test_village_page_without_a_loaded_framework_says_so(client, db, regions):
    login(client, db, "operator")
    section = soup(client.get(f"/desa/{LONTAR}")).select_one("#checklist")
    assert "Belum ada kerangka ceklis" in section.text
    assert client.get(BASE).status_code == 404


@pytest.fixture()
def framework_v2(db, regions):
    from perdes.checklist.loading import load_bundled

    return load_bundled(db, actor=Principal.system())[-1].row


def test_v2_item_shows_its_sources_duties_pillar_validity_and_evidence_rules(
    client, db, framework_v2
):
    login(client, db, "operator", (LONTAR,))
    html = soup(client.get(f"/desa/{LONTAR}"))
    assert len(html.select("#checklist article.ck-item")) == 25
    outcome = explained(client, html, "keberangkatan-prosedural")
    assert outcome.select_one("h4").get_text(strip=True) == (
        "Semua keberangkatan warga yang diketahui desa menempuh jalur prosedural"
    )
    assert "Wajib" in outcome.select_one(".ck-badges").text
    rules = outcome.select_one("[data-testid=evidence-rules]").text
    assert "Rekap jumlah, bukan daftar nama." in rules and "BP3MI" in rules
    duties = outcome.select_one("[data-testid=pasal-42]").find_next("ul").text
    assert "huruf d: melakukan pemantauan keberangkatan dan kepulangan" in duties
    sources = outcome.select("[data-testid=sources] li")
    links = {a["href"] for li in sources for a in li.select("a")}
    assert all(href.startswith("https://") for href in links)
    media = [li.text for li in sources if "koranjawapos" in li.a["href"]]
    assert media and media[0].startswith(
        "Kriteria Desa Migran EMAS menurut keterangan KP2MI di media"
    )
    pillar = outcome.select_one("[data-testid=dme-pillar]").text
    assert "menurut keterangan KP2MI di media" in pillar and pillar.strip().endswith("Aman")
    assert "12 bulan sejak diverifikasi" in outcome.text
    assert "register PMI desa" in outcome.text
    children = explained(client, html, "pengasuhan-anak-pmi").select_one(
        "[data-testid=evidence-rules]"
    )
    assert "Tanpa foto atau gambar anak." in children.text


def test_an_expired_item_reads_perlu_diperbarui_on_the_village_page(
    client, db, framework_v2, monkeypatch
):
    from datetime import UTC, date, datetime

    from perdes.checklist import services, validity

    operator = login(client, db, "operator", (LONTAR,))
    from perdes.accounts.services import principal_for

    monitor = principal_for(make_user(db, "pemantau", ("36.04",)))
    item = "layanan-informasi-migrasi"
    common = dict(village_code=LONTAR, framework_slug=SLUG, item_key=item)
    services.answer_item(db, actor=principal_for(operator), status="terpenuhi", **common)
    answer = services.verify_item(db, actor=monitor, decision="diverifikasi", **common)
    answer.verified_at = datetime(2026, 1, 5, 3, tzinfo=UTC)
    db.flush()
    monkeypatch.setattr(validity, "today", lambda: date(2027, 1, 4))
    valid = widget(soup(client.get(f"/desa/{LONTAR}")), item)
    assert valid.select_one("[data-testid=valid-until]").text == "Berlaku sampai 4 Januari 2027."
    monkeypatch.setattr(validity, "today", lambda: date(2027, 1, 5))
    html = soup(client.get(f"/desa/{LONTAR}"))
    expired = widget(html, item)
    assert expired.select_one("[data-testid=verification]").text == "Perlu diperbarui"
    assert "berlaku sampai 4 Januari 2027" in expired.select_one("[data-testid=expired]").text
    missing = html.select_one("[data-testid=qualification]").text
    assert "Perlu diperbarui (berlaku sampai 4 Januari 2027)" in missing


def test_answer_and_file_are_saved_together_or_not_at_all(client, db, framework):
    """One form: a chosen file is never dropped by "Simpan jawaban"; a bad file keeps the
    answer unsaved as well."""
    client.login(make_user(db, "operator").username)
    bad = client.post(
        BASE + "/jawaban",
        {"status": "terpenuhi", "note": "SK Kades", "version": "0"},
        files={"file": ("sk.pdf", b"MZ\x90\x00" + b"\x00" * 64)},
        htmx=True,
    )
    assert bad.status_code == 422
    assert widget(soup(bad))["data-status"] == "belum"
    assert "Belum tersimpan" in soup(bad).select_one(".error-summary").text
    both = client.post(
        BASE + "/jawaban",
        {"status": "terpenuhi", "note": "SK Kades", "version": "0"},
        files={"file": ("sk satgas.pdf", PDF)},
        htmx=True,
    )
    assert both.status_code == 200
    html = widget(soup(both))
    assert html["data-verification"] == "menunggu"
    assert html.select_one(".ck-evidence a").get_text() == "sk satgas.pdf"
    assert "Jawaban dan bukti tersimpan." in html.select_one("[data-outcome]").text
    assert html.select_one("form[enctype='multipart/form-data'] input[type=file]")


def _answer_row(db, item=ITEM):
    from sqlalchemy import select

    from perdes.checklist.models import ChecklistAnswer

    db.expire_all()
    return db.scalar(select(ChecklistAnswer).where(ChecklistAnswer.item_key == item))


@pytest.mark.parametrize("htmx", [True, False])
def test_a_stale_answer_form_gets_409_with_the_input_kept_and_changes_nothing(
    client, db, framework, htmx
):
    """Two operators open the item; the first saves; the second's save is refused."""
    login(client, db, "operator")
    opened = seen(client)  # "0": nobody answered yet
    first = {"status": "dalam_proses", "note": "Rapat pertama", "version": opened}
    assert client.post(BASE + "/jawaban", first, htmx=True).status_code == 200
    before = _answer_row(db)
    stale = {"status": "terpenuhi", "note": "Catatan saya yang <b>lama</b>", "version": opened}
    response = client.post(BASE + "/jawaban", stale, htmx=htmx)
    assert response.status_code == 409
    html = widget(soup(response))
    assert "diubah oleh pengguna lain" in html.select_one("[data-testid=conflict]").text
    assert "Rapat pertama" in html.select_one("[data-testid=conflict]").text  # what is stored
    assert html.select_one("textarea[name=note]").text == "Catatan saya yang <b>lama</b>"
    assert html.select_one("select[name=status] option[selected]")["value"] == "terpenuhi"
    assert html.select_one("input[name=version]")["value"] == str(before.version)
    after = _answer_row(db)
    assert (after.status.value, after.note, after.version) == (
        "dalam_proses",
        "Rapat pertama",
        before.version,
    )
    assert (soup(response).select_one("html") is None) is htmx


@pytest.mark.parametrize("version", ["", "abc", "²", "-1", "99999999999999999999", "1\x00"])
def test_an_answer_form_without_a_valid_version_is_refused_as_stale(client, db, framework, version):
    login(client, db, "operator")
    data = {"status": "dalam_proses", "note": "x", "version": version}
    if not version:
        del data["version"]
    response = client.post(BASE + "/jawaban", data, htmx=True)
    assert response.status_code == 409
    assert _answer_row(db) is None


def test_a_stale_note_form_of_the_pendamping_gets_409_and_changes_nothing(client, db, framework):
    login(client, db, "pendamping")
    opened = seen(client)
    assert (
        client.post(
            BASE + "/catatan", {"note": "Catatan pertama", "version": opened}, htmx=True
        ).status_code
        == 200
    )
    response = client.post(BASE + "/catatan", {"note": "Catatan kedua", "version": opened})
    assert response.status_code == 409
    assert widget(soup(response)).select_one("textarea[name=note]").text == "Catatan kedua"
    assert _answer_row(db).note == "Catatan pertama"


def test_verifying_an_answer_changed_after_the_monitor_opened_it_is_refused(client, db, framework):
    operator, monitor = make_user(db, "operator"), make_user(db, "pemantau")
    client.login(operator.username)
    client.post(BASE + "/jawaban", {"status": "terpenuhi", "note": "SK lama", "version": "0"})
    client.login(monitor.username)
    opened = seen(client)  # the monitor reads the answer "SK lama"
    client.login(operator.username)
    changed = {"status": "terpenuhi", "note": "SK baru", "version": seen(client)}
    assert client.post(BASE + "/jawaban", changed).status_code == 303
    client.login(monitor.username)
    decision = {"decision": "ditolak", "reason": "Belum bertanda tangan.", "version": opened}
    response = client.post(BASE + "/verifikasi", decision, htmx=True)
    assert response.status_code == 409
    html = widget(soup(response))
    assert (
        "Jawaban desa berubah sejak Anda membukanya"
        in html.select_one("[data-testid=conflict]").get_text()
    )
    assert html.select_one("textarea[name=reason]").text == "Belum bertanda tangan."
    row = _answer_row(db)
    assert (row.verification.value, row.note, row.rejection_reason) == ("menunggu", "SK baru", "")
    # with the version now shown, the decision goes through
    decision["version"] = html.select_one("input[name=version]")["value"]
    assert client.post(BASE + "/verifikasi", decision, htmx=True).status_code == 200
    assert _answer_row(db).verification.value == "ditolak"
