-- webmon: history at scale. Included by sql/schema.sql (run that, not this
-- file); safe to run again.
--
--   wm_latest           the newest result per (url, probe): the same columns
--                       as wm_results, primary key (url, probe)
--   wm_rollup_hourly    per UTC hour, url and probe: counts, latency sums
--   wm_rollup_daily     ... per UTC day
--   wm_hist_*           the latency histogram of the rollups
--
-- All three tables are kept by statement-level AFTER triggers on
-- wm_results, in the same transaction as the raw rows: INSERT and COPY add
-- the rows of their transition table (INSERT ... ON CONFLICT DO NOTHING
-- passes only the rows it really inserted, so a replay with wm-pg-copy
-- --key counts once); UPDATE and DELETE rebuild the UTC days they touch
-- from the raw rows. So at every commit, the counts in the rollups equal
-- counts over the raw rows of the same buckets, whatever the order in which
-- rows arrive (a late row adds to its own bucket). Dropping a raw partition
-- (retention) or TRUNCATE fires nothing: the rollups stay. Rows inserted
-- into a partition directly, not through wm_results, bypass the trigger.
--
-- Rollup columns (both tables):
--   bucket      start of the UTC hour / UTC day
--   checks      results
--   ups         results with ok
--   degraded    results with ok and degraded not null
--   fail_dns, fail_connect, fail_tls, fail_timeout, fail_status,
--   fail_regex, fail_assert, fail_too_large, fail_protocol, fail_other:
--               failed results (not ok) per error class; fail_other also
--               counts a failure without a class. checks = ups + fail_*.
--   time_sum, time_min, time_max: of time_ms over the ok results (NULL
--               when none), as wm_uptime's latency is over ok results only
--   hist        latency histogram of the ok results (see below)
--
-- Histogram format: a two-dimensional int[], {{bin, ...}, {count, ...}},
-- bins ascending, only non-empty bins; '{}' when empty. Bin b holds the
-- times t with 1.05^b <= t < 1.05^(b+1) milliseconds, i.e.
-- b = floor(ln(t) / ln(1.05)); times below 0.001 ms count as 0.001 ms
-- (bin -142). Histograms merge by adding the counts of equal bins
-- (wm_hist_add, aggregate wm_hist_sum). wm_hist_quantile(hist, q) answers
-- like percentile_cont(q) over the same times: it places the values of a
-- bin evenly (in log scale) inside it and interpolates between the two
-- order statistics around q * (n - 1), so each estimate lies in the bin of
-- the value it stands for: less than 5% relative error, whatever the
-- distribution (typically well under 1%).

\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- examples/queries.sql of webmon 0.2 suggested a wm_rollup_hourly table of
-- another shape, filled from cron: keep it under another name.
DO $$
BEGIN
	IF to_regclass('wm_rollup_hourly') IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM pg_attribute
		WHERE attrelid = to_regclass('wm_rollup_hourly')
		  AND attname = 'bucket') THEN
		ALTER TABLE wm_rollup_hourly RENAME TO wm_rollup_hourly_v0;
	END IF;
END
$$;

CREATE TABLE IF NOT EXISTS wm_latest (LIKE wm_results INCLUDING DEFAULTS,
	CONSTRAINT wm_latest_pkey PRIMARY KEY (url, probe))
	WITH (fillfactor = 50);
-- Columns appended to wm_results later are appended here too, in order.
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
		FROM pg_attribute a
		WHERE a.attrelid = 'wm_results'::regclass AND a.attnum > 0
		  AND NOT a.attisdropped
		  AND NOT EXISTS (SELECT 1 FROM pg_attribute l
		                  WHERE l.attrelid = 'wm_latest'::regclass
		                    AND l.attname = a.attname AND NOT l.attisdropped)
		ORDER BY a.attnum
	LOOP
		EXECUTE format('ALTER TABLE wm_latest ADD COLUMN %I %s',
			c.attname, c.type);
	END LOOP;
END
$$;
COMMENT ON TABLE wm_latest IS
	'newest result (by ts, then id) per url and probe; kept by triggers on wm_results';

