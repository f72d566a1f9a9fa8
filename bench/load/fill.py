#!/usr/bin/env python3
"""Prints the SQL that fills a migrated, empty Hindsight database for the load benchmark
(bench/load/run.sh): 20 teams, 50 services, N incidents over the last years (one in
twenty private, every third naming a team, each with a service and a responder, one with
a rare word in its title) and EVENTS timeline events per incident, the alerts among them
with one of FINGERPRINTS alert fingerprints, and a post-mortem for every resolved incident
(its root cause in one of COMPONENTS components; one in ten unknown, one in ten probable;
two in three published; due from three days before to five days after the incident began;
two contributing factors each) with two action items (both closed for half of them, three
days after the incident began; due two and five days after), the policy's decision on each
resolved incident (SEV1-2 required, SEV3 recommended), for SQLite or PostgreSQL. Expects the users `admin` and `reader`
to exist.

    bench/load/fill.py --backend sqlite --incidents 100000 | sqlite3 DB
    bench/load/fill.py --backend postgres --incidents 100000 | psql URL
"""

import argparse

WORDS = ["Checkout returns 502", "Search is slow", "Login failures", "Queue backs up", "Disk full on primary",
         "Certificate expired", "DNS timeouts", "Payments declined"]

# The title of the one incident a search for a rare word finds.
RARE = "Quasar relay overheats"
# Alert fingerprints the incidents' alerts share: at 100,000 incidents, 20 incidents each.
FINGERPRINTS = 5000
# Root-cause components the post-mortems name: at 100,000 incidents, 250 incidents each.
COMPONENTS = 400


