#!/usr/bin/env bash
# The load benchmark (docs/BENCHMARKS.md, "Load: lists, search and pages at 1,000 to
# 100,000 incidents"): for each backend and size, fills a fresh database (fill.py), serves
# it with a release `hindsight serve`, and loads each endpoint with wrk (measure.py), with
# /healthz of the same server in the same run as the baseline. Prints a Markdown table.
#
#   bench/load/run.sh [WORK_DIR]        default /var/tmp/hindsight-bench/load
#
# Environment:
#   CARGO_TARGET_DIR            default /var/tmp/bench-target
#   HINDSIGHT_BENCH_SIZES       incident counts, default "1000 10000 100000"
#   HINDSIGHT_BENCH_BACKENDS    default "sqlite"; add "postgres" with HINDSIGHT_BENCH_POSTGRES
#   HINDSIGHT_BENCH_POSTGRES    a PostgreSQL server URL without a database name, whose user
#                               may create databases, e.g. postgres://postgres@127.0.0.1:55432
#   HINDSIGHT_BENCH_SECONDS     seconds of load per endpoint, default 10
#   HINDSIGHT_BENCH_ONLY        load only the endpoints whose name contains this, e.g. "API"
#   HINDSIGHT_BENCH_PORT        default 18490
#
# Needs wrk, sqlite3, psql (for postgres), curl, python3. Not part of CI or `cargo test`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bench-target}"
work=$(realpath -m "${1:-/var/tmp/hindsight-bench/load}")
sizes=${HINDSIGHT_BENCH_SIZES:-1000 10000 100000}
only=${HINDSIGHT_BENCH_ONLY:-}
backends=${HINDSIGHT_BENCH_BACKENDS:-sqlite}
seconds=${HINDSIGHT_BENCH_SECONDS:-10}
port=${HINDSIGHT_BENCH_PORT:-18490}
password="bench password for the load run"

for tool in wrk sqlite3 curl python3; do
    command -v "$tool" >/dev/null || { echo "$0: needs $tool" >&2; exit 1; }
done

echo "==== build hindsight (release) ====" >&2
cargo build --quiet --release -p hindsight
bin="$CARGO_TARGET_DIR/release/hindsight"
mkdir -p "$work"

server=
trap '[[ -n $server ]] && kill "$server" 2>/dev/null || true' EXIT

echo "| backend, incidents | endpoint (connections) | requests/s | p50 ms | p99 ms | server CPU ms/request |"
echo "|---|---|---:|---:|---:|---:|"
for backend in $backends; do
    for size in $sizes; do
        if [[ $backend == sqlite ]]; then
            db="$work/load-$size.db"
            rm -f "$db" "$db-wal" "$db-shm"
            url="sqlite://$db"
        else
            base=${HINDSIGHT_BENCH_POSTGRES:?set HINDSIGHT_BENCH_POSTGRES for the postgres backend}
            psql -q "$base/postgres" -c "DROP DATABASE IF EXISTS hindsight_load_$size" -c "CREATE DATABASE hindsight_load_$size"
            url="$base/hindsight_load_$size"
        fi
        echo "==== $backend, $size incidents ====" >&2
        "$bin" --database-url "$url" migrate >&2
        printf '%s\n' "$password" | "$bin" --database-url "$url" user add admin --role admin --password-stdin >/dev/null
        printf '%s\n' "$password" | "$bin" --database-url "$url" user add reader --role viewer --password-stdin >/dev/null
        token=$("$bin" --database-url "$url" token create reader --name load 2>/dev/null)
        start=$(date +%s.%N)
        if [[ $backend == sqlite ]]; then
            python3 bench/load/fill.py --backend sqlite --incidents "$size" | sqlite3 "$db"
        else
            python3 bench/load/fill.py --backend postgres --incidents "$size" | psql -q -v ON_ERROR_STOP=1 "$url" >/dev/null
        fi
        echo "filled in $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s" >&2

        "$bin" --database-url "$url" serve --listen "127.0.0.1:$port" >"$work/serve-$backend-$size.log" 2>&1 &
        server=$!
        for _ in $(seq 1 100); do
            curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
            sleep 0.1
        done
        sleep 1
        # Resident memory of the idle server, before anyone signs in (a sign-in hashes a
        # password with argon2, whose 19 MiB the allocator may keep).
        idle_rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status")
        jar="$work/cookies"
        curl -sf -o /dev/null -c "$jar" -H "Sec-Fetch-Site: same-origin" --data-urlencode "username=reader" \
            --data-urlencode "password=$password" --data-urlencode "next=/" "http://127.0.0.1:$port/login"
        cookie=$(awk '!/^#/ && NF >= 7 { print $6 "=" $7 }' "$jar" | head -1)
        cookie=${cookie:-$(awk '/#HttpOnly_/ { print $6 "=" $7 }' "$jar" | head -1)}
        python3 bench/load/measure.py --base "http://127.0.0.1:$port" --pid "$server" --token "$token" \
            --cookie "$cookie" --incidents "$size" --label "$backend, $size" --seconds "$seconds" \
            --idle-rss "$idle_rss" --only "$only"
        kill "$server"
        wait "$server" 2>/dev/null || true
        server=
    done
done
