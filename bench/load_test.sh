#!/usr/bin/env bash
# Bounded wrk load test: the app's signed-in pages against a bare FastAPI app, in the same run,
# 2 uvicorn workers each. See bench/load_test.py for the options.
#
# Usage: bench/load_test.sh DATABASE_URL [DATABASE_URL ...] [--seconds N] [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python bench/load_test.py "$@"
