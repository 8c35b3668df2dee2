#!/usr/bin/env bash
# Foundation benchmark: generate + store a world of N assets (about 5N dependencies), then time
# the graph load from the store (peak RSS from /usr/bin/time), on SQLite and PostgreSQL.
#   N=1000000 bench/atlas-scale.sh          (PostgreSQL from MERIDIAN_BENCH_POSTGRES, default
#                                             postgres://postgres@127.0.0.1:5432/test)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
PG=${MERIDIAN_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -q -p meridian
BIN=target/release/meridian

run() { # label, db url
  local label=$1 db=$2
  echo "== $label: demo --assets $N"
  /usr/bin/time -f "   demo: %e s wall, %M KiB peak RSS" "$BIN" --db "$db" --quiet demo --reset --assets "$N"
  echo "== $label: graph load (store -> CompactAtlas -> CSR)"
  /usr/bin/time -f "   load: %e s wall, %M KiB peak RSS" "$BIN" --db "$db" analyze summary
}

rm -f "$OUT/scale.db" "$OUT/scale.db-wal" "$OUT/scale.db-shm"
run sqlite "sqlite://$OUT/scale.db"
if pg_isready -q -h 127.0.0.1 -p 5432; then
  psql -q "$PG" -c 'DROP SCHEMA IF EXISTS meridian_bench CASCADE; CREATE SCHEMA meridian_bench'
  run postgres "$PG?schema=meridian_bench"
  psql -q "$PG" -c 'DROP SCHEMA meridian_bench CASCADE'
else
  echo "PostgreSQL not running on 127.0.0.1:5432: skipped"
fi
