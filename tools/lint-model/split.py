#!/usr/bin/env python3
"""Assigns every labelled sentence of the blameless-language fixtures to `dev` or `test`.

The split is a seeded hash of the sentence's text alone (SHA-256 of a fixed salt and the
text; the first 32 bits below 30% of their range go to `test`), so adding sentences never
moves an existing one, and the same text always lands on the same side. The result is
written into each file's `split` column, where tests read it; run with `--check` to verify
that every row still carries the split this script gives it (nothing edited by hand).

Rows are `label<TAB>split<TAB>sentence[<TAB>source]`; lines starting with `#` are comments.

Usage: python3 tools/lint-model/split.py [--check]
"""

import hashlib
import os
import sys

SALT = "hindsight blameless split 1\t"
TEST_SHARE = 0.30
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "crates", "core", "tests", "fixtures")
FILES = ["blameless_sentences.tsv"] + [
    os.path.join("blameless", name) for name in sorted(os.listdir(os.path.join(ROOT, "blameless"))) if name.endswith(".tsv")
]


def split_of(sentence):
    digest = hashlib.sha256((SALT + sentence).encode("utf-8")).digest()
    return "test" if int.from_bytes(digest[:4], "big") < TEST_SHARE * 2**32 else "dev"


def main():
    check = "--check" in sys.argv[1:]
    wrong = 0
    for name in FILES:
        path = os.path.join(ROOT, name)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        out = []
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                out.append(line)
                continue
            fields = line.split("\t")
            if len(fields) < 3 or fields[0] not in ("blame", "ok"):
                sys.exit(f"{name}:{n}: expected label<TAB>split<TAB>sentence")
            want = split_of(fields[2])
            if fields[1] != want:
                wrong += 1
                if check:
                    print(f"{name}:{n}: split is {fields[1]!r}, the hash gives {want!r}")
            fields[1] = want
            out.append("\t".join(fields))
        if not check:
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(out))
    if check and wrong:
        sys.exit(f"{wrong} rows carry a split the hash does not give")


if __name__ == "__main__":
    main()
