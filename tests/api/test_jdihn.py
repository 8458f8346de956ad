"""JDIHN metadata of promulgated Perdes."""

from perdes.accounts.principal import Principal
from perdes.exchange.jdihn import metadata
from perdes.profiles import services as profiles
from tests.api.conftest import assert_error
from tests.api.seed import STEPS_TO_PROMULGATION, promulgated_adoption
from tests.factories import LONTAR, SUSUKAN

FIELDS = {
    "idData", "tahun_pengundangan", "tanggal_penetapan", "tanggal_pengundangan", "jenis",
    "noPeraturan", "judul", "noPanggil", "singkatanJenis", "tempatTerbit", "penerbit",
    "deskripsiFisik", "sumber", "subjek", "isbn", "status", "bahasa", "bidangHukum",
    "teuBadan", "nomorIndukBuku", "fileDownload", "urlDownload", "abstrak", "urlabstrak",
    "urlDetailPeraturan", "operasi", "display",
}  # fmt: skip


def test_jdihn_record_of_a_promulgated_perdes(api, db):
    adoption = promulgated_adoption(db, LONTAR)
    record = api("pemantau").get(f"/api/v1/villages/{LONTAR}/adoptions/{adoption.id}/jdihn")
    assert record.status_code == 200, record.text
    body = record.json()
    assert set(body) == FIELDS
    year = str(adoption.promulgated_on.year)
    assert body["jenis"] == "Peraturan Desa" and body["singkatanJenis"] == "Perdes"
    assert body["noPeraturan"] == "3"
    assert body["judul"] == (
        f"Peraturan Desa Lontar Nomor 3 Tahun {year} tentang Pelindungan Pekerja Migran Indonesia"
    )
    assert body["tanggal_pengundangan"] == adoption.promulgated_on.isoformat()
    assert body["tanggal_penetapan"] == adoption.enacted_on.isoformat()
    assert body["sumber"] == f"LD Desa Lontar Tahun {year} No. 3"
    assert body["tempatTerbit"] == "Lontar" and body["teuBadan"] == "Desa Lontar"
    assert body["status"] == "Berlaku" and body["operasi"] == "4" and body["display"] == "1"
    assert body["abstrak"] == "Ringkasan uji."


def test_local_term_for_desa_is_used(api, db):
    adoption = promulgated_adoption(db, LONTAR)
    profiles.update_profile(
        db,
        actor=Principal.system(),
        code=LONTAR,
        data={"sebutan_desa": "Nagari", "sebutan_kepala_desa": "Wali Nagari", "sebutan_bpd": "BPN"},
    )
    body = api("admin").get(f"/api/v1/villages/{LONTAR}/adoptions/{adoption.id}/jdihn").json()
    assert body["teuBadan"] == "Nagari Lontar" and body["judul"].startswith("Peraturan Nagari")


def test_not_yet_promulgated_is_404(api, db):
    before = len(STEPS_TO_PROMULGATION) - 1
    adoption = promulgated_adoption(db, LONTAR, steps=before)
    url = f"/api/v1/villages/{LONTAR}/adoptions/{adoption.id}/jdihn"
    assert_error(api("admin").get(url), 404)
    assert api("admin").get("/api/v1/regions/36.04/jdihn").json()["items"] == []


def test_region_list_within_scope(api, db):
    lontar = promulgated_adoption(db, LONTAR)
    susukan = promulgated_adoption(db, SUSUKAN)
    monitor = api("pemantau")
    listed = monitor.get("/api/v1/regions/36.04.13/jdihn", params={"per_page": 1}).json()
    assert listed["meta"]["total"] == 2 and listed["meta"]["next_page"] == 2
    everything = monitor.get("/api/v1/regions/36/jdihn").json()["items"]
    assert {r["idData"] for r in everything} == {f"{LONTAR}-{lontar.id}", f"{SUSUKAN}-{susukan.id}"}
    operator = api("operator")
    mine = operator.get("/api/v1/regions/36.04/jdihn").json()["items"]
    assert [r["idData"] for r in mine] == [f"{LONTAR}-{lontar.id}"]
    assert_error(operator.get(f"/api/v1/villages/{SUSUKAN}/adoptions/{susukan.id}/jdihn"), 404)
    assert_error(api("pemantau", ("32",)).get("/api/v1/regions/36/jdihn"), 404)
    assert_error(operator.get("/api/v1/regions/99/jdihn"), 404)


def test_metadata_is_pure(db):
    from types import SimpleNamespace

    adoption = SimpleNamespace(
        id=7, title="Pelindungan PMI", summary="", perdes_number="", lembaran_year=None,
        lembaran_number="", promulgated_on=None, enacted_on=None,
    )  # fmt: skip
    village = SimpleNamespace(code="36.04.13.2007", name="Lontar")
    record = metadata(SimpleNamespace(adoption=adoption, village=village, sebutan_desa=""))
    assert record["judul"] == "Peraturan Desa Lontar Nomor … Tahun … tentang Pelindungan PMI"
    assert record["tahun_pengundangan"] == ""
