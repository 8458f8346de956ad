"""Drafts and revisions in the database: create, save, stale saves, compare, comments."""

import pytest
from sqlalchemy import func, select

from perdes.accounts import services as accounts
from perdes.accounts.principal import Principal
from perdes.drafting.eligibility import PerdesNotAllowed
from perdes.drafting.workspace import services as drafts
from perdes.drafting.workspace.compare import Change, compare_sections
from perdes.drafting.workspace.models import DraftRevision
from perdes.errors import NotFound, OutOfScope, ValidationFailed
from perdes.profiles import services as profiles
from tests.factories import KELURAHAN, LONTAR, PONTANG, make_user

OFFICIALS = {"nama_kepala_desa": "Ahmad Sobari", "nama_sekretaris_desa": "Junaedi"}


def actor(db, role="operator"):
    return accounts.principal_for(make_user(db, role))


def new_draft(db, who=None, **values):
    return drafts.create_draft(
        db,
        actor=who or actor(db),
        village_code=LONTAR,
        template_slug="pelindungan-pmi",
        values={**OFFICIALS, **values},
        options={},
    )


def test_create_draft_uses_the_village_profile_and_stores_revision_one(db, regions):
    profiles.update_profile(
        db,
        actor=Principal.system(),
        code=LONTAR,
        data={
            "sebutan_desa": "Desa",
            "sebutan_kepala_desa": "Kepala Desa",
            "sebutan_bpd": "Badan Permusyawaratan Desa",
            "kepala_desa_name": "Ahmad Sobari",
            "sekretaris_desa_name": "Junaedi",
        },
    )
    draft = drafts.create_draft(
        db,
        actor=actor(db),
        village_code=LONTAR,
        template_slug="pelindungan-pmi",
        values={},
        options={},
    )
    revision = drafts.get_revision(db, draft=draft, number=1)
    assert draft.latest_number == 1 and revision.village["kepala_desa_name"] == "Ahmad Sobari"
    doc = drafts.revision_document(draft, revision)
    from perdes.drafting.render_text import render_text

    assert "AHMAD SOBARI" in render_text(doc) and "JUNAEDI" in render_text(doc)
    assert revision.sections[0][0] == "pembukaan" and revision.sections[1][1] == "Pasal 1"


def test_a_village_without_officials_gets_field_errors_and_nothing_is_written(db, regions):
    with pytest.raises(ValidationFailed) as caught:
        drafts.create_draft(
            db,
            actor=actor(db),
            village_code=LONTAR,
            template_slug="pelindungan-pmi",
            values={},
            options={},
        )
    assert "nama_kepala_desa" in caught.value.errors
    assert db.scalar(select(func.count()).select_from(DraftRevision)) == 0


@pytest.mark.parametrize(
    ("values", "options", "field"),
    [
        ({"nama_balai": "Balai\x00"}, {}, "nama_balai"),
        ({"nama_balai": "x" * 10_000}, {}, "nama_balai"),
        ({"tahun": "1999"}, {}, "tahun"),
        ({"tahun": "dua ribu"}, {}, "tahun"),
        ({"tanggal_penetapan": "2026-13-40"}, {}, "tanggal_penetapan"),
        ({}, {"tidak_ada": True}, "tidak_ada"),
        ({"tidak_ada": "x"}, {}, "tidak_ada"),
        ({}, {"sanksi": True, "pelaporan_perekrut": False}, "sanksi"),
    ],
)
def test_bad_values_and_options_are_refused(db, regions, values, options, field):
    with pytest.raises(ValidationFailed) as caught:
        drafts.create_draft(
            db,
            actor=actor(db),
            village_code=LONTAR,
            template_slug="pelindungan-pmi",
            values={**OFFICIALS, **values},
            options=options,
        )
    assert field in caught.value.errors


def test_access_rules_for_drafts(db, regions):
    with pytest.raises(OutOfScope):
        new_draft(db, who=actor(db, "pendamping"))
    with pytest.raises(OutOfScope):
        new_draft(db, who=actor(db, "pemantau"))
    with pytest.raises(NotFound):
        drafts.create_draft(
            db,
            actor=actor(db),
            village_code=PONTANG,
            template_slug="pelindungan-pmi",
            values=OFFICIALS,
            options={},
        )
    admin = Principal.system()
    with pytest.raises(PerdesNotAllowed, match="Kelurahan"):
        drafts.create_draft(
            db,
            actor=admin,
            village_code=KELURAHAN,
            template_slug="pelindungan-pmi",
            values=OFFICIALS,
            options={},
        )
    draft = new_draft(db)
    other = accounts.principal_for(make_user(db, "operator", ("36.04.13.2008",)))
    with pytest.raises(NotFound):
        drafts.get_draft(db, actor=other, draft_id=draft.id)
    assert drafts.get_draft(db, actor=actor(db, "pemantau"), draft_id=draft.id)


