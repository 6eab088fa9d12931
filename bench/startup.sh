#!/usr/bin/env bash
# Start-to-ready and idle memory of the server as shipped, with N apps in its store (a restart
# during a deploy): the jar, the release tarball, the linux-x64 (jlink) tarball and the image,
# each with the JVM's defaults ("before") and with what the launcher and image ship ("after":
# serial GC, small initial heap, class-data sharing archive).
#
# For each variant: a store with APPS apps is made once (the server started against the
# simulator with an apps file of APPS apps, each fetched, then stopped), then the server is
# started ROUNDS times on it (no apps file: the apps come from the store);
# each round reports the milliseconds from exec to the first 200 on /ready, and the resident set
# (VmRSS) after IDLE seconds without requests.
#
# Usage: bench/startup.sh [jar|tarball|jlink|image ...]     (default: all but image)
# Env: APPS=1000 ROUNDS=5 IDLE=10 IMAGE=localhost/wxtoken:dev (for image; built beforehand)
# Needs: mvn -Pjlink -DskipTests package (both tarballs), curl; podman for the image.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
APPS=${APPS:-1000} ROUNDS=${ROUNDS:-5} IDLE=${IDLE:-10}
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -n1)
jar="$root/wxtoken-server/target/wxtoken.jar"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  podman rm -f "bench-startup-$$" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

port() { echo $(( 20000 + RANDOM % 30000 )); }
ready() { # ready PORT -> 0 once /ready answers 200
  (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /ready HTTP/1.0\r\n\r\n' >&3 \
    && head -n1 <&3 | grep -q ' 200') 2>/dev/null
}
now_ms() { date +%s%3N; }

# The simulator with APPS apps, once.
sim_port=$(port)
args=()
for i in $(seq 1 "$APPS"); do args+=(--app "$(printf 'wx%016x:%032x' "$i" "$i")"); done
java -jar "$jar" simulator --port "$sim_port" "${args[@]}" >"$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$sim_port/sim/stats" && break; sleep 0.1; done
export WXTOKEN_WECHAT_BASE_URL="http://127.0.0.1:$sim_port" WXTOKEN_LOG_LEVEL=WARN

# populate DIR CMD...: start CMD (a server on $PORT with its store in DIR) with an apps file of
# APPS apps (secrets in files), wait until WeChat has been asked for each, stop it.
populate() {
  local dir=$1; shift
  "$@" >"$work/populate.log" 2>&1 &
  local pid=$! before
  until ready "$PORT"; do sleep 0.1; kill -0 "$pid" 2>/dev/null || { cat "$work/populate.log"; exit 1; }; done
  until [ "$(calls)" -ge "$(( populated + APPS ))" ]; do sleep 0.5; done
  populated=$(calls)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}
calls() { curl -s "http://127.0.0.1:$sim_port/sim/stats" | sed -n 's/^{"token":[0-9]*,"stable_token":\([0-9]*\),.*/\1/p'; }
populated=0
mkdir -p "$work/secrets"
{
  printf '{"apps": ['
  for i in $(seq 1 "$APPS"); do
    printf '%032x' "$i" >"$work/secrets/$i"
    [ "$i" -gt 1 ] && printf ','
    printf '\n {"appId": "wx%016x", "secret": "file:%s"}' "$i" "$work/secrets/$i"
  done
  printf '\n]}\n'
} >"$work/apps.json"
chmod -R a+rX "$work"

# measure NAME CMD...: ROUNDS starts of CMD; prints NAME, each round's ready ms and RSS MB, medians.
measure() {
  local name=$1; shift
  local times=() rss=()
  for _ in $(seq 1 "$ROUNDS"); do
    local t0 pid t1 kb
    t0=$(now_ms)
    "$@" >"$work/run.log" 2>&1 &
    pid=$!
    until ready "$PORT"; do
      kill -0 "$pid" 2>/dev/null || { cat "$work/run.log"; exit 1; }
      sleep 0.005
    done
    t1=$(now_ms)
    sleep "$IDLE"
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$(rss_pid "$pid")/status")
    times+=($(( t1 - t0 ))) rss+=($(( kb / 1024 )))
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
    podman rm -f "bench-startup-$$" >/dev/null 2>&1 || true
  done
  printf '%-34s ready ms: %-28s median %5d | RSS MB: %-24s median %4d\n' "$name" "${times[*]}" \
    "$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")" "${rss[*]}" \
    "$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")"
}
rss_pid() { echo "$1"; }

