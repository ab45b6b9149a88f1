-- webmon: the wm_results table, one row per probe result, one column per
-- key of the result record (DESIGN.md), in the record's key order (keys
-- added later are appended: degraded, http_version, tls_version), so that
-- wm-pg-copy maps keys to columns by name.
--
-- Usage:   psql -v ON_ERROR_STOP=1 -f sql/schema.sql      (plain table)
--          psql -v ON_ERROR_STOP=1 -f sql/partitioning.sql (monthly partitions;
--                                     it includes this file, see there)
--          psql -v ON_ERROR_STOP=1 -f sql/views.sql
-- Safe to run again: every statement is IF NOT EXISTS or OR REPLACE.
--
-- The psql variable wm_partitioned (boolean, default off) makes the table
-- PARTITION BY RANGE (ts); PostgreSQL then requires the primary key to hold
-- the partition key, so it is (id, ts) instead of (id). A replayed record
-- has the same id and ts, so either key rejects it.
--
-- Times in milliseconds are double precision, not numeric(12,3): the record
-- carries three decimals, which float8 holds and prints back exactly (up to
-- 15 significant digits, i.e. any time below 31 years); it is 8 fixed bytes,
-- parses fast in COPY, and avg() and percentile_cont() work on it directly
-- without numeric's slow arithmetic.

-- Quiet "already exists, skipping" notices when run again.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

\if :{?wm_partitioned}
\else
\set wm_partitioned off
\endif
\if :wm_partitioned
\set wm_pkey 'PRIMARY KEY (id, ts)'
\set wm_partition_by 'PARTITION BY RANGE (ts)'
\else
\set wm_pkey 'PRIMARY KEY (id)'
\set wm_partition_by ''
\endif

CREATE TABLE IF NOT EXISTS wm_results (
	id          uuid             NOT NULL,
	ts          timestamptz      NOT NULL,
	url         text             NOT NULL,
	name        text,
	method      text             NOT NULL,
	ok          boolean          NOT NULL,
	status      smallint,
	error       text,
	detail      text,
	time_ms     double precision NOT NULL,
	dns_ms      double precision,
	connect_ms  double precision,
	tls_ms      double precision,
	wait_ms     double precision,
	transfer_ms double precision,
	bytes       bigint           NOT NULL,
	ip          inet,
	regex       text,
	match       boolean,
	matched     text,
	cert_expiry timestamptz,
	probe       text             NOT NULL,
	tags        jsonb,
	CONSTRAINT wm_results_pkey :wm_pkey,
	CONSTRAINT wm_results_error_check CHECK (error IN ('dns', 'connect',
		'tls', 'timeout', 'status', 'regex', 'assert', 'too_large',
		'protocol', 'other')),
	CONSTRAINT wm_results_status_check CHECK (status BETWEEN 100 AND 999),
	CONSTRAINT wm_results_ms_check CHECK (time_ms >= 0 AND dns_ms >= 0
		AND connect_ms >= 0 AND tls_ms >= 0 AND wait_ms >= 0
		AND transfer_ms >= 0),
	CONSTRAINT wm_results_bytes_check CHECK (bytes >= 0),
	CONSTRAINT wm_results_tags_check CHECK (jsonb_typeof(tags) = 'object')
) :wm_partition_by;

-- Keys added to the record later, appended (DESIGN.md: an older table
-- gains them here, a newer record still loads into an older table).
ALTER TABLE wm_results ADD COLUMN IF NOT EXISTS degraded text;
ALTER TABLE wm_results ADD COLUMN IF NOT EXISTS http_version text;
ALTER TABLE wm_results ADD COLUMN IF NOT EXISTS tls_version text;

-- Constraints added or widened since the first schema; each is (re)made
-- only when missing or different, so running this again scans nothing.
--   error     gains 'assert' (a failed JSON/header assertion)
--   degraded  'slow' or 'cert'
--   ts        a real time: 'infinity' is refused (PostgreSQL turns the
--             input 'now' into the current time before any check, so a
--             record with ts "now" must be refused before it is stored)
--   url       at most 2048 bytes and probe at most 256: an index entry must
--             fit in a third of a page (2704 bytes), so a longer url could
--             never be stored once indexed; 2048 is what browsers and
--             sitemaps accept
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT * FROM (VALUES
			('wm_results_error_check', 'CHECK (error IN (''dns'', ''connect'', ''tls'', ''timeout'', ''status'', ''regex'', ''assert'', ''too_large'', ''protocol'', ''other''))', 'assert'),
			('wm_results_degraded_check', 'CHECK (degraded IN (''slow'', ''cert''))', NULL),
			('wm_results_ts_check', 'CHECK (isfinite(ts))', NULL),
			('wm_results_url_check', 'CHECK (octet_length(url) <= 2048 AND octet_length(probe) <= 256)', NULL)
		) v(name, def, must_have)
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_constraint
		               WHERE conrelid = 'wm_results'::regclass
		                 AND conname = c.name
		                 AND (c.must_have IS NULL OR
		                      pg_get_constraintdef(oid) LIKE '%' || c.must_have || '%')) THEN
			EXECUTE format('ALTER TABLE wm_results DROP CONSTRAINT IF EXISTS %I',
				c.name);
			EXECUTE format('ALTER TABLE wm_results ADD CONSTRAINT %I %s',
				c.name, c.def);
		END IF;
	END LOOP;
