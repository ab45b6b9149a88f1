-- webmon: the wm_events table, one row per event of wm-state, one column
-- per key of the event record (DESIGN.md "Events"), so that
--   wm-state ... | wm-pg-copy -t wm_events --key id
-- stores each event once however often it is replayed (the id is derived
-- from the triggering result, so a replay gives the same id).
--
-- Usage:   psql -v ON_ERROR_STOP=1 -f sql/events.sql
-- It needs nothing else (not even wm_results), so it applies before or
-- after schema.sql and views.sql, in any order. Safe to run again.
--
--   wm_events           every event
--   wm_open_incidents   targets whose last down/up event is down: open
--                       outages, per probe and (probe NULL) per site

\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE TABLE IF NOT EXISTS wm_events (
	id             uuid        NOT NULL,
	ts             timestamptz NOT NULL,
	kind           text        NOT NULL,
	url            text        NOT NULL,
	name           text,
	probe          text,
	tags           jsonb,
	state          text        NOT NULL,
	previous       text        NOT NULL,
	started        timestamptz,
	previous_since timestamptz,
	checks         bigint      NOT NULL,
	failures       bigint      NOT NULL,
	error          text,
	detail         text,
	probes_down    integer,
	probes         integer,
	CONSTRAINT wm_events_pkey PRIMARY KEY (id),
	CONSTRAINT wm_events_kind_check CHECK (kind IN ('down', 'up',
		'degraded', 'cert_expiring', 'stale', 'fresh')),
	CONSTRAINT wm_events_state_check CHECK (state IN ('up', 'down',
		'degraded') AND previous IN ('up', 'down', 'degraded'))
);

-- One target's history, newest first (the open-incident view, a status page).
CREATE INDEX IF NOT EXISTS wm_events_url_probe_ts_idx
	ON wm_events (url, probe, ts DESC);

-- Open incidents: the last down or up event of each target is a down.
--   started    first failure of the run that turned it down
--   detected   when it was detected (the down event's ts)
--   probes_down, probes: for site-level rows (probe NULL)
CREATE OR REPLACE VIEW wm_open_incidents AS
SELECT l.url, l.probe, l.name, l.started, l.ts AS detected,
       now() - l.started AS duration, l.error, l.detail,
       l.probes_down, l.probes, l.id AS event_id
FROM (SELECT DISTINCT ON (e.url, e.probe) e.*
      FROM wm_events e
      WHERE e.kind IN ('down', 'up')
      ORDER BY e.url, e.probe, e.ts DESC, e.kind = 'down') l
WHERE l.kind = 'down';
COMMENT ON VIEW wm_open_incidents IS
	'targets (probe NULL: sites) whose last down/up event is a down';
