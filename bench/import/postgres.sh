#!/usr/bin/env bash
# Imports one JSONL file of N timeline events (one incident, `--create-incident`) into a
# fresh PostgreSQL database with two `hindsight` binaries, alternating, ROUNDS times each,
# and prints the wall time of every import (docs/BENCHMARKS.md, "Import into PostgreSQL").
#
#   bench/import/postgres.sh BASELINE_BIN CANDIDATE_BIN
#
# Environment:
#   HINDSIGHT_BENCH_POSTGRES  server URL without a database, default postgres://postgres@127.0.0.1:55432
#   HINDSIGHT_BENCH_EVENTS    events in the file, default 300000
#   HINDSIGHT_BENCH_ROUNDS    imports per binary, default 3
#   HINDSIGHT_BENCH_DIR       where the file is written, default /var/tmp/hindsight-bench/postgres-import
#
# Not part of CI or `cargo test`.
set -euo pipefail

baseline=${1:?usage: $0 BASELINE_BIN CANDIDATE_BIN}
candidate=${2:?usage: $0 BASELINE_BIN CANDIDATE_BIN}
server=${HINDSIGHT_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:55432}
events=${HINDSIGHT_BENCH_EVENTS:-300000}
rounds=${HINDSIGHT_BENCH_ROUNDS:-3}
dir=${HINDSIGHT_BENCH_DIR:-/var/tmp/hindsight-bench/postgres-import}

for tool in psql python3; do
    command -v "$tool" >/dev/null || { echo "$0: needs $tool" >&2; exit 1; }
done
mkdir -p "$dir"
file="$dir/events-$events.jsonl"
if [ ! -s "$file" ]; then
    python3 - "$events" "$file" <<'PY'
import datetime as dt, json, sys
n, path = int(sys.argv[1]), sys.argv[2]
start = dt.datetime(2026, 1, 5, 8, 0, 0, tzinfo=dt.timezone.utc)
kinds = ["alert", "page", "message", "deploy", "note"]
with open(path, "w") as f:
    for i in range(n):
        at = (start + dt.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        f.write(json.dumps({"time": at, "kind": kinds[i % 5], "text": f"Event {i} on checkout-api: error rate {i % 97}%",
                            "source": "bench", "id": f"e{i}", "actor": f"user{i % 13}"}) + "\n")
PY
fi

for round in $(seq "$rounds"); do
    for which in baseline candidate; do
        bin=$baseline
        [ "$which" = candidate ] && bin=$candidate
        db="hindsight_bench_import_${which}_$round"
        psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
        start=$(date +%s.%N)
        "$bin" import --format jsonl --create-incident --database-url "$server/$db" "$file" >/dev/null 2>"$dir/$which.log"
        end=$(date +%s.%N)
        stored=$(psql -tA "$server/$db" -c "SELECT count(*) FROM timeline_events")
        psql -q "$server/postgres" -c "DROP DATABASE $db"
        seconds=$(python3 -c "print(f'{$end - $start:.2f}')")
        echo "$which round $round: $seconds s, $stored events stored"
    done
done
