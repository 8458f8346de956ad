"""The four kinds of village legal products: step sets, after-the-fact records, partner
villages, amend/repeal links with their derived status, the registers, and "one truth"."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from perdes.errors import NotFound, ValidationFailed
from perdes.tracking import links, services, standing
from perdes.tracking.after_the_fact import record_after_the_fact
from perdes.tracking.kinds import ProductKind, step_set
from perdes.tracking.links import LegalStatus, publication, statuses
from perdes.tracking.registers import registers_xlsx, village_registers
from perdes.tracking.stages import Stage
from tests.factories import KELURAHAN, LONTAR, PONTANG, SUSUKAN
from tests.tracking.helpers import PDF, TODAY, step_data


def _step(db, actor, adoption, stage, on, **fields):
    data = {"stage": stage.value, "occurred_on": on.isoformat(), **fields}
    return services.record_step(db, actor=actor, adoption_id=adoption.id, data=data, today=TODAY)


def _perkades(db, actor, title="Tata Cara Pendataan PMI", *, promulgate=True, number="2"):
    a = services.start_adoption(db, actor=actor, village_code=LONTAR, title=title, kind="perkades")
    _step(db, actor, a, Stage.PENYUSUNAN, date(2026, 3, 2))
    _step(db, actor, a, Stage.DITETAPKAN, date(2026, 3, 9), perdes_number=number)
    if promulgate:
        _step(db, actor, a, Stage.DIUNDANGKAN, date(2026, 3, 10), berita_desa_number=number)
    return a


def test_each_kind_has_its_own_step_set():
    perdes = step_set("perdes")
    assert Stage.DISEPAKATI in perdes and Stage.KONSULTASI in perdes
    for kind in ("perkades", "kepdes", "peraturan_bersama"):
        assert Stage.DISEPAKATI not in step_set(kind), "no BPD agreement"
        assert Stage.KONSULTASI not in step_set(kind)
        assert Stage.DIAJUKAN_KE_BPD not in step_set(kind)
    assert Stage.DIUNDANGKAN not in step_set(ProductKind.KEPDES), "a Keputusan is not promulgated"
    assert step_set("perkades") == (
        Stage.PENYUSUNAN, Stage.DITETAPKAN, Stage.DIUNDANGKAN, Stage.DILAPORKAN,
        Stage.KLARIFIKASI, Stage.DISEBARLUASKAN,
    )  # fmt: skip
    with pytest.raises(ValueError):
        step_set("perda")


def test_a_perkades_skips_the_bpd_and_is_promulgated_in_the_berita_desa(db, operator):
    a = services.start_adoption(db, actor=operator, village_code=LONTAR, kind="perkades")
    _step(db, operator, a, Stage.PENYUSUNAN, date(2026, 3, 2))
    with pytest.raises(ValidationFailed) as exc:
        _step(db, operator, a, Stage.DISEPAKATI, date(2026, 3, 3), berita_acara_number="1")
    assert "Ditetapkan" in exc.value.errors["stage"]
    _step(db, operator, a, Stage.DITETAPKAN, date(2026, 3, 9), perdes_number="2")
    assert a.next_deadline_on is None, "the Perdes deadlines do not apply"
    with pytest.raises(ValidationFailed) as exc:
        _step(db, operator, a, Stage.DIUNDANGKAN, date(2026, 3, 10))
    assert exc.value.errors == {"berita_desa_number": "Wajib diisi."}
    _step(db, operator, a, Stage.DIUNDANGKAN, date(2026, 3, 10), berita_desa_number="4")
    assert a.published_on == date(2026, 3, 10)
    pub = publication(a)
    assert pub is not None and pub.gazette == "Berita Desa Tahun 2026 Nomor 4"
    assert pub.number == "2"


def test_a_kepdes_is_public_once_set_and_lands_in_the_buku_keputusan(db, operator):
    a = services.start_adoption(
        db, actor=operator, village_code=LONTAR, kind="kepdes", title="Pembentukan Satgas PMI"
    )
    _step(db, operator, a, Stage.PENYUSUNAN, date(2026, 4, 1))
    _step(db, operator, a, Stage.DITETAPKAN, date(2026, 4, 6), perdes_number="141/7")
    _step(db, operator, a, Stage.DILAPORKAN, date(2026, 4, 8), letter_number="140/9")
    assert a.published_on == date(2026, 4, 6)
    reg = village_registers(db, actor=operator, village_code=LONTAR, year=2026)
    assert reg.peraturan == [] and reg.lembaran == []
    (row,) = reg.keputusan
    assert row.cells() == (
        1, "141/7", date(2026, 4, 6), "Pembentukan Satgas PMI", "", "140/9", date(2026, 4, 8), "",
    )  # fmt: skip
    wb = load_workbook(BytesIO(registers_xlsx(reg)))
    ws = wb["Buku Keputusan Kepala Desa"]
    assert ws["A3"].value == "Nomor urut" and ws["B3"].value == "Nomor keputusan"
    assert [c.value for c in ws[4]][:2] == [1, "141/7"] and ws["D4"].value.startswith("Pembentukan")
    assert ws["A5"].value is None, "exactly one row"


def test_registers_list_every_kind_with_its_gazette(db, operator):
    _perkades(db, operator)
    reg = village_registers(db, actor=operator, village_code=LONTAR, year=2026)
    (row,) = reg.peraturan
    assert row.jenis == "Peraturan Kepala Desa"
    assert row.agreed_on is None and row.lembaran_number == "" and row.berita_desa_number == "2"
    (lembaran,) = reg.lembaran
    assert lembaran.lembaran == "Berita Desa Tahun 2026 Nomor 2"
    wb = load_workbook(BytesIO(registers_xlsx(reg)))
    ws = wb["Buku Lembaran Desa"]
    assert ws["B4"].value == "Peraturan Kepala Desa"
    assert ws["G4"].value == "Berita Desa Tahun 2026 Nomor 2"


def test_other_kinds_never_move_where_the_village_stands(db, operator):
    perdes = services.start_adoption(db, actor=operator, village_code=LONTAR)
    _step(db, operator, perdes, Stage.DIRENCANAKAN, date(2026, 1, 5))
    kepdes = services.start_adoption(db, actor=operator, village_code=LONTAR, kind="kepdes")
    _perkades(db, operator)  # promulgated, and a newer adoption than the Perdes
    assert kepdes.is_latest is False and perdes.is_latest is True
    assert standing.village_stage(db, village_code=LONTAR) is Stage.DIRENCANAKAN
    assert standing.is_promulgated(db, village_code=LONTAR) is False
    # Several Perkades/Kepdes may be unfinished at once; still only one unfinished Perdes.
    services.start_adoption(db, actor=operator, village_code=LONTAR, kind="kepdes")
    with pytest.raises(ValidationFailed):
        services.start_adoption(db, actor=operator, village_code=LONTAR)


def test_bad_kinds_and_partners_are_refused(db, operator):
    with pytest.raises(ValidationFailed) as exc:
        services.start_adoption(db, actor=operator, village_code=LONTAR, kind="perda")
    assert "kind" in exc.value.errors
    for partners, needle in (
        ("", "dua Kepala Desa"),
        (LONTAR, "Desa pencatat"),
        ("99.99.99.9999", "tidak dikenal"),
        (KELURAHAN, "bukan desa"),
        ("<script>", "tidak dikenal"),
        (" ".join(["36.04.13.2008"] * 30), "Paling banyak"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            services.start_adoption(
                db, actor=operator, village_code=LONTAR, kind="peraturan_bersama",
                partner_codes=partners,
            )  # fmt: skip
        assert needle in exc.value.errors["partner_codes"], partners
    with pytest.raises(ValidationFailed) as exc:
        services.start_adoption(
            db, actor=operator, village_code=LONTAR, kind="perkades", partner_codes=SUSUKAN
        )
    assert "hanya untuk Peraturan Bersama" in exc.value.errors["partner_codes"]


def test_a_peraturan_bersama_is_in_each_partner_villages_books(db, operator, admin):
    a = services.start_adoption(
        db, actor=operator, village_code=LONTAR, kind="peraturan_bersama",
        title="Kerja Sama Pelindungan PMI", partner_codes=f"{SUSUKAN}, {PONTANG}",
    )  # fmt: skip
    assert [p.village_code for p in a.partners] == [PONTANG, SUSUKAN]
    _step(db, operator, a, Stage.PENYUSUNAN, date(2026, 5, 4))
    _step(db, operator, a, Stage.DITETAPKAN, date(2026, 5, 11), perdes_number="1")
    _step(db, operator, a, Stage.DIUNDANGKAN, date(2026, 5, 12), berita_desa_number="3")
    partner = village_registers(db, actor=admin, village_code=SUSUKAN, year=2026)
    (row,) = partner.peraturan
    assert row.jenis == "Peraturan Bersama Kepala Desa" and "36.04.12.2001" in row.remarks


def test_after_the_fact_records_each_kind_with_its_own_steps(db, operator, settings):
    a = record_after_the_fact(
        db,
        actor=operator,
        village_code=LONTAR,
        data={
            "kind": "perkades", "title": "Tata Cara Layanan PMI", "enacted_on": "2024-02-01",
            "perdes_number": "3", "promulgated_on": "2024-02-02", "berita_desa_number": "3",
            # Fields of steps a Perkades does not have are ignored, not recorded.
            "agreed_on": "2024-01-01", "berita_acara_number": "BA-1",
        },
        scans={Stage.DIUNDANGKAN: ("perkades.pdf", PDF)},
        upload_root=settings.effective_upload_path,
        today=TODAY,
    )  # fmt: skip
    assert a.kind is ProductKind.PERKADES and a.current_stage is Stage.DIUNDANGKAN
    assert [e.stage for e in a.events] == [Stage.DITETAPKAN, Stage.DIUNDANGKAN]
    assert a.events[1].files and a.published_on == date(2024, 2, 2)
    with pytest.raises(ValidationFailed) as exc:
        record_after_the_fact(
            db, actor=operator, village_code=LONTAR,
            data={"kind": "perkades", "enacted_on": "2024-02-01", "perdes_number": "4",
                  "promulgated_on": "2024-02-02"},
            today=TODAY,
        )  # fmt: skip
    assert exc.value.errors == {"berita_desa_number": "Wajib diisi."}
    with pytest.raises(ValidationFailed):
        record_after_the_fact(
            db, actor=operator, village_code=LONTAR, data={"kind": "x"}, today=TODAY
        )


def _perdes_promulgated(db, actor, number, start):
    from tests.tracking.helpers import walk

    a = services.start_adoption(db, actor=actor, village_code=LONTAR, title=f"Perdes {number}")
    walk(db, actor, a, Stage.DIUNDANGKAN, start=start, gap=1)
    return a


def test_links_derive_status_once_the_amending_product_is_published(db, operator):
    old = _perkades(db, operator, "Lama", number="1")
    new = _perkades(db, operator, "Baru", promulgate=False, number="5")
    links.add_link(
        db, actor=operator, village_code=LONTAR, source_id=new.id,
        data={"target_id": str(old.id), "kind": "mencabut"},
    )  # fmt: skip
    pubs = {old.id: publication(old), new.id: publication(new)}
    assert statuses(db, pubs) == {old.id: LegalStatus.BERLAKU, new.id: None}
    _step(db, operator, new, Stage.DIUNDANGKAN, date(2026, 3, 11), berita_desa_number="5")
    pubs[new.id] = publication(new)
    assert statuses(db, pubs) == {old.id: LegalStatus.DICABUT, new.id: LegalStatus.BERLAKU}
    reg = village_registers(db, actor=operator, village_code=LONTAR, year=2026)
    remarks = {r.title: r.remarks for r in reg.peraturan}
    assert remarks["Lama"] == "Dicabut dengan Peraturan Kepala Desa Nomor 5 tentang Baru"
    assert remarks["Baru"] == "Mencabut Peraturan Kepala Desa Nomor 1 tentang Lama"


def test_amended_and_annulled_statuses(db, operator):
    first = _perdes_promulgated(db, operator, "A", date(2026, 1, 5))
    last = date(2026, 1, 5)
    for stage, fields in ((Stage.DILAPORKAN, {}), (Stage.KLARIFIKASI, {})):
        last = date(2026, 2, 2) if stage is Stage.DILAPORKAN else date(2026, 2, 3)
        data = step_data(stage, last) | fields
        if stage is Stage.KLARIFIKASI:
            data |= {"clarification_result": "dibatalkan", "decision_number": "KEP-1"}
        services.record_step(db, actor=operator, adoption_id=first.id, data=data, today=TODAY)
    assert first.current_stage is Stage.PENYUSUNAN and first.published_on is not None
    pub = publication(first)
    assert pub is not None and pub.annulment_decision == "KEP-1"
    assert statuses(db, {first.id: pub}) == {first.id: LegalStatus.DIBATALKAN}
    second = _perkades(db, operator, "Dasar", number="1")
    amending = _perkades(db, operator, "Perubahan", number="2")
    links.add_link(
        db, actor=operator, village_code=LONTAR, source_id=amending.id,
        data={"target_id": second.id, "kind": "mengubah"},
    )  # fmt: skip
    assert statuses(db, {second.id: publication(second)}) == {second.id: LegalStatus.DIUBAH}


def test_bad_links_are_refused(db, operator, admin):
    a = _perkades(db, operator, "A", number="1")
    b = _perkades(db, operator, "B", number="2")
    c = _perkades(db, operator, "C", number="3")
    kepdes = services.start_adoption(db, actor=operator, village_code=LONTAR, kind="kepdes")
    other = services.start_adoption(
        db, actor=admin, village_code=PONTANG, kind="perkades", title="Desa lain"
    )

    def add(source, target, kind="mencabut", actor=operator):
        return links.add_link(
            db, actor=actor, village_code=LONTAR, source_id=source.id,
            data={"target_id": str(target) if not hasattr(target, "id") else target.id,
                  "kind": kind},
        )  # fmt: skip

    def refused(source, target, kind="mencabut"):
        with pytest.raises(ValidationFailed) as exc:
            add(source, target, kind)
        return " ".join(exc.value.errors.values())

    assert "dirinya sendiri" in refused(a, a)
    assert "tidak ditemukan" in refused(a, other), "another village's product"
    assert "tidak ditemukan" in refused(a, "abc")
    assert "tidak ditemukan" in refused(a, "")
    assert "sejenis" in refused(a, kepdes)
    assert "mengubah atau mencabut" in refused(a, b, kind="menghapus")
    add(a, b)
    assert "sudah tercatat" in refused(a, b)
    add(b, c, kind="mengubah")
    assert "lingkaran" in refused(c, a), "a -> b -> c -> a"
    assert "lingkaran" in refused(b, a)
    with pytest.raises(NotFound):
        links.add_link(
            db, actor=operator, village_code=PONTANG, source_id=other.id,
            data={"target_id": a.id, "kind": "mencabut"},
        )  # fmt: skip
    (first, *_rest) = links.links_of(db, [a.id])[a.id]
    links.remove_link(db, actor=operator, village_code=LONTAR, link_id=first.link.id)
    assert links.links_of(db, [a.id]) == {}
    with pytest.raises(NotFound):
        links.remove_link(db, actor=operator, village_code=LONTAR, link_id=first.link.id)


def test_an_annulled_perkades_is_dibatalkan_and_a_new_text_starts_a_new_cycle(db, operator):
    a = _perkades(db, operator, "Dibatalkan", number="3")
    _step(db, operator, a, Stage.DILAPORKAN, date(2026, 3, 11), letter_number="140/1")
    _step(
        db, operator, a, Stage.KLARIFIKASI, date(2026, 3, 20),
        clarification_result="dibatalkan", decision_number="KEP-7",
    )  # fmt: skip
    assert a.current_stage is Stage.PENYUSUNAN and a.perdes_number == ""
    pub = publication(a)
    assert pub is not None and pub.annulment_decision == "KEP-7"
    assert statuses(db, {a.id: pub}) == {a.id: LegalStatus.DIBATALKAN}
    _step(db, operator, a, Stage.DITETAPKAN, date(2026, 4, 1), perdes_number="4")
    _step(db, operator, a, Stage.DIUNDANGKAN, date(2026, 4, 2), berita_desa_number="4")
    pub = publication(a)
    assert pub is not None and pub.number == "4" and pub.annulled_on is None
    assert statuses(db, {a.id: pub}) == {a.id: LegalStatus.BERLAKU}
    reg = village_registers(db, actor=operator, village_code=LONTAR, year=2026)
    assert [r.perdes_number for r in reg.peraturan] == ["3", "4"]
    assert "KEP-7" in reg.peraturan[0].remarks
