"""Benchmark: how long the ``perdes`` command takes to start, and how much of it is imports.

Usage: .venv/bin/python bench/cli_startup.py [--runs N] [--baseline GITREF]

Loads the demo data into a throwaway SQLite database (``perdes demo``), then runs, each in a
fresh interpreter, ``perdes --help``, ``perdes draft render --help`` and a real
``perdes draft render`` of the default template for Desa Lontar to DOCX. For each it prints
the medians of N runs of
- import: the CPU time spent importing modules, all of them, including those imported lazily
  while the command runs (outermost ``import`` statements and ``importlib.import_module``
  calls, timed by a hook the driver installs before importing ``perdes.cli``; CPU rather than
  ``-X importtime``'s wall clock, which on a shared machine counts other processes' turns);
- wall and CPU: the whole process, start to exit (in runs without the hook).

Byte code is cached in a temporary folder (``PYTHONPYCACHEPREFIX``) and one warm-up run
fills it, as an installed package has its ``.pyc`` files. ``--baseline main`` also runs the
``perdes`` package of that git ref (exported with ``git archive``, put first on
``PYTHONPATH``) in the same loop, alternating run by run, so the two compare on the same load.
For the render it also prints what its import time is made of.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figures:
    """Seconds per run of one command under one code base."""

    imports: list[float] = field(default_factory=list)
    by_module: list[dict[str, float]] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def commands(out: Path) -> dict[str, list[str]]:
    return {
        "perdes --help": ["--help"],
        "perdes draft render --help": ["draft", "render", "--help"],
        "perdes draft render (DOCX)": [
            "draft",
            "render",
            "--template",
            "pelindungan-pmi",
            "--village",
            "36.04.13.2007",
            "-o",
            str(out),
        ],
    }


# Times the outermost imports in CPU seconds; at exit writes {module: seconds} (the module
# each outermost import statement named, with what it pulled in) to $BENCH_IMPORT_FILE.
IMPORT_HOOK = """
import atexit, builtins, importlib, json, os, time
_spent = {}
_depth = [0]
def _label(name, args, kwargs):
    # "from perdes import pipeline" reads perdes.pipeline, "from . import x" its package's x
    scope = args[0] if args else kwargs.get("globals")
    fromlist = args[2] if len(args) > 2 else kwargs.get("fromlist")
    level = args[3] if len(args) > 3 else kwargs.get("level", 0)
    if level and isinstance(scope, dict):
        name = ".".join(p for p in (scope.get("__package__"), name) if p)
    if fromlist and len(fromlist) == 1 and fromlist[0] != "*":
        name = f"{name}[{fromlist[0]}]"
    return name
def _timed(real):
    def timed(name, *args, **kwargs):
        if _depth[0]:
            return real(name, *args, **kwargs)
        _depth[0] = 1
        started = time.process_time()
        try:
            return real(name, *args, **kwargs)
        finally:
            key = _label(name, args, kwargs)
            _spent[key] = _spent.get(key, 0.0) + time.process_time() - started
            _depth[0] = 0
    return timed
builtins.__import__ = _timed(builtins.__import__)
importlib.import_module = _timed(importlib.import_module)
def _write():
    with open(os.environ["BENCH_IMPORT_FILE"], "w") as fh:
        json.dump(_spent, fh)
atexit.register(_write)
"""
DRIVER = "from perdes.cli import main; main()"


def run(args: list[str], env: dict[str, str], *, hook: Path | None) -> tuple[float, float]:
    """Wall and CPU seconds of one ``perdes`` process (with ``hook``: import CPU seconds are
    written to that file)."""
    env = dict(env)
    code = DRIVER
    if hook is not None:
        env["BENCH_IMPORT_FILE"] = str(hook)
        code = IMPORT_HOOK + DRIVER
    before = os.times()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=env["PERDES_INSTANCE_PATH"],  # not the checkout: '' comes first on sys.path
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = os.times()
    if result.returncode != 0:
        raise SystemExit(f"perdes {' '.join(args)} failed:\n{result.stderr}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def export_baseline(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "perdes", "templates"],
        capture_output=True,
        check=True,
    ).stdout
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", help="git ref to compare with in the same run, e.g. main")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(
            PYTHONPYCACHEPREFIX=str(base / "pycache"),
            PERDES_INSTANCE_PATH=str(base / "instance"),
            PERDES_DATABASE_URL=f"sqlite:///{base / 'demo.sqlite3'}",
            PERDES_DEMO_PASSWORD="bench-cli-startup",
        )
        env.pop("PYTHONPATH", None)
        (base / "instance").mkdir()
        variants: dict[str, dict[str, str]] = {"this branch": env}
        if args.baseline:
            source = export_baseline(args.baseline, (base / "baseline"))
            variants = {args.baseline: {**env, "PYTHONPATH": str(source)}, **variants}
        run(["demo"], env, hook=None)
        cases = commands(base / "lontar.docx")
        hook = base / "import_seconds"
        results = {(v, c): Figures() for v in variants for c in cases}
        for variant_env in variants.values():  # warm-up: fills the byte-code cache
            for argv in cases.values():
                run(argv, variant_env, hook=None)
        for _ in range(args.runs):
            for case, argv in cases.items():
                for variant, variant_env in variants.items():
                    figures = results[variant, case]
                    wall, cpu = run(argv, variant_env, hook=None)
                    figures.wall.append(wall)
                    figures.cpu.append(cpu)
                    run(argv, variant_env, hook=hook)
                    spent = json.loads(hook.read_text())
                    figures.imports.append(sum(spent.values()))
                    figures.by_module.append(spent)
    load = os.getloadavg()[0]
    print(f"runs: {args.runs} (medians), load average at the end: {load:.1f}")
    print(f"{'command':30} {'code':12} {'import':>8} {'wall':>8} {'CPU':>8}")
    for case in cases:
        for variant in variants:
            f = results[variant, case]
            print(
                f"{case:30} {variant:12} {statistics.median(f.imports):7.3f}s "
                f"{statistics.median(f.wall):7.3f}s {statistics.median(f.cpu):7.3f}s"
            )
    render = "perdes draft render (DOCX)"
    for variant in variants:
        print_breakdown(f"{render}, {variant}", results[variant, render])


def print_breakdown(title: str, figures: Figures, top: int = 8) -> None:
    """The outermost imports that cost most (medians over the runs), largest first."""
    names = {name for run in figures.by_module for name in run}
    medians = {n: statistics.median(run.get(n, 0.0) for run in figures.by_module) for n in names}
    print(f"\n{title}: import CPU by outermost import statement (with what it pulled in)")
    for name, seconds in sorted(medians.items(), key=lambda item: -item[1])[:top]:
        print(f"  {seconds:6.3f}s  {name}")


if __name__ == "__main__":
    main()
