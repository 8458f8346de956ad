"""Moving villages from v1 to v2: every answer that still applies is kept, the rest is
reported; and no village ever qualifies without the outcome item verified and current."""

import random
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from perdes.accounts.principal import Principal
from perdes.checklist import registry, services, validity, versions, views
from perdes.checklist.framework import bundled_files, load_framework_file
from perdes.checklist.loading import load_framework
from perdes.checklist.models import (
    ChecklistVillageTotal,
    ItemEventKind,
    ItemStatus,
    Verification,
)
from perdes.checklist.scoring import ItemState, compute
from perdes.regions.models import Region, RegionLevel
from tests.checklist.conftest import PDF, SLUG, qualify, sample_figures, verify

V1, V2, V3 = (load_framework_file(p) for p in bundled_files()[:3])


@pytest.fixture()
def serang(db, regions):
    """A monitor of Kabupaten Serang; the admin (all villages) answers for the villages."""
    from perdes.accounts.services import principal_for
    from tests.factories import make_user

    admin = Principal.system()
    monitor = principal_for(make_user(db, "pemantau", ("36.04",)))
    return {"operator": admin, "pendamping": admin, "pemantau": monitor, "admin": admin}


PLAN = versions.plan(V1, V2)
OUTCOME = "keberangkatan-prosedural"


def test_the_plan_accounts_for_every_v1_item_once():
    assert sorted(PLAN.kept + PLAN.recheck + PLAN.archived) == sorted(V1.item_ids)
    assert set(PLAN.archived) == {
        "data-pmi-profil-terkini",
        "sosialisasi-tppo",
        "fasilitasi-adminduk",
    }
    assert OUTCOME in PLAN.recheck and "layanan-pengaduan" in PLAN.recheck
    assert "satgas-komunitas-pmi" in PLAN.kept
    assert set(PLAN.added) == set(V2.item_ids) - set(V1.item_ids)


def desa_codes(db, n, rng):
    codes = sorted(
        db.scalars(
            select(Region.code).where(Region.level == RegionLevel.DESA, Region.code.like("36.04.%"))
        )
    )
    return rng.sample(codes, n)


