"""A copy of the templates folder whose citation catalogue is all verified and complete, as
it will be once the sources are found (domain.md §4.1), to get a naskah untuk ditandatangani
in tests. Point ``PERDES_TEMPLATES_DIR`` at it; the real catalogue is never changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from perdes.drafting.paths import templates_root


def verified_templates(into: Path) -> Path:
    root = into / "perdes-templates"
    shutil.copytree(templates_root(), root)
    # Step documents live beside the Perdes templates (perdes.drafting.stepdocs.step_root).
    shutil.copytree(templates_root().parent / "dokumen", into / "dokumen", dirs_exist_ok=True)
    text = (root / "citations.yaml").read_text(encoding="utf-8")
    text = text.replace("verified: false", "verified: true\n  source: test")
    text = text.replace("tahun: null}", 'tahun: 2015, nomor: "1"}')
    for gap in ("{jenis: LN, tahun: 2024}", "{jenis: BN, tahun: 2016}", "{jenis: BN, tahun: 2025}"):
        text = text.replace(gap, gap[:-1] + ', nomor: "1", tambahan: "1"}')
    (root / "citations.yaml").write_text(text, encoding="utf-8")
    return root
