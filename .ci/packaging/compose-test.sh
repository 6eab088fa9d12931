#!/usr/bin/env bash
# deploy/compose with Debian's podman-compose, on images built here (the wxtoken image; Redis and
# HAProxy from the Debian base): the single instance serves a token from its volume-backed store
# and, with simulator.yaml, from the demo; the cluster of three on Redis answers through the load
# balancer with one WeChat call for every caller and keeps serving, with the same token, when
# one instance is killed.
# Usage: compose-test.sh IMAGE BASE_IMAGE
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=containers.sh
. "$here/containers.sh"

export WXTOKEN_IMAGE=$1 REDIS_IMAGE=$2 LB_IMAGE=$2
export REDIS_PASSWORD; REDIS_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
work=$(mktemp -d)
project="wxtokenci$$"
compose_files=()
compose() { (cd "$root/deploy/compose" && podman-compose -p "$project" "${compose_files[@]}" "$@") >>"$work/compose.log" 2>&1; }
# The volumes of the project's containers, named and anonymous (the image declares /data).
project_volumes() {
  podman ps -a --format '{{.Names}}' | grep "^${project}_" \
    | xargs -r podman inspect -f '{{range .Mounts}}{{if .Name}}{{.Name}} {{end}}{{end}}' 2>/dev/null || true
}
down() {
  local volumes
  volumes=$(project_volumes)
  compose down -v || true
  for v in $volumes; do podman volume rm -f "$v" >/dev/null 2>&1 || true; done
}
cleanup() {
  down
  # Whatever podman-compose left behind (a failed up, an older podman-compose).
  podman ps -a --format '{{.Names}}' | grep "^${project}_" | xargs -r -n1 podman rm -fv >/dev/null 2>&1 || true
  podman volume ls --format '{{.Name}}' | grep "^${project}_" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  podman network ls --format '{{.Name}}' | grep "^${project}_" | xargs -r podman network rm -f >/dev/null 2>&1 || true
  rm -rf "$work" "$CONTAINERS_CONF"
}
trap cleanup EXIT
show_logs() { tail -n 40 "$work/compose.log" >&2; for c in $(podman ps -a --format '{{.Names}}' | grep "^${project}_"); do
  echo "--- $c" >&2; podman logs --tail 20 "$c" >&2 2>&1 || true; done; }

# One instance: its store in the `data` volume (master key created there).
port=$(free_port)
export WXTOKEN_PUBLISH="127.0.0.1:$port"
compose_files=(-f compose.yaml)
compose up -d
url="http://127.0.0.1:$port"
if wait_http "$url/ready" 120; then pass "compose single: starts"; else fail "compose single: starts" "not ready"; show_logs; fi
check_eq "compose single: store and key in the volume" "master.key" \
  "$(podman exec "${project}_wxtoken_1" bash -c 'ls /data | grep -x master.key')"
down

# The same with simulator.yaml: the demo (server and simulator in one process) serves a token.
compose_files=(-f compose.yaml -f simulator.yaml)
compose up -d
if wait_http "$url/ready" 120; then pass "compose single with the simulator: starts"; else
  fail "compose single with the simulator: starts" "not ready"; show_logs
fi
if [ -n "$(token "$url")" ]; then pass "compose single with the simulator: serves a token"; else
  fail "compose single with the simulator: serves a token" "no token"; show_logs
fi
down

# Three instances on Redis behind HAProxy; the master key from a secret file.
port=$(free_port) sim_port=$(free_port)
export WXTOKEN_PUBLISH="127.0.0.1:$port" SIMULATOR_PUBLISH="127.0.0.1:$sim_port"
export MASTER_KEY_FILE="$work/master.key"
head -c 32 /dev/urandom | base64 >"$MASTER_KEY_FILE"
chown 10001 "$MASTER_KEY_FILE"; chmod 400 "$MASTER_KEY_FILE"
export WXTOKEN_WECHAT_BASE_URL=http://wechat:9090
compose_files=(-f cluster.yaml -f "$here/compose-wechat.yaml")
compose up -d
url="http://127.0.0.1:$port" sim="http://127.0.0.1:$sim_port"
if wait_http "$url/ready" 120; then pass "compose cluster: answers through the load balancer"; else
  fail "compose cluster: answers through the load balancer" "not ready"; show_logs
fi
# The simulator's JVM starts behind HAProxy, which accepts connections before it listens: a token
# asked for before then fails (WeChat unreachable) and the counts below would start from nothing.
wait_http "$sim/sim/stats" 120 || { fail "compose cluster: the simulator starts" "not ready"; show_logs; }
# Every instance must be up before counting (HAProxy sends each request to the next one).
for i in 1 2 3; do
  for _ in $(seq 1 120); do
    [ "$(podman exec "${project}_wxtoken-${i}_1" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080
      printf "GET /ready HTTP/1.0\r\n\r\n" >&3; head -n1 <&3' 2>/dev/null | tr -d '\r')" = "HTTP/1.0 200 OK" ] && break
    sleep 0.5
  done
done
first=$(token "$url")
same=0
for _ in $(seq 1 30); do [ "$(token "$url")" = "$first" ] && same=$((same + 1)); done
if [ -n "$first" ]; then pass "compose cluster: serves a token"; else fail "compose cluster: serves a token" "no token"; show_logs; fi
check_eq "compose cluster: 30 requests round-robin over the three get the one token" 30 "$same"
check_eq "compose cluster: one WeChat call for all of them" 1 "$(wechat_calls "$sim")"
if podman exec "${project}_redis_1" redis-cli -a "$REDIS_PASSWORD" --no-auth-warning config get appendonly \
    | grep -qx yes; then pass "compose cluster: Redis appends"; else fail "compose cluster: Redis appends" "appendonly is not yes"; fi

podman kill "${project}_wxtoken-1_1" >/dev/null
served=0
for _ in $(seq 1 30); do [ "$(token "$url")" = "$first" ] && served=$((served + 1)); done
check_eq "compose cluster: keeps serving with one instance killed" 30 "$served"
check_eq "compose cluster: still one WeChat call" 1 "$(wechat_calls "$sim")"

echo "compose-test: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
