#!/usr/bin/env bash
# Latchkey benchmark: how much /introspect, /auth and /login cost, against a trivial endpoint of the same
# application measured in the same run. Never part of CI; every step is bounded in time.
#
# Usage, from a checkout (needs 2+ CPUs, Java 17, curl, psql and a PostgreSQL that accepts the user below):
#
#     bench/run.sh
#
# What it does:
#   1. builds the service: ./mvnw -B -q package -Dmaven.test.skip=true -Dproduction (no embedded PostgreSQL;
#      the tests are not even compiled, since some of them need the embedded-PostgreSQL profile);
#   2. installs wrk with apt-get when it is missing (Debian package "wrk");
#   3. measures the argon2id hash alone on the server's core (bench/HashRate.java, the service's own encoder):
#      the ceiling for /login, since one login is one verify;
#   4. drops and re-creates the database $BENCH_DB (it belongs to the benchmark), starts the service once on it
#      (migrations, first admin), then restarts it $BENCH_RUNS times: start to ready (from launch until
#      /q/health/ready answers 200, polled every 20 ms) and idle RSS (VmRSS) after each start;
#   5. creates, through the API, a user, a client with permission "introspect", a valid token and an invalid
#      one (the valid one with one signature character changed), and checks each endpoint answers as expected;
#   6. runs wrk (-t1, pinned to the other core) for each scenario: one warm-up, then $BENCH_RUNS measured runs,
#      interleaved so that a change of machine load hits every scenario alike; reports the median of each figure;
#   7. reads RSS after load, stops the service (always, also on failure or Ctrl-C), prints a Markdown table
#      and the targets with PASS/MISS; the table is also written to target/bench/results.md, and the raw wrk
#      and service output to target/bench/.
#
# Settings (environment variables; defaults in brackets). A default run takes 4-5 minutes, the build included.
#   BENCH_RUNS [3]                measured runs per scenario (and restarts for start time / idle RSS)
#   BENCH_SECONDS [10]            length of each measured wrk run
#   BENCH_WARMUP [5]              length of the warm-up run before each scenario (0: none)
#   BENCH_CONNECTIONS [64]        wrk connections for every scenario but /login
#   BENCH_LOGIN_CONNECTIONS [4]   wrk connections for /login (hash-bound: more only adds queueing)
#   BENCH_HASH_SECONDS [4]        length of each of the $BENCH_RUNS slices of the hash-alone measurement
#   BENCH_SERVER_CPU [0]          the core the service (and the hash-alone measurement) runs on
#   BENCH_LOAD_CPU [1]            the core wrk (and this script) runs on
#   BENCH_PORT [18080]            HTTP port of the service; it must be free
#   BENCH_PGHOST [127.0.0.1]  BENCH_PGPORT [5432]  BENCH_PGUSER [postgres]  (PGPASSWORD is passed on if set)
#   BENCH_DB [latchkey_bench]     database DROPPED and re-created at every run
#   BENCH_SKIP_BUILD [0]          1: use the existing target/quarkus-app (it must be a -Dproduction build)
#   BENCH_JAVA_OPTS [-Xmx128m]    JVM options for the service (a bounded heap: the JVM would otherwise size it from all of RAM)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

RUNS=${BENCH_RUNS:-3}
RUN_SECONDS=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
LOGIN_CONNECTIONS=${BENCH_LOGIN_CONNECTIONS:-4}
HASH_SECONDS=${BENCH_HASH_SECONDS:-4}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
LOAD_CPU=${BENCH_LOAD_CPU:-1}
PORT=${BENCH_PORT:-18080}
DB_HOST=${BENCH_PGHOST:-127.0.0.1}
DB_PORT=${BENCH_PGPORT:-5432}
DB_USER=${BENCH_PGUSER:-postgres}
DB=${BENCH_DB:-latchkey_bench}
SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
JAVA_OPTS=${BENCH_JAVA_OPTS--Xmx128m}

