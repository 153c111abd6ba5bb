#!/usr/bin/env bash
# How Latchkey's cost grows with the number of users: for each size, the users of a fresh database seeded with
# that many users (valid, distinct, encrypted keys; bench/Seed.java) and 100,000 revoked tokens outstanding, then
#   start to ready (includes loading the revocations) and RSS then;
#   the cache-load time: right after that start, one pass over a token of each of 10,000 distinct users (each key
#   loaded from the database into the key cache on first use), from the first request to the 10,000th answer;
#   /introspect req/s and p99 cycling through 20,000 tokens of those 10,000 users: every key is cached, but the
#   tokens are twice what the recently-verified memory holds (10,000), so each request takes the full check;
#   RSS after that load.
# Same JVM options (Dockerfile.jvm's, sized for a 256 MiB container), pinning and PostgreSQL as bench/run.sh (see
# bench/services.sh). Never part of CI.
#
#     bench/scale.sh                       # sizes 1000 10000 100000 1000000
#     BENCH_SIZES="1000 10000" bench/scale.sh
#
# Settings: BENCH_SIZES, BENCH_TOKEN_USERS [10000], BENCH_TOKENS [20000], BENCH_REVOKED [100000], BENCH_SECONDS [10],
# and those of services.sh. Output: a Markdown table, also in target/bench/scale.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$ROOT"

SIZES=${BENCH_SIZES:-1000 10000 100000 1000000}
TOKEN_USERS=${BENCH_TOKEN_USERS:-10000}
TOKENS=${BENCH_TOKENS:-20000}
REVOKED=${BENCH_REVOKED:-100000}
RUN_SECONDS=${BENCH_SECONDS:-10}

mkdir -p "$OUT"
rm -f "$OUT"/scale.md
trap 'stop_all' EXIT
trap 'exit 130' INT TERM
check_tools
build
taskset -cp "$LOAD_CPU" $$ >/dev/null
make_archive
ROWS=()
thousands() { sed ':a; s/\B[0-9]\{3\}\>/,&/; ta' <<<"$1"; }
new_secrets
recreate_database "$OUT/psql.log"
start_service "$OUT/scale-first.log"   # migrations, first admin
stop_service
for size in $SIZES; do
    "${PSQL[@]}" -d "$DB" -c "DELETE FROM users WHERE username <> '$ADMIN_USER'" -c "TRUNCATE revoked_tokens" \
        >>"$OUT/psql.log" 2>&1 || die "cannot empty $DB; see $OUT/psql.log"
    holders=$(( size < TOKEN_USERS ? size : TOKEN_USERS ))
    TOKENS_FILE=$OUT/scale-tokens-$size.txt
    seed "$size" "$REVOKED" "$holders" "$TOKENS" "$TOKENS_FILE"

    start_service "$OUT/scale-$size.log"
    ready=$READY_MS
    rss_ready=$(rss_kib "$SERVICE_PID" VmRSS)
    create_client
    export BENCH_CLIENT_BASIC=$CLIENT_BASIC
    pass_over_tokens "scale-$size" /introspect "$holders" # the first $holders tokens are one of each holder
    load_ms=$PASS_MS
    export BENCH_TOKEN_FILE=$TOKENS_FILE BENCH_PATH=/introspect
    settle "scale-$size" tokens.lua "$BASE"
    line=$(run_wrk "$OUT/wrk-scale-$size.log" tokens.lua "$BASE" "$RUN_SECONDS")
    errors=$(( PASS_ERRORS + $(field status_errors "$line") + $(field socket_errors "$line") ))
    rss=$(rss_kib "$SERVICE_PID" VmRSS)
    log "size $size: RSS peak $(mib "$(rss_kib "$SERVICE_PID" VmHWM)") MiB"
    stop_service
    ROWS+=("$(printf '| %s | %s | %s | %.2f | %s | %.2f | %s | %s |' "$(thousands "$size")" "$(thousands "$ready")" \
        "$(mib "$rss_ready")" "$(calc '%f' '$1 / 1000' "$load_ms")" "$(thousands "$(calc '%.0f' '$1' "$(field rps "$line")")")" \
        "$(calc '%f' '$1 / 1000' "$(field p99_us "$line")")" "$errors" "$(mib "$rss")")")
    log "size $size: ${ROWS[-1]}"
done

{
    echo "## Latchkey scale benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown);" \
        "$("$JAVA_BIN" -version 2>&1 | head -n1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Service on CPU $SERVER_CPU (\`$JAVA_OPTS ${ARCHIVE_OPTS[*]}\`), wrk -t1 -c$CONNECTIONS on CPU $LOAD_CPU;" \
        "$REVOKED revoked tokens outstanding; the cache load is one pass over a token of each of $TOKEN_USERS users" \
        "(or all users, when fewer) right after the start; /introspect then cycles through $TOKENS tokens of those" \
        "users, after warming until the rate settled, one run of ${RUN_SECONDS}s. Errors: non-2xx and socket errors" \
        "of the pass and the run."
    echo
    echo "| users | start to ready (ms) | RSS at ready (MiB) | cache load: first pass over $TOKEN_USERS users' tokens (s) | /introspect req/s | p99 (ms) | errors | RSS after load (MiB) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
} | tee "$OUT/scale.md"
