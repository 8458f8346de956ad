"""Writes through the API: the same services and access rules as the pages."""

import io
from datetime import timedelta

import docx
import pytest
from sqlalchemy import select

from perdes.accounts.audit import AuditEntry
from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from perdes.regions.eligibility import KELURAHAN_REFUSAL_EN
from perdes.tracking import services as tracking
from perdes.tracking.deadlines import local_today
from tests.api.conftest import assert_error
from tests.api.seed import promulgated_adoption
from tests.factories import KELURAHAN, LONTAR, SUSUKAN

PAST = (local_today() - timedelta(days=3)).isoformat()


def steps_url(adoption_id: int, code: str = LONTAR) -> str:
    return f"/api/v1/villages/{code}/adoptions/{adoption_id}/steps"


@pytest.fixture()
def adoption(db, regions):
    return tracking.start_adoption(db, actor=Principal.system(), village_code=LONTAR)


def test_operator_records_a_step_with_a_token(api, db, adoption):
    response = api("operator").post(
        steps_url(adoption.id), json={"stage": "direncanakan", "occurred_on": PAST}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["current_stage"] == "direncanakan" and body["next_steps"] == ["penyusunan"]
    assert body["steps"][0]["recorded_by"] == "Uji operator"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "record_step")).one()
    assert entry.village_code == LONTAR


@pytest.mark.parametrize("role", ["pendamping", "pemantau"])
def test_roles_without_the_right_get_403(api, adoption, role):
    response = api(role).post(
        steps_url(adoption.id), json={"stage": "direncanakan", "occurred_on": PAST}
    )
    assert_error(response, 403, "forbidden")


def test_out_of_scope_and_mismatched_ids_are_404(api, db, adoption):
    other = tracking.start_adoption(db, actor=Principal.system(), village_code=SUSUKAN)
    operator = api("operator")
    body = {"stage": "direncanakan", "occurred_on": PAST}
    assert_error(operator.post(steps_url(other.id, SUSUKAN), json=body), 404)
    assert_error(operator.post(steps_url(other.id, LONTAR), json=body), 404)
    assert_error(operator.post(steps_url(999999), json=body), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stage": "direncanakan", "occurred_on": 0}, "body.direncanakan.occurred_on"),
        ({"stage": "direncanakan", "occurred_on": 20260101}, "body.direncanakan.occurred_on"),
        ({"stage": "direncanakan", "occurred_on": "1/2/2026"}, "body.direncanakan.occurred_on"),
        ({"stage": "direncanakan", "occurred_on": PAST, "x": 1}, "body.direncanakan.x"),
        ({"stage": "direncanakan", "occurred_on": PAST, "notes": "a\x00b"}, None),
        ({"stage": "direncanakan", "occurred_on": PAST, "notes": "x" * 10_000}, None),
        ({"stage": "ditetapkan", "occurred_on": PAST}, "body.ditetapkan.perdes_number"),
        ({"stage": "ditetapkan", "occurred_on": PAST, "perdes_number": 3}, None),
        ({"stage": "bukan", "occurred_on": PAST}, None),
        ({"stage": "diundangkan", "occurred_on": PAST, "lembaran_year": "2026"}, None),
    ],
)
def test_schema_violations_are_422_and_write_nothing(api, db, adoption, body, field):
    error = assert_error(api("operator").post(steps_url(adoption.id), json=body), 422)
    if field:
        assert field in error["fields"], error
    db.expire_all()
    assert adoption.current_stage is None


def test_rule_refusals_are_409_with_the_reason(api, adoption):
    operator = api("operator")
    wrong_step = operator.post(
        steps_url(adoption.id), json={"stage": "pembahasan", "occurred_on": PAST}
    )
    error = assert_error(wrong_step, 409, "rule_violation")
    assert "stage" in error["fields"]
    future = (local_today() + timedelta(days=5)).isoformat()
    error = assert_error(
        operator.post(
            steps_url(adoption.id), json={"stage": "direncanakan", "occurred_on": future}
        ),
        409,
        "rule_violation",
    )
    assert error["fields"]["occurred_on"] == "Tanggal tidak boleh di masa depan."


