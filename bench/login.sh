#!/usr/bin/env bash
# Login benchmark: POST /login against the password hash alone, measured side by side in the same run on the
# same core, so the figures are ratios that survive a noisy machine. Never part of CI; every step is bounded.
#
# Usage, from a checkout (needs 2+ CPUs, a JDK (25 preferred, as Dockerfile.jvm's), curl, psql and a PostgreSQL
# that accepts the user below):
#
#     bench/login.sh
#
# What it does:
#   1. builds the service (./mvnw -B -q package -Dmaven.test.skip=true -Dproduction) unless BENCH_SKIP_BUILD=1,
#      and installs wrk with apt-get when it is missing;
#   2. drops and re-creates the database $BENCH_DB, starts the service on it pinned to BENCH_SERVER_CPU with the
#      JVM of Dockerfile.jvm (JDK 25: BENCH_JAVA) and its options (its JAVA_OPTS line, so the image and the bench
#      cannot drift), creates a user through the API and checks that its right password answers 200 and a wrong
#      one 401;
#   3. after a warm-up, runs $BENCH_RUNS rounds of wrk -t1 on the other core against /login with the right and
#      with a wrong password, at 1 and at 4 connections, with the hash alone (bench/HashRate.java, the service's
#      own Passwords class, on the server's core while the service idles, in the same JVM build with the same
#      options as the service: a fair side by side, where neither a JDK nor a heap setting differs) measured before
#      each round and after the last; each round is read against the hash measured around it, so a change of
#      machine load hits both sides of a ratio alike. A local PostgreSQL runs on wrk's core meanwhile (it stands
#      for the database host; bench/lib.sh pin_database). RSS is sampled every 0.2 s
#      while logins run, and the CPU time of the JIT compiler threads is reported: a login runs each method of
#      its path once, so the JIT reaches the path's methods only after thousands of logins, and until then it
#      competes with the hash for the one core (which is why the warm-up is long);
#   4. prints each figure (median of the rounds), its ratio to the hash alone (median of the rounds' ratios) and
#      PASS/FAIL against the targets;
#      the table is also written to target/bench/login.md, the raw output to target/bench/login-*.log.
#      Exits 0 when every target passes, 1 otherwise.
#
# Settings (environment variables; defaults in brackets). A default run takes about 3 minutes after the build.
#   BENCH_RUNS [3]          interleaved rounds           BENCH_SECONDS [8]     length of each measurement
#   BENCH_WARMUP [30]       warm-up of /login, seconds (right, then wrong password)
#   BENCH_SKIP_BUILD [0]    1: use target/quarkus-app as built
#   BENCH_APP [target/quarkus-app]  a -Dproduction build (quarkus-app directory) to measure instead; implies no build
#   BENCH_SERVER_CPU [0]    core of the service and of the hash alone; BENCH_LOAD_CPU [1] core of wrk and this script
#   BENCH_PORT [18081]      HTTP port of the service; it must be free
#   BENCH_PGHOST [127.0.0.1]  BENCH_PGPORT [5432]  BENCH_PGUSER [postgres]  (PGPASSWORD is passed on if set)
#   BENCH_DB [latchkey_login]  database DROPPED and re-created at every run
#   BENCH_JAVA [the first /usr/lib/jvm/*-25*/bin/java, else java]  the JVM of the service and of the hash alone
#   BENCH_JAVA_OPTS [Dockerfile.jvm's JAVA_OPTS -XX:MaxRAM=${BENCH_CONTAINER_MIB:-256}m]  their JVM options
#   (no AOT cache: it shortens the start, which this bench does not measure)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

