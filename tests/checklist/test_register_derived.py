"""Framework v3: where a village keeps the PMI register, the departure, document-verification,
reporting, reintegration and complaint items derive from its counts (never names) and count
only once a monitor countersigned them; a village without a register answers them itself.

Everything is written through the register's own services (as the petugas does on the phone),
and the derived items are re-evaluated by the derived-data pipeline before each commit.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from perdes import pipeline
from perdes.accounts.models import AuditEntry
from perdes.accounts.principal import Principal
from perdes.accounts.services import principal_for
from perdes.checklist import derived, facts, queue, services, validity, views
from perdes.checklist.models import ChecklistAnswer, ItemStatus, Verification
from perdes.errors import ValidationFailed
from perdes.register import episodes
from perdes.register.basis import REQUIRED_DOCUMENTS
from perdes.register.crypto import Keyring, keyring_from_settings
from perdes.register.models import Channel, PmiPerson
from tests.checklist.conftest import SLUG
from tests.factories import LONTAR, SUSUKAN, make_user
from tests.register.people import JAJANG, SITI, make_person

OUTCOME = "keberangkatan-prosedural"
DATA = "pendataan-pmi"
MOVEMENTS = "pemantauan-keberangkatan-kepulangan"
REPORTED = "pelaporan-nonprosedural"
RETURNS = "reintegrasi-purna"
CASES = "layanan-pengaduan"
REGISTER_ITEMS = (DATA, MOVEMENTS, OUTCOME, REPORTED, RETURNS, CASES)


@pytest.fixture()
def keyring(settings) -> Keyring:
    return keyring_from_settings(settings)


@pytest.fixture()
def petugas(db, regions):
    return principal_for(make_user(db, "petugas"))


def ago(days: int) -> str:
    return (validity.today() - timedelta(days=days)).isoformat()


def view(db, code=LONTAR):
    return views.assessment_view(db, actor=Principal.system(), village_code=code,
                                 framework_slug=SLUG)  # fmt: skip


def state(db, key, code=LONTAR):
    pipeline.settle(db)
    it = view(db, code).item(key)
    assert it.answer is not None, key
    return it.answer.status, it.answer.verification


def record(db, petugas, keyring, person_data, *, days=40):
    person = make_person(db, actor=petugas, village_code=LONTAR, keyring=keyring, **person_data)
    episodes.record_consultation(
        db, actor=petugas, public_id=person.public_id,
        data={"held_on": ago(days), "channel": "p3mi", "information": "Prosedur resmi"},
    )  # fmt: skip
    return person


def depart(db, petugas, person, *, procedural=True, days=20):
    episodes.record_departure(
        db, actor=petugas, public_id=person.public_id,
        data={"departed_on": ago(days), "country": "Malaysia", "channel": "p3mi",
              "p3mi_name": "PT Resmi Jaya", "procedural": "ya" if procedural else "tidak"},
    )  # fmt: skip


def check_documents(db, petugas, person):
    for kind in REQUIRED_DOCUMENTS[Channel.P3MI]:
        episodes.set_document(
            db, actor=petugas, public_id=person.public_id,
            data={"kind": kind.value, "status": "sesuai", "checked_on": ago(30)},
        )  # fmt: skip


def countersign(db, people, key):
    return services.verify_item(
        db, actor=people["pemantau"], village_code=LONTAR, framework_slug=SLUG, item_key=key,
        decision="diverifikasi",
    )  # fmt: skip


def test_a_register_village_gets_derived_items_that_move_with_the_register(
    db, v2, people, petugas, keyring
):
    pipeline.settle(db)
    siti = record(db, petugas, keyring, SITI)
    # no departure yet: the outcome's no-departure path, pending BP3MI's confirmation
    assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)
    it = view(db).item(OUTCOME)
    assert it.register_mode and it.derived and not it.auto_verified
    assert it.answer.basis["counts"] == {"departures_12m": 0, "procedural_12m": 0,
                                         "reported_12m": 0}  # fmt: skip
    assert it.basis_on == validity.today()
    countersign(db, people, OUTCOME)
    assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.DIVERIFIKASI)

    depart(db, petugas, siti)  # a departure BP3MI has not matched yet
    assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)
    assert view(db).item(OUTCOME).figures == {"known": 1, "matched": 1, "followed_up": 0}
    # the history and audit are read above the village: small counts suppressed there; the
    # village's register officers see the counts exactly, a monitor sees "< 5"
    assert "< 5 keberangkatan 12 bulan terakhir" in view(db).item(OUTCOME).history[0].detail
    exact = views.assessment_view(db, actor=petugas, village_code=LONTAR, framework_slug=SLUG)
    assert ("keberangkatan 12 bulan terakhir", 1) in exact.item(OUTCOME).basis_counts
    seen = views.assessment_view(db, actor=people["pemantau"], village_code=LONTAR,
                                 framework_slug=SLUG)  # fmt: skip
    assert ("keberangkatan 12 bulan terakhir", "< 5") in seen.item(OUTCOME).basis_counts
    # the verdict too: worded from the counts for the village, without them for the monitor
    assert "1 dari 1 keberangkatan" in exact.outcome_check(exact.item(OUTCOME)).summary
    monitor_sees = seen.outcome_check(seen.item(OUTCOME))
    assert monitor_sees.met and "Angka di bawah 5 tidak ditampilkan" in monitor_sees.summary
    assert not re.search(r"\b[0-4]\b(?!\d)", monitor_sees.summary), monitor_sees.summary
    # and in the verification queue, which only monitors read
    waiting = queue.list_waiting(db, actor=people["pemantau"], per_page=50).items
    row = next(r for r in waiting if r.item_key == OUTCOME and r.village_code == LONTAR)
    assert row.figures and all(value == "< 5" for _, value in row.figures), row.figures
    assert row.outcome is not None and "Angka di bawah 5" in row.outcome.summary
    counted = [
        str((e.changes or {}).get("counts"))
        for e in db.scalars(select(AuditEntry).where(AuditEntry.entity == "checklist_answer"))
        if (e.changes or {}).get("counts")
    ]
    assert counted and any("< 5" in c for c in counted)
    assert not [c for c in counted if re.search(r"\b[1-4]\b(?!\d)", c.replace("< 5", ""))]
    # her documents are not checked: the document-verification item is not met
    assert state(db, DATA) == (ItemStatus.BELUM, Verification.BELUM)
    check_documents(db, petugas, siti)
    assert state(db, DATA) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)
    assert view(db).item(DATA).answer.basis["counts"]["documents_verified_12m"] == 1

    countersign(db, people, OUTCOME)
    it = view(db).item(OUTCOME)
    assert it.state.verified and it.valid_until  # counts for 12 months from today
    # a non-procedural departure, not reported: below the rule without a threshold
    jajang = record(db, petugas, keyring, JAJANG)
    depart(db, petugas, jajang, procedural=False)
    assert state(db, OUTCOME) == (ItemStatus.BELUM, Verification.BELUM)
    assert state(db, REPORTED) == (ItemStatus.BELUM, Verification.BELUM)
    episodes.open_case(
        db, actor=petugas, public_id=jajang.public_id,
        data={"opened_on": ago(10), "summary": "Berangkat tanpa P3MI", "referral": "bp3mi",
              "referred_on": ago(9), "status": "dirujuk"},
    )  # fmt: skip
    assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)
    assert view(db).item(OUTCOME).figures == {"known": 2, "matched": 1, "followed_up": 1}
    assert state(db, REPORTED) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)
    assert state(db, CASES) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)
    assert view(db).item(CASES).answer.basis["counts"]["cases_referred_12m"] == 1


def test_the_village_cannot_set_a_derived_status_but_still_adds_notes(
    db, v2, people, petugas, keyring
):
    record(db, petugas, keyring, SITI)
    pipeline.settle(db)
    common = dict(village_code=LONTAR, framework_slug=SLUG, item_key=OUTCOME)
    with pytest.raises(ValidationFailed) as refused:
        services.answer_item(db, actor=people["operator"], status="terpenuhi",
                             figures={"known": "5", "matched": "5", "followed_up": "0"},
                             **common)  # fmt: skip
    assert "register PMI desa" in refused.value.errors["status"]
    services.set_note(db, actor=people["operator"], note="Rekap diketahui BP3MI", **common)
    assert view(db).item(OUTCOME).answer.note == "Rekap diketahui BP3MI"


def test_a_village_without_a_register_still_answers_the_same_items_itself(
    db, v2, people, petugas, keyring
):
    record(db, petugas, keyring, SITI)  # Lontar keeps one; Susukan does not
    pipeline.settle(db)
    operator = principal_for(make_user(db, "operator", (SUSUKAN,)))
    answer = services.answer_item(
        db, actor=operator, village_code=SUSUKAN, framework_slug=SLUG, item_key=OUTCOME,
        status="terpenuhi", figures={"known": "4", "matched": "4", "followed_up": "0"},
    )  # fmt: skip
    pipeline.settle(db)
    it = view(db, SUSUKAN).item(OUTCOME)
    assert (it.answer.status, it.answer.verification) == (ItemStatus.TERPENUHI,
                                                          Verification.MENUNGGU)  # fmt: skip
    assert not answer.derived and answer.basis is None and not it.register_mode
    assert view(db, SUSUKAN).item(DATA).answer is None, "nothing derived for Susukan"


def test_a_countersignature_lapses_after_12_months_and_is_requested_again(
    db, v2, people, petugas, keyring, monkeypatch
):
    record(db, petugas, keyring, SITI)
    pipeline.settle(db)
    answer = countersign(db, people, MOVEMENTS)
    answer.verified_at = datetime.now(UTC) - timedelta(days=400)
    db.flush()
    it = view(db).item(MOVEMENTS)
    assert it.expired and not it.state.verified
    # the daily refresh asks the monitor again; it never verifies by itself
    derived.refresh_all(db)
    assert state(db, MOVEMENTS) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)


def test_a_rejected_derived_answer_waits_for_new_counts(db, v2, people, petugas, keyring):
    siti = record(db, petugas, keyring, SITI)
    pipeline.settle(db)
    services.verify_item(
        db, actor=people["pemantau"], village_code=LONTAR, framework_slug=SLUG, item_key=OUTCOME,
        decision="ditolak", reason="BP3MI mencatat satu keberangkatan dari desa ini.",
    )  # fmt: skip
    derived.refresh_all(db)
    assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.DITOLAK)
    depart(db, petugas, siti)
    assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)


def test_a_village_that_no_longer_keeps_a_register_answers_itself_again(
    db, v2, people, petugas, keyring
):
    siti = record(db, petugas, keyring, SITI)
    assert state(db, DATA)[0] is ItemStatus.TERPENUHI
    db.delete(db.get(PmiPerson, siti.id))
    db.flush()
    pipeline.settle(db)
    it = view(db).item(DATA)
    assert not it.register_mode and not it.answer.derived and it.answer.basis is None
    assert it.answer.status is ItemStatus.BELUM
    services.answer_item(db, actor=people["operator"], village_code=LONTAR, framework_slug=SLUG,
                         item_key=DATA, status="terpenuhi")  # fmt: skip


def test_a_threshold_judges_the_register_counts_as_it_judges_typed_ones(
    db, v2, people, petugas, keyring
):
    from perdes.checklist import thresholds

    def set_to(percent):
        thresholds.set_threshold(db, actor=people["pemantau"], regency_code="36.04",
                                 framework_slug=SLUG, percent=percent)  # fmt: skip

    siti, jajang = (record(db, petugas, keyring, p) for p in (SITI, JAJANG))
    depart(db, petugas, siti)
    depart(db, petugas, jajang, procedural=False)
    # no threshold and the unmatched departure not reported: not met
    assert state(db, OUTCOME) == (ItemStatus.BELUM, Verification.BELUM)
    # the BP3MI office sets 50 %: 1 of 2 procedural meets it at once (no register write)
    set_to(50)
    assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)
    # re-judging is not a register update: the date "dimutakhirkan" facts read stays put
    from perdes.register.figures import RegisterVillageFigure

    figure = db.get(RegisterVillageFigure, LONTAR)
    long_ago = datetime(2024, 1, 1, tzinfo=UTC)
    figure.updated_at = long_ago
    db.flush()
    set_to(90)
    assert state(db, OUTCOME) == (ItemStatus.BELUM, Verification.BELUM)
    db.refresh(figure)
    assert figure.updated_at == long_ago
    check = view(db).outcome_check(view(db).item(OUTCOME))
    assert check is not None and not check.met
    # reporting the unmatched departure meets the item whatever the threshold
    episodes.open_case(
        db, actor=petugas, public_id=jajang.public_id,
        data={"opened_on": ago(10), "summary": "Berangkat tanpa P3MI", "referral": "dinas",
              "referred_on": ago(9), "status": "dirujuk"},
    )  # fmt: skip
    assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)


# --- no names anywhere a derived item is shown ----------------------------------------------


def test_no_derived_item_text_carries_a_name_nik_or_phone(client, db, v2, people, petugas, keyring):
    from tests.api.conftest import ApiClient, token_for

    siti, jajang = (record(db, petugas, keyring, p) for p in (SITI, JAJANG))
    check_documents(db, petugas, siti)
    depart(db, petugas, siti)
    depart(db, petugas, jajang, procedural=False)
    episodes.open_case(
        db, actor=petugas, public_id=jajang.public_id,
        data={"opened_on": ago(10), "summary": "Berangkat tanpa P3MI", "referral": "dinas",
              "referred_on": ago(9), "status": "dirujuk"},
    )  # fmt: skip
    pipeline.settle(db)
    countersign(db, people, OUTCOME)
    pipeline.settle(db)
    secrets = [
        v
        for person in (SITI, JAJANG)
        for k, v in person.items()
        if k in ("nik", "name", "phone", "family_contact_name", "family_contact_phone", "address")
    ]
    secrets += [p["name"].split()[0] for p in (SITI, JAJANG)]
    texts: list[str] = []
    for it in (view(db).item(k) for k in REGISTER_ITEMS):
        assert it.register_mode, it.item.id
        texts += [str(it.answer.basis), str(it.answer.figures)]
        texts += [e.detail for e in it.history]
    answer_ids = [str(i) for i in db.scalars(select(ChecklistAnswer.id))]
    texts += [
        str(entry.changes)
        for entry in db.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "checklist_answer",
                AuditEntry.entity_id.in_(answer_ids),
            )
        )
    ]
    for role in ("pemantau", "admin"):
        texts.append(
            ApiClient(client, token_for(db, role, name=f"uji-{role}"))
            .get(f"/api/v1/villages/{LONTAR}/checklists")
            .text
        )
    client.login_as(db, "pemantau")
    page = client.get(f"/desa/{LONTAR}")
    assert page.status_code == 200 and "Diturunkan dari register PMI desa" in page.text
    texts.append(page.text)
    joined = "\n".join(texts)
    assert "keberangkatan 12 bulan terakhir" in joined  # the counts are there
    for secret in secrets:
        assert secret not in joined, secret


def test_the_count_labels_cover_every_count_a_fact_reports():
    assert {k for f in facts.FACTS.values() for k in f.outcome_figures} <= set(facts.COUNT_LABELS)


# --- the outcome gate on a register village ---------------------------------------------------


@pytest.mark.parametrize("seed", [3, 4])
def test_a_register_village_never_qualifies_without_a_countersigned_current_outcome(
    db, v2, people, petugas, keyring, tracker, seed
):
    """Random register writes and monitor decisions: whenever the stored totals say the
    village meets every mandatory item, its outcome was countersigned by a monitor and its
    counts are the register's counts of now (no departure BP3MI has not seen)."""
    import random

    from perdes.checklist.models import ChecklistVillageTotal
    from tests.checklist.conftest import qualify

    rng = random.Random(seed)
    qualify(db, people, tracker, skip=REGISTER_ITEMS)  # every other mandatory item verified
    persons = []
    niks = iter(f"360413{d:02d}0795{n:04d}" for n, d in enumerate(range(41, 71), start=1))
    seen_qualified = False
    checked: set[int] = set()
    departed: set[int] = set()
    moves = [rng.choice(["person", "depart", "depart", "documents", "case", "sign", "sign"])
             for _ in range(10)]  # fmt: skip
    # then the village repairs everything and the monitor countersigns: it must qualify
    moves += ["documents"] * 12 + ["report"] * 12 + ["sign"]
    nonprocedural: list[PmiPerson] = []
    for step, move in enumerate(moves):
        if move == "person" or not persons:
            data = {**SITI, "nik": next(niks), "name": f"Warga Acak {step}"}
            persons.append(record(db, petugas, keyring, data))
        elif move == "depart":
            who = rng.choice(persons)
            if who.id not in departed:
                departed.add(who.id)
                procedural = rng.random() < 0.7
                depart(db, petugas, who, procedural=procedural, days=rng.randint(1, 30))
                if not procedural:
                    nonprocedural.append(who)
        elif move == "documents":
            unchecked = [p for p in persons if p.id not in checked]
            if unchecked:
                who = rng.choice(unchecked)
                check_documents(db, petugas, who)
                checked.add(who.id)
        elif move in ("case", "report"):
            if move == "report" and not nonprocedural:
                continue
            who = nonprocedural.pop() if move == "report" else rng.choice(persons)
            episodes.open_case(
                db, actor=petugas, public_id=who.public_id,
                data={"opened_on": ago(1), "summary": "Dilaporkan", "referral": "bp3mi",
                      "referred_on": ago(0), "status": "dirujuk"},
            )  # fmt: skip
        else:
            pipeline.settle(db)
            for it in (view(db).item(k) for k in REGISTER_ITEMS):
                if it.answer is not None and it.answer.verification is Verification.MENUNGGU:
                    countersign(db, people, it.item.id)
        pipeline.settle(db)
        current = view(db)
        total = db.get(ChecklistVillageTotal, (LONTAR, SLUG))
        assert total.qualified == current.result.qualified
        if current.result.qualified:
            seen_qualified = True
            outcome = current.item(OUTCOME).answer
            assert outcome.derived and outcome.verification is Verification.DIVERIFIKASI
            assert outcome.verified_by_id == people["pemantau"].user_id
            counts = facts.register_counts(db, LONTAR)
            assert outcome.figures == {
                "known": counts["departures_12m"],
                "matched": counts["procedural_12m"],
                "followed_up": counts["reported_12m"],
            }
    assert seen_qualified, "the walk reaches the qualified state at least once"