-- Every load updates the rows of its hours and days again: free room on
-- each page lets PostgreSQL write the new version beside the old one
-- without touching the indexes (a HOT update).
CREATE TABLE IF NOT EXISTS wm_rollup_hourly (
	bucket         timestamptz      NOT NULL,
	url            text             NOT NULL,
	probe          text             NOT NULL,
	checks         bigint           NOT NULL,
	ups            bigint           NOT NULL,
	degraded       bigint           NOT NULL,
	fail_dns       bigint           NOT NULL,
	fail_connect   bigint           NOT NULL,
	fail_tls       bigint           NOT NULL,
	fail_timeout   bigint           NOT NULL,
	fail_status    bigint           NOT NULL,
	fail_regex     bigint           NOT NULL,
	fail_assert    bigint           NOT NULL,
	fail_too_large bigint           NOT NULL,
	fail_protocol  bigint           NOT NULL,
	fail_other     bigint           NOT NULL,
	time_sum       double precision,
	time_min       double precision,
	time_max       double precision,
	hist           int[]            NOT NULL,
	CONSTRAINT wm_rollup_hourly_pkey PRIMARY KEY (bucket, url, probe)
) WITH (fillfactor = 50);
CREATE TABLE IF NOT EXISTS wm_rollup_daily
	(LIKE wm_rollup_hourly INCLUDING ALL) WITH (fillfactor = 90);
-- One site's history over a range of buckets (wm-page's per-site page).
CREATE INDEX IF NOT EXISTS wm_rollup_hourly_url_idx
	ON wm_rollup_hourly (url, probe, bucket);
CREATE INDEX IF NOT EXISTS wm_rollup_daily_url_idx
	ON wm_rollup_daily (url, probe, bucket);
COMMENT ON TABLE wm_rollup_hourly IS
	'per UTC hour, url and probe: counts, failures per class, latency of ok results (sql/rollups.sql)';
COMMENT ON TABLE wm_rollup_daily IS
	'per UTC day, url and probe: counts, failures per class, latency of ok results (sql/rollups.sql)';

-- The histogram bin of a time in milliseconds (NULL for NULL). Not
-- STRICT, so that the planner inlines it (greatest() is not strict):
-- a call per row cost five times the arithmetic.
CREATE OR REPLACE FUNCTION wm_hist_bin(ms double precision)
RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT CASE WHEN ms IS NOT NULL THEN
	floor(ln(greatest(ms, 0.001)) / ln(1.05))::int END
$$;

