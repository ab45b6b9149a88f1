#!/usr/bin/env bats
# History at scale (sql/rollups.sql): wm_latest and the hourly and daily
# rollups equal what the raw rows say after every kind of load, the
# latency histograms answer within 5%, wm_uptime mixes rollups and raw
# edges without changing its answers, retention drops raw rows only, and
# a database of webmon 0.2 upgrades in place.
# Two databases: "plain" (schema.sql) and "part" (partitioning.sql).

load test_helper
load helpers/pg

GEN="$FIXTURES/sql/genhist.py"

setup_file() {
	pg_start
	psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE plain' \
		-c 'CREATE DATABASE part' -c 'CREATE DATABASE old'
	PGDATABASE=plain pq -f "$ROOT/sql/schema.sql"
	PGDATABASE=part pq -f "$ROOT/sql/partitioning.sql" >/dev/null
	PGDATABASE=plain pq -f "$ROOT/sql/views.sql"
	PGDATABASE=part pq -f "$ROOT/sql/views.sql"
	# 10:50 UTC the day before yesterday: batches cross hour boundaries
	T0=$(date -u -d "$(date -u -d '2 days ago' +%F) 10:50" +%s)
	export T0
}

teardown_file() {
	pg_stop
}

q() {
	PGDATABASE=$1 pq -c "$2"
}

# consistent DB N: the rollups and wm_latest of DB match its N raw rows.
consistent() {
	local out
	out=$(PGDATABASE=$1 pq -f "$FIXTURES/sql/check-rollups.sql") ||
		flunk "$1: check failed"
	[ "$out" = "0|0|0|$2|$2|$2" ] ||
		flunk "$1: hourly|daily|latest differing, raw|hourly|daily checks:" "$out"
}

key_of() {
	[ "$1" = part ] && echo id,ts || echo id
}

@test "rollups equal raw counts after loads, --key replays, rejects, late rows, restarts" {
	local db n in=$BATS_TEST_TMPDIR
	# A: 900 results 20 s apart (5 hours), batches of 200 cross hours
	python3 "$GEN" 1 900 "$T0" 20 >"$in/a"
	# B: 300 late results 3 days earlier, out of order, plus half of A
	python3 "$GEN" 2 300 "$((T0 - 3 * 86400))" 37 5 shuffle >"$in/b"
	sed -n '1~2p' "$in/a" >>"$in/b"
	# C: bad lines among new ones: unknown class, infinite ts, long url,
	# unknown degraded value
	python3 "$GEN" 3 50 "$((T0 + 18000))" 20 >"$in/c"
	printf '%s\n' \
		'{"id":"00000000-0000-7000-8000-000000000001","ts":"2026-01-01T00:00:00Z","url":"https://bad.example/","method":"GET","ok":false,"error":"bogus","time_ms":1,"bytes":0,"probe":"p1"}' \
		'{"id":"00000000-0000-7000-8000-000000000002","ts":"infinity","url":"https://bad.example/","method":"GET","ok":true,"time_ms":1,"bytes":0,"probe":"p1"}' \
		"{\"id\":\"00000000-0000-7000-8000-000000000003\",\"ts\":\"2026-01-01T00:00:00Z\",\"url\":\"https://$(head -c 3000 /dev/zero | tr '\0' a)/\",\"method\":\"GET\",\"ok\":true,\"time_ms\":1,\"bytes\":0,\"probe\":\"p1\"}" \
		'{"id":"00000000-0000-7000-8000-000000000004","ts":"2026-01-01T00:00:00Z","url":"https://bad.example/","method":"GET","ok":true,"degraded":"maybe","time_ms":1,"bytes":0,"probe":"p1"}' \
		>>"$in/c"
	python3 "$GEN" 4 200 "$((T0 + 20000))" 20 >"$in/d"
	python3 "$GEN" 5 200 "$((T0 + 30000))" 20 3 shuffle >"$in/e"
	for db in plain part; do
		wm-pg-copy -d $db -t wm_results -n 200 --key "$(key_of $db)" <"$in/a"
		consistent $db 900
		# a replay of everything stores and counts nothing
		wm-pg-copy -d $db -t wm_results -n 200 --key "$(key_of $db)" <"$in/a"
		consistent $db 900
		# late and out-of-order rows mixed with a replay: only new ones count
		wm-pg-copy -d $db -t wm_results -n 128 --key "$(key_of $db)" <"$in/b"
		consistent $db 1200
		# rejected rows leave no trace
		run wm-pg-copy -d $db -t wm_results -n 1000 --key "$(key_of $db)" \
			--reject "$in/rej.$db" <"$in/c"
		[ "$status" -eq 3 ] || flunk "$db: status $status: $output"
		[ "$(wc -l <"$in/rej.$db")" -eq 4 ] || flunk "$(cat "$in/rej.$db")"
		consistent $db 1250
	done
	# a restart, then a crash (immediate shutdown), between loads
	pg_down fast
	pg_up
	for db in plain part; do
		wm-pg-copy -d $db -t wm_results -n 64 <"$in/d"
		consistent $db 1450
	done
	# The test cluster commits asynchronously: a crash may lose the last
	# commits, and then loses their rollups with them, never one of both.
	pg_down immediate
	pg_up
	for db in plain part; do
		n=$(q $db "SELECT count(*) FROM wm_results")
		[ "$n" -le 1450 ] && [ "$n" -ge 1250 ] || flunk "$db: $n rows"
		consistent $db "$n"
		wm-pg-copy -d $db -t wm_results -n 50 --key "$(key_of $db)" <"$in/e"
		consistent $db $((n + 200))
	done
}

