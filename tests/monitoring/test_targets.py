"""Target lists: membership by region and CSV (bad codes per line), scope, snapshots, CLI."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from perdes.accounts.services import principal_for
from perdes.cli import app as cli_app
from perdes.errors import NotFound, OutOfScope, ValidationFailed
from perdes.monitoring import targets
from perdes.monitoring.models import TargetListMember, TargetSnapshot
from perdes.tracking.stages import Stage
from tests.factories import KELURAHAN, LONTAR, PONTANG, SUKRA, SUSUKAN, make_user
from tests.monitoring.helpers import set_state

TODAY = date(2026, 11, 27)


@pytest.fixture()
def monitor(db, regions):
    return principal_for(make_user(db, "pemantau"))


def members(db, target) -> set[str]:
    return targets.member_codes(db, target=target)


def test_add_by_region_and_search(db, monitor):
    target = targets.create_target(db, actor=monitor, name="Kantong PMI Tirtayasa")
    added = targets.add_by_region(
        db, actor=monitor, target_id=target.id, region_code="36.04.13", query="lon"
    )
    assert added == 1 and members(db, target) == {LONTAR}
    assert targets.add_by_region(db, actor=monitor, target_id=target.id, region_code="36.04.13") > 1
    with pytest.raises(NotFound):
        targets.add_by_region(db, actor=monitor, target_id=target.id, region_code="32.12")


def test_csv_with_bad_codes_adds_nothing_and_reports_each_line(db, monitor):
    target = targets.create_target(db, actor=monitor, name="Dari CSV")
    data = f"kode\n{LONTAR}\n36.04.13.2999\nbukan-kode\n{SUKRA}\n36.04.13\n\n".encode()
    with pytest.raises(targets.BadCodes) as caught:
        targets.add_from_csv(db, actor=monitor, target_id=target.id, data=data)
    assert [(b.line, b.reason) for b in caught.value.bad] == [
        (3, "Kode tidak terdaftar."),
        (4, "Format kode tidak dikenal."),
        (5, "Di luar wilayah tugas Anda."),
        (6, "Bukan kode desa/kelurahan."),
    ]
    assert members(db, target) == set()
    # a spreadsheet export drops the dots: 3604132007 is Lontar
    undotted = SUSUKAN.replace(".", "")
    ok = f"\ufeffkode;nama\n{LONTAR};Lontar\n{undotted};Susukan\n{LONTAR};lagi\n".encode()
    assert targets.add_from_csv(db, actor=monitor, target_id=target.id, data=ok) == 2
    assert members(db, target) == {LONTAR, SUSUKAN}
    for bad in (b"", b"\xff\xfe", b"kode\n", b"a\x00b"):
        with pytest.raises(ValidationFailed):
            targets.add_from_csv(db, actor=monitor, target_id=target.id, data=bad)


def test_out_of_scope_members_and_other_monitors_lists_are_refused(db, monitor):
    target = targets.create_target(db, actor=monitor, name="Serang")
    with pytest.raises(OutOfScope):
        targets.add_village(db, actor=monitor, target_id=target.id, village_code=SUKRA)
    other = principal_for(make_user(db, "pemantau", ("36.04",)))
    with pytest.raises(NotFound):
        targets.get_target(db, actor=other, target_id=target.id)
    operator = principal_for(make_user(db, "operator"))
    with pytest.raises(OutOfScope):
        targets.list_targets(db, actor=operator)
    with pytest.raises(ValidationFailed):
        targets.create_target(db, actor=monitor, name="  ")
    with pytest.raises(ValidationFailed):
        targets.create_target(db, actor=monitor, name="x" * 121)


def test_figures_snapshots_and_weekly_rule(db, monitor):
    target = targets.create_target(db, actor=monitor, name="Mingguan")
    targets.add_by_region(db, actor=monitor, target_id=target.id, region_code="36.04.13")
    set_state(db, LONTAR, stage=Stage.DIUNDANGKAN, qualified=True, score=90.0)
    first = targets.snapshot_if_due(db, actor=monitor, target=target, today=TODAY)
    assert first is not None and first.promulgated_count == 1 and first.qualified_count == 1
    assert first.stage_counts["belum_mulai"] == first.village_count - 1
    assert (
        targets.snapshot_if_due(db, actor=monitor, target=target, today=TODAY + timedelta(days=6))
        is None
    )
    later = targets.snapshot_if_due(
        db, actor=monitor, target=target, today=TODAY + timedelta(days=7)
    )
    assert later is not None
    again = targets.take_snapshot(db, actor=monitor, target=target, today=TODAY + timedelta(days=7))
    assert again.id == later.id
    assert [s.taken_on for s in targets.snapshots(db, target=target)] == [
        TODAY,
        TODAY + timedelta(days=7),
    ]


def test_remove_and_delete(db, monitor):
    target = targets.create_target(db, actor=monitor, name="Hapus")
    targets.add_village(db, actor=monitor, target_id=target.id, village_code=PONTANG)
    targets.remove_village(db, actor=monitor, target_id=target.id, village_code=PONTANG)
    with pytest.raises(NotFound):
        targets.remove_village(db, actor=monitor, target_id=target.id, village_code=PONTANG)
    targets.add_village(db, actor=monitor, target_id=target.id, village_code=PONTANG)
    targets.take_snapshot(db, actor=monitor, target=target, today=TODAY)
    targets.delete_target(db, actor=monitor, target_id=target.id)
    assert db.scalar(select(func.count()).select_from(TargetListMember)) == 0
    assert db.scalar(select(func.count()).select_from(TargetSnapshot)) == 0


def test_kelurahan_member_counted_apart(db):
    from perdes.accounts.principal import Principal
    from tests.factories import load_sample_regions

    load_sample_regions(db)
    system = Principal.system()
    target = targets.create_target(db, actor=system, name="Campur")
    targets.add_village(db, actor=system, target_id=target.id, village_code=KELURAHAN)
    figures = targets.target_figures(db, actor=system, target=target, today=TODAY)
    assert sum(f.kelurahan for f in figures.values()) == 1
    assert sum(f.desa for f in figures.values()) == 0


def test_cli_snapshot(db, monitor, engine, monkeypatch, database_url):
    # The CLI opens its own session, so it sees only committed lists: none in this test.
    monkeypatch.setenv("PERDES_DATABASE_URL", database_url)
    result = CliRunner().invoke(cli_app, ["monitoring", "snapshot"])
    assert result.exit_code == 0, result.output
    assert "snapshots taken: 0" in result.output
    target = targets.create_target(db, actor=monitor, name="Cron")
    assert targets.snapshot_all_due(db, today=TODAY) == 0  # an empty list gets no zero point
    assert members(db, target) == set()
    targets.add_village(db, actor=monitor, target_id=target.id, village_code=LONTAR)
    assert targets.snapshot_all_due(db, today=TODAY) == 1
    assert targets.snapshot_all_due(db, today=TODAY) == 0
