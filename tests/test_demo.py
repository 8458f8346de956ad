"""`perdes demo` on an empty database: regions, profiles, activity, users; twice is fine."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from perdes.accounts.models import User
from perdes.checklist.models import ChecklistVillageTotal
from perdes.cli import app
from perdes.db import make_engine
from perdes.demo import FALLBACK_CSV
from perdes.pipeline import make_session_factory
from perdes.regions.models import Region
from perdes.tracking import standing
from perdes.tracking.stages import Stage


def test_demo_loads_everything_and_is_idempotent(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PERDES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PERDES_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    args = ["demo", "--regions-file", str(FALLBACK_CSV), "--password", "sandi-demo-panjang"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "operator.lontar" in first.output and "sandi-demo-panjang" in first.output
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Region)) == 39
        assert session.scalar(select(func.count()).select_from(User)) == 7
        assert standing.village_stage(session, village_code="36.04.13.2007") is Stage.PEMBAHASAN
        assert standing.is_promulgated(session, village_code="36.04.13.2001")
        assert session.get(ChecklistVillageTotal, ("36.04.13.2001", "desa-pmi-prosedural"))
        # Lontar: the demo's answers to checklist v2 (v1's automatic profile item is gone);
        # 7 of 42 weight verified and current (the information service needs renewing)
        lontar = session.get(ChecklistVillageTotal, ("36.04.13.2007", "desa-pmi-prosedural"))
        assert lontar is not None and lontar.verified_count == 4 and not lontar.qualified
        assert lontar.score == pytest.approx(16.7, abs=0.05)
    engine.dispose()


def demo_session(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    return engine, make_session_factory(engine)()


def run_demo(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PERDES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PERDES_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    args = ["demo", "--regions-file", str(FALLBACK_CSV), "--password", "sandi-demo-panjang"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


def lontar_view(session):
    from perdes.accounts.principal import Principal
    from perdes.checklist import views

    return views.assessment_view(
        session, actor=Principal.system(), village_code="36.04.13.2007",
        framework_slug="desa-pmi-prosedural",
    )  # fmt: skip


def test_demo_shows_lontar_on_checklist_v3(tmp_path: Path, monkeypatch) -> None:
    from perdes.checklist.models import Verification

    run_demo(tmp_path, monkeypatch)
    engine, session = demo_session(tmp_path)
    with session:
        view = lontar_view(session)
        assert view.row.version == 3 and len(view.framework.item_ids) == 25
        outcome = view.item("keberangkatan-prosedural")
        assert outcome.answer.verification is Verification.MENUNGGU
        assert outcome.figures == {"known": 23, "matched": 21, "followed_up": 2}
        assert view.outcome_check(outcome).met  # the two unmatched were reported
        assert view.item("layanan-informasi-migrasi").expired, "one item shows perlu diperbarui"
        assert view.item("satgas-komunitas-pmi").state.verified
        assert view.item("pengasuhan-anak-pmi").answer.verification is Verification.DITOLAK
        assert not view.result.qualified
        total = session.get(ChecklistVillageTotal, ("36.04.13.2007", "desa-pmi-prosedural"))
        assert total.verified_count == view.result.verified_count == 4
    engine.dispose()


def test_demo_made_on_v1_upgrades_to_the_current_version(tmp_path: Path, monkeypatch) -> None:
    """A demo database from before v2 (only v1 shipped) is upgraded by the next run (v1 → v2
    → v3): answers that still apply are kept, the removed profile item and the rest are
    archived."""
    from perdes.checklist import framework as framework_module
    from perdes.checklist import loading
    from perdes.checklist.models import ItemEventKind, Verification

    only_v1 = [framework_module.bundled_files()[0]]
    monkeypatch.setattr(loading, "bundled_files", lambda: only_v1)
    run_demo(tmp_path, monkeypatch)
    engine, session = demo_session(tmp_path)
    with session:
        # the daily refresh of a v1 demo sets the automatic profile item for Lontar
        from perdes.checklist import derived

        derived.refresh_village(session, village_code="36.04.13.2007")
        session.commit()
        before = lontar_view(session)
        assert before.row.version == 1
        assert before.item("data-pmi-profil-terkini").state.verified
    engine.dispose()
    monkeypatch.undo()
    run_demo(tmp_path, monkeypatch)
    engine, session = demo_session(tmp_path)
    with session:
        after = lontar_view(session)
        assert after.row.version == 3
        assert {a.item_key for a in after.archived} == {"data-pmi-profil-terkini"}
        kept = after.item("satgas-komunitas-pmi")
        assert kept.state.verified and kept.answer.note.startswith("Keputusan Kepala Desa")
        assert kept.history[0].kind is ItemEventKind.DIBAWA
        recheck = after.item("pendataan-pmi")  # v3 adds document verification to it
        assert recheck.answer.verification is Verification.MENUNGGU
        assert recheck.history[0].kind is ItemEventKind.PERIKSA_ULANG
        assert after.item("keberangkatan-prosedural").answer.verification is Verification.MENUNGGU
        assert after.item("kunjungan-keluarga-pmi").answer is None, "new in v2: starts empty"
    engine.dispose()


def village_view(session, code):
    from perdes.accounts.principal import Principal
    from perdes.checklist import views

    return views.assessment_view(
        session, actor=Principal.system(), village_code=code, framework_slug="desa-pmi-prosedural"
    )


def answers_of(view):
    return {
        it.item.id: (
            it.answer.status, it.answer.verification, it.answer.note, it.answer.verified_at,
            dict(it.answer.figures or {}), [e.name for e in it.evidence],
        )
        for _, items in view.pillars
        for it in items
        if it.answer is not None
    }  # fmt: skip


def test_demo_tirtayasa_keeps_a_register_and_its_items_derive_from_it(
    tmp_path: Path, monkeypatch
) -> None:
    """The fictional register of Tirtayasa: 3 departures in 12 months (2 procedural, the other
    reported to BP3MI), one without checked documents, a return helped by a training."""
    from perdes.checklist.models import ItemStatus, Verification
    from perdes.demo.register_data import PERSONS, REGISTER_VILLAGE
    from perdes.register.models import PmiPerson

    run_demo(tmp_path, monkeypatch)
    run_demo(tmp_path, monkeypatch)  # twice: recorded once
    engine, session = demo_session(tmp_path)
    with session:
        count = select(func.count()).select_from(PmiPerson)
        assert session.scalar(count.where(PmiPerson.village_code == REGISTER_VILLAGE)) == len(
            PERSONS
        )
        view = village_view(session, REGISTER_VILLAGE)
        outcome = view.item("keberangkatan-prosedural")
        assert outcome.register_mode and outcome.figures == {
            "known": 3, "matched": 2, "followed_up": 1,
        }  # fmt: skip
        state = {k: (view.item(k).answer.status, view.item(k).answer.verification) for k in (
            "keberangkatan-prosedural", "pendataan-pmi", "reintegrasi-purna", "layanan-pengaduan",
            "pelaporan-nonprosedural", "pemantauan-keberangkatan-kepulangan",
        )}  # fmt: skip
        waiting = (ItemStatus.TERPENUHI, Verification.MENUNGGU)
        assert state == {
            "keberangkatan-prosedural": waiting,
            "pendataan-pmi": (ItemStatus.BELUM, Verification.BELUM),  # 2 of 3 documents
            "reintegrasi-purna": waiting,
            "layanan-pengaduan": waiting,
            "pelaporan-nonprosedural": waiting,
            "pemantauan-keberangkatan-kepulangan": waiting,
        }
        assert view.item("pendataan-pmi").answer.basis["counts"] == {
            "persons": 5, "departures_12m": 3, "documents_verified_12m": 2,
        }  # fmt: skip
        # Lontar keeps no register: it answers the same items itself
        assert not lontar_view(session).item("keberangkatan-prosedural").register_mode
    engine.dispose()


def test_demo_upgrade_v2_to_v3_keeps_every_answer_that_still_applies(
    tmp_path: Path, monkeypatch
) -> None:
    from perdes.checklist import framework as framework_module
    from perdes.checklist import loading
    from perdes.checklist.models import ItemEventKind, Verification
    from perdes.demo.register_data import REGISTER_VILLAGE

    up_to_v2 = framework_module.bundled_files()[:2]
    monkeypatch.setattr(loading, "bundled_files", lambda: up_to_v2)
    run_demo(tmp_path, monkeypatch)
    engine, session = demo_session(tmp_path)
    with session:
        before = lontar_view(session)
        assert before.row.version == 2
        lontar_before = answers_of(before)
        assert len(lontar_before) == 8
        assert not any(it.register_mode for _, i in village_view(session, REGISTER_VILLAGE)
                       .pillars for it in i)  # fmt: skip
    engine.dispose()
    monkeypatch.undo()
    run_demo(tmp_path, monkeypatch)
    engine, session = demo_session(tmp_path)
    with session:
        after = lontar_view(session)
        assert after.row.version == 3 and after.archived == []
        lontar_after = answers_of(after)
        assert set(lontar_after) == set(lontar_before)
        for key, old in lontar_before.items():
            new = lontar_after[key]
            if key == "pendataan-pmi":  # v3 changed its requirement: back to the monitor
                assert new[1] is Verification.MENUNGGU and new[2] == old[2]
                assert after.item(key).history[0].kind is ItemEventKind.PERIKSA_ULANG
            else:
                assert new == old, key
        # Tirtayasa keeps a register: its bound items now derive from it
        tirtayasa = village_view(session, REGISTER_VILLAGE)
        assert tirtayasa.item("keberangkatan-prosedural").register_mode
    engine.dispose()
