# Sourced by the REST benchmarks (rest.sh, engine.sh): the demo world, an admin token, the
# server, and wrk runs recorded as JSON lines. Not run on its own.
#
# The caller sets BIN (absolute path of meridian), N, OUT (absolute), RES (results file), CONNS,
# DURATION, WARMUP, WRK_THREADS and a cleanup trap that calls stop_server; BENCH names the
# benchmark in messages. Functions set BACKEND, TOKEN, PASSWORD, SERVER_PID and PORT.

log() { printf '[%s %s] %s\n' "$BENCH" "$(date -u +%H:%M:%S)" "$*" >&2; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# demo_world BACKEND DB: `demo --reset --assets $N` (timed), an admin user `bench` (PASSWORD) and
# its API token (TOKEN)
demo_world() {
  BACKEND=$1
  local db=$2 t0 t1
  log "$BACKEND: demo --reset --assets $N"
  t0=$(date +%s.%N)
  "$BIN" --db "$db" --quiet demo --reset --assets "$N" > "$OUT/demo-$BACKEND.log" 2>&1 \
    || { tail -20 "$OUT/demo-$BACKEND.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  log "$BACKEND: demo took $(python3 -c "print(round($t1 - $t0, 1))") s"
  PASSWORD=bench-password-$$
  printf '%s\n' "$PASSWORD" | "$BIN" --db "$db" --quiet user add bench --role admin --password-stdin > /dev/null
  TOKEN=$("$BIN" --db "$db" --quiet user token bench --label bench)
  case "$TOKEN" in mru_*) ;; *) echo "$BENCH: user token printed no mru_ token: $TOKEN" >&2; exit 1 ;; esac
}

# start_server DB: `meridian serve` on a free 127.0.0.1 port (PORT), answering within 30 s (the
# login page: no credentials needed)
start_server() {
  local db=$1 probe
  PORT=$(free_port)
  "$BIN" --db "$db" serve --listen "127.0.0.1:$PORT" > "$OUT/serve-$BACKEND.log" 2>&1 &
  SERVER_PID=$!
  probe="http://127.0.0.1:$PORT/login"
  for _ in $(seq 1 150); do
    curl -sf -o /dev/null "$probe" && return 0
    kill -0 "$SERVER_PID" 2> /dev/null || { tail -20 "$OUT/serve-$BACKEND.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "$BENCH: the server did not answer" >&2
  tail -20 "$OUT/serve-$BACKEND.log" >&2
  exit 1
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
  fi
  SERVER_PID=
}

# wrk_page LABEL URL [LUA]: a $WARMUP s warm-up, then the measured run with the bearer token
# (LUA: further lines of the wrk script, e.g. a method and body); appends a JSON line to $RES
wrk_page() {
  local label=$1 url=$2 extra=${3:-} lua out line
  lua=$OUT/wrk-$label.lua
  cat > "$lua" << EOF
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["Accept"] = "application/json"
$extra
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
  [ -n "$line" ] || { echo "$BENCH: wrk gave no summary:" >&2; echo "$out" >&2; exit 1; }
  python3 -c 'import json, sys
d = json.loads(sys.argv[1])
d.update(backend=sys.argv[2], n=int(sys.argv[3]), page=sys.argv[4], conns=int(sys.argv[5]),
         rps=round(d["requests"] / d["duration_s"], 1), load_average=open("/proc/loadavg").read().split()[:3])
print(json.dumps(d))' "$line" "$BACKEND" "$N" "$label" "$CONNS" | tee -a "$RES" >&2
}

# wrk_table: the runs of $RES as a Markdown table
wrk_table() {
  echo "| backend | assets | page | conns | req/s | p50 | p90 | p99 | max | non-2xx / socket errors | load average |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  python3 -c 'import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    errs = d["err_connect"] + d["err_read"] + d["err_write"] + d["err_timeout"]
    print("| %s | %s | %s | %d | %s | %.2f ms | %.2f ms | %.2f ms | %.1f ms | %d / %d | %s |" % (d["backend"], format(d["n"], ","), d["page"], d["conns"],
        format(round(d["rps"]), ","), d["p50_ms"], d["p90_ms"], d["p99_ms"], d["max_ms"], d["non_2xx"], errs, " ".join(d["load_average"])))' "$RES"
}
