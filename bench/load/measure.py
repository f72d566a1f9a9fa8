#!/usr/bin/env python3
"""Loads one running Hindsight server with wrk (bench/load/run.sh) and prints one Markdown
table row per endpoint: requests per second, latency p50 and p99, and the server's CPU time
per request (its utime + stime from /proc before and after, over the requests wrk made),
with /healthz of the same server in the same run as the baseline."""

import argparse
import datetime
import re
import subprocess
import sys

TICKS = 100  # clock ticks per second (getconf CLK_TCK on Linux)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def millis(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def load(url, header, connections, seconds, pid):
    before = cpu_seconds(pid)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if header:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    used = cpu_seconds(pid) - before
    if "Non-2xx" in out:
        sys.exit(f"{url}: answers other than 2xx\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = millis(re.search(r"\n\s+50%\s+(\S+)", out).group(1))
    p99 = millis(re.search(r"\n\s+99%\s+(\S+)", out).group(1))
    return rate, p50, p99, used * 1000 / max(requests, 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--token", required=True, help="API token of the viewer")
    parser.add_argument("--cookie", required=True, help="session cookie of the viewer, name=value")
    parser.add_argument("--incidents", type=int, required=True)
    parser.add_argument("--label", required=True, help="backend and size, first column")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--idle-rss", required=True, help="MB resident before the first sign-in")
    parser.add_argument("--only", default="", help="load only endpoints whose name contains this")
    args = parser.parse_args()
    api = f"Authorization: Bearer {args.token}"
    page = f"Cookie: {args.cookie}"
    one = args.incidents // 2 + 1
    # A year of insights, ending the day the last incident began (fill.py: one every 20 minutes from 2020).
    last = datetime.date(2020, 1, 1) + datetime.timedelta(minutes=20 * args.incidents)
    year = f"from={last - datetime.timedelta(days=364)}&to={last}"
    runs = [
        ("`/healthz` (baseline)", "/healthz", None, 16),
        ("API list of 50", "/api/v1/incidents?limit=50", api, 16),
        ("API one incident", f"/api/v1/incidents/INC-{one}", api, 16),
        ("API search, rare word, 1 connection", "/api/v1/incidents?q=quasar&limit=50", api, 1),
        ("API search, rare word", "/api/v1/incidents?q=quasar&limit=50", api, 16),
        ("API search, common word", "/api/v1/incidents?q=checkout&limit=50", api, 16),
        ("HTML list", "/incidents", page, 16),
        ("HTML list, search", "/incidents?q=checkout", page, 16),
        ("HTML incident page", f"/incidents/INC-{one}", page, 16),
        ("API similar incidents, 1 connection", f"/api/v1/incidents/INC-{one}/similar", api, 1),
        ("API similar incidents", f"/api/v1/incidents/INC-{one}/similar", api, 16),
        ("API hotspots over a year, 1 connection", f"/api/v1/insights/hotspots?{year}", api, 1),
        ("API fixes over a year, 1 connection", f"/api/v1/insights/fixes?{year}", api, 1),
        ("API unknown causes, 1 connection", "/api/v1/insights/unknown-causes", api, 1),
        ("API contributing factors over a year, 1 connection", f"/api/v1/insights/factors?{year}", api, 1),
        ("API follow-through over a year, 1 connection", f"/api/v1/insights/follow-through?{year}", api, 1),
        ("HTML hotspots over a year, 1 connection", f"/insights/hotspots?{year}", page, 1),
        ("HTML incident page, 1 connection", f"/incidents/INC-{one}", page, 1),
    ]
    print(f"| {args.label} | idle RSS {args.idle_rss} MB | | | | |", flush=True)
    for name, path, header, connections in runs:
        if args.only not in name and not path.startswith("/healthz"):
            continue
        rate, p50, p99, cpu = load(args.base + path, header, connections, args.seconds, args.pid)
        print(f"| {args.label} | {name} ({connections}) | {rate:,.0f} | {p50:.2f} | {p99:.2f} | {cpu:.3f} |", flush=True)
    print(f"| {args.label} | RSS after the runs {rss_mb(args.pid):.1f} MB | | | | |", flush=True)


if __name__ == "__main__":
    main()