@test "INSERT ... ON CONFLICT DO NOTHING counts only the rows it inserted" {
	local sql="INSERT INTO wm_results (id, ts, url, method, ok, time_ms, bytes, probe)
		SELECT ('00000000-0000-7000-8000-00000000010' || i)::uuid,
		       timestamptz '2026-01-05 10:00Z' + i * interval '1 minute',
		       'http://conflict.example/', 'GET', true, 10 * i, 0, 'p1'
		FROM generate_series(1, %d) i ON CONFLICT DO NOTHING"
	q plain "$(printf "$sql" 3)"
	q plain "$(printf "$sql" 5)"
	q plain "$(printf "$sql" 5)"
	run q plain "SELECT checks, ups, time_sum FROM wm_rollup_daily
	             WHERE url = 'http://conflict.example/'"
	[ "$output" = "5|5|150" ] || flunk "$output"
	run q plain "SELECT to_char(ts AT TIME ZONE 'UTC', 'HH24:MI'), time_ms
	             FROM wm_latest WHERE url = 'http://conflict.example/'"
	[ "$output" = "10:05|50" ] || flunk "$output"
	# an older row arriving late does not replace the latest
	q plain "INSERT INTO wm_results (id, ts, url, method, ok, time_ms, bytes, probe)
	         VALUES (gen_random_uuid(), '2026-01-05 09:00Z',
	                 'http://conflict.example/', 'GET', false, 1, 0, 'p1')"
	run q plain "SELECT to_char(ts AT TIME ZONE 'UTC', 'HH24:MI'), checks
	             FROM wm_latest JOIN wm_rollup_daily USING (url, probe)
	             WHERE url = 'http://conflict.example/'"
	[ "$output" = "10:05|6" ] || flunk "$output"
	q plain "DELETE FROM wm_results WHERE url = 'http://conflict.example/'"
	run q plain "SELECT (SELECT count(*) FROM wm_rollup_daily WHERE url = 'http://conflict.example/'),
	                    (SELECT count(*) FROM wm_latest WHERE url = 'http://conflict.example/')"
	[ "$output" = "0|0" ] || flunk "$output"
}

@test "UPDATE and DELETE of raw rows rebuild their days" {
	local n
	n=$(q plain "SELECT count(*) FROM wm_results")
	q plain "UPDATE wm_results SET error = 'assert'
	         WHERE error = 'timeout' AND url = 'https://s1.example/'"
	q plain "DELETE FROM wm_results WHERE url = 'https://s2.example/'
	         AND ts < to_timestamp($T0 + 3600)"
	consistent plain "$(q plain "SELECT count(*) FROM wm_results")"
	[ "$(q plain "SELECT count(*) FROM wm_results")" -lt "$n" ]
	[ "$(q plain "SELECT sum(fail_timeout) FROM wm_rollup_daily
	              WHERE url = 'https://s1.example/'")" = 0 ]
}

