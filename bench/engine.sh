#!/usr/bin/env bash
# The server-side engine cache on the demo world (issue #13 item 5: a cascade or an asset's rank
# explanation over REST in ≤ 50 ms p99 on the 1M world, the web asset page in ≤ 200 ms). Builds
# nothing: takes the binary. SQLite only.
#
#   1. the demo world, an admin user and its API token (bench/hub.sh), a stored ranking
#      (`meridian analyze rank`), `meridian serve`;
#   2. the asset: the top of the stored ranking (`GET /api/v1/rank?limit=1`), a foreign asset;
#   3. one timed request each, in this order, with curl: the first `POST /api/v1/analysis/cascade`
#      (`{"assets": [ASSET]}`; it builds the engine: what every analysis request cost before the
#      cache), a second one, then `GET /api/v1/rank/ASSET/explain`;
#   4. wrk -t $WRK_THREADS -c $CONNS (64) for $DURATION s (10) after a $WARMUP s (2) warm-up on the
#      cascade and on the explanation;
#   5. the web asset page `/atlas/ASSET` with a session cookie (`POST /login`), $PAGES (5) times.
#
#   bench/engine.sh target/release/meridian              # N=1000000
#   N=20000 bench/engine.sh target/debug/meridian        # a quick check of the script
#
# Env: N (1000000), CONNS (64), DURATION (10, at most 30), WARMUP (2), WRK_THREADS (2), PAGES (5),
# OUT (bench/out/engine-<time>), KEEP=1 keeps the SQLite file. Loopback only. Results: one JSON
# line per wrk run in $OUT/results.jsonl, the single requests in $OUT/single.txt, a table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: bench/engine.sh PATH/TO/meridian}
[ -x "$BIN" ] || { echo "engine: $BIN is not an executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
N=${N:-1000000}
CONNS=${CONNS:-64}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
WRK_THREADS=${WRK_THREADS:-2}
PAGES=${PAGES:-5}
OUT=${OUT:-bench/out/engine-$(date -u +%Y%m%dT%H%M%SZ)}
[ "$DURATION" -le 30 ] || { echo "engine: DURATION is at most 30 s" >&2; exit 2; }
command -v wrk > /dev/null || { echo "engine: wrk is required (apt-get install -y wrk)" >&2; exit 2; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RES=$OUT/results.jsonl
: > "$RES"
BENCH=engine
# shellcheck source=bench/hub.sh
. bench/hub.sh

SERVER_PID=
cleanup() {
  stop_server
  [ "${KEEP:-0}" = 1 ] || rm -f "$OUT"/engine.db "$OUT"/engine.db-wal "$OUT"/engine.db-shm
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

db="sqlite://$OUT/engine.db"
demo_world sqlite "$db"
log "analyze rank"
"$BIN" --db "$db" --quiet analyze rank > "$OUT/rank.log" 2>&1 || { tail -20 "$OUT/rank.log" >&2; exit 1; }
start_server "$db"
api="http://127.0.0.1:$PORT/api/v1"
asset=$(curl -sf -H "Authorization: Bearer $TOKEN" "$api/rank?limit=1" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["asset"])')
quoted=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$asset")
body=$(python3 -c 'import json, sys; print(json.dumps({"assets": [sys.argv[1]]}))' "$asset")
log "asset $asset"

# single LABEL CURL-ARGS…: one request, its status and time appended to $OUT/single.txt
single() {
  local label=$1 result
  shift
  result=$(curl -s -o "$OUT/$label.out" -w '%{http_code} %{time_total}' "$@")
  printf '%s %s\n' "$label" "$result" | tee -a "$OUT/single.txt" >&2
  case "$result" in 200\ *) ;; *) echo "engine: $label answered $result" >&2; head -c 500 "$OUT/$label.out" >&2; exit 1 ;; esac
}
: > "$OUT/single.txt"
auth=(-H "Authorization: Bearer $TOKEN")
post=(-X POST -H 'Content-Type: application/json' --data "$body")
single cascade-first "${auth[@]}" "${post[@]}" "$api/analysis/cascade"
single cascade-second "${auth[@]}" "${post[@]}" "$api/analysis/cascade"
single explain-first "${auth[@]}" "$api/rank/$quoted/explain"

lua_body=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$body")
wrk_page cascade "$api/analysis/cascade" "wrk.method = \"POST\"
wrk.body = $lua_body
wrk.headers[\"Content-Type\"] = \"application/json\""
wrk_page explain "$api/rank/$quoted/explain"

jar=$OUT/cookies.txt
curl -sf -o /dev/null -c "$jar" --data-urlencode name=bench --data-urlencode "password=$PASSWORD" \
  "http://127.0.0.1:$PORT/login"
for i in $(seq 1 "$PAGES"); do
  single "asset-page-$i" -b "$jar" "http://127.0.0.1:$PORT/atlas/$quoted"
done

stop_server
wrk_table
log "single requests (status, seconds) in $OUT/single.txt; results in $OUT"
