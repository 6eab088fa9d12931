#!/usr/bin/env bash
# Load benchmark: wxtoken's token endpoint (cache hit) against a bare Vert.x hello-world.
#
# Starts, on free loopback ports, the WeChat simulator, wxtoken (store in a temp dir) and
# bench's HelloWorldServer, all pinned to SERVER_CPUS; drives them with wrk pinned to CLIENT_CPUS;
# warms up, then runs ROUNDS alternating rounds (hello/token, then token/hello, ...) with the same
# wrk settings and byte-identical requests (bench/token.lua; see BODIES), checks every token answer is a real
# success, and prints per-round figures, medians and the token/hello-world ratio.
#
# Settings (environment):
#   ROUNDS=3 DURATION=15 (s per run) WARMUP=20 (s per server; wxtoken has more code for C2 to
#   compile than the hello-world, and at 10 s its compiler threads were still busy on the
#   shared server core) THREADS=1 CONNECTIONS=64
#   SERVER_CPUS=0 CLIENT_CPUS=1 (taskset lists)  JAVA_HOME (default: JDK 17)  JAVA_OPTS (both servers)
#   RESULTS_DIR (default bench/results/load-<time>) for raw wrk outputs and server logs
#   BODIES=same (every request the same body, as a service asking for its token sends) or
#   BODIES=unique (every body different, bench/token-unique.lua: measures wxtoken without the
#   memory of answered bodies that lets it skip their JSON parse)
#   CREDENTIAL=secret (the token side presents the AppSecret) or CREDENTIAL=key (a caller key,
#   issued through the admin API after the app is registered: the key's hit path)
#   QUIET=20: a round counts as quiet when oth% (below) is at most this on both sides
# Other work on a shared machine (builds, tests) takes CPU from the runs; the oth% column
# estimates how much, per run. (nice does not help against it where the kernel groups processes
# by session, sched_autogroup, as it does here.)
#
# Exit status: 0 if every token answer was a success, 1 otherwise (figures would be meaningless).
# Only talks to 127.0.0.1; every wrk run is bounded by -d and by timeout(1).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-20}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-64}
SERVER_CPUS=${SERVER_CPUS:-0}
CLIENT_CPUS=${CLIENT_CPUS:-1}
JAVA_OPTS=${JAVA_OPTS:-}
QUIET=${QUIET:-20}
BODIES=${BODIES:-same}
CREDENTIAL=${CREDENTIAL:-secret}
[[ $CREDENTIAL == secret || $CREDENTIAL == key ]] || { echo "load.sh: CREDENTIAL must be secret or key" >&2; exit 2; }

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WXTOKEN_JAR=$ROOT/wxtoken-server/target/wxtoken.jar
BENCH_JAR=$BENCH_DIR/target/benchmarks.jar
case $BODIES in
  same) LUA=$BENCH_DIR/token.lua ;;
  unique) LUA=$BENCH_DIR/token-unique.lua ;;
  *) echo "load.sh: BODIES must be same or unique, not '$BODIES'" >&2; exit 2 ;;
esac
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results/load-$(date -u +%Y%m%dT%H%M%SZ)}

APP_ID=wx5f1e2d3c4b5a6978
APP_SECRET=0123456789abcdef0123456789abcdef
TOKEN_PATH=/api/v3/get-wechat-access-token

say() { printf '%s\n' "$*" >&2; }
die() { say "load.sh: $*"; exit 2; }

# --- tools -----------------------------------------------------------------------------------
if [[ -n "${JAVA_HOME:-}" ]]; then
  JAVA=$JAVA_HOME/bin/java
elif [[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]]; then
  JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
else
  JAVA=$(command -v java) || die "no java: install JDK 17 or set JAVA_HOME"
fi
[[ -x $JAVA ]] || die "$JAVA is not executable (check JAVA_HOME)"
if ! command -v wrk >/dev/null; then
  die "wrk is not installed; install it with: apt-get update && apt-get install -y wrk"
fi
for tool in taskset curl awk; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
java_version=$("$JAVA" -version 2>&1 | head -1)
[[ $java_version == *'"17.'* ]] || say "note: $JAVA is not JDK 17 ($java_version)"

# --- jars ------------------------------------------------------------------------------------
if [[ ! -f $WXTOKEN_JAR ]]; then
  say "building wxtoken.jar (mvn -q install -DskipTests) ..."
  (cd "$ROOT" && mvn -q install -DskipTests)
