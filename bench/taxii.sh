#!/usr/bin/env bash
# TAXII 2.1 on one machine, one run, loopback only (PRODUCT.md §8): Meridian on SQLite and on
# PostgreSQL, medallion (the OASIS reference server, memory backend) and nginx serving one
# captured Meridian `objects/?limit=100` body as a static file.
#
#   (a) ingest: POST envelopes of $BATCH (1,000) deterministic indicators, objects/s
#   (b) GET objects/?limit=100: wrk, $DURATION s (≤ 10) at each of $CONNS (1,16,64)
#       connections: requests/s, p50, p99
#   (c) page latency: $LAT_N (300) sequential GETs of one page (first; middle and last via
#       `next`) at each collection size of $SIZE
#
# Everything is bounded: wrk runs ≤ 10 s each, every sequential measurement stops after
# $LAT_BUDGET s, medallion only at $MEDALLION_SIZE (≤ 10,000; its GET is quadratic: larger
# sizes are projected, and said so). Results: $OUT/results.jsonl and $OUT/taxii.md.
#
#   bench/taxii.sh                                   # SIZE=1000,100000,1000000
#   SIZE=1000,10000 SERVERS=sqlite,nginx bench/taxii.sh
#   MERIDIAN_BIN=/path/to/release/meridian bench/taxii.sh
#
# Env: SIZE, SERVERS (sqlite,postgres,medallion,nginx), MEDALLION_SIZE (1000,2000), CONNS,
# DURATION, LAT_N, LAT_BUDGET, MEDALLION_BUDGET (45), BATCH, SEED, MERIDIAN_BIN,
# MERIDIAN_TEST_POSTGRES, OUT, KEEP=1 (keep the databases), WRK_THREADS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SIZE=${SIZE:-1000,100000,1000000}
SERVERS=${SERVERS:-sqlite,postgres,medallion,nginx}
MEDALLION_SIZE=${MEDALLION_SIZE:-1000,2000}
CONNS=${CONNS:-1,16,64}
DURATION=${DURATION:-10}
LAT_N=${LAT_N:-300}
LAT_BUDGET=${LAT_BUDGET:-60}
MEDALLION_BUDGET=${MEDALLION_BUDGET:-45}
BATCH=${BATCH:-1000}
SEED=${SEED:-1}
WRK_THREADS=${WRK_THREADS:-2}
PG=${MERIDIAN_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
OUT=${OUT:-bench/out/taxii-$(date -u +%Y%m%dT%H%M%SZ)}
VENV=${TAXII_BENCH_VENV:-/tmp/meridian-taxii-bench-venv}
if [ -z "${MERIDIAN_BIN:-}" ]; then
  if [ -x target/release/meridian ]; then MERIDIAN_BIN=target/release/meridian
  else MERIDIAN_BIN=target/debug/meridian; fi
fi
[ "$DURATION" -le 10 ] || { echo "DURATION is at most 10 s" >&2; exit 2; }
IFS=, read -r -a sizes <<< "$SIZE"
IFS=, read -r -a msizes <<< "$MEDALLION_SIZE"
IFS=, read -r -a conns <<< "$CONNS"
for m in "${msizes[@]}"; do
  [ "$m" -le 10000 ] || { echo "MEDALLION_SIZE: at most 10000 (medallion is quadratic)" >&2; exit 2; }
done
has() { case ",$SERVERS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RES=$OUT/results.jsonl
: > "$RES"
LOAD=(python3 "$ROOT/bench/taxii_load.py")
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
t_start=$(date +%s)

# ---- tools ------------------------------------------------------------------------------
need_apt=()
command -v wrk > /dev/null || need_apt+=(wrk)
if has nginx && ! command -v nginx > /dev/null && [ ! -x /usr/sbin/nginx ]; then need_apt+=(nginx); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" > /dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if has medallion && [ ! -x "$VENV/bin/medallion" ]; then
  log "medallion into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check medallion
fi

# ---- cleanup ----------------------------------------------------------------------------
pids=()
schema="taxii_bench_$$"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2> /dev/null || true; done
  if [ "${KEEP:-0}" != 1 ]; then
    rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm
    psql -q "$PG" -c "DROP SCHEMA IF EXISTS \"$schema\" CASCADE" > /dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP   # a signal still runs cleanup (stops the servers, drops the schema)

record() { # record SERVER SIZE METRIC JSON
  python3 -c 'import json, sys
d = json.loads(sys.argv[4]); d.update(server=sys.argv[1], size=int(sys.argv[2]), metric=sys.argv[3])
print(json.dumps(d))' "$1" "$2" "$3" "$4" >> "$RES"
}

# wrk_run SERVER SIZE URL AUTHHEADER: one wrk per connection count
wrk_run() {
  local server=$1 size=$2 url=$3 auth=$4 c t lua out line
  lua=$OUT/wrk-$server.lua
  cat > "$lua" << EOF
wrk.headers["Accept"] = "application/taxii+json;version=2.1"
wrk.headers["Authorization"] = "$auth"
done = function(summary, latency, requests)
  io.write(string.format('WRKJSON {"requests":%d,"duration_s":%.3f,"bytes":%d,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration / 1e6, summary.bytes, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout))
end
EOF
  for c in "${conns[@]}"; do
    t=$WRK_THREADS; [ "$c" -lt "$t" ] && t=$c
    out=$(wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 10s --latency -s "$lua" "$url")
    line=$(printf '%s\n' "$out" | sed -n 's/^WRKJSON //p')
    [ -n "$line" ] || { echo "wrk gave no summary:" >&2; echo "$out" >&2; exit 1; }
    line=$(python3 -c 'import json, sys; d = json.loads(sys.argv[1]); d["conns"] = int(sys.argv[2]); d["threads"] = int(sys.argv[3]); d["rps"] = round(d["requests"] / d["duration_s"], 1); print(json.dumps(d))' "$line" "$c" "$t")
    record "$server" "$size" wrk "$line"
    log "$server n=$size wrk c=$c: $line"
  done
}

# ---- Meridian ---------------------------------------------------------------------------
captured=""
meridian_run() { # meridian_run SERVER DB
  local server=$1 db=$2 loaded=0 size url auth j mid last
  [ -x "$MERIDIAN_BIN" ] || { echo "MERIDIAN_BIN=$MERIDIAN_BIN is not an executable" >&2; exit 1; }
  "$MERIDIAN_BIN" serve --help > /dev/null 2>&1 || { echo "$MERIDIAN_BIN has no 'serve'" >&2; exit 1; }
  # shellcheck source=../.ci/taxii-setup.sh
  . "$ROOT/.ci/taxii-setup.sh"
  log "$server: $MERIDIAN_BIN serve on $db"
  taxii_meridian_up "$MERIDIAN_BIN" "$db" "$OUT/$server"
  pids+=("$TAXII_PID")
  auth="bearer:$TAXII_TOKEN"
  url=$("${LOAD[@]}" objects-url --discovery "$TAXII_URL" --auth "$auth" --collection "$TAXII_COLLECTION")
  record "$server" 0 info "$(python3 -c 'import json,sys; print(json.dumps({"binary": sys.argv[1], "version": sys.argv[2]}))' "$MERIDIAN_BIN" "$("$MERIDIAN_BIN" --version 2>&1 | head -1)")"
  for size in "${sizes[@]}"; do
    log "$server: ingest $loaded..$size"
    j=$("${LOAD[@]}" ingest --url "$url" --auth "$auth" --start "$loaded" --end "$size" --batch "$BATCH" --seed "$SEED" --progress)
    record "$server" "$size" ingest "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["from"]=int(sys.argv[2]); print(json.dumps(d))' "$j" "$loaded")"
    log "$server n=$size ingest: $j"
    loaded=$size
    if [ -z "$captured" ]; then
      curl -sf -H 'Accept: application/taxii+json;version=2.1' -H "Authorization: Bearer $TAXII_TOKEN" \
        "$url?limit=100" -o "$OUT/page.json"
      captured="$server n=$size"
      echo "$captured" > "$OUT/page.source"
    fi
    j=$("${LOAD[@]}" latency --url "$url?limit=100" --auth "$auth" --n "$LAT_N" --budget "$LAT_BUDGET")
    record "$server" "$size" latency_first "$j"; log "$server n=$size first page: $j"
    j=$("${LOAD[@]}" walk --url "$url" --auth "$auth" --limit 1000 --total "$size" --budget 600)
    record "$server" "$size" walk "$j"; log "$server n=$size walk: $j"
    mid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["middle"]["next"] or "")' "$j")
    last=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["last"]["next"] or "")' "$j")
    if [ -n "$mid" ]; then
      j=$("${LOAD[@]}" latency --url "$url?limit=100&next=$mid" --auth "$auth" --n "$LAT_N" --budget "$LAT_BUDGET")
      record "$server" "$size" latency_middle "$j"; log "$server n=$size middle page: $j"
    fi
    if [ -n "$last" ]; then
      j=$("${LOAD[@]}" latency --url "$url?limit=100&next=$last" --auth "$auth" --n "$LAT_N" --budget "$LAT_BUDGET")
      record "$server" "$size" latency_last "$j"; log "$server n=$size last page: $j"
    fi
    wrk_run "$server" "$size" "$url?limit=100" "Bearer $TAXII_TOKEN"
  done
  taxii_stop
}

if has sqlite; then meridian_run meridian-sqlite "sqlite://$OUT/meridian-bench.db"; fi
if has postgres; then
  case "$PG" in *\?*) pgdb="$PG&schema=$schema" ;; *) pgdb="$PG?schema=$schema" ;; esac
  meridian_run meridian-postgres "$pgdb"