def test_stale_version_is_a_409_conflict(api, adoption):
    operator = api("operator")
    seen = adoption.version
    body = {"stage": "direncanakan", "occurred_on": PAST, "expected_version": seen}
    assert operator.post(steps_url(adoption.id), json=body).status_code == 201
    again = {"stage": "penyusunan", "occurred_on": PAST, "expected_version": seen}
    assert_error(operator.post(steps_url(adoption.id), json=again), 409, "conflict")


def test_session_cookie_writes_need_the_csrf_header(client, db, adoption):
    client.login_as(db, "operator")
    body = {"stage": "direncanakan", "occurred_on": PAST}
    refused = client.raw.post(steps_url(adoption.id), json=body)
    assert_error(refused, 403, "forbidden")
    ok = client.raw.post(
        steps_url(adoption.id), json=body, headers={"X-CSRF-Token": client.token()}
    )
    assert ok.status_code == 201, ok.text


def test_malformed_json_is_a_400_in_the_one_shape(api, adoption):
    response = api("operator").post(
        steps_url(adoption.id), content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


def test_oversized_body_is_413(api, adoption):
    response = api("operator").post(
        steps_url(adoption.id),
        content=b"{" + b" " * 300_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 413, "payload_too_large")


# --- checklist -----------------------------------------------------------------------------

ITEM = f"/api/v1/villages/{LONTAR}/checklists/desa-pmi-prosedural/items/satgas-komunitas-pmi"


@pytest.fixture()
def frameworks(db, regions):
    load_bundled(db, actor=Principal.system())


def test_operator_answers_an_item(api, frameworks):
    response = api("operator").put(ITEM, json={"status": "terpenuhi", "note": "SK Kades 12/2026"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "terpenuhi" and body["verification"] == "menunggu"
    assert body["note"] == "SK Kades 12/2026"


def test_checklist_answer_rules(api, frameworks):
    operator = api("operator")
    assert_error(api("pendamping").put(ITEM, json={"status": "terpenuhi"}), 403)
    assert_error(api("pemantau").put(ITEM, json={"status": "terpenuhi"}), 403)
    assert_error(operator.put(ITEM, json={"status": "selesai"}), 422)
    assert_error(operator.put(ITEM, json={"status": "belum", "note": "\x07"}), 422)
    assert_error(
        operator.put(ITEM.replace("satgas-komunitas-pmi", "tidak-ada"), json={"status": "belum"}),
        404,
    )
    other = ITEM.replace(LONTAR, SUSUKAN)
    assert_error(operator.put(other, json={"status": "belum"}), 404)
    derived = ITEM.replace("satgas-komunitas-pmi", "perdes-diundangkan")
    assert_error(operator.put(derived, json={"status": "terpenuhi"}), 409, "rule_violation")


def test_a_stale_expected_version_gets_409_in_english_and_changes_nothing(api, frameworks):
    operator = api("operator")
    first = operator.put(ITEM, json={"status": "dalam_proses", "note": "A", "expected_version": 0})
    assert first.status_code == 200, first.text
    version = first.json()["version"]
    assert version >= 1
    again = operator.put(ITEM, json={"status": "dalam_proses", "note": "B", "expected_version": 0})
    assert_error(again, 409, "stale_version")
    assert "changed since you read it" in again.json()["error"]["detail"]
    for bad in (-1, "1", 1.5, True, 2**31):
        assert_error(operator.put(ITEM, json={"status": "belum", "expected_version": bad}), 422)
    item = next(
        i
        for c in operator.get(f"/api/v1/villages/{LONTAR}/checklists").json()
        for i in c["items"]
        if i["id"] == "satgas-komunitas-pmi"
    )
    assert (item["note"], item["version"]) == ("A", version)
    fresh = operator.put(
        ITEM, json={"status": "dalam_proses", "note": "B", "expected_version": version}
    )
    assert fresh.status_code == 200 and fresh.json()["version"] > version
    # JSON Schema counts 3.0 as an integer (schemathesis sends it): accepted as 3.
    whole = operator.put(
        ITEM,
        json={
            "status": "dalam_proses",
            "note": "C",
            "expected_version": float(fresh.json()["version"]),
        },
    )
    assert whole.status_code == 200, whole.text


def test_the_outcome_counts_through_the_api(api, frameworks):
    url = ITEM.replace("satgas-komunitas-pmi", "keberangkatan-prosedural")
    operator = api("operator")
    good = {"status": "terpenuhi", "figures": {"known": 4, "matched": 3, "followed_up": 1}}
    response = operator.put(url, json=good)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["figures"] == {"known": 4, "matched": 3, "followed_up": 1}
    assert body["outcome_met"] is True and body["verification"] == "menunggu"
    for figures in (
        {"known": -1, "matched": 0, "followed_up": 0},
        {"known": "4", "matched": 3, "followed_up": 1},
        {"known": 4.5, "matched": 3, "followed_up": 1},
        {"known": 10**6, "matched": 3, "followed_up": 1},
        {"umur": 3},
    ):
        assert_error(operator.put(url, json={"status": "belum", "figures": figures}), 422)
    short = {"status": "terpenuhi", "figures": {"known": 4, "matched": 2, "followed_up": 1}}
    error = assert_error(operator.put(url, json=short), 409, "rule_violation")
    assert "status" in error["fields"]
    missing = {"status": "terpenuhi", "figures": {"known": 4}}
    assert "figure_matched" in assert_error(operator.put(url, json=missing), 409)["fields"]


# --- DOCX ------------------------------------------------------------------------------------

DOCX_URL = f"/api/v1/villages/{LONTAR}/drafts/docx"
NAMES = {"nama_kepala_desa": "Ahmad Suryadi", "nama_sekretaris_desa": "Junaedi"}


def test_render_docx_from_posted_values(api):
    response = api("operator").post(
        DOCX_URL,
        json={"template": "pelindungan-pmi", "values": {**NAMES, "tahun": 2026}, "paper": "A4"},
    )
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "LONTAR" in text.upper() and "AHMAD SURYADI" in text.upper()


@pytest.mark.parametrize(
    "values",
    [
        {**NAMES, "nama_lembaga": "Satgas\x00PMI"},
        {**NAMES, "nama_lembaga": "Satgas\x0bPMI"},
        {**NAMES, "nama_lembaga": "x" * 10_000},
        {**NAMES, "nama_dinas": "y" * 10_000},
        {**NAMES, "tahun": "2026"},
        {**NAMES, "tanggal_penetapan": 20260101},
        {**NAMES, "tidak_dikenal": "x"},
        {"nama_kepala_desa": "Ahmad"},
    ],
)
def test_bad_docx_values_are_422_never_500(api, values):
    response = api("operator").post(
        DOCX_URL, json={"template": "pelindungan-pmi", "values": values}
    )
    assert_error(response, 422, "validation_failed")


def test_docx_values_the_engine_refuses_are_409(api):
    response = api("operator").post(
        DOCX_URL,
        json={"template": "pelindungan-pmi", "values": {**NAMES, "nama_lembaga": "{{ x }}"}},
    )
    error = assert_error(response, 409, "rule_violation")
    assert "template markers" in error["fields"]["nama_lembaga"]


def test_docx_needs_the_edit_right_and_a_desa(api):
    body = {"template": "pelindungan-pmi", "values": NAMES}
    assert_error(api("pemantau").post(DOCX_URL, json=body), 403)
    assert_error(api("operator").post(DOCX_URL.replace(LONTAR, SUSUKAN), json=body), 404)
    error = assert_error(api("admin").post(DOCX_URL.replace(LONTAR, KELURAHAN), json=body), 422)
    assert error["fields"]["village"] == KELURAHAN_REFUSAL_EN


def test_recording_continues_after_promulgation(api, db, regions):
    adoption = promulgated_adoption(db, LONTAR)
    response = api("operator").post(
        steps_url(adoption.id),
        json={"stage": "dilaporkan", "occurred_on": PAST, "letter_number": "140/12/2026"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["report_letter_number"] == "140/12/2026"


def test_docx_kind_rancangan_or_naskah(api):
    body = {"template": "pelindungan-pmi", "values": NAMES}
    rancangan = api("operator").post(DOCX_URL, json=body)
    assert rancangan.status_code == 200
    assert "rancangan-perdes-" in rancangan.headers["content-disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(rancangan.content)).paragraphs)
    assert text.startswith("RANCANGAN")
    naskah = api("operator").post(DOCX_URL, json={**body, "kind": "naskah"})
    error = assert_error(naskah, 409, "rule_violation")
    assert "nomor" in error["fields"] and "mengingat.uu-6-2014" in error["fields"]
    assert_error(api("operator").post(DOCX_URL, json={**body, "kind": "final"}), 422)
