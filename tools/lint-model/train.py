#!/usr/bin/env python3
"""Trains the learned part of the blameless-language check and writes its weights.

Standard library only, deterministic (fixed folds, fixed order, no randomness): running it
twice on the same corpus writes the same file.

1. Features: `cargo run -q --release -p hindsight-lint-model` prints every labelled sentence
   with the features the check computes for it (words and word pairs, names as `<name>`) and
   whether the rules alone flag it. Only the `dev` rows are used; the `test` rows are read
   by nobody here.
2. Model: logistic regression with an L2 penalty over the features seen in at least two
   development sentences, fitted by full-batch gradient descent with AdaGrad steps.
3. Threshold and penalty: five folds of the development set (by a hash of the sentence) give
   every development sentence a score from a model that did not see it. The penalty and the
   threshold are the ones that give the highest recall of "rules or model" on those scores
   while precision stays at or above TARGET_PRECISION (on a tie, the stronger penalty).
4. The final model is fitted on the whole development set and written, with the threshold,
   to crates/core/src/lint/model_weights.rs, together with a few sentences and the scores
   this script computes for them, which a Rust test recomputes.

Usage: python3 tools/lint-model/train.py [--features FILE]
(takes about a minute; FILE is the output of the cargo command above, to skip building it).
"""

import hashlib
import math
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "crates", "core", "src", "lint", "model_weights.rs")
TARGET_PRECISION = 0.96
PENALTIES = (0.3, 1.0, 3.0)
ITERATIONS = 300
STEP = 0.5
FOLDS = 5
MIN_COUNT = 2
KEEP = 1e-3  # weights smaller than this in absolute value are dropped from the table
CHECKS = 8  # sentences whose scores the Rust test recomputes


def read_rows(lines):
    rows = []
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        part, split, label, rules, sentence, *features = line.split("\t")
        if split != "dev":
            continue
        rows.append({"part": part, "label": label == "blame", "rules": rules == "1",
                     "sentence": sentence, "features": sorted(set(features))})
    return rows


def fold_of(sentence):
    return hashlib.sha256(("fold\t" + sentence).encode("utf-8")).digest()[0] % FOLDS


def fit(rows, vocabulary, penalty):
    """Weights (dict) and bias of an L2-penalised logistic regression."""
    index = {f: i for i, f in enumerate(vocabulary)}
    xs = [[index[f] for f in r["features"] if f in index] for r in rows]
    ys = [1.0 if r["label"] else 0.0 for r in rows]
    n = len(rows)
    w = [0.0] * len(vocabulary)
    b = 0.0
    gw_sq = [1e-8] * len(vocabulary)
    gb_sq = 1e-8
    for _ in range(ITERATIONS):
        grad = [penalty * wi / n for wi in w]
        gb = 0.0
        for x, y in zip(xs, ys):
            z = b + sum(w[i] for i in x)
            p = 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0
            d = (p - y) / n
            gb += d
            for i in x:
                grad[i] += d
        for i, g in enumerate(grad):
            gw_sq[i] += g * g
            w[i] -= STEP * g / math.sqrt(gw_sq[i])
        gb_sq += gb * gb
        b -= STEP * gb / math.sqrt(gb_sq)
    return {f: w[i] for i, f in enumerate(vocabulary)}, b


def score(weights, bias, features):
    return bias + sum(weights.get(f, 0.0) for f in features)


def vocabulary_of(rows):
    counts = {}
    for r in rows:
        for f in r["features"]:
            counts[f] = counts.get(f, 0) + 1
    return sorted(f for f, c in counts.items() if c >= MIN_COUNT)


