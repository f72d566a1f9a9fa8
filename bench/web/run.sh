#!/usr/bin/env bash
# The web-page benchmark (docs/BENCHMARKS.md, "Web pages"): fills a fresh SQLite database
# with 10,000 incidents and 200,000 timeline events (fill.sql), serves it with
# `hindsight serve` on loopback, signs in through the form, and times the incident list
# and incident pages with curl over one kept-alive connection, against /healthz and a
# static asset as baselines in the same run. Prints median and p95 per page.
#
#   bench/web/run.sh [WORK_DIR]        default /var/tmp/hindsight-bench/web
#
# Environment:
#   CARGO_TARGET_DIR        default /var/tmp/bench-target
#   HINDSIGHT_BENCH_PROFILE dev (default) or release: the cargo profile `hindsight` is built with
#   HINDSIGHT_BENCH_REPEAT  requests per page, default 200 (after 10 warm-up requests)
#   HINDSIGHT_BENCH_PORT    default 18480
#
# Not part of CI or `cargo test`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bench-target}"
work=$(realpath -m "${1:-/var/tmp/hindsight-bench/web}")
profile=${HINDSIGHT_BENCH_PROFILE:-dev}
repeat=${HINDSIGHT_BENCH_REPEAT:-200}
port=${HINDSIGHT_BENCH_PORT:-18480}
password="bench password for the web pages"

for tool in sqlite3 curl python3; do
    command -v "$tool" >/dev/null || { echo "$0: needs $tool" >&2; exit 1; }
done

echo "==== build hindsight ($profile) ====" >&2
if [[ $profile == release ]]; then
    cargo build --quiet --release -p hindsight
    bin="$CARGO_TARGET_DIR/release/hindsight"
else
    cargo build --quiet -p hindsight
    bin="$CARGO_TARGET_DIR/debug/hindsight"
fi

mkdir -p "$work"
db="$work/web-bench.db"
rm -f "$db" "$db-wal" "$db-shm"
url="sqlite://$db"

echo "==== fill $db ====" >&2
"$bin" --database-url "$url" migrate >&2
printf '%s\n' "$password" | "$bin" --database-url "$url" user add admin --role admin --password-stdin >/dev/null
printf '%s\n' "$password" | "$bin" --database-url "$url" user add reader --role viewer --password-stdin >/dev/null
start=$(date +%s.%N)
sqlite3 "$db" <bench/web/fill.sql
echo "filled in $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s" >&2

echo "==== serve on 127.0.0.1:$port ====" >&2
"$bin" --database-url "$url" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
done

python3 bench/web/measure.py --base "http://127.0.0.1:$port" --password "$password" --repeat "$repeat" \
    --profile "$profile" --database "$db"
