#!/usr/bin/env bash
# The notification worker's benchmark (docs/BENCHMARKS.md, "Notifications"): a release build
# of bench/notify on a fresh SQLite database, then on a throwaway PostgreSQL cluster.
#
#   bench/notify/run.sh [ITEMS] [PEOPLE]      default 10000 100
#
# Environment: CARGO_TARGET_DIR (default /var/tmp/bench-target), HINDSIGHT_BENCH_POSTGRES=0
# to skip PostgreSQL. Not part of CI or `cargo test`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bench-target}"
items=${1:-10000}
people=${2:-100}
work=$(mktemp -d /var/tmp/hindsight-bench-notify.XXXXXX)
chmod 755 "$work" # the throwaway cluster runs as the postgres user
trap 'rm -rf "$work"' EXIT

cargo build --release -p hindsight-bench-notify
bin="$CARGO_TARGET_DIR/release/hindsight-bench-notify"
"$bin" "sqlite://$work/notify.db" "$items" "$people"
if [[ ${HINDSIGHT_BENCH_POSTGRES:-1} == 1 ]]; then
    port=18540
    bash .ci/postgres.sh start "$work/pg" "$port" > /dev/null
    trap 'bash .ci/postgres.sh stop "$work/pg" > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
    "$bin" "postgres://postgres@127.0.0.1:$port/postgres" "$items" "$people"
fi
