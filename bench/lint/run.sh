#!/usr/bin/env bash
# The blameless-language check's benchmark (docs/BENCHMARKS.md, "Blameless-language check"):
# a release build of bench/lint, then one post-mortem of SENTENCES sentences drawn from the
# labelled corpus, timed RUNS times with the rules alone and with rules and the learned model;
# and, when ../shared/corpus exists, the findings per 1,000 sentences of the public post-mortems.
#
#   bench/lint/run.sh [SENTENCES] [RUNS]      default 1000 21
#
# Environment: CARGO_TARGET_DIR (default /var/tmp/bench-target). Not part of CI or `cargo test`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bench-target}"
cargo build --release -p hindsight-lint-bench
"$CARGO_TARGET_DIR/release/hindsight-lint-bench" "${1:-1000}" "${2:-21}"
if [[ -d ../shared/corpus ]]; then
    "$CARGO_TARGET_DIR/release/hindsight-lint-corpus" ../shared/corpus
fi