@test "percentiles from merged histograms are within 5% of percentile_cont" {
	# 3 distributions of 20,000 ok results over one day: log-normal
	# (median 80 ms), uniform 1..1000 ms, bimodal 20 ms / 900 ms
	q plain "SELECT setseed(0.42)"
	q plain "INSERT INTO wm_results (id, ts, url, method, ok, time_ms, bytes, probe)
	         SELECT gen_random_uuid(),
	                timestamptz '2026-02-01Z' + i * interval '4 seconds',
	                'http://dist' || d || '.example/', 'GET', true,
	                round((CASE d
	                WHEN 1 THEN 80 * exp(0.6 * sqrt(-2 * ln(1 - random()))
	                                   * cos(2 * pi() * random()))
	                WHEN 2 THEN 1 + 999 * random()
	                ELSE CASE WHEN random() < 0.7 THEN 20 ELSE 900 END
	                     * (0.9 + 0.2 * random()) END)::numeric, 3),
	                0, 'p1'
	         FROM generate_series(0, 19999) i, generate_series(1, 3) d"
	run q plain "SELECT r.url, q, round((abs(h.v / r.v - 1) * 100)::numeric, 2)
	    FROM (VALUES (0.5), (0.95), (0.99)) qq(q)
	    CROSS JOIN LATERAL (
	        SELECT url, percentile_cont(q) WITHIN GROUP (ORDER BY time_ms) AS v
	        FROM wm_results WHERE url LIKE 'http://dist%' GROUP BY url) r
	    CROSS JOIN LATERAL (
	        SELECT wm_hist_quantile(wm_hist_sum(hist), q) AS v
	        FROM wm_rollup_hourly h WHERE h.url = r.url) h
	    ORDER BY 1, 2"
	echo "$output" >&3
	[ "$(echo "$output" | wc -l)" -eq 9 ] || flunk "$output"
	echo "$output" | awk -F'|' '$3 >= 5 { bad = 1 } END { exit bad }' ||
		flunk "error 5% or more:" "$output"
	# wm_uptime gives the same from the daily rollup, raw edges included
	run q plain "SELECT count(*) FROM wm_uptime('day', '2026-02-01 00:30Z',
	                 '2026-02-02Z') u
	    JOIN (SELECT url, percentile_cont(0.95) WITHIN GROUP (ORDER BY time_ms) p
	          FROM wm_results WHERE url LIKE 'http://dist%'
	            AND ts >= '2026-02-01 00:30Z' GROUP BY url) r USING (url)
	    WHERE abs(u.p95_ms / r.p - 1) < 0.05"
	[ "$output" = 3 ] || flunk "$output"
	[ "$(q plain "SELECT wm_hist_quantile('{}', 0.5) IS NULL")" = t ]
}

