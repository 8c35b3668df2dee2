#!/usr/bin/env bash
# REST API reads on the demo world (issue #10's target: a page of 100 assets, p99 ≤ 10 ms at 64
# connections on the 1M world). Builds nothing: takes the binary. Per backend:
#
#   1. `meridian --db … --quiet demo --reset --assets $N` (timed), an admin user (`user add
#      bench --role admin --password-stdin`) and its API token (`user token bench`);
#   2. `meridian serve` on a free 127.0.0.1 port;
#   3. the first page: `GET /api/v1/assets?limit=100`, then a mid-list page: the `next`
#      cursors are followed (limit=1000) to the middle of the list, and the page of 100 there is
#      `GET /api/v1/assets?limit=100&cursor=…`;
#   4. per page: a $WARMUP s (2) wrk warm-up, then wrk -t $WRK_THREADS -c $CONNS (64) for
#      $DURATION s (10, at most 30) with `Authorization: Bearer <token>`: requests/s, p50,
#      p99, max, non-2xx, socket errors.
#
#   bench/rest.sh target/release/meridian                      # N=1000000, SQLite
#   N=100000 BACKENDS=sqlite,postgres bench/rest.sh target/release/meridian
#
# Env: N (1000000), BACKENDS (sqlite; postgres uses MERIDIAN_TEST_POSTGRES, default
# postgres://postgres@127.0.0.1:5432/test, in its own schema, dropped afterwards), CONNS (64),
# DURATION (10), WARMUP (2), WRK_THREADS (2), OUT (bench/out/rest-<time>), KEEP=1 keeps the
# SQLite file. Loopback only; every wrk run is bounded in seconds (and wrk's --timeout 5s).
# Results: one JSON line per run in $OUT/results.jsonl and a table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: bench/rest.sh PATH/TO/meridian}
[ -x "$BIN" ] || { echo "rest: $BIN is not an executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
N=${N:-1000000}
BACKENDS=${BACKENDS:-sqlite}
CONNS=${CONNS:-64}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
WRK_THREADS=${WRK_THREADS:-2}
PG=${MERIDIAN_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
OUT=${OUT:-bench/out/rest-$(date -u +%Y%m%dT%H%M%SZ)}
[ "$DURATION" -le 30 ] || { echo "rest: DURATION is at most 30 s" >&2; exit 2; }
command -v wrk > /dev/null || { echo "rest: wrk is required (apt-get install -y wrk)" >&2; exit 2; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RES=$OUT/results.jsonl
: > "$RES"
BENCH=rest
# shellcheck source=bench/hub.sh
. bench/hub.sh

schema="rest_bench_$$"
SERVER_PID=
cleanup() {
  stop_server
  psql -q "$PG" -c "DROP SCHEMA IF EXISTS \"$schema\" CASCADE" > /dev/null 2>&1 || true
  [ "${KEEP:-0}" = 1 ] || rm -f "$OUT"/rest.db "$OUT"/rest.db-wal "$OUT"/rest.db-shm
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

run_backend() { # BACKEND DB
  local db=$2 base mid
  demo_world "$1" "$db"
  start_server "$db"
  base="http://127.0.0.1:$PORT/api/v1/assets"
  # The mid-list cursor: follow `next` with pages of 1,000 to the middle of the list.
  mid=$(python3 - "$base" "$TOKEN" "$N" << 'EOF'
import json, sys, urllib.parse, urllib.request
base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
cursor, seen = None, 0
while seen < n // 2:
    url = base + "?limit=1000" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    page = json.load(urllib.request.urlopen(req, timeout=30))
    seen += len(page["items"])
    cursor = page.get("next")
    if not cursor:
        break
print(urllib.parse.quote(cursor or "", safe=""))
EOF
)
  [ -n "$mid" ] || { echo "rest: no mid-list cursor" >&2; exit 1; }
  curl -sf -H "Authorization: Bearer $TOKEN" "$base?limit=100" -o "$OUT/first-$BACKEND.json"
  curl -sf -H "Authorization: Bearer $TOKEN" "$base?limit=100&cursor=$mid" -o "$OUT/mid-$BACKEND.json"
  log "$BACKEND: first page $(stat -c %s "$OUT/first-$BACKEND.json") bytes, mid-list page $(stat -c %s "$OUT/mid-$BACKEND.json") bytes (from $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][0]["id"])' "$OUT/mid-$BACKEND.json"))"
  wrk_page first "$base?limit=100"
  wrk_page mid "$base?limit=100&cursor=$mid"
  stop_server
}

IFS=, read -r -a backends <<< "$BACKENDS"
for b in "${backends[@]}"; do
  case $b in
    sqlite) run_backend sqlite "sqlite://$OUT/rest.db" ;;
    postgres)
      psql -q "$PG" -c "CREATE SCHEMA IF NOT EXISTS \"$schema\"" > /dev/null
      case "$PG" in *\?*) pgdb="$PG&schema=$schema" ;; *) pgdb="$PG?schema=$schema" ;; esac
      run_backend postgres "$pgdb" ;;
    *) echo "rest: unknown backend $b" >&2; exit 2 ;;
  esac
done

wrk_table
log "results in $OUT"
