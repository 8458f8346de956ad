"""Benchmark: the import cost of the libraries ``perdes draft render`` needs, alone.

Usage: .venv/bin/python bench/import_floor.py [--runs N]

Each run is a fresh interpreter that imports, in the order the render does and timed apart,
only third-party modules (nothing of ``perdes``): Typer with the pydantic adapters it builds
for options, pydantic-settings, SQLAlchemy, its ORM, Jinja2 + PyYAML + num2words, python-docx.
It prints the median CPU seconds of each group over N runs and their total: the floor under
the render's import time (``bench/cli_startup.py``) that lazy imports in our code cannot go
below.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

GROUPS = [
    ("Typer + pydantic", "import typer, typer._adapters"),
    ("pydantic-settings", "import pydantic_settings"),
    ("SQLAlchemy (Core)", "import sqlalchemy"),
    ("SQLAlchemy ORM", "import sqlalchemy.orm"),
    ("Jinja2 + PyYAML + num2words", "import jinja2, yaml, num2words"),
    ("python-docx", "import docx"),
]

PROBE = """
import json, resource
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
out = []
for name, statement in GROUPS:
    start = cpu()
    exec(statement)
    out.append(cpu() - start)
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    code = f"GROUPS = {GROUPS!r}\n{PROBE}"
    runs = [
        json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                  text=True).stdout)
        for _ in range(args.runs)
    ]  # fmt: skip
    print(f"runs: {args.runs} (median CPU seconds per group)")
    for i, (name, _statement) in enumerate(GROUPS):
        values = [run[i] for run in runs]
        print(
            f"  {name:<30} {statistics.median(values):.3f}  ({min(values):.3f}-{max(values):.3f})"
        )
    totals = [sum(run) for run in runs]
    print(f"  {'total':<30} {statistics.median(totals):.3f}  ({min(totals):.3f}-{max(totals):.3f})")


if __name__ == "__main__":
    main()
