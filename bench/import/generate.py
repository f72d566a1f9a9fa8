#!/usr/bin/env python3
"""Writes the import benchmark's corpus: a reproducible mix of PagerDuty log entries,
Alertmanager notifications and a Slack export, roughly a third of the records each.

Not a test fixture: the records are synthetic, in the vendors' real shapes (see
../shared/formats/ and crates/core/tests/fixtures/import/), with ids that are all distinct
so that every record becomes a timeline event and none is dropped as a duplicate.

    python3 bench/import/generate.py --out /var/tmp/hindsight-bench/corpus [--records 1000000] [--seed 20261120]

Layout of --out:
    pagerduty/log_entries.json           one REST v2 page {"log_entries": [...], "more": false}
    alertmanager/notifications.jsonl     webhook v4 groups, one per line
    slack/users.json, channels.json      the export's listings
    slack/<channel>/<YYYY-MM-DD>.json    one array of messages per channel and day
    manifest.json                        counts, bytes and the seed, written last

A "record" is one PagerDuty log entry, one Alertmanager alert or one Slack message. A
resolved alert becomes two timeline events (fired, resolved); `manifest.json` says how
many timeline events the corpus should produce in all.

Python 3.11 standard library only; the same seed and record count give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sys
from pathlib import Path

GENERATOR_VERSION = 1

BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
START = dt.datetime(2026, 1, 5, 8, 0, 0, tzinfo=dt.timezone.utc)
# The corpus covers this many days, so the Slack export has a few hundred day files per channel.
SPAN_DAYS = 400

FIRST_NAMES = [
    "Ana", "Bruno", "Chen", "Dara", "Emeka", "Fatima", "Gustavo", "Hana", "Ivan", "Jonas", "Kemi", "Lena",
    "Mateus", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sami", "Tariq", "Uma", "Viktor", "Wen", "Ximena",
    "Yusuf", "Zofia", "Aiko", "Bilal", "Carmen", "Dmitri", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jae",
]
LAST_NAMES = [
    "Lima", "Costa", "Wei", "Okafor", "Haddad", "Silva", "Novak", "Reis", "Sato", "Kowalski", "Mendes", "Berg",
    "Adeyemi", "Iyer", "Larsen", "Moreau", "Park", "Rossi", "Schmidt", "Tanaka", "Vargas", "Yilmaz",
]
SERVICES = [
    "checkout-api", "payments-gateway", "cart-service", "search-api", "catalog-sync", "auth-service",
    "notifications-worker", "orders-db", "inventory-api", "shipping-quotes", "pricing-engine", "recommendations",
    "edge-proxy", "image-resizer", "billing-batch", "ledger", "fraud-scoring", "customer-profile", "web-frontend",
    "mobile-bff", "kafka-ingest", "reporting-etl", "feature-flags", "session-store",
]
TEAMS = ["Payments", "Checkout", "Search", "Platform", "Identity", "Data", "Storefront", "Logistics"]
ALERTS = [
    ("HighErrorRate", "critical", "5xx ratio on {service} above 5% (currently {pct}%)"),
    ("LatencyP99High", "warning", "p99 latency of {service} above {ms}ms"),
    ("PodCrashLooping", "critical", "Pod {pod} is restarting {n} times / 10 minutes"),
    ("DiskWillFillIn4Hours", "warning", "Volume on {instance} will fill up within 4 hours"),
    ("HighMemoryUsage", "warning", "Memory usage of {pod} above 90% of its limit"),
    ("KafkaConsumerLag", "critical", "Consumer group {service} lags {n}k messages behind"),
    ("CertificateExpiringSoon", "info", "TLS certificate for {service} expires in {n} days"),
    ("TargetDown", "critical", "{instance} of job {service} is down"),
    ("ReplicasMismatch", "warning", "Deployment {service} has {n} unavailable replicas"),
    ("SLOBurnRateFast", "critical", "{service} is burning its 30-day error budget {n}x too fast"),
]
WORDS = (
    "deploy rollback pool connection timeout retry queue backlog latency error budget canary "
    "node pod restart cache miss index replica failover lock contention config flag migration "
    "dashboard runbook traffic region upstream downstream customer checkout payment order shard "
    "leader election memory heap gc pause throttle limit quota certificate dns resolver ingress"
).split()
PHRASES = [
    "looking at {svc} now",
    "error rate on {svc} is back to baseline",
    "I think the {word} change in {ver} is the trigger",
    "rolling back {svc} to {ver}",
    "can someone from {team} check {svc}?",
    "customers report failed {word} requests since {hh}:{mm} UTC",
    "graph: <https://grafana.northwind.example/d/{slug}?from=now-1h|{svc} overview>",
    "paging <@{uid}> for {svc}",
    "status page updated &amp; support informed",
    "moving this to <#{cid}|{cname}>",
    "{word} {word2} on {svc} looks off, digging in",
    "mitigation holding, keeping an eye on {word} for 30 minutes",
    "<!here> {svc} is degraded, incident declared",
    "p99 went from 180ms to {ms}ms right after the {word} rollout",
    "opened a ticket for the {word} {word2} follow-up",
]
PD_FLOW_EXTRA = ["annotate", "annotate", "notify", "assign", "escalate", "priority_change", "snooze",
                 "unacknowledge", "urgency_change", "delegate"]
CHANNELS = [
    ("C01INCIDNT", "incidents", 3.0),
    ("C02SREONCL", "sre-oncall", 2.5),
    ("C03DEPLOYS", "deploys", 1.5),
    ("C04SUPPESC", "support-escalations", 1.0),
    ("C05INC2211", "inc-2211-checkout", 1.0),
]


def scrambled_id(counter: int, prefix: str, width: int) -> str:
    """A distinct id per counter that looks random: an odd multiplier modulo 36^width is a bijection."""
    modulus = 36**width
    # A multiplier near modulus/phi, prime to 2 and 3, spreads consecutive counters apart.
    multiplier = int(modulus * 0.6180339887498949) | 1
    while multiplier % 3 == 0:
        multiplier += 2
    value = (counter * multiplier + modulus // 7) % modulus
    digits = []
    for _ in range(width):
        value, digit = divmod(value, 36)
        digits.append(BASE36[digit])
    return prefix + "".join(reversed(digits))


def iso(at: dt.datetime, millis: bool = False) -> str:
    if millis:
        return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """Time that moves forward by small random steps, so every record has its own instant."""

    def __init__(self, rng: random.Random, count: int) -> None:
        self.rng = rng
        self.at = START
        self.mean_step = SPAN_DAYS * 86400.0 / max(count, 1)

    def tick(self) -> dt.datetime:
        step = self.rng.expovariate(1.0 / self.mean_step) + 0.001
        self.at += dt.timedelta(seconds=step)
        return self.at


class People:
    def __init__(self, rng: random.Random) -> None:
        self.users = []
        for i in range(48):
            first = FIRST_NAMES[i % len(FIRST_NAMES)]
            last = LAST_NAMES[(i * 7) % len(LAST_NAMES)]
            self.users.append({
                "pd_id": scrambled_id(i + 1, "P", 6),
                "slack_id": scrambled_id(i + 101, "U0", 8),
                "name": f"{first} {last}",
                "handle": f"{first.lower()}.{last.lower()}",
                "display": first.lower() if i % 3 else "",
                "team": TEAMS[i % len(TEAMS)],
                "avatar": hashlib.md5(f"{first}{last}{i}".encode()).hexdigest()[:12],
            })
        self.services = [
            {"id": scrambled_id(i + 501, "PS", 5), "name": name, "team": TEAMS[i % len(TEAMS)]}
            for i, name in enumerate(SERVICES)
        ]
        self.teams = {name: scrambled_id(i + 901, "PT", 5) for i, name in enumerate(TEAMS)}
        self.rng = rng

    def user(self) -> dict:
        return self.rng.choice(self.users)

    def service(self) -> dict:
        return self.rng.choice(self.services)


def reference(kind: str, obj_id: str, summary: str, path: str) -> dict:
    return {
        "id": obj_id,
        "type": f"{kind}_reference",
        "summary": summary,
        "self": f"https://api.pagerduty.com/{path}/{obj_id}",
        "html_url": f"https://northwind.pagerduty.com/{path}/{obj_id}",
    }


# ---- PagerDuty ----------------------------------------------------------------------------


def pagerduty_entries(rng: random.Random, people: People, count: int):
    """Yields `count` log entries, incident after incident, each incident a realistic flow."""
    clock = Clock(rng, count)
    entry_counter = 0
    incident_counter = 0
    while entry_counter < count:
        incident_counter += 1
        number = 4000 + incident_counter
        incident_id = scrambled_id(incident_counter, "Q", 13)
        service = people.service()
        alert_name, severity, _ = rng.choice(ALERTS)
        title = f"[FIRING:1] {alert_name} {service['name']} ({severity})"
        incident = reference("incident", incident_id, f"[#{number}] {title}", "incidents")
        team = [reference("team", people.teams[service["team"]], service["team"], "teams")]
        service_ref = reference("service", service["id"], service["name"], "services")
        responders = [people.user() for _ in range(3)]
        flow = ["trigger", "notify", "notify"]
        flow += ["escalate", "notify"] if rng.random() < 0.3 else []
        flow += ["acknowledge"]
        flow += rng.sample(PD_FLOW_EXTRA, rng.randint(1, 5))
        flow += ["annotate"] * rng.randint(0, 2)
        flow += ["resolve"]
        for kind in flow:
            if entry_counter >= count:
                return
            entry_counter += 1
            at = clock.tick()
            entry_id = scrambled_id(entry_counter, "R", 25)
            yield pagerduty_entry(rng, kind, entry_id, at, incident, service_ref, team, responders, title)


def pagerduty_entry(rng, kind, entry_id, at, incident, service_ref, team, responders, title) -> dict:
    user = rng.choice(responders)
    user_ref = reference("user", user["pd_id"], user["name"], "users")
    entry = {
        "id": entry_id,
        "type": f"{kind}_log_entry",
        "summary": "",
        "self": f"https://api.pagerduty.com/log_entries/{entry_id}",
        "html_url": None,
        "created_at": iso(at),
    }
    if kind == "trigger":
        entry["summary"] = "Triggered through the API"
        entry["html_url"] = f"{incident['html_url']}/log_entries/{entry_id}"
        entry["agent"] = dict(service_ref, type="generic_events_api_inbound_integration_reference")
        entry["channel"] = {"type": "api", "summary": title, "details": {"firing": "Labels:\n - alertname"}}
        entry["event_details"] = {"description": title}
    elif kind == "notify":
        how = rng.choice(["email", "sms", "phone", "push_notification"])
        entry["summary"] = f"Notified {user['name']} by {how}"
        entry["channel"] = {"type": "auto", "notification": {
            "type": how, "address": f"{user['handle']}@northwind.example", "status": "success"}}
        entry["user"] = user_ref
    elif kind == "acknowledge":
        entry["summary"] = f"Acknowledged by {user['name']}"
        entry["agent"] = user_ref
        entry["channel"] = {"type": rng.choice(["website", "mobile", "phone", "slack"])}
        entry["event_details"] = {}
    elif kind == "annotate":
        note = phrase(rng, None)
        entry["summary"] = "Note added"
        entry["agent"] = user_ref
        entry["channel"] = {"type": "note", "summary": note}
    elif kind == "resolve":
        entry["summary"] = f"Resolved by {user['name']}"
        entry["agent"] = user_ref
        entry["channel"] = {"type": "website"}
        entry["note"] = phrase(rng, None)
        entry["event_details"] = {}
    elif kind in ("escalate", "assign", "delegate"):
        target = rng.choice(responders)
        verb = {"escalate": "Escalated", "assign": "Assigned", "delegate": "Delegated"}[kind]
        entry["summary"] = f"{verb} to {target['name']} by timeout"
        entry["agent"] = dict(service_ref)
        entry["channel"] = {"type": "auto"}
        entry["assignees"] = [reference("user", target["pd_id"], target["name"], "users")]
    else:
        words = kind.replace("_", " ")
        entry["summary"] = f"{words.capitalize()} by {user['name']}"
        entry["agent"] = user_ref
        entry["channel"] = {"type": "website"}
    entry["service"] = service_ref
    entry["incident"] = incident
    entry["teams"] = team
    entry["contexts"] = []
    return entry


def write_pagerduty(path: Path, rng: random.Random, people: People, count: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        # The API answers minified; one entry per line keeps the file readable with head/grep.
        out.write('{"log_entries":[\n')
        for i, entry in enumerate(pagerduty_entries(rng, people, count)):
            if i:
                out.write(",\n")
            out.write(json.dumps(entry, separators=(",", ":")))
        out.write(f'\n],"limit":{count},"offset":0,"total":{count},"more":false}}\n')


# ---- Alertmanager -------------------------------------------------------------------------


def alert_series(people: People) -> list[dict]:
    """The alerting rules' label sets: one series per rule, service and instance."""
    series = []
    for service in people.services:
        for alert_name, severity, template in ALERTS:
            for replica in range(3):
                pod = f"{service['name']}-{hashlib.sha1(service['name'].encode()).hexdigest()[:9]}-{replica:02d}x4q"
                labels = {
                    "alertname": alert_name,
                    "cluster": "prod-eu-west-1",
                    "namespace": "shop",
                    "service": service["name"],
                    "severity": severity,
                    "team": service["team"].lower(),
                    "instance": f"10.42.{len(series) % 250}.{replica + 10}:8080",
                    "job": service["name"],
                    "pod": pod,
                }
                fingerprint = hashlib.sha1(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]
                series.append({"labels": labels, "fingerprint": fingerprint, "template": template})
    return series


