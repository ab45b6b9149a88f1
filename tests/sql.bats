#!/usr/bin/env bats
# sql/: schema, views and partitioning against a real PostgreSQL.
# Two databases get the same hand-made results (tests/fixtures/sql/data.sql):
# "plain" built with schema.sql, "part" with partitioning.sql (pg_partman);
# every view test checks both.

load test_helper
load helpers/pg

# The result keys of the record, in order (DESIGN.md, webmon(7)).
# Keys added later are appended: degraded http_version tls_version.
KEYS="id ts url name method ok status error detail time_ms dns_ms connect_ms
tls_ms wait_ms transfer_ms bytes ip regex match matched cert_expiry probe tags
degraded http_version tls_version"

setup_file() {
	pg_start
	psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE plain' \
		-c 'CREATE DATABASE part' -c 'CREATE DATABASE fresh' \
		-c 'CREATE DATABASE scratch'
	PGDATABASE=scratch pq -f "$ROOT/sql/schema.sql"
	# A UTC midnight yesterday: inside every default window of the views.
	T0=$(psql -X -At -c "SELECT date_trunc('day', now() - interval '1 day')")
	export T0
	local db
	for db in plain part; do
		if [ $db = plain ]; then
			PGDATABASE=$db pq -f "$ROOT/sql/schema.sql"
		else
			PGDATABASE=$db pq -f "$ROOT/sql/partitioning.sql"
		fi
		PGDATABASE=$db pq -f "$ROOT/sql/views.sql"
		PGDATABASE=$db pq -v t0="$T0" -f "$FIXTURES/sql/data.sql" >/dev/null
	done
}

teardown_file() {
	pg_stop
}

# q DB SQL: one query in database DB, unaligned output.
q() {
	PGDATABASE=$1 pq -c "$2"
}

# both SQL EXPECTED: the query gives EXPECTED on the plain and on the
# partitioned table.
both() {
	local db out
	for db in plain part; do
		out=$(q $db "$1") || flunk "$db: query failed: $1"
		[ "$out" = "$2" ] || flunk "$db: $1" "expected: $2" "got:      $out"
	done
}

@test "schema.sql applies twice on a new database, quietly" {
	run --separate-stderr pq -d fresh -f "$ROOT/sql/schema.sql"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || flunk "$stderr"
	run --separate-stderr pq -d fresh -f "$ROOT/sql/schema.sql"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || flunk "$stderr"
	run --separate-stderr pq -d fresh -f "$ROOT/sql/views.sql"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || flunk "$stderr"
	run --separate-stderr pq -d fresh -f "$ROOT/sql/views.sql"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || flunk "$stderr"
}

@test "columns are the result keys in record order, later keys appended" {
	local want
	want=$(echo $KEYS | tr ' ' '\n')
	both "SELECT column_name FROM information_schema.columns
	      WHERE table_name = 'wm_results' ORDER BY ordinal_position" "$want"
}

@test "column types" {
	both "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod)
	             || CASE WHEN attnotnull THEN ' nn' ELSE '' END, ', '
	             ORDER BY attnum)
	      FROM pg_attribute
	      WHERE attrelid = 'wm_results'::regclass AND attnum > 0
	        AND NOT attisdropped" \
	"id uuid nn, ts timestamp with time zone nn, url text nn, name text, method text nn, ok boolean nn, status smallint, error text, detail text, time_ms double precision nn, dns_ms double precision, connect_ms double precision, tls_ms double precision, wait_ms double precision, transfer_ms double precision, bytes bigint nn, ip inet, regex text, match boolean, matched text, cert_expiry timestamp with time zone, probe text nn, tags jsonb, degraded text, http_version text, tls_version text"
}

@test "indexes: primary key, site history by url hash, failures, BRIN on ts" {
	both "SELECT indexname FROM pg_indexes WHERE tablename = 'wm_results'
	      ORDER BY 1" "wm_results_fail_idx
wm_results_pkey
wm_results_ts_brin
wm_results_url_hash_ts_idx"
	[ "$(q plain "SELECT pg_get_indexdef('wm_results_pkey'::regclass)")" = \
		"CREATE UNIQUE INDEX wm_results_pkey ON public.wm_results USING btree (id)" ]
	[ "$(q part "SELECT pg_get_indexdef('wm_results_pkey'::regclass)")" = \
		"CREATE UNIQUE INDEX wm_results_pkey ON ONLY public.wm_results USING btree (id, ts)" ]
	both "SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
	      WHERE c.relname = 'wm_results_ts_brin'" "brin"
}

