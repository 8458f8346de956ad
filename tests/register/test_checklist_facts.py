"""Checklist items of "Desa PMI Prosedural" derived from the register's counts."""

from __future__ import annotations

from perdes import pipeline
from perdes.accounts.principal import Principal
from perdes.checklist import views
from perdes.checklist.framework import bundled_files, parse_framework
from perdes.checklist.loading import load_framework
from perdes.checklist.models import ItemStatus, Verification
from tests.factories import LONTAR
from tests.register.conftest import depart, make_person, verify_all

ITEM = "pemantauan-keberangkatan-kepulangan"
FUTURE = (
    "future_rule: Diturunkan dari register PMI desa (episode keberangkatan dan kepulangan), "
    "hanya angka."
)


def framework_with_register_rule(db):
    """Version 2 as shipped, its departures item bound to a register fact (as a version 3)."""
    text = bundled_files()[1].read_text(encoding="utf-8")  # v2; v3 binds the items itself
    assert FUTURE in text
    start = text.index(f"- id: {ITEM}")
    end = text.index(FUTURE)
    # a derived item follows its fact: no validity period of its own
    text = (
        text[:start]
        + text[start:end].replace("validity: {months: 12}", "validity: none")
        + text[end:]
    )
    text = text.replace(
        FUTURE, "rule: {fact: register.departures_verified, params: {percent: 80}}"
    ).replace("version: 2\n", "version: 9\n", 1)
    load_framework(db, actor=Principal.system(), framework=parse_framework(text), source="t")


def item(db):
    view = views.assessment_view(
        db, actor=Principal.system(), village_code=LONTAR, framework_slug="desa-pmi-prosedural"
    )
    return view.item(ITEM)


def test_departures_with_verified_documents_fulfil_the_item(db, regions, keyring):
    framework_with_register_rule(db)
    pipeline.settle(db)
    a = make_person(db, LONTAR, keyring=keyring)
    depart(db, a)  # documents not checked: 0 of 1 verified
    pipeline.settle(db)
    assert item(db).answer is None or item(db).answer.status is ItemStatus.BELUM
    verify_all(db, a)
    pipeline.settle(db)
    answer = item(db).answer
    assert (answer.status, answer.verification, answer.derived) == (
        ItemStatus.TERPENUHI,
        Verification.DIVERIFIKASI,
        True,
    )
    b = make_person(db, LONTAR, keyring=keyring)
    depart(db, b)  # 1 of 2 verified: 50% < 80%
    pipeline.settle(db)
    assert item(db).answer.status is ItemStatus.BELUM