fi

# ---- medallion --------------------------------------------------------------------------
if has medallion; then
  col=11111111-2222-4333-8444-555555555555
  for size in "${msizes[@]}"; do
    # a fresh medallion per size, filled through its own POST (ingest is measured)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    dir=$OUT/medallion-$size
    python3 "$ROOT/bench/taxii_medallion.py" --dir "$dir" --collection "$col" --user bench --password bench-pass --max-page-size 1000
    "$VENV/bin/medallion" --host 127.0.0.1 --port "$port" "$dir/medallion.json" > "$dir/log" 2>&1 &
    mpid=$!
    pids+=("$mpid")
    for _ in $(seq 1 100); do
      curl -s -o /dev/null -u bench:bench-pass "http://127.0.0.1:$port/taxii2/" -H 'Accept: application/taxii+json;version=2.1' && break
      sleep 0.2
    done
    auth="basic:bench:bench-pass"
    url=$("${LOAD[@]}" objects-url --discovery "http://127.0.0.1:$port/taxii2/" --auth "$auth" --collection "$col")
    record medallion 0 info "$(python3 -c 'import json,sys; print(json.dumps({"version": sys.argv[1]}))' "$("$VENV/bin/pip" show medallion 2>/dev/null | sed -n 's/^Version: //p')")"
    log "medallion: ingest 0..$size"
    j=$("${LOAD[@]}" ingest --url "$url" --auth "$auth" --start 0 --end "$size" --batch "$BATCH" --seed "$SEED")
    record medallion "$size" ingest "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["from"]=0; print(json.dumps(d))' "$j")"
    log "medallion n=$size ingest: $j"
    if [ -z "$captured" ]; then
      curl -sf -u bench:bench-pass -H 'Accept: application/taxii+json;version=2.1' "$url?limit=100" -o "$OUT/page.json"
      captured="medallion n=$size (no Meridian run)"
      echo "$captured" > "$OUT/page.source"
    fi
    j=$("${LOAD[@]}" latency --url "$url?limit=100" --auth "$auth" --n "$LAT_N" --budget "$MEDALLION_BUDGET")
    record medallion "$size" latency_first "$j"; log "medallion n=$size first page: $j"
    first=$j
    if [ "$size" = "${msizes[0]}" ]; then
      j=$("${LOAD[@]}" medallion-next --url "$url" --auth "$auth" --position $((size / 2)) --n "$LAT_N" --budget "$MEDALLION_BUDGET")
      record medallion "$size" latency_middle "$j"; log "medallion n=$size middle page: $j"
    fi
    # wrk only when one request fits many times in the window (else the queued requests keep
    # the server busy long after wrk stops); otherwise the report derives c=1 from latency
    p50=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["p50_ms"])' "$first")
    if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) * 20 < float(sys.argv[2]) * 1000 else 1)' "$p50" "$DURATION"; then
      wrk_run medallion "$size" "$url?limit=100" "Basic $(printf 'bench:bench-pass' | base64)"
    else
      record medallion "$size" wrk_skipped "{\"reason\": \"one GET objects?limit=100 takes ${p50} ms (p50): wrk's ${DURATION} s window would hold almost none and leave queued requests running\"}"
      log "medallion n=$size: wrk skipped (p50 ${p50} ms)"
    fi
    kill "$mpid" 2> /dev/null || true
    wait "$mpid" 2> /dev/null || true
  done
