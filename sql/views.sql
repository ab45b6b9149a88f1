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

-- Distinct (url, probe) pairs: the keys of wm_latest (sql/rollups.sql).
CREATE OR REPLACE VIEW wm_targets AS
SELECT l.url, l.probe FROM wm_latest l;
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
--   ts, ok, status, error, detail, time_ms, name, degraded: of the last
--                result (wm_latest); time_ms rounded to 0.1 ms
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
       round(l.time_ms::numeric, 1)::double precision AS time_ms,
       s.since, f.fails_in_row,
       CASE
       WHEN l.ok AND c.run_capped >= 2 THEN 'up'
       WHEN NOT l.ok AND c.run_capped >= 3 THEN 'down'
       WHEN EXISTS (SELECT 1 FROM wm_incidents(3, 2,
                        now() - interval '7 days', l.url) i
                    WHERE i.probe = l.probe AND i.ended IS NULL)
            THEN 'down'
       ELSE 'up' END AS state,
       l.degraded
FROM wm_latest l
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
--   checks, ups   results, successful results (exact)
--   uptime_pct    100 * ups / checks, truncated (not rounded) to three
--                 decimals, so it shows 100 only when nothing failed
--   p50_ms, p95_ms, p99_ms: time_ms of the successful results, from the
--                 latency histograms (less than 5% from percentile_cont),
--                 kept between the smallest and the largest time
--   avg_ms, max_ms: of the successful results (exact); NULL if none.
--                 Failures are excluded so that timeouts and instant DNS
--                 errors do not distort latency; uptime counts them.
-- Whole UTC days inside the range and inside one bucket come from
-- wm_rollup_daily, other whole UTC hours from wm_rollup_hourly, and only
-- the rest (the partial hours at the edges, hours that a bucket boundary
-- cuts in a time zone with a :30 offset, units below an hour) from the raw
-- rows. Hours older than the hourly rollups' retention are answered only
-- where whole UTC days fit (day, week, month in UTC).
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
WITH lim AS (
	-- the range, narrowed to the days that have data
	SELECT greatest(from_ts, d.mn) AS lo,
	       least(to_ts, d.mx + interval '1 day') AS hi
	FROM (SELECT min(x.bucket) AS mn, max(x.bucket) AS mx
	      FROM wm_rollup_daily x) d
	WHERE d.mn IS NOT NULL
), hours AS (
	-- every UTC hour of the range: is it (or its day) whole, inside the
	-- range and inside one bucket?
	SELECT h.h, h.h >= lim.lo AND h.h + interval '1 hour' <= lim.hi
	            AND date_trunc(unit, h.h, tz) = date_trunc(unit,
	                h.h + interval '1 hour' - interval '1 microsecond', tz)
	            AS whole_hour,
	       dd.d, dd.d >= lim.lo AND dd.d + interval '1 day' <= lim.hi
	             AND date_trunc(unit, dd.d, tz) = date_trunc(unit,
	                 dd.d + interval '1 day' - interval '1 microsecond', tz)
	             AS whole_day
	FROM lim
	CROSS JOIN generate_series(date_trunc('hour', lim.lo, 'UTC'),
	                           lim.hi - interval '1 microsecond',
	                           interval '1 hour') h(h)
	CROSS JOIN LATERAL (SELECT date_trunc('day', h.h, 'UTC') AS d) dd
	WHERE lim.lo < lim.hi
), src AS MATERIALIZED (
	SELECT d.url, d.probe, date_trunc(unit, d.bucket, tz) AS bucket,
	       d.checks, d.ups, d.time_sum, d.time_min, d.time_max, d.hist
	FROM wm_rollup_daily d
	WHERE d.bucket IN (SELECT hours.d FROM hours WHERE hours.whole_day)
	UNION ALL
	SELECT h.url, h.probe, date_trunc(unit, h.bucket, tz), h.checks, h.ups,
	       h.time_sum, h.time_min, h.time_max, h.hist
	FROM wm_rollup_hourly h
	WHERE h.bucket IN (SELECT hours.h FROM hours
	                   WHERE hours.whole_hour AND NOT hours.whole_day)
	UNION ALL
	SELECT r.url, r.probe, date_trunc(unit, r.ts, tz), 1, r.ok::int,
	       CASE WHEN r.ok THEN r.time_ms END,
	       CASE WHEN r.ok THEN r.time_ms END,
	       CASE WHEN r.ok THEN r.time_ms END,
	       CASE WHEN r.ok THEN ARRAY[ARRAY[wm_hist_bin(r.time_ms)], ARRAY[1]]
	       ELSE '{}' END
	FROM hours
	CROSS JOIN lim
	JOIN wm_results r ON r.ts >= greatest(hours.h, lim.lo)
	                 AND r.ts < least(hours.h + interval '1 hour', lim.hi)
	WHERE NOT hours.whole_hour
), counts AS (
	SELECT s.url, s.probe, s.bucket, sum(s.checks)::bigint AS checks,
	       sum(s.ups)::bigint AS ups, sum(s.time_sum) AS time_sum,
	       min(s.time_min) AS time_min, max(s.time_max) AS time_max
	FROM src s
	GROUP BY 1, 2, 3
), hists AS (
	SELECT b.url, b.probe, b.bucket,
	       wm_hist_quantiles(ARRAY[array_agg(b.bin ORDER BY b.bin),
	                               array_agg(b.n ORDER BY b.bin)],
	                         '{0.5,0.95,0.99}') AS q
	FROM (SELECT s.url, s.probe, s.bucket, u.bin, sum(u.n)::int AS n
	      FROM src s
	      CROSS JOIN LATERAL unnest(s.hist[1:1][:], s.hist[2:2][:]) u(bin, n)
	      GROUP BY 1, 2, 3, 4) b
	GROUP BY 1, 2, 3
)
SELECT c.url, c.probe, c.bucket, c.checks, c.ups,
       trunc(100.0 * c.ups / c.checks, 3),
       least(greatest(h.q[1], c.time_min), c.time_max),
       least(greatest(h.q[2], c.time_min), c.time_max),
       least(greatest(h.q[3], c.time_min), c.time_max),
       c.time_sum / nullif(c.ups, 0), c.time_max
