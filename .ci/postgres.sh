#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for certdesk's tests and print the line to use it:
#   eval "$(.ci/postgres.sh)"    # sets CERTDESK_TEST_POSTGRES_URL
# Installs Debian's postgresql package when missing (needs root), runs its own cluster
# (not the distribution's "main" one) on 127.0.0.1:$CERTDESK_PG_PORT (default 54329),
# and creates the role and database. Idempotent: a second run reuses the running server.
# Everything but the final `export` line goes to stderr.
set -euo pipefail

PORT="${CERTDESK_PG_PORT:-54329}"
DB_USER="${CERTDESK_PG_USER:-certdesk}"
DB_PASS="${CERTDESK_PG_PASSWORD:-certdesk}"
DB_NAME="${CERTDESK_PG_DB:-certdesk_test}"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }

pg_bindir() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$d" && -x "$d/initdb" ]] && printf '%s\n' "$d"
}

BINDIR="$(pg_bindir || true)"
if [[ -z "$BINDIR" ]]; then
    if [[ "$(id -u)" -ne 0 ]]; then
        log "PostgreSQL is not installed and this is not root: apt-get install postgresql"
        exit 1
    fi
    log "installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    BINDIR="$(pg_bindir)"
fi

if [[ "$(id -u)" -eq 0 ]]; then
    # initdb refuses to run as root: the cluster belongs to the postgres user
    OWNER=postgres
    PGDATA="${CERTDESK_PG_DIR:-/var/lib/postgresql/certdesk-ci}"
    as_owner() { runuser -u "$OWNER" -- "$@"; }
else
    OWNER="$(id -un)"
    PGDATA="${CERTDESK_PG_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/certdesk-pg}"
    as_owner() { "$@"; }
fi
SOCKDIR="$PGDATA/socket"

if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
    log "creating a cluster in $PGDATA"
    mkdir -p "$PGDATA"
    chown "$OWNER" "$PGDATA"
    chmod 700 "$PGDATA"
    # local socket: trust (the socket directory is private to the owner); TCP: password
    as_owner "$BINDIR/initdb" -D "$PGDATA" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
    as_owner mkdir -p "$SOCKDIR"
    chmod 700 "$SOCKDIR"
fi

if as_owner "$BINDIR/pg_isready" -q -h "$SOCKDIR" -p "$PORT"; then
    log "server already running on port $PORT"
else
    log "starting the server on 127.0.0.1:$PORT"
    as_owner "$BINDIR/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
        -o "-p $PORT -k $SOCKDIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" \
        start >&2 || { cat "$PGDATA/server.log" >&2; exit 1; }
fi

for _ in $(seq 1 60); do
    as_owner "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
    sleep 0.5
done
as_owner "$BINDIR/pg_isready" -h 127.0.0.1 -p "$PORT" >&2

psql_su() { as_owner "$BINDIR/psql" -h "$SOCKDIR" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

if [[ "$(psql_su -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != 1 ]]; then
    log "creating role $DB_USER"
    psql_su -d postgres -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASS'" >&2
fi
if [[ "$(psql_su -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]]; then
    log "creating database $DB_NAME"
    psql_su -d postgres -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\"" >&2
fi

printf 'export CERTDESK_TEST_POSTGRES_URL=%s\n' \
    "postgresql+psycopg://$DB_USER:$DB_PASS@127.0.0.1:$PORT/$DB_NAME"
