# Shared by bench/run.sh and bench/scale.sh (sourced, after lib.sh's helpers): settings, starting and stopping
# Latchkey and its two comparators (the bare stack, and the persistence floor: the bare stack plus the persistence
# stack Latchkey must keep, bench/bare's profile "persistence"), wrk runs, warm-up until the rate settles, seeding.
# Every step is bounded in time.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
SERVER_CPU=${BENCH_SERVER_CPU:-0}
LOAD_CPU=${BENCH_LOAD_CPU:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
PORT=${BENCH_PORT:-18080}
BARE_PORT=${BENCH_BARE_PORT:-18081}
FLOOR_PORT=${BENCH_FLOOR_PORT:-18082}
DB_HOST=${BENCH_PGHOST:-127.0.0.1}
DB_PORT=${BENCH_PGPORT:-5432}
DB_USER=${BENCH_PGUSER:-postgres}
DB=${BENCH_DB:-latchkey_bench}
SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
# Dockerfile.jvm's JVM: a JDK 25 when one is installed (the first /usr/lib/jvm/*-25*), else java on the PATH.
JAVA_BIN=${BENCH_JAVA:-$(ls -d /usr/lib/jvm/*-25*/bin/java 2>/dev/null | head -n1)}
JAVA_BIN=${JAVA_BIN:-java}
# Container-sized: Dockerfile.jvm's JVM options, with the JVM told it has BENCH_CONTAINER_MIB of memory (what a
# container limit does), so MaxRAMPercentage sizes the heap as it would in that container.
CONTAINER_MIB=${BENCH_CONTAINER_MIB:-256}
DOCKER_OPTS=$(sed -n 's/^ENV JAVA_OPTS="\(.*\)"$/\1/p' "$ROOT/Dockerfile.jvm" | sed 's/-Dquarkus.http.host=[^ ]*//')
JAVA_OPTS=${BENCH_JAVA_OPTS-$DOCKER_OPTS -XX:MaxRAM=${CONTAINER_MIB}m}
# Dockerfile.jvm's malloc setting, for every JVM started here (glibc reads it at start)
DOCKER_ARENAS=$(sed -n 's/^ENV MALLOC_ARENA_MAX=\([0-9]*\)$/\1/p' "$ROOT/Dockerfile.jvm")
[[ -z $DOCKER_ARENAS ]] || export MALLOC_ARENA_MAX=$DOCKER_ARENAS
# 1: run both services with a start-up cache made as Dockerfile.jvm makes Latchkey's (see make_archive)
ARCHIVE=${BENCH_ARCHIVE:-1}
SETTLE_SLICE=${BENCH_SETTLE_SLICE:-3}
SETTLE_MAX=${BENCH_SETTLE_MAX:-60}

OUT=${OUT:-$ROOT/target/bench}
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER")
APP=$ROOT/target/quarkus-app
BARE_APP=$ROOT/bench/bare/target/quarkus-app
FLOOR_APP=$ROOT/bench/bare/target/persistence/quarkus-app
BASE=http://127.0.0.1:$PORT
BARE_BASE=http://127.0.0.1:$BARE_PORT
FLOOR_BASE=http://127.0.0.1:$FLOOR_PORT
SERVICE_PID= BARE_PID= FLOOR_PID=
ARCHIVE_OPTS=() BARE_ARCHIVE_OPTS=() FLOOR_ARCHIVE_OPTS=()

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
rss_kib() { awk '/^'"$2"':/ { print $2 }' "/proc/$1/status"; }
mib() { calc '%.0f' '$1 / 1024' "$1"; }
api() { curl -sS --max-time 60 -o "$OUT/response.json" -w "%{http_code}" "$@" || true; }
body() { cat "$OUT/response.json"; }

check_tools() {
    for tool in "$JAVA_BIN" curl psql taskset timeout base64 awk sed; do
        command -v "$tool" >/dev/null || die "'$tool' is required"
    done
    (( SERVER_CPU != LOAD_CPU )) || die "BENCH_SERVER_CPU and BENCH_LOAD_CPU must be different cores"
    local cpus; cpus=$(getconf _NPROCESSORS_ONLN)
    (( SERVER_CPU < cpus && LOAD_CPU < cpus )) || die "this machine has $cpus online CPU(s); the benchmark needs 2"
    [[ $DB =~ ^[a-z_][a-z0-9_]*$ ]] || die "BENCH_DB must be a plain lower-case identifier (got '$DB')"
    ensure_wrk "$OUT/apt.log"
}

# The start-up cache this JVM supports: "aot" (JDK 25+: an AOT cache, of an aot-jar build, as Dockerfile.jvm makes),
# "cds" (older: an AppCDS archive of the default fast-jar build), "none" (BENCH_ARCHIVE=0).
JAVA_MAJOR=$("$JAVA_BIN" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [[ $ARCHIVE != 1 ]]; then CACHE=none; elif (( ${JAVA_MAJOR:-0} >= 25 )); then CACHE=aot; else CACHE=cds; fi
JAR_TYPE=(); [[ $CACHE != aot ]] || JAR_TYPE=(-Dquarkus.package.jar.type=aot-jar)

# The production build (no embedded PostgreSQL) and, with "bare", both comparators too, in the layout CACHE needs.
build() {
    [[ $SKIP_BUILD == 1 ]] && return 0
    build_service "$OUT/build.log" "${JAR_TYPE[@]}"
    [[ ${1:-} == bare ]] || return 0
    local profile
    for profile in "" -Ppersistence; do
        log "building the bare stack: ./mvnw -f bench/bare/pom.xml package ${profile:+$profile }${JAR_TYPE[*]}"
        "$ROOT/mvnw" -B -q -f "$ROOT/bench/bare/pom.xml" package -DskipTests $profile "${JAR_TYPE[@]}" \
            >"$OUT/build-bare${profile/-P/-}.log" 2>&1 || die "the bare build failed; see $OUT/build-bare${profile/-P/-}.log"
    done
}

# The settings that point a service at database $1 (QUARKUS_DATASOURCE_*), in the array DB_SETTINGS.
db_settings() {
    DB_SETTINGS=(QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$DB_HOST:$DB_PORT/$1" QUARKUS_DATASOURCE_USERNAME="$DB_USER")
    [[ -z ${PGPASSWORD:-} ]] || DB_SETTINGS+=(QUARKUS_DATASOURCE_PASSWORD="$PGPASSWORD")
}

# The start-up caches, made as Dockerfile.jvm makes Latchkey's: one training run (deploy/training-run.sh) until
# ready, Latchkey's against a throw-away database ${DB}_training. With "bare", both comparators get the same kind of
# cache (the persistence floor's trained on that database too), so the start-up comparison is like for like.
# Sets ARCHIVE_OPTS (Latchkey's), BARE_ARCHIVE_OPTS and FLOOR_ARCHIVE_OPTS.
make_archive() {
    ARCHIVE_OPTS=() BARE_ARCHIVE_OPTS=() FLOOR_ARCHIVE_OPTS=()
    local record use file
    case $CACHE in
        aot) file=app.aot record=-XX:AOTCacheOutput=$file use=-XX:AOTCache=$file ;;
        cds) file=app-cds.jsa record=-XX:ArchiveClassesAtExit=$file use=-XX:SharedArchiveFile=$file ;;
        *) return 0 ;;
    esac
    log "making the start-up caches ($use, as Dockerfile.jvm does)"
    local training=${DB}_training psql=("${PSQL[@]}" -d postgres)
    "${psql[@]}" -c "DROP DATABASE IF EXISTS $training" -c "CREATE DATABASE $training" >"$OUT/archive.log" 2>&1 \
        || die "cannot create database $training; see $OUT/archive.log"
    rm -f "$APP/$file"
    [[ ${1:-} != bare ]] || rm -f "$BARE_APP/$file" "$FLOOR_APP/$file"
    db_settings "$training"
    (cd "$APP" && env QUARKUS_HTTP_PORT="$PORT" QUARKUS_HTTP_HOST=127.0.0.1 "${DB_SETTINGS[@]}" \
        LATCHKEY_MASTER_KEY="$(head -c 32 /dev/urandom | base64 -w0)" \
        timeout 600 taskset -c "$SERVER_CPU" sh "$ROOT/deploy/training-run.sh" "$JAVA_BIN" "$record") \
        >>"$OUT/archive.log" 2>&1 || die "Latchkey's training run failed; see $OUT/archive.log"
    [[ -s $APP/$file ]] || die "no cache was written; see $OUT/archive.log"
    ARCHIVE_OPTS=("$use")
    if [[ ${1:-} == bare ]]; then
        (cd "$BARE_APP" && env QUARKUS_HTTP_PORT="$BARE_PORT" \
            timeout 600 taskset -c "$SERVER_CPU" sh "$ROOT/deploy/training-run.sh" "$JAVA_BIN" "$record") \
            >>"$OUT/archive.log" 2>&1 || die "the bare stack's training run failed; see $OUT/archive.log"
        [[ -s $BARE_APP/$file ]] || die "no cache was written for the bare stack; see $OUT/archive.log"
        BARE_ARCHIVE_OPTS=("$use")
        (cd "$FLOOR_APP" && env QUARKUS_HTTP_PORT="$FLOOR_PORT" "${DB_SETTINGS[@]}" \
            timeout 600 taskset -c "$SERVER_CPU" sh "$ROOT/deploy/training-run.sh" "$JAVA_BIN" "$record") \
            >>"$OUT/archive.log" 2>&1 || die "the persistence floor's training run failed; see $OUT/archive.log"
        [[ -s $FLOOR_APP/$file ]] || die "no cache was written for the persistence floor; see $OUT/archive.log"
        FLOOR_ARCHIVE_OPTS=("$use")
    fi
    "${psql[@]}" -c "DROP DATABASE $training" >>"$OUT/archive.log" 2>&1 || true
}

