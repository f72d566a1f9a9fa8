#!/usr/bin/env python3
"""Draws sentences from the public post-mortems in ../shared/corpus for labelling.

Deterministic: every candidate sentence is ranked by a SHA-256 of its source and
text, so the same corpus always gives the same sample. Half of the sample is
drawn from all sentences, half from sentences with a cue that makes them worth
labelling (people, "should", "error", "mistake"...), since most real prose is
neutral and the interesting hard negatives are the ones that mention people.

Prints `?<TAB>sentence<TAB>path:line` rows; a person replaces `?` with `blame`
or `ok`. The labelled rows live in crates/core/tests/fixtures/blameless/corpus.tsv.
Only short single sentences are drawn, never whole documents.

Usage: python3 tools/lint-model/sample_corpus.py ../shared/corpus 150 150
"""

import hashlib
import os
import re
import sys

CUE = re.compile(
    r"\b(engineer|operator|developer|team|on-?call|we|he|she|they|someone|person|"
    r"should|could|would|failed to|error|mistake|careless|again|forgot|missed|"
    r"blame|fault|accountable|responsib\w+|decided|chose|root cause)\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


def sentences(path):
    """(line number, sentence) pairs of a plain-text or Markdown file."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    in_code = False
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            continue
        if in_code or not stripped or stripped.startswith(("#", "|", ">", "    ", "---")):
            continue
        stripped = stripped.lstrip("-*• ")
        for sentence in SENTENCE_END.split(stripped):
            sentence = " ".join(sentence.split())
            words = sentence.split()
            # A lower-case start is the tail of a sentence wrapped across lines: skipped.
            if 6 <= len(words) <= 40 and sentence[:1].isupper() and sentence[-1:] in ".!?" and "\t" not in sentence:
                yield n, sentence


def rank(source, sentence):
    return hashlib.sha256(f"{source}\t{sentence}".encode()).hexdigest()


def main():
    root, n_any, n_cue = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    candidates = []
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if not name.endswith((".md", ".txt")) or name in ("README.md", "INDEX.md"):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            for n, sentence in sentences(path):
                candidates.append((f"{rel}:{n}", sentence))
    seen = set()
    picked = []
    by_rank = sorted(candidates, key=lambda c: rank(*c))
    for want, keep in ((n_any, lambda s: True), (n_cue, lambda s: CUE.search(s) is not None)):
        taken = 0
        for source, sentence in by_rank:
            if taken == want:
                break
            if sentence.lower() in seen or not keep(sentence):
                continue
            seen.add(sentence.lower())
            picked.append((source, sentence))
            taken += 1
    for source, sentence in picked:
        print(f"?\t{sentence}\t{source}")


if __name__ == "__main__":
    main()