@test "a duplicate id is rejected" {
	local db ins
	# the same record twice (a replay): same id and ts
	ins="INSERT INTO wm_results (id, ts, url, method, ok, time_ms, bytes, probe)
	     VALUES ('01890a5d-ac96-774b-bcce-b302099a8057', '$T0', 'http://dup/',
	             'GET', true, 1, 0, 'p1')"
	for db in scratch part; do
		q $db "$ins"
		run --separate-stderr q $db "$ins"
		[ "$status" -ne 0 ] || flunk "$db: second insert succeeded"
		[[ "$stderr" == *'duplicate key value violates unique constraint "wm_results'*'_pkey"'* ]] ||
			flunk "$db: $stderr"
		[ "$(q $db "SELECT count(*) FROM wm_results WHERE url = 'http://dup/'")" = 1 ]
		q $db "DELETE FROM wm_results WHERE url = 'http://dup/'"
	done
	# the plain table keys on id alone: the same id at another ts is refused
	q scratch "$ins"
	run --separate-stderr q scratch "INSERT INTO wm_results
	    (id, ts, url, method, ok, time_ms, bytes, probe)
	    VALUES ('01890a5d-ac96-774b-bcce-b302099a8057', now(), 'http://dup/',
	            'GET', true, 1, 0, 'p1')"
	[ "$status" -ne 0 ] || flunk "same id, other ts accepted"
	[[ "$stderr" == *'"wm_results_pkey"'* ]] || flunk "$stderr"
	q scratch "DELETE FROM wm_results WHERE url = 'http://dup/'"
}

@test "values outside the record's domain are rejected" {
	local base="INSERT INTO wm_results (id, ts, url, method, ok, time_ms, bytes, probe"
	run --separate-stderr q scratch "$base, error) VALUES (gen_random_uuid(), now(), 'http://x/', 'GET', false, 1, 0, 'p1', 'bogus')"
	[[ "$stderr" == *wm_results_error_check* ]] || flunk "$stderr"
	run --separate-stderr q scratch "$base, status) VALUES (gen_random_uuid(), now(), 'http://x/', 'GET', false, 1, 0, 'p1', 42)"
	[[ "$stderr" == *wm_results_status_check* ]] || flunk "$stderr"
	run --separate-stderr q scratch "$base, tags) VALUES (gen_random_uuid(), now(), 'http://x/', 'GET', false, 1, 0, 'p1', '[1]')"
	[[ "$stderr" == *wm_results_tags_check* ]] || flunk "$stderr"
	run --separate-stderr q scratch "$base) VALUES (gen_random_uuid(), now(), 'http://x/', 'GET', false, 1, 0, NULL)"
	[[ "$stderr" == *'"probe" of relation "wm_results" violates not-null'* ]] || flunk "$stderr"
	[ "$(q scratch "SELECT count(*) FROM wm_results WHERE url = 'http://x/'")" = 0 ]
}

@test "COPY without a column list takes fields in record order" {
	printf '%s\t' 01890a5d-ac96-774b-bcce-b302099a8058 2025-03-10T12:00:00.123456Z \
		https://copy.example/ shop GET true 200 '\N' '\N' 12.345 1.5 2.25 3 4 1.595 \
		1234 '2001:db8::1' 'Welcome' true 'Welcome' 2025-06-01T00:00:00Z probe-1 \
		> "$BATS_TEST_TMPDIR/row"
	printf '{"env": "prod"}\tslow\t2\tTLSv1.3\n' >> "$BATS_TEST_TMPDIR/row"
	pq -d scratch -c '\copy wm_results from pstdin' < "$BATS_TEST_TMPDIR/row"
	run q scratch "SELECT ts, ok, status, time_ms, transfer_ms, ip, cert_expiry,
	                    probe, tags->>'env', degraded, http_version, tls_version
	             FROM wm_results WHERE url = 'https://copy.example/'"
	[ "$output" = "2025-03-10 12:00:00.123456+00|t|200|12.345|1.595|2001:db8::1|2025-06-01 00:00:00+00|probe-1|prod|slow|2|TLSv1.3" ] ||
		flunk "$output"
}