FROM counts c
LEFT JOIN hists h USING (url, probe, bucket)
$$;
COMMENT ON FUNCTION wm_uptime(text, timestamptz, timestamptz, text) IS
	'uptime % and latency percentiles per time bucket, url and probe';

-- The rollups as people read them: milliseconds rounded to 0.1.
CREATE OR REPLACE VIEW wm_uptime_hourly AS
SELECT r.url, r.probe, r.bucket AS hour, r.checks, r.ups,
       trunc(100.0 * r.ups / r.checks, 3) AS uptime_pct,
       round(least(greatest(q[1], r.time_min), r.time_max)::numeric, 1)::double precision AS p50_ms,
       round(least(greatest(q[2], r.time_min), r.time_max)::numeric, 1)::double precision AS p95_ms,
       round(least(greatest(q[3], r.time_min), r.time_max)::numeric, 1)::double precision AS p99_ms,
       round((r.time_sum / nullif(r.ups, 0))::numeric, 1)::double precision
               AS avg_ms,
       round(r.time_max::numeric, 1)::double precision AS max_ms,
       r.degraded
FROM wm_rollup_hourly r
CROSS JOIN LATERAL wm_hist_quantiles(r.hist, '{0.5,0.95,0.99}') q;
COMMENT ON VIEW wm_uptime_hourly IS
	'uptime % and latency per url, probe and UTC hour (all kept hours)';

CREATE OR REPLACE VIEW wm_uptime_daily AS
SELECT r.url, r.probe, r.bucket AS day, r.checks, r.ups,
       trunc(100.0 * r.ups / r.checks, 3) AS uptime_pct,
       round(least(greatest(q[1], r.time_min), r.time_max)::numeric, 1)::double precision AS p50_ms,
       round(least(greatest(q[2], r.time_min), r.time_max)::numeric, 1)::double precision AS p95_ms,
       round(least(greatest(q[3], r.time_min), r.time_max)::numeric, 1)::double precision AS p99_ms,
       round((r.time_sum / nullif(r.ups, 0))::numeric, 1)::double precision
               AS avg_ms,
       round(r.time_max::numeric, 1)::double precision AS max_ms,
       r.degraded
FROM wm_rollup_daily r
CROSS JOIN LATERAL wm_hist_quantiles(r.hist, '{0.5,0.95,0.99}') q;
COMMENT ON VIEW wm_uptime_daily IS
	'uptime % and latency per url, probe and UTC day (all days)';

-- Certificate of each https site and probe: the expiry seen in its latest
-- result that had one (a failed probe without TLS keeps the last known
-- certificate). days_left counts whole days from now, rounding down, and is
-- negative once expired.
CREATE OR REPLACE VIEW wm_cert_expiry AS
SELECT l.url, l.probe, c.ts AS checked, c.cert_expiry,
       floor(extract(epoch FROM c.cert_expiry - now()) / 86400)::int
               AS days_left
FROM wm_latest l
CROSS JOIN LATERAL (
	(SELECT l.ts, l.cert_expiry WHERE l.cert_expiry IS NOT NULL)
	UNION ALL
	(SELECT r.ts, r.cert_expiry FROM wm_results r
	 WHERE r.url = l.url AND r.probe = l.probe
	   AND r.cert_expiry IS NOT NULL
	 ORDER BY r.ts DESC LIMIT 1)
	LIMIT 1) c
WHERE l.url ILIKE 'https://%';
COMMENT ON VIEW wm_cert_expiry IS
	'latest certificate expiry and whole days left per https url and probe';
