#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: made with initdb, reachable only on
# 127.0.0.1 with trust auth, gone after `stop`. Not for anything that keeps data.
#
#   .ci/postgres.sh start DIR PORT   # prints postgres://postgres@127.0.0.1:PORT/postgres
#   .ci/postgres.sh stop DIR         # stops the cluster and removes DIR
#
# Run as root (CI) or as the postgres user. initdb refuses to run as root, so as
# root every server command runs as `postgres`, which must exist (Debian's
# postgresql package creates it). DIR must be a throwaway directory, e.g. under /tmp.
set -euo pipefail

usage() {
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
}

# The newest installed PostgreSQL's bin directory (Debian keeps it off PATH).
pg_bin() {
    local initdb
    initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$initdb" ]]; then
        echo "$0: no /usr/lib/postgresql/*/bin/initdb; install it with: apt-get install -y postgresql" >&2
        exit 1
    fi
    dirname "$initdb"
}

# Runs a command as the postgres user when we are root, else as ourselves.
as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        # runuser needs no tty or password, unlike sudo/su in some setups.
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    local dir=$1 port=$2 bin
    [[ "$port" =~ ^[0-9]+$ ]] || { echo "$0: PORT must be a number, got '$port'" >&2; exit 2; }
    bin=$(pg_bin)
    if [[ -e "$dir" && -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
        echo "$0: $dir exists and is not empty; stop the old cluster or pick another DIR" >&2
        exit 1
    fi
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$dir"
    fi
    chmod 700 "$dir"
    as_postgres "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    # Only loopback TCP, trusted; the socket stays inside DIR so no system paths are needed.
    # Durability is off: the cluster is thrown away, and tests go faster without fsync.
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    cat >"$dir/data/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
    as_postgres "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
}

stop() {
    local dir=$1 bin
    bin=$(pg_bin)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_postgres "$bin/pg_ctl" --pgdata="$dir/data" --wait --timeout=60 --mode=fast stop >/dev/null
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
    stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
    *) usage ;;
esac
