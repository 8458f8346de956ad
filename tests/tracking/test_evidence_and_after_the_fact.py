"""Evidence on steps, and a Perdes recorded after the fact with its numbers and scans."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from perdes.errors import NotFound, ValidationFailed
from perdes.files import StoredFile
from perdes.tracking import after_the_fact, evidence, services, standing
from perdes.tracking.models import Adoption
from perdes.tracking.stages import REASON_KELURAHAN, Stage
from tests.factories import KELURAHAN, LONTAR, SUSUKAN
from tests.tracking.helpers import PDF, PNG, TODAY, walk

LIMIT = 10_000


@pytest.fixture()
def step(db, operator):
    adoption = services.start_adoption(db, actor=operator, village_code=LONTAR)
    walk(db, operator, adoption, Stage.DISEPAKATI)
    return adoption.events[-1]


def attach(db, actor, event, data, name, tmp_path, limit=LIMIT):
    return evidence.attach_evidence(
        db, actor=actor, event_id=event.id, data=data, filename=name, root=tmp_path,
        max_bytes=limit,
    )  # fmt: skip


def test_evidence_is_stored_by_hash_and_duplicates_are_recognised(db, operator, step, tmp_path):
    record, duplicate = attach(db, operator, step, PDF, "../../Berita Acara.pdf", tmp_path)
    assert not duplicate and record.original_name == "Berita Acara.pdf"
    assert (tmp_path / record.storage_name).read_bytes() == PDF
    assert "Berita" not in record.storage_name and len(record.sha256) == 64
    assert [f.id for f in step.files] == [record.id]
    with pytest.raises(ValidationFailed, match="Periksa") as caught:
        attach(db, operator, step, PDF, "lagi.pdf", tmp_path)
    assert "sudah dilampirkan" in caught.value.errors["file"]
    other = services.record_step(
        db,
        actor=operator,
        adoption_id=step.adoption_id,
        data={"stage": "diserahkan_ke_kepala_desa", "occurred_on": TODAY.isoformat()},
        today=TODAY,
    )
    again, duplicate = attach(db, operator, other, PDF, "salinan.pdf", tmp_path)
    assert duplicate and again.id == record.id
    found, name = evidence.get_evidence(db, actor=operator, village_code=LONTAR, file_id=record.id)
    assert found.id == record.id and name in ("Berita Acara.pdf", "salinan.pdf")
    with pytest.raises(NotFound):
        evidence.get_evidence(db, actor=operator, village_code=SUSUKAN, file_id=record.id)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 64, "perdes.pdf", "Jenis berkas tidak diterima"),
        (b"<html><script>alert(1)</script></html>", "perdes.pdf", "Jenis berkas tidak diterima"),
        (PDF + b" " * LIMIT, "besar.pdf", "terlalu besar"),
        (b"", "kosong.pdf", "kosong"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_linked(
    db, operator, step, tmp_path, data, name, message
):
    with pytest.raises(ValidationFailed) as caught:
        attach(db, operator, step, data, name, tmp_path)
    assert message in caught.value.errors["file"]
    assert step.files == [] and db.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_readers_cannot_attach(db, step, tmp_path):
    from perdes.accounts.services import principal_for
    from perdes.errors import OutOfScope
    from tests.factories import make_user

    helper = principal_for(make_user(db, "pendamping"))
    with pytest.raises(OutOfScope):
        attach(db, helper, step, PNG, "foto.png", tmp_path)


AFTER = {
    "title": "Pelindungan Pekerja Migran Indonesia",
    "summary": "Pendataan, informasi kerja, pemberdayaan PMI purna.",
    "agreed_on": "2018-11-20",
    "berita_acara_number": "BA/BPD/07/2018",
    "enacted_on": "2018-12-03",
    "perdes_number": "7",
    "promulgated_on": "2018-12-03",
    "lembaran_year": "2018",
    "lembaran_number": "7",
}


def test_a_perdes_enacted_before_the_app_is_recorded_after_the_fact(db, operator, tmp_path):
    adoption = after_the_fact.record_after_the_fact(
        db,
        actor=operator,
        village_code=LONTAR,
        data=AFTER,
        scans={Stage.DITETAPKAN: ("perdes-7-2018.pdf", PDF)},
        upload_root=tmp_path,
        today=TODAY,
    )
    assert adoption.recorded_after_the_fact
    assert [e.stage for e in adoption.events] == [
        Stage.DISEPAKATI,
        Stage.DITETAPKAN,
        Stage.DIUNDANGKAN,
    ]
    assert all(e.after_the_fact for e in adoption.events)
    assert adoption.current_stage is Stage.DIUNDANGKAN
    assert (adoption.perdes_number, adoption.enacted_on) == ("7", date(2018, 12, 3))
    assert adoption.next_deadline_on == date(2018, 12, 10), "the report is still due"
    assert [f.original_name for f in adoption.events[1].files] == ["perdes-7-2018.pdf"]
    assert standing.is_promulgated(db, village_code=LONTAR)


def test_after_the_fact_with_report_and_handover(db, operator):
    data = {
        **AFTER,
        "handed_over_on": "2018-11-22",
        "reported_on": "2018-12-06",
        "letter_number": "140/33/2018",
    }
    adoption = after_the_fact.record_after_the_fact(
        db, actor=operator, village_code=LONTAR, data=data, today=TODAY
    )
    assert adoption.current_stage is Stage.DILAPORKAN and adoption.next_deadline_on is None
    assert len(adoption.events) == 5


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"perdes_number": ""}, "perdes_number", "Wajib diisi"),
        ({"enacted_on": "2018-11-01"}, "enacted_on", "sebelum langkah sebelumnya"),
        ({"promulgated_on": "2099-01-01"}, "promulgated_on", "masa depan"),
        ({"reported_on": "2018-12-05"}, "letter_number", "Wajib diisi"),
    ],
)
def test_after_the_fact_refuses_bad_data_and_writes_nothing(db, operator, changes, field, message):
    with pytest.raises(ValidationFailed) as caught:
        after_the_fact.record_after_the_fact(
            db, actor=operator, village_code=LONTAR, data={**AFTER, **changes}, today=TODAY
        )
    assert message in caught.value.errors[field]
    assert db.scalar(select(func.count()).select_from(Adoption)) == 0


def test_after_the_fact_refuses_a_lying_scan_before_writing(db, operator, tmp_path):
    with pytest.raises(ValidationFailed) as caught:
        after_the_fact.record_after_the_fact(
            db,
            actor=operator,
            village_code=LONTAR,
            data=AFTER,
            scans={Stage.DITETAPKAN: ("perdes.pdf", b"MZ" + b"\x00" * 50)},
            upload_root=tmp_path,
            today=TODAY,
        )
    assert "Jenis berkas" in caught.value.errors["scan_ditetapkan"]
    assert db.scalar(select(func.count()).select_from(Adoption)) == 0


def test_kelurahan_cannot_record_after_the_fact(db, admin):
    with pytest.raises(ValidationFailed) as caught:
        after_the_fact.record_after_the_fact(
            db, actor=admin, village_code=KELURAHAN, data=AFTER, today=TODAY
        )
    assert caught.value.errors == {"village": REASON_KELURAHAN}


def test_equal_files_keep_each_uploaders_name_across_villages(db, operator, step, tmp_path):
    from perdes.accounts.services import principal_for
    from tests.factories import make_user

    attach(db, operator, step, PDF, "rahasia-lontar.pdf", tmp_path)
    susukan = principal_for(make_user(db, "operator", (SUSUKAN,)))
    adoption = services.start_adoption(db, actor=susukan, village_code=SUSUKAN)
    other = services.record_step(
        db, actor=susukan, adoption_id=adoption.id,
        data={"stage": "direncanakan", "occurred_on": TODAY.isoformat()}, today=TODAY,
    )  # fmt: skip
    record, duplicate = attach(db, susukan, other, PDF, "laporan-susukan.pdf", tmp_path)
    assert duplicate
    _, name = evidence.get_evidence(db, actor=susukan, village_code=SUSUKAN, file_id=record.id)
    assert name == "laporan-susukan.pdf"
    db.refresh(other)
    assert [link.file_name for link in other.file_links] == ["laporan-susukan.pdf"]
