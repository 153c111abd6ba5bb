#!/usr/bin/env bash
# RSS of Latchkey as bench/run.sh step 5 reads it, and while logins run, for one or more JVM option sets (or
# builds) side by side in one run; with a breakdown (Native Memory Tracking when the options enable it, the heap,
# and the AOT cache's mapping from /proc/PID/smaps). Quicker than bench/run.sh: no bare stack, no start-up rounds.
#
#     bench/memory.sh
#     BENCH_VARIANTS=$'now|target/quarkus-app|-XX:+UseSerialGC ...\nsmaller|target/quarkus-app|...' bench/memory.sh
#
# For each variant (a line "label|quarkus-app directory|JVM options"; default: this build with bench/run.sh's
# options, i.e. Dockerfile.jvm's and -XX:MaxRAM=256m), with its AOT cache (made once per build as bench/run.sh
# makes it): start, $BENCH_SECONDS of /introspect with one valid token (the introspect load), one GET /auth for
# each of the $BENCH_CACHED_USERS users (fills the key cache), read VmRSS, VmHWM and the breakdown, then a class
# histogram (a full collection: the live heap and how many keys are held); then $BENCH_LOGIN_SECONDS of POST /login
# at 4 connections with RSS sampled every 0.2 s; stop. The table goes to target/bench/memory.md, the rest to
# target/bench/memory-<n>-* (n: the variant's number). Add -XX:NativeMemoryTracking=summary to a variant for NMT, -Xlog:gc for the
# collections (in memory-<n>.log), -XX:ActiveProcessorCount=2 for two cores' worth of argon2 memory.
#
# Settings as bench/run.sh's (BENCH_PORT, BENCH_DB [latchkey_memory], BENCH_SKIP_BUILD, BENCH_JAVA, ...), and
# BENCH_SECONDS [8], BENCH_LOGIN_SECONDS [10], BENCH_CACHED_USERS [100000],
# BENCH_KEEP_DATA [0] (1: reuse the database, secrets and tokens of the last run instead of seeding again).
set -euo pipefail
export BENCH_DB=${BENCH_DB:-latchkey_memory}
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$ROOT"

RUN_SECONDS=${BENCH_SECONDS:-8}
LOGIN_SECONDS=${BENCH_LOGIN_SECONDS:-10}
CACHED_USERS=${BENCH_CACHED_USERS:-100000}
KEEP_DATA=${BENCH_KEEP_DATA:-0}
JCMD=$(dirname "$JAVA_BIN")/jcmd
VARIANTS=${BENCH_VARIANTS:-"this build|target/quarkus-app|$JAVA_OPTS"}
SECRETS=$OUT/memory-$DB-secrets.env
# Room for all the users' keys besides the admin's and the login users' (as bench/run.sh).
export LATCHKEY_CACHE_MAX_KEYS=$(( CACHED_USERS + 100 ))
TOKENS_FILE=$OUT/memory-$DB-tokens-$CACHED_USERS.txt

mkdir -p "$OUT"
trap 'stop_all' EXIT
trap 'exit 130' INT TERM
check_tools
build
taskset -cp "$LOAD_CPU" $$ >/dev/null
! curl -s -o /dev/null --max-time 1 "$BASE/" || die "$BASE is already in use; set BENCH_PORT"

# An AOT cache per build directory, made once (again when the build is newer than it).
with_cache() {
    APP=$ROOT/$1
    if [[ $CACHE == aot && ( ! -s $APP/app.aot || $APP/quarkus-run.jar -nt $APP/app.aot ) ]]; then
        make_archive
    fi
    ARCHIVE_OPTS=(); [[ $CACHE != aot ]] || ARCHIVE_OPTS=(-XX:AOTCache=app.aot)
}

if [[ $KEEP_DATA == 1 && -s $SECRETS && -s $TOKENS_FILE ]]; then
    # shellcheck disable=SC1090
    . "$SECRETS"
else
    new_secrets
    recreate_database "$OUT/memory-psql.log"
    with_cache "$(head -n1 <<<"$VARIANTS" | cut -d'|' -f2)"
    start_service "$OUT/memory-first.log"
    stop_service
    seed "$CACHED_USERS" 0 "$CACHED_USERS" "$CACHED_USERS" "$TOKENS_FILE"
    (umask 077 && printf 'MASTER_KEY=%q ADMIN_USER=%q ADMIN_PASSWORD=%q\n' "$MASTER_KEY" "$ADMIN_USER" \
        "$ADMIN_PASSWORD" >"$SECRETS")  # the throw-away database's, for BENCH_KEEP_DATA=1