fi
if [[ ! -f $BENCH_JAR ]]; then
  say "building benchmarks.jar (mvn -q -f bench/pom.xml package) ..."
  (cd "$ROOT" && mvn -q -f bench/pom.xml package)
fi

# --- processes ------------------------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
WORK=$(mktemp -d -t wxtoken-load.XXXXXX)
PIDS=()
# Whether a process we started is still running (a zombie is not: it exited, unreaped).
alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
  [[ -n $state && $state != Z ]]
}
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    # Bounded: a JVM that ignores SIGTERM for 10 s gets SIGKILL.
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port: random candidates, skipping any that accept a connection or are taken.
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null \
        && ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
      echo "$p"; return 0
    fi
  done
  die "no free port found"
}

# wait_http NAME URL LOGFILE PID: polls until URL answers (60 s at most).
wait_http() {
  for _ in $(seq 1 600); do
    if curl -s -o /dev/null --max-time 1 "$2"; then return 0; fi
    alive "$4" || { cat "$3" >&2; die "$1 exited during start-up"; }
    sleep 0.1
  done
  cat "$3" >&2
  die "$1 did not answer at $2 within 60 s"
}

SIM_PORT=$(free_port)
taskset -c "$SERVER_CPUS" "$JAVA" -jar "$WXTOKEN_JAR" simulator --port "$SIM_PORT" \
  --app "$APP_ID:$APP_SECRET" >"$RESULTS_DIR/simulator.log" 2>&1 &
PIDS+=($!)
SIM_PID=$!
wait_http simulator "http://127.0.0.1:$SIM_PORT/" "$RESULTS_DIR/simulator.log" "$SIM_PID"

WX_PORT=$(free_port)
# shellcheck disable=SC2086
ADMIN_TOKEN=load-sh-admin-$RANDOM$RANDOM$RANDOM
WXTOKEN_ADMIN_TOKEN=$ADMIN_TOKEN taskset -c "$SERVER_CPUS" "$JAVA" $JAVA_OPTS -jar "$WXTOKEN_JAR" serve --port "$WX_PORT" \
  --store "file:$WORK/store" --wechat-base-url "http://127.0.0.1:$SIM_PORT" \
  >"$RESULTS_DIR/wxtoken.log" 2>&1 &
PIDS+=($!)
WX_PID=$!

# HelloWorldServer gets as many event loops as wxtoken picks (the JVM's CPU count under taskset).
EVENT_LOOPS=$(taskset -c "$SERVER_CPUS" nproc)
HELLO_PORT=$(free_port)
while [[ $HELLO_PORT == "$WX_PORT" ]]; do HELLO_PORT=$(free_port); done
# shellcheck disable=SC2086
taskset -c "$SERVER_CPUS" "$JAVA" $JAVA_OPTS -cp "$BENCH_JAR" io.wxtoken.bench.HelloWorldServer \
  "$HELLO_PORT" "$EVENT_LOOPS" >"$RESULTS_DIR/hello.log" 2>&1 &
PIDS+=($!)
HELLO_PID=$!

wait_http wxtoken "http://127.0.0.1:$WX_PORT/health" "$RESULTS_DIR/wxtoken.log" "$WX_PID"
wait_http hello-world "http://127.0.0.1:$HELLO_PORT/" "$RESULTS_DIR/hello.log" "$HELLO_PID"

HELLO_URL=http://127.0.0.1:$HELLO_PORT$TOKEN_PATH
TOKEN_URL=http://127.0.0.1:$WX_PORT$TOKEN_PATH

first=$(curl -s --max-time 15 -X POST -H 'Content-Type: application/json' \
  -d "{\"appId\":\"$APP_ID\",\"appSecret\":\"$APP_SECRET\"}" "$TOKEN_URL" || true)
[[ $first == *'"statusCode":200'* ]] || die "first token request failed: ${first:0:300}"
CALLER_SECRET=$APP_SECRET
if [[ $CREDENTIAL == key ]]; then
  issued=$(curl -s --max-time 15 -X POST -H "Authorization: Bearer $ADMIN_TOKEN" \
    -d "{\"name\":\"load\",\"apps\":[\"$APP_ID\"]}" "http://127.0.0.1:$WX_PORT/admin/keys" || true)
  CALLER_SECRET=$(sed -n 's/.*"key":"\(wxk_[^"]*\)".*/\1/p' <<<"$issued")
  [[ -n $CALLER_SECRET ]] || die "could not issue a caller key: ${issued:0:300}"
fi

