"""Read endpoints per role and token scope."""

from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from perdes.drafting.workspace import services as drafts
from tests.api.conftest import assert_error
from tests.api.seed import promulgated_adoption
from tests.factories import KELURAHAN, LONTAR, PONTANG, SUKRA, SUSUKAN


def test_regions_are_limited_to_the_token_scope_with_counts(api, db):
    promulgated_adoption(db, LONTAR)
    operator = api("operator")
    provinces = operator.get("/api/v1/regions").json()
    assert [(p["code"], p["villages"], p["promulgated"]) for p in provinces] == [("36", 1, 1)]
    monitor = api("pemantau")
    districts = monitor.get("/api/v1/regions/36.04/children").json()
    by_code = {d["code"]: d for d in districts}
    assert by_code["36.04.13"]["promulgated"] == 1 and by_code["36.04.13"]["villages"] == 14
    assert by_code["36.04.12"]["promulgated"] == 0
    assert_error(monitor.get("/api/v1/regions/32/children"), 404, "not_found")
    admin = api("admin")
    assert {p["code"] for p in admin.get("/api/v1/regions").json()} >= {"32", "36"}
    villages = admin.get("/api/v1/regions/36.04.13/children").json()
    assert {v["level"] for v in villages} == {"desa"}


def test_village_list_is_paginated_and_carries_stage(api, db):
    promulgated_adoption(db, LONTAR)
    monitor = api("pemantau")
    first = monitor.get("/api/v1/villages", params={"per_page": 10}).json()
    assert first["meta"] == {"page": 1, "per_page": 10, "total": 34, "pages": 4, "next_page": 2}
    last = monitor.get("/api/v1/villages", params={"per_page": 10, "page": 4}).json()
    assert last["meta"]["next_page"] is None and len(last["items"]) == 4
    lontar = monitor.get("/api/v1/villages", params={"q": "lontar"}).json()["items"]
    assert [v["code"] for v in lontar] == [LONTAR]
    assert lontar[0]["stage"] == "diundangkan" and lontar[0]["promulgated"] is True
    assert lontar[0]["regency"] == {"code": "36.04", "name": "Kabupaten Serang"}
    in_district = monitor.get("/api/v1/villages", params={"region": "36.04.12"}).json()
    assert {v["district"]["code"] for v in in_district["items"]} == {"36.04.12"}
    assert monitor.get("/api/v1/villages", params={"region": "32"}).json()["meta"]["total"] == 0
    assert_error(monitor.get("/api/v1/villages", params={"per_page": 0}), 422)
    assert_error(monitor.get("/api/v1/villages", params={"page": "x"}), 422)


def test_village_detail_and_scope(api, db):
    operator = api("operator")
    body = operator.get(f"/api/v1/villages/{LONTAR}").json()
    assert body["name"] == "Lontar" and body["profile"]["sebutan_desa"] == "Desa"
    assert body["can_make_perdes"] is True and body["stage"] is None
    for other in (SUSUKAN, PONTANG, SUKRA):
        assert_error(operator.get(f"/api/v1/villages/{other}"), 404, "not_found")
    assert_error(operator.get("/api/v1/villages/36.04"), 422)
    admin = api("admin")
    assert admin.get(f"/api/v1/villages/{KELURAHAN}").json()["can_make_perdes"] is False


def test_adoption_timeline(api, db):
    adoption = promulgated_adoption(db, LONTAR)
    for role in ("operator", "pendamping", "pemantau", "admin"):
        body = api(role).get(f"/api/v1/villages/{LONTAR}/adoptions").json()
        (only,) = body["adoptions"]
        assert only["id"] == adoption.id and only["current_stage"] == "diundangkan"
        assert only["perdes_number"] == "3" and only["next_steps"] == ["dilaporkan"]
        assert [s["stage"] for s in only["steps"]][-1] == "diundangkan"
        assert only["steps"][-1]["fields"]["lembaran_number"] == "3"
        assert body["can_start"] is True
    assert_error(api("pemantau", ("32",)).get(f"/api/v1/villages/{LONTAR}/adoptions"), 404)


def test_checklists_and_drafts(api, db):
    system = Principal.system()
    load_bundled(db, actor=system)
    drafts.create_draft(
        db,
        actor=system,
        village_code=LONTAR,
        template_slug="pelindungan-pmi",
        values={"nama_kepala_desa": "Ahmad", "nama_sekretaris_desa": "Junaedi"},
        options={},
    )
    reader = api("pendamping")
    (framework,) = reader.get(f"/api/v1/villages/{LONTAR}/checklists").json()
    assert framework["framework"] == "desa-pmi-prosedural" and framework["qualified"] is False
    keys = {i["id"] for i in framework["items"]}
    assert "satgas-komunitas-pmi" in keys
    assert all(i["status"] == "belum" for i in framework["items"])
    (draft,) = reader.get(f"/api/v1/villages/{LONTAR}/drafts").json()
    assert draft["template"] == "pelindungan-pmi" and draft["latest_number"] == 1
    assert draft["latest_values"]["nama_kepala_desa"] == "Ahmad"
    assert [r["number"] for r in draft["revisions"]] == [1]
    assert_error(api("operator").get(f"/api/v1/villages/{SUSUKAN}/drafts"), 404)


def test_an_expired_item_is_reported_as_such(api, db, monkeypatch):
    from datetime import UTC, date, datetime

    from perdes.accounts.services import principal_for
    from perdes.checklist import services, validity
    from tests.factories import make_user

    load_bundled(db, actor=Principal.system())
    key = "layanan-informasi-migrasi"
    common = dict(village_code=LONTAR, framework_slug="desa-pmi-prosedural", item_key=key)
    services.answer_item(db, actor=Principal.system(), status="terpenuhi", **common)
    monitor = principal_for(make_user(db, "pemantau", ("36.04",)))
    answer = services.verify_item(db, actor=monitor, decision="diverifikasi", **common)
    answer.verified_at = datetime(2026, 1, 5, 3, tzinfo=UTC)
    db.flush()

    def item_on(day):
        monkeypatch.setattr(validity, "today", lambda: day)
        (framework,) = api("pendamping").get(f"/api/v1/villages/{LONTAR}/checklists").json()
        return next(i for i in framework["items"] if i["id"] == key)

    valid = item_on(date(2027, 1, 4))
    assert valid["expired"] is False and valid["valid_until"] == "2027-01-04"
    assert item_on(date(2027, 1, 5))["expired"] is True
