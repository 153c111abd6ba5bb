#!/usr/bin/env bash
# Latchkey against the bare stack: a Quarkus REST app with one trivial endpoint and the readiness check
# (bench/bare: same Quarkus, same HTTP/JSON extensions, same JVM options), measured side by side in one run.
# A second comparator, the persistence floor (bench/bare built with -Ppersistence: the same app plus the persistence
# stack Latchkey must keep, Hibernate ORM with Panache, Narayana, Agroal and the PostgreSQL driver, one entity and the
# datasource's readiness check), shows what that stack alone costs; it explains, the targets stay against the bare stack.
# Never part of CI; every step is bounded in time; traffic goes to loopback only.
#
# Usage, from a checkout (2+ CPUs, Java 17+, curl, psql, a PostgreSQL that accepts the user below):
#
#     bench/run.sh
#
# What it does:
#   1. builds Latchkey (-Dproduction: no embedded PostgreSQL), the bare stack and the persistence floor; installs
#      wrk if missing;
#      makes a start-up cache for each as Dockerfile.jvm makes Latchkey's, with one training run until ready: on a
#      JDK 25+ an AOT cache of an aot-jar build, on older JDKs an AppCDS archive (BENCH_ARCHIVE=0: none);
#   2. drops and re-creates the database $BENCH_DB, starts Latchkey once (migrations, first admin), seeds
#      100,000 users with valid keys (bench/Seed.java) and mints a token for each;
#   3. start to ready (launch until /q/health/ready answers 200, polled every 20 ms), bare, the persistence floor
#      and Latchkey in turn, each with its cache (bare and Latchkey also without), $BENCH_ROUNDS times, all on CPU
#      $BENCH_SERVER_CPU with the JVM options of Dockerfile.jvm and a container-sized heap (-XX:MaxRAM=${BENCH_CONTAINER_MIB}m);
#   4. with all three running (RSS read idle), warms each scenario until its rate settles (slices of 3 s until two
#      agree within 3%), then $BENCH_ROUNDS rounds of every scenario in turn (wrk -t1 -c64 on the other core), the
#      median is reported; the persistence floor gets the bare stack's /hello load, and both their RSS is read after;
#   5. fills Latchkey's key cache with the 100,000 users (one /auth per token) and reads RSS;
#   6. prints the figures, their ratios to the bare stack and PASS/FAIL per target (also in target/bench/results.md),
#      then runs bench/login.sh (the /login targets) when it exists.
#
# Settings (environment; defaults in brackets): BENCH_ROUNDS [3], BENCH_SECONDS [10], BENCH_CONNECTIONS [64],
# BENCH_CACHED_USERS [100000], BENCH_SERVER_CPU [0], BENCH_LOAD_CPU [1], BENCH_PORT [18080], BENCH_BARE_PORT [18081],
# BENCH_FLOOR_PORT [18082],
# BENCH_PGHOST [127.0.0.1], BENCH_PGPORT [5432], BENCH_PGUSER [postgres] (PGPASSWORD is passed on),
# BENCH_DB [latchkey_bench] (DROPPED and re-created; ${BENCH_DB}_training too), BENCH_SKIP_BUILD [0],
# BENCH_JAVA [the first /usr/lib/jvm/*-25*/bin/java, else java],
# BENCH_CONTAINER_MIB [256], BENCH_JAVA_OPTS [Dockerfile.jvm's + -XX:MaxRAM], BENCH_ARCHIVE [1],
# BENCH_SETTLE_MAX [60] (seconds of warm-up at most per scenario). MALLOC_ARENA_MAX is taken from Dockerfile.jvm
# like the JVM options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$ROOT"

ROUNDS=${BENCH_ROUNDS:-3}
RUN_SECONDS=${BENCH_SECONDS:-10}
CACHED_USERS=${BENCH_CACHED_USERS:-100000}
# Room in the key cache for all the users' keys besides the admin's: at its bound the cache drops keys (it dropped
# all of them until 79d62ab, so with the default bound the fill's last user emptied it and RSS was read with few keys).
export LATCHKEY_CACHE_MAX_KEYS=$(( CACHED_USERS + 100 ))

mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/results.md
trap 'stop_all' EXIT
trap 'exit 130' INT TERM
check_tools
build bare
for dir in "$APP" "$BARE_APP" "$FLOOR_APP"; do [[ -f $dir/quarkus-run.jar ]] || die "$dir: no build (build first)"; done
taskset -cp "$LOAD_CPU" $$ >/dev/null
for url in "$BASE" "$BARE_BASE" "$FLOOR_BASE"; do
    ! curl -s -o /dev/null --max-time 1 "$url/" \
        || die "$url is already in use; set BENCH_PORT / BENCH_BARE_PORT / BENCH_FLOOR_PORT"
