#!/usr/bin/env bash
# Every web screen's server time on the demo world (issue #15: ≤ 200 ms per page on the 1M world,
# the asset page of the most-connected asset included). Builds nothing: takes the binary.
# SQLite only.
#
#   1. the demo world, an admin user (bench/hub.sh), a stored ranking (`meridian analyze rank`),
#      `meridian serve`, a session cookie (`POST /login`);
#   2. the assets: the top of the stored ranking, and the most-connected asset (most dependency
#      edges, in or out, read from the SQLite file);
#   3. one cold load of the asset page (it builds the server's engine), then every screen
#      $PAGES (5) times with curl, each load's status and `time_total` in $OUT/loads.txt;
#   4. a table: per screen, the median and the slowest of the loads, and the page size.
#
#   bench/web.sh target/release/meridian              # N=1000000
#   N=20000 PAGES=2 bench/web.sh target/debug/meridian   # a quick check of the script
#
# Env: N (1000000), PAGES (5), OUT (bench/out/web-<time>), DB (an existing SQLite file holding a
# demo world and a ranking: skips step 1's demo and ranking), KEEP=1 keeps the SQLite file.
# Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: bench/web.sh PATH/TO/meridian}
[ -x "$BIN" ] || { echo "web: $BIN is not an executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
N=${N:-1000000}
PAGES=${PAGES:-5}
OUT=${OUT:-bench/out/web-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BENCH=web
# shellcheck source=bench/hub.sh
. bench/hub.sh

SERVER_PID=
cleanup() {
  stop_server
  [ -n "${DB:-}" ] || [ "${KEEP:-0}" = 1 ] || rm -f "$OUT"/web.db "$OUT"/web.db-wal "$OUT"/web.db-shm
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

if [ -n "${DB:-}" ]; then
  file=$DB
  db="sqlite://$file"
  PASSWORD=bench-password-$$
  printf '%s\n' "$PASSWORD" | "$BIN" --db "$db" --quiet user add "bench$$" --role admin --password-stdin > /dev/null
  user=bench$$
else
  file=$OUT/web.db
  db="sqlite://$file"
  demo_world sqlite "$db"
  user=bench
  log "analyze rank"
  "$BIN" --db "$db" --quiet analyze rank > "$OUT/rank.log" 2>&1 || { tail -20 "$OUT/rank.log" >&2; exit 1; }
fi
BACKEND=sqlite
start_server "$db"
base="http://127.0.0.1:$PORT"
jar=$OUT/cookies.txt
curl -sf -o /dev/null -c "$jar" --data-urlencode "name=$user" --data-urlencode "password=$PASSWORD" "$base/login"

read -r top connected < <(python3 - "$file" << 'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
run = c.execute("SELECT max(id) FROM ranking_runs").fetchone()[0]
top = c.execute("SELECT asset_id FROM ranking_entries WHERE run_id = ? AND rank = 1", (run,)).fetchone()[0]
idx = c.execute("""SELECT idx FROM (SELECT provider_idx AS idx FROM dependencies
                   UNION ALL SELECT dependent_idx FROM dependencies)
                   GROUP BY idx ORDER BY count(*) DESC LIMIT 1""").fetchone()[0]
print(top, c.execute("SELECT id FROM assets WHERE idx = ?", (idx,)).fetchone()[0])
EOF
)
quote() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
log "top-ranked asset $top; most-connected asset $connected"

: > "$OUT/loads.txt"
# load LABEL PATH: one request with the session, its status, time and size appended to loads.txt
load() {
  local result
  result=$(curl -s -o "$OUT/page.out" -b "$jar" -w '%{http_code} %{time_total} %{size_download}' "$base$2")
  printf '%s %s\n' "$1" "$result" >> "$OUT/loads.txt"
  case "$result" in 200\ *) ;; *) echo "web: $1 ($2) answered $result" >&2; head -c 500 "$OUT/page.out" >&2; exit 1 ;; esac
}
load cold-asset-page "/atlas/$(quote "$top")"
screens=(
  "dashboard /"
  "atlas-search /atlas?q=port"
  "asset-top-ranked /atlas/$(quote "$top")"
  "asset-most-connected /atlas/$(quote "$connected")"
  "map /map"
  "priorities /priorities"
  "scenarios /scenarios"
  "intel /intel"
  "false-positives /intel/false-positives"
  "exchange /exchange"
  "coordination /coordination"
  "deconfliction /coordination/deconfliction"
  "measures /measures"
  "review /measures/review"
  "users /admin/users"
  "audit /admin/audit"
)
for s in "${screens[@]}"; do
  for _ in $(seq 1 "$PAGES"); do
    load $s
  done
done
stop_server
python3 - "$OUT/loads.txt" << 'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, _, t, size = line.split()
    rows.setdefault(label, []).append((float(t) * 1000, int(size)))
print("| screen | loads | median ms | slowest ms | size KB |")
print("|---|---|---|---|---|")
for label, loads in rows.items():
    times = [t for t, _ in loads]
    print(f"| {label} | {len(times)} | {statistics.median(times):.0f} | {max(times):.0f} | {loads[-1][1] / 1024:.0f} |")
EOF
log "loads (screen, status, seconds, bytes) in $OUT/loads.txt; load average $(cut -d' ' -f1-3 /proc/loadavg)"
