#!/usr/bin/env python3
"""Measures the import benchmark on a corpus from generate.py, in one run: the serde_json
parse ceiling, `jq -c .`, hindsight's importers without the store, and `hindsight import`
end to end into a fresh SQLite database; then prints the figures as a Markdown report and
writes them as JSON. run.sh builds the binaries and calls this; it is not meant to be
called alone, but can be (every input is a flag).

Every command runs under `/usr/bin/time -v` for its peak RSS and CPU times; wall time is
taken around it. The baselines run `--repeat` times and report the median; each
`hindsight import` sequence runs once, since it needs a fresh database.

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

FORMATS = ["pagerduty", "alertmanager", "slack"]
# The goals for `hindsight import`.
GOAL_CEILING_FRACTION = 0.5
GOAL_PEAK_RSS_MB = 200


def timed(command: list[str], cwd: Path, stdout_to: Path | None = None) -> dict:
    """Runs `command` under /usr/bin/time -v; answers wall seconds, peak RSS, CPU and stdout."""
    time_file = cwd / "time-v.txt"
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with open(os.devnull, "wb") if stdout_to is None else stdout_to.open("wb") as out:
        done = subprocess.run(["/usr/bin/time", "-v", "-o", str(time_file), *command], cwd=cwd,
                              stdout=out, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    report = time_file.read_text()
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace"))
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}")

    def field(name: str) -> float:
        match = re.search(rf"{re.escape(name)}: ([0-9.]+)", report)
        return float(match.group(1)) if match else float("nan")

    return {
        "seconds": wall,
        "peak_rss_mb": field("Maximum resident set size (kbytes)") / 1024,
        "user_seconds": field("User time (seconds)"),
        "system_seconds": field("System time (seconds)"),
        "stdout": stdout_to.read_text() if stdout_to else "",
        # Other work on the machine slows every tool alike; the 1-minute load says how much there was.
        "load_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def median_run(runs: list[dict]) -> dict:
    chosen = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return dict(chosen, runs=[round(r["seconds"], 3) for r in runs])


def input_files(path: Path) -> list[str]:
    if path.is_file():
        return [str(path)]
    return sorted(str(p) for p in path.rglob("*.json"))


def warm_cache(corpus: Path) -> None:
    """Reads the corpus once so every tool starts from the page cache, not the disk."""
    for path in corpus.rglob("*"):
        if path.is_file():
            with path.open("rb") as f:
                while f.read(1 << 20):
                    pass


def fs_type(path: Path) -> str:
    """The file system the database is on (ext4, tmpfs, …)."""
    for command in (["findmnt", "-no", "FSTYPE", "-T", str(path)], ["stat", "-f", "-c", "%T", str(path)]):
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except FileNotFoundError:
            continue
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    return "unknown"


def machine() -> dict:
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    jq = subprocess.run(["jq", "--version"], capture_output=True, text=True).stdout.strip()
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
            "kernel": platform.release(), "python": platform.python_version(), "jq": jq, "rustc": rustc}


def hindsight_sequence(args, manifest: dict, db_dir: Path) -> dict:
    """Imports the three formats into one fresh database: the first creates INC-1."""
    db_dir.mkdir(parents=True, exist_ok=True)
    db = db_dir / "hindsight-bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite://{db}"
    results = {}
    for i, name in enumerate(FORMATS):
        spec = manifest["formats"][name]
        target = ["--create-incident"] if i == 0 else ["--incident", "INC-1"]
        command = [args.hindsight, "--database-url", url, "import", "--format", spec["format"],
                   str(args.corpus / spec["path"]), *target, "--json"]
        print(f"  hindsight import --format {spec['format']} ({db_dir})", file=sys.stderr, flush=True)
        run = timed(command, args.work, stdout_to=args.work / f"hindsight-{name}.json")
        summary = json.loads(run.pop("stdout"))
        run["summary"] = {k: summary.get(k) for k in
                          ("incident", "created_incident", "read", "imported", "duplicates", "rejected", "skipped")}
        run["summary"]["rejections"] = summary.get("rejections", [])[:5]
        run["command"] = " ".join(command)
        results[name] = run
    db_bytes = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    return {"db_dir": str(db_dir), "fs": fs_type(db_dir), "db_bytes": db_bytes, "formats": results,
            "store_floor": store_floor(args, db)}


def store_floor(args, imported_db: Path) -> dict:
    """What storing alone costs: sqlite3 copies the events hindsight stored into a fresh
    database of the same schema, in one transaction, with the same journal and durability
    settings, and checkpoints it. No parsing, no round trips: a floor for any importer that
    keeps these events in SQLite."""
    floor = imported_db.with_name("store-floor.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{floor}{suffix}").unlink(missing_ok=True)
    subprocess.run([args.hindsight, "--database-url", f"sqlite://{floor}", "migrate"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    script = args.work / "store-floor.sql"
    script.write_text("\n".join([
        "PRAGMA journal_mode = WAL;", "PRAGMA synchronous = NORMAL;", "PRAGMA foreign_keys = OFF;",
        f"ATTACH 'file:{imported_db}?mode=ro' AS imported;",
        "BEGIN;", "INSERT INTO main.timeline_events SELECT * FROM imported.timeline_events;", "COMMIT;",
        "PRAGMA main.wal_checkpoint(TRUNCATE);", ""]))
    print(f"  store floor: sqlite3 copies the stored events ({floor.parent})", file=sys.stderr, flush=True)
    run = timed(["sqlite3", str(floor), f".read {script}"], args.work)
    run.pop("stdout")
    count = subprocess.run(["sqlite3", str(floor), "SELECT COUNT(*) FROM timeline_events"], check=True,
                           capture_output=True, text=True).stdout.strip()
    run["events"] = int(count)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{floor}{suffix}").unlink(missing_ok=True)
    return run


def measure(args) -> dict:
    manifest = json.loads((args.corpus / "manifest.json").read_text())
    print("warming the page cache", file=sys.stderr, flush=True)
    warm_cache(args.corpus)
    baselines: dict[str, dict] = {"ceiling": {}, "jq": {}, "core-import": {}}
    for name in FORMATS:
        spec = manifest["formats"][name]
        path = args.corpus / spec["path"]
        lines = ["--lines"] if name == "alertmanager" else []
        print(f"  baselines: {name}", file=sys.stderr, flush=True)
        runs = []
        for _ in range(args.repeat):
            run = timed([args.ceiling, *lines, str(path)], args.work, stdout_to=args.work / "ceiling.json")
            run["report"] = json.loads(run.pop("stdout"))
            runs.append(run)
        baselines["ceiling"][name] = median_run(runs)
        runs = [timed(["jq", "-c", ".", *input_files(path)], args.work) for _ in range(args.repeat)]
        for run in runs:
            run.pop("stdout")
        baselines["jq"][name] = median_run(runs)
        runs = []
        for _ in range(args.repeat):
            run = timed([args.core_import, "--format", spec["format"], str(path)], args.work,
                        stdout_to=args.work / "core-import.json")
            run["report"] = json.loads(run.pop("stdout"))
            runs.append(run)
        baselines["core-import"][name] = median_run(runs)
    imports = [hindsight_sequence(args, manifest, Path(d)) for d in args.db_dir]
    return {"machine": machine(), "manifest": manifest, "repeat": args.repeat, "baselines": baselines,
            "hindsight": imports, "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


# ---- the report -------------------------------------------------------------------------


def rate(records: int, nbytes: int, seconds: float) -> tuple[float, float]:
    return records / seconds, nbytes / 1e6 / seconds


def totals(per_format: dict) -> dict:
    seconds = sum(per_format[n]["seconds"] for n in FORMATS)
    peak = max(per_format[n]["peak_rss_mb"] for n in FORMATS)
    return {"seconds": seconds, "peak_rss_mb": peak}


def report(results: dict) -> str:
    manifest = results["manifest"]
    fmt = manifest["formats"]
    rows = list(FORMATS) + ["all"]
    records = {n: fmt[n]["records"] for n in FORMATS}
    nbytes = {n: fmt[n]["bytes"] for n in FORMATS}
    records["all"] = sum(records.values())
    nbytes["all"] = sum(nbytes.values())

    def with_total(per_format: dict) -> dict:
        return dict(per_format, all=totals(per_format))

    base = {tool: with_total(results["baselines"][tool]) for tool in ("ceiling", "jq", "core-import")}
    out = []
    m = results["machine"]
    out.append(f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB RAM, Linux {m['kernel']}; "
               f"{m['rustc']}; {m['jq']}.")
    out.append(f"Corpus: {records['all']:,} records, {nbytes['all'] / 1e6:,.0f} MB "
               f"(seed {manifest['seed']}); MB = 10^6 bytes of input files.")
    out.append("")
    out.append("| input | records | MB | tool | seconds | records/s | MB/s | peak RSS MB |")
    out.append("|---|---:|---:|---|---:|---:|---:|---:|")
    for n in rows:
        tools = [("ceiling (serde_json → IgnoredAny)", base["ceiling"][n]), ("jq -c .", base["jq"][n]),
                 ("core importers, no store", base["core-import"][n])]
        for seq in results["hindsight"]:
            tools.append((f"hindsight import (db on {seq['fs']})", with_total(seq["formats"])[n]))
        for label, r in tools:
            rps, mbps = rate(records[n], nbytes[n], r["seconds"])
            out.append(f"| {n} | {records[n]:,} | {nbytes[n] / 1e6:,.0f} | {label} | {r['seconds']:.2f} | "
                       f"{rps:,.0f} | {mbps:.1f} | {r['peak_rss_mb']:.0f} |")
    out.append("")
    out.append("| input | db | hindsight ÷ ceiling throughput | hindsight ÷ jq throughput | "
               "core importers ÷ ceiling | peak RSS MB | stored events | rejected |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|")
    goals = []
    for seq in results["hindsight"]:
        h = with_total(seq["formats"])
        for n in rows:
            vs_ceiling = base["ceiling"][n]["seconds"] / h[n]["seconds"]
            vs_jq = base["jq"][n]["seconds"] / h[n]["seconds"]
            core = base["ceiling"][n]["seconds"] / base["core-import"][n]["seconds"]
            if n == "all":
                stored = sum(seq["formats"][f]["summary"]["imported"] for f in FORMATS)
                rejected = sum(seq["formats"][f]["summary"]["rejected"] for f in FORMATS)
            else:
                stored = seq["formats"][n]["summary"]["imported"]
                rejected = seq["formats"][n]["summary"]["rejected"]
            out.append(f"| {n} | {seq['fs']} | {vs_ceiling:.3f} | {vs_jq:.2f} | {core:.3f} | "
                       f"{h[n]['peak_rss_mb']:.0f} | {stored:,} | {rejected:,} |")
            if n == "all":
                goals.append((seq["fs"], vs_ceiling, vs_jq, h[n]["peak_rss_mb"]))
    out.append("")
    for fs, vs_ceiling, vs_jq, peak in goals:
        met = lambda ok: "met" if ok else "MISSED"  # noqa: E731
        out.append(f"Goals (db on {fs}): ≥ {GOAL_CEILING_FRACTION} of the ceiling's throughput: "
                   f"{met(vs_ceiling >= GOAL_CEILING_FRACTION)} ({vs_ceiling:.3f}); faster than jq: "
                   f"{met(vs_jq > 1)} ({vs_jq:.2f}×); peak RSS under {GOAL_PEAK_RSS_MB} MB: "
                   f"{met(peak < GOAL_PEAK_RSS_MB)} ({peak:.0f} MB).")
    for seq in results["hindsight"]:
        floor = seq.get("store_floor")
        if floor:
            out.append(f"Store floor (db on {seq['fs']}): sqlite3 alone copies the {floor['events']:,} stored events "
                       f"into a fresh database of the same schema in {floor['seconds']:.2f} s, so no importer "
                       f"storing them can pass {base['ceiling']['all']['seconds'] / floor['seconds']:.3f} of the "
                       f"ceiling's throughput there; hindsight import takes "
                       f"{with_total(seq['formats'])['all']['seconds'] / floor['seconds']:.2f}× the floor.")
    out.append("")
    out.append("CPU seconds (user + system) of each `hindsight import`, against its wall seconds:")
    for seq in results["hindsight"]:
        for n in FORMATS:
            r = seq["formats"][n]
            out.append(f"- {n} (db on {seq['fs']}): {r['user_seconds']:.1f} user + {r['system_seconds']:.1f} "
                       f"system over {r['seconds']:.1f} wall; database afterwards {seq['db_bytes'] / 1e6:,.0f} MB")
    loads = [r.get("load_1m", [0, 0])[1] for tool in results["baselines"].values() for r in tool.values()]
    loads += [r.get("load_1m", [0, 0])[1] for seq in results["hindsight"] for r in seq["formats"].values()]
    out.append(f"- 1-minute load average after each measured command: {min(loads):.1f} to {max(loads):.1f} "
               f"(on {m['nproc']} CPUs)")
    expected = {n: fmt[n]["timeline_events"] for n in FORMATS}
    for seq in results["hindsight"]:
        for n in FORMATS:
            s = seq["formats"][n]["summary"]
            # Every event is stored, or found by the duplicate rule to be one with another
            # (a repeated notification), and counted among the duplicates.
            if s["imported"] + s["duplicates"] != expected[n] or s["rejected"]:
                out.append(f"- WARNING: {n} (db on {seq['fs']}) stored {s['imported']} events and found "
                           f"{s['duplicates']} duplicates, expected {expected[n]} in all; "
                           f"{s['rejected']} rejected: {s['rejections']}")
            elif s["duplicates"]:
                out.append(f"- {n} (db on {seq['fs']}): {s['duplicates']:,} of {expected[n]:,} events were "
                           f"duplicates by the timeline rule (repeated notifications), not stored")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--work", type=Path, help="folder for results and scratch files")
    parser.add_argument("--hindsight")
    parser.add_argument("--ceiling")
    parser.add_argument("--core-import")
    parser.add_argument("--db-dir", type=Path, action="append",
                        help="where the fresh SQLite database goes (repeat to compare, e.g. disk and tmpfs)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each baseline; the median is reported")
    parser.add_argument("--report-only", type=Path, help="print the report of an earlier results JSON")
    args = parser.parse_args()
    if args.report_only:
        print(report(json.loads(args.report_only.read_text())), end="")
        return 0
    missing = [flag for flag in ("corpus", "work", "hindsight", "ceiling", "core_import") if not getattr(args, flag)]
    if missing:
        parser.error("missing " + ", ".join("--" + flag.replace("_", "-") for flag in missing))
    args.work.mkdir(parents=True, exist_ok=True)
    args.db_dir = args.db_dir or [args.work]
    if shutil.which("jq") is None:
        parser.error("jq is not installed")
    results = measure(args)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = args.work / f"results-{stamp}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    text = report(results)
    (args.work / f"results-{stamp}.md").write_text(text)
    print(text, end="")
    print(f"(results: {out})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