@test "wm_uptime_hourly: an hour of failures, percentiles of successes" {
	# percentile_cont over 10, 20, ... 120 ms: p50 65, p95 114.5, p99
	# 118.9; the histograms are within 5%, in 0.1 ms; max and avg exact
	both "SELECT to_char(hour AT TIME ZONE 'UTC', 'HH24'), checks, ups,
	             uptime_pct, abs(p50_ms / 65 - 1) < 0.05,
	             abs(p95_ms / 114.5 - 1) < 0.05, abs(p99_ms / 118.9 - 1) < 0.05,
	             max_ms, avg_ms, p50_ms = round(p50_ms::numeric, 1)
	      FROM wm_uptime_hourly WHERE url = 'https://uptime.example/'
	      ORDER BY hour" "00|12|12|100.000|t|t|t|120|65|t
01|12|12|100.000|t|t|t|120|65|t
02|12|0|0.000||||||
03|12|12|100.000|t|t|t|120|65|t"
}

@test "wm_uptime_daily: up 3 of 4 hours is 75%, failures not in latency" {
	both "SELECT day = '$T0', checks, ups, uptime_pct, max_ms, avg_ms
	      FROM wm_uptime_daily WHERE url = 'https://uptime.example/'" \
		"t|48|36|75.000|120|65"
	# truncated, never rounded up to 100: 1 failure in 3 = 66.666
	both "SELECT uptime_pct FROM wm_uptime_daily
	      WHERE url = 'https://cert.example/'" "66.666"
}

@test "wm_uptime(): a time range, another bucket size and time zone" {
	both "SELECT count(*), sum(checks), min(uptime_pct)
	      FROM wm_uptime('hour', '$T0'::timestamptz + interval '1 hour',
	                     '$T0'::timestamptz + interval '3 hours')
	      WHERE url = 'https://uptime.example/'" "2|24|0.000"
	both "SELECT to_char(bucket AT TIME ZONE 'UTC', 'HH24:MI'), checks
	      FROM wm_uptime('day', '$T0', 'infinity', 'Asia/Kolkata')
	      WHERE url = 'https://uptime.example/' ORDER BY bucket" "18:30|48"
}

@test "wm_status: last result and since when up or down" {
	both "SELECT url, probe, ok, error,
	             (extract(epoch FROM since - '$T0') / 60)::int, fails_in_row, state
	      FROM wm_status WHERE url LIKE '%status%' OR url LIKE '%down%'
	                        OR url LIKE '%uptime%' OR url LIKE '%flap%'
	                        OR url LIKE '%shaky%' OR url LIKE '%recovering%'
	      ORDER BY url" "http://flap.example/|p1|f|timeout|28|2|up
https://down.example/|p1|f|dns|5|6|down
https://recovering.example/|p1|t||5|0|down
https://shaky.example/|p1|f|timeout|7|1|down
https://status.example/|p1|t||15|0|up
https://uptime.example/|p1|t||180|0|up"
}

@test "wm_status: a site with one result is in that state since then" {
	both "SELECT since = ts, state FROM wm_status
	      WHERE url = 'https://expired.example/'" "t|up"
}

@test "wm_site_status: down from 2 of 3 probes" {
	both "SELECT probes, probes_down, probes_state_down, down_probes
	      FROM wm_site_status WHERE url = 'https://multi.example/'" \
		"3|2|1|{ams,nyc}"
	both "SELECT url FROM wm_site_status WHERE probes_down >= 2" \
		"https://multi.example/"
	both "SELECT probes, probes_down, down_probes FROM wm_site_status
	      WHERE url = 'https://status.example/'" "1|0|{}"
}

@test "wm_cert_expiry: latest known certificate, whole days left, https only" {
	both "SELECT url, (extract(epoch FROM checked - '$T0') / 60)::int, days_left
	      FROM wm_cert_expiry ORDER BY url" "https://cert.example/|1|10
https://expired.example/|0|-1"
}

@test "wm_incidents: 5 failures in a row make one incident with its bounds" {
	both "SELECT (extract(epoch FROM started - '$T0') / 60)::int,
	             (extract(epoch FROM detected - '$T0') / 60)::int,
	             (extract(epoch FROM ended - '$T0') / 60)::int,
	             (extract(epoch FROM recovered - '$T0') / 60)::int,
	             duration, checks, failures, first_error, last_error,
	             last_detail
	      FROM wm_incidents WHERE url = 'https://status.example/'" \
		"10|12|15|16|00:05:00|5|5|connect|timeout|timed out"
}

