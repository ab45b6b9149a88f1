-- webmon: views and functions over wm_results (run sql/schema.sql or
-- sql/partitioning.sql first). Safe to run again. They work the same on
-- the plain and on the partitioned table.
--
--   wm_targets          every (url, probe) pair that has results
--   wm_status           last result per url and probe, since when up/down,
--                       and the state with failure/success thresholds 3/2
--   wm_site_status      per url: how many probes see it down ("2 of 3")
--   wm_uptime(...)      uptime % and latency percentiles per hour/day/...
--   wm_uptime_hourly    ... per UTC hour, all data
--   wm_uptime_daily     ... per UTC day, all data
--   wm_cert_expiry      latest certificate expiry and whole days left
--   wm_incidents(...)   outages, with N failures before down, M successes
--                       before up, so that flapping does not page
--   wm_incidents        ... with the defaults (3, 2, last 7 days)
--
-- Results of one url and probe are ordered by (ts, id); each result counts
-- once whatever the interval between probes (uptime is a share of checks,
-- not of wall-clock time).

\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- Distinct (url, probe) pairs without reading the whole table: each step is
-- one probe of the (url, probe, ts) index for the next pair ("loose index
-- scan"), so the cost grows with the number of sites, not of results.
CREATE OR REPLACE VIEW wm_targets AS
WITH RECURSIVE t AS (
	(SELECT r.url, r.probe FROM wm_results r ORDER BY r.url, r.probe LIMIT 1)
	UNION ALL
	SELECT n.url, n.probe
	FROM t CROSS JOIN LATERAL (
		SELECT r.url, r.probe FROM wm_results r
		WHERE (r.url, r.probe) > (t.url, t.probe)
		ORDER BY r.url, r.probe LIMIT 1) n
)
SELECT url, probe FROM t;
COMMENT ON VIEW wm_targets IS 'every (url, probe) pair that has results';

-- Incidents. Per url and probe, results in (ts, id) order are cut into runs
-- of equal ok. A run of at least fail_threshold failures turns the state
-- "down", a run of at least success_threshold successes turns it "up";
-- shorter runs change nothing, so a site that flaps with fewer than
-- fail_threshold failures in a row never pages. The state before the first
-- result read is "up". Only results with ts >= since are read: an outage
-- already running at since is seen as starting at its first failure at or
-- after since.
--   started    first failure of the run that turned the state down
--   detected   the fail_threshold-th failure of that run (when to page)
--   ended      first success of the run that turned the state up again;
--              NULL while the incident is ongoing
--   recovered  the success_threshold-th success of that run
--   duration   ended - started (now() - started while ongoing)
--   checks     results from started up to (not including) ended
--   failures   failed results among them (short ok runs inside an
--              incident do not end it but are not failures)
--   first_error, last_error, last_detail: of the first and last failure
-- Thresholds below 1 count as 1. site, if given, restricts to one url.
CREATE OR REPLACE FUNCTION wm_incidents(
	fail_threshold int DEFAULT 3,
	success_threshold int DEFAULT 2,
	since timestamptz DEFAULT now() - interval '7 days',
	site text DEFAULT NULL)
RETURNS TABLE (url text, probe text, started timestamptz,
	detected timestamptz, ended timestamptz, recovered timestamptz,
	duration interval, checks bigint, failures bigint, first_error text,
	last_error text, last_detail text)
LANGUAGE sql STABLE
AS $$
WITH numbered AS (
	-- n: position of the result; change: first result of a run
	SELECT x.url, x.probe, x.ts, x.ok, x.error, x.detail,
	       row_number() OVER w AS n,
	       x.ok IS DISTINCT FROM lag(x.ok) OVER w AS change
	FROM wm_results x
	WHERE x.ts >= since AND (site IS NULL OR x.url = site)
	WINDOW w AS (PARTITION BY x.url, x.probe ORDER BY x.ts, x.id)
), runs_rows AS (
	-- run: number of the run; pos: position inside the run (from 1)
	SELECT nb.*,
	       count(*) FILTER (WHERE nb.change) OVER w AS run,
	       nb.n - max(nb.n) FILTER (WHERE nb.change) OVER w + 1 AS pos
	FROM numbered nb
	WINDOW w AS (PARTITION BY nb.url, nb.probe ORDER BY nb.n
	             ROWS UNBOUNDED PRECEDING)
), runs AS (
	SELECT rr.url, rr.probe, rr.run, bool_and(rr.ok) AS ok,
	       min(rr.ts) AS first_ts, count(*) AS len,
	       -- when the run reached its threshold; NULL if it never did
	       min(rr.ts) FILTER (WHERE rr.pos = CASE WHEN rr.ok
	               THEN greatest(success_threshold, 1)
	               ELSE greatest(fail_threshold, 1) END) AS qualified_ts,
	       min(rr.error) FILTER (WHERE rr.pos = 1 AND NOT rr.ok)
	               AS first_error,
	       (array_agg(rr.error ORDER BY rr.n DESC)
	               FILTER (WHERE NOT rr.ok))[1] AS last_error,
	       (array_agg(rr.detail ORDER BY rr.n DESC)
	               FILTER (WHERE NOT rr.ok))[1] AS last_detail
	FROM runs_rows rr
	GROUP BY rr.url, rr.probe, rr.run
), turns AS (
	-- qualifying runs that change the state (previous state: up)
	SELECT q.url, q.probe, q.run
	FROM (SELECT ru.url, ru.probe, ru.run, ru.ok,
	             lag(ru.ok, 1, true) OVER (PARTITION BY ru.url, ru.probe
	                                       ORDER BY ru.run) AS prev_ok
	      FROM runs ru WHERE ru.qualified_ts IS NOT NULL) q
	WHERE q.ok <> q.prev_ok
), segments AS (
	-- seg: number of state changes so far; segment 0 is the initial up
	SELECT ru.*, tu.run IS NOT NULL AS turn,
	       count(tu.run) OVER (PARTITION BY ru.url, ru.probe ORDER BY ru.run
	                           ROWS UNBOUNDED PRECEDING) AS seg
	FROM runs ru
	LEFT JOIN turns tu USING (url, probe, run)
), states AS (
	SELECT s.url, s.probe, s.seg,
	       bool_or(s.turn AND NOT s.ok) AS down,
	       min(s.first_ts) AS started,
	       min(s.qualified_ts) FILTER (WHERE s.turn) AS detected,
	       sum(s.len) AS checks,
	       coalesce(sum(s.len) FILTER (WHERE NOT s.ok), 0) AS failures,
	       min(s.first_error) FILTER (WHERE s.turn) AS first_error,
	       (array_agg(s.last_error ORDER BY s.run DESC)
	               FILTER (WHERE NOT s.ok))[1] AS last_error,
	       (array_agg(s.last_detail ORDER BY s.run DESC)
	               FILTER (WHERE NOT s.ok))[1] AS last_detail
	FROM segments s
	WHERE s.seg > 0
	GROUP BY s.url, s.probe, s.seg
), paired AS (
	SELECT st.*,
	       lead(st.started) OVER w AS ended,
	       lead(st.detected) OVER w AS recovered
	FROM states st
	WINDOW w AS (PARTITION BY st.url, st.probe ORDER BY st.seg)
)
SELECT p.url, p.probe, p.started, p.detected, p.ended, p.recovered,
       coalesce(p.ended, now()) - p.started,
       p.checks::bigint, p.failures::bigint,
       p.first_error, p.last_error, p.last_detail
FROM paired p
WHERE p.down
ORDER BY p.started, p.url, p.probe
$$;
COMMENT ON FUNCTION wm_incidents(int, int, timestamptz, text) IS
	'outages: fail_threshold failures in a row start one, success_threshold successes in a row end it';

CREATE OR REPLACE VIEW wm_incidents AS
SELECT * FROM wm_incidents();
COMMENT ON VIEW wm_incidents IS
	'incidents of the last 7 days, 3 failures before down, 2 successes before up';

-- Current state per url and probe.
--   ts, ok, status, error, detail, time_ms, name: of the last result
--   since        first result of the current run of the same ok value
--                (since when the site is up, or down)
--   fails_in_row failed results in a row up to the last one (0 when ok)
--   state        'up' or 'down' with thresholds 3 and 2, the same as the
--                wm_incidents view: 'down' exactly while it has an
--                ongoing incident for this url and probe
-- Each row costs a few index probes, plus a look at the last 7 days of one
-- site only while it flaps (its current run is shorter than the threshold).
CREATE OR REPLACE VIEW wm_status AS
SELECT l.url, l.probe, l.name, l.ts, l.ok, l.status, l.error, l.detail,
       l.time_ms, s.since, f.fails_in_row,
       CASE
       WHEN l.ok AND c.run_capped >= 2 THEN 'up'
       WHEN NOT l.ok AND c.run_capped >= 3 THEN 'down'
       WHEN EXISTS (SELECT 1 FROM wm_incidents(3, 2,
                        now() - interval '7 days', l.url) i
                    WHERE i.probe = l.probe AND i.ended IS NULL)
            THEN 'down'
       ELSE 'up' END AS state
FROM wm_targets t
CROSS JOIN LATERAL (
	SELECT r.* FROM wm_results r
	WHERE r.url = t.url AND r.probe = t.probe
	ORDER BY r.ts DESC LIMIT 1) l
CROSS JOIN LATERAL (
	SELECT coalesce(min(r.ts), l.ts) AS since FROM wm_results r
	WHERE r.url = l.url AND r.probe = l.probe
	  AND r.ts > coalesce(CASE WHEN l.ok
		THEN (SELECT max(p.ts) FROM wm_results p
		      WHERE p.url = l.url AND p.probe = l.probe AND NOT p.ok)
		ELSE (SELECT max(p.ts) FROM wm_results p
		      WHERE p.url = l.url AND p.probe = l.probe AND p.ok)
		END, '-infinity')) s
CROSS JOIN LATERAL (
	SELECT count(*) AS run_capped FROM (
		SELECT 1 FROM wm_results r
		WHERE r.url = l.url AND r.probe = l.probe AND r.ts >= s.since
		LIMIT 3) x) c
CROSS JOIN LATERAL (
	SELECT CASE WHEN l.ok THEN 0 ELSE (
		SELECT count(*) FROM wm_results r
		WHERE r.url = l.url AND r.probe = l.probe AND r.ts >= s.since)
	END AS fails_in_row) f;
COMMENT ON VIEW wm_status IS
	'last result per url and probe, since when up or down, thresholded state';

-- Several probes (locations) per site: "down from K of N probes".
--   probes       probes that have results for the url
--   probes_down  probes whose last result failed
--   probes_state_down  probes whose thresholded state is down
--   down_probes  their names, sorted
--   newest, oldest  newest and oldest "last result" among the probes
--                   (an old oldest means a probe stopped reporting)
CREATE OR REPLACE VIEW wm_site_status AS
SELECT st.url,
       count(*) AS probes,
       count(*) FILTER (WHERE NOT st.ok) AS probes_down,
       count(*) FILTER (WHERE st.state = 'down') AS probes_state_down,
       coalesce(array_agg(st.probe ORDER BY st.probe)
                FILTER (WHERE NOT st.ok), '{}') AS down_probes,
       max(st.ts) AS newest,
       min(st.ts) AS oldest
FROM wm_status st
GROUP BY st.url;
COMMENT ON VIEW wm_site_status IS
	'per url: number of probes and how many of them see it down';

-- Uptime and latency per time bucket, url and probe, for results with
-- from_ts <= ts < to_ts. unit is a date_trunc() unit ('hour', 'day',
-- 'week', 'month'...), buckets are cut in time zone tz.
--   checks, ups   results, successful results
--   uptime_pct    100 * ups / checks, truncated (not rounded) to three
--                 decimals, so it shows 100 only when nothing failed
--   p50_ms, p95_ms, p99_ms, avg_ms, max_ms: time_ms of the successful
--                 results (continuous percentiles); NULL if none. Failures
--                 are excluded so that timeouts and instant DNS errors do
--                 not distort latency; uptime counts them.
-- The time range is applied before grouping, so it uses the BRIN index
-- and partition pruning: prefer this function over the views on big tables.
CREATE OR REPLACE FUNCTION wm_uptime(
	unit text,
	from_ts timestamptz,
	to_ts timestamptz DEFAULT 'infinity',
	tz text DEFAULT 'UTC')
RETURNS TABLE (url text, probe text, bucket timestamptz, checks bigint,
	ups bigint, uptime_pct numeric, p50_ms double precision,
	p95_ms double precision, p99_ms double precision,
	avg_ms double precision, max_ms double precision)
LANGUAGE sql STABLE
AS $$
SELECT r.url, r.probe, date_trunc(unit, r.ts, tz),
       count(*),
       count(*) FILTER (WHERE r.ok),
       trunc(100.0 * count(*) FILTER (WHERE r.ok) / count(*), 3),
       percentile_cont(0.50) WITHIN GROUP (ORDER BY r.time_ms)
               FILTER (WHERE r.ok),
       percentile_cont(0.95) WITHIN GROUP (ORDER BY r.time_ms)
               FILTER (WHERE r.ok),
       percentile_cont(0.99) WITHIN GROUP (ORDER BY r.time_ms)
               FILTER (WHERE r.ok),
       avg(r.time_ms) FILTER (WHERE r.ok),
       max(r.time_ms) FILTER (WHERE r.ok)
FROM wm_results r
WHERE r.ts >= from_ts AND r.ts < to_ts
GROUP BY 1, 2, 3
$$;
COMMENT ON FUNCTION wm_uptime(text, timestamptz, timestamptz, text) IS
	'uptime % and latency percentiles per time bucket, url and probe';

CREATE OR REPLACE VIEW wm_uptime_hourly AS
SELECT u.url, u.probe, u.bucket AS hour, u.checks, u.ups, u.uptime_pct,
       u.p50_ms, u.p95_ms, u.p99_ms, u.avg_ms, u.max_ms
FROM wm_uptime('hour', '-infinity') u;
COMMENT ON VIEW wm_uptime_hourly IS
	'uptime % and latency per url, probe and UTC hour (all data)';

CREATE OR REPLACE VIEW wm_uptime_daily AS
SELECT u.url, u.probe, u.bucket AS day, u.checks, u.ups, u.uptime_pct,
       u.p50_ms, u.p95_ms, u.p99_ms, u.avg_ms, u.max_ms
FROM wm_uptime('day', '-infinity') u;
COMMENT ON VIEW wm_uptime_daily IS
	'uptime % and latency per url, probe and UTC day (all data)';

-- Certificate of each https site and probe: the expiry seen in its latest
-- result that had one (a failed probe without TLS keeps the last known
-- certificate). days_left counts whole days from now, rounding down, and is
-- negative once expired.
CREATE OR REPLACE VIEW wm_cert_expiry AS
SELECT t.url, t.probe, c.ts AS checked, c.cert_expiry,
       floor(extract(epoch FROM c.cert_expiry - now()) / 86400)::int
               AS days_left
FROM wm_targets t
CROSS JOIN LATERAL (
	SELECT r.ts, r.cert_expiry FROM wm_results r
	WHERE r.url = t.url AND r.probe = t.probe
	  AND r.cert_expiry IS NOT NULL
	ORDER BY r.ts DESC LIMIT 1) c
WHERE t.url ILIKE 'https://%';
COMMENT ON VIEW wm_cert_expiry IS
	'latest certificate expiry and whole days left per https url and probe';