@test "wm_uptime: rollups plus raw edges give the raw answer, in any time zone" {
	local db unit tz out
	for db in plain part; do
		for unit in hour day week; do
			for tz in UTC Asia/Kolkata America/New_York; do
				out=$(q $db "
	WITH r AS (
		SELECT url, probe, date_trunc('$unit', ts, '$tz') AS bucket,
		       count(*) AS checks, count(*) FILTER (WHERE ok) AS ups,
		       percentile_cont(0.5) WITHIN GROUP (ORDER BY time_ms)
		               FILTER (WHERE ok) AS p50,
		       avg(time_ms) FILTER (WHERE ok) AS avg,
		       max(time_ms) FILTER (WHERE ok) AS max
		FROM wm_results
		WHERE ts >= to_timestamp($T0 - 3 * 86400 + 1234)
		  AND ts < to_timestamp($T0 + 30567)
		GROUP BY 1, 2, 3)
	SELECT count(*), count(*) FILTER (WHERE u.url IS NULL OR r.url IS NULL
	           OR u.checks <> r.checks OR u.ups <> r.ups
	           OR u.uptime_pct <> trunc(100.0 * r.ups / r.checks, 3)
	           OR abs(u.avg_ms - r.avg) > 1e-9 * r.avg
	           OR u.max_ms <> r.max OR abs(u.p50_ms / r.p50 - 1) >= 0.05)
	FROM wm_uptime('$unit', to_timestamp($T0 - 3 * 86400 + 1234),
	               to_timestamp($T0 + 30567), '$tz') u
	FULL JOIN r USING (url, probe, bucket)")
				[[ "$out" == *"|0" && "$out" != "0|0" ]] ||
					flunk "$db $unit $tz: rows|differing: $out"
			done
		done
	done
}

@test "retention: dropping raw partitions keeps the rollups, wm_uptime still answers" {
	local month before after
	month=$(q part "SELECT to_char(now() - interval '3 months', 'YYYY_MM')")
	q part "SELECT partman.create_partition_time('public.wm_results',
	        ARRAY[now() - interval '3 months'])" >/dev/null
	q part "INSERT INTO wm_results (id, ts, url, method, ok, time_ms, bytes, probe)
	        SELECT gen_random_uuid(),
	               date_trunc('month', now() - interval '3 months') + i * interval '10 minutes',
	               'http://retained.example/', 'GET', i % 10 <> 0, 100 + i % 50, 0, 'p1'
	        FROM generate_series(0, 999) i"
	before=$(q part "SELECT sum(checks), sum(ups), round(avg(p50_ms)::numeric, 6)
	                 FROM wm_uptime('day', now() - interval '4 months', now() - interval '1 month')
	                 WHERE url = 'http://retained.example/'")
	[ "$before" = "$(q part "SELECT 1000, 900, round(avg(p50_ms)::numeric, 6)
	                 FROM wm_uptime('day', now() - interval '4 months', now() - interval '1 month')
	                 WHERE url = 'http://retained.example/'")" ]
	q part "SELECT partman.run_maintenance('public.wm_results')" >/dev/null
	[ -z "$(q part "SELECT to_regclass('wm_results_p$month')")" ] ||
		flunk "wm_results_p$month still exists"
	[ "$(q part "SELECT count(*) FROM wm_results WHERE url = 'http://retained.example/'")" = 0 ]
	after=$(q part "SELECT sum(checks), sum(ups), round(avg(p50_ms)::numeric, 6)
	                FROM wm_uptime('day', now() - interval '4 months', now() - interval '1 month')
	                WHERE url = 'http://retained.example/'")
	[ "$after" = "$before" ] || flunk "before: $before" "after:  $after"
	[ "$(q part "SELECT sum(checks) FROM wm_rollup_hourly WHERE url = 'http://retained.example/'")" = 1000 ]
	# hourly rollups go after 13 months, daily ones stay
	[ "$(q part "SELECT wm_rollup_prune('2 months')")" -gt 0 ]
	[ "$(q part "SELECT count(*) FROM wm_rollup_hourly WHERE url = 'http://retained.example/'")" = 0 ]
	[ "$(q part "SELECT sum(checks) FROM wm_rollup_daily WHERE url = 'http://retained.example/'")" = 1000 ]
}

@test "migrate.sql upgrades a webmon 0.2 database in place, resumably" {
	local in=$BATS_TEST_TMPDIR n
	PGDATABASE=old pq -f "$FIXTURES/sql/v0.2/schema.sql"
	PGDATABASE=old pq -f "$FIXTURES/sql/v0.2/views.sql"
	# the hourly table examples/queries.sql of 0.2 suggested
	q old "CREATE TABLE wm_rollup_hourly (url text, probe text, hour timestamptz)"
	# 0.2 has no degraded/http_version/tls_version (wm-pg-copy ignores
	# them) and no error class assert
	python3 "$GEN" 6 2000 "$((T0 - 5 * 86400))" 200 |
		grep -v '"error":"assert"' >"$in/old"
	wm-pg-copy -d old -t wm_results <"$in/old"
	n=$(wc -l <"$in/old")
	[ "$(q old "SELECT count(*) FROM wm_results")" = "$n" ]
	# the schema and two days of backfill, as if interrupted
	PGDATABASE=old pq -f "$ROOT/sql/schema.sql"
	q old "CALL wm_rollup_backfill(2)"
	run q old "SELECT next_day - date_trunc('day', to_timestamp($T0 - 5 * 86400), 'UTC'), done IS NULL
	           FROM wm_backfill"
	[ "$output" = "2 days|t" ] || flunk "$output"
	# rows keep arriving meanwhile, in days done and not done
	python3 "$GEN" 7 300 "$((T0 - 5 * 86400 + 100))" 1000 >"$in/new"
	wm-pg-copy -d old -t wm_results --key id <"$in/new"
	run --separate-stderr pq -d old -f "$ROOT/sql/migrate.sql"
	[ "$status" -eq 0 ] || flunk "$stderr"
	consistent old $((n + 300))
	[ "$(q old "SELECT done IS NOT NULL FROM wm_backfill")" = t ]
	[ "$(q old "SELECT count(*) FROM wm_rollup_hourly_v0")" = 0 ]
	# the (url, probe, ts) index gave way to the url hash one
	[ "$(q old "SELECT to_regclass('wm_results_url_probe_ts_idx') IS NULL,
	                   to_regclass('wm_results_url_hash_ts_idx') IS NOT NULL")" = "t|t" ]
	# the views of 0.2 were replaced, columns appended
	[ "$(q old "SELECT count(*) FROM wm_status")" = 8 ]
	q old "SELECT degraded FROM wm_uptime_daily LIMIT 1" >/dev/null
	# again: nothing to do, quietly
	run --separate-stderr pq -d old -f "$ROOT/sql/migrate.sql"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || flunk "$stderr"
	consistent old $((n + 300))
	# the new keys load now (and did since schema.sql: the 300 above)
	python3 "$GEN" 8 10 "$T0" 60 >"$in/more"
	wm-pg-copy -d old -t wm_results <"$in/more"
	[ "$(q old "SELECT count(*) FROM wm_results WHERE tls_version = 'TLSv1.3'")" = 310 ]
}

@test "ts must be finite, url at most 2048 bytes, error may be assert, degraded slow or cert" {
	local base="INSERT INTO wm_results (id, ts, url, method, ok, time_ms, bytes, probe"
	run --separate-stderr q plain "$base) VALUES (gen_random_uuid(), 'infinity', 'http://x/', 'GET', true, 1, 0, 'p1')"
	[[ "$stderr" == *wm_results_ts_check* ]] || flunk "$stderr"
	run --separate-stderr q plain "$base) VALUES (gen_random_uuid(), '-infinity', 'http://x/', 'GET', true, 1, 0, 'p1')"
	[[ "$stderr" == *wm_results_ts_check* ]] || flunk "$stderr"
	run --separate-stderr q plain "$base) VALUES (gen_random_uuid(), now(), 'http://' || repeat('a', 2042), 'GET', true, 1, 0, 'p1')"
	[[ "$stderr" == *wm_results_url_check* ]] || flunk "$stderr"
	q plain "$base) VALUES (gen_random_uuid(), now(), 'http://' || repeat('a', 2041), 'GET', true, 1, 0, 'p1')"
	run --separate-stderr q plain "$base, degraded) VALUES (gen_random_uuid(), now(), 'http://x/', 'GET', true, 1, 0, 'p1', 'maybe')"
	[[ "$stderr" == *wm_results_degraded_check* ]] || flunk "$stderr"
	q plain "$base, error, degraded) VALUES (gen_random_uuid(), now(), 'http://x/', 'GET', false, 1, 0, 'p1', 'assert', NULL),
	        (gen_random_uuid(), now() + interval '1 second', 'http://x/', 'GET', true, 1.26, 0, 'p1', NULL, 'cert')"
	run q plain "SELECT fail_assert, degraded FROM wm_rollup_hourly WHERE url = 'http://x/'"
	[ "$output" = "1|1" ] || flunk "$output"
	run q plain "SELECT degraded, time_ms FROM wm_status WHERE url = 'http://x/'"
	[ "$output" = "cert|1.3" ] || flunk "$output"
	run q plain "SELECT degraded, max_ms FROM wm_uptime_daily WHERE url = 'http://x/'"
	[ "$output" = "1|1.3" ] || flunk "$output"
	run q plain "SELECT max_ms FROM wm_uptime('day', '-infinity') WHERE url = 'http://x/'"
	[ "$output" = "1.26" ] || flunk "$output"
	q plain "DELETE FROM wm_results WHERE url LIKE 'http://x%' OR url LIKE 'http://aaa%'"
}