def best_threshold(rows, scores):
    """(recall, precision, threshold) of "rules or score >= threshold" with the highest recall
    at precision >= TARGET_PRECISION."""
    candidates = sorted(set(s for r, s in zip(rows, scores) if not r["rules"]), reverse=True)
    best = (0.0, 1.0, math.inf)
    for t in candidates:
        tp = fp = fn = 0
        for r, s in zip(rows, scores):
            flagged = r["rules"] or s >= t
            if flagged and r["label"]:
                tp += 1
            elif flagged:
                fp += 1
            elif r["label"]:
                fn += 1
        precision = tp / max(tp + fp, 1)
        recall = tp / max(tp + fn, 1)
        if precision >= TARGET_PRECISION and recall > best[0]:
            best = (recall, precision, t)
    return best


def out_of_fold(rows, penalty):
    scores = [0.0] * len(rows)
    for k in range(FOLDS):
        train = [r for r in rows if fold_of(r["sentence"]) != k]
        weights, bias = fit(train, vocabulary_of(train), penalty)
        for i, r in enumerate(rows):
            if fold_of(r["sentence"]) == k:
                scores[i] = score(weights, bias, r["features"])
    return scores


def rust_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    args = sys.argv[1:]
    if args[:1] == ["--features"]:
        with open(args[1], encoding="utf-8") as f:
            lines = f.readlines()
    else:
        cmd = ["cargo", "run", "-q", "--release", "-p", "hindsight-lint-model"]
        lines = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout.splitlines()
    rows = read_rows(lines)
    print(f"{len(rows)} development sentences, {sum(r['label'] for r in rows)} blame", file=sys.stderr)

    results = []
    for penalty in PENALTIES:
        recall, precision, threshold = best_threshold(rows, out_of_fold(rows, penalty))
        print(f"penalty {penalty}: out-of-fold rules or model: precision {precision:.3f} recall {recall:.3f} "
              f"at threshold {threshold:.4f}", file=sys.stderr)
        results.append((recall, penalty, threshold, precision))
    # Highest recall; on a tie, the stronger penalty (the simpler model).
    recall, penalty, threshold, precision = max(results)

    weights, bias = fit(rows, vocabulary_of(rows), penalty)
    table = sorted((f, round(w, 6)) for f, w in weights.items() if abs(w) >= KEEP)
    bias = round(bias, 6)
    threshold = round(threshold, 6)
    kept = dict(table)
    checks = [(r["sentence"], round(score(kept, bias, r["features"]), 9)) for r in rows[:: max(len(rows) // CHECKS, 1)]][:CHECKS]

    with open(OUT, "w", encoding="utf-8") as f:
        f.write("//! The learned model's weights, generated by `python3 tools/lint-model/train.py` from the\n")
        f.write("//! development half of the labelled corpus; do not edit by hand, rerun the script.\n")
        f.write(f"//! {len(rows)} development sentences, L2 penalty {penalty}, {len(table)} features kept;\n")
        f.write(f"//! out of fold, rules or model: precision {precision:.3f}, recall {recall:.3f}.\n\n")
        f.write("/// The score of a sentence with none of the features.\n")
        f.write(f"pub(super) const BIAS: f64 = {bias!r};\n\n")
        f.write("/// The score from which a sentence is reported.\n")
        f.write(f"pub(super) const THRESHOLD: f64 = {threshold!r};\n\n")
        f.write("/// Each feature's weight, sorted by feature.\n")
        f.write("pub(super) const FEATURES: &[(&str, f64)] = &[\n")
        for name, w in table:
            f.write(f"    ({rust_string(name)}, {w!r}),\n")
        f.write("];\n\n")
        f.write("/// Development sentences and the score this script gives them, for a test to recompute.\n")
        f.write("#[cfg(test)]\n")
        f.write("pub(super) const CHECKS: &[(&str, f64)] = &[\n")
        for sentence, s in checks:
            f.write(f"    ({rust_string(sentence)}, {s!r}),\n")
        f.write("];\n")
    print(f"wrote {OUT}: penalty {penalty}, threshold {threshold}, {len(table)} features", file=sys.stderr)


if __name__ == "__main__":
    main()
