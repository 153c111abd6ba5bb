#!/bin/sh
# A training run: starts the Quarkus application of the current directory (quarkus-run.jar) with the given java and
# JVM options, waits until /q/health/ready answers 200, then stops it gracefully; the JVM writes its start-up cache
# as it exits. Dockerfile.jvm makes Latchkey's AOT cache with it, bench/run.sh the caches it compares.
#
#     training-run.sh java -XX:AOTCacheOutput=app.aot                  # JDK 25+: AOT cache (aot-jar build)
#     training-run.sh java -XX:ArchiveClassesAtExit=app-cds.jsa        # JDK 17+: AppCDS archive
#
# The application's settings come from the environment (QUARKUS_DATASOURCE_*, LATCHKEY_MASTER_KEY, ...): a start
# with its database loads and links what every later start needs; one without stops at the datasource and leaves
# half of it out. QUARKUS_HTTP_PORT [8080] is where readiness is polled, for at most 300 s.
set -eu
[ -f quarkus-run.jar ] || { echo "training-run.sh: no quarkus-run.jar in $(pwd)" >&2; exit 2; }
java=$1
shift
ready=http://127.0.0.1:${QUARKUS_HTTP_PORT:-8080}/q/health/ready

"$java" "$@" -jar quarkus-run.jar &
pid=$!
tries=0
until curl -fs -o /dev/null --max-time 2 "$ready"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$tries" -ge 3000 ]; then
        kill "$pid" 2>/dev/null || true
        echo "training-run.sh: the application did not become ready" >&2
        exit 1
    fi
    tries=$((tries + 1))
    sleep 0.1
done
kill -TERM "$pid"
wait "$pid" || true
