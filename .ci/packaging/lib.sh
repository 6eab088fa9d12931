# Helpers shared by the packaging tests (sourced). Everything listens on loopback only.
# shellcheck shell=bash

APP_ID=wx5f1e2d3c4b5a6978
APP_SECRET=0123456789abcdef0123456789abcdef
PASSED=0
FAILED=0

log() { echo "packaging: $*" >&2; }

# pass NAME / fail NAME MESSAGE: one line per check, counted for the summary.
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: $2"; }

# check NAME EXPECTED ACTUAL
check_eq() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  local port
  while :; do
    port=$(( 20000 + RANDOM % 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}

# wait_http URL [SECONDS [PID]]: until URL answers 200; gives up early if process PID has exited.
wait_http() {
  local url=$1 deadline=$(( SECONDS + ${2:-60} )) pid=${3:-}
  while [ "$SECONDS" -lt "$deadline" ]; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null)" = 200 ]; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

# token BASE_URL: the accessToken the server hands out for the test app ("" on any failure).
token() {
  curl -s --max-time 10 "$1/api/v3/get-wechat-access-token" -H 'Content-Type: application/json' \
    -d "{\"appId\":\"$APP_ID\",\"appSecret\":\"$APP_SECRET\"}" 2>/dev/null \
    | sed -n 's/.*"statusCode":200.*"accessToken":"\([^"]*\)".*/\1/p'
}

# calls_in STATS: token calls (classic plus stable) in the simulator's /sim/stats answer.
calls_in() {
  local classic stable
  classic=$(sed -n 's/^{"token":\([0-9]*\),.*/\1/p' <<<"$1")
  stable=$(sed -n 's/^{"token":[0-9]*,"stable_token":\([0-9]*\),.*/\1/p' <<<"$1")
  if [ -n "$classic" ] && [ -n "$stable" ]; then echo $(( classic + stable )); fi
}

# wechat_calls SIM_URL: token calls the simulator has answered.
wechat_calls() {
  calls_in "$(curl -s --max-time 5 "$1/sim/stats" || true)"
}