def sqlite(n, events):
    words = ", ".join(f"({k}, '{w}')" for k, w in enumerate(WORDS))
    ts = "strftime('%Y-%m-%dT%H:%M:%S.000000Z', {})"
    return f"""
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO teams (id, slug, name, created_at)
SELECT printf('team%02d', i), printf('team-%02d', i), printf('Team %02d', i), '2020-01-01T00:00:00.000000Z' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
INSERT INTO services (id, slug, name, owner_team_id, created_at)
SELECT printf('svc%02d', i), printf('service-%02d', i), printf('Service %02d', i), printf('team%02d', 1 + i % 20),
       '2020-01-01T00:00:00.000000Z' FROM n;
CREATE TEMP TABLE words (k INTEGER PRIMARY KEY, word TEXT);
INSERT INTO words (k, word) VALUES {words};
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}),
t(i, began) AS (SELECT i, {ts.format("'2020-01-01', printf('+%d minutes', i * 20)")} FROM n)
INSERT INTO incidents (id, number, title, description, severity, status, detection_method, began_at, started_at,
  detected_at, acknowledged_at, mitigated_at, resolved_at, private, created_by, created_at, updated_at, version)
SELECT printf('inc%07d', i), i,
       CASE WHEN i = {n // 2} THEN '{RARE}' ELSE (SELECT word FROM words WHERE k = i % 8) || printf(' (%d)', i) END,
       'Generated for the load benchmark: ' || (SELECT word FROM words WHERE k = (i * 3) % 8) || ' while traffic peaked.',
       1 + (i * 7) % 5, CASE WHEN i > {n} - 50 THEN 'triggered' ELSE 'resolved' END, 'monitoring_alert',
       began, began, {ts.format("began, '+4 minutes'")},
       CASE WHEN i > {n} - 50 THEN NULL ELSE {ts.format("began, '+9 minutes'")} END,
       CASE WHEN i > {n} - 50 THEN NULL ELSE {ts.format("began, '+40 minutes'")} END,
       CASE WHEN i > {n} - 50 THEN NULL ELSE {ts.format("began, '+120 minutes'")} END,
       i % 20 = 7, (SELECT id FROM users WHERE username = 'admin'), began, began, 1
FROM t;
INSERT INTO incident_services (incident_id, service_id) SELECT id, printf('svc%02d', 1 + number % 50) FROM incidents;
INSERT INTO incident_teams (incident_id, team_id) SELECT id, printf('team%02d', 1 + number % 20) FROM incidents
  WHERE number % 3 = 0;
INSERT INTO incident_responders (incident_id, user_id, role, position)
  SELECT id, (SELECT id FROM users WHERE username = 'admin'), 'incident_commander', 0 FROM incidents;
UPDATE counters SET value = {n} WHERE name = 'incident';
WITH RECURSIVE e(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM e WHERE j < {n * events - 1})
INSERT INTO timeline_events (id, incident_id, occurred_at, source, external_id, kind, actor, text, key_moment,
  raw_payload, correlation, created_by, created_at, version)
SELECT printf('ev%010d', j), printf('inc%07d', 1 + j / {events}),
       {ts.format(f"'2020-01-01', printf('+%d minutes', (1 + j / {events}) * 20), printf('+%d seconds', (j % {events}) * 400)")},
       CASE j % 6 WHEN 0 THEN 'alertmanager' WHEN 1 THEN 'pagerduty' WHEN 2 THEN 'slack' WHEN 3 THEN 'github'
                  WHEN 4 THEN 'manual' ELSE 'pagerduty' END,
       printf('x%d', j),
       CASE j % 6 WHEN 0 THEN 'alert' WHEN 1 THEN 'page' WHEN 2 THEN 'message' WHEN 3 THEN 'deploy'
                  WHEN 4 THEN 'note' ELSE 'acknowledgement' END,
       CASE j % 6 WHEN 2 THEN 'dana' WHEN 4 THEN 'sam' ELSE NULL END,
       printf('Event %d of the incident: error rate at %d%% on the checkout path', j % {events}, (j * 13) % 100),
       CASE j % {events} WHEN 0 THEN 'impact_start' WHEN 2 THEN 'detection' ELSE NULL END,
       NULL, CASE j % 6 WHEN 0 THEN printf('{{"c":{{"fingerprint":"fp%d"}}}}', (j / {events}) % {FINGERPRINTS}) END,
       NULL, '2020-01-01T00:00:00.000000Z', 1
FROM e;
INSERT INTO postmortems (id, incident_id, status, owner_id, due_date, sections, created_at, updated_at, published_at,
  version, cause_component, cause_certainty, cause_legacy, cause_must_fix, impact_minutes)
SELECT printf('pm%07d', number), id, CASE WHEN number % 3 = 0 THEN 'draft' ELSE 'published' END, NULL,
       date(began_at, printf('%+d days', number % 9 - 3)),
       json_object('root_cause', json_object('component', printf('component-%03d', (number * 7) % {COMPONENTS}),
         'certainty', CASE number % 10 WHEN 3 THEN 'unknown' WHEN 6 THEN 'probable' ELSE 'confirmed' END,
         'description', 'Generated cause', 'clues', CASE number % 10 WHEN 3 THEN 'Stalls at night' ELSE '' END,
         'legacy_code', json(CASE WHEN number % 7 = 0 THEN 'true' ELSE 'false' END),
         'must_fix', json(CASE WHEN number % 5 = 0 THEN 'true' ELSE 'false' END)),
         'impact', json_object('access_lost_minutes', (number * 13) % 120)),
       began_at, began_at, CASE WHEN number % 3 = 0 THEN NULL ELSE began_at END, 1,
       printf('component-%03d', (number * 7) % {COMPONENTS}),
       CASE number % 10 WHEN 3 THEN 'unknown' WHEN 6 THEN 'probable' ELSE 'confirmed' END,
       number % 7 = 0, number % 5 = 0, (number * 13) % 120
FROM incidents WHERE status = 'resolved';
INSERT INTO action_items (id, incident_id, title, description, kind, priority, status, created_at, updated_at, version,
  closed_at, due_date)
SELECT printf('ai%07da', number), id, 'Fix the cause', '', 'fix_root_cause', 'p2',
       CASE WHEN number % 4 = 1 THEN 'open' ELSE 'done' END, began_at, began_at, 1,
       CASE WHEN number % 4 = 1 THEN NULL ELSE {ts.format("began_at, '+3 days'")} END, date(began_at, '+2 days')
FROM incidents WHERE status = 'resolved';
INSERT INTO action_items (id, incident_id, title, description, kind, priority, status, created_at, updated_at, version,
  closed_at, due_date)
SELECT printf('ai%07db', number), id, 'Alert sooner', '', 'improve_response', 'p3',
       CASE number % 4 WHEN 0 THEN 'wont_do' WHEN 2 THEN 'done' ELSE 'open' END, began_at, began_at, 1,
       CASE WHEN number % 4 IN (0, 2) THEN {ts.format("began_at, '+2 days'")} END, date(began_at, '+5 days')
FROM incidents WHERE status = 'resolved';
UPDATE incidents SET policy_necessity = CASE WHEN severity <= 2 THEN 'required' WHEN severity = 3 THEN 'recommended'
  ELSE 'not_needed' END WHERE status = 'resolved';
WITH k(n, key) AS (VALUES (0, 'change'), (1, 'configuration'), (2, 'capacity'), (3, 'dependency'), (4, 'detection'), (5, 'testing'), (6, 'automation'), (7, 'documentation'), (8, 'communication'), (9, 'legacy'), (10, 'data'), (11, 'infrastructure'), (12, 'security'))
INSERT INTO postmortem_factors (postmortem_id, factor)
SELECT p.id, k.key FROM postmortems p JOIN incidents i ON i.id = p.incident_id
JOIN k ON k.n = i.number % 13 OR k.n = (i.number * 5 + 3) % 13;
COMMIT;
ANALYZE;
"""


