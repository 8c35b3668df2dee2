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
log() { printf '[rest %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

schema="rest_bench_$$"
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2> /dev/null || true; wait "$SERVER_PID" 2> /dev/null || true; fi
  psql -q "$PG" -c "DROP SCHEMA IF EXISTS \"$schema\" CASCADE" > /dev/null 2>&1 || true
  [ "${KEEP:-0}" = 1 ] || rm -f "$OUT"/rest.db "$OUT"/rest.db-wal "$OUT"/rest.db-shm
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wrk_page LABEL URL: warm-up, then the measured run; appends a JSON line
wrk_page() {
  local label=$1 url=$2 lua out line
  lua=$OUT/wrk.lua
  cat > "$lua" << EOF
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Accept"] = "application/json"
done = function(summary, latency, requests)
  io.write(string.format('WRKJSON {"requests":%d,"duration_s":%.3f,"bytes":%d,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"non_2xx":%d,"err_connect":%d,"err_read":%d,"err_write":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration / 1e6, summary.bytes, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
end
EOF
  wrk -t"$WRK_THREADS" -c"$CONNS" -d"${WARMUP}s" --timeout 5s -s "$lua" "$url" > /dev/null
  out=$(wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency -s "$lua" "$url")
  printf '%s\n' "$out" > "$OUT/wrk-$BACKEND-$label.txt"
  line=$(printf '%s\n' "$out" | sed -n 's/^WRKJSON //p')
  [ -n "$line" ] || { echo "rest: wrk gave no summary:" >&2; echo "$out" >&2; exit 1; }
  python3 -c 'import json, sys
d = json.loads(sys.argv[1])
d.update(backend=sys.argv[2], n=int(sys.argv[3]), page=sys.argv[4], conns=int(sys.argv[5]),
         rps=round(d["requests"] / d["duration_s"], 1), load_average=open("/proc/loadavg").read().split()[:3])
print(json.dumps(d))' "$line" "$BACKEND" "$N" "$label" "$CONNS" | tee -a "$RES" >&2
}

run_backend() { # BACKEND DB
  BACKEND=$1
  local db=$2 port base body mid t0 t1
  log "$BACKEND: demo --reset --assets $N"
  t0=$(date +%s.%N)
  "$BIN" --db "$db" --quiet demo --reset --assets "$N" > "$OUT/demo-$BACKEND.log" 2>&1 \
    || { tail -20 "$OUT/demo-$BACKEND.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  log "$BACKEND: demo took $(python3 -c "print(round($t1 - $t0, 1))") s"
  printf 'bench-password-%s\n' "$$" | "$BIN" --db "$db" --quiet user add bench --role admin --password-stdin > /dev/null
  TOKEN=$("$BIN" --db "$db" --quiet user token bench --label bench)
  case "$TOKEN" in mru_*) ;; *) echo "rest: user token printed no mru_ token: $TOKEN" >&2; exit 1 ;; esac
  port=$(free_port)
  "$BIN" --db "$db" serve --listen "127.0.0.1:$port" > "$OUT/serve-$BACKEND.log" 2>&1 &
  SERVER_PID=$!
  base="http://127.0.0.1:$port/api/v1/assets"
  for _ in $(seq 1 150); do
    curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$base?limit=1" && break
    kill -0 "$SERVER_PID" 2> /dev/null || { tail -20 "$OUT/serve-$BACKEND.log" >&2; exit 1; }
    sleep 0.2
  done
  curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$base?limit=1" \
    || { echo "rest: the server did not answer" >&2; tail -20 "$OUT/serve-$BACKEND.log" >&2; exit 1; }
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
  kill "$SERVER_PID" 2> /dev/null || true
  wait "$SERVER_PID" 2> /dev/null || true
  SERVER_PID=
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

echo "| backend | assets | page | conns | req/s | p50 | p90 | p99 | max | non-2xx / socket errors | load average |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
python3 -c 'import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    errs = d["err_connect"] + d["err_read"] + d["err_write"] + d["err_timeout"]
    print("| %s | %s | %s | %d | %s | %.2f ms | %.2f ms | %.2f ms | %.1f ms | %d / %d | %s |" % (d["backend"], format(d["n"], ","), d["page"], d["conns"],
        format(round(d["rps"]), ","), d["p50_ms"], d["p90_ms"], d["p99_ms"], d["max_ms"], d["non_2xx"], errs, " ".join(d["load_average"])))' "$RES"
log "results in $OUT"
