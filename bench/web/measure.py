#!/usr/bin/env python3
"""Times Hindsight's pages with curl (bench/web/run.sh): signs in as each user through
the form, then requests each page REPEAT times over one kept-alive connection after ten
warm-up requests, and prints median and p95 of curl's time_total per page."""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

PAGES = [
    ("baseline: /healthz", "/healthz"),
    ("baseline: /assets/app.css", "/assets/app.css"),
    ("incident list, first page", "/incidents"),
    ("incident list, search + team + sort", "/incidents?q=checkout&team=team-01&sort=severity"),
    ("incident page, 18 events (INC-5000)", "/incidents/INC-5000"),
    ("incident page, largest timeline, 20,018 events (INC-10000)", "/incidents/INC-10000"),
    ("same, alerts only, page 1", "/incidents/INC-10000?category=alerts"),
]


def sign_in(base, user, password, jar):
    subprocess.run(
        ["curl", "-sf", "-o", "/dev/null", "-c", jar, "-H", "Sec-Fetch-Site: same-origin",
         "--data-urlencode", f"username={user}", "--data-urlencode", f"password={password}",
         "--data-urlencode", "next=/", f"{base}/login"],
        check=True,
    )


def times(base, path, jar, repeat):
    url = f"{base}{path}"
    out = subprocess.run(
        ["curl", "-s", "-b", jar, "-w", "%{http_code} %{time_total}\n"] + ["-o", "/dev/null", url] * (repeat + 10),
        check=True, capture_output=True, text=True,
    ).stdout.split("\n")
    rows = [line.split() for line in out if line.strip()]
    codes = {code for code, _ in rows}
    if codes != {"200"}:
        sys.exit(f"{path}: answered {codes}, expected 200")
    return sorted(float(t) * 1000 for _, t in rows[10:])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", default="dev")
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    print(f"profile: {args.profile}; {args.repeat} requests per page after 10 warm-up; ms (curl time_total)")
    if args.database:
        print(f"database: {args.database} ({os.path.getsize(args.database) / 1e6:.0f} MB)")
    for user in ["reader", "admin"]:
        with tempfile.NamedTemporaryFile() as jar:
            sign_in(args.base, user, args.password, jar.name)
            print(f"\nsigned in as {user} ({'viewer' if user == 'reader' else 'admin'})")
            print(f"| page | median ms | p95 ms |\n|---|---:|---:|")
            for name, path in PAGES:
                ms = times(args.base, path, jar.name, args.repeat)
                p95 = ms[min(len(ms) - 1, int(round(0.95 * len(ms))) - 1)]
                print(f"| {name} `{path}` | {statistics.median(ms):.1f} | {p95:.1f} |", flush=True)


if __name__ == "__main__":
    main()
