"""One eligibility rule (perdes.drafting.eligibility): a kelurahan cannot make a Perdes, and
every entry point refuses it with the same message, error type and status (issue #12, 6)."""

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perdes import migrate
from perdes.accounts.principal import Principal
from perdes.cli import app as cli_app
from perdes.db import make_engine, make_session_factory, session_scope
from perdes.drafting.assembler import assemble
from perdes.drafting.eligibility import (
    KELURAHAN_REFUSAL,
    KELURAHAN_REFUSAL_EN,
    PerdesNotAllowed,
    can_make_perdes,
)
from perdes.drafting.loader import load_template
from perdes.drafting.model import VillageContext
from perdes.drafting.workspace import services as drafts
from perdes.tracking import services as tracking
from tests.api.conftest import assert_error
from tests.factories import KELURAHAN, LONTAR, load_sample_regions

NAMES = {"nama_kepala_desa": "Ahmad Sobari", "nama_sekretaris_desa": "Junaedi"}
KOTA_KELURAHAN = VillageContext(
    desa_name="Cipare",
    kecamatan_name="Serang",
    kabupaten_name="Kota Serang",
    provinsi_name="Banten",
    village_code="36.73.01.1009",
    kepala_desa_name="Ahmad",
    sekretaris_desa_name="Budi",
)


def test_the_rule_reads_the_code() -> None:
    assert can_make_perdes(LONTAR) and can_make_perdes("13.06.07.2001")
    assert not can_make_perdes(KELURAHAN) and not can_make_perdes("36.73.01.1009")
    assert can_make_perdes("35.79.01.2005")  # a desa in a kota may
    assert not can_make_perdes("36.04.13")  # not a village at all


def test_the_engine_refuses_a_kelurahan() -> None:
    with pytest.raises(PerdesNotAllowed) as err:
        assemble(
            load_template("pelindungan-pmi"),
            village=KOTA_KELURAHAN,
            values={},
            options={},
            today=date(2026, 11, 27),
        )
    assert err.value.errors == {"village": KELURAHAN_REFUSAL}


def test_cli_refuses_with_a_nonzero_exit(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        load_sample_regions(session)
    engine.dispose()
    monkeypatch.setenv("PERDES_DATABASE_URL", url)
    out = tmp_path / "x.txt"
    result = CliRunner().invoke(
        cli_app,
        [
            *("draft", "render", "--template", "pelindungan-pmi", "--village", KELURAHAN),
            *("--format", "txt", "-o", str(out)),
        ],
    )
    assert result.exit_code == 1
    assert KELURAHAN_REFUSAL_EN in result.output
    assert not out.exists()


def test_pages_preview_workspace_and_tracker_all_say_422_with_the_same_message(
    client, db, regions
) -> None:
    client.login_as(db, "admin")
    form = {"template": "pelindungan-pmi", **{f"v_{k}": v for k, v in NAMES.items()}}
    preview = client.post(f"/desa/{KELURAHAN}/rancangan/pratinjau", form, htmx=True)
    create = client.post(f"/desa/{KELURAHAN}/rancangan", form)
    tracker = client.post(f"/desa/{KELURAHAN}/perdes", {"title": "X"}, htmx=True)
    for response in (preview, create, tracker):
        assert response.status_code == 422, response.text[:300]
        assert KELURAHAN_REFUSAL in response.text
    # and the services themselves raise the one error type
    for call in (
        lambda: drafts.create_draft(
            db,
            actor=Principal.system(),
            village_code=KELURAHAN,
            template_slug="pelindungan-pmi",
            values=NAMES,
            options={},
        ),
        lambda: tracking.start_adoption(db, actor=Principal.system(), village_code=KELURAHAN),
    ):
        with pytest.raises(PerdesNotAllowed):
            call()


def test_api_says_422_in_its_own_error_shape(api) -> None:
    body = {"template": "pelindungan-pmi", "values": NAMES}
    response = api("admin").post(f"/api/v1/villages/{KELURAHAN}/drafts/docx", json=body)
    error = assert_error(response, 422)
    assert error["fields"] == {"village": KELURAHAN_REFUSAL_EN}