# wait_ready <pid> <base url> <log>: polls /q/health/ready every 20 ms; sets READY_MS from START_MS.
wait_ready() {
    local pid=$1 base=$2 logfile=$3 code
    while :; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$base/q/health/ready" || true)
        [[ $code == 200 ]] && break
        kill -0 "$pid" 2>/dev/null || die "the service exited while starting; see $logfile"
        (( $(now_ms) - START_MS < 300000 )) || die "not ready within 300 s; see $logfile"
        sleep 0.02
    done
    READY_MS=$(( $(now_ms) - START_MS ))
}

# start_app <pid variable> <quarkus-app directory> <port> <log> [setting...]: starts that app on SERVER_CPU with
# JAVA_OPTS, a start-up cache (the options in CACHE_OPTS) and the settings; sets the pid variable and READY_MS.
start_app() {
    local pid_var=$1 dir=$2 port=$3 logfile=$4; shift 4
    START_MS=$(now_ms)
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    (cd "$dir" && exec env QUARKUS_HTTP_PORT="$port" "$@" taskset -c "$SERVER_CPU" "$JAVA_BIN" $JAVA_OPTS \
        "${CACHE_OPTS[@]}" -jar quarkus-run.jar) >"$logfile" 2>&1 &
    printf -v "$pid_var" %s $!
    wait_ready "${!pid_var}" "http://127.0.0.1:$port" "$logfile"
}

