"""Working-day deadlines: weekends, public holidays around Idul Fitri, the per-kabupaten
cuti bersama rule, overrides, the Bupati's evaluation deadline, the holiday file and the
migration that recomputed stored due dates."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from perdes import migrate
from perdes.db import make_engine
from perdes.errors import ValidationFailed
from perdes.tracking import rules, services, workdays
from perdes.tracking.deadlines import DeadlineKind, describe
from perdes.tracking.stages import Stage
from tests.factories import LONTAR, SUSUKAN
from tests.tracking.helpers import step_data, walk

# Idul Fitri 1447 H: Saturday 21 and Sunday 22 March 2026; Nyepi Thursday 19 March; cuti
# bersama Wednesday 18, Friday 20, Monday 23 and Tuesday 24 March (SKB 3 Menteri, as in the
# `holidays` package).
AGREED_BEFORE_LEBARAN = date(2026, 3, 17)  # a Tuesday


def _calendar():
    return workdays.calendar()


def test_a_weekend_is_skipped():
    friday = date(2026, 1, 9)
    assert _calendar().add_working_days(friday, 1, skip_joint_leave=False) == date(2026, 1, 12)
    # 12–15 January, then Isra Mikraj on Friday 16 January: the fifth day is Monday 19.
    assert _calendar().add_working_days(friday, 5, skip_joint_leave=False) == date(2026, 1, 19)


def test_idul_fitri_holidays_and_cuti_bersama():
    cal = _calendar()
    # Counted: 18, 20, 23, 24, 25, 26, 27 March (Nyepi and the Lebaran weekend skipped).
    assert cal.add_working_days(AGREED_BEFORE_LEBARAN, 7, skip_joint_leave=False) == date(
        2026, 3, 27
    )
    # Cuti bersama skipped too: 25, 26, 27, 30, 31 March, 1 and 2 April.
    assert cal.add_working_days(AGREED_BEFORE_LEBARAN, 7, skip_joint_leave=True) == date(2026, 4, 2)
    assert (
        cal.working_days_between(date(2026, 3, 17), date(2026, 3, 27), skip_joint_leave=True) == 3
    )


def test_overdue_figures_are_in_working_days():
    due = date(2026, 3, 17)
    assert describe(due, date(2026, 3, 25)) == ("terlambat 5 hari kerja", "bad")
    assert describe(due, date(2026, 3, 25), skip_joint_leave=True) == (
        "terlambat 1 hari kerja",
        "bad",
    )


def test_the_holiday_file_adds_and_removes_days(tmp_path):
    extra = tmp_path / "libur.yaml"
    extra.write_text(
        "tambahan:\n"
        "  - {tanggal: 2026-01-12, nama: Libur daerah, dasar: Keppres contoh}\n"
        "dihapus:\n"
        "  - {tanggal: 2026-01-16, dasar: SKB contoh}\n",
        encoding="utf-8",
    )
    cal = workdays.build_calendar([workdays.BUNDLED_FILE, extra], last_year=2027)
    assert not cal.is_working_day(date(2026, 1, 12), skip_joint_leave=False)
    assert cal.is_working_day(date(2026, 1, 16), skip_joint_leave=False)  # Isra Mikraj removed
    assert cal.add_working_days(date(2026, 1, 9), 1, skip_joint_leave=False) == date(2026, 1, 13)


@pytest.mark.parametrize(
    "content",
    [
        "tambahan: [{tanggal: 2026-01-12, nama: X}]\n",  # no source
        "tambahan: [{tanggal: besok, nama: X, dasar: Y}]\n",
        "tambahan: [{tanggal: 2026-01-12, nama: X, dasar: Y, jenis: cuti}]\n",
        "- 2026-01-12\n",
        "tambahan: [\n",
    ],
)
def test_a_bad_holiday_file_is_refused(tmp_path, content):
    extra = tmp_path / "libur.yaml"
    extra.write_text(content, encoding="utf-8")
    with pytest.raises(workdays.HolidayFileError):
        workdays.build_calendar([extra], last_year=2027)


def test_the_kabupaten_cuti_bersama_rule_moves_only_its_deadlines(db, operator, admin):
    lontar = services.start_adoption(db, actor=operator, village_code=LONTAR)
    walk(db, operator, lontar, Stage.DISEPAKATI, start=date(2026, 3, 2), gap=3)
    assert lontar.current_stage_on == AGREED_BEFORE_LEBARAN
    assert lontar.next_deadline_on == date(2026, 3, 27)
    rules.set_workday_rule(
        db,
        actor=admin,
        regency_code="36.04",
        skip_joint_leave=True,
        legal_basis="Perbup Serang No. 2 Tahun 2026",
    )
    db.refresh(lontar)
    assert lontar.next_deadline_on == date(2026, 4, 2)
    # A kabupaten override of the number of days still wins, counted by the same calendar.
    rules.set_rule(
        db, actor=admin, kind="penyerahan", regency_code="36.04", days="3", legal_basis="Perbup"
    )
    db.refresh(lontar)
    assert lontar.next_deadline_on == date(2026, 3, 27)  # 25, 26, 27 March
    rules.set_workday_rule(
        db, actor=admin, regency_code="36.04", skip_joint_leave=False, legal_basis="Perbup baru"
    )
    db.refresh(lontar)
    assert lontar.next_deadline_on == date(2026, 3, 23)  # 18, 20 and 23 March
    with pytest.raises(ValidationFailed) as refused:
        rules.set_workday_rule(
            db, actor=admin, regency_code="99.99", skip_joint_leave=True, legal_basis=""
        )
    assert set(refused.value.errors) == {"regency_code", "legal_basis"}


def test_an_evaluated_perdes_waits_for_the_bupati(db, operator):
    budget = services.start_adoption(
        db, actor=operator, village_code=LONTAR, title="APB Desa 2026", perdes_type="apb_desa"
    )
    handed = walk(db, operator, budget, Stage.DISERAHKAN, start=date(2026, 3, 2), gap=3)
    assert budget.next_deadline_kind is DeadlineKind.PENETAPAN
    signing = step_data(Stage.DITETAPKAN, handed)
    with pytest.raises(ValidationFailed) as refused:
        services.record_step(db, actor=operator, adoption_id=budget.id, data=signing)
    assert "dievaluasi" in refused.value.errors["stage"]
    services.record_evaluation(
        db,
        actor=operator,
        adoption_id=budget.id,
        data={"evaluation_received_on": "2026-03-20"},
        expected_version=budget.version,
    )
    # 20 working days from Friday 20 March: the Lebaran week and Good Friday (3 April) skipped.
    assert budget.next_deadline_kind is DeadlineKind.EVALUASI
    assert budget.next_deadline_on == date(2026, 4, 20)
    early = step_data(Stage.DITETAPKAN, date(2026, 4, 6))
    with pytest.raises(ValidationFailed):
        services.record_step(db, actor=operator, adoption_id=budget.id, data=early)
    # The Bupati stays silent past the deadline: the Perdes may be set (Pasal 69 ayat (8)).
    late = step_data(Stage.DITETAPKAN, date(2026, 4, 21))
    services.record_step(db, actor=operator, adoption_id=budget.id, data=late)
    assert budget.current_stage is Stage.DITETAPKAN and budget.next_deadline_on is None


def test_evaluation_dates_are_checked(db, operator, admin):
    budget = services.start_adoption(
        db, actor=operator, village_code=LONTAR, title="Pungutan", perdes_type="pungutan"
    )
    walk(db, operator, budget, Stage.DISEPAKATI, start=date(2026, 3, 2), gap=3)
    for data, field in [
        ({"evaluation_received_on": "2026-03-16"}, "evaluation_received_on"),  # before agreement
        ({"evaluation_received_on": "2099-01-01"}, "evaluation_received_on"),
        ({"evaluation_received_on": "2026-03-20", "evaluation_result_on": "2026-03-19"},
         "evaluation_result_on"),
        ({"evaluation_received_on": "²⁰²⁶-03-20"}, "evaluation_received_on"),
        ({}, "evaluation_received_on"),
    ]:  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            services.record_evaluation(db, actor=operator, adoption_id=budget.id, data=data)
        assert field in refused.value.errors
    services.record_evaluation(
        db,
        actor=operator,
        adoption_id=budget.id,
        data={"evaluation_received_on": "2026-03-20", "evaluation_result_on": "2026-04-01"},
    )
    assert budget.next_deadline_kind is DeadlineKind.PENYERAHAN  # evaluation done
    pmi = services.start_adoption(db, actor=admin, village_code=SUSUKAN)
    with pytest.raises(ValidationFailed) as refused:
        services.record_evaluation(
            db, actor=admin, adoption_id=pmi.id, data={"evaluation_received_on": "2026-03-20"}
        )
    assert "tidak dievaluasi" in refused.value.message


def test_an_unknown_perdes_type_is_refused(db, operator):
    with pytest.raises(ValidationFailed) as refused:
        services.start_adoption(db, actor=operator, village_code=LONTAR, perdes_type="apbdes")
    assert "perdes_type" in refused.value.errors


def test_the_migration_recomputes_stored_deadlines(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    try:
        migrate.upgrade(engine, "0011")
        with engine.begin() as conn:
            for code, level, parent in [
                ("36", "provinsi", None),
                ("36.04", "kabupaten", "36"),
                ("36.04.13", "kecamatan", "36.04"),
                ("36.04.13.2007", "desa", "36.04.13"),
            ]:
                conn.execute(
                    text(
                        "INSERT INTO region (code, name, level, parent_code, province_code)"
                        " VALUES (:c, :c, :l, :p, '36')"
                    ),
                    {"c": code, "l": level, "p": parent},
                )
            conn.execute(
                text(
                    "INSERT INTO deadline_rule (kind, regency_code, days, legal_basis, updated_at)"
                    " VALUES ('pelaporan', '36.04', 10, 'Perbup', '2026-01-01 00:00:00')"
                )
            )
            for stage, on, kind, due in [
                ("disepakati", "2026-03-17", "penyerahan", "2026-03-24"),  # calendar days
                ("diundangkan", "2026-03-17", "pelaporan", "2026-03-27"),
                ("ditetapkan", "2026-03-17", None, None),
            ]:
                conn.execute(
                    text(
                        "INSERT INTO adoption (village_code, title, summary,"
                        " recorded_after_the_fact, version, current_stage, current_stage_on,"
                        " next_deadline_kind, next_deadline_on, berita_acara_number,"
                        " perdes_number, lembaran_number, report_letter_number, created_at,"
                        " updated_at) VALUES ('36.04.13.2007', 't', '', 0, 1, :s, :on, :k, :d,"
                        " '', '', '', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                    ),
                    {"s": stage, "on": on, "k": kind, "d": due},
                )

        def stored():
            with engine.connect() as conn:
                return conn.execute(
                    text("SELECT next_deadline_kind, next_deadline_on FROM adoption ORDER BY id")
                ).all()

        migrate.upgrade(engine, "0030")
        assert [tuple(map(str, r)) for r in stored()] == [
            ("penyerahan", "2026-03-27"),  # 7 working days across Nyepi and Lebaran
            ("pelaporan", "2026-04-01"),  # the kabupaten's 10 working days
            ("None", "None"),
        ]
        migrate.downgrade(engine, "0011")
        assert [tuple(map(str, r)) for r in stored()] == [
            ("penyerahan", "2026-03-24"),
            ("pelaporan", "2026-03-27"),
            ("None", "None"),
        ]
    finally:
        engine.dispose()


def test_the_rules_read_together_are_the_rules_read_apart(db, admin):
    """``rules_in_force`` (one statement, for the village page) answers as
    ``effective_rules`` and ``skips_joint_leave`` do, whatever rules are set."""
    from perdes.regions.models import Region
    from perdes.tracking import queries

    assert db.get(Region, "36.04") is not None and db.get(Region, "36.71") is not None

    def apart(code: str):  # type: ignore[no-untyped-def]
        return (
            queries.effective_rules(db, regency_code=code),
            queries.skips_joint_leave(db, regency_code=code),
        )

    codes = ("36.04", "36.71", "99.99")  # with rules, without, not a kabupaten
    for code in codes:
        assert queries.rules_in_force(db, regency_code=code) == apart(code)
    rules.set_rule(db, actor=admin, kind="penyerahan", regency_code="", days="5", legal_basis="N")
    rules.set_rule(
        db, actor=admin, kind="penyerahan", regency_code="36.04", days="9", legal_basis="Perbup"
    )
    rules.set_rule(
        db, actor=admin, kind="penetapan", regency_code="36.04", days="20", legal_basis="Perbup"
    )
    rules.set_workday_rule(
        db, actor=admin, regency_code="36.04", skip_joint_leave=True, legal_basis="Perbup"
    )
    for code in codes:
        assert queries.rules_in_force(db, regency_code=code) == apart(code)
    found, skip = queries.rules_in_force(db, regency_code="36.04")
    assert skip and found[DeadlineKind.PENYERAHAN].days == 9
    assert found[DeadlineKind.PENETAPAN].source == "36.04"
    found, skip = queries.rules_in_force(db, regency_code="36.71")
    assert not skip and found[DeadlineKind.PENYERAHAN].source == "nasional"
