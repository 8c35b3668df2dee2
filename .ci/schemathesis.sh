#!/usr/bin/env bash
# Property-based tests of the REST API from its own OpenAPI document: schemathesis generates
# requests for every /api/v1 operation and checks that no answer is a server error
# (`not_a_server_error`) and every answer matches the documented schema
# (`response_schema_conformance`). Runs once per role, each with a user API token of that role
# (admin, analyst, coordinator, partner), against `meridian serve` on 127.0.0.1 (a free port)
# over a small demo database (SQLite).
#
#   .ci/schemathesis.sh target/release/meridian          # or target/debug/meridian
#
# Env: ST_MAX_EXAMPLES (25 per operation), ST_SECONDS (90, the time limit per role),
# ST_VERSION (the schemathesis requirement, default ">=4,<5"), ST_OUT (kept directory; default
# a temporary one, removed). Exits non-zero on any failure, printing the server's log tail.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:?usage: .ci/schemathesis.sh PATH/TO/meridian}
[ -x "$BIN" ] || { echo "schemathesis: $BIN is not an executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
MAX_EXAMPLES=${ST_MAX_EXAMPLES:-25}
SECONDS_PER_ROLE=${ST_SECONDS:-90}
VERSION=${ST_VERSION:->=4,<5}
if [ -n "${ST_OUT:-}" ]; then
  out=$ST_OUT
  mkdir -p "$out"
else
  out=$(mktemp -d)
fi
db="sqlite://$out/schemathesis.db"
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  [ -n "${ST_OUT:-}" ] || rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

cli() {
  "$BIN" --db "$db" --quiet "$@"
}

echo "--- schemathesis: demo database, users and tokens in $out"
cli demo --assets 1000 --seed 7 > /dev/null
cli partner add cert-st --name "CERT ST" --country DE > /dev/null
declare -A tokens
for role in admin analyst coordinator partner; do
  if [ "$role" = partner ]; then extra=(--partner cert-st); else extra=(); fi
  printf '%s\n' "st-$role-password-long-enough" \
    | cli user add "st-$role" --role "$role" "${extra[@]}" --password-stdin > /dev/null
  tokens[$role]=$(cli user token "st-$role" --label schemathesis)
done

echo "--- schemathesis: installing schemathesis ($VERSION) in a venv"
python3 -m venv "$out/venv"
"$out/venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis$VERSION"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# No failed-authentication throttle: schemathesis sends bad credentials on purpose (the
# throttle has its own tests), and a throttled client would test nothing but 429s.
# A bundle signing key, so that POST /api/v1/bundles/export signs for real (without one it
# answers 503 by design, which this run would count as a server error).
cli bundle keygen --out "$out/keys" > /dev/null
"$BIN" --db "$db" serve --listen "127.0.0.1:$port" --auth-failures 0 \
  --bundle-key "$out/keys/hub.key" > "$out/serve.log" 2>&1 &
pid=$!
for ((i = 0; i < 150; i++)); do
  if curl -fsS -o /dev/null "$base/api/v1/openapi.json" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "schemathesis: the server exited before it was ready; its log:" >&2
    tail -n 40 "$out/serve.log" >&2
    exit 1
  fi
  sleep 0.2
done

failed=()
# The administrator last: its run may disable the other users or revoke their tokens (that is
# what those operations are for), which would leave their runs testing nothing but 401s.
for role in analyst coordinator partner admin; do
  echo "--- schemathesis as $role (at most $MAX_EXAMPLES examples per operation, ${SECONDS_PER_ROLE}s)"
  # From the run's directory: schemathesis keeps its state (.schemathesis/) where it runs.
  if ! (cd "$out" && timeout "$((SECONDS_PER_ROLE + 60))" "$out/venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
      --url "$base" \
      --checks not_a_server_error,response_schema_conformance \
      --max-examples "$MAX_EXAMPLES" \
      --max-time "$SECONDS_PER_ROLE" \
      --header "Authorization: Bearer ${tokens[$role]}" \
      --no-color); then
    failed+=("$role")
  fi
  # Say so when the run ended without its credentials (its later operations tested only 401s).
  if ! curl -fsS -o /dev/null -H "Authorization: Bearer ${tokens[$role]}" "$base/api/v1/session"; then
    echo "schemathesis: WARNING: the $role token no longer authenticates after its run" >&2
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "schemathesis FAILED as: ${failed[*]}; the server's log (last 40 lines):" >&2
  tail -n 40 "$out/serve.log" >&2
  exit 1
fi
echo "schemathesis: every role passed"