# Starts Latchkey (output in $1); sets SERVICE_PID and READY_MS.
start_service() {
    CACHE_OPTS=("${ARCHIVE_OPTS[@]}")
    db_settings "$DB"
    start_app SERVICE_PID "$APP" "$PORT" "$1" QUARKUS_HTTP_HOST=127.0.0.1 "${DB_SETTINGS[@]}" \
        LATCHKEY_MASTER_KEY="$MASTER_KEY" LATCHKEY_ADMIN_USERNAME="$ADMIN_USER" LATCHKEY_ADMIN_PASSWORD="$ADMIN_PASSWORD"
}

start_bare() {
    CACHE_OPTS=("${BARE_ARCHIVE_OPTS[@]}")
    start_app BARE_PID "$BARE_APP" "$BARE_PORT" "$1"
}

# The persistence floor, on the benchmark's database (Latchkey's; it reads none of its tables).
start_floor() {
    CACHE_OPTS=("${FLOOR_ARCHIVE_OPTS[@]}")
    db_settings "$DB"
    start_app FLOOR_PID "$FLOOR_APP" "$FLOOR_PORT" "$1" "${DB_SETTINGS[@]}"
}

stop_pid() {
    local pid=$1
    [[ -n $pid ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}
stop_bare() { stop_pid "$BARE_PID"; BARE_PID=; }
stop_floor() { stop_pid "$FLOOR_PID"; FLOOR_PID=; }
stop_all() { stop_service; stop_bare; stop_floor; }

# run_wrk <logfile> <lua script> <base url> <seconds>: prints the BENCH_RESULT line.
run_wrk() {
    local logfile=$1 script=$2 base=$3 seconds=$4 line
    timeout --kill-after=5 $(( seconds + 60 )) taskset -c "$LOAD_CPU" \
        wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --timeout 5s --latency -s "$ROOT/bench/$script" "$base" \
        >"$logfile" 2>&1 || die "wrk failed or overran; see $logfile"
    line=$(grep '^BENCH_RESULT' "$logfile") || die "no result line from wrk; see $logfile"
    echo "$line"
}

# settle <name> <lua script> <base url>: runs SETTLE_SLICE-second slices until two in a row are within 3% of
# each other (the JIT has done its work), at most SETTLE_MAX seconds. Prints the slices' rates.
settle() {
    local name=$1 script=$2 base=$3 previous=0 rate spent=0 i=0 rates=()
    while (( spent < SETTLE_MAX )); do
        i=$(( i + 1 ))
        rate=$(field rps "$(run_wrk "$OUT/wrk-$name-settle-$i.log" "$script" "$base" "$SETTLE_SLICE")")
        rates+=("$(calc '%.0f' '$1' "$rate")")
        spent=$(( spent + SETTLE_SLICE ))
        if (( i > 1 )) && [[ $(calc '%d' '($1 - $2) <= 0.03 * $2 && ($2 - $1) <= 0.03 * $2' "$rate" "$previous") == 1 ]]; then
            break
        fi
        previous=$rate
    done
    log "warm-up $name settled after ${spent}s: ${rates[*]} req/s"
}

# pass_over_tokens <name> <path> <count>: requests <path> with each of the first <count> tokens of $TOKENS_FILE
# once, as 5-second wrk runs that continue where the last stopped; sets PASS_MS (from the first request to the
# <count>th answer) and PASS_ERRORS (of the whole runs).
pass_over_tokens() {
    local name=$1 path=$2 count=$3 served=0 i=0 line started done_ms=
    started=$(now_ms) PASS_ERRORS=0
    while [[ -z $done_ms ]] && (( $(now_ms) - started < 900000 )); do
        i=$(( i + 1 ))
        line=$(BENCH_TOKEN_FILE=$TOKENS_FILE BENCH_PATH=$path BENCH_TOKEN_OFFSET=$served \
            BENCH_PASS_LEFT=$(( count - served )) run_wrk "$OUT/wrk-$name-pass-$i.log" tokens.lua "$BASE" 5)
        served=$(( served + $(field requests "$line") ))
        PASS_ERRORS=$(( PASS_ERRORS + $(field status_errors "$line") + $(field socket_errors "$line") ))
        done_ms=$(sed -n 's/^PASS_DONE_MS=//p' "$OUT/wrk-$name-pass-$i.log")
    done
    [[ -n $done_ms ]] || die "the pass over $count tokens did not end within 900 s; see $OUT/wrk-$name-pass-*.log"
    PASS_MS=$(( done_ms - started ))
}

# seed <users> <revoked> <token users> <tokens> <token file>: bench/Seed.java, the service's own classes on the
# class path; the file gets <tokens> tokens of the first <token users> users, in turn.
seed() {
    log "seeding $1 users and $2 revoked tokens; $4 tokens of $3 of the users"
    LATCHKEY_MASTER_KEY=$MASTER_KEY timeout 1800 "$JAVA_BIN" -Xmx1g -cp "$APP/lib/boot/*:$APP/lib/main/*:$APP/app/*" \
        "$ROOT/bench/Seed.java" "jdbc:postgresql://$DB_HOST:$DB_PORT/$DB" "$DB_USER" "$1" "$2" "$3" "$4" "$5" \
        >"$OUT/seed-$1.log" 2>&1 || die "seeding failed; see $OUT/seed-$1.log"
    grep '^SEED_RESULT' "$OUT/seed-$1.log" >&2
}

# Creates a client with permission "introspect" through the API; sets CLIENT_BASIC.
create_client() {
    local code admin_token
    code=$(api -X POST -u "$ADMIN_USER:$ADMIN_PASSWORD" "$BASE/login")
    [[ $code == 200 ]] || die "admin login: HTTP $code $(body)"
    admin_token=$(json_string token "$(body)")
    ADMIN_TOKEN=$admin_token
    code=$(api -X POST -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' \
        -d "{\"client_id\":\"bench-gateway-$(random_word 6)\",\"permissions\":[\"introspect\"]}" "$BASE/clients")
    [[ $code == 201 ]] || die "creating the client: HTTP $code $(body)"
    local id secret
    id=$(json_string client_id "$(body)")
    secret=$(json_string client_secret "$(body)")
    [[ -n $secret ]] || die "no client_secret in the client creation response"
    CLIENT_BASIC=$(printf '%s' "$id:$secret" | base64 -w0)
}

new_secrets() {
    MASTER_KEY=$(head -c 32 /dev/urandom | base64 -w0)
    ADMIN_USER=bench-admin
    ADMIN_PASSWORD=$(random_word 24)
}