def alertmanager_groups(rng: random.Random, people: People, count: int):
    """Yields (group, alerts in it) until `count` alerts; (fingerprint, startsAt) never repeats.

    Groups are by alertname, as with Alertmanager's common `group_by: [alertname]`, so one
    notification carries the same rule's alerts across services and replicas.
    """
    by_rule: dict[str, list[dict]] = {}
    for s in alert_series(people):
        by_rule.setdefault(s["labels"]["alertname"], []).append(s)
    rules = list(by_rule.items())
    clock = Clock(rng, count)
    written = 0
    while written < count:
        alert_name, members = rng.choice(rules)
        size = min(rng.choice([1, 1, 2, 3, 3, 5, 8, 12]), count - written)
        resolved_group = rng.random() < 0.35
        alerts = []
        for s in rng.sample(members, size):
            starts = clock.tick()
            labels = s["labels"]
            service = labels["service"]
            resolved = resolved_group or rng.random() < 0.05
            summary = s["template"].format(service=service, pct=rng.randint(6, 60), ms=rng.randint(800, 9000),
                                           pod=labels["pod"], n=rng.randint(2, 40), instance=labels["instance"])
            alerts.append({
                "status": "resolved" if resolved else "firing",
                "labels": labels,
                "annotations": {
                    "summary": summary,
                    "description": f"{summary}. Check the {service} dashboard and the runbook before paging.",
                    "runbook_url": f"https://runbooks.northwind.example/{service}/{alert_name.lower()}",
                },
                "startsAt": iso(starts, millis=True),
                "endsAt": iso(starts + dt.timedelta(seconds=rng.randint(60, 5400)), millis=True)
                if resolved else "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.shop.svc:9090/graph?g0.expr=sum%28rate%28http_requests_total"
                                f"%7Bjob%3D%22{service}%22%2Ccode%3D~%225..%22%7D%5B5m%5D%29%29&g0.tab=1",
                "fingerprint": s["fingerprint"],
            })
        common = {k: v for k, v in alerts[0]["labels"].items() if all(a["labels"].get(k) == v for a in alerts)}
        group = {
            "receiver": f"pagerduty-{alerts[0]['labels']['team']}",
            "status": "resolved" if all(a["status"] == "resolved" for a in alerts) else "firing",
            "alerts": alerts,
            "groupLabels": {"alertname": alert_name},
            "commonLabels": common,
            "commonAnnotations": {},
            "externalURL": "http://alertmanager.shop.svc:9093",
            "version": "4",
            "groupKey": f'{{}}:{{alertname="{alert_name}"}}',
            "truncatedAlerts": 0,
        }
        written += size
        yield group, alerts