def answer_randomly(db, people, code, rng, tmp_path, framework=V1):
    """Random answers for one village through the services; returns what was stored."""
    stored = {}
    for item in framework.items():
        if item.rule is not None or rng.random() < 0.2:
            continue
        choices = ["belum", "dalam_proses", "terpenuhi", "terpenuhi"]
        if not item.mandatory:
            choices.append("tidak_berlaku")
        status = rng.choice(choices)
        common = dict(village_code=code, framework_slug=SLUG, item_key=item.id)
        services.answer_item(
            db,
            actor=people["operator"],
            status=status,
            note=f"catatan {rng.randint(1, 99)}",
            not_applicable_reason="tidak ada" if status == "tidak_berlaku" else "",
            figures=sample_figures(db, item.id) if status == "terpenuhi" else None,
            **common,
        )
        if rng.random() < 0.3:
            services.add_evidence(
                db, actor=people["pendamping"], data=PDF + str(rng.random()).encode(),
                filename=f"{item.id}.pdf", root=tmp_path, max_bytes=10**6, **common,
            )  # fmt: skip
        if status in ("terpenuhi", "tidak_berlaku"):
            decision = rng.choice(["diverifikasi", "diverifikasi", "ditolak", None])
            if decision:
                services.verify_item(
                    db, actor=people["pemantau"], decision=decision, reason="kurang", **common
                )
        view = views.assessment_view(db, actor=people["admin"], village_code=code,
                                     framework_slug=SLUG)  # fmt: skip
        it = view.item(item.id)
        stored[item.id] = (
            it.answer.status, it.answer.verification, it.answer.note, it.answer.verified_at,
            sorted(e.name for e in it.evidence), dict(it.answer.figures or {}),
        )  # fmt: skip
    return stored


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_upgrade_on_random_villages_keeps_what_applies_and_reports_the_rest(
    db, framework, serang, tracker, tmp_path, seed
):
    people = serang
    rng = random.Random(seed)
    before = {
        code: answer_randomly(db, people, code, rng, tmp_path) for code in desa_codes(db, 4, rng)
    }
    result = load_framework(
        db, actor=Principal.system(), framework=V2, source="desa-pmi-prosedural.v2.yaml"
    )
    assert result.upgraded == len(before) and result.plan == PLAN
    for code, old in before.items():
        view = views.assessment_view(db, actor=people["admin"], village_code=code,
                                     framework_slug=SLUG)  # fmt: skip
        assert view.row.version == 2
        archived = {a.item_key: a for a in view.archived}
        assert set(archived) == {k for k in old if k in PLAN.archived}, "the rest is reported"
        for key, (status, verification, note, verified_at, files, _) in old.items():
            if key in PLAN.archived:
                assert (archived[key].status, archived[key].verification) == (status, verification)
                continue
            it = view.item(key)
            assert (it.answer.note, sorted(e.name for e in it.evidence)) == (note, files)
            assert it.answer.verified_at == verified_at or key in PLAN.recheck
            expected_status, expected_verification = status, verification
            if it.item.mandatory and status is ItemStatus.TIDAK_BERLAKU:
                expected_status, expected_verification = ItemStatus.BELUM, Verification.BELUM
            elif key in PLAN.recheck and verification in (
                Verification.DIVERIFIKASI,
                Verification.DITOLAK,
            ):
                expected_verification = Verification.MENUNGGU
                assert it.history[0].kind is ItemEventKind.PERIKSA_ULANG
            assert (it.answer.status, it.answer.verification) == (
                expected_status,
                expected_verification,
            ), key
        for key in PLAN.added:
            assert view.item(key).answer is None
        assert not view.result.qualified, "v2 adds mandatory items nobody has answered yet"
        assert db.get(ChecklistVillageTotal, (code, SLUG)).framework_id == view.row.id


@pytest.mark.parametrize("seed", [4, 5])
def test_upgrade_v2_to_v3_on_random_villages_keeps_every_answer(
    db, regions, serang, tmp_path, seed
):
    """No village here keeps a register: every answer travels unchanged (numbers included),
    only the changed pendataan-pmi goes back to the monitor."""
    for framework, name in ((V1, "v1"), (V2, "v2")):
        load_framework(db, actor=Principal.system(), framework=framework, source=name)
    rng = random.Random(seed)
    before = {
        code: answer_randomly(db, serang, code, rng, tmp_path, framework=V2)
        for code in desa_codes(db, 3, rng)
    }
    result = load_framework(db, actor=Principal.system(), framework=V3, source="v3")
    assert result.upgraded == len(before) and result.plan.recheck == ("pendataan-pmi",)
    for code, old in before.items():
        view = views.assessment_view(db, actor=serang["admin"], village_code=code,
                                     framework_slug=SLUG)  # fmt: skip
        assert view.row.version == 3 and view.archived == []
        for key, (status, verification, note, verified_at, files, figures) in old.items():
            it = view.item(key)
            assert (it.answer.status, it.answer.note, sorted(e.name for e in it.evidence),
                    dict(it.answer.figures or {})) == (status, note, files, figures)  # fmt: skip
            assert not it.answer.derived and not it.register_mode
            if key == "pendataan-pmi" and verification in (
                Verification.DIVERIFIKASI, Verification.DITOLAK,
            ):  # fmt: skip
                assert it.answer.verification is Verification.MENUNGGU
            else:
                assert (it.answer.verification, it.answer.verified_at) == (
                    verification, verified_at,
                ), key  # fmt: skip


