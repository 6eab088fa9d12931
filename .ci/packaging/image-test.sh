#!/usr/bin/env bash
# The container image: built with Podman on the Debian base image (FROM overridden by
# --build-arg), it runs as a non-root user, reads its settings from the environment, passes its
# health check, and keeps its token in the /data volume across a container restart with no
# further WeChat call; it also runs as Kubernetes runs it (read-only root file system, no
# capabilities). The simulator (which binds loopback only) runs from the same image and owns the
# network namespace the server joins; only the server's port is published, on 127.0.0.1. (No
# pod: a pod's infra container would take Podman's default limits, above the machines' hard ones.)
# Usage: image-test.sh BASE_IMAGE IMAGE_TAG
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=containers.sh
. "$here/containers.sh"

base=$1 image=$2
run_id="wxtoken-ci-$$"
cleanup() {
  # -v: the anonymous /data volumes of the containers that mount none of their own.
  for name in server sim idle; do podman rm -fv "$run_id-$name" >/dev/null 2>&1 || true; done
  podman volume rm -f "$run_id-data" >/dev/null 2>&1 || true
  rm -f "$CONTAINERS_CONF"
}
trap cleanup EXIT

version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -n1)
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
start=$SECONDS
podman build -q --layers=false --runtime runc "${PODMAN_ULIMITS[@]}" --format docker --build-arg BASE_IMAGE="$base" \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t "$image" "$root" >/dev/null
log "image $image built in $(( SECONDS - start )) s"

check_eq "image: OCI version label" "$version" \
  "$(podman image inspect -f '{{index .Labels "org.opencontainers.image.version"}}' "$image")"
check_eq "image: OCI revision label" "$revision" \
  "$(podman image inspect -f '{{index .Labels "org.opencontainers.image.revision"}}' "$image")"
check_eq "image: OCI license label" "Apache-2.0" \
  "$(podman image inspect -f '{{index .Labels "org.opencontainers.image.licenses"}}' "$image")"
check_eq "image: runs as a non-root user" "10001:10001" "$(podman image inspect -f '{{.Config.User}}' "$image")"

port=$(free_port)
podman volume create "$run_id-data" >/dev/null
podman run -d --name "$run_id-sim" -p "127.0.0.1:$port:8080" "$image" \
  simulator --port 9090 --app "$APP_ID:$APP_SECRET" >/dev/null
# Settings from the environment only; the admin token too (it turns on /admin/metrics).
admin=$(head -c 18 /dev/urandom | base64)
start_server() {
  podman run -d --network "container:$run_id-sim" --name "$run_id-server" \
    -v "$run_id-data:/data" --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
    -e WXTOKEN_WECHAT_BASE_URL=http://127.0.0.1:9090 -e WXTOKEN_ADMIN_TOKEN="$admin" \
    -e WXTOKEN_LOG_LEVEL=INFO "$image" >/dev/null
}
start_server
url="http://127.0.0.1:$port"
# The simulator is reached from inside its container (it publishes nothing).
sim_calls() {
  calls_in "$(podman exec "$run_id-sim" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9090
    printf "GET /sim/stats HTTP/1.0\r\n\r\n" >&3; tail -n1 <&3')"
}

if wait_http "$url/ready" 300; then pass "image: starts and answers /ready"; else
  fail "image: starts and answers /ready" "not ready"; podman logs "$run_id-server" >&2; exit 1
fi
check_eq "image: process runs as uid 10001" 10001 "$(podman exec "$run_id-server" id -u)"
check_eq "image: /data is owner-only" "700 10001" "$(podman exec "$run_id-server" stat -c '%a %u' /data)"
first=$(token "$url")
if [ -n "$first" ]; then pass "image: serves a token"; else fail "image: serves a token" "no token"; fi
check_eq "image: one WeChat call" 1 "$(sim_calls)"
check_eq "image: admin token from the environment" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $admin" "$url/admin/apps")"
if podman healthcheck run "$run_id-server" >/dev/null 2>&1; then pass "image: health check passes"; else
  fail "image: health check passes" "podman healthcheck run failed"
fi
if podman exec "$run_id-server" bash -c 'tr "\0" " " </proc/1/cmdline' | grep -q 'SharedArchiveFile=/opt/wxtoken/lib/wxtoken.jsa'; then
  pass "image: runs with its CDS archive"
else
  fail "image: runs with its CDS archive" "$(podman exec "$run_id-server" ls -l /opt/wxtoken/lib)"
fi
# ... and the archive loads (-Xshare:on fails rather than run without it: a path or jar mismatch).
if out=$(podman exec "$run_id-server" java -XX:SharedArchiveFile=/opt/wxtoken/lib/wxtoken.jsa -Xshare:on \
    -XX:+UseSerialGC -jar /opt/wxtoken/lib/wxtoken.jar --version 2>&1) && [ "$out" = "wxtoken $version" ]; then
  pass "image: its CDS archive loads"
else
  fail "image: its CDS archive loads" "$out"
fi

# A new container on the same volume: the token is still there, and WeChat is not asked again.
podman stop -t 20 "$run_id-server" >/dev/null
podman rm -v "$run_id-server" >/dev/null
start_server
wait_http "$url/ready" 300 || { fail "image: restarts" "not ready"; podman logs "$run_id-server" >&2; exit 1; }
check_eq "image: same token after a restart" "$first" "$(token "$url")"
check_eq "image: no WeChat call after a restart" 1 "$(sim_calls)"
# The health check checks the server, not the container: with no server it fails.
podman run -d --name "$run_id-idle" --entrypoint sleep "$image" 60 >/dev/null
podman stop -t 0 "$run_id-server" >/dev/null
if podman healthcheck run "$run_id-idle" >/dev/null 2>&1; then
  fail "image: health check fails without a server" "passed"
else
  pass "image: health check fails without a server"
fi

echo "image-test: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
