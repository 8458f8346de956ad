"""`make test` in lanes: the checks that can run side by side do, so that both cores of a CI
machine work, and each lane's output is printed whole when the lane ends (never interleaved).

Usage: ``python -m tests.lanes`` (what ``make test`` runs). Each lane is a target of the
Makefile (``make lint``, ``make pytest-browser``…), which a developer can also run alone.

1. The browser journeys (real Chromium, SQLite) alongside lint (ruff, ruff format, mypy) then
   schemathesis: the journeys have a core to themselves, nothing else competes with their
   clicks.
2. The rest of the SQLite suite and the PostgreSQL suite side by side, each on
   ``TEST_WORKERS`` pytest-xdist workers (a database per worker, ``tests/conftest.py``).

Every lane runs even if an earlier one failed; the exit status is non-zero when any lane
failed, and the summary at the end names it, with each lane's exit status and time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Lane:
    targets: tuple[str, ...]
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    started: float = 0.0
    seconds: float = 0.0
    status: int | None = None

    @property
    def name(self) -> str:
        return " + ".join(self.targets)


def phases() -> list[list[Lane]]:
    """Phases run one after the other; the lanes of a phase side by side."""
    postgres = [Lane(("pytest-postgres",))] if os.environ.get("PERDES_TEST_DATABASE_URL") else []
    return [
        [Lane(("pytest-browser",)), Lane(("lint", "schemathesis"))],
        [Lane(("pytest-sqlite",)), *postgres],
    ]


def start(lane: Lane, folder: Path) -> None:
    lane.log = folder / f"{'+'.join(lane.targets)}.log"
    lane.started = time.monotonic()
    with lane.log.open("wb") as out:
        lane.process = subprocess.Popen(
            # -k: a lane's later targets run even when an earlier one failed
            ["make", "--no-print-directory", "-k", *lane.targets],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C stops Chromium and workers too
        )
    print(f"== {lane.name}: started", flush=True)


def finish(lane: Lane, status: int) -> None:
    lane.status = status
    lane.seconds = time.monotonic() - lane.started
    verdict = "passed" if status == 0 else f"FAILED (exit status {status})"
    assert lane.log is not None
    print(f"\n== {lane.name}: {verdict} in {lane.seconds:.0f} s; its output:", flush=True)
    sys.stdout.buffer.write(lane.log.read_bytes())
    print(f"== end of {lane.name}\n", flush=True)


def run_phase(lanes: list[Lane], folder: Path) -> list[Lane]:
    for lane in lanes:
        start(lane, folder)
    running = list(lanes)
    try:
        while running:
            for lane in list(running):
                assert lane.process is not None
                status = lane.process.poll()
                if status is not None:
                    running.remove(lane)
                    finish(lane, status)
            time.sleep(0.2)
    except KeyboardInterrupt:
        for lane in running:
            assert lane.process is not None
            os.killpg(lane.process.pid, signal.SIGTERM)
        raise
    return lanes


def main() -> int:
    begun = time.monotonic()
    done: list[Lane] = []
    with tempfile.TemporaryDirectory(prefix="perdes-lanes-") as tmp:
        for lanes in phases():
            done.extend(run_phase(lanes, Path(tmp)))
    width = max(len(lane.name) for lane in done)
    print("== summary")
    for lane in done:
        verdict = "passed" if lane.status == 0 else f"FAILED (exit status {lane.status})"
        print(f"   {lane.name:<{width}}  {verdict:<24} {lane.seconds:6.0f} s")
    if not os.environ.get("PERDES_TEST_DATABASE_URL"):
        print(f"   {'pytest-postgres':<{width}}  skipped (PERDES_TEST_DATABASE_URL not set)")
    print(f"   {'total':<{width}}  {'':<24} {time.monotonic() - begun:6.0f} s")
    return 0 if all(lane.status == 0 for lane in done) else 1


if __name__ == "__main__":
    sys.exit(main())