def test_upgrade_of_a_qualified_v1_village_sends_the_outcome_back_to_the_monitor(
    db, framework, people, tracker
):
    from tests.factories import LONTAR

    qualify(db, people, tracker)
    verify(db, people, OUTCOME)  # optional in v1
    assert db.get(ChecklistVillageTotal, (LONTAR, SLUG)).qualified
    load_framework(db, actor=Principal.system(), framework=V2, source="v2")
    total = db.get(ChecklistVillageTotal, (LONTAR, SLUG))
    assert not total.qualified
    view = views.assessment_view(db, actor=people["admin"], village_code=LONTAR,
                                 framework_slug=SLUG)  # fmt: skip
    assert view.item("perdes-diundangkan").state.verified, "derived item re-evaluated"
    assert view.item("satgas-komunitas-pmi").state.verified, "unchanged item kept as verified"
    for key in (OUTCOME, "pemantauan-keberangkatan-kepulangan"):
        assert view.item(key).state.verification is Verification.MENUNGGU
        assert view.item(key).history[0].kind is ItemEventKind.PERIKSA_ULANG


# --- the outcome gate -------------------------------------------------------------------------

STATES = st.builds(
    ItemState,
    status=st.sampled_from(list(ItemStatus)),
    verification=st.sampled_from(list(Verification)),
    expired=st.booleans(),
)


@pytest.mark.parametrize("version", [V2, V3], ids=["v2", "v3"])
@settings(max_examples=200, deadline=None)
@given(st.lists(STATES, min_size=len(V2.item_ids), max_size=len(V2.item_ids)))
def test_no_village_qualifies_without_the_outcome_verified_and_current(version, states):
    """For v3 too, whether the outcome was answered by hand or derived from the register:
    a derived outcome is only ever "diverifikasi" by a monitor's countersignature
    (test_register_derived.py), and the score counts nothing else."""
    items = list(version.items())
    result = compute(zip(items, states, strict=True))
    outcome = states[version.item_ids.index(OUTCOME)]
    if result.qualified:
        assert outcome.status is ItemStatus.TERPENUHI
        assert outcome.verification is Verification.DIVERIFIKASI and not outcome.expired


def test_the_outcome_cannot_be_declared_not_applicable(db, v2, people):
    from perdes.errors import ValidationFailed
    from tests.factories import LONTAR

    with pytest.raises(ValidationFailed):
        services.answer_item(
            db, actor=people["operator"], village_code=LONTAR, framework_slug=SLUG,
            item_key=OUTCOME, status="tidak_berlaku", not_applicable_reason="tidak ada",
        )  # fmt: skip


@pytest.mark.parametrize("seed", [7, 8])
def test_stored_totals_never_qualify_a_village_whose_outcome_lapsed(
    db, v2, serang, tracker, monkeypatch, seed
):
    """Random villages, random verification dates, a random day: the stored qualification
    after the daily refresh agrees with the outcome item being verified and current."""
    rng = random.Random(seed)
    day = date(2027, rng.randint(1, 12), rng.randint(1, 28))
    monkeypatch.setattr(validity, "today", lambda: day)
    for code in desa_codes(db, 3, rng):
        skip = {OUTCOME} if rng.random() < 0.3 else set()
        answers = qualify(db, serang, tracker, code=code, skip=skip)
        for answer in answers.values():
            answer.verified_at = datetime(2026, rng.randint(1, 12), rng.randint(1, 28), tzinfo=UTC)
        db.flush()
    validity.refresh_expired(db, on=day)
    framework = registry.parsed(v2)
    outcome_item = framework.item(OUTCOME)
    for total in db.scalars(select(ChecklistVillageTotal)):
        view = views.assessment_view(db, actor=serang["admin"], village_code=total.village_code,
                                     framework_slug=SLUG)  # fmt: skip
        answer = view.item(OUTCOME).answer
        outcome_ok = answer is not None and validity.state_of(outcome_item, answer, day).verified
        assert total.qualified == view.result.qualified
        if total.qualified:
            assert outcome_ok