defaults="-XX:+UseSerialGC -Xms16m -XX:MaxRAMPercentage=50"
unpack() { mkdir -p "$work/$1" && tar -xzf "$2" -C "$work/$1" && echo "$work/$1/wxtoken-$version"; }

for variant in "${@:-jar tarball jlink}"; do
  for v in $variant; do
    PORT=$(port); export WXTOKEN_PORT=$PORT
    case $v in
      jar)
        export WXTOKEN_STORE="file:$work/jar-data"
        populate "$work/jar-data" env WXTOKEN_APPS_FILE="$work/apps.json" java -jar "$jar" serve
        measure "jar, JVM defaults (before)" java -jar "$jar" serve
        # shellcheck disable=SC2086
        measure "jar, launcher's flags (after)" java $defaults -jar "$jar" serve
        ;;
      tarball)
        home=$(unpack tarball "$root/wxtoken-dist/target/wxtoken-$version.tar.gz")
        export WXTOKEN_STORE="file:$work/tarball-data"
        populate "$work/tarball-data" env WXTOKEN_APPS_FILE="$work/apps.json" "$home/bin/wxtoken" serve
        measure "tarball, JVM defaults (before)" env WXTOKEN_JAVA_OPTS=" " "$home/bin/wxtoken" serve
        measure "tarball, as shipped (after)" "$home/bin/wxtoken" serve
        ;;
      jlink)
        home=$(unpack jlink "$root/wxtoken-dist/target/wxtoken-$version-linux-x64.tar.gz")
        export WXTOKEN_STORE="file:$work/jlink-data"
        populate "$work/jlink-data" env WXTOKEN_APPS_FILE="$work/apps.json" "$home/bin/wxtoken" serve
        measure "linux-x64, no CDS, JVM defaults" "$home/runtime/bin/java" -Xshare:off -jar "$home/lib/wxtoken.jar" serve
        measure "linux-x64, JDK CDS only, defaults" "$home/runtime/bin/java" -jar "$home/lib/wxtoken.jar" serve
        measure "linux-x64, as shipped (after)" "$home/bin/wxtoken" serve
        ;;
      image)
        image=${IMAGE:-localhost/wxtoken:dev}
        mkdir -p "$work/image-data" && chown 10001:10001 "$work/image-data" && chmod 700 "$work/image-data"
        # The server in a container on the host's network (it must reach the simulator on
        # loopback), listening on loopback only. run_image [PODMAN-OPTION...] [-- COMMAND...]
        run_image() {
          local opts=()
          while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
          [ $# -gt 0 ] && shift
          exec podman run --rm --name "bench-startup-$$" --network host --ulimit nofile=4096:4096 \
            --ulimit nproc=4096:4096 -v "$work/image-data:/data" -e WXTOKEN_HOST=127.0.0.1 \
            -e WXTOKEN_PORT="$PORT" -e WXTOKEN_WECHAT_BASE_URL -e WXTOKEN_LOG_LEVEL "${opts[@]}" "$image" "$@"
        }
        rss_pid() { podman inspect -f '{{.State.Pid}}' "bench-startup-$$"; }
        populate "$work/image-data" run_image -v "$work:$work:ro" -e WXTOKEN_APPS_FILE="$work/apps.json"
        measure "image, JVM defaults (before)" run_image --entrypoint java -- -jar /opt/wxtoken/lib/wxtoken.jar serve
        measure "image, as shipped (after)" run_image
        ;;
      *) echo "unknown variant $v" >&2; exit 2;;
    esac
  done
done
