# Shared by the bench scripts (sourced, not run): small helpers, the build, wrk and the benchmark database.
# The sourcing script sets ROOT, OUT and APP, DB_HOST, DB_PORT, DB_USER, DB, and defines log and die.

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# median of the numbers given as arguments (mean of the two middle ones for an even count)
median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
        END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# arithmetic with awk, e.g. calc '%.2f' '$1 / $2' 3 4
calc() { local fmt=$1 expr=$2; shift 2; awk -v f="$fmt" "BEGIN { printf f, $(sed 's/\$\([0-9]\)/(ARGV[\1] + 0)/g' <<<"$expr") }" "$@"; }

# value of a "key=value" field in a line of key=value pairs
field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<" $2"; }

# value of a top-level string member of a compact JSON object
json_string() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$2"; }

random_word() { local w; w=$(head -c 48 /dev/urandom | base64 -w0 | tr -d '+/='); echo "${w:0:$1}"; }

# The production build, without the tests (some of them need the embedded PostgreSQL that -Dproduction leaves out).
# build_service <log> [more Maven options]
build_service() {
    local logfile=$1; shift
    log "building: ./mvnw -B -q package -Dmaven.test.skip=true -Dproduction $*"
    (cd "$ROOT" && ./mvnw -B -q package -Dmaven.test.skip=true -Dproduction "$@") >"$logfile" 2>&1 \
        || die "the build failed; see $logfile"
}

# Installs wrk (Debian package "wrk") when it is missing.
ensure_wrk() {
    command -v wrk >/dev/null && return 0
    log "installing wrk (apt-get install -y wrk)"
    local sudo=; (( EUID == 0 )) || sudo=sudo
    { $sudo apt-get -o DPkg::Lock::Timeout=300 install -y wrk \
        || { $sudo apt-get update && $sudo apt-get -o DPkg::Lock::Timeout=300 install -y wrk; }; } \
        >"$1" 2>&1 || die "could not install wrk; see $1"
}

# Drops and re-creates the benchmark's own database $DB.
recreate_database() {
    log "re-creating database $DB on $DB_HOST:$DB_PORT"
    local psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres)
    "${psql[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >"$1" 2>&1 \
        || "${psql[@]}" -c "DROP DATABASE IF EXISTS $DB" >>"$1" 2>&1 \
        || die "cannot drop database $DB; see $1"
    "${psql[@]}" -c "CREATE DATABASE $DB" >>"$1" 2>&1 || die "cannot create database $DB; see $1"
}

# Stops the service started as $SERVICE_PID: SIGTERM, up to 10 s for a graceful shutdown, then SIGKILL.
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

# The database stands for another host: while a benchmark runs, a local PostgreSQL's processes (found by name; only
# when they are ours to move) run on the load core, so that its work does not take the service's core from it.
# New backends fork from the postmaster and inherit its core. unpin_database gives them every core back.
pin_database() {
    local pids pid; pids=$(pgrep -x postgres || true)
    DATABASE_PINNED=1
    for pid in $pids; do taskset -a -cp "$1" "$pid" >/dev/null 2>&1 || { pids=; break; }; done
    if [[ -z $pids ]]; then
        unpin_database
        log "PostgreSQL's processes not moved to CPU $1 (not local, or not ours): it shares the service's core"
    else
        log "PostgreSQL's processes moved to CPU $1 for the run"
    fi
}
unpin_database() {
    [[ ${DATABASE_PINNED:-0} == 1 ]] || return 0
    local pid
    for pid in $(pgrep -x postgres || true); do
        taskset -a -cp "0-$(( $(getconf _NPROCESSORS_ONLN) - 1 ))" "$pid" >/dev/null 2>&1 || true
    done
    DATABASE_PINNED=0
}