RUNS=${BENCH_RUNS:-3}
RUN_SECONDS=${BENCH_SECONDS:-8}
WARMUP=${BENCH_WARMUP:-30}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
LOAD_CPU=${BENCH_LOAD_CPU:-1}
PORT=${BENCH_PORT:-18081}
DB_HOST=${BENCH_PGHOST:-127.0.0.1}
DB_PORT=${BENCH_PGPORT:-5432}
DB_USER=${BENCH_PGUSER:-postgres}
DB=${BENCH_DB:-latchkey_login}
SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
# Dockerfile.jvm's JVM: a JDK 25 when one is installed (the first /usr/lib/jvm/*-25*), else java on the PATH.
JAVA_BIN=${BENCH_JAVA:-$(ls -d /usr/lib/jvm/*-25*/bin/java 2>/dev/null | head -n1)}
JAVA_BIN=${JAVA_BIN:-java}
JAVAC_BIN=$(dirname "$JAVA_BIN")/javac
# The image's JVM options, less the listening address (the bench listens on 127.0.0.1 only).
DOCKER_JAVA_OPTS=$(sed -n 's/^ENV JAVA_OPTS="\(.*\)"$/\1/p' Dockerfile.jvm | sed 's/-Dquarkus.http.host=[^ ]*//')
# Container-sized as in bench/run.sh: the JVM is told it has BENCH_CONTAINER_MIB of memory, as a container limit does.
JAVA_OPTS=${BENCH_JAVA_OPTS-$DOCKER_JAVA_OPTS -XX:MaxRAM=${BENCH_CONTAINER_MIB:-256}m}
# and its malloc setting (glibc reads it at start)
DOCKER_ARENAS=$(sed -n 's/^ENV MALLOC_ARENA_MAX=\([0-9]*\)$/\1/p' Dockerfile.jvm)
[[ -z $DOCKER_ARENAS ]] || export MALLOC_ARENA_MAX=$DOCKER_ARENAS

# Targets (issue 13): rates as a share of the hash alone, latency as a multiple of one hash, RSS in MiB.
MIN_RATE_RATIO=0.90
MAX_LATENCY_RATIO=1.20
MAX_RSS_MIB=256

OUT=$ROOT/target/bench
APP=${BENCH_APP:-$ROOT/target/quarkus-app}
BASE=http://127.0.0.1:$PORT
SERVICE_PID=
SAMPLER_PID=

