#!/usr/bin/env bash
# Cluster load benchmark: token endpoint (cache hit) throughput of a single wxtoken on the embedded
# store against INSTANCES wxtoken instances sharing one Redis, all on the same server CPUs.
#
# Starts, on free loopback ports and pinned to SERVER_CPUS: a redis-server (no persistence), the
# WeChat simulator, one wxtoken on the embedded store (temp dir) and INSTANCES wxtoken instances on
# the Redis (--store redis://127.0.0.1:PORT/0, one random master key for all). Drives them with one
# wrk pinned to CLIENT_CPUS and bench/cluster-token.lua, which points wrk's threads at the servers:
# against the cluster, thread i goes to instance i mod INSTANCES (so with THREADS=INSTANCES each
# instance gets one thread and CONNECTIONS/THREADS connections, and wrk's req/s and latency
# histogram cover the whole cluster); against the single node, every thread goes to it, so the
# client does the same work on both sides. Warms both up, then runs ROUNDS alternating rounds
# (single/cluster, then cluster/single, ...), checks every answer is a real success, and prints
# per-round figures, medians and the cluster/single throughput ratio.
#
# Latency percentiles are wrk's, which corrects for coordinated omission (stats_correct: a response
# slower than twice the mean per-connection interval adds synthetic samples below it), as in
# bench/load.sh; stalls of a descheduled instance therefore weigh by their length.
#
# The hit path never touches Redis: the script counts Redis commands during each cluster run
# (INFO stats) to show it (the instances' 1 s health pings are all there should be).
#
# Settings (environment):
#   ROUNDS=3 DURATION=15 (s per run) WARMUP=60 (s per side: the cluster side is INSTANCES JVMs to
#   compile on the shared core. Even so, round 1 came out 7-23 % low on both sides in every run,
#   after 30 s or 60 s of warm-up alike; the medians leave it out) INSTANCES=3 THREADS=3 (a multiple of INSTANCES) CONNECTIONS=63
#   (a multiple of THREADS: wrk gives each thread CONNECTIONS/THREADS)
#   SERVER_CPUS=0 CLIENT_CPUS=1 (taskset lists)  JAVA_HOME (default: JDK 17)  JAVA_OPTS (every
#   wxtoken)  WXTOKEN_JAR (default wxtoken-server/target/wxtoken.jar; a copy keeps a concurrent
#   build from replacing it mid-run)  REDIS_SERVER (default redis-server)  RESULTS_DIR (default
#   bench/results/cluster-load-<time>)  QUIET=25: a round counts as quiet when oth% is at most this
#   on both sides (see bench/load.sh: other work on the machine takes CPU from the runs). The
#   estimate's floor is higher here than in load.sh's runs (about 15): 17-22 in rounds that were
#   steady and undisturbed, with three wrk threads on the client core.
#
# Exit status: 0 if every answer was a success, 1 otherwise (figures would be meaningless).
# Only talks to 127.0.0.1; every wrk run is bounded by -d and by timeout(1).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-60}
INSTANCES=${INSTANCES:-3}
THREADS=${THREADS:-3}
CONNECTIONS=${CONNECTIONS:-63}
SERVER_CPUS=${SERVER_CPUS:-0}
CLIENT_CPUS=${CLIENT_CPUS:-1}
JAVA_OPTS=${JAVA_OPTS:-}
QUIET=${QUIET:-25}
REDIS_SERVER=${REDIS_SERVER:-redis-server}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WXTOKEN_JAR=${WXTOKEN_JAR:-$ROOT/wxtoken-server/target/wxtoken.jar}
LUA=$BENCH_DIR/cluster-token.lua
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results/cluster-load-$(date -u +%Y%m%dT%H%M%SZ)}

APP_ID=wx5f1e2d3c4b5a6978
APP_SECRET=0123456789abcdef0123456789abcdef
TOKEN_PATH=/api/v3/get-wechat-access-token

say() { printf '%s\n' "$*" >&2; }
die() { say "cluster-load.sh: $*"; exit 2; }

((INSTANCES >= 1)) || die "INSTANCES must be >= 1"
((THREADS % INSTANCES == 0)) || die "THREADS ($THREADS) must be a multiple of INSTANCES ($INSTANCES)"
((CONNECTIONS % THREADS == 0)) || die "CONNECTIONS ($CONNECTIONS) must be a multiple of THREADS ($THREADS)"