OUT=$ROOT/target/bench
APP=$ROOT/target/quarkus-app
BASE=http://127.0.0.1:$PORT
SERVICE_PID=

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for n in RUNS RUN_SECONDS WARMUP CONNECTIONS LOGIN_CONNECTIONS HASH_SECONDS SERVER_CPU LOAD_CPU PORT DB_PORT; do
    [[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a whole number (got '${!n}')"
done
(( RUNS >= 1 && RUN_SECONDS >= 1 && HASH_SECONDS >= 1 && CONNECTIONS >= 1 && LOGIN_CONNECTIONS >= 1 )) \
    || die "BENCH_RUNS, BENCH_SECONDS, BENCH_HASH_SECONDS and the connection counts must be at least 1"
[[ $DB =~ ^[a-z_][a-z0-9_]*$ ]] || die "BENCH_DB must be a plain lower-case identifier (got '$DB')"
(( SERVER_CPU != LOAD_CPU )) || die "BENCH_SERVER_CPU and BENCH_LOAD_CPU must be different cores"
CPUS=$(getconf _NPROCESSORS_ONLN)
(( SERVER_CPU < CPUS && LOAD_CPU < CPUS )) || die "this machine has $CPUS online CPU(s); the benchmark needs 2"
(( RUNS >= 3 )) || log "note: BENCH_RUNS=$RUNS; the figures are meant to be medians of at least 3 runs"

for tool in java curl psql taskset timeout base64 awk sed; do
    command -v "$tool" >/dev/null || die "'$tool' is required"
done

# ---------------------------------------------------------------------------------------------- helpers

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# median of the numbers given as arguments (mean of the two middle ones for an even count)
median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
        END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# arithmetic with awk, e.g. calc '%.2f' '$1 / $2' 3 4
calc() { local fmt=$1 expr=$2; shift 2; awk -v f="$fmt" "BEGIN { printf f, $(sed 's/\$\([0-9]\)/(ARGV[\1] + 0)/g' <<<"$expr") }" "$@"; }

random_word() { local w; w=$(head -c 48 /dev/urandom | base64 -w0 | tr -d '+/='); echo "${w:0:$1}"; }

rss_kib() { awk '/^'"$2"':/ { print $2 }' "/proc/$1/status"; }
mib() { calc '%.0f' '$1 / 1024' "$1"; }

# value of a "key=value" field in a line of key=value pairs
field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<" $2"; }

# value of a top-level string member of a compact JSON object
json_string() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$2"; }

# curl that writes the body to $OUT/response.json and prints the status code
api() { curl -sS --max-time 10 -o "$OUT/response.json" -w '%{http_code}' "$@" || echo 000; }
body() { cat "$OUT/response.json"; }

stop_service() {
    [[ -n $SERVICE_PID ]] || return 0
    if kill -0 "$SERVICE_PID" 2>/dev/null; then
        kill -TERM "$SERVICE_PID" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVICE_PID" 2>/dev/null || true
    fi
    wait "$SERVICE_PID" 2>/dev/null || true
    SERVICE_PID=
}
trap 'stop_service' EXIT
trap 'exit 130' INT TERM

# Starts the service on SERVER_CPU with its output in $1; sets SERVICE_PID and READY_MS (launch to ready).
start_service() {
    local logfile=$1 started code settings
    settings=(QUARKUS_HTTP_PORT="$PORT"
        QUARKUS_HTTP_HOST=127.0.0.1
        QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$DB_HOST:$DB_PORT/$DB"
        QUARKUS_DATASOURCE_USERNAME="$DB_USER"
        LATCHKEY_MASTER_KEY="$MASTER_KEY"
        LATCHKEY_ADMIN_USERNAME="$ADMIN_USER"
        LATCHKEY_ADMIN_PASSWORD="$ADMIN_PASSWORD")
    [[ -z ${PGPASSWORD:-} ]] || settings+=(QUARKUS_DATASOURCE_PASSWORD="$PGPASSWORD")
    started=$(now_ms)
    env "${settings[@]}" taskset -c "$SERVER_CPU" java $JAVA_OPTS -jar "$APP/quarkus-run.jar" >"$logfile" 2>&1 &
    SERVICE_PID=$!
    while :; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE/q/health/ready" || true)
        [[ $code == 200 ]] && break
        if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
            wait "$SERVICE_PID" && code=0 || code=$?
            SERVICE_PID=
            die "the service exited (status $code) while starting; see $logfile"
        fi
        (( $(now_ms) - started < 60000 )) || die "the service was not ready within 60 s; see $logfile"
        sleep 0.02
    done
    READY_MS=$(( $(now_ms) - started ))
}

# Runs wrk once: run_wrk <logfile> <lua script> <connections> <seconds> [warm-up]; prints the BENCH_RESULT
# line; a measured run (not a warm-up) must have completed at least one request.
run_wrk() {
    local logfile=$1 script=$2 conns=$3 seconds=$4 warmup=${5:-} line
    if ! timeout --kill-after=5 $(( seconds + 30 )) taskset -c "$LOAD_CPU" \
            wrk -t1 -c"$conns" -d"${seconds}s" --timeout 5s --latency -s "$ROOT/bench/$script" "$BASE" \
            >"$logfile" 2>&1; then
        die "wrk failed or overran; see $logfile"
    fi
    line=$(grep '^BENCH_RESULT' "$logfile") || die "no result line from wrk; see $logfile"
    [[ -n $warmup ]] || (( $(field requests "$line") > 0 )) || die "wrk completed no request; see $logfile"
    echo "$line"
}

# ---------------------------------------------------------------------------------------------- build, tools

mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/results.md

if [[ $SKIP_BUILD != 1 ]]; then
    log "building: ./mvnw -B -q package -Dmaven.test.skip=true -Dproduction"
    ./mvnw -B -q package -Dmaven.test.skip=true -Dproduction >"$OUT/build.log" 2>&1 || die "the build failed; see $OUT/build.log"
fi
[[ -f $APP/quarkus-run.jar ]] || die "$APP/quarkus-run.jar is missing (build first)"

if ! command -v wrk >/dev/null; then
    log "installing wrk (apt-get install -y wrk)"
    SUDO=; (( EUID == 0 )) || SUDO=sudo
    { $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y wrk \
        || { $SUDO apt-get update && $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y wrk; }; } \
        >"$OUT/apt.log" 2>&1 || die "could not install wrk; see $OUT/apt.log"
fi

# From here on this script, curl and wrk stay on LOAD_CPU; the service and the hash run on SERVER_CPU.
taskset -cp "$LOAD_CPU" $$ >/dev/null

if curl -s -o /dev/null --max-time 1 "$BASE/"; then
    die "port $PORT is already in use (another benchmark running?); set BENCH_PORT"
fi

# ---------------------------------------------------------------------------------------------- hash alone

log "argon2id hash alone on CPU $SERVER_CPU: $RUNS x ${HASH_SECONDS}s"
timeout --kill-after=5 $(( RUNS * HASH_SECONDS + 120 )) taskset -c "$SERVER_CPU" \
    java -cp "$APP/lib/boot/*:$APP/lib/main/*:$APP/app/*" "$ROOT/bench/HashRate.java" "$HASH_SECONDS" 2 "$RUNS" \
    >"$OUT/hash.log" 2>&1 || die "the hash measurement failed; see $OUT/hash.log"
HASH_LINE=$(grep '^HASH_RESULT' "$OUT/hash.log") || die "no result from HashRate; see $OUT/hash.log"
HASH_RATE=$(field per_second "$HASH_LINE")
HASH_PARAMS=$(field params "$HASH_LINE")

# ---------------------------------------------------------------------------------------------- database, starts

log "re-creating database $DB on $DB_HOST:$DB_PORT"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres)
"${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >"$OUT/psql.log" 2>&1 \
    || "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB" >>"$OUT/psql.log" 2>&1 \
    || die "cannot drop database $DB; see $OUT/psql.log"