done
make_archive bare

# ---------------------------------------------------------------------------------------------- data

new_secrets
recreate_database "$OUT/psql.log"
log "first start on the empty database (migrations, first admin)"
ARCHIVE_KEEP=("${ARCHIVE_OPTS[@]}")
start_service "$OUT/service-first.log"
FIRST_READY_MS=$READY_MS
stop_service
TOKENS_FILE=$OUT/tokens-$CACHED_USERS.txt
seed "$CACHED_USERS" 0 "$CACHED_USERS" "$CACHED_USERS" "$TOKENS_FILE"

# ---------------------------------------------------------------------------------------------- starts

READY_BARE=() READY_FLOOR=() READY_LK=() READY_BARE_PLAIN=() READY_LK_PLAIN=()
BARE_ARCHIVE_KEEP=("${BARE_ARCHIVE_OPTS[@]}")
for r in $(seq "$ROUNDS"); do
    ARCHIVE_OPTS=("${ARCHIVE_KEEP[@]}") BARE_ARCHIVE_OPTS=("${BARE_ARCHIVE_KEEP[@]}")
    start_bare "$OUT/bare-$r.log"; READY_BARE+=("$READY_MS"); stop_bare
    start_floor "$OUT/floor-$r.log"; READY_FLOOR+=("$READY_MS"); stop_floor
    start_service "$OUT/service-$r.log"; READY_LK+=("$READY_MS"); stop_service
    if (( ${#ARCHIVE_KEEP[@]} )); then
        ARCHIVE_OPTS=() BARE_ARCHIVE_OPTS=()
        start_bare "$OUT/bare-plain-$r.log"; READY_BARE_PLAIN+=("$READY_MS"); stop_bare
        start_service "$OUT/service-plain-$r.log"; READY_LK_PLAIN+=("$READY_MS"); stop_service
    fi
    log "start round $r/$ROUNDS: bare ${READY_BARE[-1]} ms, persistence floor ${READY_FLOOR[-1]} ms," \
        "Latchkey ${READY_LK[-1]} ms" \
        "${READY_LK_PLAIN:+(without the caches: bare ${READY_BARE_PLAIN[-1]} ms, Latchkey ${READY_LK_PLAIN[-1]} ms)}"
done
ARCHIVE_OPTS=("${ARCHIVE_KEEP[@]}") BARE_ARCHIVE_OPTS=("${BARE_ARCHIVE_KEEP[@]}")

# ---------------------------------------------------------------------------------------------- load

start_bare "$OUT/bare-load.log"
BARE_IDLE_KIB=$(rss_kib "$BARE_PID" VmRSS)
start_floor "$OUT/floor-load.log"
FLOOR_IDLE_KIB=$(rss_kib "$FLOOR_PID" VmRSS)
start_service "$OUT/service-load.log"
IDLE_KIB=$(rss_kib "$SERVICE_PID" VmRSS)
create_client
VALID_TOKEN=$(head -n1 "$TOKENS_FILE")
SIG=${VALID_TOKEN##*.}
[[ ${SIG:5:1} == A ]] && SUBST=B || SUBST=A
FORGED_TOKEN="${VALID_TOKEN%.*}.${SIG:0:5}$SUBST${SIG:6}"   # one signature character changed
code=$(api -X POST -H "Authorization: Basic $CLIENT_BASIC" --data-urlencode "token=$VALID_TOKEN" "$BASE/introspect")
[[ $code == 200 && $(body) == *'"active":true'* ]] || die "introspection of the valid token: HTTP $code $(body)"
code=$(api -X POST -H "Authorization: Basic $CLIENT_BASIC" --data-urlencode "token=$FORGED_TOKEN" "$BASE/introspect")
[[ $code == 200 && $(body) == '{"active":false}' ]] || die "introspection of the forged token: HTTP $code $(body)"
code=$(api -H "Authorization: Bearer $VALID_TOKEN" "$BASE/auth")
[[ $code == 200 || $code == 204 ]] || die "/auth with the valid token: HTTP $code $(body)"
rm -f "$OUT/response.json"
export BENCH_CLIENT_BASIC=$CLIENT_BASIC

# The persistence floor's /hello (the bare stack's load, so that both RSS figures after load compare) is informative:
# no target reads it, and its errors do not count in "no errors".
NAMES=(bare floor introspect_valid introspect_forged auth_valid trivial)
LABELS=("bare stack: GET /hello"
        "bare stack + persistence stack: GET /hello"
        "POST /introspect, same valid token"
        "POST /introspect, forged signature (full check each time)"
        "GET /auth, same valid token"
        "Latchkey GET /.well-known/oauth-authorization-server")
SCRIPTS=(bare.lua bare.lua introspect.lua introspect.lua auth.lua trivial.lua)
BASES=("$BARE_BASE" "$FLOOR_BASE" "$BASE" "$BASE" "$BASE" "$BASE")
TOKENS=("" "" "$VALID_TOKEN" "$FORGED_TOKEN" "$VALID_TOKEN" "")
declare -A RPS P99 ERR
for s in "${!NAMES[@]}"; do
    BENCH_TOKEN=${TOKENS[s]} settle "${NAMES[s]}" "${SCRIPTS[s]}" "${BASES[s]}"
done
for r in $(seq "$ROUNDS"); do
    for s in "${!NAMES[@]}"; do
        n=${NAMES[s]}
        line=$(BENCH_TOKEN=${TOKENS[s]} run_wrk "$OUT/wrk-$n-$r.log" "${SCRIPTS[s]}" "${BASES[s]}" "$RUN_SECONDS")
        RPS[$n]+=" $(field rps "$line")"
        P99[$n]+=" $(field p99_us "$line")"
        ERR[$n]+=" $(( $(field status_errors "$line") + $(field socket_errors "$line") ))"
        log "round $r/$ROUNDS $n: $(field rps "$line") req/s, p99 $(field p99_us "$line") us"
    done
done
BARE_LOAD_KIB=$(rss_kib "$BARE_PID" VmRSS)
FLOOR_LOAD_KIB=$(rss_kib "$FLOOR_PID" VmRSS)
stop_bare
stop_floor

log "filling the key cache: one GET /auth for each of the $CACHED_USERS users"
pass_over_tokens fill /auth "$CACHED_USERS"
FILL_MS=$PASS_MS FILL_ERRORS=$PASS_ERRORS
RSS_KIB=$(rss_kib "$SERVICE_PID" VmRSS)
PEAK_KIB=$(rss_kib "$SERVICE_PID" VmHWM)
stop_service

# ---------------------------------------------------------------------------------------------- report

# shellcheck disable=SC2086 # the space-separated run lists are split on purpose
{
    m() { median ${RPS[$1]}; }
    p() { median ${P99[$1]}; }
    BARE_RPS=$(m bare) BARE_P99=$(p bare)
    verdict() { if [[ $1 == 1 ]]; then echo PASS; else echo FAIL; fi; }
    echo "## Latchkey against the bare stack"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown);" \
        "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(getconf _NPROCESSORS_ONLN) CPUs;" \
        "$("$JAVA_BIN" -version 2>&1 | head -n1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "All three services on CPU $SERVER_CPU with JVM options \`$JAVA_OPTS\`${ARCHIVE_OPTS[*]:+ and each its own \`${ARCHIVE_OPTS[*]}\`};" \
        "wrk -t1 -c$CONNECTIONS on CPU $LOAD_CPU; each scenario warmed until its rate settled, then $ROUNDS interleaved" \
        "rounds of ${RUN_SECONDS}s (medians); PostgreSQL at $DB_HOST:$DB_PORT."
    echo
    echo "| scenario | req/s | p99 (ms) | errors | ratio to bare |"
    echo "|---|---:|---:|---:|---:|"
    for s in "${!NAMES[@]}"; do
        n=${NAMES[s]}
        printf '| %s | %.0f | %.2f | %s | %.2f |\n' "${LABELS[s]}" "$(m "$n")" "$(calc '%f' '$1 / 1000' "$(p "$n")")" \
            "$(median ${ERR[$n]})" "$(calc '%f' '$1 / $2' "$(m "$n")" "$BARE_RPS")"
    done
    echo
    S_BARE=$(median "${READY_BARE[@]}") S_LK=$(median "${READY_LK[@]}") PLAIN=
    if (( ${#READY_LK_PLAIN[@]} )); then
        S_BARE_PLAIN=$(median "${READY_BARE_PLAIN[@]}")
        PLAIN="(without the caches: bare $S_BARE_PLAIN ms, Latchkey $(median "${READY_LK_PLAIN[@]}") ms; Latchkey with"
        PLAIN+=" its cache against bare without: $(calc '%.2f' '$1 / $2' "$S_LK" "$S_BARE_PLAIN")x) "
    fi
    echo "- Start to ready, median of $ROUNDS: bare **$S_BARE ms**, Latchkey **$S_LK ms** ${PLAIN}(first start," \
        "with migrations: $FIRST_READY_MS ms)"
    echo "- Latchkey RSS idle after start: $(mib "$IDLE_KIB") MiB; after load and $CACHED_USERS users' keys cached" \
        "(filled in $(calc '%.1f' '$1 / 1000' "$FILL_MS") s, $FILL_ERRORS errors): **$(mib "$RSS_KIB") MiB** (peak $(mib "$PEAK_KIB") MiB)"
    # What the persistence stack Latchkey must keep costs by itself (informative; the targets below are against bare).
    S_FLOOR=$(median "${READY_FLOOR[@]}")
    echo "- bare stack + persistence stack: start **$S_FLOOR ms** ($(calc '%.2f' '$1 / $2' "$S_FLOOR" "$S_BARE")x bare);" \
        "Latchkey $(calc '%.2f' '$1 / $2' "$S_LK" "$S_FLOOR")x of it"
    echo "- bare stack + persistence stack: RSS idle **$(mib "$FLOOR_IDLE_KIB") MiB**" \
        "($(calc '%.2f' '$1 / $2' "$FLOOR_IDLE_KIB" "$BARE_IDLE_KIB")x bare's $(mib "$BARE_IDLE_KIB") MiB), Latchkey idle" \
        "$(calc '%.2f' '$1 / $2' "$IDLE_KIB" "$FLOOR_IDLE_KIB")x of it; after the /hello load **$(mib "$FLOOR_LOAD_KIB") MiB**" \
        "($(calc '%.2f' '$1 / $2' "$FLOOR_LOAD_KIB" "$BARE_LOAD_KIB")x bare's $(mib "$BARE_LOAD_KIB") MiB), Latchkey after" \
        "load with $CACHED_USERS keys $(calc '%.2f' '$1 / $2' "$RSS_KIB" "$FLOOR_LOAD_KIB")x of it"
    echo
    echo "| target | measured | result |"
    echo "|---|---|---|"
    R=$(calc '%.2f' '$1 / $2' "$S_LK" "$S_BARE")
    case $CACHE in aot) C="an AOT cache each" ;; cds) C="an AppCDS archive each" ;; *) C="no start-up cache" ;; esac
    echo "| start to ready <= 1.5x bare ($C) | ${R}x | $(verdict "$(calc '%d' '$1 <= 1.5' "$R")") |"
    R=$(calc '%.2f' '$1 / $2' "$(m introspect_valid)" "$BARE_RPS")
    echo "| /introspect same valid token >= 0.85x bare req/s | ${R}x | $(verdict "$(calc '%d' '$1 >= 0.85' "$R")") |"
    echo "| /introspect same valid token p99 <= bare p99 | $(calc '%.2f' '$1 / 1000' "$(p introspect_valid)") ms vs" \
        "$(calc '%.2f' '$1 / 1000' "$BARE_P99") ms | $(verdict "$(calc '%d' '$1 <= $2' "$(p introspect_valid)" "$BARE_P99")") |"
    R=$(calc '%.2f' '$1 / $2' "$(m introspect_forged)" "$BARE_RPS")
    echo "| /introspect forged token >= 0.70x bare req/s | ${R}x | $(verdict "$(calc '%d' '$1 >= 0.70' "$R")") |"
    echo "| RSS after load with $CACHED_USERS keys cached <= 256 MiB | $(mib "$RSS_KIB") MiB |" \
        "$(verdict "$(( RSS_KIB <= 256 * 1024 ? 1 : 0 ))") |"
    ALL_ERR=0; for n in "${NAMES[@]}"; do [[ $n != floor ]] || continue; for e in ${ERR[$n]}; do ALL_ERR=$(( ALL_ERR + e )); done; done
    echo "| no errors in any measured run | $ALL_ERR | $(verdict "$(( ALL_ERR == 0 ? 1 : 0 ))") |"
} | tee "$OUT/results.md"
log "table written to $OUT/results.md; raw output in $OUT/"

if [[ -x $ROOT/bench/login.sh ]]; then
    log "running bench/login.sh (the /login targets)"
    BENCH_SKIP_BUILD=1 "$ROOT/bench/login.sh"
else
    log "bench/login.sh is not there yet: the /login targets are skipped"
fi
