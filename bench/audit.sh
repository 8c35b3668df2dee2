#!/usr/bin/env bash
# What the hash-chained audit log adds to TAXII ingest (issue #10's target: ≤ 10 %), on SQLite
# and PostgreSQL, for envelopes of 100 and 1,000 small indicators. Builds nothing: takes the
# meridian binary and the `audit_cost` example (crates/meridian/examples/audit_cost.rs):
#
#   cargo build --release -p meridian
#   cargo build --release -p meridian --example audit_cost
#   bench/audit.sh target/release/meridian target/release/examples/audit_cost
#
# Per backend and envelope size (each on a fresh SQLite file / PostgreSQL schema):
#   (a) ingest: `meridian serve` (.ci/taxii-setup.sh), then bench/taxii_load.py ingest POSTs
#       $OBJECTS (50,000) indicators in envelopes of BATCH, one client: server time per
#       envelope (request → 202 with every object a success), audit row included;
#   (b) audit: audit_cost stores the same number of envelopes of BATCH indicators through the
#       store half of the TAXII POST (add_objects + audit::record in one transaction),
#       alternately with and without the audit row (ABBA order): the difference of the means
#       is what the row costs an envelope; `record` alone is timed inside the transaction too.
# Audit share = (with − without) / (a)'s time per envelope, and the same against the store
# half alone (with − without) / without. Results in $OUT/results.jsonl and a table on stdout.
#
# Env: OBJECTS (50000), BATCHES (100,1000), BACKENDS (sqlite,postgres), MERIDIAN_TEST_POSTGRES
# (postgres://postgres@127.0.0.1:5432/test; own schemas, dropped afterwards), OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${1:?usage: bench/audit.sh PATH/TO/meridian PATH/TO/audit_cost}
COST=${2:?usage: bench/audit.sh PATH/TO/meridian PATH/TO/audit_cost}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
COST=$(cd "$(dirname "$COST")" && pwd)/$(basename "$COST")
OBJECTS=${OBJECTS:-50000}
BATCHES=${BATCHES:-100,1000}
BACKENDS=${BACKENDS:-sqlite,postgres}
PG=${MERIDIAN_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
OUT=${OUT:-bench/out/audit-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RES=$OUT/results.jsonl
: > "$RES"
log() { printf '[audit %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
schemas=()
cleanup() {
  taxii_stop 2> /dev/null || true
  for s in "${schemas[@]}"; do psql -q "$PG" -c "DROP SCHEMA IF EXISTS \"$s\" CASCADE" > /dev/null 2>&1 || true; done
  rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP
# shellcheck source=../.ci/taxii-setup.sh
. "$ROOT/.ci/taxii-setup.sh"

fresh_db() { # fresh_db BACKEND TAG: sets DB to a fresh database's URL
  case $1 in
    sqlite) rm -f "$OUT/$2.db"*; DB="sqlite://$OUT/$2.db" ;;
    postgres)
      local s="audit_bench_$$_$2"
      schemas+=("$s")
      psql -q "$PG" -c "DROP SCHEMA IF EXISTS \"$s\" CASCADE; CREATE SCHEMA \"$s\"" > /dev/null
      case "$PG" in *\?*) DB="$PG&schema=$s" ;; *) DB="$PG?schema=$s" ;; esac ;;
  esac
}

IFS=, read -r -a backends <<< "$BACKENDS"
IFS=, read -r -a batches <<< "$BATCHES"
for b in "${backends[@]}"; do
  for batch in "${batches[@]}"; do
    # (a) TAXII ingest through the server
    fresh_db "$b" "ingest_$batch"
    taxii_meridian_up "$BIN" "$DB" "$OUT/serve-$b-$batch"
    url=$(python3 bench/taxii_load.py objects-url --discovery "$TAXII_URL" --auth "bearer:$TAXII_TOKEN" --collection "$TAXII_COLLECTION")
    j=$(python3 bench/taxii_load.py ingest --url "$url" --auth "bearer:$TAXII_TOKEN" --start 0 --end "$OBJECTS" --batch "$batch")
    taxii_stop
    python3 -c 'import json, sys
d = json.loads(sys.argv[1]); d.update(backend=sys.argv[2], batch=int(sys.argv[3]), metric="ingest",
  ms_per_envelope=round(d["post_seconds"] * 1e3 / d["posts"], 3), load_average=open("/proc/loadavg").read().split()[:3])
print(json.dumps(d))' "$j" "$b" "$batch" | tee -a "$RES" >&2
    # (b) the store half with and without the audit row
    fresh_db "$b" "cost_$batch"
    j=$("$COST" "$DB" $((OBJECTS / batch)) "$batch")
    python3 -c 'import json, sys
d = json.loads(sys.argv[1]); d.update(metric="audit_cost", load_average=open("/proc/loadavg").read().split()[:3])
print(json.dumps(d))' "$j" | tee -a "$RES" >&2
  done
done

echo "| backend | envelope | TAXII POST, server time / envelope | store half without audit / with (mean) | audit row (with − without) | \`record\` alone (mean) | audit share of the POST | of the store half |"
echo "|---|---|---|---|---|---|---|---|"
python3 -c 'import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for d in rows:
    if d["metric"] != "ingest": continue
    c = next(r for r in rows if r["metric"] == "audit_cost" and r["backend"] == d["backend"] and r["batch"] == d["batch"])
    row = c["with_mean_ms"] - c["without_mean_ms"]
    print("| %s | %d | %.2f ms | %.2f / %.2f ms | %.2f ms | %.2f ms | %.1f %% | %.1f %% |" % (d["backend"], d["batch"], d["ms_per_envelope"],
        c["without_mean_ms"], c["with_mean_ms"], row, c["record_mean_ms"], 100 * row / d["ms_per_envelope"], 100 * row / c["without_mean_ms"]))' "$RES"
log "results in $OUT"
