#!/usr/bin/env python3
"""Writes JSON Lines of pages, alerts and notes in bursts that repeat one another within the
duplicate rule's windows (more than half of them are repeats), in time order (fwd.jsonl)
and reversed (rev.jsonl): the import's duplicate check with many events to set aside, on
its streaming path and on its stored-timeline path. See docs/BENCHMARKS.md.

    python3 bench/import/repeats.py --out DIR [--records 100000]
"""
import argparse
import datetime
import json
import pathlib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    texts = ["Paged Ana by SMS", "Checkout 5xx above 5%", "Paged Ana by SMS", "Rolled back deploy"]
    kinds = ["page", "alert", "page", "note"]
    lines = []
    for i in range(args.records):
        at = base + datetime.timedelta(minutes=12 * (i // 4), seconds=75 * (i % 4))
        record = {
            "time": at.isoformat().replace("+00:00", "Z"),
            "source": "pager",
            "kind": kinds[(i // 4) % 4],
            "actor": "oncall",
            "text": texts[(i // 4) % 4],
            "incident": f"P{i // 40}",
        }
        lines.append(json.dumps(record))
    (args.out / "fwd.jsonl").write_text("\n".join(lines))
    (args.out / "rev.jsonl").write_text("\n".join(reversed(lines)))


if __name__ == "__main__":
    main()