@test "wm_incidents: a flapping site never reaches the failure threshold" {
	both "SELECT count(*) FROM wm_incidents WHERE url = 'http://flap.example/'" 0
	both "SELECT count(*) FROM wm_incidents(3, 2, '-infinity')
	      WHERE url = 'http://flap.example/'" 0
}

@test "wm_incidents: thresholds are configurable" {
	# every failure run pages with N=1, M=1: oxx repeated 10 times
	both "SELECT count(*), sum(failures), count(*) FILTER (WHERE ended IS NULL)
	      FROM wm_incidents(1, 1) WHERE url = 'http://flap.example/'" "10|20|1"
	# N=2: down at the first xx; single successes never reach M=2
	both "SELECT (extract(epoch FROM started - '$T0') / 60)::int, ended IS NULL,
	             checks, failures
	      FROM wm_incidents(2, 2) WHERE url = 'http://flap.example/'" "1|t|29|20"
	# the status site: 5 failures do not reach N=6
	both "SELECT count(*) FROM wm_incidents(6) WHERE url = 'https://status.example/'" 0
	# a higher success threshold ends it later
	both "SELECT (extract(epoch FROM ended - '$T0') / 60)::int,
	             (extract(epoch FROM recovered - '$T0') / 60)::int
	      FROM wm_incidents(3, 5) WHERE url = 'https://status.example/'" "15|19"
	both "SELECT count(*) FROM wm_incidents(3, 6) WHERE url = 'https://status.example/'
	      AND ended IS NULL" 1
}

@test "wm_incidents: ongoing incidents have no end" {
	both "SELECT url, probe, (extract(epoch FROM started - '$T0') / 60)::int,
	             ended IS NULL, recovered IS NULL, checks, failures, last_error
	      FROM wm_incidents WHERE ended IS NULL ORDER BY url, probe" \
		"https://down.example/|p1|5|t|t|6|6|dns
https://multi.example/|nyc|1|t|t|3|3|timeout
https://recovering.example/|p1|2|t|t|4|3|timeout
https://shaky.example/|p1|2|t|t|6|5|timeout"
	both "SELECT bool_and(duration > interval '1 day') FROM wm_incidents
	      WHERE ended IS NULL" t
}

@test "wm_incidents: since reads only later results, one site on request" {
	# from minute 12 on, 3 failures are left: still an incident; from 13, 2
	both "SELECT (extract(epoch FROM started - '$T0') / 60)::int
	      FROM wm_incidents(3, 2, '$T0'::timestamptz + interval '12 minutes')
	      WHERE url = 'https://status.example/'" 12
	both "SELECT count(*) FROM wm_incidents(3, 2, '$T0'::timestamptz
	                                       + interval '13 minutes')
	      WHERE url = 'https://status.example/'" 0
	both "SELECT string_agg(DISTINCT url, ',') FROM wm_incidents(3, 2,
	             now() - interval '7 days', 'https://down.example/')" \
		"https://down.example/"
	both "SELECT count(*) FROM wm_incidents(3, 2, now())" 0
}

@test "partitioning.sql: monthly partitions, applies twice, refuses a plain table" {
	local cur
	cur=$(q part "SELECT to_char(now(), 'YYYY_MM')")
	run q part "SELECT count(*) FILTER (WHERE c.relname = 'wm_results_p$cur'),
	                   count(*) FILTER (WHERE c.relname = 'wm_results_default'),
	                   count(*) >= 10
	            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	            WHERE i.inhparent = 'wm_results'::regclass"
	[ "$output" = "1|1|t" ] || flunk "$output"
	run q part "SELECT partition_interval, retention, retention_keep_table
	            FROM partman.part_config WHERE parent_table = 'public.wm_results'"
	[ "$output" = "1 mon|35 days|f" ] || flunk "$output"
	run --separate-stderr pq -d part -f "$ROOT/sql/partitioning.sql"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || flunk "$stderr"
	[ "$(q part "SELECT count(*) FROM partman.part_config")" = 1 ]
	run --separate-stderr pq -d plain -f "$ROOT/sql/partitioning.sql"
	[ "$status" -ne 0 ] || flunk "partitioning.sql accepted a plain table"
	[[ "$stderr" == *"wm_results exists and is not partitioned"* ]] || flunk "$stderr"
	[ "$(q plain "SELECT relkind FROM pg_class WHERE relname = 'wm_results'")" = r ]
}

