# shellcheck shell=bash
# Sourced (not run) by .ci/run and bench/taxii.sh: brings up a `meridian serve` on a fresh
# database with one collection, a read+write partner and an outsider, for the TAXII checks.
#
#   . .ci/taxii-setup.sh
#   taxii_meridian_up BIN DB_URL DIR      # DB_URL: sqlite://PATH or postgres://…?schema=NAME
#   … "$TAXII_URL" "$TAXII_COLLECTION" "$TAXII_USER" "$TAXII_TOKEN"
#     "$TAXII_OUTSIDER_USER" "$TAXII_OUTSIDER_TOKEN"; server pid in $TAXII_PID,
#     its log in DIR/serve.log
#   taxii_stop                            # kill $TAXII_PID (also safe in a trap)
#
# Only binds 127.0.0.1. Everything fails loudly with the command and its output.

taxii_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# taxii_json_field KEY  < json  → value
taxii_json_field() {
  python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# taxii_cli BIN DB ARGS… : one meridian command; on failure print it and its output
taxii_cli() {
  local bin=$1 db=$2 out
  shift 2
  if ! out=$("$bin" --db "$db" --quiet "$@" 2>&1); then
    echo "taxii-setup: FAILED: meridian --db $db --quiet $*" >&2
    echo "$out" >&2
    return 1
  fi
  printf '%s\n' "$out"
}

# taxii_wait_ready URL USER TOKEN PID LOG [SECONDS]: poll discovery until it answers 200
taxii_wait_ready() {
  local url=$1 user=$2 token=$3 pid=$4 log=$5 secs=${6:-30} code i
  for ((i = 0; i < secs * 5; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "taxii-setup: the server (pid $pid) exited before it was ready; its log:" >&2
      tail -n 40 "$log" >&2 || true
      return 1
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -u "$user:$token" \
      -H 'Accept: application/taxii+json;version=2.1' "$url" || true)
    [ "$code" = 200 ] && return 0
    sleep 0.2
  done
  echo "taxii-setup: $url did not answer 200 within ${secs}s (last HTTP code: ${code:-none}); server log:" >&2
  tail -n 40 "$log" >&2 || true
  return 1
}

taxii_meridian_up() {
  local bin=$1 db=$2 dir=$3 port json
  mkdir -p "$dir"
  taxii_cli "$bin" "$db" init > /dev/null || return 1
  json=$(taxii_cli "$bin" "$db" --json collection add --title "TAXII conformance" \
    --description "objects posted by the CI's taxii2-client run") || return 1
  TAXII_COLLECTION=$(printf '%s' "$json" | taxii_json_field id) || {
    echo "taxii-setup: collection add --json gave no id: $json" >&2; return 1; }
  taxii_cli "$bin" "$db" partner add cert-de --name "CERT-DE (CI)" --country DE --tier 1 \
    --constituency-countries DE,AT --sectors ENERGY > /dev/null || return 1
  taxii_cli "$bin" "$db" partner add cert-xx --name "Outsider CSIRT (CI)" --country FR \
    > /dev/null || return 1
  json=$(taxii_cli "$bin" "$db" --json partner token cert-de) || return 1
  TAXII_TOKEN=$(printf '%s' "$json" | taxii_json_field token) || {
    echo "taxii-setup: partner token --json gave no token: $json" >&2; return 1; }
  json=$(taxii_cli "$bin" "$db" --json partner token cert-xx) || return 1
  TAXII_OUTSIDER_TOKEN=$(printf '%s' "$json" | taxii_json_field token) || return 1
  taxii_cli "$bin" "$db" agreement add ci-de --title "CI read+write" --party cert-de \
    --tlp AMBER+STRICT --collection "$TAXII_COLLECTION:rw" > /dev/null || return 1
  TAXII_USER=cert-de
  TAXII_OUTSIDER_USER=cert-xx
  port=$(taxii_free_port)
  # shellcheck disable=SC2086 # MERIDIAN_SERVE_ARGS: extra flags, word-split on purpose
  "$bin" --db "$db" serve --listen "127.0.0.1:$port" ${MERIDIAN_SERVE_ARGS:-} > "$dir/serve.log" 2>&1 &
  TAXII_PID=$!
  TAXII_URL="http://127.0.0.1:$port/taxii2/"
  export TAXII_URL TAXII_COLLECTION TAXII_USER TAXII_TOKEN TAXII_OUTSIDER_USER \
    TAXII_OUTSIDER_TOKEN TAXII_PID
  taxii_wait_ready "$TAXII_URL" "$TAXII_USER" "$TAXII_TOKEN" "$TAXII_PID" "$dir/serve.log" 30
}

taxii_stop() {
  if [ -n "${TAXII_PID:-}" ]; then
    kill "$TAXII_PID" 2>/dev/null || true
    wait "$TAXII_PID" 2>/dev/null || true
    TAXII_PID=
  fi
}