log() { printf '[login-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

for n in RUNS RUN_SECONDS WARMUP SERVER_CPU LOAD_CPU PORT DB_PORT; do
    [[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a whole number (got '${!n}')"
done
(( RUNS >= 1 && RUN_SECONDS >= 2 )) || die "BENCH_RUNS must be at least 1 and BENCH_SECONDS at least 2"
[[ $DB =~ ^[a-z_][a-z0-9_]*$ ]] || die "BENCH_DB must be a plain lower-case identifier (got '$DB')"
(( SERVER_CPU != LOAD_CPU )) || die "BENCH_SERVER_CPU and BENCH_LOAD_CPU must be different cores"
CPUS=$(getconf _NPROCESSORS_ONLN)
(( SERVER_CPU < CPUS && LOAD_CPU < CPUS )) || die "this machine has $CPUS online CPU(s); the benchmark needs 2"
[[ -n $DOCKER_JAVA_OPTS ]] || die "no ENV JAVA_OPTS=\"...\" line found in Dockerfile.jvm"
for tool in "$JAVA_BIN" "$JAVAC_BIN" curl psql taskset timeout base64 awk sed sort; do
    command -v "$tool" >/dev/null || die "'$tool' is required"
done

# ---------------------------------------------------------------------------------------------- helpers

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

# curl that writes the body to $OUT/login-response.json and prints the status code
api() { curl -sS --max-time 10 -o "$OUT/login-response.json" -w '%{http_code}' "$@" || echo 000; }
body() { cat "$OUT/login-response.json"; }

stop_sampler() {
    [[ -n $SAMPLER_PID ]] || return 0
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=
}

trap 'stop_sampler; stop_service; unpin_database' EXIT
trap 'exit 130' INT TERM

# Runs wrk once against /login: run_wrk <logfile> <password> <connections> <seconds>; prints its result line.
run_wrk() {
    local logfile=$1 password=$2 conns=$3 seconds=$4 line
    if ! BENCH_LOGIN_USER=$LOGIN_USER BENCH_LOGIN_PASSWORD=$password timeout --kill-after=5 $(( seconds + 30 )) \
            taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${seconds}s" --timeout 10s --latency \
            -s "$ROOT/bench/login.lua" "$BASE" >"$logfile" 2>&1; then
        die "wrk failed or overran; see $logfile"
    fi
    line=$(grep '^BENCH_RESULT' "$logfile") || die "no result line from wrk; see $logfile"
    (( $(field requests "$line") > 0 )) || die "wrk completed no request; see $logfile"
    echo "$line"
}

# The hash alone on the server's core, in a JVM of its own: the service's JVM with the service's options (heap,
# collector, malloc arenas), compiled ahead so no compiler shares its heap. Prints its result line.
run_hash() {
    local logfile=$1 seconds=$2 line
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    timeout --kill-after=5 $(( seconds + 120 )) taskset -c "$SERVER_CPU" \
        "$JAVA_BIN" $JAVA_OPTS -cp "$OUT/hash-rate:$APP/lib/boot/*:$APP/lib/main/*:$APP/app/*" HashRate "$seconds" 2 1 \
        >"$logfile" 2>&1 || die "the hash measurement failed; see $logfile"
    line=$(grep '^HASH_RESULT' "$logfile") || die "no result from HashRate; see $logfile"
    echo "$line"
}

# ---------------------------------------------------------------------------------------------- build, tools

mkdir -p "$OUT"
rm -f "$OUT"/login-*.log "$OUT"/login.md

[[ $SKIP_BUILD == 1 || -n ${BENCH_APP:-} ]] || build_service "$OUT/login-build.log"
[[ -f $APP/quarkus-run.jar ]] || die "$APP/quarkus-run.jar is missing (build first)"
ensure_wrk "$OUT/login-apt.log"
rm -rf "$OUT/hash-rate"
"$JAVAC_BIN" -d "$OUT/hash-rate" -cp "$APP/lib/main/*:$APP/app/*" "$ROOT/bench/HashRate.java" >"$OUT/login-javac.log" 2>&1 \
    || die "bench/HashRate.java does not compile; see $OUT/login-javac.log"

# From here on this script, curl and wrk stay on LOAD_CPU; the service and the hash run on SERVER_CPU.
taskset -cp "$LOAD_CPU" $$ >/dev/null
pin_database "$LOAD_CPU"

if curl -s -o /dev/null --max-time 1 "$BASE/"; then
    die "port $PORT is already in use (another benchmark running?); set BENCH_PORT"
fi

# ---------------------------------------------------------------------------------------------- service

recreate_database "$OUT/login-psql.log"

ADMIN_USER=bench-admin
ADMIN_PASSWORD=$(random_word 24)
# Every wrong-password request comes from the same address for the same user: lift the failure throttles (per pair,
# per address, per username), which would otherwise answer 429 (no hash at all) after a handful of them.
settings=(QUARKUS_HTTP_PORT="$PORT"
    QUARKUS_HTTP_HOST=127.0.0.1
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$DB_HOST:$DB_PORT/$DB"
    QUARKUS_DATASOURCE_USERNAME="$DB_USER"
    LATCHKEY_MASTER_KEY="$(head -c 32 /dev/urandom | base64 -w0)"
    LATCHKEY_ADMIN_USERNAME="$ADMIN_USER"
    LATCHKEY_ADMIN_PASSWORD="$ADMIN_PASSWORD"
    LATCHKEY_THROTTLE_MAX_FAILURES=1000000000
    LATCHKEY_THROTTLE_ADDRESS_MAX_FAILURES=1000000000
    LATCHKEY_THROTTLE_USER_MAX_FAILURES=1000000000)
[[ -z ${PGPASSWORD:-} ]] || settings+=(QUARKUS_DATASOURCE_PASSWORD="$PGPASSWORD")

log "starting the service on CPU $SERVER_CPU (JVM options: $JAVA_OPTS)"
env "${settings[@]}" taskset -c "$SERVER_CPU" "$JAVA_BIN" $JAVA_OPTS -jar "$APP/quarkus-run.jar" >"$OUT/login-service.log" 2>&1 &
SERVICE_PID=$!
started=$(now_ms)
until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE/q/health/ready" || true) == 200 ]]; do
    kill -0 "$SERVICE_PID" 2>/dev/null || { SERVICE_PID=; die "the service exited while starting; see $OUT/login-service.log"; }
    (( $(now_ms) - started < 180000 )) || die "the service was not ready within 180 s; see $OUT/login-service.log"
    sleep 0.05
done

log "creating the bench user through the API"
code=$(api -X POST -u "$ADMIN_USER:$ADMIN_PASSWORD" "$BASE/login")
[[ $code == 200 ]] || die "admin login: HTTP $code $(body)"
ADMIN_TOKEN=$(json_string token "$(body)")
LOGIN_USER=bench-user
RIGHT_PASSWORD=$(random_word 24)
WRONG_PASSWORD=${RIGHT_PASSWORD}x
code=$(api -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$LOGIN_USER\",\"password\":\"$RIGHT_PASSWORD\",\"roles\":[\"user\"]}" "$BASE/users")
[[ $code == 201 ]] || die "creating the user: HTTP $code $(body)"
code=$(api -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"$LOGIN_USER\",\"password\":\"$RIGHT_PASSWORD\"}" "$BASE/login")
[[ $code == 200 && $(body) == *'"token":"'* ]] || die "login with the right password: HTTP $code $(body)"
code=$(api -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"$LOGIN_USER\",\"password\":\"$WRONG_PASSWORD\"}" "$BASE/login")
[[ $code == 401 ]] || die "login with a wrong password: HTTP $code (expected 401) $(body)"

# Samples the service's RSS (KiB) every 0.2 s into a file while logins run; the largest sample counts.
sample_rss() {
    while kill -0 "$SERVICE_PID" 2>/dev/null; do
        awk '/^VmRSS:/ { print $2 }' "/proc/$SERVICE_PID/status" 2>/dev/null || true
        sleep 0.2
    done >>"$OUT/login-rss.log"
}

# CPU time (clock ticks) of the service's JIT compiler threads, and of the whole service: "<compilers> <all>"
cpu_ticks() {
    local compilers
    compilers=$(for task in /proc/"$SERVICE_PID"/task/*; do
        [[ $(cat "$task/comm" 2>/dev/null) == C[12]\ CompilerThre* ]] && sed 's/.*) //' "$task/stat" 2>/dev/null
    done | awk '{ sum += $12 + $13 } END { print sum + 0 }')
    echo "$compilers $(sed 's/.*) //' "/proc/$SERVICE_PID/stat" | awk '{ print $12 + $13 }')"
}

# ---------------------------------------------------------------------------------------------- load

log "warm-up: /login right and wrong, ${WARMUP}s each"
if (( WARMUP > 0 )); then
    run_wrk "$OUT/login-warmup-right.log" "$RIGHT_PASSWORD" 4 "$WARMUP" >/dev/null
    run_wrk "$OUT/login-warmup-wrong.log" "$WRONG_PASSWORD" 4 "$WARMUP" >/dev/null
fi

# Scenarios: name, password, connections. wrk counts a non-2xx answer as a status error: for the wrong
# password, exactly every request must be one (each a 401), for the right one none.
NAMES=(right_c1 wrong_c1 right_c4 wrong_c4)
LABELS=("right password, 1 connection" "wrong password, 1 connection"
        "right password, 4 connections" "wrong password, 4 connections")
PASSWORDS=("$RIGHT_PASSWORD" "$WRONG_PASSWORD" "$RIGHT_PASSWORD" "$WRONG_PASSWORD")
CONNS=(1 1 4 4)
declare -A RPS P50 P99 BAD RATIO
HASH_RPS=() HASH_P50=() LATENCY=()
: >"$OUT/login-rss.log"
CPU_BEFORE=$(cpu_ticks)

# The hash alone before each round and after the last: each round's figures are read against the mean of the two
# hash measurements around it (the machine's pace during that round), and the ratios are the medians of those.
measure_hash() {
    local line; line=$(run_hash "$OUT/login-hash-$1.log" "$RUN_SECONDS")
    HASH_RPS+=("$(field per_second "$line")") HASH_P50+=("$(field p50_ms "$line")")
    HASH_PARAMS=$(field params "$line")
    log "hash alone ($1): ${HASH_RPS[-1]}/s, p50 ${HASH_P50[-1]} ms"
}
measure_hash 1
for r in $(seq "$RUNS"); do
    sample_rss & SAMPLER_PID=$!
    for s in "${!NAMES[@]}"; do
        n=${NAMES[s]}
        line=$(run_wrk "$OUT/login-$n-$r.log" "${PASSWORDS[s]}" "${CONNS[s]}" "$RUN_SECONDS")
        RPS[$n]+=" $(field rps "$line")"
        P50[$n]+=" $(calc '%.2f' '$1 / 1000' "$(field p50_us "$line")")"
        P99[$n]+=" $(calc '%.2f' '$1 / 1000' "$(field p99_us "$line")")"
        requests=$(field requests "$line") status_errors=$(field status_errors "$line")
        if [[ $n == wrong_* ]]; then bad=$(( requests - status_errors )); else bad=$status_errors; fi
        BAD[$n]=$(( ${BAD[$n]:-0} + bad + $(field socket_errors "$line") ))
        log "round $r/$RUNS $n: $(field rps "$line")/s, p50 $(calc '%.1f' '$1 / 1000' "$(field p50_us "$line")") ms"
    done
    stop_sampler
    measure_hash $(( r + 1 ))
    for n in "${NAMES[@]}"; do
        RATIO[$n]+=" $(calc '%.3f' '$1 / (($2 + $3) / 2)' "${RPS[$n]##* }" "${HASH_RPS[-2]}" "${HASH_RPS[-1]}")"
    done
    LATENCY+=("$(calc '%.3f' '$1 / (($2 + $3) / 2)' "${P50[right_c1]##* }" "${HASH_P50[-2]}" "${HASH_P50[-1]}")")
done
CPU_AFTER=$(cpu_ticks)
read -r JIT_TICKS ALL_TICKS <<<"$(paste -d' ' <(echo "$CPU_AFTER") <(echo "$CPU_BEFORE") | awk '{ print $1 - $3, $2 - $4 }')"
RSS_MAX=$(sort -n "$OUT/login-rss.log" | tail -n1)
RSS_PEAK=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVICE_PID/status")
grep -q 'OutOfMemoryError' "$OUT/login-service.log" && OOM=1 || OOM=0
stop_sampler
stop_service

# ---------------------------------------------------------------------------------------------- report

FAILED=0
verdict() { if [[ $1 == 1 ]]; then echo PASS; else echo FAIL; fi; }
HASH=$(median "${HASH_RPS[@]}")
HASH_MS=$(median "${HASH_P50[@]}")
# shellcheck disable=SC2086 # word splitting of the space-separated run lists is intended
{
    echo "## Latchkey login benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown);" \
        "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $CPUS CPUs; $("$JAVA_BIN" -version 2>&1 | head -n1)."
    echo "Service and hash alone on CPU $SERVER_CPU (JVM options: ${JAVA_OPTS:-none}), wrk -t1 on CPU $LOAD_CPU;" \
        "medians of $RUNS round(s) of ${RUN_SECONDS}s, ratios read per round against the hash alone measured" \
        "before and after it; password hash $HASH_PARAMS."
    echo
    echo "| measurement | per second | p50 (ms) | p99 (ms) | vs hash alone | target | result |"
    echo "|---|---:|---:|---:|---:|---|---|"
    printf '| hash alone (bench/HashRate.java), one thread | %s | %s | | 1.00 | | |\n' "$HASH" "$HASH_MS"
    for s in "${!NAMES[@]}"; do
        n=${NAMES[s]}
        rps=$(median ${RPS[$n]})
        ratio=$(calc '%.2f' '$1' "$(median ${RATIO[$n]})")
        printf '| POST /login, %s | %s | %s | %s | %s | >= %s | %s |\n' "${LABELS[s]}" "$rps" \
            "$(median ${P50[$n]})" "$(median ${P99[$n]})" "$ratio" "$MIN_RATE_RATIO" \
            "$(verdict "$(calc '%d' '$1 >= $2' "$ratio" "$MIN_RATE_RATIO")")"
    done
    echo
    echo "| target | measured | result |"
    echo "|---|---|---|"
    latency=$(calc '%.2f' '$1' "$(median "${LATENCY[@]}")")
    printf '| one login (right password, 1 connection, p50) within %sx the hash'"'"'s own time | %s ms vs %s ms: %sx | %s |\n' \
        "$MAX_LATENCY_RATIO" "$(median ${P50[right_c1]})" "$HASH_MS" "$latency" \
        "$(verdict "$(calc '%d' '$1 <= $2' "$latency" "$MAX_LATENCY_RATIO")")"
    printf '| RSS while logins run <= %s MiB, no OutOfMemoryError | max %s MiB (peak %s MiB)%s | %s |\n' "$MAX_RSS_MIB" \
        "$(( RSS_MAX / 1024 ))" "$(( RSS_PEAK / 1024 ))" "$( (( OOM )) && echo ', OutOfMemoryError logged')" \
        "$(verdict "$(( RSS_MAX <= MAX_RSS_MIB * 1024 && !OOM ? 1 : 0 ))")"
    wrong=0; for n in "${NAMES[@]}"; do wrong=$(( wrong + BAD[$n] )); done
    printf '| every answer as expected (200 right, 401 wrong, no socket error) | %s unexpected | %s |\n' \
        "$wrong" "$(verdict "$(( wrong == 0 ? 1 : 0 ))")"
    echo
    echo "From the first round to the last the JIT compiler threads used $(calc '%.1f' '$1 / $2' "$JIT_TICKS" \
        "$(getconf CLK_TCK)") s of CPU, $(calc '%.0f' '100 * $1 / ($2 > 0 ? $2 : 1)' "$JIT_TICKS" "$ALL_TICKS")% of the service's."
} | tee "$OUT/login.md"
# the verdicts ran in the pipeline's subshell: read them back from the table
grep -q '| FAIL |$' "$OUT/login.md" && FAILED=1
log "table written to $OUT/login.md; raw output in $OUT/login-*.log"
exit "$FAILED"
