"""The drafting engine is a pure library: no web framework, no database.

Only ``village`` (the profile lookup for the CLI) and the ``workspace`` subpackage (drafts and
revisions stored in the database) touch the database; they are not part of the engine.
"""

import re
import subprocess
import sys
from pathlib import Path

import perdes.drafting

MACHINE_PATH = re.compile(r"/w[o]rk/|/f[a]rm/")
MODULES = sorted(
    f"perdes.drafting.{p.stem}"
    for p in Path(perdes.drafting.__file__).parent.glob("*.py")
    if p.stem not in ("__init__", "village")
)


def test_drafting_imports_no_web_or_database_code() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in MODULES)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi', 'starlette', 'sqlalchemy', 'psycopg', 'alembic'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_no_machine_paths_in_templates() -> None:
    root = Path(perdes.drafting.__file__).resolve().parents[2]
    for path in [
        *root.joinpath("templates", "perdes").rglob("*"),
        *Path(perdes.drafting.__file__).parent.glob("*"),
    ]:
        if path.is_file() and path.suffix in (".py", ".yaml", ".txt", ".md", ".html"):
            assert MACHINE_PATH.search(path.read_text(encoding="utf-8")) is None, path