# --- the departures behind equal counts ----------------------------------------------------


def report(db, petugas, person, *, days):
    """A case of the person referred to BP3MI (a non-procedural departure reported)."""
    episodes.open_case(
        db, actor=petugas, public_id=person.public_id,
        data={"opened_on": ago(days), "summary": "Berangkat tanpa P3MI", "referral": "bp3mi",
              "referred_on": ago(days), "status": "dirujuk"},
    )  # fmt: skip


@pytest.mark.parametrize("refreshed_first", [False, True], ids=["no-refresh", "refreshed"])
@pytest.mark.parametrize("procedural", [True, False], ids=["procedural", "nonprocedural"])
def test_a_departure_arriving_as_another_leaves_the_window_sends_the_outcome_back(
    db, v2, people, petugas, keyring, procedural, refreshed_first
):
    """The countersigned counts stay equal (one departure leaves the 12-month window, a new one
    arrives), but BP3MI never matched the new one: the outcome goes back to the monitor."""
    import time_machine

    siti = record(db, petugas, keyring, SITI, days=380)
    if not procedural:
        report(db, petugas, siti, days=370)
    depart(db, petugas, siti, procedural=procedural, days=364)  # leaves the window in 2 days
    counted = (
        {"departures_12m": 1, "procedural_12m": 1, "reported_12m": 0}
        if procedural
        else {"departures_12m": 1, "procedural_12m": 0, "reported_12m": 1}
    )
    assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)
    assert view(db).item(OUTCOME).answer.basis["counts"] == counted
    # Jajang is recorded and consulted (and, leaving without a P3MI, reported) meanwhile
    jajang = record(db, petugas, keyring, JAJANG, days=5)
    if not procedural:
        report(db, petugas, jajang, days=3)
    countersign(db, people, OUTCOME)
    assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.DIVERIFIKASI)

    with time_machine.travel(datetime.now(UTC) + timedelta(days=3), tick=True):
        if refreshed_first:  # the daily refresh ran: her departure left, the rest stands
            derived.refresh_all(db)
            assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.DIVERIFIKASI)
            assert view(db).item(OUTCOME).answer.basis["counts"]["departures_12m"] == 0
        # the next register write is his departure (her's left the window since)
        depart(db, petugas, jajang, procedural=procedural, days=1)
        assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)
        assert facts.register_counts(db, LONTAR)["departures_12m"] == 1
        assert view(db).item(OUTCOME).answer.basis["counts"] == counted  # the same counts
        # the daily refresh does not take it back, nor does a later day with nothing new
        derived.refresh_all(db)
        assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.MENUNGGU)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=4), tick=True):
        countersign(db, people, OUTCOME)  # BP3MI matched the new departure
        derived.refresh_all(db)
        assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.DIVERIFIKASI)


def test_a_basis_kept_before_the_recording_time_gets_it_without_a_history_line(
    db, v2, people, petugas, keyring
):
    siti = record(db, petugas, keyring, SITI)
    depart(db, petugas, siti)
    pipeline.settle(db)
    countersign(db, people, OUTCOME)
    pipeline.settle(db)
    answer = view(db).item(OUTCOME).answer
    recorded = answer.basis[derived.RECORDED]
    answer.basis = {k: v for k, v in answer.basis.items() if k != derived.RECORDED}
    db.flush()
    lines = len(view(db).item(OUTCOME).history)
    derived.refresh_all(db)
    assert state(db, OUTCOME) == (ItemStatus.TERPENUHI, Verification.DIVERIFIKASI)
    it = view(db).item(OUTCOME)
    assert it.answer.basis[derived.RECORDED] == recorded and len(it.history) == lines
