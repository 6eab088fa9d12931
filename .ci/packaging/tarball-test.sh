#!/usr/bin/env bash
# The release tarballs, as a user gets them: unpacked into an empty directory and started with a
# clean environment (env -i), each serves a token from the simulator and keeps it across a
# restart with no further WeChat call. The linux-x64 tarball runs on a PATH with no java at all.
# Usage: tarball-test.sh TARBALL [--no-java]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"

tarball=$(readlink -f "$1")
mode=${2:-}
name=$(basename "$tarball" .tar.gz)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

tar -xzf "$tarball" -C "$work"
home=$(echo "$work"/wxtoken-*)
# The clean environment's PATH: the system's, or (--no-java) only what the launcher itself uses.
if [ "$mode" = --no-java ]; then
  mkdir "$work/path"
  for tool in bash env dirname readlink; do ln -s "$(command -v "$tool")" "$work/path/$tool"; done
  path="$work/path"
  if PATH="$path" command -v java >/dev/null; then fail "$name: PATH without java" "java found"; fi
else
  path=/usr/local/bin:/usr/bin:/bin
fi
# Each process replaces its subshell (exec), so $! is the JVM itself.
run() { exec env -i PATH="$path" HOME="$work" "$@"; }

sim_port=$(free_port)
(run "$home/bin/wxtoken" simulator --port "$sim_port" --app "$APP_ID:$APP_SECRET" >"$work/sim.log" 2>&1) &
pids+=($!)
sim="http://127.0.0.1:$sim_port"

mkdir "$work/run"
port=$(free_port)
serve() {
  (cd "$work/run" && run WXTOKEN_PORT="$port" WXTOKEN_WECHAT_BASE_URL="$sim" \
    "$home/bin/wxtoken" serve >>"$work/server.log" 2>&1) &
  server=$!
  pids+=("$server")
}
url="http://127.0.0.1:$port"

serve
if wait_http "$url/ready" 300 "$server" && wait_http "$sim/sim/stats" 300; then pass "$name: starts"; else
  fail "$name: starts" "not ready"; cat "$work/server.log" "$work/sim.log" >&2; exit 1
fi
first=$(token "$url")
if [ -n "$first" ]; then pass "$name: serves a token"; else fail "$name: serves a token" "no token"; fi
check_eq "$name: one WeChat call" 1 "$(wechat_calls "$sim")"
if [ "$(stat -c %a "$work/run/data/master.key" 2>/dev/null)" = 600 ]; then
  pass "$name: master key owner-only in ./data"
else
  fail "$name: master key owner-only in ./data" "$(ls -l "$work/run/data" 2>&1)"
fi

kill -TERM "$server"
wait "$server" 2>/dev/null || true
serve
wait_http "$url/ready" 300 "$server" || { fail "$name: restarts" "not ready"; cat "$work/server.log" >&2; exit 1; }
check_eq "$name: same token after a restart" "$first" "$(token "$url")"
check_eq "$name: no WeChat call after a restart" 1 "$(wechat_calls "$sim")"
if [ "$mode" = --no-java ]; then
  # -Xshare:on fails instead of running without the archive.
  if out=$("$home/runtime/bin/java" -Xshare:on -version 2>&1); then pass "$name: runtime has its CDS archive"; else
    fail "$name: runtime has its CDS archive" "$out"
  fi
fi
echo "tarball-test: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