fi
VALID_TOKEN=$(head -n1 "$TOKENS_FILE")

# The breakdown after the fill: NMT summary (if enabled), heap, and the AOT cache's mapping in smaps.
breakdown() {
    local pid=$1 file=$2
    {
        echo "== /proc/$pid/status"; grep -E '^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem|Threads)' "/proc/$pid/status"
        echo "== smaps of app.aot"
        awk '/^[0-9a-f]+-[0-9a-f]+ / { aot = ($6 ~ /app\.aot$/) } aot && /^(Size|Rss|Shared_Clean|Private_Clean|Private_Dirty):/ \
            { kb[$1] += $2 } END { for (k in kb) printf "%s %d MiB\n", k, kb[k] / 1024 }' "/proc/$pid/smaps"
        echo "== GC.heap_info"; "$JCMD" "$pid" GC.heap_info 2>&1 || true
        echo "== VM.native_memory summary"; "$JCMD" "$pid" VM.native_memory summary 2>&1 || true
    } >"$file"
}

sample_rss() { while kill -0 "$1" 2>/dev/null; do rss_kib "$1" VmRSS || true; sleep 0.2; done >"$2"; }

RESULTS=()
n=0
while IFS='|' read -r label dir opts; do
    [[ -n $label ]] || continue
    n=$(( n + 1 ))
    with_cache "$dir"
    JAVA_OPTS=$opts
    log "variant $n '$label': $JAVA_OPTS ${ARCHIVE_OPTS[*]} ($dir)"
    start_service "$OUT/memory-$n.log"
    idle=$(rss_kib "$SERVICE_PID" VmRSS)
    create_client
    export BENCH_CLIENT_BASIC=$CLIENT_BASIC
    line=$(BENCH_TOKEN=$VALID_TOKEN run_wrk "$OUT/memory-$n-introspect.log" introspect.lua "$BASE" "$RUN_SECONDS")
    introspect=$(field rps "$line")
    pass_over_tokens "memory-$n-fill" /auth "$CACHED_USERS"
    after=$(rss_kib "$SERVICE_PID" VmRSS) peak=$(rss_kib "$SERVICE_PID" VmHWM)
    breakdown "$SERVICE_PID" "$OUT/memory-$n-breakdown.txt"
    # the live objects (a full collection): how many keys the cache holds, and what else lives
    "$JCMD" "$SERVICE_PID" GC.class_histogram >"$OUT/memory-$n-histogram.txt" 2>&1 || true
    keys=$(awk '$4 == "io.latchkey.key.ActiveKey" { print $2 }' "$OUT/memory-$n-histogram.txt")
    live=$(awk '$1 == "Total" { print $3 }' "$OUT/memory-$n-histogram.txt")
    password=$(random_word 24)
    code=$(api -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
        -d "{\"username\":\"memory-$n-$(random_word 6)\",\"password\":\"$password\",\"roles\":[\"user\"]}" "$BASE/users")
    [[ $code == 201 ]] || die "creating the login user: HTTP $code $(body)"
    user=$(json_string username "$(body)")
    sample_rss "$SERVICE_PID" "$OUT/memory-$n-login-rss.log" & sampler=$!
    line=$(BENCH_LOGIN_USER=$user BENCH_LOGIN_PASSWORD=$password CONNECTIONS=4 \
        run_wrk "$OUT/memory-$n-login.log" login.lua "$BASE" "$LOGIN_SECONDS")
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
    logins=$(field rps "$line")
    login_max=$(sort -n "$OUT/memory-$n-login-rss.log" | tail -n1)
    breakdown "$SERVICE_PID" "$OUT/memory-$n-breakdown-login.txt"
    stop_service
    RESULTS+=("| $label | $(mib "$idle") | $(mib "$after") | $(mib "$peak") | $(mib "$login_max") |\
 ${keys:-?} | $(calc '%.0f' '$1 / 1048576' "${live:-0}") | $(calc '%.0f' '$1' "$introspect") | $(calc '%.1f' '$1' "$logins") | \`$opts\` |")
    log "variant $n '$label': idle $(mib "$idle") MiB, after the fill $(mib "$after") MiB (peak $(mib "$peak")), logins max $(mib "$login_max") MiB"
done <<<"$VARIANTS"

{
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git describe --always --dirty); $("$JAVA_BIN" -version 2>&1 | head -n1);" \
        "$CACHED_USERS keys filled; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| variant | RSS idle (MiB) | after the fill | peak | max during logins | keys held | live heap (MiB) | /introspect req/s | logins/s | options |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${RESULTS[@]}"
} | tee "$OUT/memory.md"
