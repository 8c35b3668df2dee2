#!/usr/bin/env bash
# Browser tests of the web UI: headless Debian Chromium driven by playwright-core (npm) walks
# every screen of a small demo world as each role (admin, analyst, coordinator, partner), runs a
# scenario, marks a false positive, acknowledges a notification as a partner user, checks that a
# partner user never sees another partner's notifications or a TLP:RED object, runs axe-core on
# every screen (zero serious or critical violations), checks that no page loads anything from
# another origin or breaks its Content-Security-Policy, and keeps a screenshot of every screen.
#
#   .ci/web.sh target/debug/meridian          # or target/release/meridian
#
# Env: ARTEFACTS (where the screenshots and report go; default $tmp/artefacts, kept and printed),
# WEB_SECONDS (the browser walk's time limit, default 300). Needs network access to the npm
# registry (playwright-core, axe-core into a temporary prefix; nothing is committed) and, when
# /usr/bin/chromium is missing, root for `apt-get install -y chromium`.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:?usage: .ci/web.sh PATH/TO/meridian}
[ -x "$BIN" ] || { echo "web: $BIN is not an executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
SECONDS_LIMIT=${WEB_SECONDS:-300}
tmp=$(mktemp -d)
artefacts=${ARTEFACTS:-$tmp/artefacts}
mkdir -p "$artefacts"
artefacts=$(cd "$artefacts" && pwd)
db="sqlite://$tmp/web.db"
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  # The screenshots stay; the database, the npm prefix and the log go.
  rm -rf "$tmp/npm" "$tmp/web.db" "$tmp"/web.db-*
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

if [ ! -x /usr/bin/chromium ]; then
  echo "--- web: installing Debian chromium"
  # A fresh machine may have no package lists yet.
  { apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; } \
    > "$tmp/apt.log" 2>&1 || { tail -n 20 "$tmp/apt.log" >&2; exit 1; }
fi

echo "--- web: playwright-core and axe-core from npm into $tmp/npm"
npm install --prefix "$tmp/npm" --no-audit --no-fund --silent playwright-core axe-core > /dev/null

cli() {
  "$BIN" --db "$db" --quiet "$@"
}

echo "--- web: demo database and a user per role"
cli demo --assets 1000 --seed 7 > /dev/null
# Two stored rankings, so that the priorities show movement and the asset pages a history.
cli analyze rank > /dev/null
cli analyze rank > /dev/null
# Two saved scenarios to compare side by side.
cli analyze scenario save taiwan --countries TW > /dev/null
cli analyze scenario save gulf --countries AE,QA > /dev/null
for role in admin analyst coordinator partner; do
  if [ "$role" = partner ]; then extra=(--partner cert-de); else extra=(); fi
  printf '%s\n' "web-$role-password-long-enough" \
    | cli user add "web-$role" --role "$role" "${extra[@]}" --password-stdin > /dev/null
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$BIN" --db "$db" serve --listen "127.0.0.1:$port" > "$artefacts/serve.log" 2>&1 &
pid=$!
for ((i = 0; i < 150; i++)); do
  if curl -fsS -o /dev/null "$base/login" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "web: the server exited before it was ready; its log:" >&2
    tail -n 40 "$artefacts/serve.log" >&2
    exit 1
  fi
  sleep 0.2
done

echo "--- web: the browser walk (at most ${SECONDS_LIMIT}s); screenshots in $artefacts"
if ! BASE="$base" ARTEFACTS="$artefacts" WEB_NODE_MODULES="$tmp/npm/node_modules" \
    timeout "$SECONDS_LIMIT" node .ci/web-test.mjs; then
  echo "web FAILED; the server's log (last 40 lines):" >&2
  tail -n 40 "$artefacts/serve.log" >&2
  exit 1
fi
# The walk issues a user token in the admin area: its secret (`mru_…`) must be on that page only,
# never in the server's log.
if grep -q 'mru_' "$artefacts/serve.log"; then
  echo "web FAILED: a user token is in the server's log ($artefacts/serve.log)" >&2
  exit 1
fi
echo "web: every screen passed as every role; screenshots in $artefacts"
