#!/usr/bin/env bash
# Peer benchmark: hostile world -> networkx / igraph / rustworkx -> Meridian -> compare.
#   N=100000 bench/peers.sh                      # default size
#   N=1000000 BUDGET=60 DOM_BUDGET=300 bench/peers.sh
# Env: N (assets, default 100000), SEED (1), DEPS_PER_ASSET (5), SAMPLE (1000 ids),
#      BUDGET (s per sampled op, 60), DOM_BUDGET (s before a dominator run is killed, 300),
#      PEERS ("networkx igraph rustworkx"), MERIDIAN (target/release/meridian),
#      OUT (bench/out/n$N-s$SEED), REGEN=1 to regenerate an existing world,
#      ORACLE=0 to skip the numpy/scipy full-coverage reference (oracle.py).
# Outputs in $OUT: world/{assets,dependencies}.csv, sample.txt, answers-*.json, compare.md.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH/.." && pwd)"
N="${N:-100000}"
SEED="${SEED:-1}"
DEPS_PER_ASSET="${DEPS_PER_ASSET:-5}"
SAMPLE="${SAMPLE:-1000}"
BUDGET="${BUDGET:-60}"
DOM_BUDGET="${DOM_BUDGET:-300}"
PEERS="${PEERS:-networkx igraph rustworkx}"
OUT="${OUT:-$BENCH/out/n$N-s$SEED}"
MERIDIAN="${MERIDIAN:-target/release/meridian}"
case "$MERIDIAN" in /*) ;; *) [[ "$MERIDIAN" == */* ]] && MERIDIAN="$REPO/$MERIDIAN" ;; esac

VENV="$BENCH/.venv"
PY="$VENV/bin/python"
if ! "$PY" -c 'import networkx, igraph, rustworkx, numpy, scipy' 2>/dev/null; then
  echo "== creating $VENV"
  python3 -m venv "$VENV"
  "$PY" -m pip install -q --upgrade pip
  "$PY" -m pip install -q networkx igraph rustworkx numpy scipy
fi
"$PY" -c 'import sys, networkx, igraph, rustworkx, numpy, scipy; print("== python", sys.version.split()[0], "networkx", networkx.__version__, "igraph", igraph.__version__, "rustworkx", rustworkx.__version__, "numpy", numpy.__version__)'

W="$OUT/world"
mkdir -p "$OUT"
if [[ ! -s "$W/dependencies.csv" || "${REGEN:-0}" == 1 ]]; then
  echo "== hostile world: N=$N seed=$SEED"
  rm -f "$OUT"/answers-*.json  # answers of an older world must not be compared
  "$PY" "$BENCH/hostile.py" --assets "$N" --seed "$SEED" --deps-per-asset "$DEPS_PER_ASSET" --out "$W"
else
  echo "== reusing $W (REGEN=1 to rebuild)"
fi
"$PY" "$BENCH/sample.py" --assets "$W/assets.csv" --size "$SAMPLE" --seed 7 --out "$OUT/sample.txt"

echo "== $(nproc) cpus, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for p in $PEERS; do
  /usr/bin/time -f "[$p] wall %es, max RSS %M KiB" \
    "$PY" "$BENCH/peers.py" --assets "$W/assets.csv" --deps "$W/dependencies.csv" \
      --sample "$OUT/sample.txt" --peer "$p" --home US --budget "$BUDGET" \
      --dom-budget "$DOM_BUDGET" --out "$OUT/answers-$p.json" 2>&1 \
    || echo "!! peer $p failed (exit $?)"
done

if [[ "${ORACLE:-1}" == 1 ]]; then
  echo "== oracle (numpy/scipy, every foreign asset and sample id)"
  "$PY" "$BENCH/oracle.py" --assets "$W/assets.csv" --deps "$W/dependencies.csv" \
    --sample "$OUT/sample.txt" --home US --out "$OUT/answers-oracle.json" \
    || echo "!! oracle failed (exit $?)"
fi

rm -f "$OUT/answers-meridian.json"
if [[ ! -x "$MERIDIAN" ]]; then
  echo "!! Meridian binary not found at $MERIDIAN (build it: cargo build --release, or set MERIDIAN=...)."
  echo "!! Comparing the peers only."
elif ! "$MERIDIAN" analyze peers --help >/dev/null 2>&1; then
  echo "!! $MERIDIAN has no 'analyze peers' subcommand yet. Comparing the peers only."
else
  echo "== meridian"
  /usr/bin/time -f "[meridian] wall %es, max RSS %M KiB" \
    "$MERIDIAN" analyze peers --assets "$W/assets.csv" --deps "$W/dependencies.csv" \
      --sample "$OUT/sample.txt" --home US --out "$OUT/answers-meridian.json" 2>&1 \
    || echo "!! meridian analyze peers failed (exit $?); comparing the peers only"
fi

shopt -s nullglob
files=("$OUT"/answers-*.json)
if (( ${#files[@]} == 0 )); then echo "!! no answers written"; exit 1; fi
echo "== compare (also in $OUT/compare.md)"
set +e
"$PY" "$BENCH/compare.py" "${files[@]}" > "$OUT/compare.md"
rc=$?
set -e
{ echo; echo "Command: N=$N SEED=$SEED BUDGET=$BUDGET DOM_BUDGET=$DOM_BUDGET bench/peers.sh"; } >> "$OUT/compare.md"
cat "$OUT/compare.md"
exit $rc