# --- tools -----------------------------------------------------------------------------------
if [[ -n "${JAVA_HOME:-}" ]]; then
  JAVA=$JAVA_HOME/bin/java
elif [[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]]; then
  JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
else
  JAVA=$(command -v java) || die "no java: install JDK 17 or set JAVA_HOME"
fi
[[ -x $JAVA ]] || die "$JAVA is not executable (check JAVA_HOME)"
command -v wrk >/dev/null || die "wrk is not installed; install it with: apt-get update && apt-get install -y wrk"
command -v "$REDIS_SERVER" >/dev/null || die "$REDIS_SERVER not found; install it with: apt-get install -y redis-server"
for tool in taskset curl awk redis-cli; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
java_version=$("$JAVA" -version 2>&1 | head -1)
[[ $java_version == *'"17.'* ]] || say "note: $JAVA is not JDK 17 ($java_version)"

if [[ ! -f $WXTOKEN_JAR ]]; then
  say "building wxtoken.jar (mvn -q -pl wxtoken-server -am package -DskipTests) ..."
  (cd "$ROOT" && mvn -q -pl wxtoken-server -am package -DskipTests)
fi

# --- processes ------------------------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
WORK=$(mktemp -d -t wxtoken-cluster-load.XXXXXX)
PIDS=()
alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
  [[ -n $state && $state != Z ]]
}
cleanup() {
  # Last started first, so the instances stop before the Redis they use.
  local pid i reversed=()
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do reversed+=("${PIDS[i]}"); done
  for pid in "${reversed[@]}"; do
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
  done
  for pid in "${reversed[@]}"; do
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

USED_PORTS=" "
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null \
        && ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
      echo "$p"; return 0
    fi
  done
  die "no free port found"
}

wait_http() { # NAME URL LOGFILE PID
  for _ in $(seq 1 600); do
    if curl -s -o /dev/null --max-time 1 "$2"; then return 0; fi
    alive "$4" || { cat "$3" >&2; die "$1 exited during start-up"; }
    sleep 0.1
  done
  cat "$3" >&2
  die "$1 did not answer at $2 within 60 s"
}

REDIS_PORT=$(free_port); USED_PORTS+="$REDIS_PORT "
taskset -c "$SERVER_CPUS" "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
  --appendonly no >"$RESULTS_DIR/redis.log" 2>&1 &
