#!/usr/bin/env bash
# Refresh latency seen by waiters: runs io.wxtoken.bench.ClusterRefreshLatency (see its javadoc)
# against a throwaway redis-server started here on a free loopback port (no persistence), and
# stops it afterwards.
#
#   bench/cluster-refresh.sh [--rounds=200] [--warmup-rounds=30] [--upstream-ms=50] [--instances=3] [--gap-ms=5]
#
# Settings (environment): JAVA_HOME (default: JDK 17)  JAVA_OPTS  BENCH_JAR (default
# bench/target/benchmarks.jar)  REDIS_SERVER (default redis-server)  CPUS (taskset list for the
# JVM and Redis; default: not pinned)  RESULTS_DIR (default bench/results/cluster-refresh-<time>:
# summary.txt, raw.csv with every request, redis.log).
# Exit status: the Java main's (0 = every check passed). Only talks to 127.0.0.1.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_JAR=${BENCH_JAR:-$BENCH_DIR/target/benchmarks.jar}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
JAVA_OPTS=${JAVA_OPTS:-}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results/cluster-refresh-$(date -u +%Y%m%dT%H%M%SZ)}

die() { printf 'cluster-refresh.sh: %s\n' "$*" >&2; exit 2; }
if [[ -n "${JAVA_HOME:-}" ]]; then
  JAVA=$JAVA_HOME/bin/java
elif [[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]]; then
  JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
else
  JAVA=$(command -v java) || die "no java: install JDK 17 or set JAVA_HOME"
fi
[[ -f $BENCH_JAR ]] || die "$BENCH_JAR is missing: mvn -q -pl bench -am package -DskipTests"
command -v "$REDIS_SERVER" >/dev/null || die "$REDIS_SERVER not found; install it with: apt-get install -y redis-server"
command -v redis-cli >/dev/null || die "redis-cli is required"
PIN=()
[[ -z ${CPUS:-} ]] || PIN=(taskset -c "$CPUS")

mkdir -p "$RESULTS_DIR"
REDIS_PID=
cleanup() {
  if [[ -n $REDIS_PID ]]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 100); do
  port=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null \
      && ! ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then
    break
  fi
done
"${PIN[@]}" "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
  >"$RESULTS_DIR/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 100); do
  [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]] && break
  sleep 0.1
done
[[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]] \
  || { cat "$RESULTS_DIR/redis.log" >&2; die "redis-server did not start"; }

{
  echo "command:  CPUS='${CPUS:-}' JAVA_OPTS='$JAVA_OPTS' bench/cluster-refresh.sh $*"
  echo "jar:      $BENCH_JAR $(date -u -r "$BENCH_JAR" +%FT%TZ) sha256 $(sha256sum "$BENCH_JAR" | cut -c1-12)"
  echo "machine:  nproc=$(nproc), CPU: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r); redis $("$REDIS_SERVER" --version | awk '{print $3}')"
  echo "loadavg:  before $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$RESULTS_DIR/summary.txt"
status=0
# shellcheck disable=SC2086
"${PIN[@]}" "$JAVA" -DWXTOKEN_LOG_LEVEL=WARN $JAVA_OPTS -cp "$BENCH_JAR" \
  io.wxtoken.bench.ClusterRefreshLatency "redis://127.0.0.1:$port/0" --raw="$RESULTS_DIR/raw.csv" "$@" \
  2>"$RESULTS_DIR/stderr.log" | tee -a "$RESULTS_DIR/summary.txt" || status=${PIPESTATUS[0]}
echo "loadavg:  after $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS_DIR/summary.txt"
exit "$status"
