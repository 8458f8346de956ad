"""The outcome threshold per kabupaten/kota: set by the monitor's office, shown on the item."""

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from perdes.accounts.models import AuditEntry
from perdes.accounts.services import principal_for
from perdes.checklist import views
from perdes.checklist.thresholds import OutcomeThreshold, set_threshold
from perdes.errors import NotFound, OutOfScope, ValidationFailed
from tests.checklist.conftest import SLUG
from tests.factories import LONTAR, make_user


@pytest.fixture()
def monitor(db, regions):
    return principal_for(make_user(db, "pemantau", ("36.04",)))


def test_a_monitor_sets_the_threshold_of_its_regency_and_the_village_sees_it(
    db, v2, monitor, people
):
    view = views.assessment_view(db, actor=people["operator"], village_code=LONTAR,
                                 framework_slug=SLUG)  # fmt: skip
    assert view.threshold is None
    row = set_threshold(
        db, actor=monitor, regency_code="36.04", framework_slug=SLUG, percent="90",
        note="Surat BP3MI Banten",
    )  # fmt: skip
    assert row.min_matched_percent == 90 and row.set_by_name
    again = set_threshold(db, actor=monitor, regency_code="36.04", framework_slug=SLUG, percent=95)
    assert again is row and row.min_matched_percent == 95
    view = views.assessment_view(db, actor=people["operator"], village_code=LONTAR,
                                 framework_slug=SLUG)  # fmt: skip
    assert view.threshold.min_matched_percent == 95
    audits = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "checklist_outcome_threshold")
    ).all()
    assert len(audits) == 2


@pytest.mark.parametrize("percent", [-1, 101, "90%", "", None, 12.5, True, "<b>9</b>"])
def test_bad_percentages_are_refused(db, v2, monitor, percent):
    with pytest.raises(ValidationFailed) as caught:
        set_threshold(db, actor=monitor, regency_code="36.04", framework_slug=SLUG, percent=percent)
    assert "0–100" in caught.value.errors["percent"]
    assert db.scalar(select(OutcomeThreshold)) is None


@pytest.mark.parametrize("note", ["x" * 501, "baris\x00kontrol"])
def test_bad_notes_are_refused(db, v2, monitor, note):
    with pytest.raises(ValidationFailed) as caught:
        set_threshold(
            db, actor=monitor, regency_code="36.04", framework_slug=SLUG, percent=90, note=note
        )
    assert "note" in caught.value.errors


def test_only_monitors_of_that_regency_set_it(db, v2, monitor, people):
    with pytest.raises(OutOfScope):
        set_threshold(
            db, actor=people["operator"], regency_code="36.04", framework_slug=SLUG, percent=90
        )
    elsewhere = principal_for(make_user(db, "pemantau", ("32.12",)))
    with pytest.raises(NotFound):
        set_threshold(db, actor=elsewhere, regency_code="36.04", framework_slug=SLUG, percent=90)
    for code in ("36.04.13", LONTAR, "36", "99.99", "bukan kode"):  # not a kabupaten/kota
        with pytest.raises(NotFound):
            set_threshold(db, actor=monitor, regency_code=code, framework_slug=SLUG, percent=90)
    assert db.scalar(select(OutcomeThreshold)) is None


def test_the_outcome_item_shows_the_threshold_or_the_rule_without_one(client, db, v2, monitor):
    from bs4 import BeautifulSoup

    user = make_user(db, "operator", (LONTAR,))
    client.login(user.username)

    def shown():
        html = BeautifulSoup(client.get(f"/desa/{LONTAR}").text, "html.parser")
        return html.select_one("#butir-keberangkatan-prosedural [data-testid=threshold]").text

    assert "belum ditetapkan" in shown()
    set_threshold(db, actor=monitor, regency_code="36.04", framework_slug=SLUG, percent=90)
    assert "sekurang-kurangnya 90% keberangkatan yang diketahui cocok" in shown()


def test_cli_sets_a_threshold_and_refuses_bad_input(tmp_path, monkeypatch):
    from perdes import migrate
    from perdes.cli import app
    from perdes.db import make_engine, make_session_factory
    from perdes.demo import load_regions

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with make_session_factory(engine)() as session:
        from tests.factories import FALLBACK_CSV

        load_regions(session, FALLBACK_CSV)
        session.commit()
    monkeypatch.setenv("PERDES_DATABASE_URL", url)
    monkeypatch.setenv("PERDES_INSTANCE_PATH", str(tmp_path))
    ok = CliRunner().invoke(app, ["checklist", "threshold", "36.04", "90"])
    assert ok.exit_code == 0 and "36.04: outcome threshold 90%" in ok.output
    bad = CliRunner().invoke(app, ["checklist", "threshold", "36.04", "150"])
    assert bad.exit_code == 1 and "0–100" in bad.output
    missing = CliRunner().invoke(app, ["checklist", "threshold", "36.04.13", "90"])
    assert missing.exit_code == 1 and "tidak ditemukan" in missing.output
    engine.dispose()