"${PSQL[@]}" -c "CREATE DATABASE $DB" >>"$OUT/psql.log" 2>&1 || die "cannot create database $DB; see $OUT/psql.log"

MASTER_KEY=$(head -c 32 /dev/urandom | base64 -w0)
ADMIN_USER=bench-admin
ADMIN_PASSWORD=$(random_word 24)

log "first start on the empty database (migrations, first admin)"
start_service "$OUT/service-first.log"
FIRST_READY_MS=$READY_MS
stop_service

READY_ALL=() IDLE_ALL=()
for i in $(seq "$RUNS"); do
    (( i == 1 )) || stop_service
    start_service "$OUT/service-$i.log"
    sleep 2
    READY_ALL+=("$READY_MS")
    IDLE_ALL+=("$(rss_kib "$SERVICE_PID" VmRSS)")
    log "start $i/$RUNS: ready in $READY_MS ms, idle RSS $(mib "${IDLE_ALL[-1]}") MiB"
done
# the service of the last start stays up for the load

# ---------------------------------------------------------------------------------------------- set-up via the API

log "setting up a user, a client and tokens through the API"
code=$(api -X POST -u "$ADMIN_USER:$ADMIN_PASSWORD" "$BASE/login")
[[ $code == 200 ]] || die "admin login: HTTP $code $(body)"
ADMIN_TOKEN=$(json_string token "$(body)")

