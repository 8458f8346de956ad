"""Fixtures for the drafting engine tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from drafting_support import GOLDEN_VALUES, LONTAR, TEMPLATE_DIR, TODAY

from perdes.drafting.assembler import assemble
from perdes.drafting.loader import load_template
from perdes.drafting.manifest import Template
from perdes.drafting.model import Document
from perdes.drafting.paths import templates_root


@pytest.fixture(scope="session")
def template() -> Template:
    return load_template("pelindungan-pmi")


@pytest.fixture(scope="session")
def lontar_doc(template: Template) -> Document:
    return assemble(template, village=LONTAR, values=GOLDEN_VALUES, options={}, today=TODAY)


@pytest.fixture
def template_copy(tmp_path: Path) -> Path:
    """A writable copy of the real template (with the catalogue beside it)."""
    root = tmp_path / "perdes"
    shutil.copytree(TEMPLATE_DIR, root / "pelindungan-pmi")
    shutil.copy(templates_root() / "citations.yaml", root / "citations.yaml")
    return root / "pelindungan-pmi"
