#!/bin/bash
# wm-page on N sites (default 1,000) with 90 days of daily rollups, 8 days
# of hourly rollups, the latest table and 2 hours of raw results (2% failed)
# on a throwaway cluster: the wall time of one run (best of ROUNDS) and the
# bytes of index.html. Targets: 1,000 sites <= 5 s and index.html <= 1 MB;
# 10,000 sites <= 30 s.
#   bench/page.sh                 1,000 sites
#   N=10000 bench/page.sh         10,000 sites
# The raw results go in through sql/rollups.sql's triggers (which keep
# wm_latest and the rollups of those two hours); older rollups are made here
# with generate_series, in the same format.
set -eu
N=${N:-1000}
ROUNDS=${ROUNDS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PAGE=${PAGE:-$ROOT/wm-page}
. "$ROOT/tests/helpers/pg.bash"

tmp=$(mktemp -d)
# KEEP=FILE leaves the cluster running and writes its PG* variables to
# FILE; SLOWLOG=FILE keeps the server's statement times (run with
# PGOPTIONS="-c log_min_duration_statement=0").
cleanup() {
	if [ -n "${KEEP:-}" ]; then
		echo "export PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER PG_DIR=$PG_DIR PG_BINDIR=$PG_BINDIR" >"$KEEP"
		return
	fi
	[ -z "${SLOWLOG:-}" ] || grep -h "duration:" "$PG_DIR/server.log" >"$SLOWLOG"
	pg_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pg_start
pq -f "$ROOT/sql/schema.sql" -f "$ROOT/sql/views.sql" >/dev/null
[ ! -f "$ROOT/sql/events.sql" ] || pq -f "$ROOT/sql/events.sql" >/dev/null

echo "making $N sites: raw results, latest, rollups..." >&2
t0=$(date +%s.%N)
pq -v n="$N" <<'SQL'
CREATE TEMP TABLE s AS
SELECT i, 'https://site' || i || '.example.com/health' AS url,
       'Site ' || i AS name, 30 + (i * 37) % 270 AS median,
       jsonb_build_object('team', 'team' || (i % 12)) AS tags
FROM generate_series(1, :n) i;
-- Two hours of raw results, one a minute, 2% failed.
INSERT INTO wm_results (id, ts, url, name, method, ok, status, error, detail,
	time_ms, bytes, probe, tags, cert_expiry)
SELECT gen_random_uuid(), date_trunc('minute', now()) - m * interval '1 minute',
       s.url, s.name, 'GET', NOT f, CASE WHEN f THEN 503 ELSE 200 END,
       CASE WHEN f THEN 'status' END, CASE WHEN f THEN 'HTTP 503' END,
       s.median * (0.8 + random() * 0.6), 512, 'p1', s.tags,
       now() + (s.i % 200) * interval '1 day'
FROM s CROSS JOIN generate_series(0, 119) m
-- (s.i and m in the subquery: drawn for every row, not once nor memoized)
CROSS JOIN LATERAL (SELECT random() < 0.02 + 0 * s.i + 0 * m AS f) x;
SQL
# Rollups before those two hours: 90 days of daily and 8 days of hourly
# buckets; a bad day now and then. The histogram: six bins around the
# site's median.
for unit in day hour; do
	if [ $unit = day ]; then table=wm_rollup_daily per=1440 span="89"
	else table=wm_rollup_hourly per=60 span="191"; fi
	pq -v n="$N" -v per="$per" -v span="$span" -v unit="$unit" -v table="$table" <<'SQL'
INSERT INTO :table (bucket, url, probe, checks, ups, degraded, fail_dns,
	fail_connect, fail_tls, fail_timeout, fail_status, fail_regex,
	fail_assert, fail_too_large, fail_protocol, fail_other,
	time_sum, time_min, time_max, hist)
SELECT b, s.url, 'p1', :per, :per - f, 0, 0, 0, 0, f, 0, 0, 0, 0, 0, 0,
       (:per - f) * s.median, s.median / 2, s.median * 3,
       ARRAY[ARRAY[k, k + 1, k + 2, k + 3, k + 4, k + 5],
             ARRAY[(:per - f) / 10, (:per - f) / 5, (:per - f) * 3 / 10,
                   (:per - f) / 5, (:per - f) * 3 / 20,
                   (:per - f) - (:per - f) * 95 / 100]]
FROM (SELECT i, 'https://site' || i || '.example.com/health' AS url,
             30 + (i * 37) % 270 AS median FROM generate_series(1, :n) i) s
CROSS JOIN generate_series(date_trunc(:'unit', now() - interval '2 hours', 'UTC')
	- :span * ('1 ' || :'unit')::interval,
	date_trunc(:'unit', now() - interval '2 hours', 'UTC')
	- ('1 ' || :'unit')::interval, ('1 ' || :'unit')::interval) b
CROSS JOIN LATERAL (SELECT CASE WHEN random() < 0.03 + 0 * s.i
	+ 0 * extract(epoch FROM b)
	THEN (random() * :per / 10)::int ELSE 0 END AS f) x
CROSS JOIN LATERAL (SELECT floor(ln(s.median * 0.85) / ln(1.05))::int AS k) y
ON CONFLICT DO NOTHING;
SQL
done
pq -c "VACUUM ANALYZE" >/dev/null
t1=$(date +%s.%N)
printf 'data made in %.1f s: %s daily and %s hourly rollup rows, %s raw results\n' \
	"$(echo "$t1 - $t0" | bc -l)" "$(pq -c 'SELECT count(*) FROM wm_rollup_daily')" \
	"$(pq -c 'SELECT count(*) FROM wm_rollup_hourly')" \
	"$(pq -c 'SELECT count(*) FROM wm_results')" >&2

best=
for r in $(seq 1 "$ROUNDS"); do
	t0=$(date +%s.%N)
	/usr/bin/time -f %M -o "$tmp/rss" "$PAGE" -o "$tmp/www" --group team -v
	t1=$(date +%s.%N)
	s=$(echo "$t1 - $t0" | bc -l)
	printf 'round %d: %.2f s\n' "$r" "$s"
	if [ -z "$best" ] || [ "$(echo "$s < $best" | bc -l)" = 1 ]; then best=$s; fi
done
bytes=$(stat -c %s "$tmp/www/index.html")
files=$(find "$tmp/www" -type f | wc -l)
total=$(du -sb "$tmp/www" | cut -f1)
limit=5; [ "$N" -gt 1000 ] && limit=$((N * 3 / 1000))
printf '%d sites: %.2f s (best of %d, target <= %d s), index.html %d bytes (%d per site), %d files, %d bytes in all, peak RSS %d KiB\n' \
	"$N" "$best" "$ROUNDS" "$limit" "$bytes" "$((bytes / N))" "$files" "$total" "$(tail -n 1 "$tmp/rss")"
echo "RESULT name=page_time ours=$(printf %.2f "$best") peer=- unit=s target=ours<=$limit note=sites=$N"
echo "RESULT name=page_index_bytes ours=$bytes peer=- unit=bytes target=ours<=$((N * 1048576 / 1000)) note=sites=$N"