fi

# ---- nginx ------------------------------------------------------------------------------
if has nginx; then
  [ -s "$OUT/page.json" ] || { echo "nginx: no captured page (run a Meridian or medallion server first)" >&2; exit 1; }
  ng=$(mktemp -d /tmp/taxii-bench-nginx.XXXXXX)
  chmod 755 "$ng"
  mkdir -p "$ng/www" "$ng/tmp"
  cp "$OUT/page.json" "$ng/www/page.json"
  chmod 644 "$ng/www/page.json"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat > "$ng/nginx.conf" << EOF
worker_processes auto;
daemon off;
pid $ng/nginx.pid;
error_log $ng/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 75s;
  keepalive_requests 10000000;
  client_body_temp_path $ng/tmp/body;
  proxy_temp_path $ng/tmp/proxy;
  fastcgi_temp_path $ng/tmp/fastcgi;
  uwsgi_temp_path $ng/tmp/uwsgi;
  scgi_temp_path $ng/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    location / {
      root $ng/www;
      types { }
      default_type "application/taxii+json;version=2.1";
      try_files /page.json =404;
    }
  }
}
EOF
  "$NGINX" -p "$ng" -c "$ng/nginx.conf" > "$ng/stdout.log" 2>&1 &
  npid=$!
  pids+=("$npid")
  for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  curl -sf -o /dev/null "http://127.0.0.1:$port/" || { echo "nginx did not start:"; cat "$ng/error.log" "$ng/stdout.log"; exit 1; } >&2
  record nginx 0 info "$(python3 -c 'import json,sys; print(json.dumps({"version": sys.argv[1], "page_bytes": int(sys.argv[2]), "page_source": sys.argv[3]}))' "$("$NGINX" -v 2>&1)" "$(stat -c %s "$OUT/page.json")" "$(cat "$OUT/page.source")")"
  wrk_run nginx 0 "http://127.0.0.1:$port/taxii2/hub/collections/static/objects/?limit=100" "Bearer static"
  kill "$npid" 2> /dev/null || true
  wait "$npid" 2> /dev/null || true
  rm -rf "$ng"
fi

# ---- report -----------------------------------------------------------------------------
t_end=$(date +%s)
record run 0 info "{\"seconds\": $((t_end - t_start)), \"load_average\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"nproc\": $(nproc)}"
python3 "$ROOT/bench/taxii_report.py" "$RES" \
  --command "SIZE=$SIZE SERVERS=$SERVERS MEDALLION_SIZE=$MEDALLION_SIZE MERIDIAN_BIN=$MERIDIAN_BIN bench/taxii.sh" \
  | tee "$OUT/taxii.md"
log "done in $((t_end - t_start)) s; results in $OUT"