def test_saving_on_a_stale_revision_is_refused(db, regions):
    operator = actor(db)
    draft = new_draft(db, who=operator)
    drafts.save_revision(
        db,
        actor=operator,
        draft_id=draft.id,
        base_number=1,
        values={**OFFICIALS, "nama_balai": "BP3MI Banten"},
        options={},
    )
    with pytest.raises(drafts.StaleRevision) as caught:
        drafts.save_revision(
            db,
            actor=operator,
            draft_id=draft.id,
            base_number=1,
            values=OFFICIALS,
            options={},
            message="dari formulir lama",
        )
    assert caught.value.latest == 2
    assert draft.latest_number == 2


def test_comparison_shows_words_and_renumbering(db, regions):
    operator = actor(db)
    draft = new_draft(db, who=operator)
    drafts.save_revision(
        db,
        actor=operator,
        draft_id=draft.id,
        base_number=1,
        values={**OFFICIALS, "nama_balai": "BP3MI Banten"},
        options={"pengasuhan_anak": False},
    )
    old = drafts.get_revision(db, draft=draft, number=1)
    new = drafts.get_revision(db, draft=draft, number=2)
    diffs = compare_sections(old.sections, new.sections)
    removed = [d for d in diffs if d.change is Change.REMOVED]
    assert [d.clause_id for d in removed] == ["pemberdayaan.pengasuhan"]
    assert any(d.renumbered for d in diffs)
    inserted = " ".join(s.text for d in diffs for s in d.segments if s.op == "insert")
    assert "BP3MI Banten" in inserted


def test_comments_on_a_pasal_and_their_resolution(db, regions):
    operator = actor(db)
    draft = new_draft(db, who=operator)
    clause = drafts.get_revision(db, draft=draft, number=1).sections[3][0]
    comment = drafts.add_comment(
        db,
        actor=actor(db, "pendamping"),
        draft_id=draft.id,
        clause_id=clause,
        source="konsultasi_masyarakat",
        text="Mohon tambahkan\nkontak BP3MI.",
    )
    assert comment.pasal_label == "Pasal 3"
    with pytest.raises(OutOfScope):
        drafts.add_comment(
            db,
            actor=actor(db, "pemantau"),
            draft_id=draft.id,
            clause_id=clause,
            source="bpd",
            text="x",
        )
    with pytest.raises(ValidationFailed):
        drafts.add_comment(
            db, actor=operator, draft_id=draft.id, clause_id="pembukaan", source="bpd", text="x"
        )
    with pytest.raises(ValidationFailed):
        drafts.add_comment(
            db, actor=operator, draft_id=draft.id, clause_id=clause, source="raja", text=""
        )
    with pytest.raises(OutOfScope):
        drafts.resolve_comment(
            db, actor=actor(db, "pendamping"), draft_id=draft.id, comment_id=comment.id
        )
    drafts.resolve_comment(db, actor=operator, draft_id=draft.id, comment_id=comment.id)
    assert comment.resolved_at is not None


def test_mark_revision_for_consultation_and_bpd(db, regions):
    operator = actor(db)
    draft = new_draft(db, who=operator)
    drafts.mark_revision(db, actor=operator, draft_id=draft.id, number=1, purpose="konsultasi")
    drafts.mark_revision(db, actor=operator, draft_id=draft.id, number=1, purpose="bpd")
    assert (draft.consultation_number, draft.bpd_number) == (1, 1)
    with pytest.raises(ValidationFailed):
        drafts.mark_revision(db, actor=operator, draft_id=draft.id, number=1, purpose="x")
    with pytest.raises(NotFound):
        drafts.mark_revision(db, actor=operator, draft_id=draft.id, number=9, purpose="bpd")


def test_the_two_kinds_have_distinct_file_names() -> None:
    rancangan = drafts.output_file_name("Lontar", 3, "rancangan", "docx")
    naskah = drafts.output_file_name("Lontar", 3, "naskah", "docx")
    assert rancangan == "Rancangan-Perdes-PMI-Lontar-revisi-3.docx"
    assert naskah == "Naskah-Perdes-PMI-Lontar-revisi-3-untuk-ditandatangani.docx"
    assert drafts.output_file_name("Sungai Puä", 1, "rancangan", "pdf").endswith(
        "Sungai-Pua-revisi-1.pdf"
    )