END
$$;

-- One site's results in time order (wm_status: since when up or down;
-- wm_incidents: what follows a failure). The latest result per site and
-- uptime and latency over time come from wm_latest and the rollups
-- (sql/rollups.sql), not from this table. The key is a 4-byte hash of the
-- url, not the url itself: 45 instead of 150 bytes per result; queries
-- give both, hashtext(url) = hashtext($1) AND wm_url_is(url, $1). Replaces the
-- (url, probe, ts) index of webmon 0.2, dropped once the views no longer
-- need it (sql/migrate.sql).
-- wm_url_is(a, b) is a = b hidden from the planner: it would count the
-- url test as a second, independent filter of the same selectivity as the
-- hash test, expect no row at all, and scan every result of a site rather
-- than walk its index in time order up to a LIMIT.
CREATE OR REPLACE FUNCTION wm_url_is(a text, b text)
RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$ BEGIN RETURN a = b; END $$;
CREATE INDEX IF NOT EXISTS wm_results_url_hash_ts_idx
	ON wm_results (hashtext(url), ts);

-- Failures only: small (sites are mostly up) and cheap to maintain; finds
-- "last failure of this site" in one index probe, which is how wm_status
-- knows since when a site is up.
CREATE INDEX IF NOT EXISTS wm_results_fail_idx
	ON wm_results (url, probe, ts DESC) WHERE NOT ok;

-- Time-range scans (rollup edges, incidents of the last week): rows arrive
-- in roughly ts order, so a BRIN index is tiny and effective.
CREATE INDEX IF NOT EXISTS wm_results_ts_brin
	ON wm_results USING brin (ts);

COMMENT ON TABLE wm_results IS
	'webmon probe results, one row per probe of a site (see webmon(7))';
COMMENT ON COLUMN wm_results.id IS
	'UUIDv7 of the probe; deduplication key from probe to row';
COMMENT ON COLUMN wm_results.ts IS 'when the request started';
COMMENT ON COLUMN wm_results.url IS 'the site''s url as given';
COMMENT ON COLUMN wm_results.name IS 'label from the site';
COMMENT ON COLUMN wm_results.method IS 'HTTP method';
COMMENT ON COLUMN wm_results.ok IS
	'no transport error, status expected, and regex (if any) matched';
COMMENT ON COLUMN wm_results.status IS
	'final HTTP status; NULL when no response arrived';
COMMENT ON COLUMN wm_results.error IS 'failure class; NULL when ok';
COMMENT ON COLUMN wm_results.detail IS 'human-readable reason';
COMMENT ON COLUMN wm_results.time_ms IS 'total time, milliseconds';
COMMENT ON COLUMN wm_results.dns_ms IS 'name lookup, milliseconds';
COMMENT ON COLUMN wm_results.connect_ms IS 'TCP connect, milliseconds';
COMMENT ON COLUMN wm_results.tls_ms IS 'TLS handshake, milliseconds';
COMMENT ON COLUMN wm_results.wait_ms IS
	'request sent to first byte, milliseconds';
COMMENT ON COLUMN wm_results.transfer_ms IS
	'first byte to last byte, milliseconds';
COMMENT ON COLUMN wm_results.bytes IS 'body bytes received';
COMMENT ON COLUMN wm_results.ip IS 'address connected to';
COMMENT ON COLUMN wm_results.regex IS 'the pattern checked, if any';
COMMENT ON COLUMN wm_results.match IS 'whether the regex matched; NULL without regex';
COMMENT ON COLUMN wm_results.matched IS 'first match, at most 256 bytes';
COMMENT ON COLUMN wm_results.cert_expiry IS
	'earliest notAfter in the TLS chain the server sent';
COMMENT ON COLUMN wm_results.probe IS 'identity of the probe host';
COMMENT ON COLUMN wm_results.tags IS 'string labels from the site';
COMMENT ON COLUMN wm_results.degraded IS
	'slow or cert when an ok result crossed degraded_ms or cert_days';
COMMENT ON COLUMN wm_results.http_version IS
	'HTTP version of the final response: 1.0, 1.1, 2, 3';
COMMENT ON COLUMN wm_results.tls_version IS 'TLS version negotiated';

-- wm_latest and the rollups, kept by triggers on this table.
\ir rollups.sql
