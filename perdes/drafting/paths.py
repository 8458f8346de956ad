"""Where regulation templates live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def templates_root() -> Path:
    """``<repo>/templates/perdes``, or ``$PERDES_TEMPLATES_DIR`` when set."""
    override = os.environ.get("PERDES_TEMPLATES_DIR")
    return Path(override) if override else REPO_ROOT / "templates" / "perdes"
