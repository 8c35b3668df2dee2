#!/usr/bin/env bash
# Fuzzing: every parser's cargo-fuzz target (fuzz/), each run for FUZZ_SECONDS (default 20)
# on a corpus seeded from the committed seeds, the crash regressions, the repository's test
# data and the shared corpus (fuzz/seed.sh). Fails when any target finds a crash, a hang
# (an input slower than FUZZ_TIMEOUT seconds, default 10), a leak or an allocation over
# 2 GB. Runs on a fresh machine from a clean clone: installs the nightly toolchain and
# cargo-fuzz when missing.
#
#   .ci/fuzz.sh                      # every target, FUZZ_SECONDS each
#   FUZZ_SECONDS=600 .ci/fuzz.sh cpe purl   # some targets, longer
#
# A crash is written to fuzz/artifacts/<target>/ (reproduce with
# `cargo +nightly fuzz run -a <target> <file>`); each target's log is in fuzz/artifacts/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never CARGO_INCREMENTAL=0
# The bundled SQLite that the hub target links (hub -> store -> rusqlite) trips ASan's C++
# one-definition-rule check at start-up (global `aiOff`); Rust has no ODR, so it is off.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_odr_violation=0}
seconds=${FUZZ_SECONDS:-20}
timeout=${FUZZ_TIMEOUT:-10}

step() { printf '\n==> %s\n' "$*"; }

step "toolchain: nightly and cargo-fuzz"
if ! cargo +nightly --version > /dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version > /dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
cargo +nightly --version
cargo fuzz --version

step "shared test corpus"
if [ -z "${MERIDIAN_SHARED_DATA:-}" ]; then
  for dir in "$PWD/../shared/data" /work/shared/data; do
    if [ -d "$dir" ]; then export MERIDIAN_SHARED_DATA=$(cd "$dir" && pwd); break; fi
  done
fi
echo "MERIDIAN_SHARED_DATA=${MERIDIAN_SHARED_DATA:-(not found: seeding from the repository only)}"

step "seed the corpora"
fuzz/seed.sh

all=$(python3 fuzz/targets.py)
if [ "$#" -gt 0 ]; then
  for t in "$@"; do
    grep -q "^$t " <<< "$all" || { echo "unknown fuzz target $t (see fuzz/targets.py)" >&2; exit 2; }
  done
fi

step "build every target (release, debug assertions, AddressSanitizer)"
# -a: debug assertions, so that integer overflow is a crash too.
(cd fuzz && cargo +nightly fuzz build -a)

mkdir -p fuzz/artifacts/logs
failed=()
summary=()
while read -r target max_len; do
  if [ "$#" -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$target"; then continue; fi
  step "fuzz $target for ${seconds}s (-max_len=$max_len)"
  log=fuzz/artifacts/logs/$target.log
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  # One process (no -jobs/-workers: the machine is shared). -rss_limit_mb also bounds any
  # single allocation (malloc_limit_mb defaults to it); -timeout is per input.
  if (cd fuzz && cargo +nightly fuzz run -a "$target" "corpus/$target" -- \
      -max_total_time="$seconds" -max_len="$max_len" -timeout="$timeout" \
      -rss_limit_mb=2048 -print_final_stats=1 -detect_leaks=1) > "$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$target")
    grep -E 'ERROR|panicked|SUMMARY|Test unit written|Running:|^thread ' "$log" | head -20 || true
    tail -n 30 "$log"
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  line=$(printf '%-16s %-6s %8ss %12s execs %8s exec/s %6s inputs' "$target" "$status" \
    "$seconds" "${execs:-?}" "${rate:-?}" "$(ls "fuzz/corpus/$target" | wc -l)")
  echo "$line"
  summary+=("$line")
done <<< "$all"

step "summary"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing FAILED: ${failed[*]} (inputs in fuzz/artifacts/<target>/, logs in fuzz/artifacts/logs/)"
  exit 1
fi
echo "fuzzing: no crash"