def write_alertmanager(path: Path, rng: random.Random, people: People, count: int) -> tuple[int, int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    groups = resolved = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for group, alerts in alertmanager_groups(rng, people, count):
            groups += 1
            resolved += sum(1 for a in alerts if a["status"] == "resolved")
            out.write(json.dumps(group, separators=(",", ":")))
            out.write("\n")
    return groups, resolved


# ---- Slack --------------------------------------------------------------------------------


def phrase(rng: random.Random, people: People | None) -> str:
    template = rng.choice(PHRASES)
    user = rng.choice(people.users) if people else {"slack_id": "U0SOMEONE"}
    channel = rng.choice(CHANNELS)
    return template.format(
        svc=rng.choice(SERVICES), word=rng.choice(WORDS), word2=rng.choice(WORDS), team=rng.choice(TEAMS),
        ver=f"{rng.randint(3, 5)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}", hh=f"{rng.randint(0, 23):02d}",
        mm=f"{rng.randint(0, 59):02d}", ms=rng.randint(400, 9000), slug=rng.choice(WORDS) + "-slo",
        uid=user["slack_id"], cid=channel[0], cname=channel[1],
    )


def slack_message(rng: random.Random, people: People, ts: str, channel: str) -> dict:
    roll = rng.random()
    user = people.user()
    if roll < 0.08:
        bot = rng.choice([("B07PDBOT", "PagerDuty"), ("B08AMBOT", "Alertmanager"), ("B09DEPLOY", "deploy-bot")])
        return {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": bot[0],
            "username": bot[1],
            "text": "",
            "ts": ts,
            "attachments": [{
                "fallback": f"{bot[1]}: {phrase(rng, people)}",
                "color": rng.choice(["d9534f", "f0ad4e", "5cb85c"]),
                "title": f"{rng.choice(ALERTS)[0]} {rng.choice(SERVICES)}",
                "title_link": "https://northwind.pagerduty.com/incidents/" + scrambled_id(rng.randint(1, 9999), "Q", 13),
            }],
        }
    if roll < 0.11:
        return {"type": "message", "subtype": "channel_join", "user": user["slack_id"],
                "text": f"<@{user['slack_id']}> has joined the channel", "ts": ts}
    text = phrase(rng, people)
    if rng.random() < 0.4:
        text = f"{text}. {phrase(rng, people)}"
    message = {
        "client_msg_id": "%08x-%04x-4%03x-%04x-%012x" % (
            rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12), rng.getrandbits(16), rng.getrandbits(48)),
        "type": "message",
        "user": user["slack_id"],
        "text": text,
        "ts": ts,
        "team": "T02NW1ND",
        "blocks": [{
            "type": "rich_text",
            "block_id": "".join(rng.choice(BASE36) for _ in range(5)),
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
        }],
        "user_profile": {
            "avatar_hash": user["avatar"],
            "image_72": f"https://secure.gravatar.com/avatar/{user['avatar']}.jpg",
            "first_name": user["name"].split()[0],
            "real_name": user["name"],
            "display_name": user["display"],
            "team": "T02NW1ND",
            "name": user["handle"],
            "is_restricted": False,
            "is_ultra_restricted": False,
        },
    }
    if rng.random() < 0.25:
        message["thread_ts"] = ts
        message["reply_count"] = rng.randint(1, 6)
        message["reply_users"] = [people.user()["slack_id"]]
    if rng.random() < 0.05:
        message["edited"] = {"user": user["slack_id"], "ts": ts.split(".")[0] + ".000000"}
    if rng.random() < 0.03:
        message["subtype"] = "thread_broadcast"
    return message