-- The sum of two histograms (NULL counts as empty): a merge of the two
-- sorted bin lists.
CREATE OR REPLACE FUNCTION wm_hist_add(a int[], b int[])
RETURNS int[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
	na int := coalesce(array_length(a, 2), 0);
	nb int := coalesce(array_length(b, 2), 0);
	i int := 1;
	j int := 1;
	bins int[] := '{}';
	counts int[] := '{}';
BEGIN
	IF na = 0 THEN
		RETURN coalesce(b, '{}');
	ELSIF nb = 0 THEN
		RETURN a;
	END IF;
	WHILE i <= na OR j <= nb LOOP
		IF j > nb OR (i <= na AND a[1][i] < b[1][j]) THEN
			bins := bins || a[1][i];
			counts := counts || a[2][i];
			i := i + 1;
		ELSIF i > na OR b[1][j] < a[1][i] THEN
			bins := bins || b[1][j];
			counts := counts || b[2][j];
			j := j + 1;
		ELSE
			bins := bins || a[1][i];
			counts := counts || (a[2][i] + b[2][j]);
			i := i + 1;
			j := j + 1;
		END IF;
	END LOOP;
	RETURN ARRAY[bins, counts];
END
$$;

-- wm_hist_sum(hist): the aggregate. Its state is dense, one element per
-- bin with the array's lower bound at the smallest bin (an int[] such as
-- '[95:97]={3,NULL,1}'), so that adding a histogram costs one step per
-- bin; the final function makes it sparse again.
CREATE OR REPLACE FUNCTION wm_hist_acc(st int[], hist int[])
RETURNS int[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
	i int;
	b int;
BEGIN
	IF st IS NULL THEN
		st := '{}';
	END IF;
	FOR i IN 1 .. coalesce(array_length(hist, 2), 0) LOOP
		b := hist[1][i];
		st[b] := coalesce(st[b], 0) + hist[2][i];
	END LOOP;
	RETURN st;
END
$$;

CREATE OR REPLACE FUNCTION wm_hist_acc_combine(a int[], b int[])
RETURNS int[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
	i int;
BEGIN
	IF a IS NULL THEN
		RETURN b;
	END IF;
	FOR i IN coalesce(array_lower(b, 1), 1) .. coalesce(array_upper(b, 1), 0) LOOP
		IF b[i] IS NOT NULL THEN
			a[i] := coalesce(a[i], 0) + b[i];
		END IF;
	END LOOP;
	RETURN a;
END
$$;

-- (a loop, not a query over generate_subscripts: it runs once per group,
-- and starting a SQL function costs more than walking 40 bins)
CREATE OR REPLACE FUNCTION wm_hist_acc_final(st int[])
RETURNS int[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
	lo int := array_lower(st, 1);
	n int := 0;
	bins int[];
	counts int[];
	i int;
BEGIN
	IF lo IS NULL THEN
		RETURN '{}';
	END IF;
	bins := array_fill(0, ARRAY[array_upper(st, 1) - lo + 1]);
	counts := bins;
	FOR i IN lo .. array_upper(st, 1) LOOP
		IF st[i] IS NOT NULL THEN
			n := n + 1;
			bins[n] := i;
			counts[n] := st[i];
		END IF;
	END LOOP;
	IF n = 0 THEN
		RETURN '{}';
	END IF;
	RETURN ARRAY[bins[1:n], counts[1:n]];
END
$$;

DROP AGGREGATE IF EXISTS wm_hist_sum(int[]);
CREATE AGGREGATE wm_hist_sum(int[]) (
	SFUNC = wm_hist_acc, STYPE = int[], FINALFUNC = wm_hist_acc_final,
	COMBINEFUNC = wm_hist_acc_combine, PARALLEL = SAFE);

-- Quantiles qs (each 0..1) of a histogram, like percentile_cont: NULL
-- elements when the histogram is empty. One pass over the bins for each
-- quantile, no SQL inside (it runs once per bucket of wm_uptime).
CREATE OR REPLACE FUNCTION wm_hist_quantiles(hist int[], qs double precision[])
RETURNS double precision[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
	nb int := coalesce(array_length(hist, 2), 0);
	total bigint := 0;
	res double precision[] := '{}';
	q double precision;
	p double precision;
	k bigint;
	v0 double precision;
	v1 double precision;
	i int;
	cum bigint;
BEGIN
	FOR i IN 1 .. nb LOOP
		total := total + hist[2][i];
	END LOOP;
	FOREACH q IN ARRAY qs LOOP
		IF total = 0 OR q IS NULL THEN
			res := res || NULL::double precision;
			CONTINUE;
		END IF;
		p := least(greatest(q, 0), 1) * (total - 1);
		-- the order statistics floor(p) and floor(p) + 1 (0-based),
		-- each spread evenly (in log scale) inside its bin
		k := floor(p);
		v0 := NULL;
		v1 := NULL;
		cum := 0;
		FOR i IN 1 .. nb LOOP
			IF v0 IS NULL AND k < cum + hist[2][i] THEN
				v0 := power(1.05::double precision,
					hist[1][i] + (k - cum + 0.5) / hist[2][i]);
			END IF;
			IF k + 1 < cum + hist[2][i] THEN
				v1 := power(1.05::double precision,
					hist[1][i] + (k + 1 - cum + 0.5) / hist[2][i]);
				EXIT;
			END IF;
			cum := cum + hist[2][i];
		END LOOP;
		res := res || (v0 + (p - k) * (coalesce(v1, v0) - v0));
	END LOOP;
	RETURN res;
END
$$;

CREATE OR REPLACE FUNCTION wm_hist_quantile(hist int[], q double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (wm_hist_quantiles(hist, ARRAY[q]))[1] $$;

-- The two statements that add the rows of relation src (a table name,
-- the trigger's transition table, or a parenthesised subquery): [1] to
-- the hourly and daily rollups, [2] to wm_latest. The counts are grouped
-- once per hour (a few rows per url and probe), the latency bins of the ok
-- rows apart with a single count (almost every ok row has a bin of its own
-- in its hour, so grouping the counts by bin too would aggregate every
-- row twice); the days are summed from the hours. Each upsert takes its
-- rows in key order (fewer lock waits between concurrent loaders).
CREATE OR REPLACE FUNCTION wm_rollup_sql(src text)
RETURNS text[] LANGUAGE plpgsql STABLE
AS $$
DECLARE
	classes text[] := ARRAY['dns', 'connect', 'tls', 'timeout', 'status',
		'regex', 'assert', 'too_large', 'protocol', 'other'];
	fail_in text;     -- per-hour counts of the failures by class
	fail_sum text;    -- their sums
	fail_cols text;
	fail_set text;
	ins text;
	cols text;
	latest_set text;
BEGIN
	SELECT string_agg(format(
	           'count(*) FILTER (WHERE NOT r.ok AND %s) AS fail_%s',
	           CASE WHEN c = 'other' THEN
	               '(r.error = ''other'' OR r.error IS NULL)'
	           ELSE format('r.error = %L', c) END, c), ', '),
	       string_agg(format('sum(b.fail_%1$s) AS fail_%1$s', c), ', '),
	       string_agg(format('fail_%s', c), ', '),
	       string_agg(format('fail_%1$s = t.fail_%1$s + excluded.fail_%1$s', c),
	                  ', ')
	INTO fail_in, fail_sum, fail_cols, fail_set
	FROM unnest(classes) c;
	-- %1$s table, %2$s counts per (bucket, url, probe), %3$s histograms
	-- per (bucket, url, probe)
	ins := format($f$
INSERT INTO %%1$s AS t (bucket, url, probe, checks, ups, degraded,
	%1$s, time_sum, time_min, time_max, hist)
SELECT b.bucket, b.url, b.probe, b.checks, b.ups, b.degraded,
       %1$s, b.time_sum, b.time_min, b.time_max, coalesce(x.hist, '{}')
FROM %%2$s b LEFT JOIN %%3$s x
	ON x.bucket = b.bucket AND x.url = b.url AND x.probe = b.probe
ORDER BY b.bucket, b.url, b.probe
ON CONFLICT (bucket, url, probe) DO UPDATE SET
	checks = t.checks + excluded.checks, ups = t.ups + excluded.ups,
	degraded = t.degraded + excluded.degraded, %2$s,
	time_sum = CASE WHEN excluded.time_sum IS NULL THEN t.time_sum
	           ELSE coalesce(t.time_sum, 0) + excluded.time_sum END,
	time_min = least(t.time_min, excluded.time_min),
	time_max = greatest(t.time_max, excluded.time_max),
	hist = CASE WHEN excluded.hist = '{}' THEN t.hist
	       ELSE wm_hist_add(t.hist, excluded.hist) END$f$,
		fail_cols, fail_set);

	SELECT string_agg(format('%I', attname), ', ' ORDER BY attnum),
	       string_agg(format('%1$I = excluded.%1$I', attname), ', '
	                  ORDER BY attnum)
	INTO cols, latest_set
	FROM pg_attribute
	WHERE attrelid = 'wm_latest'::regclass AND attnum > 0
	  AND NOT attisdropped;
	RETURN ARRAY[format($f$
WITH h AS MATERIALIZED (
	SELECT date_trunc('hour', r.ts, 'UTC') AS bucket, r.url, r.probe,
	       count(*) AS checks,
	       count(*) FILTER (WHERE r.ok) AS ups,
	       count(*) FILTER (WHERE r.ok AND r.degraded IS NOT NULL) AS degraded,
	       %1$s,
	       sum(r.time_ms) FILTER (WHERE r.ok) AS time_sum,
	       min(r.time_ms) FILTER (WHERE r.ok) AS time_min,
	       max(r.time_ms) FILTER (WHERE r.ok) AS time_max
	FROM %2$s r
	GROUP BY 1, 2, 3
), hb AS MATERIALIZED (
	SELECT date_trunc('hour', r.ts, 'UTC') AS bucket, r.url, r.probe,
	       wm_hist_bin(r.time_ms) AS bin, count(*)::int AS n
	FROM %2$s r
	WHERE r.ok
	GROUP BY 1, 2, 3, 4
), hh AS (
	SELECT b.bucket, b.url, b.probe,
	       ARRAY[array_agg(b.bin ORDER BY b.bin),
	             array_agg(b.n ORDER BY b.bin)] AS hist
	FROM hb b
	GROUP BY 1, 2, 3
), d AS (
	SELECT date_trunc('day', b.bucket, 'UTC') AS bucket, b.url, b.probe,
	       sum(b.checks) AS checks, sum(b.ups) AS ups,
	       sum(b.degraded) AS degraded, %3$s,
	       sum(b.time_sum) AS time_sum, min(b.time_min) AS time_min,
	       max(b.time_max) AS time_max
	FROM h b
	GROUP BY 1, 2, 3
), dh AS (
	SELECT b.bucket, b.url, b.probe,
	       ARRAY[array_agg(b.bin ORDER BY b.bin),
	             array_agg(b.n ORDER BY b.bin)] AS hist
	FROM (SELECT date_trunc('day', b.bucket, 'UTC') AS bucket, b.url,
	             b.probe, b.bin, sum(b.n)::int AS n
	      FROM hb b
	      GROUP BY 1, 2, 3, 4) b
	GROUP BY 1, 2, 3
), hourly AS (%4$s
)%5$s$f$, fail_in, src, fail_sum,
		format(ins, 'wm_rollup_hourly', 'h', 'hh'),
		format(ins, 'wm_rollup_daily', 'd', 'dh')),
	format($f$
INSERT INTO wm_latest AS t (%1$s)
SELECT DISTINCT ON (url, probe) %1$s FROM %2$s r
ORDER BY url, probe, ts DESC, id DESC
ON CONFLICT (url, probe) DO UPDATE SET %3$s
WHERE (excluded.ts, excluded.id) > (t.ts, t.id)$f$, cols, src, latest_set)];
END
$$;

-- The trigger function runs the statements of wm_rollup_sql() as static
-- SQL, so that their plans are made once per session, not per statement:
-- it is written here, and again whenever this file runs (after columns
-- were added). A batch of 10,000 rows groups in memory with 32 MB.
DO $do$
DECLARE
	s text[] := wm_rollup_sql('wm_new_rows');
BEGIN
	EXECUTE format($f$
CREATE OR REPLACE FUNCTION wm_results_added() RETURNS trigger
LANGUAGE plpgsql
AS $body$
BEGIN
%s;
%s;
RETURN NULL;
END
$body$
SET work_mem = '32MB'
$f$, s[1], s[2]);
END
$do$;

-- Rebuild the rollups of the UTC days from_ts .. to_ts (widened to whole
-- days) and the latest rows, from the raw rows, for one url or all.
-- Used after UPDATE and DELETE, and by the migration (sql/migrate.sql).
-- Blocks loads into the rollups while it runs, so that a row committed
-- meanwhile is neither lost nor counted twice.
CREATE OR REPLACE FUNCTION wm_rollup_rebuild(from_ts timestamptz,
	to_ts timestamptz, site text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql
AS $$
DECLARE
	lo timestamptz := date_trunc('day', from_ts, 'UTC');
	hi timestamptz := date_trunc('day', to_ts, 'UTC');
	s text;
	gone_urls text[];
	gone_probes text[];
BEGIN
	IF hi < to_ts THEN
		hi := hi + interval '1 day';
	END IF;
	LOCK TABLE wm_rollup_hourly, wm_rollup_daily, wm_latest
		IN SHARE ROW EXCLUSIVE MODE;
	DELETE FROM wm_rollup_hourly
	WHERE bucket >= lo AND bucket < hi AND (site IS NULL OR url = site);
	DELETE FROM wm_rollup_daily
	WHERE bucket >= lo AND bucket < hi AND (site IS NULL OR url = site);
	-- latest rows inside the range: their result may be gone or changed
	SELECT array_agg(l.url), array_agg(l.probe) INTO gone_urls, gone_probes
	FROM wm_latest l
	WHERE l.ts >= lo AND l.ts < hi AND (site IS NULL OR l.url = site);
	DELETE FROM wm_latest l
	WHERE l.ts >= lo AND l.ts < hi AND (site IS NULL OR l.url = site);
	FOREACH s IN ARRAY wm_rollup_sql(format(
		'(SELECT * FROM wm_results WHERE ts >= %L AND ts < %L
		  AND (%L::text IS NULL OR url = %L))',
		lo, hi, site, site)) LOOP
		EXECUTE s;
	END LOOP;
	-- the newest result of each pair whose latest row was removed
	EXECUTE (wm_rollup_sql(format(
		'(SELECT x.* FROM unnest(%L::text[], %L::text[]) p(url, probe)
		  CROSS JOIN LATERAL (SELECT * FROM wm_results r
		     WHERE hashtext(r.url) = hashtext(p.url)
		       AND wm_url_is(r.url, p.url) AND r.probe = p.probe
		     ORDER BY r.ts DESC, r.id DESC LIMIT 1) x)',
		coalesce(gone_urls, '{}'), coalesce(gone_probes, '{}'))))[2];
END
$$;
COMMENT ON FUNCTION wm_rollup_rebuild(timestamptz, timestamptz, text) IS
	'recompute rollups of whole UTC days and latest rows from the raw rows';

-- UPDATE and DELETE: rebuild each (url, day) they touched.
CREATE OR REPLACE FUNCTION wm_results_changed() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
	d record;
BEGIN
	FOR d IN
		SELECT DISTINCT r.url, date_trunc('day', r.ts, 'UTC') AS day
		FROM wm_old_rows r
		ORDER BY 1, 2
	LOOP
		PERFORM wm_rollup_rebuild(d.day, d.day + interval '1 day', d.url);
	END LOOP;
	IF TG_OP = 'UPDATE' THEN
		FOR d IN
			SELECT DISTINCT r.url, date_trunc('day', r.ts, 'UTC') AS day
			FROM wm_new_rows r
			EXCEPT
			SELECT DISTINCT r.url, date_trunc('day', r.ts, 'UTC')
			FROM wm_old_rows r
			ORDER BY 1, 2
		LOOP
			PERFORM wm_rollup_rebuild(d.day, d.day + interval '1 day',
				d.url);
		END LOOP;
	END IF;
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS wm_results_rollup_ins ON wm_results;
CREATE TRIGGER wm_results_rollup_ins AFTER INSERT ON wm_results
	REFERENCING NEW TABLE AS wm_new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION wm_results_added();
DROP TRIGGER IF EXISTS wm_results_rollup_upd ON wm_results;
CREATE TRIGGER wm_results_rollup_upd AFTER UPDATE ON wm_results
	REFERENCING OLD TABLE AS wm_old_rows NEW TABLE AS wm_new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION wm_results_changed();
DROP TRIGGER IF EXISTS wm_results_rollup_del ON wm_results;
CREATE TRIGGER wm_results_rollup_del AFTER DELETE ON wm_results
	REFERENCING OLD TABLE AS wm_old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION wm_results_changed();

-- Fill the rollups and wm_latest from the raw rows already stored, one UTC
-- day per transaction, oldest first (sql/migrate.sql calls it). The
-- triggers must exist before (they do once schema.sql ran): rows loaded
-- meanwhile are counted by them, and a day is rebuilt under a lock, so
-- nothing is lost or counted twice. Progress is kept in wm_backfill: run
-- it again after an interruption and it goes on where it stopped; with
-- max_days it stops after that many days.
CREATE TABLE IF NOT EXISTS wm_backfill (
	one      boolean     PRIMARY KEY DEFAULT true CHECK (one),
	next_day timestamptz NOT NULL,
	end_day  timestamptz NOT NULL,
	done     timestamptz
);

CREATE OR REPLACE PROCEDURE wm_rollup_backfill(max_days int DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
	st wm_backfill;
	n int := 0;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM wm_backfill) THEN
		INSERT INTO wm_backfill (next_day, end_day)
		SELECT coalesce(date_trunc('day', min(ts), 'UTC'), now()),
		       coalesce(date_trunc('day', max(ts), 'UTC') + interval '1 day',
		                now())
		FROM wm_results;
		COMMIT;
	END IF;
	LOOP
		SELECT * INTO st FROM wm_backfill;
		EXIT WHEN st.next_day >= st.end_day
		       OR (max_days IS NOT NULL AND n >= max_days);
		PERFORM wm_rollup_rebuild(st.next_day, st.next_day + interval '1 day');
		UPDATE wm_backfill SET next_day = st.next_day + interval '1 day';
		COMMIT;
		n := n + 1;
		RAISE NOTICE 'wm_rollup_backfill: % done', st.next_day;
	END LOOP;
	UPDATE wm_backfill SET done = now()
	WHERE next_day >= end_day AND done IS NULL;
	COMMIT;
END
$$;

-- Retention of the rollups (the raw rows have their own, see
-- sql/partitioning.sql): hourly rows older than hourly_keep go, daily rows
-- only when daily_keep is given. Run it with the partition maintenance.
CREATE OR REPLACE FUNCTION wm_rollup_prune(
	hourly_keep interval DEFAULT '13 months',
	daily_keep interval DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql
AS $$
DECLARE
	n bigint;
	m bigint := 0;
BEGIN
	DELETE FROM wm_rollup_hourly WHERE bucket < now() - hourly_keep;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF daily_keep IS NOT NULL THEN
		DELETE FROM wm_rollup_daily WHERE bucket < now() - daily_keep;
		GET DIAGNOSTICS m = ROW_COUNT;
	END IF;
	RETURN n + m;
END
$$;
COMMENT ON FUNCTION wm_rollup_prune(interval, interval) IS
	'drop hourly rollups older than 13 months (daily ones only if asked)';
