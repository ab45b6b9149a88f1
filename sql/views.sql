-- webmon: views and functions over wm_results, wm_latest and the rollups
-- (run sql/schema.sql or sql/partitioning.sql first). Safe to run again.
-- They work the same on the plain and on the partitioned table. Human-
-- facing views round milliseconds to 0.1; functions keep full precision.
--
--   wm_targets          every (url, probe) pair that has results
--   wm_status           last result per url and probe, since when up/down,
--                       and the state with failure/success thresholds 3/2
--   wm_site_status      per url: how many probes see it down ("2 of 3")
--   wm_uptime(...)      uptime % and latency percentiles per hour/day/...
--   wm_uptime_hourly    ... per UTC hour: wm_rollup_hourly as people read it
--   wm_uptime_daily     ... per UTC day: wm_rollup_daily
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
-- Only the failures are read (the partial index wm_results_fail_idx), and
-- after each failure the next success_threshold results of its url and
-- probe (one short index scan): that tells which failures form one run,
-- and how long the run of successes after a run of failures is, up to the
-- threshold. So the cost grows with the failures of the window, not with
-- its results. (Results of one url and probe with the very same ts are
-- taken in id order, except in that short look ahead.)
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
SET jit = off
AS $$
WITH f AS (
	-- the failures: few, and found through wm_results_fail_idx
	SELECT x.url, x.probe, x.ts, x.id, x.error, x.detail
	FROM wm_results x
	WHERE NOT x.ok AND x.ts >= since AND (site IS NULL OR x.url = site)
), nx AS (
	-- after each failure, the next M results (M = success_threshold):
	-- is the next one a failure (same run), how many ok ones follow
	-- (capped at M), the first and the M-th of them
	SELECT f.*, n.next_fail,
	       coalesce(n.first_fail - 1, n.seen) AS oks,
	       n.first_ts, n.mth_ts
	FROM f
	CROSS JOIN LATERAL (
		SELECT coalesce(bool_or(NOT y.ok AND y.k = 1), false) AS next_fail,
		       min(y.k) FILTER (WHERE NOT y.ok) AS first_fail,
		       count(*) AS seen,
		       min(y.ts) FILTER (WHERE y.k = 1) AS first_ts,
		       min(y.ts) FILTER (WHERE y.k = greatest(success_threshold, 1))
		               AS mth_ts
		FROM (SELECT r.ok, r.ts,
		             row_number() OVER (ORDER BY r.ts, r.id) AS k
		      FROM wm_results r
		      WHERE hashtext(r.url) = hashtext(f.url)
		        AND wm_url_is(r.url, f.url) AND r.probe = f.probe
		        AND r.ts >= f.ts
		        AND (r.ts > f.ts OR r.id > f.id)
		      -- (ts, id), the order of every other step: results
		      -- sharing a ts must not change places here
		      ORDER BY r.ts, r.id
		      LIMIT greatest(success_threshold, 1)) y) n
), numbered AS (
	-- run: number of the run of failures
	SELECT nx.*,
	       count(*) FILTER (WHERE nx.starts) OVER (PARTITION BY nx.url, nx.probe
	               ORDER BY nx.ts, nx.id) AS run
	FROM (SELECT nx.*, NOT coalesce(lag(nx.next_fail) OVER (
	                 PARTITION BY nx.url, nx.probe ORDER BY nx.ts, nx.id),
	                 false) AS starts
	      FROM nx) nx
), runs AS (
	-- each run of failures and the run of ok results after it; that one
	-- ends an incident when it reaches success_threshold (up)
	SELECT nb.url, nb.probe, nb.run, min(nb.ts) AS first_ts, count(*) AS len,
	       (array_agg(nb.ts ORDER BY nb.ts, nb.id))
	               [greatest(fail_threshold, 1)] AS qualified_ts,
	       (array_agg(nb.error ORDER BY nb.ts, nb.id))[1] AS first_error,
	       (array_agg(nb.error ORDER BY nb.ts DESC, nb.id DESC))[1] AS last_error,
	       (array_agg(nb.detail ORDER BY nb.ts DESC, nb.id DESC))[1] AS last_detail,
	       (array_agg(nb.oks ORDER BY nb.ts DESC, nb.id DESC))[1] AS oks,
	       (array_agg(nb.first_ts ORDER BY nb.ts DESC, nb.id DESC))[1] AS ok_first,
	       (array_agg(nb.mth_ts ORDER BY nb.ts DESC, nb.id DESC))[1] AS ok_mth
	FROM numbered nb
	GROUP BY nb.url, nb.probe, nb.run
), segs AS (
	-- seg: how many runs of successes reached the threshold before; in a
	-- segment the state is up until its first run of failures that
	-- reaches fail_threshold, then down until the segment ends
	SELECT ru.*, ru.oks >= greatest(success_threshold, 1) AS up_after,
	       coalesce(count(*) FILTER (WHERE ru.oks >= greatest(success_threshold, 1))
	               OVER (PARTITION BY ru.url, ru.probe ORDER BY ru.run
	                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
	               AS seg
	FROM runs ru
), marked AS (
	SELECT sg.*,
	       min(sg.run) FILTER (WHERE sg.qualified_ts IS NOT NULL)
	               OVER (PARTITION BY sg.url, sg.probe, sg.seg) AS down_run
	FROM segs sg
)
SELECT i.url, i.probe, i.started, i.detected, i.ended, i.recovered,
       coalesce(i.ended, now()) - i.started, i.checks, i.failures,
       i.first_error, i.last_error, i.last_detail
FROM (SELECT m.url, m.probe,
             (array_agg(m.first_ts ORDER BY m.run))[1] AS started,
             (array_agg(m.qualified_ts ORDER BY m.run))[1] AS detected,
             -- only the segment's last run can be followed by an up
             (array_agg(m.ok_first ORDER BY m.run DESC)
                     FILTER (WHERE m.up_after))[1] AS ended,
             (array_agg(m.ok_mth ORDER BY m.run DESC)
                     FILTER (WHERE m.up_after))[1] AS recovered,
             (sum(m.len) + coalesce(sum(m.oks) FILTER (WHERE NOT m.up_after),
                                    0))::bigint AS checks,
             sum(m.len)::bigint AS failures,
             (array_agg(m.first_error ORDER BY m.run))[1] AS first_error,
             (array_agg(m.last_error ORDER BY m.run DESC))[1] AS last_error,
             (array_agg(m.last_detail ORDER BY m.run DESC))[1] AS last_detail
      FROM marked m
      WHERE m.run >= m.down_run
      GROUP BY m.url, m.probe, m.seg) i
ORDER BY 3, 1, 2
$$;
COMMENT ON FUNCTION wm_incidents(int, int, timestamptz, text) IS
	'outages: fail_threshold failures in a row start one, success_threshold successes in a row end it';

CREATE OR REPLACE VIEW wm_incidents AS
SELECT * FROM wm_incidents();
COMMENT ON VIEW wm_incidents IS
	'incidents of the last 7 days, 3 failures before down, 2 successes before up';

-- The thresholded state (3 failures in a row down, 2 successes up) of a
-- url and probe: the kind of the newest run of equal ok that reached its
-- threshold, 'up' when none did. Read from the last 64 results of the
-- last 7 days, newest first, which decide it unless the site flapped all
-- along; then wm_incidents is asked. The same answer as the wm_incidents
-- view, for the price of one short index scan. (plpgsql, so that the
-- planner of wm_status does not cost the fallback as if it always ran.)
CREATE OR REPLACE FUNCTION wm_recent_state(site text, probe_name text)
RETURNS text LANGUAGE plpgsql STABLE
AS $$
DECLARE
	st text;
	n bigint;
BEGIN
	WITH recent AS (
		SELECT r.ok, row_number() OVER (ORDER BY r.ts DESC, r.id DESC) AS n
		FROM (SELECT r.ok, r.ts, r.id FROM wm_results r
		      WHERE hashtext(r.url) = hashtext(site)
		        AND wm_url_is(r.url, site) AND r.probe = probe_name
		        AND r.ts >= now() - interval '7 days'
		      ORDER BY r.ts DESC, r.id DESC LIMIT 64) r
	), runs AS (
		SELECT x.run, bool_and(x.ok) AS ok, count(*) AS len
		FROM (SELECT re.ok, re.n,
		             count(*) FILTER (WHERE re.change)
		                     OVER (ORDER BY re.n) AS run
		      FROM (SELECT recent.*, recent.ok IS DISTINCT FROM
		                       lag(recent.ok) OVER (ORDER BY recent.n) AS change
		            FROM recent) re) x
		GROUP BY x.run
	)
	SELECT (SELECT CASE WHEN ru.ok THEN 'up' ELSE 'down' END FROM runs ru
	        WHERE ru.len >= CASE WHEN ru.ok THEN 2 ELSE 3 END
	        ORDER BY ru.run LIMIT 1),
	       (SELECT count(*) FROM recent)
	INTO st, n;
	IF st IS NOT NULL THEN
		RETURN st;
	ELSIF n < 64 THEN
		RETURN 'up';
	ELSIF EXISTS (SELECT 1 FROM wm_incidents(3, 2, now() - interval '7 days',
	                                         site) i
	              WHERE i.probe = probe_name AND i.ended IS NULL) THEN
		RETURN 'down';
	END IF;
	RETURN 'up';
END
$$;

-- Current state per url and probe.
--   ts, ok, status, error, detail, time_ms, name, degraded: of the last
--                result (wm_latest); time_ms rounded to 0.1 ms
--   since        first result of the current run of the same ok value
--                (since when the site is up, or down)
--   fails_in_row failed results in a row up to the last one (0 when ok)
--   state        'up' or 'down' with thresholds 3 and 2, the same as the
--                wm_incidents view: 'down' exactly while it has an
--                ongoing incident for this url and probe
-- Each row costs a few index probes, plus a look at the last 64 results of
-- a site whose current run is shorter than the threshold (wm_recent_state).
CREATE OR REPLACE VIEW wm_status AS
SELECT l.url, l.probe, l.name, l.ts, l.ok, l.status, l.error, l.detail,
       round(l.time_ms::numeric, 1)::double precision AS time_ms,
       s.since, f.fails_in_row,
       CASE
       WHEN l.ok AND c.run_capped >= 2 THEN 'up'
       WHEN NOT l.ok AND c.run_capped >= 3 THEN 'down'
       ELSE wm_recent_state(l.url, l.probe) END AS state,
       l.degraded
FROM wm_latest l
CROSS JOIN LATERAL (
	SELECT coalesce(min(r.ts), l.ts) AS since FROM wm_results r
	WHERE hashtext(r.url) = hashtext(l.url)
	  AND wm_url_is(r.url, l.url) AND r.probe = l.probe
	  AND r.ts > coalesce(CASE WHEN l.ok
		THEN (SELECT max(p.ts) FROM wm_results p
		      WHERE p.url = l.url AND p.probe = l.probe AND NOT p.ok)
		ELSE (SELECT max(p.ts) FROM wm_results p
		      WHERE hashtext(p.url) = hashtext(l.url)
		        AND wm_url_is(p.url, l.url) AND p.probe = l.probe
		        AND p.ok)
		END, '-infinity')) s
CROSS JOIN LATERAL (
	SELECT count(*) AS run_capped FROM (
		SELECT 1 FROM wm_results r
		WHERE hashtext(r.url) = hashtext(l.url)
		  AND wm_url_is(r.url, l.url) AND r.probe = l.probe
		  AND r.ts >= s.since
		LIMIT 3) x) c
CROSS JOIN LATERAL (
	-- from since on every result failed: count them in the failure index
	SELECT CASE WHEN l.ok THEN 0 ELSE (
		SELECT count(*) FROM wm_results r
		WHERE r.url = l.url AND r.probe = l.probe AND NOT r.ok
		  AND r.ts >= s.since)
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
SET jit = off
SET enable_seqscan = off
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
), sel AS (
	SELECT array_agg(DISTINCT hours.d) FILTER (WHERE hours.whole_day) AS days,
	       array_agg(hours.h) FILTER (WHERE hours.whole_hour
	                                  AND NOT hours.whole_day) AS hrs
	FROM hours
), src AS MATERIALIZED (
	SELECT d.url, d.probe, date_trunc(unit, d.bucket, tz) AS bucket,
	       d.checks, d.ups, d.time_sum, d.time_min, d.time_max, d.hist
	FROM wm_rollup_daily d
	WHERE d.bucket = ANY ((SELECT sel.days FROM sel)::timestamptz[])
	UNION ALL
	SELECT h.url, h.probe, date_trunc(unit, h.bucket, tz), h.checks, h.ups,
	       h.time_sum, h.time_min, h.time_max, h.hist
	FROM wm_rollup_hourly h
	WHERE h.bucket = ANY ((SELECT sel.hrs FROM sel)::timestamptz[])
	UNION ALL
	SELECT r.url, r.probe, date_trunc(unit, r.ts, tz), 1, r.ok::int,
	       CASE WHEN r.ok THEN r.time_ms END,
	       CASE WHEN r.ok THEN r.time_ms END,
	       CASE WHEN r.ok THEN r.time_ms END,
	       CASE WHEN r.ok THEN ARRAY[ARRAY[wm_hist_bin(r.time_ms)], ARRAY[1]]
	       ELSE '{}' END
	FROM hours
	CROSS JOIN lim
	CROSS JOIN LATERAL (
		SELECT * FROM wm_results x
		WHERE x.ts >= greatest(hours.h, lim.lo)
		  AND x.ts < least(hours.h + interval '1 hour', lim.hi)) r
	WHERE NOT hours.whole_hour
), counts AS (
	-- a bucket with one source row (the usual case: a day from
	-- wm_rollup_daily) takes its histogram as it is
	SELECT s.url, s.probe, s.bucket, sum(s.checks)::bigint AS checks,
	       sum(s.ups)::bigint AS ups, sum(s.time_sum) AS time_sum,
	       min(s.time_min) AS time_min, max(s.time_max) AS time_max,
	       CASE WHEN count(*) = 1 THEN min(s.hist)
	       ELSE wm_hist_sum(s.hist) FILTER (WHERE s.parts > 1) END AS hist
	FROM (SELECT src.*, count(*) OVER (PARTITION BY src.url, src.probe,
	                                   src.bucket) AS parts
	      FROM src) s
	GROUP BY 1, 2, 3
), hists AS (
	SELECT c.url, c.probe, c.bucket,
	       wm_hist_quantiles(c.hist, '{0.5,0.95,0.99}') AS q
	FROM counts c
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

-- The rollups as people read them: milliseconds rounded to 0.1; the
-- percentiles kept between the smallest and the largest time.
CREATE OR REPLACE FUNCTION wm_rollup_ms(hist int[], ups bigint,
	time_sum double precision, time_min double precision,
	time_max double precision)
RETURNS TABLE (p50_ms double precision, p95_ms double precision,
	p99_ms double precision, avg_ms double precision,
	max_ms double precision)
LANGUAGE sql IMMUTABLE
AS $$
SELECT round(least(greatest(q[1], time_min), time_max)::numeric, 1),
       round(least(greatest(q[2], time_min), time_max)::numeric, 1),
       round(least(greatest(q[3], time_min), time_max)::numeric, 1),
       round((time_sum / nullif(ups, 0))::numeric, 1),
       round(time_max::numeric, 1)
FROM wm_hist_quantiles(hist, '{0.5,0.95,0.99}') q
$$;

CREATE OR REPLACE VIEW wm_uptime_hourly AS
SELECT r.url, r.probe, r.bucket AS hour, r.checks, r.ups,
       trunc(100.0 * r.ups / r.checks, 3) AS uptime_pct, m.*, r.degraded
FROM wm_rollup_hourly r
CROSS JOIN LATERAL wm_rollup_ms(r.hist, r.ups, r.time_sum, r.time_min,
                                r.time_max) m;
COMMENT ON VIEW wm_uptime_hourly IS
	'uptime % and latency per url, probe and UTC hour (all kept hours)';

CREATE OR REPLACE VIEW wm_uptime_daily AS
SELECT r.url, r.probe, r.bucket AS day, r.checks, r.ups,
       trunc(100.0 * r.ups / r.checks, 3) AS uptime_pct, m.*, r.degraded
FROM wm_rollup_daily r
CROSS JOIN LATERAL wm_rollup_ms(r.hist, r.ups, r.time_sum, r.time_min,
                                r.time_max) m;
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
	 WHERE hashtext(r.url) = hashtext(l.url)
	   AND wm_url_is(r.url, l.url) AND r.probe = l.probe
	   AND r.cert_expiry IS NOT NULL
	 ORDER BY r.ts DESC LIMIT 1)
	LIMIT 1) c
WHERE l.url ILIKE 'https://%';
COMMENT ON VIEW wm_cert_expiry IS
	'latest certificate expiry and whole days left per https url and probe';