PIDS+=($!)
REDIS_PID=$!
for _ in $(seq 1 100); do
  [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && break
  alive "$REDIS_PID" || { cat "$RESULTS_DIR/redis.log" >&2; die "redis-server exited during start-up"; }
  sleep 0.1
done
[[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] || die "redis-server does not answer"
redis_cmds() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" info stats | awk -F: '/^total_commands_processed:/ {print $2 + 0}'; }

SIM_PORT=$(free_port); USED_PORTS+="$SIM_PORT "
taskset -c "$SERVER_CPUS" "$JAVA" -jar "$WXTOKEN_JAR" simulator --port "$SIM_PORT" \
  --app "$APP_ID:$APP_SECRET" >"$RESULTS_DIR/simulator.log" 2>&1 &
PIDS+=($!)
SIM_PID=$!
wait_http simulator "http://127.0.0.1:$SIM_PORT/" "$RESULTS_DIR/simulator.log" "$SIM_PID"

SINGLE_PORT=$(free_port); USED_PORTS+="$SINGLE_PORT "
# shellcheck disable=SC2086
taskset -c "$SERVER_CPUS" "$JAVA" $JAVA_OPTS -jar "$WXTOKEN_JAR" serve --port "$SINGLE_PORT" \
  --store "file:$WORK/store" --wechat-base-url "http://127.0.0.1:$SIM_PORT" \
  >"$RESULTS_DIR/single.log" 2>&1 &
PIDS+=($!)
SINGLE_PID=$!

MASTER_KEY=$(head -c 32 /dev/urandom | base64)
CLUSTER_PORTS=(); CLUSTER_PIDS=()
for ((i = 0; i < INSTANCES; i++)); do
  port=$(free_port); USED_PORTS+="$port "
  # Each instance gets its own working directory (the CLI's default ./data is not used with Redis).
  mkdir -p "$WORK/instance-$i"
  # shellcheck disable=SC2086
  (cd "$WORK/instance-$i" && WXTOKEN_MASTER_KEY=$MASTER_KEY exec taskset -c "$SERVER_CPUS" \
    "$JAVA" $JAVA_OPTS -jar "$WXTOKEN_JAR" serve --port "$port" \
    --store "redis://127.0.0.1:$REDIS_PORT/0" --wechat-base-url "http://127.0.0.1:$SIM_PORT") \
    >"$RESULTS_DIR/instance-$i.log" 2>&1 &
  PIDS+=($!)
  CLUSTER_PIDS+=($!)
  CLUSTER_PORTS+=("$port")
done

wait_http wxtoken-single "http://127.0.0.1:$SINGLE_PORT/health" "$RESULTS_DIR/single.log" "$SINGLE_PID"
for ((i = 0; i < INSTANCES; i++)); do
  wait_http "wxtoken-instance-$i" "http://127.0.0.1:${CLUSTER_PORTS[i]}/health" \
    "$RESULTS_DIR/instance-$i.log" "${CLUSTER_PIDS[i]}"
done

token_once() { # PORT -> the answer
  curl -s --max-time 15 -X POST -H 'Content-Type: application/json' \
    -d "{\"appId\":\"$APP_ID\",\"appSecret\":\"$APP_SECRET\"}" "http://127.0.0.1:$1$TOKEN_PATH" || true
}
access_token() { sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p'; }
first=$(token_once "$SINGLE_PORT")
[[ $first == *'"statusCode":200'* ]] || die "first token request (single node) failed: ${first:0:300}"
first=$(token_once "${CLUSTER_PORTS[0]}")
[[ $first == *'"statusCode":200'* ]] || die "first token request (instance 0) failed: ${first:0:300}"
cluster_token=$(access_token <<<"$first")
for ((i = 0; i < INSTANCES; i++)); do
  ready=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:${CLUSTER_PORTS[i]}/ready" || true)
  [[ $ready == 200 ]] || die "instance $i is not ready (/ready answered $ready)"
  answer=$(token_once "${CLUSTER_PORTS[i]}")
  [[ $answer == *'"statusCode":200'* ]] || die "token request on instance $i failed: ${answer:0:300}"
  [[ $(access_token <<<"$answer") == "$cluster_token" ]] || die "instance $i answers another token than instance 0"
done

# --- wrk -------------------------------------------------------------------------------------
WRK_ARGS=(-t"$THREADS" -c"$CONNECTIONS" --latency -s "$LUA")
CLK_TCK=$(getconf CLK_TCK)
CLUSTER_PORT_LIST=$(IFS=,; echo "${CLUSTER_PORTS[*]}")

expand_cpus() {
  local part out=()
  IFS=, read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    if [[ $part == *-* ]]; then out+=($(seq "${part%-*}" "${part#*-}")); else out+=("$part"); fi
  done
  echo "${out[@]}"
}
SERVER_CPU_IDS=$(expand_cpus "$SERVER_CPUS")
CLIENT_CPU_IDS=$(expand_cpus "$CLIENT_CPUS")

busy_pct() { # BEFORE AFTER "IDS"
  awk -v ids="$3" '
    BEGIN { n = split(ids, want, " "); for (i = 1; i <= n; i++) keep["cpu" want[i]] = 1 }
    FNR == 1 { file++ }
    ($1 in keep) {
      total = 0; for (i = 2; i <= NF; i++) total += $i
      idle = $5 + $6
      if (file == 1) { t0[$1] = total; i0[$1] = idle } else { t1[$1] = total; i1[$1] = idle }
    }
    END {
      sum = 0; for (c in keep) { dt = t1[c] - t0[c]; sum += dt > 0 ? 100 * (1 - (i1[c] - i0[c]) / dt) : 0 }
      printf "%.0f\n", sum / n
    }' "$1" "$2"
}
pids_ticks() { # PID... -> user+system ticks, summed
  local pid sum=0
  for pid in "$@"; do
    sum=$((sum + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
own_cpu() { awk -v t="$(pids_ticks "${PIDS[@]}")" -v hz="$CLK_TCK" 'BEGIN {print t / hz}'; }
all_cpu() { awk -v hz="$CLK_TCK" '$1 == "cpu" {print ($2 + $3 + $4) / hz}' "$1"; }

# run_wrk NAME PORTS EXPECT SECONDS OUTFILE PID...
#   -> "rps p99ms bad non2xx sockerr srv% cli% oth% cpu_us_per_request redis_cmds spread"
# cpu us/req sums the CPU of the listed server processes (the single node, or every instance);
# redis_cmds = commands Redis processed during the run; spread = min/max share of the answers
# per wrk thread group (1.00 = the servers answered exactly the same number of requests).
run_wrk() {
  local name=$1 ports=$2 expect=$3 secs=$4 out=$5
  shift 5
  local srv cli own0 own1 w0 w1 wrk_cpu other s0 s1 r0 r1
  grep '^cpu' /proc/stat >"$WORK/stat0"
  own0=$(own_cpu); w0=$(date +%s.%N); s0=$(pids_ticks "$@"); r0=$(redis_cmds)
  WRK_PORTS=$ports timeout $((secs + 30)) taskset -c "$CLIENT_CPUS" wrk "${WRK_ARGS[@]}" -d"${secs}s" \
    "http://127.0.0.1:${ports%%,*}$TOKEN_PATH" -- "$APP_ID" "$APP_SECRET" "$expect" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk failed ($name)"; }
  grep '^cpu' /proc/stat >"$WORK/stat1"
  r1=$(redis_cmds); own1=$(own_cpu); w1=$(date +%s.%N); s1=$(pids_ticks "$@")
  # The redis-cli INFO calls are 2 commands of the 'before' and 'after' reads: not the servers'.
  wrk_cpu=$(times | awk 'NR == 2 {
    for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } print s }')
  other=$(awk -v a0="$(all_cpu "$WORK/stat0")" -v a1="$(all_cpu "$WORK/stat1")" -v o0="$own0" \
    -v o1="$own1" -v wrk="$wrk_cpu" -v w0="$w0" -v w1="$w1" -v n="$(nproc)" 'BEGIN {
      x = 100 * ((a1 - a0) - (o1 - o0) - wrk) / ((w1 - w0) * n); printf "%.0f", (x < 0 ? 0 : x) }')
  srv=$(busy_pct "$WORK/stat0" "$WORK/stat1" "$SERVER_CPU_IDS")
  cli=$(busy_pct "$WORK/stat0" "$WORK/stat1" "$CLIENT_CPU_IDS")
  awk -v srv="$srv" -v cli="$cli" -v other="$other" -v ticks="$((s1 - s0))" -v hz="$CLK_TCK" \
      -v rcmds="$((r1 - r0 - 1))" '
    function ms(v) {
      if (v ~ /us$/) return v * 0.001
      if (v ~ /ms$/) return v + 0
      if (v ~ /s$/) return v * 1000
      return v + 0
    }
    /^Requests\/sec:/ { rps = $2 }
    / requests in / { total = $1 }
    $1 == "99%" { p99 = ms($2) }
    /^CHECK/ { split($2, g, "="); split($3, b, "="); good = g[2]; bad = b[2] }
    /^THREAD/ { split($3, p, "="); split($4, g2, "="); per[p[2]] += g2[2] }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { gsub(/,/, ""); sockerr = $4 + $6 + $8 + $10 }
    END {
      if (rps == "" || good == "") { print "PARSE_ERROR"; exit }
      lo = -1; hi = 0
      for (k in per) { if (lo < 0 || per[k] < lo) lo = per[k]; if (per[k] > hi) hi = per[k] }
      printf "%.0f %.2f %d %d %d %s %s %s %.2f %d %.2f\n", rps, p99, bad, non2xx, sockerr, srv, cli,
        other, (total > 0 ? 1e6 * ticks / hz / total : 0), rcmds, (hi > 0 ? lo / hi : 0)
    }' "$out"
}

ERRORS=0
check() { # NAME RESULT
  local name=$1 rps p99 bad non2xx sockerr
  read -r rps p99 bad non2xx sockerr _ <<<"$2"
  [[ -n $rps && $rps != PARSE_ERROR ]] || die "could not parse wrk output of $name (see $RESULTS_DIR)"
  if ((bad + non2xx + sockerr > 0)); then
    say "ERRORS in $name: $bad bad answers, $non2xx non-2xx, $sockerr socket errors"
    ERRORS=$((ERRORS + bad + non2xx + sockerr))
  fi
}

EXPECT='"statusCode":200'
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "warming up: ${WARMUP}s single node, ${WARMUP}s cluster ..."
res=$(run_wrk single "$SINGLE_PORT" "$EXPECT" "$WARMUP" "$RESULTS_DIR/warmup-single.txt" "$SINGLE_PID")
check warmup-single "$res"
res=$(run_wrk cluster "$CLUSTER_PORT_LIST" "$EXPECT" "$WARMUP" "$RESULTS_DIR/warmup-cluster.txt" "${CLUSTER_PIDS[@]}")
check warmup-cluster "$res"

declare -a S_RPS S_P99 S_SRV S_CLI S_OTH S_CPU C_RPS C_P99 C_SRV C_CLI C_OTH C_CPU C_RCMD C_SPREAD
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2 == 1)); then order=(single cluster); else order=(cluster single); fi
  for side in "${order[@]}"; do
    say "round $r/$ROUNDS: $side (${DURATION}s) ..."
    if [[ $side == single ]]; then
      res=$(run_wrk single "$SINGLE_PORT" "$EXPECT" "$DURATION" "$RESULTS_DIR/round$r-single.txt" "$SINGLE_PID")
      check "round $r single" "$res"
      read -r "S_RPS[r]" "S_P99[r]" _ _ _ "S_SRV[r]" "S_CLI[r]" "S_OTH[r]" "S_CPU[r]" _ _ <<<"$res"
    else
      res=$(run_wrk cluster "$CLUSTER_PORT_LIST" "$EXPECT" "$DURATION" "$RESULTS_DIR/round$r-cluster.txt" "${CLUSTER_PIDS[@]}")
      check "round $r cluster" "$res"
      read -r "C_RPS[r]" "C_P99[r]" _ _ _ "C_SRV[r]" "C_CLI[r]" "C_OTH[r]" "C_CPU[r]" "C_RCMD[r]" "C_SPREAD[r]" <<<"$res"
    fi
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -1; }
minimum() { printf '%s\n' "$@" | sort -g | head -1; }

# --- report ------------------------------------------------------------------------------------
{
  echo "== wxtoken cluster load benchmark =="
  echo "command:  ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP INSTANCES=$INSTANCES THREADS=$THREADS CONNECTIONS=$CONNECTIONS SERVER_CPUS=$SERVER_CPUS CLIENT_CPUS=$CLIENT_CPUS JAVA_OPTS='$JAVA_OPTS' bench/cluster-load.sh"
  echo "wrk:      WRK_PORTS=PORTS taskset -c $CLIENT_CPUS wrk ${WRK_ARGS[*]/#$BENCH_DIR/bench} -d${DURATION}s URL -- $APP_ID <secret> '$EXPECT'"
  echo "          single: PORTS = $SINGLE_PORT (all $THREADS threads) | cluster: PORTS = $CLUSTER_PORT_LIST ($((THREADS / INSTANCES)) thread(s), $((CONNECTIONS / INSTANCES)) connections each)"
  echo "servers:  taskset -c $SERVER_CPUS: redis-server $("$REDIS_SERVER" --version | awk '{print $3}') (--save '' --appendonly no), simulator,"
  echo "          1 x wxtoken.jar serve --store file:DIR, $INSTANCES x wxtoken.jar serve --store redis://127.0.0.1:$REDIS_PORT/0 (JAVA_OPTS '$JAVA_OPTS')"
  rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [[ -z $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] || rev="$rev + uncommitted changes"
  echo "code:     $rev; wxtoken.jar $(date -u -r "$WXTOKEN_JAR" +%FT%TZ) sha256 $(sha256sum "$WXTOKEN_JAR" | cut -c1-12)"
  echo "machine:  nproc=$(nproc), CPU: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
  echo "java:     $JAVA: $("$JAVA" -version 2>&1 | tr '\n' ' ')"
  echo "wrk:      $(wrk -v 2>&1 | head -1)"
  echo "loadavg:  before $LOAD_BEFORE, after $LOAD_AFTER"
  echo "raw:      $RESULTS_DIR"
  echo
  row='%-7s | %11s %8s %4s %4s %4s %7s | %11s %8s %4s %4s %4s %7s %6s %6s | %6s\n'
  # shellcheck disable=SC2059
  printf "$row" round "single r/s" "p99 ms" srv% cli% oth% "us/req" "cluster r/s" "p99 ms" srv% cli% oth% "us/req" "redis" spread ratio
  printf '%s\n' "--------+---------------------------------------------+-----------------------------------------------------------+-------"
  ratios=(); cratios=()
  for ((r = 1; r <= ROUNDS; r++)); do
    ratio=$(awk -v c="${C_RPS[r]}" -v s="${S_RPS[r]}" 'BEGIN {printf "%.3f", c / s}')
    ratios+=("$ratio")
    cratios+=("$(awk -v c="${C_CPU[r]}" -v s="${S_CPU[r]}" 'BEGIN {printf "%.3f", (c > 0 ? s / c : 0)}')")
    # shellcheck disable=SC2059
    printf "$row" "$r" "${S_RPS[r]}" "${S_P99[r]}" "${S_SRV[r]}" "${S_CLI[r]}" "${S_OTH[r]}" "${S_CPU[r]}" \
      "${C_RPS[r]}" "${C_P99[r]}" "${C_SRV[r]}" "${C_CLI[r]}" "${C_OTH[r]}" "${C_CPU[r]}" "${C_RCMD[r]}" \
      "${C_SPREAD[r]}" "$ratio"
  done
  ms=$(median "${S_RPS[@]}"); mc=$(median "${C_RPS[@]}")
  # shellcheck disable=SC2059
  printf "$row" median "$ms" "$(median "${S_P99[@]}")" "$(median "${S_SRV[@]}")" "$(median "${S_CLI[@]}")" \
    "$(median "${S_OTH[@]}")" "$(median "${S_CPU[@]}")" "$mc" "$(median "${C_P99[@]}")" \
    "$(median "${C_SRV[@]}")" "$(median "${C_CLI[@]}")" "$(median "${C_OTH[@]}")" \
    "$(median "${C_CPU[@]}")" "$(median "${C_RCMD[@]}")" "$(median "${C_SPREAD[@]}")" "$(median "${ratios[@]}")"
  bs=$(maximum "${S_RPS[@]}"); bc=$(maximum "${C_RPS[@]}")
  # shellcheck disable=SC2059
  printf "$row" best "$bs" "$(minimum "${S_P99[@]}")" "" "" "" "" "$bc" "$(minimum "${C_P99[@]}")" "" "" "" "" "" "" \
    "$(awk -v c="$bc" -v s="$bs" 'BEGIN {printf "%.3f", c / s}')"
  echo
  quiet=()
  for ((r = 1; r <= ROUNDS; r++)); do
    if ((S_OTH[r] <= QUIET && C_OTH[r] <= QUIET)); then quiet+=("${ratios[r - 1]}"); fi
  done
  if ((${#quiet[@]} > 0)); then
    echo "quiet rounds (oth% <= $QUIET on both sides): ${#quiet[@]} of $ROUNDS, ratios ${quiet[*]}, median $(median "${quiet[@]}")"
  else
    echo "quiet rounds (oth% <= $QUIET on both sides): none; every round was disturbed by other work"
  fi
  echo "cluster/single throughput: median of per-round ratios $(median "${ratios[@]}"), ratio of medians $(awk -v c="$mc" -v s="$ms" 'BEGIN {printf "%.3f", c / s}'), ratio of bests $(awk -v c="$bc" -v s="$bs" 'BEGIN {printf "%.3f", c / s}')"
  echo "cluster/single CPU cost ratio (single/cluster us per request): median $(median "${cratios[@]}")"
  echo "req/s and p99 of the cluster: one wrk over all $INSTANCES instances (sum of their answers, merged latency histogram)"
  echo "us/req = CPU time (user + system) of the server process(es) under load / requests answered (cluster: all instances; Redis not included)"
  echo "redis = commands Redis processed during the cluster run (the instances' health pings, about 1 per instance per second; a hit sends none)"
  echo "spread = fewest / most answers of one instance in the cluster run (1.00 = perfectly even)"
  echo "srv%/cli% = busy share of the server CPUs ($SERVER_CPUS) / client CPUs ($CLIENT_CPUS) during the run, kernel network work included;"
  echo "oth% = estimated share of the whole machine's CPU used by processes other than this benchmark's (noise: a round with a high oth% is suspect)"
  if ((ERRORS > 0)); then
    echo "INVALID: $ERRORS error responses or socket errors (see above and $RESULTS_DIR)"
  else
    echo "all answers checked: every response was 200 with '\"statusCode\":200' in its body"
  fi
} | tee "$RESULTS_DIR/summary.txt"

((ERRORS == 0)) || exit 1
