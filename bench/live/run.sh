#!/usr/bin/env bash
# The live-editing benchmark (docs/BENCHMARKS.md, "Live editing"): serves a fresh database
# with SERVERS release `hindsight serve`s, opens one post-mortem, and lets EDITORS simulated
# editors (bench/live, Yjs clients over WebSockets, spread over the servers) type into its
# summary at RATE keystrokes a second each for SECONDS. Prints the edit-to-peer latency, the
# servers' CPU time and resident memory, and the stored document's size once compacted.
#
#   bench/live/run.sh [WORK_DIR]        default /var/tmp/hindsight-bench/live
#
# Environment:
#   CARGO_TARGET_DIR          default /var/tmp/bench-target
#   HINDSIGHT_BENCH_EDITORS   default 50
#   HINDSIGHT_BENCH_RATE      keystrokes a second per editor, default 5
#   HINDSIGHT_BENCH_SECONDS   default 60
#   HINDSIGHT_BENCH_PORT      default 18495 (the servers listen from it on)
#   HINDSIGHT_BENCH_BACKEND   sqlite (default) or postgres (a throwaway cluster, .ci/postgres.sh)
#   HINDSIGHT_BENCH_SERVERS   default 1; more than one needs postgres
#   HINDSIGHT_BENCH_BIN       the `hindsight` to serve with (default: the one built here), to
#                             compare a build of another commit in the same run
#   HINDSIGHT_BENCH_PIN       1: the servers on CPU 0, the editors on CPU 1 (taskset), so
#                             that the editors' own work does not delay the servers'
#
# Not part of CI or `cargo test`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bench-target}"
work=$(realpath -m "${1:-/var/tmp/hindsight-bench/live}")
editors=${HINDSIGHT_BENCH_EDITORS:-50}
rate=${HINDSIGHT_BENCH_RATE:-5}
seconds=${HINDSIGHT_BENCH_SECONDS:-60}
port=${HINDSIGHT_BENCH_PORT:-18495}
backend=${HINDSIGHT_BENCH_BACKEND:-sqlite}
servers=${HINDSIGHT_BENCH_SERVERS:-1}
on_server_cpu=()
on_editor_cpu=()
if [[ ${HINDSIGHT_BENCH_PIN:-0} == 1 ]]; then
    on_server_cpu=(taskset -c 0)
    on_editor_cpu=(taskset -c 1)
fi
if [[ $backend == sqlite && $servers != 1 ]]; then
    echo "$0: several servers share a PostgreSQL database: set HINDSIGHT_BENCH_BACKEND=postgres" >&2
    exit 2
fi

for tool in sqlite3 curl python3; do
    command -v "$tool" >/dev/null || { echo "$0: needs $tool" >&2; exit 1; }
done

echo "==== build hindsight and the editors (release) ====" >&2
cargo build --quiet --release -p hindsight -p hindsight-bench-live
bin=${HINDSIGHT_BENCH_BIN:-"$CARGO_TARGET_DIR/release/hindsight"}
mkdir -p "$work"
pids=()
pg_dir=
clean_up() {
    ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null || true
    [[ -n $pg_dir ]] && bash .ci/postgres.sh stop "$pg_dir" >/dev/null 2>&1 || true
}
trap clean_up EXIT
if [[ $backend == postgres ]]; then
    pg_dir=$(mktemp -d /tmp/hindsight-bench-live-pg.XXXXXX)
    url=$(bash .ci/postgres.sh start "$pg_dir" $((port + 100)))
    query() { psql -q -At "$url" -c "$1"; }
else
    rm -f "$work"/live.db*
    url="sqlite://$work/live.db"
    query() { sqlite3 "$work/live.db" "$1"; }
fi
"$bin" --database-url "$url" migrate >/dev/null
"$bin" --database-url "$url" user add bench --role editor >/dev/null 2>&1
token=$("$bin" --database-url "$url" token create bench --name live 2>/dev/null)

sockets=()
for i in $(seq 0 $((servers - 1))); do
    "${on_server_cpu[@]}" "$bin" --database-url "$url" serve --listen "127.0.0.1:$((port + i))" >"$work/serve-$i.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        curl -fs "http://127.0.0.1:$((port + i))/healthz" >/dev/null && break
        sleep 0.1
    done
done

api() { curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
handle=$(api -d '{"title":"Live editing benchmark","severity":"SEV3"}' "http://127.0.0.1:$port/api/v1/incidents" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["handle"])')
id=$(api -d '{}' "http://127.0.0.1:$port/api/v1/incidents/$handle/postmortem" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

for i in $(seq 0 $((servers - 1))); do
    sockets+=("ws://127.0.0.1:$((port + i))/api/v1/postmortems/$id/live")
done
# Summed over the servers.
cpu() { for pid in "${pids[@]}"; do awk '{ print $14 + $15 }' "/proc/$pid/stat"; done | awk '{ s += $1 } END { print s }'; }
rss() { for pid in "${pids[@]}"; do awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; done |
    awk '{ s += $1 } END { printf "%.1f", s / 1024 }'; }
ticks=$(getconf CLK_TCK)
before_cpu=$(cpu)
before_rss=$(rss)
echo "==== $editors editors on $servers server(s), $backend ====" >&2
# The editors' own CPU time, to tell their share of the latency from the servers'.
TIMEFORMAT="editors' CPU %U s user + %S s system over %R s"
time "${on_editor_cpu[@]}" "$CARGO_TARGET_DIR/release/hindsight-bench-live" "$(IFS=,; echo "${sockets[*]}")" "$token" \
    "$editors" "$rate" "$seconds"
after_cpu=$(cpu)
after_rss=$(rss)
# The rooms write back and compact once the document has been quiet for two seconds.
sleep 4
python3 - "$before_cpu" "$after_cpu" "$ticks" "$seconds" "$before_rss" "$after_rss" <<'PY'
import sys
before, after, ticks, seconds = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"servers' CPU {(after - before) / ticks:.2f} s over {seconds:.0f} s of typing "
      f"({100 * (after - before) / ticks / seconds:.1f}% of one core); RSS {sys.argv[5]} MB before, {sys.argv[6]} MB after")
PY
summary_length="length(json_extract(sections, '$.summary'))"
[[ $backend == postgres ]] && summary_length="length(sections::json->>'summary')"
query "SELECT 'stored: snapshot ' || COALESCE(length(snapshot), 0) || ' bytes through update ' || through_seq \
    || ' of ' || last_seq || ', ' || (SELECT COUNT(*) FROM live_updates) || ' updates after it (' \
    || COALESCE((SELECT SUM(length(body)) FROM live_updates), 0) || ' bytes); summary ' \
    || (SELECT $summary_length FROM postmortems) || ' characters' FROM live_documents"