@test "partitioning.sql: rows land in their month's partition" {
	local ins="INSERT INTO wm_results (id, ts, url, method, ok, time_ms, bytes, probe)
	           VALUES (gen_random_uuid(), %s, 'http://route.example/', 'GET',
	                   true, 1, 0, 'p1')"
	q part "$(printf "$ins" "now()")"
	q part "$(printf "$ins" "date_trunc('month', now()) + interval '2 months 3 days'")"
	q part "$(printf "$ins" "'1999-01-01Z'")"
	run q part "SELECT tableoid::regclass, to_char(ts, 'YYYY_MM') FROM wm_results
	            WHERE url = 'http://route.example/' ORDER BY ts"
	local m0 m2
	m0=$(q part "SELECT to_char(now(), 'YYYY_MM')")
	m2=$(q part "SELECT to_char(now() + interval '2 months', 'YYYY_MM')")
	[ "$output" = "wm_results_default|1999_01
wm_results_p$m0|$m0
wm_results_p$m2|$m2" ] || flunk "$output"
	# the hand-made data of yesterday is in a monthly partition too
	run q part "SELECT DISTINCT tableoid::regclass FROM wm_results
	            WHERE url = 'https://status.example/'"
	[ "$output" = "wm_results_p$(q part "SELECT to_char(timestamptz '$T0', 'YYYY_MM')")" ] ||
		flunk "$output"
	q part "DELETE FROM wm_results WHERE url = 'http://route.example/'"
}

@test "partitioning.sql: maintenance drops months older than the retention" {
	local old kept
	# raw rows are kept 35 days: the month 3 months ago goes, the month
	# of 20 days ago stays
	q part "SELECT partman.create_partition_time('public.wm_results',
	        ARRAY[now() - interval '3 months', now() - interval '20 days'])" >/dev/null
	old=wm_results_p$(q part "SELECT to_char(now() - interval '3 months', 'YYYY_MM')")
	kept=wm_results_p$(q part "SELECT to_char(now() - interval '20 days', 'YYYY_MM')")
	q part "INSERT INTO wm_results (id, ts, url, method, ok, time_ms, bytes, probe)
	        SELECT gen_random_uuid(), now() - m,
	               'http://old.example/', 'GET', true, 1, 0, 'p1'
	        FROM unnest(ARRAY[interval '3 months', interval '20 days']) m"
	run q part "SELECT tableoid::regclass FROM wm_results
	            WHERE url = 'http://old.example/' ORDER BY ts"
	[ "$output" = "$old
$kept" ] || flunk "$output"
	q part "SELECT partman.run_maintenance('public.wm_results')" >/dev/null
	[ -z "$(q part "SELECT to_regclass('$old')")" ] || flunk "$old still exists"
	[ "$(q part "SELECT to_regclass('$kept')")" = "$kept" ] || flunk "$kept dropped"
	run q part "SELECT count(*) FROM wm_results WHERE url = 'http://old.example/'"
	[ "$output" = 1 ] || flunk "$output"
	q part "DELETE FROM wm_results WHERE url = 'http://old.example/'"
}

@test "examples/queries.sql runs on both tables" {
	local db
	for db in plain part; do
		run --separate-stderr psql -X -q -v ON_ERROR_STOP=1 -d $db \
			-f "$ROOT/examples/queries.sql"
		[ "$status" -eq 0 ] || flunk "$db: $stderr"
		[[ "$output" == *"https://multi.example/ | 2 of 3    | {ams,nyc}"* ]] ||
			flunk "$db: $output"
	done
}

@test "replays are skipped: ON CONFLICT (id) plain, (id, ts) partitioned" {
	local db key sql
	for db in plain part; do
		key=id
		[ $db = part ] && key="id, ts"
		sql="INSERT INTO wm_results (id, ts, url, method, ok, time_ms, bytes, probe)
		     VALUES ('01890a5d-ac96-774b-bcce-b302099a8059', '$T0',
		             'http://replay.example/', 'GET', true, 1, 0, 'p1')
		     ON CONFLICT ($key) DO NOTHING"
		q $db "$sql"
		q $db "$sql"
		[ "$(q $db "SELECT count(*) FROM wm_results
		            WHERE url = 'http://replay.example/'")" = 1 ] || flunk "$db"
		q $db "DELETE FROM wm_results WHERE url = 'http://replay.example/'"
	done
}
