#!/usr/bin/env bash
# Bounded wrk load test of the monitoring pages on 127.0.0.1 with 2 uvicorn workers.
#
# Usage: bench/load_test.sh DATABASE_URL [SECONDS] [PORT]
#   DATABASE_URL  a national database made by bench/generate_national.py
#   SECONDS       duration of each wrk run (default 10); PORT default 8765
# Prints requests/s and latency percentiles (p50/p99) for the kabupaten village list, the
# provinsi dashboard and the national dashboard. Only the server this script starts is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${1:?usage: bench/load_test.sh DATABASE_URL [SECONDS] [PORT]}
SECONDS_PER_RUN=${2:-10}
PORT=${3:-8765}
BASE="http://127.0.0.1:$PORT"
TMP=$(mktemp -d)

read -r TOKEN PROVINCE REGENCY < <(.venv/bin/python - "$URL" <<'PY'
import sys
sys.path.insert(0, "bench")
from bench_monitoring import biggest, session_token
from perdes.db import make_engine
from perdes.pipeline import make_session_factory
from perdes.regions.models import RegionLevel
factory = make_session_factory(make_engine(sys.argv[1]))
province = biggest(factory, RegionLevel.PROVINSI)
print(session_token(factory), province, biggest(factory, RegionLevel.KABUPATEN, province))
PY
)

PERDES_DATABASE_URL="$URL" PERDES_SECRET_KEY="load-test-secret" PERDES_INSTANCE_PATH="$TMP" \
  setsid .venv/bin/uvicorn --factory perdes.web.app:create_app --host 127.0.0.1 --port "$PORT" \
  --workers 2 --log-level warning --no-access-log &
SERVER=$!
stop() { kill -TERM -- "-$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$TMP"; }
trap stop EXIT
for _ in $(seq 1 50); do
  curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

COOKIE="Cookie: perdes_session=$TOKEN"
for path in "/pemantauan/desa?wilayah=$REGENCY" "/pemantauan/wilayah/$PROVINCE" "/pemantauan"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "$COOKIE" "$BASE$path")
  [ "$code" = 200 ] || { echo "GET $path answered $code" >&2; exit 1; }
  wrk -t2 -c16 -d2s -H "$COOKIE" "$BASE$path" >/dev/null  # warm-up
  echo "== GET $path (wrk -t2 -c32 -d${SECONDS_PER_RUN}s, 2 workers)"
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --timeout 10s --latency -H "$COOKIE" "$BASE$path" \
    | grep -E "Requests/sec|Non-2xx|Socket errors|^ +(50|99)%"
done