# --- wrk -------------------------------------------------------------------------------------
WRK_ARGS=(-t"$THREADS" -c"$CONNECTIONS" --latency -s "$LUA")
CLK_TCK=$(getconf CLK_TCK)

# expand_cpus "0,2-3" -> "0 2 3"
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

# busy_pct BEFORE AFTER "IDS": mean non-idle share (user+nice+system+irq+softirq+steal) of the
# listed CPUs between two /proc/stat snapshots. Includes kernel network work (softirq), which is
# a large part of a loopback HTTP server's cost and is not charged to the process.
busy_pct() {
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

# CPU ticks (user + system, all threads) used so far by one process.
pid_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# CPU seconds (user + system) used so far by the benchmark's own server processes.
own_cpu() {
  local pid sum=0
  for pid in "${PIDS[@]}"; do
    sum=$((sum + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  awk -v t="$sum" -v hz="$CLK_TCK" 'BEGIN {print t / hz}'
}

# CPU seconds (user + nice + system, all CPUs) in a /proc/stat snapshot; no irq/softirq/steal.
all_cpu() { awk -v hz="$CLK_TCK" '$1 == "cpu" {print ($2 + $3 + $4) / hz}' "$1"; }

# run_wrk NAME URL EXPECT SECONDS OUTFILE SERVER_PID
#   -> prints "rps p99ms bad non2xx sockerr srv% cli% other% cpu_us_per_request"
# other% estimates the machine's CPU taken by processes that are not the benchmark's (other
# builds, tests): (user+system time of all CPUs - that of our servers and wrk) / (wall * nproc).
# Meant to run in a $(...) subshell: `times` then reports wrk's CPU time as the only child's.
run_wrk() {
  local name=$1 url=$2 expect=$3 secs=$4 out=$5 pid=$6 srv cli own0 own1 w0 w1 wrk_cpu other s0 s1
  grep '^cpu' /proc/stat >"$WORK/stat0"
  own0=$(own_cpu); w0=$(date +%s.%N); s0=$(pid_ticks "$pid")
  timeout $((secs + 30)) taskset -c "$CLIENT_CPUS" wrk "${WRK_ARGS[@]}" -d"${secs}s" "$url" \
    -- "$APP_ID" "$CALLER_SECRET" "$expect" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed ($name)"; }
  grep '^cpu' /proc/stat >"$WORK/stat1"
  own1=$(own_cpu); w1=$(date +%s.%N); s1=$(pid_ticks "$pid")
  wrk_cpu=$(times | awk 'NR == 2 {
    for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } print s }')
  other=$(awk -v a0="$(all_cpu "$WORK/stat0")" -v a1="$(all_cpu "$WORK/stat1")" -v o0="$own0" \
    -v o1="$own1" -v wrk="$wrk_cpu" -v w0="$w0" -v w1="$w1" -v n="$(nproc)" 'BEGIN {
      x = 100 * ((a1 - a0) - (o1 - o0) - wrk) / ((w1 - w0) * n); printf "%.0f", (x < 0 ? 0 : x) }')
  srv=$(busy_pct "$WORK/stat0" "$WORK/stat1" "$SERVER_CPU_IDS")
  cli=$(busy_pct "$WORK/stat0" "$WORK/stat1" "$CLIENT_CPU_IDS")
  awk -v srv="$srv" -v cli="$cli" -v other="$other" -v ticks="$((s1 - s0))" -v hz="$CLK_TCK" '
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
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { gsub(/,/, ""); sockerr = $4 + $6 + $8 + $10 }
    END {
      if (rps == "" || good == "") { print "PARSE_ERROR"; exit }
      printf "%.0f %.2f %d %d %d %s %s %s %.2f\n", rps, p99, bad, non2xx, sockerr, srv, cli, other,
        (total > 0 ? 1e6 * ticks / hz / total : 0)
    }' "$out"
}

check() { # NAME RESULT: counts errors
  local name=$1 rps p99 bad non2xx sockerr
  read -r rps p99 bad non2xx sockerr _ <<<"$2"
  [[ -n $rps && $rps != PARSE_ERROR ]] || die "could not parse wrk output of $name (see $RESULTS_DIR)"
  if ((bad + non2xx + sockerr > 0)); then
    say "ERRORS in $name: $bad bad answers, $non2xx non-2xx, $sockerr socket errors"
    ERRORS=$((ERRORS + bad + non2xx + sockerr))
  fi
}

ERRORS=0
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "warming up: ${WARMUP}s hello-world, ${WARMUP}s token ..."
res=$(run_wrk hello "$HELLO_URL" 'Hello, World!' "$WARMUP" "$RESULTS_DIR/warmup-hello.txt" "$HELLO_PID")
check warmup-hello "$res"
res=$(run_wrk token "$TOKEN_URL" '"statusCode":200' "$WARMUP" "$RESULTS_DIR/warmup-token.txt" "$WX_PID")
check warmup-token "$res"

declare -a H_RPS H_P99 H_SRV H_CLI H_OTH H_CPU T_RPS T_P99 T_SRV T_CLI T_OTH T_CPU
for ((r = 1; r <= ROUNDS; r++)); do
  # Alternate the order (ABBA) so drift in machine load does not favour one side.
  if ((r % 2 == 1)); then order=(hello token); else order=(token hello); fi
  for side in "${order[@]}"; do
    say "round $r/$ROUNDS: $side (${DURATION}s) ..."
    if [[ $side == hello ]]; then
      res=$(run_wrk hello "$HELLO_URL" 'Hello, World!' "$DURATION" "$RESULTS_DIR/round$r-hello.txt" "$HELLO_PID")
      check "round $r hello" "$res"
      read -r "H_RPS[r]" "H_P99[r]" _ _ _ "H_SRV[r]" "H_CLI[r]" "H_OTH[r]" "H_CPU[r]" <<<"$res"
    else
      res=$(run_wrk token "$TOKEN_URL" '"statusCode":200' "$DURATION" "$RESULTS_DIR/round$r-token.txt" "$WX_PID")
      check "round $r token" "$res"
      read -r "T_RPS[r]" "T_P99[r]" _ _ _ "T_SRV[r]" "T_CLI[r]" "T_OTH[r]" "T_CPU[r]" <<<"$res"
    fi
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -1; }
minimum() { printf '%s\n' "$@" | sort -g | head -1; }

# --- report ------------------------------------------------------------------------------------
{
  echo "== wxtoken load benchmark =="
  echo "command:  ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP THREADS=$THREADS CONNECTIONS=$CONNECTIONS SERVER_CPUS=$SERVER_CPUS CLIENT_CPUS=$CLIENT_CPUS BODIES=$BODIES CREDENTIAL=$CREDENTIAL JAVA_OPTS='$JAVA_OPTS' bench/load.sh"
  echo "wrk:      taskset -c $CLIENT_CPUS wrk ${WRK_ARGS[*]/#$BENCH_DIR/bench} -d${DURATION}s URL -- $APP_ID <secret> EXPECT"
  echo "          URL = $HELLO_URL (EXPECT 'Hello, World!') | $TOKEN_URL (EXPECT '\"statusCode\":200')"
  echo "servers:  taskset -c $SERVER_CPUS java $JAVA_OPTS -jar wxtoken.jar serve ... | HelloWorldServer PORT $EVENT_LOOPS (event loops)"
  rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [[ -z $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] || rev="$rev + uncommitted changes"
  echo "code:     $rev; wxtoken.jar $(date -u -r "$WXTOKEN_JAR" +%FT%TZ) sha256 $(sha256sum "$WXTOKEN_JAR" | cut -c1-12)"
  echo "machine:  nproc=$(nproc), CPU: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
  echo "java:     $JAVA: $("$JAVA" -version 2>&1 | tr '\n' ' ')"
  echo "wrk:      $(wrk -v 2>&1 | head -1)"
  echo "loadavg:  before $LOAD_BEFORE, after $LOAD_AFTER"
  echo "raw:      $RESULTS_DIR"
  echo
  row='%-7s | %11s %8s %4s %4s %4s | %11s %8s %4s %4s %4s | %6s\n'
  # shellcheck disable=SC2059
  printf "$row" round "hello req/s" "p99 ms" srv% cli% oth% "token req/s" "p99 ms" srv% cli% oth% ratio
  printf '%s\n' "--------+-------------------------------------+-------------------------------------+-------"
  ratios=()
  for ((r = 1; r <= ROUNDS; r++)); do
    ratio=$(awk -v t="${T_RPS[r]}" -v h="${H_RPS[r]}" 'BEGIN {printf "%.3f", t / h}')
    ratios+=("$ratio")
    # shellcheck disable=SC2059
    printf "$row" "$r" "${H_RPS[r]}" "${H_P99[r]}" "${H_SRV[r]}" "${H_CLI[r]}" "${H_OTH[r]}" \
      "${T_RPS[r]}" "${T_P99[r]}" "${T_SRV[r]}" "${T_CLI[r]}" "${T_OTH[r]}" "$ratio"
  done
  mh=$(median "${H_RPS[@]}"); mt=$(median "${T_RPS[@]}")
  # shellcheck disable=SC2059
  printf "$row" median "$mh" "$(median "${H_P99[@]}")" "$(median "${H_SRV[@]}")" "$(median "${H_CLI[@]}")" \
    "$(median "${H_OTH[@]}")" "$mt" "$(median "${T_P99[@]}")" "$(median "${T_SRV[@]}")" \
    "$(median "${T_CLI[@]}")" "$(median "${T_OTH[@]}")" "$(median "${ratios[@]}")"
  bh=$(maximum "${H_RPS[@]}"); bt=$(maximum "${T_RPS[@]}")
  # shellcheck disable=SC2059
  printf "$row" best "$bh" "$(minimum "${H_P99[@]}")" "" "" "" "$bt" "$(minimum "${T_P99[@]}")" "" "" "" \
    "$(awk -v t="$bt" -v h="$bh" 'BEGIN {printf "%.3f", t / h}')"
  echo
  crow='%-7s | %14s | %14s | %6s\n'
  # shellcheck disable=SC2059
  printf "$crow" round "hello cpu us/req" "token cpu us/req" ratio
  printf '%s\n' "--------+------------------+------------------+-------"
  cratios=()
  for ((r = 1; r <= ROUNDS; r++)); do
    cratio=$(awk -v t="${T_CPU[r]}" -v h="${H_CPU[r]}" 'BEGIN {printf "%.3f", (t > 0 ? h / t : 0)}')
    cratios+=("$cratio")
    # shellcheck disable=SC2059
    printf "$crow" "$r" "${H_CPU[r]}" "${T_CPU[r]}" "$cratio"
  done
  mhc=$(median "${H_CPU[@]}"); mtc=$(median "${T_CPU[@]}")
  # shellcheck disable=SC2059
  printf "$crow" median "$mhc" "$mtc" "$(median "${cratios[@]}")"
  echo "cpu us/req = server process CPU time (user + system, all its threads) / requests answered;"
  echo "  ratio = hello / token, the throughput ratio one core would give if only the server's own"
  echo "  CPU counted. Time other work steals does not inflate it, so it is far steadier than req/s"
  echo "  here; it leaves out kernel network work done outside the server's threads (softirq)."
  quiet=()
  for ((r = 1; r <= ROUNDS; r++)); do
    if ((H_OTH[r] <= QUIET && T_OTH[r] <= QUIET)); then quiet+=("${ratios[r - 1]}"); fi
  done
  echo
  if ((${#quiet[@]} > 0)); then
    echo "quiet rounds (oth% <= $QUIET on both sides): ${#quiet[@]} of $ROUNDS, ratios ${quiet[*]}, median $(median "${quiet[@]}")"
  else
    echo "quiet rounds (oth% <= $QUIET on both sides): none; every round was disturbed by other work"
  fi
  echo "token/hello-world CPU cost ratio (hello/token us per request): median $(median "${cratios[@]}"), ratio of medians $(awk -v t="$mtc" -v h="$mhc" 'BEGIN {printf "%.3f", (t > 0 ? h / t : 0)}')"
  echo "token/hello-world throughput (target >= 0.9): median of per-round ratios $(median "${ratios[@]}"), ratio of medians $(awk -v t="$mt" -v h="$mh" 'BEGIN {printf "%.3f", t / h}'), ratio of bests $(awk -v t="$bt" -v h="$bh" 'BEGIN {printf "%.3f", t / h}')"
  echo "best = highest req/s and lowest p99 of any round: interference from other work only ever lowers throughput, so on a shared machine the best rounds are the least disturbed"
  echo "srv%/cli% = busy share of the server CPUs ($SERVER_CPUS) / client CPUs ($CLIENT_CPUS) during the run, from /proc/stat, kernel network work included (100 = saturated);"
  echo "oth% = estimated share of the whole machine's CPU used by processes other than this benchmark's during the run (noise: a round with a high oth% is suspect)"
  if ((ERRORS > 0)); then
    echo "INVALID: $ERRORS error responses or socket errors (see above and $RESULTS_DIR)"
  else
    echo "all answers checked: every response was 200 with the expected body"
  fi
} | tee "$RESULTS_DIR/summary.txt"

((ERRORS == 0)) || exit 1
