-- Fills a migrated, empty Hindsight SQLite database for the web-page benchmark
-- (bench/web/run.sh): 20 teams, 50 services, 10,000 incidents and 200,000 timeline
-- events, written with plain SQL in one transaction (a few seconds).
--
-- Incidents INC-1 .. INC-9999 get 18 events each (alerts, pages, chat, deploys, notes,
-- acknowledgements over two hours); INC-10000 gets the rest, 20,018 events over five and
-- a half hours: the largest timeline, an alert storm. One incident in twenty (numbers ending in 7 or 27, 47, ...) is private.
-- Expects the users `admin` and `reader` to exist.
BEGIN;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO teams (id, slug, name, created_at)
SELECT printf('team%02d', i), printf('team-%02d', i), printf('Team %02d', i), '2025-10-01T00:00:00.000000Z' FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
INSERT INTO services (id, slug, name, owner_team_id, created_at)
SELECT printf('svc%02d', i), printf('service-%02d', i), printf('Service %02d', i), printf('team%02d', 1 + i % 20),
       '2025-10-01T00:00:00.000000Z' FROM n;

CREATE TEMP TABLE words (k INTEGER PRIMARY KEY, word TEXT);
INSERT INTO words (k, word) VALUES (0, 'Checkout returns 502'), (1, 'Search is slow'), (2, 'Login failures'),
  (3, 'Queue backs up'), (4, 'Disk full on primary'), (5, 'Certificate expired'), (6, 'DNS timeouts'),
  (7, 'Payments declined');

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000),
t(i, began) AS (SELECT i, strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2025-11-01', printf('+%d minutes', i * 50)) FROM n)
INSERT INTO incidents (id, number, title, description, severity, status, detection_method, began_at, started_at,
  detected_at, acknowledged_at, mitigated_at, resolved_at, private, created_by, created_at, updated_at, version)
SELECT printf('inc%05d', i), i,
       (SELECT word FROM words WHERE k = i % 8) || printf(' (%d)', i),
       'Generated for the web benchmark: ' || (SELECT word FROM words WHERE k = (i * 3) % 8) || ' while traffic peaked.',
       1 + (i * 7) % 5,
       CASE WHEN i > 9950 THEN 'triggered' ELSE 'resolved' END,
       'monitoring_alert', began, began,
       strftime('%Y-%m-%dT%H:%M:%S.000000Z', began, '+4 minutes'),
       CASE WHEN i > 9950 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S.000000Z', began, '+9 minutes') END,
       CASE WHEN i > 9950 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S.000000Z', began, '+40 minutes') END,
       CASE WHEN i > 9950 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S.000000Z', began, '+120 minutes') END,
       i % 20 = 7, (SELECT id FROM users WHERE username = 'admin'), began, began, 1
FROM t;

INSERT INTO incident_services (incident_id, service_id) SELECT id, printf('svc%02d', 1 + number % 50) FROM incidents;
INSERT INTO incident_teams (incident_id, team_id) SELECT id, printf('team%02d', 1 + number % 20) FROM incidents
  WHERE number % 3 = 0;
INSERT INTO incident_responders (incident_id, user_id, role, position)
  SELECT id, (SELECT id FROM users WHERE username = 'admin'), 'incident_commander', 0 FROM incidents;
UPDATE counters SET value = 10000 WHERE name = 'incident';

WITH RECURSIVE e(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM e WHERE j < 179981)
INSERT INTO timeline_events (id, incident_id, occurred_at, source, external_id, kind, actor, text, key_moment,
  raw_payload, created_by, created_at, version)
SELECT printf('ev%09d', j), printf('inc%05d', 1 + j / 18),
       strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2025-11-01', printf('+%d minutes', (1 + j / 18) * 50),
                printf('+%d seconds', (j % 18) * 400)),
       CASE j % 6 WHEN 0 THEN 'alertmanager' WHEN 1 THEN 'pagerduty' WHEN 2 THEN 'slack' WHEN 3 THEN 'github'
                  WHEN 4 THEN 'manual' ELSE 'pagerduty' END,
       printf('x%d', j),
       CASE j % 6 WHEN 0 THEN 'alert' WHEN 1 THEN 'page' WHEN 2 THEN 'message' WHEN 3 THEN 'deploy'
                  WHEN 4 THEN 'note' ELSE 'acknowledgement' END,
       CASE j % 6 WHEN 2 THEN 'dana' WHEN 4 THEN 'sam' ELSE NULL END,
       printf('Event %d of the incident: error rate at %d%% on the checkout path', j % 18, (j * 13) % 100),
       CASE j % 18 WHEN 0 THEN 'impact_start' WHEN 6 THEN 'detection' ELSE NULL END,
       NULL, NULL, '2025-10-01T00:00:00.000000Z', 1
FROM e;

WITH RECURSIVE b(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM b WHERE k < 20017)
INSERT INTO timeline_events (id, incident_id, occurred_at, source, external_id, kind, actor, text, key_moment,
  raw_payload, created_by, created_at, version)
SELECT printf('big%07d', k), 'inc10000',
       strftime('%Y-%m-%dT%H:%M:%S.000000Z', (SELECT began_at FROM incidents WHERE number = 10000),
                printf('+%d seconds', k)),
       CASE WHEN k % 10 < 7 THEN 'alertmanager' WHEN k % 10 = 7 THEN 'pagerduty' WHEN k % 10 = 8 THEN 'slack'
            ELSE 'github' END,
       printf('storm%d', k),
       CASE WHEN k % 10 < 7 THEN 'alert' WHEN k % 10 = 7 THEN 'page' WHEN k % 10 = 8 THEN 'message' ELSE 'deploy' END,
       NULL,
       printf('Alert storm, record %d: HighErrorRate firing for checkout-%d', k, k % 40),
       CASE k WHEN 0 THEN 'impact_start' WHEN 240 THEN 'detection' ELSE NULL END,
       NULL, NULL, '2025-10-01T00:00:00.000000Z', 1
FROM b;

COMMIT;
SELECT (SELECT COUNT(*) FROM incidents) AS incidents, (SELECT COUNT(*) FROM timeline_events) AS events;
