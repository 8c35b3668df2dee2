#!/usr/bin/env bash
# Load test of `meridian serve` (standing test): on a demo SQLite database and on a fresh
# PostgreSQL schema, over HTTP and over HTTPS (a self-signed certificate), wrk at 64
# connections for LOAD_SECONDS (60) on TAXII reads (objects pages, manifest, object by id)
# mixed with POSTs of small envelopes (.ci/load.lua), while .ci/load-clients.py holds idle
# connections and slow-loris connections (and, on HTTPS, raw TCP connections that never start
# the handshake) and a canary opens a fresh connection every second.
#
#   .ci/load.sh target/release/meridian          # or target/debug/meridian
#
# Pass, per backend and scheme: wrk's requests answered (a server stuck before the first answer
# gives wrk no error to count), zero 5xx, zero socket errors in wrk (connect, read, write,
# timeout; the slow clients are not wrk's and may be closed by the server's timeouts), every
# canary request answered 200, and the server's RSS (VmRSS, sampled every RSS_EVERY s) at the
# end at most RSS_FACTOR (1.5) × its RSS after a WARMUP_SECONDS (10) wrk warm-up. Prints a
# summary table; exits 1 when a run fails. PostgreSQL from MERIDIAN_TEST_POSTGRES (its own
# schema, dropped afterwards); without it the PostgreSQL runs are SKIPPED, loudly.
#
# Env: LOAD_SECONDS (60), WARMUP_SECONDS (10), LOAD_CONNECTIONS (64), WRK_THREADS (2),
# LOAD_IDLE (100), LOAD_LORIS (200), LORIS_INTERVAL (3), LOAD_SEED_OBJECTS (5000),
# LOAD_BACKENDS (sqlite,postgres), LOAD_SCHEMES (http,https), RSS_EVERY (2), RSS_FACTOR (1.5),
# LOAD_OUT (kept results directory; default a temporary one, removed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BIN=${1:?usage: .ci/load.sh PATH/TO/meridian}
[ -x "$BIN" ] || { echo "load: $BIN is not an executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
LOAD_SECONDS=${LOAD_SECONDS:-60}
WARMUP_SECONDS=${WARMUP_SECONDS:-10}
CONNS=${LOAD_CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
IDLE=${LOAD_IDLE:-100}
LORIS=${LOAD_LORIS:-200}
LORIS_INTERVAL=${LORIS_INTERVAL:-3}
SEED_OBJECTS=${LOAD_SEED_OBJECTS:-5000}
BACKENDS=${LOAD_BACKENDS:-sqlite,postgres}
SCHEMES=${LOAD_SCHEMES:-http,https}
RSS_EVERY=${RSS_EVERY:-2}
RSS_FACTOR=${RSS_FACTOR:-1.5}

log() { printf '[load %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

if ! command -v wrk > /dev/null; then
  log "installing wrk"
  (apt-get install -y wrk > /dev/null 2>&1 || { apt-get update > /dev/null && apt-get install -y wrk > /dev/null; }) \
    || { echo "load: wrk is missing and apt-get install -y wrk failed" >&2; exit 2; }
fi
for tool in openssl curl python3; do
  command -v "$tool" > /dev/null || { echo "load: $tool is required" >&2; exit 2; }
done

tmp=$(mktemp -d)
OUT=${LOAD_OUT:-$tmp/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
schema="load_$$_$(date +%s)"
SERVER_PID=
SLOW_PID=
RSS_PID=
cleanup() {
  for pid in "$RSS_PID" "$SLOW_PID" "$SERVER_PID"; do
    [ -n "$pid" ] && kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null
  done
  if [ -n "${MERIDIAN_TEST_POSTGRES:-}" ]; then
    psql -q "$MERIDIAN_TEST_POSTGRES" -c "DROP SCHEMA IF EXISTS \"$schema\" CASCADE" > /dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

# shellcheck source=.ci/taxii-setup.sh
. .ci/taxii-setup.sh

# A self-signed certificate for 127.0.0.1; the key readable by its owner only.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" > /dev/null 2>&1
chmod 600 "$tmp/key.pem"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2> /dev/null || echo 0; }

# serve DB SCHEME LOG: starts the server, sets SERVER_PID and URL, waits for discovery.
serve() {
  local db=$1 scheme=$2 log=$3 port i code
  port=$(taxii_free_port)
  local tls=()
  [ "$scheme" = https ] && tls=(--tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem")
  MERIDIAN_LOG=${MERIDIAN_LOG:-warn} "$BIN" --db "$db" serve --listen "127.0.0.1:$port" \
    "${tls[@]}" > "$log" 2>&1 &
  SERVER_PID=$!
  URL="$scheme://127.0.0.1:$port"
  PORT=$port
  for ((i = 0; i < 150; i++)); do
    kill -0 "$SERVER_PID" 2> /dev/null || { echo "load: the server exited:" >&2; tail -n 30 "$log" >&2; return 1; }
    code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 -H "Authorization: $AUTH" \
      -H "Accept: application/taxii+json;version=2.1" "$URL/taxii2/" || true)
    [ "$code" = 200 ] && return 0
    sleep 0.2
  done
  echo "load: $URL/taxii2/ did not answer 200 within 30 s; its log:" >&2
  tail -n 30 "$log" >&2
  return 1
}

stop_server() {
  local i
  kill "$SERVER_PID" 2> /dev/null || true
  for ((i = 0; i < 150; i++)); do kill -0 "$SERVER_PID" 2> /dev/null || break; sleep 0.1; done
  if kill -0 "$SERVER_PID" 2> /dev/null; then
    log "the server did not stop within 15 s of SIGTERM; killing it"
    kill -9 "$SERVER_PID" 2> /dev/null || true
    SHUTDOWN_SLOW=1
  fi
  wait "$SERVER_PID" 2> /dev/null || true
  SERVER_PID=
}

# wrk_run SECONDS OUTFILE → the LOADJSON line in OUTFILE.json
wrk_run() {
  LOAD_COLLECTION=$COLLECTION LOAD_AUTH=$AUTH LOAD_IDS=$IDS \
    wrk -t "$WRK_THREADS" -c "$CONNS" -d "${1}s" --timeout 10s --latency \
    -s "$ROOT/.ci/load.lua" "$URL" > "$2" 2>&1 || true
  sed -n 's/^LOADJSON //p' "$2" > "$2.json"
  [ -s "$2.json" ] || { echo "load: wrk gave no result:" >&2; cat "$2" >&2; return 1; }
}

json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$@"; }

ROWS=()
FAILED=0
IFS=, read -r -a backends <<< "$BACKENDS"
IFS=, read -r -a schemes <<< "$SCHEMES"
for backend in "${backends[@]}"; do
  if [ "$backend" = sqlite ]; then
    db="sqlite://$tmp/load.db"
  elif [ -z "${MERIDIAN_TEST_POSTGRES:-}" ]; then
    echo "SKIPPED: load test on PostgreSQL (set MERIDIAN_TEST_POSTGRES)" >&2
    ROWS+=("postgres|-|SKIPPED (MERIDIAN_TEST_POSTGRES unset)")
    continue
  else
    case "$MERIDIAN_TEST_POSTGRES" in
      *\?*) db="$MERIDIAN_TEST_POSTGRES&schema=$schema" ;;
      *) db="$MERIDIAN_TEST_POSTGRES?schema=$schema" ;;
    esac
  fi
  log "$backend: demo database and a read+write partner"
  taxii_cli "$BIN" "$db" demo > /dev/null
  COLLECTION=$(taxii_cli "$BIN" "$db" --json collection add --title "load" | taxii_json_field id)
  taxii_cli "$BIN" "$db" partner add cert-load --name "Load CSIRT" --country DE > /dev/null
  TOKEN=$(taxii_cli "$BIN" "$db" --json partner token cert-load | taxii_json_field token)
  taxii_cli "$BIN" "$db" agreement add load --title "load" --party cert-load --tlp AMBER \
    --collection "$COLLECTION:rw" > /dev/null
  AUTH="Basic $(printf 'cert-load:%s' "$TOKEN" | base64 -w0)"
  IDS=$OUT/$backend-ids.txt
  seeded=
  for scheme in "${schemes[@]}"; do
    run="$backend-$scheme"
    SHUTDOWN_SLOW=
    serve "$db" "$scheme" "$OUT/$run-serve.log"
    if [ -z "$seeded" ]; then
      log "$run: seeding $SEED_OBJECTS objects"
      python3 .ci/load-clients.py seed "$URL" "$COLLECTION" "$AUTH" "$SEED_OBJECTS" "$IDS" > /dev/null
      seeded=1
    fi
    log "$run: warm-up, wrk ${WARMUP_SECONDS}s"
    wrk_run "$WARMUP_SECONDS" "$OUT/$run-warmup.txt"
    rss_warm=$(rss_kb "$SERVER_PID")
    : > "$OUT/$run-rss.txt"
    (while kill -0 "$SERVER_PID" 2> /dev/null; do
      echo "$(date +%s) $(rss_kb "$SERVER_PID")" >> "$OUT/$run-rss.txt"; sleep "$RSS_EVERY"
    done) &
    RSS_PID=$!
    slow_flags=(--idle "$IDLE" --loris "$LORIS")
    [ "$scheme" = https ] && slow_flags=(--tls --tcp-idle "$((IDLE / 2))" --idle "$((IDLE / 2))" --loris "$LORIS")
    log "$run: slow clients (${slow_flags[*]}) and canary, then wrk ${LOAD_SECONDS}s at $CONNS connections"
    python3 .ci/load-clients.py slow --host 127.0.0.1 --port "$PORT" "${slow_flags[@]}" \
      --interval "$LORIS_INTERVAL" --duration "$((LOAD_SECONDS + 8))" \
      --canary "/taxii2/hub/collections/$COLLECTION/objects/?limit=10" --auth "$AUTH" \
      --report "$OUT/$run-slow.json" > "$OUT/$run-slow.log" 2>&1 &
    SLOW_PID=$!
    sleep 4
    wrk_run "$LOAD_SECONDS" "$OUT/$run-wrk.txt"
    rss_final=$(rss_kb "$SERVER_PID")
    wait "$SLOW_PID" || { echo "load: the slow clients failed:" >&2; cat "$OUT/$run-slow.log" >&2; }
    SLOW_PID=
    kill "$RSS_PID" 2> /dev/null || true
    wait "$RSS_PID" 2> /dev/null || true
    RSS_PID=
    rss_max=$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' "$OUT/$run-rss.txt")
    stop_server

    W=$OUT/$run-wrk.txt.json
    S=$OUT/$run-slow.json
    rps=$(json "$W" 'd["rps"]')
    p50=$(json "$W" '"%.1f" % (d["p50_us"] / 1000)')
    p99=$(json "$W" '"%.1f" % (d["p99_us"] / 1000)')
    max=$(json "$W" '"%.0f" % (d["max_us"] / 1000)')
    c5=$(json "$W" 'd["c5xx"]')
    c4=$(json "$W" 'd["c4xx"]')
    sockerr=$(json "$W" 'd["err_connect"] + d["err_read"] + d["err_write"] + d["err_timeout"]')
    posts=$(json "$W" 'd["posts"]')
    requests=$(json "$W" 'd["requests"]')
    canary=$(json "$S" '"%d/%d" % (d["canary"]["ok"], d["canary"]["requests"])')
    canary_ok=$(json "$S" 'int(d["canary"]["requests"] > 0 and d["canary"]["ok"] == d["canary"]["requests"])')
    canary_max=$(json "$S" 'd["canary"]["max_ms"]')
    held=$(json "$S" '"%d opened, %d closed by server (median %ss), %d open at end, %d open errors" % (sum(v["opened"] for v in d["kinds"].values()), sum(v["closed_by_server"] for v in d["kinds"].values()), "/".join(str(v["median_lifetime_s"]) for v in d["kinds"].values()), sum(v["open_at_end"] for v in d["kinds"].values()), sum(sum(v["open_errors"].values()) for v in d["kinds"].values()))')
    flat=$(python3 -c "import sys; print(int(int(sys.argv[2]) <= float(sys.argv[3]) * int(sys.argv[1])))" \
      "$rss_warm" "$rss_final" "$RSS_FACTOR")
    why=()
    [ "$requests" -gt 0 ] || why+=("wrk got no answer at all")
    [ "$c5" = 0 ] || why+=("${c5} 5xx")
    [ "$c4" = 0 ] || why+=("${c4} 4xx")
    [ "$sockerr" = 0 ] || why+=("$sockerr wrk socket errors")
    [ "$canary_ok" = 1 ] || why+=("canary failed")
    [ "$flat" = 1 ] || why+=("RSS grew")
    [ -z "$SHUTDOWN_SLOW" ] || why+=("no clean stop on SIGTERM")
    if [ ${#why[@]} -eq 0 ]; then verdict=PASS; else verdict="FAIL: $(IFS=,; echo "${why[*]}")"; FAILED=1; fi
    ROWS+=("$backend|$scheme|$rps|$p50|$p99|$max|$c5|$sockerr|$posts|$canary ($canary_max ms)|$held|$((rss_warm / 1024))|$((rss_final / 1024))|$((rss_max / 1024))|$verdict")
    log "$run: $verdict"
    if [ "$verdict" != PASS ]; then
      echo "--- $run: wrk" >&2; grep -v '^LOADJSON' "$OUT/$run-wrk.txt" >&2 || true
      echo "--- $run: slow clients and canary" >&2; cat "$S" >&2
      echo "--- $run: server log (last 20 lines)" >&2; tail -n 20 "$OUT/$run-serve.log" >&2 || true
    fi
  done
done

echo
echo "Load: $CONNS connections × ${LOAD_SECONDS}s (wrk -t $WRK_THREADS, after ${WARMUP_SECONDS}s warm-up), slow clients: $IDLE idle + $LORIS slow-loris (1 byte / ${LORIS_INTERVAL}s); $BIN"
printf '%-8s | %-5s | %8s | %7s | %7s | %7s | %4s | %6s | %6s | %-16s | %-80s | %8s | %8s | %8s | %s\n' \
  backend scheme 'req/s' 'p50 ms' 'p99 ms' 'max ms' 5xx sockerr posts canary 'slow clients (replaced when closed)' \
  'RSS0 MB' 'RSS1 MB' 'RSSmax' verdict
for row in "${ROWS[@]}"; do
  IFS='|' read -r -a f <<< "$row"
  if [ ${#f[@]} -lt 15 ]; then printf '%-8s | %s\n' "${f[0]}" "${f[2]}"; continue; fi
  printf '%-8s | %-5s | %8s | %7s | %7s | %7s | %4s | %6s | %6s | %-16s | %-80s | %8s | %8s | %8s | %s\n' "${f[@]}"
done
echo "(RSS0: after warm-up; RSS1: at the end of the run; pass: RSS1 ≤ $RSS_FACTOR × RSS0. Details: ${LOAD_OUT:-a temporary directory; set LOAD_OUT to keep it})"
exit "$FAILED"