def postgres(n, events):
    words = "ARRAY[" + ", ".join(f"'{w}'" for w in WORDS) + "]"
    return f"""
BEGIN;
INSERT INTO teams (id, slug, name, created_at)
SELECT format('team%s', lpad(i::text, 2, '0')), format('team-%s', lpad(i::text, 2, '0')),
       format('Team %s', lpad(i::text, 2, '0')), '2020-01-01Z' FROM generate_series(1, 20) i;
INSERT INTO services (id, slug, name, owner_team_id, created_at)
SELECT format('svc%s', lpad(i::text, 2, '0')), format('service-%s', lpad(i::text, 2, '0')),
       format('Service %s', lpad(i::text, 2, '0')), format('team%s', lpad((1 + i % 20)::text, 2, '0')), '2020-01-01Z'
FROM generate_series(1, 50) i;
INSERT INTO incidents (id, number, title, description, severity, status, detection_method, began_at, started_at,
  detected_at, acknowledged_at, mitigated_at, resolved_at, private, created_by, created_at, updated_at, version)
SELECT format('inc%s', lpad(i::text, 7, '0')), i,
       CASE WHEN i = {n // 2} THEN '{RARE}' ELSE ({words})[1 + i % 8] || format(' (%s)', i) END,
       'Generated for the load benchmark: ' || ({words})[1 + (i * 3) % 8] || ' while traffic peaked.',
       1 + (i * 7) % 5, CASE WHEN i > {n} - 50 THEN 'triggered' ELSE 'resolved' END, 'monitoring_alert',
       began, began, began + interval '4 minutes',
       CASE WHEN i > {n} - 50 THEN NULL ELSE began + interval '9 minutes' END,
       CASE WHEN i > {n} - 50 THEN NULL ELSE began + interval '40 minutes' END,
       CASE WHEN i > {n} - 50 THEN NULL ELSE began + interval '120 minutes' END,
       i % 20 = 7, (SELECT id FROM users WHERE username = 'admin'), began, began, 1
FROM (SELECT i, timestamptz '2020-01-01Z' + i * interval '20 minutes' AS began FROM generate_series(1, {n}) i) t;
INSERT INTO incident_services (incident_id, service_id)
  SELECT id, format('svc%s', lpad((1 + number % 50)::text, 2, '0')) FROM incidents;
INSERT INTO incident_teams (incident_id, team_id)
  SELECT id, format('team%s', lpad((1 + number % 20)::text, 2, '0')) FROM incidents WHERE number % 3 = 0;
INSERT INTO incident_responders (incident_id, user_id, role, position)
  SELECT id, (SELECT id FROM users WHERE username = 'admin'), 'incident_commander', 0 FROM incidents;
UPDATE counters SET value = {n} WHERE name = 'incident';
INSERT INTO timeline_events (id, incident_id, occurred_at, source, external_id, kind, actor, text, key_moment,
  raw_payload, correlation, created_by, created_at, version)
SELECT format('ev%s', lpad(j::text, 10, '0')), format('inc%s', lpad((1 + j / {events})::text, 7, '0')),
       timestamptz '2020-01-01Z' + (1 + j / {events}) * interval '20 minutes' + (j % {events}) * interval '400 seconds',
       (ARRAY['alertmanager', 'pagerduty', 'slack', 'github', 'manual', 'pagerduty'])[1 + j % 6],
       format('x%s', j),
       (ARRAY['alert', 'page', 'message', 'deploy', 'note', 'acknowledgement'])[1 + j % 6],
       CASE j % 6 WHEN 2 THEN 'dana' WHEN 4 THEN 'sam' ELSE NULL END,
       format('Event %s of the incident: error rate at %s%% on the checkout path', j % {events}, (j * 13) % 100),
       CASE j % {events} WHEN 0 THEN 'impact_start' WHEN 2 THEN 'detection' ELSE NULL END,
       NULL, CASE j % 6 WHEN 0 THEN format('{{"c":{{"fingerprint":"fp%s"}}}}', (j / {events}) % {FINGERPRINTS}) END,
       NULL, '2020-01-01Z', 1
FROM generate_series(0, {n * events - 1}) j;
INSERT INTO postmortems (id, incident_id, status, owner_id, due_date, sections, created_at, updated_at, published_at,
  version, cause_component, cause_certainty, cause_legacy, cause_must_fix, impact_minutes)
SELECT format('pm%s', lpad(number::text, 7, '0')), id, CASE WHEN number % 3 = 0 THEN 'draft' ELSE 'published' END,
       NULL, to_char(began_at + (number % 9 - 3) * interval '1 day', 'YYYY-MM-DD'),
       json_build_object('root_cause', json_build_object(
         'component', format('component-%s', lpad(((number * 7) % {COMPONENTS})::text, 3, '0')),
         'certainty', CASE number % 10 WHEN 3 THEN 'unknown' WHEN 6 THEN 'probable' ELSE 'confirmed' END,
         'description', 'Generated cause', 'clues', CASE number % 10 WHEN 3 THEN 'Stalls at night' ELSE '' END,
         'legacy_code', number % 7 = 0, 'must_fix', number % 5 = 0),
         'impact', json_build_object('access_lost_minutes', (number * 13) % 120))::text,
       began_at, began_at, CASE WHEN number % 3 = 0 THEN NULL ELSE began_at END, 1,
       format('component-%s', lpad(((number * 7) % {COMPONENTS})::text, 3, '0')),
       CASE number % 10 WHEN 3 THEN 'unknown' WHEN 6 THEN 'probable' ELSE 'confirmed' END,
       number % 7 = 0, number % 5 = 0, (number * 13) % 120
FROM incidents WHERE status = 'resolved';
INSERT INTO action_items (id, incident_id, title, description, kind, priority, status, created_at, updated_at, version,
  closed_at, due_date)
SELECT format('ai%sa', lpad(number::text, 7, '0')), id, 'Fix the cause', '', 'fix_root_cause', 'p2',
       CASE WHEN number % 4 = 1 THEN 'open' ELSE 'done' END, began_at, began_at, 1,
       CASE WHEN number % 4 = 1 THEN NULL ELSE began_at + interval '3 days' END,
       to_char(began_at + interval '2 days', 'YYYY-MM-DD')
FROM incidents WHERE status = 'resolved';
INSERT INTO action_items (id, incident_id, title, description, kind, priority, status, created_at, updated_at, version,
  closed_at, due_date)
SELECT format('ai%sb', lpad(number::text, 7, '0')), id, 'Alert sooner', '', 'improve_response', 'p3',
       CASE number % 4 WHEN 0 THEN 'wont_do' WHEN 2 THEN 'done' ELSE 'open' END, began_at, began_at, 1,
       CASE WHEN number % 4 IN (0, 2) THEN began_at + interval '2 days' END,
       to_char(began_at + interval '5 days', 'YYYY-MM-DD')
FROM incidents WHERE status = 'resolved';
UPDATE incidents SET policy_necessity = CASE WHEN severity <= 2 THEN 'required' WHEN severity = 3 THEN 'recommended'
  ELSE 'not_needed' END WHERE status = 'resolved';
WITH k(n, key) AS (VALUES (0, 'change'), (1, 'configuration'), (2, 'capacity'), (3, 'dependency'), (4, 'detection'), (5, 'testing'), (6, 'automation'), (7, 'documentation'), (8, 'communication'), (9, 'legacy'), (10, 'data'), (11, 'infrastructure'), (12, 'security'))
INSERT INTO postmortem_factors (postmortem_id, factor)
SELECT p.id, k.key FROM postmortems p JOIN incidents i ON i.id = p.incident_id
JOIN k ON k.n = i.number % 13 OR k.n = (i.number * 5 + 3) % 13;
COMMIT;
ANALYZE;
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--incidents", type=int, required=True)
    parser.add_argument("--events", type=int, default=6, help="timeline events per incident")
    args = parser.parse_args()
    fill = sqlite if args.backend == "sqlite" else postgres
    print(fill(args.incidents, args.events))


if __name__ == "__main__":
    main()
