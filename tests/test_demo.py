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
        assert session.scalar(select(func.count()).select_from(User)) == 6
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