def write_slack(root: Path, rng: random.Random, people: People, count: int) -> int:
    root.mkdir(parents=True, exist_ok=True)
    users = [{
        "id": u["slack_id"], "team_id": "T02NW1ND", "name": u["handle"], "deleted": False, "real_name": u["name"],
        "tz": "Europe/Lisbon", "tz_offset": 0,
        "profile": {"title": f"{u['team']} engineer", "real_name": u["name"], "display_name": u["display"],
                    "team": "T02NW1ND", "fields": []},
        "is_bot": False, "updated": 1760000000,
    } for u in people.users]
    (root / "users.json").write_text(json.dumps(users, indent=4) + "\n", encoding="utf-8")
    channels = [{
        "id": cid, "name": name, "created": 1767600000, "creator": people.users[0]["slack_id"],
        "is_archived": False, "is_general": name == "incidents",
        "members": [u["slack_id"] for u in people.users[:12]],
        "topic": {"value": f"#{name}", "creator": people.users[0]["slack_id"], "last_set": 0},
        "purpose": {"value": f"Talk about {name.replace('-', ' ')}", "creator": people.users[0]["slack_id"],
                    "last_set": 0},
    } for cid, name, _ in CHANNELS]
    (root / "channels.json").write_text(json.dumps(channels, indent=4) + "\n", encoding="utf-8")

    clock = Clock(rng, count)
    weights = [w for _, _, w in CHANNELS]
    day = None
    pending: dict[str, list[dict]] = {}
    files = 0
    last_ts: dict[str, int] = {}

    def flush() -> int:
        written = 0
        for name, messages in pending.items():
            (root / name).mkdir(exist_ok=True)
            # Slack writes its export with four-space indentation.
            (root / name / f"{day}.json").write_text(json.dumps(messages, indent=4) + "\n", encoding="utf-8")
            written += 1
        pending.clear()
        return written

    for _ in range(count):
        at = clock.tick()
        today = at.strftime("%Y-%m-%d")
        if today != day:
            files += flush()
            day = today
        _, name, _ = rng.choices(CHANNELS, weights)[0]
        # Two messages in one channel never share a ts (the ts is Slack's id of a message).
        micros = int(at.timestamp()) * 1_000_000 + at.microsecond
        micros = max(micros, last_ts.get(name, -1) + 1)
        last_ts[name] = micros
        ts = f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
        pending.setdefault(name, []).append(slack_message(rng, people, ts, name))
    files += flush()
    return files


