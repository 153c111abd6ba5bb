#!/usr/bin/env bash
# How Latchkey's cost grows with the number of users: for each size, a fresh database seeded with that many users
# (valid, distinct, encrypted keys; bench/Seed.java) and 100,000 revoked tokens outstanding, then
#   start to ready (includes loading the revocations), the time to answer one pass over the tokens of 10,000
#   distinct users right after the restart (keys loaded from the database into the cache: the cache-load time),
#   /introspect req/s and p99 cycling through those 10,000 users' tokens (more than the recently-verified cache
#   holds, so each request re-checks), and RSS after load.
# Same JVM options, pinning and PostgreSQL as bench/run.sh (see bench/lib.sh). Never part of CI.
#
#     bench/scale.sh                       # sizes 1000 10000 100000 1000000
#     BENCH_SIZES="1000 10000" bench/scale.sh
#
# Settings: BENCH_SIZES, BENCH_TOKEN_USERS [10000], BENCH_REVOKED [100000], BENCH_SECONDS [10], and those of lib.sh.
# Output: a Markdown table, also in target/bench/scale.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$ROOT"

SIZES=${BENCH_SIZES:-1000 10000 100000 1000000}
TOKEN_USERS=${BENCH_TOKEN_USERS:-10000}
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
new_secrets
recreate_database "$OUT/psql.log"
start_service "$OUT/scale-first.log"   # migrations, first admin
stop_service
for size in $SIZES; do
    "${PSQL[@]}" -d "$DB" -c "DELETE FROM users WHERE username <> '$ADMIN_USER'" -c "TRUNCATE revoked_tokens" \
        >>"$OUT/psql.log" 2>&1 || die "cannot empty $DB; see $OUT/psql.log"
    tokens=$(( size < TOKEN_USERS ? size : TOKEN_USERS ))
    TOKENS_FILE=$OUT/scale-tokens-$size.txt
    seed "$size" "$REVOKED" "$tokens" "$TOKENS_FILE"

    start_service "$OUT/scale-$size.log"
    ready=$READY_MS
    create_client
    export BENCH_CLIENT_BASIC=$CLIENT_BASIC
    pass_over_tokens "scale-$size" /introspect "$tokens"
    load_ms=$PASS_MS
    export BENCH_TOKEN_FILE=$TOKENS_FILE BENCH_PATH=/introspect
    settle "scale-$size" tokens.lua "$BASE"
    line=$(run_wrk "$OUT/wrk-scale-$size.log" tokens.lua "$BASE" "$RUN_SECONDS")
    errors=$(( $(field status_errors "$line") + $(field socket_errors "$line") ))
    rss=$(rss_kib "$SERVICE_PID" VmRSS)
    stop_service
    ROWS+=("$(printf '| %s | %s | %.1f | %.0f | %.2f | %s | %s |' "$size" "$ready" "$(calc '%f' '$1 / 1000' "$load_ms")" \
        "$(field rps "$line")" "$(calc '%f' '$1 / 1000' "$(field p99_us "$line")")" "$errors" "$(mib "$rss")")")
    log "size $size: ${ROWS[-1]}"
done

{
    echo "## Latchkey scale benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown);" \
        "$("$JAVA_BIN" -version 2>&1 | head -n1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Service on CPU $SERVER_CPU (\`$JAVA_OPTS ${ARCHIVE_OPTS[*]}\`), wrk -t1 -c$CONNECTIONS on CPU $LOAD_CPU;" \
        "$REVOKED revoked tokens outstanding; /introspect cycles through the tokens of $TOKEN_USERS distinct users" \
        "(or all users, when fewer), after warming until the rate settled, one run of ${RUN_SECONDS}s."
    echo
    echo "| users | start to ready (ms) | first pass over the tokens after restart (s) | /introspect req/s | p99 (ms) | errors | RSS after load (MiB) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
} | tee "$OUT/scale.md"
