"""Bulk verification in the monitor's queue: one decision, audit entry and history line per item;
anything out of scope, without evidence or unconfirmed refuses the whole batch."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts.models import AuditEntry
from perdes.accounts.principal import Principal
from perdes.checklist.framework import bundled_files, load_framework_file
from perdes.checklist.loading import load_framework
from perdes.checklist.models import ChecklistAnswer, ChecklistItemEvent, Verification
from tests.factories import LONTAR, PONTANG, SUKRA, make_user

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SLUG = "desa-pmi-prosedural"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture()
def waiting(client, db, regions) -> dict[tuple[str, str], int]:
    """Submitted answers: Lontar and Pontang (Kab. Serang) and Sukra (Indramayu)."""
    load_framework(
        db,
        actor=Principal.system(),
        framework=load_framework_file(bundled_files()[0]),
        source="v1.yaml",
    )
    plan = {
        LONTAR: [
            ("satgas-komunitas-pmi", True),
            ("pendataan-pmi", True),
            ("layanan-pengaduan", False),
        ],
        PONTANG: [("satgas-komunitas-pmi", True)],
        SUKRA: [("satgas-komunitas-pmi", True)],
    }
    for village, items in plan.items():
        operator = make_user(db, "operator", (village,))
        client.login(operator.username)
        for key, with_file in items:
            base = f"/desa/{village}/ceklis/{SLUG}/{key}"
            assert (
                client.post(base + "/jawaban", {"status": "terpenuhi", "version": "0"}).status_code
                == 303
            )
            if with_file:
                sent = client.post(base + "/bukti", files={"file": ("bukti.pdf", PDF)})
                assert sent.status_code == 303
    answers = db.execute(
        select(ChecklistAnswer.id, ChecklistAnswer.item_key, ChecklistAnswer.assessment_id)
    ).all()
    from perdes.checklist.models import ChecklistAssessment

    villages = dict(
        db.execute(select(ChecklistAssessment.id, ChecklistAssessment.village_code)).all()
    )
    return {(villages[a], key): i for i, key, a in answers}


def verify_audits(db) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "checklist_answer", AuditEntry.action == "verify"
            )
        )
    )


def test_monitor_verifies_a_batch_each_recorded_and_audited(client, db, waiting):
    monitor = make_user(db, "pemantau", ("36.04",))
    client.login(monitor.username)
    queue = soup(client.get("/verifikasi"))
    boxes = {int(b["value"]) for b in queue.select('input[name="butir"]')}
    chosen = [waiting[(LONTAR, "satgas-komunitas-pmi")], waiting[(PONTANG, "satgas-komunitas-pmi")]]
    assert set(chosen) <= boxes
    assert waiting[(LONTAR, "layanan-pengaduan")] not in boxes  # no evidence: one by one
    assert waiting[(SUKRA, "satgas-komunitas-pmi")] not in boxes  # another region
    seen = {f["name"]: f["value"] for f in queue.select('input[name^="versi-"]')}
    assert set(seen) == {f"versi-{i}" for i in boxes}
    response = client.post("/verifikasi/sekaligus", {"butir": chosen, "diperiksa": "ya", **seen})
    assert response.status_code == 303
    assert "diverifikasi=2" in response.headers["location"]
    for answer_id in chosen:
        answer = db.get(ChecklistAnswer, answer_id)
        db.refresh(answer)
        assert answer.verification is Verification.DIVERIFIKASI
        assert answer.verified_by_id == monitor.id
        history = db.scalars(
            select(ChecklistItemEvent)
            .where(ChecklistItemEvent.answer_id == answer_id)
            .order_by(ChecklistItemEvent.id)  # without it PostgreSQL may return any order
        ).all()
        assert history[-1].verification is Verification.DIVERIFIKASI
    audits = verify_audits(db)
    assert sorted(int(a.entity_id) for a in audits) == sorted(chosen)
    assert {a.user_id for a in audits} == {monitor.id}
    left = soup(client.get(response.headers["location"]))
    assert (
        left.select_one('[data-testid="bulk-done"]').get_text(strip=True) == "2 butir diverifikasi."
    )
    assert "2 butir menunggu" in left.select_one('[data-testid="queue-count"]').get_text()


@pytest.mark.parametrize(
    "case",
    ["out_of_scope", "no_evidence", "unconfirmed", "empty", "not_a_number", "unknown_id", "script"],
)
def test_a_bad_batch_is_refused_whole(client, db, waiting, case):
    monitor = make_user(db, "pemantau", ("36.04",))
    client.login(monitor.username)
    good = waiting[(LONTAR, "satgas-komunitas-pmi")]
    data: dict[str, object] = {"butir": [good], "diperiksa": "ya"}
    if case == "out_of_scope":
        data["butir"] = [good, waiting[(SUKRA, "satgas-komunitas-pmi")]]
    elif case == "no_evidence":
        data["butir"] = [good, waiting[(LONTAR, "layanan-pengaduan")]]
    elif case == "unconfirmed":
        del data["diperiksa"]
    elif case == "empty":
        data["butir"] = []
    elif case == "not_a_number":
        data["butir"] = [str(good), "abc"]
    elif case == "unknown_id":
        data["butir"] = [good, 99999999]
    elif case == "script":
        data["butir"] = ["<script>alert(1)</script>"]
    response = client.post("/verifikasi/sekaligus", data)
    assert response.status_code == 422
    assert soup(response).select_one('[data-testid="bulk-errors"]')
    assert "<script>alert" not in response.text
    assert verify_audits(db) == []
    answer = db.get(ChecklistAnswer, good)
    db.refresh(answer)
    assert answer.verification is Verification.MENUNGGU


def test_only_verifiers_may_verify_a_batch(client, db, waiting):
    operator = make_user(db, "operator", (LONTAR,))
    client.login(operator.username)
    data = {"butir": [waiting[(LONTAR, "satgas-komunitas-pmi")]], "diperiksa": "ya"}
    assert client.post("/verifikasi/sekaligus", data).status_code == 403
    assert verify_audits(db) == []


def test_a_batch_over_the_limit_is_refused(client, db, waiting):
    from perdes.checklist.queue import MAX_BATCH

    client.login(make_user(db, "admin").username)
    ids = list(range(1, MAX_BATCH + 2))
    assert (
        client.post("/verifikasi/sekaligus", {"butir": ids, "diperiksa": "ya"}).status_code == 422
    )


@pytest.mark.parametrize("how", ["changed", "missing", "garbage"])
def test_a_batch_with_an_answer_changed_since_the_queue_was_opened_is_refused_whole(
    client, db, waiting, how
):
    """The village adds evidence to one answer after the monitor opened the queue: the batch
    answers 409, keeps the choice, and verifies nothing."""
    monitor = make_user(db, "pemantau", ("36.04",))
    client.login(monitor.username)
    queue = soup(client.get("/verifikasi"))
    seen = {f["name"]: f["value"] for f in queue.select('input[name^="versi-"]')}
    chosen = [waiting[(LONTAR, "satgas-komunitas-pmi")], waiting[(PONTANG, "satgas-komunitas-pmi")]]
    changed = chosen[1]
    if how == "changed":
        client.login(make_user(db, "operator", (PONTANG,)).username)
        base = f"/desa/{PONTANG}/ceklis/{SLUG}/satgas-komunitas-pmi"
        other = client.post(base + "/bukti", files={"file": ("bukti baru.pdf", PDF + b"%2")})
        assert other.status_code == 303
        client.login(monitor.username)
    elif how == "missing":
        del seen[f"versi-{changed}"]
    else:
        seen[f"versi-{changed}"] = "²"
    response = client.post("/verifikasi/sekaligus", {"butir": chosen, "diperiksa": "ya", **seen})
    assert response.status_code == 409
    page = soup(response)
    message = page.select_one('[data-testid="bulk-errors"]').get_text()
    assert "berubah sejak antrean ini dibuka" in message and str(changed) in message
    kept = {int(b["value"]) for b in page.select('input[name="butir"][checked]')}
    assert kept == set(chosen)
    assert verify_audits(db) == []
    for answer_id in chosen:
        answer = db.get(ChecklistAnswer, answer_id)
        db.refresh(answer)
        assert answer.verification is Verification.MENUNGGU
