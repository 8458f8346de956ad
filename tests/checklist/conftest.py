"""Checklist fixtures: the shipped framework loaded, and one principal per role."""

from __future__ import annotations

from pathlib import Path

import pytest

from perdes.accounts.principal import Principal
from perdes.accounts.services import principal_for
from perdes.checklist.framework import bundled_files, load_framework_file
from perdes.checklist.loading import load_framework
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
