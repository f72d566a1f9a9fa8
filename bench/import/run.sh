#!/usr/bin/env bash
# The import benchmark (docs/BENCHMARKS.md): builds `hindsight` and the baseline tools in
# release, writes the 1,000,000-record corpus if it is not there yet, then measures in one
# run the serde_json parse ceiling, `jq -c .`, hindsight's importers without the store,
# `hindsight import` end to end into a fresh SQLite database, and the store floor (sqlite3
# copying the stored events into a fresh database), and prints the report.
#
#   bench/import/run.sh [CORPUS_DIR]          default /var/tmp/hindsight-bench/corpus
#
# Environment:
#   CARGO_TARGET_DIR          default /var/tmp/bench-target
#   HINDSIGHT_BENCH_RECORDS   corpus size, default 1000000
#   HINDSIGHT_BENCH_DB_DIRS   space-separated folders for the database, one fresh import
#                             sequence each (default: the corpus's parent folder); add
#                             /dev/shm to compare with a database in memory
#   HINDSIGHT_BENCH_REPEAT    runs of each baseline, median reported (default 3)
#
# Not part of CI or `cargo test`: it takes minutes and a few GB of disk.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bench-target}"
corpus=$(realpath -m "${1:-/var/tmp/hindsight-bench/corpus}")
work=$(dirname "$corpus")
records=${HINDSIGHT_BENCH_RECORDS:-1000000}
read -r -a db_dirs <<<"${HINDSIGHT_BENCH_DB_DIRS:-$work}"
repeat=${HINDSIGHT_BENCH_REPEAT:-3}

header() {
    printf '\n==== %s ====\n' "$*" >&2
}

missing=()
command -v jq >/dev/null || missing+=(jq)
[[ -x /usr/bin/time ]] || missing+=(time)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if ((${#missing[@]})); then
    header "install: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

header "build (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
cargo build --release -p hindsight -p hindsight-parse-ceiling
bin="$CARGO_TARGET_DIR/release"

version=$(sed -n 's/^GENERATOR_VERSION = //p' bench/import/generate.py)
if ! python3 - "$corpus/manifest.json" "$records" "$version" <<'PY' 2>/dev/null; then
import json, sys
manifest = json.load(open(sys.argv[1]))
ok = manifest["records"] == int(sys.argv[2]) and manifest["generator_version"] == int(sys.argv[3])
sys.exit(0 if ok else 1)
PY
    header "generate: $records records into $corpus"
    python3 bench/import/generate.py --out "$corpus" --records "$records"
else
    header "corpus: reusing $corpus"
fi

db_args=()
for dir in "${db_dirs[@]}"; do
    db_args+=(--db-dir "$dir")
done

header "measure"
echo "nproc: $(nproc); memory: $(free -g | awk '/^Mem:/ {print $2}') GiB" >&2
python3 bench/import/measure.py --corpus "$corpus" --work "$work" --repeat "$repeat" \
    --hindsight "$bin/hindsight" --ceiling "$bin/hindsight-parse-ceiling" \
    --core-import "$bin/hindsight-core-import" "${db_args[@]}"