# ---- main ---------------------------------------------------------------------------------


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="folder to write the corpus into (replaced)")
    parser.add_argument("--records", type=int, default=1_000_000, help="records in all (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=20261120)
    args = parser.parse_args()
    if args.records < 3:
        parser.error("--records must be at least 3")

    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    per_format = args.records // 3
    counts = {"pagerduty": per_format, "alertmanager": per_format, "slack": args.records - 2 * per_format}

    # One generator per format, each seeded from the run's seed, so changing one format's
    # code does not change the others' bytes.
    people = People(random.Random(args.seed))
    write_pagerduty(out / "pagerduty" / "log_entries.json", random.Random(f"{args.seed}/pd"), people,
                    counts["pagerduty"])
    print(f"pagerduty: {counts['pagerduty']} log entries", file=sys.stderr)
    groups, resolved = write_alertmanager(out / "alertmanager" / "notifications.jsonl",
                                          random.Random(f"{args.seed}/am"), people, counts["alertmanager"])
    print(f"alertmanager: {counts['alertmanager']} alerts in {groups} groups ({resolved} resolved)", file=sys.stderr)
    day_files = write_slack(out / "slack", random.Random(f"{args.seed}/slack"), people, counts["slack"])
    print(f"slack: {counts['slack']} messages in {day_files} day files", file=sys.stderr)

    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": args.seed,
        "records": args.records,
        "formats": {
            "pagerduty": {"format": "pagerduty-log", "path": "pagerduty/log_entries.json",
                          "records": counts["pagerduty"], "timeline_events": counts["pagerduty"],
                          "bytes": tree_bytes(out / "pagerduty")},
            "alertmanager": {"format": "alertmanager", "path": "alertmanager/notifications.jsonl",
                             "records": counts["alertmanager"], "groups": groups, "resolved_alerts": resolved,
                             "timeline_events": counts["alertmanager"] + resolved,
                             "bytes": tree_bytes(out / "alertmanager")},
            "slack": {"format": "slack-export", "path": "slack", "records": counts["slack"],
                      "day_files": day_files, "timeline_events": counts["slack"],
                      "bytes": tree_bytes(out / "slack")},
        },
    }
    # Written last: a corpus without a manifest is an interrupted one.
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.sync()
    return 0


if __name__ == "__main__":
    sys.exit(main())
