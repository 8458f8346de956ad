"""Registers contain exactly the recorded data (also reopened from XLSX); deadline rules."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from perdes.errors import NotFound, OutOfScope, ValidationFailed
from perdes.tracking import queries, rules, services
from perdes.tracking.deadlines import DeadlineKind, describe
from perdes.tracking.registers import registers_xlsx, village_registers
from perdes.tracking.stages import Stage
from tests.factories import LONTAR, PONTANG
from tests.tracking.helpers import TODAY, step_data, walk


def _full(db, actor):
    adoption = services.start_adoption(
        db, actor=actor, village_code=LONTAR, summary="Pendataan dan pemberdayaan PMI."
    )
    walk(db, actor, adoption, Stage.DIUNDANGKAN, start=date(2026, 2, 2), gap=2)
    return adoption


def test_without_a_year_the_books_open_on_the_latest_year_with_entries(db, operator, monkeypatch):
    from perdes.tracking import registers

    monkeypatch.setattr(registers, "local_today", lambda: date(2027, 1, 5))
    empty = village_registers(db, actor=operator, village_code=LONTAR)
    assert (empty.year, empty.years, empty.peraturan) == (2027, [], [])  # nothing yet: this year
    _full(db, operator)  # enacted and promulgated in 2026
    books = village_registers(db, actor=operator, village_code=LONTAR)
    assert books.year == 2026 and len(books.peraturan) == 1  # not the empty 2027
    assert village_registers(db, actor=operator, village_code=LONTAR, year=2027).peraturan == []


def test_registers_hold_exactly_the_recorded_numbers(db, operator):
    adoption = _full(db, operator)
    services.record_step(
        db,
        actor=operator,
        adoption_id=adoption.id,
        data=step_data(Stage.DILAPORKAN, date(2026, 3, 1)) | {"letter_number": "140/7/2026"},
        today=TODAY,
    )
    reg = village_registers(db, actor=operator, village_code=LONTAR, year=2026)
    assert reg.years == [2026]
    (row,) = reg.peraturan
    assert row.cells() == (
        1,
        "Peraturan Desa",
        "5",
        adoption.enacted_on,
        "Pelindungan Pekerja Migran Indonesia",
        "Pendataan dan pemberdayaan PMI.",
        adoption.agreed_on,
        "140/7/2026",
        date(2026, 3, 1),
        "5",
        adoption.promulgated_on,
        "",
        None,
        "",
    )
    (lembaran,) = reg.lembaran
    assert lembaran.lembaran == "Lembaran Desa Tahun 2026 Nomor 5"
    assert village_registers(db, actor=operator, village_code=LONTAR, year=2025).peraturan == []

    wb = load_workbook(BytesIO(registers_xlsx(reg)))
    assert wb.sheetnames == [
        "Buku Peraturan di Desa",
        "Buku Lembaran Desa",
        "Buku Keputusan Kepala Desa",
    ]
    ws = wb["Buku Peraturan di Desa"]
    assert "TAHUN 2026" in ws["A1"].value
    assert ws["A3"].value == "Nomor urut"
    assert ws["A5"].value is None and ws["A6"].value == "MENGETAHUI,", "exactly one row"
    assert ws["A7"].value == "KEPALA DESA LONTAR,"
    values = [c.value for c in ws[4]]
    assert values[:3] == [1, "Peraturan Desa", "5"]
    assert values[3].date() == adoption.enacted_on and values[7] == "140/7/2026"
    ws2 = wb["Buku Lembaran Desa"]
    assert ws2["G4"].value == "Lembaran Desa Tahun 2026 Nomor 5" and ws2["A5"].value is None


def test_a_cancelled_perdes_stays_in_the_register_with_a_remark(db, operator):
    adoption = _full(db, operator)
    last = walk(db, operator, adoption, Stage.DILAPORKAN, start=date(2026, 2, 2), gap=1)
    services.record_step(
        db,
        actor=operator,
        adoption_id=adoption.id,
        data=step_data(Stage.KLARIFIKASI, last)
        | {"clarification_result": "dibatalkan", "decision_number": "KEP-9"},
        today=TODAY,
    )
    reg = village_registers(db, actor=operator, village_code=LONTAR, year=2026)
    assert "Dibatalkan dengan Keputusan Bupati/Wali Kota Nomor KEP-9" in reg.peraturan[0].remarks


def test_registers_outside_scope_are_not_found(db, operator):
    with pytest.raises(NotFound):
        village_registers(db, actor=operator, village_code=PONTANG, year=2026)


def test_overrides_per_kabupaten_recompute_stored_deadlines(db, operator, admin):
    adoption = services.start_adoption(db, actor=operator, village_code=LONTAR)
    agreed = walk(db, operator, adoption, Stage.DISEPAKATI)
    assert agreed == date(2026, 1, 20)  # a Tuesday
    assert adoption.next_deadline_on == date(2026, 1, 29), "7 working days"
    rule = rules.set_rule(
        db,
        actor=admin,
        kind="penyerahan",
        regency_code="36.04",
        days="10",
        legal_basis="Perbup Serang No. 1 Tahun 2026 Pasal 5",
    )
    db.refresh(adoption)
    assert adoption.next_deadline_on == date(2026, 2, 3), "10 working days"
    view = queries.village_tracker(db, actor=operator, village_code=LONTAR)
    assert view.adoptions[0].deadline_rule.legal_basis.startswith("Perbup Serang")
    rules.set_rule(
        db, actor=admin, kind="penyerahan", regency_code="", days="5", legal_basis="Nasional"
    )
    db.refresh(adoption)
    assert adoption.next_deadline_on == date(2026, 2, 3), "kabupaten rule wins"
    rules.delete_rule(db, actor=admin, rule_id=rule.id)
    db.refresh(adoption)
    assert adoption.next_deadline_on == date(2026, 1, 27), "5 working days"
    assert [r.rule.regency_code for r in rules.list_rules(db, actor=admin)] == [None]
    signing = queries.effective_rules(db, regency_code="36.04")[DeadlineKind.PENETAPAN]
    assert (signing.days, signing.source) == (15, "bawaan")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "lain"}, "kind"),
        ({"regency_code": "36.04.13"}, "regency_code"),
        ({"regency_code": "99.99"}, "regency_code"),
        ({"days": "0"}, "days"),
        ({"days": "tujuh"}, "days"),
        ({"legal_basis": ""}, "legal_basis"),
    ],
)
def test_bad_rules_are_refused(db, admin, values, field):
    data = {"kind": "penetapan", "regency_code": "36.04", "days": "15", "legal_basis": "Perbup"}
    with pytest.raises(ValidationFailed) as caught:
        rules.set_rule(db, actor=admin, **{**data, **values})
    assert field in caught.value.errors


def test_only_admins_manage_rules(db, operator):
    with pytest.raises(OutOfScope):
        rules.set_rule(
            db, actor=operator, kind="penetapan", regency_code="", days="3", legal_basis="x"
        )


def test_describe_deadlines():
    assert describe(TODAY, TODAY) == ("jatuh tempo hari ini", "warn")
    # TODAY is a Friday: nine calendar days ahead is Sunday 6 Dec, five working days.
    assert describe(TODAY + timedelta(days=9), TODAY) == ("jatuh tempo dalam 5 hari kerja", "ok")
    assert describe(TODAY + timedelta(days=3), TODAY) == ("jatuh tempo dalam 1 hari kerja", "warn")
    assert describe(TODAY - timedelta(days=2), TODAY) == ("terlambat 2 hari kerja", "bad")
    assert describe(TODAY - timedelta(days=7), TODAY) == ("terlambat 5 hari kerja", "bad")
    # Due on Friday, seen on Sunday: late, but no working day lost yet.
    assert describe(TODAY, TODAY + timedelta(days=2)) == ("tenggat terlewati (hari libur)", "bad")
