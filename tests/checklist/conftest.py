"""Checklist fixtures: the shipped framework loaded, and one principal per role."""

from __future__ import annotations

from pathlib import Path

import pytest

from perdes.accounts.principal import Principal
from perdes.accounts.services import principal_for
from perdes.checklist import facts
from perdes.checklist.framework import bundled_files, load_framework_file
from perdes.checklist.loading import load_framework
from tests.factories import LONTAR as LONTAR_CODE
from tests.factories import make_user

DATA = Path(__file__).parent / "data"
SLUG = "desa-pmi-prosedural"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17


@pytest.fixture()
def framework(db, regions):
    return load_framework(
        db,
        actor=Principal.system(),
        framework=load_framework_file(bundled_files()[0]),
        source="v1.yaml",
    ).row


@pytest.fixture()
def people(db, regions) -> dict[str, Principal]:
    return {
        role: principal_for(make_user(db, role))
        for role in ("operator", "pendamping", "pemantau", "admin")
    }


@pytest.fixture()
def tracker(monkeypatch):
    """Stand-in for perdes.tracking.services.is_promulgated: a set of promulgated villages."""
    promulgated: set[str] = set()
    original = facts.FACTS["tracker.promulgated"]
    monkeypatch.setitem(
        facts.FACTS,
        "tracker.promulgated",
        facts.Fact(
            original.name,
            original.label,
            lambda session, code, params: code in promulgated,
            original.events,
        ),
    )
    return promulgated


@pytest.fixture()
def v2(db, regions):
    """Both shipped versions loaded: version 2 is current."""
    from perdes.checklist.loading import load_bundled

    return load_bundled(db, actor=Principal.system())[-1].row


def sample_figures(db, key):
    """Numbers that meet an item that asks for them (figures.py): 9 of 10 departures matched
    and the one unmatched reported; this year's APB Desa. None for other items (and for the
    items of version 1, which carry no numbers)."""
    from perdes.checklist import registry, validity
    from perdes.checklist.figures import figures_for

    item = registry.parsed(registry.current_version(db, slug=SLUG)).item(key)
    if item is None or not figures_for(item.extras):
        return None
    if key == "keberangkatan-prosedural":
        return {"known": "10", "matched": "9", "followed_up": "1"}
    if key == "anggaran-apbdes":
        return {"budget_year": str(validity.today().year)}
    return None


def verify(db, people, key, code=LONTAR_CODE, status="terpenuhi"):
    """The operator submits an item and the monitor verifies it; returns the answer."""
    from perdes.checklist import services

    common = dict(village_code=code, framework_slug=SLUG, item_key=key)
    figures = sample_figures(db, key) if status == "terpenuhi" else None
    services.answer_item(db, actor=people["operator"], status=status, figures=figures, **common)
    return services.verify_item(db, actor=people["pemantau"], decision="diverifikasi", **common)


def qualify(db, people, tracker, code=LONTAR_CODE, skip=()):
    """Promulgate the Perdes (stub tracker) and verify every other mandatory item."""
    from perdes import events, pipeline
    from perdes.checklist import registry

    pipeline.settle(db)  # a framework load still pending would re-evaluate only known villages
    tracker.add(code)
    events.publish(db, events.Change.ADOPTION, code)
    pipeline.settle(db)
    framework = registry.parsed(registry.current_version(db, slug=SLUG))
    answers = {}
    for item in framework.items():
        if item.mandatory and item.rule is None and item.id not in skip:
            answers[item.id] = verify(db, people, item.id, code)
    return answers