LOGIN_USER=bench-user
LOGIN_PASSWORD=$(random_word 24)
code=$(api -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$LOGIN_USER\",\"password\":\"$LOGIN_PASSWORD\",\"roles\":[\"user\"]}" "$BASE/users")
[[ $code == 201 ]] || die "creating the user: HTTP $code $(body)"

code=$(api -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"client_id":"bench-gateway","permissions":["introspect"]}' "$BASE/clients")
[[ $code == 201 ]] || die "creating the client: HTTP $code $(body)"
CLIENT_SECRET=$(json_string client_secret "$(body)")
[[ -n $CLIENT_SECRET ]] || die "no client_secret in the client creation response"
CLIENT_BASIC=$(printf '%s' "bench-gateway:$CLIENT_SECRET" | base64 -w0)

LOGIN_BODY="{\"username\":\"$LOGIN_USER\",\"password\":\"$LOGIN_PASSWORD\"}"
code=$(api -X POST -H 'Content-Type: application/json' -d "$LOGIN_BODY" "$BASE/login")
[[ $code == 200 ]] || die "user login: HTTP $code $(body)"
VALID_TOKEN=$(json_string token "$(body)")
[[ $VALID_TOKEN == *.*.* ]] || die "no token in the login response"

# Invalid token: one character of the signature changed (not the last one, whose low bits base64url ignores).
SIG=${VALID_TOKEN##*.}
[[ ${SIG:5:1} == A ]] && SUBST=B || SUBST=A
INVALID_TOKEN="${VALID_TOKEN%.*}.${SIG:0:5}$SUBST${SIG:6}"

# Every scenario answers what it should before it is measured.
code=$(api "$BASE/.well-known/oauth-authorization-server")
[[ $code == 200 ]] || die "trivial endpoint: HTTP $code"
code=$(api -X POST -H "Authorization: Basic $CLIENT_BASIC" --data-urlencode "token=$VALID_TOKEN" "$BASE/introspect")
[[ $code == 200 && $(body) == *'"active":true'* ]] || die "introspection of the valid token: HTTP $code $(body)"
code=$(api -X POST -H "Authorization: Basic $CLIENT_BASIC" --data-urlencode "token=$INVALID_TOKEN" "$BASE/introspect")
[[ $code == 200 && $(body) == '{"active":false}' ]] || die "introspection of the invalid token: HTTP $code $(body)"
code=$(api -H "Authorization: Bearer $VALID_TOKEN" "$BASE/auth")
[[ $code == 200 || $code == 204 ]] || die "/auth with the valid token: HTTP $code $(body)"
code=$(api -H "Authorization: Bearer $INVALID_TOKEN" "$BASE/auth")
[[ $code == 401 ]] || die "/auth with the invalid token: HTTP $code (expected 401)"
rm -f "$OUT/response.json"

export BENCH_CLIENT_BASIC=$CLIENT_BASIC BENCH_LOGIN_USER=$LOGIN_USER BENCH_LOGIN_PASSWORD=$LOGIN_PASSWORD

# ---------------------------------------------------------------------------------------------- load

NAMES=(trivial introspect_valid introspect_invalid auth_valid login)
LABELS=("GET /.well-known/oauth-authorization-server (trivial)"
        "POST /introspect, valid token"
        "POST /introspect, invalid token"
        "GET /auth, valid token"
        "POST /login (JSON, argon2id), -c$LOGIN_CONNECTIONS")
SCRIPTS=(trivial.lua introspect.lua introspect.lua auth.lua login.lua)
TOKENS=("" "$VALID_TOKEN" "$INVALID_TOKEN" "$VALID_TOKEN" "")
CONNS=("$CONNECTIONS" "$CONNECTIONS" "$CONNECTIONS" "$CONNECTIONS" "$LOGIN_CONNECTIONS")
declare -A RPS P50 P99 ERR

if (( WARMUP > 0 )); then
    for s in "${!NAMES[@]}"; do
        log "warm-up ${NAMES[s]} (${WARMUP}s)"
        BENCH_TOKEN=${TOKENS[s]} run_wrk "$OUT/wrk-${NAMES[s]}-warmup.log" "${SCRIPTS[s]}" "${CONNS[s]}" "$WARMUP" warm-up >/dev/null
    done
fi

for r in $(seq "$RUNS"); do
    for s in "${!NAMES[@]}"; do
        n=${NAMES[s]}
        line=$(BENCH_TOKEN=${TOKENS[s]} run_wrk "$OUT/wrk-$n-$r.log" "${SCRIPTS[s]}" "${CONNS[s]}" "$RUN_SECONDS")
        RPS[$n]+=" $(field rps "$line")"
        P50[$n]+=" $(field p50_us "$line")"
        P99[$n]+=" $(field p99_us "$line")"
        ERR[$n]+=" $(( $(field status_errors "$line") + $(field socket_errors "$line") ))"
        log "run $r/$RUNS $n: $(field rps "$line") req/s, p50 $(field p50_us "$line") us, p99 $(field p99_us "$line") us"
    done
done

RSS_AFTER=$(rss_kib "$SERVICE_PID" VmRSS)
RSS_PEAK=$(rss_kib "$SERVICE_PID" VmHWM)
stop_service

# ---------------------------------------------------------------------------------------------- report

# shellcheck disable=SC2086 # word splitting of the space-separated run lists is intended
{
    echo "## Latchkey benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown);" \
        "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $CPUS CPUs; $(java -version 2>&1 | head -n1)."
    echo "Service on CPU $SERVER_CPU${JAVA_OPTS:+ (JVM options: $JAVA_OPTS)}, wrk -t1 -c$CONNECTIONS on CPU $LOAD_CPU;" \
        "each figure is the median of $RUNS run(s) of ${RUN_SECONDS}s after a ${WARMUP}s warm-up;" \
        "PostgreSQL at $DB_HOST:$DB_PORT."
    echo
    # two decimals, or four for a ratio under 0.1 (login)
    ratio() { calc "$(calc '%s' '$1 / $2 < 0.1 ? "%.4f" : "%.2f"' "$1" "$2")" '$1 / $2' "$1" "$2"; }
    echo "| scenario | req/s | p50 (ms) | p99 (ms) | errors | req/s vs trivial |"
    echo "|---|---:|---:|---:|---:|---:|"
    TRIVIAL_RPS=$(median ${RPS[trivial]})
    for s in "${!NAMES[@]}"; do
        n=${NAMES[s]}
        printf '| %s | %s | %s | %s | %s | %s |\n' "${LABELS[s]}" \
            "$(calc '%.0f' '$1' "$(median ${RPS[$n]})")" \
            "$(calc '%.2f' '$1 / 1000' "$(median ${P50[$n]})")" \
            "$(calc '%.2f' '$1 / 1000' "$(median ${P99[$n]})")" \
            "$(median ${ERR[$n]})" \
            "$(ratio "$(median ${RPS[$n]})" "$TRIVIAL_RPS")"
    done
    echo
    READY=$(median "${READY_ALL[@]}")
    IDLE=$(median "${IDLE_ALL[@]}")
    LOGIN_RPS=$(median ${RPS[login]})
    LOGIN_RATIO=$(calc '%.2f' '$1 / $2' "$LOGIN_RPS" "$HASH_RATE")
    echo "- Start to ready (launch until /q/health/ready is 200, median of $RUNS restart(s)): **$READY ms**" \
        "(first start on an empty database, with migrations: $FIRST_READY_MS ms)"
    echo "- RSS idle (after ready, median of $RUNS start(s)): **$(mib "$IDLE") MiB**;" \
        "after load: **$(mib "$RSS_AFTER") MiB** (peak $(mib "$RSS_PEAK") MiB)"
    echo "- Password hash alone on one core ($HASH_PARAMS): **$HASH_RATE verifies/s**;" \
        "/login: $(calc '%.1f' '$1' "$LOGIN_RPS") req/s = **$LOGIN_RATIO** of the hash alone"
    echo
    echo "| target | measured | result |"
    echo "|---|---|---|"
    verdict() { if [[ $1 == 1 ]]; then echo PASS; else echo "MISS ($2)"; fi; }
    INTRO_RATIO=$(calc '%.2f' '$1 / $2' "$(median ${RPS[introspect_valid]})" "$TRIVIAL_RPS")
    INTRO_P99=$(calc '%.2f' '$1 / 1000' "$(median ${P99[introspect_valid]})")
    ERRORS_TOTAL=0
    for n in "${NAMES[@]}"; do for e in ${ERR[$n]}; do ERRORS_TOTAL=$(( ERRORS_TOTAL + e )); done; done
    INTRO_ERRORS=0
    for e in ${ERR[introspect_valid]}; do INTRO_ERRORS=$(( INTRO_ERRORS + e )); done
    printf '| /introspect valid: req/s >= 0.70 x trivial | %s x | %s |\n' "$INTRO_RATIO" \
        "$(verdict "$(calc '%d' '$1 >= 0.70' "$INTRO_RATIO")" "$(calc '%.0f' '(0.70 - $1) * 100' "$INTRO_RATIO") points short")"
    printf '| /introspect valid: p99 < 5 ms | %s ms | %s |\n' "$INTRO_P99" \
        "$(verdict "$(calc '%d' '$1 < 5' "$INTRO_P99")" "$(calc '%.2f' '$1 - 5' "$INTRO_P99") ms over")"
    printf '| zero errors (/introspect valid, and every scenario in every run) | %s, all: %s | %s |\n' \
        "$INTRO_ERRORS" "$ERRORS_TOTAL" \
        "$(verdict "$(( ERRORS_TOTAL == 0 ? 1 : 0 ))" "$ERRORS_TOTAL errors")"
    printf '| start to ready < 2 s | %s ms | %s |\n' "$READY" \
        "$(verdict "$(( READY < 2000 ? 1 : 0 ))" "$(( READY - 2000 )) ms over")"
    printf '| RSS after load < 300 MiB | %s MiB | %s |\n' "$(mib "$RSS_AFTER")" \
        "$(verdict "$(( RSS_AFTER < 300 * 1024 ? 1 : 0 ))" "$(( (RSS_AFTER - 300 * 1024) / 1024 )) MiB over")"
    printf '| /login >= 0.90 x hash alone | %s x | %s |\n' "$LOGIN_RATIO" \
        "$(verdict "$(calc '%d' '$1 >= 0.90' "$LOGIN_RATIO")" "$(calc '%.0f' '(0.90 - $1) * 100' "$LOGIN_RATIO") points short")"
} | tee "$OUT/results.md"
log "table written to $OUT/results.md; raw output in $OUT/"
