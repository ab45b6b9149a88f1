#!/bin/bash
# Load the same result records into a wm_results-like table with wm-pg-copy
# (NDJSON, with and without --key), psql \copy (the same rows as CSV: the
# text COPY ceiling) and a psycopg2 execute_values loader, alternating, each
# into a freshly truncated table, on a throwaway cluster. Prints rows/s,
# ratios and the peak RSS of wm-pg-copy at -n 10000.
#   N=100000 ROUNDS=1 bench/pg.sh      a quick run
set -eu
N=${N:-1000000}
ROUNDS=${ROUNDS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGCOPY=${PGCOPY:-$ROOT/wm-pg-copy}
# Debian's python3-psycopg2 lives with the system interpreter.
PYTHON=${PYTHON:-/usr/bin/python3}
. "$ROOT/tests/helpers/pg.bash"

tmp=$(mktemp -d)
cleanup() { pg_stop; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
pg_start

echo "generating $N records..." >&2
python3 "$ROOT/bench/genresults.py" "$N" "$tmp/in.csv" >"$tmp/in.ndjson"
echo "$(($(wc -c <"$tmp/in.ndjson") / N)) bytes per NDJSON record" >&2

pq <<'SQL'
CREATE TABLE wm_results (
	id uuid PRIMARY KEY, ts timestamptz NOT NULL, url text NOT NULL, name text,
	method text NOT NULL, ok boolean NOT NULL, status smallint, error text,
	detail text, time_ms double precision NOT NULL, dns_ms double precision,
	connect_ms double precision, tls_ms double precision, wait_ms double precision,
	transfer_ms double precision, bytes bigint NOT NULL, ip inet, regex text,
	match boolean, matched text, cert_expiry timestamptz, probe text NOT NULL,
	tags jsonb);
SQL

run_one() {
	case $1 in
	wm-pg-copy) /usr/bin/time -f %M -o "$tmp/rss" "$PGCOPY" -t wm_results -n 10000 <"$tmp/in.ndjson" ;;
	wm-pg-copy--key) "$PGCOPY" -t wm_results -n 10000 --key id <"$tmp/in.ndjson" ;;
	psql-copy) pq -c "\\copy wm_results from '$tmp/in.csv' csv" ;;
	python) "$PYTHON" "$ROOT/bench/pg_execute_values.py" wm_results <"$tmp/in.ndjson" ;;
	esac
}

declare -A best
loaders="wm-pg-copy psql-copy wm-pg-copy--key python"
for round in $(seq 1 "$ROUNDS"); do
	for l in $loaders; do
		pq -c "TRUNCATE wm_results" -c "CHECKPOINT"
		t0=$(date +%s.%N)
		run_one "$l"
		t1=$(date +%s.%N)
		got=$(pq -c "SELECT count(*) FROM wm_results")
		[ "$got" = "$N" ] || { echo "$l stored $got of $N rows" >&2; exit 1; }
		rate=$(echo "$N / ($t1 - $t0)" | bc -l)
		printf 'round %d  %-16s %10.0f rows/s\n' "$round" "$l" "$rate"
		if [ -z "${best[$l]:-}" ] || [ "$(echo "$rate > ${best[$l]}" | bc -l)" = 1 ]; then
			best[$l]=$rate
		fi
	done
done
echo
echo "best of $ROUNDS, $N records:"
for l in $loaders; do
	printf '  %-16s %10.0f rows/s\n' "$l" "${best[$l]}"
done
printf 'wm-pg-copy / psql \\copy          %.2f  (target >= 0.9)\n' "$(echo "${best[wm-pg-copy]} / ${best[psql-copy]}" | bc -l)"
printf 'wm-pg-copy --key / psql \\copy    %.2f  (target >= 0.6)\n' "$(echo "${best[wm-pg-copy--key]} / ${best[psql-copy]}" | bc -l)"
printf 'wm-pg-copy / python              %.2f  (target >= 3)\n' "$(echo "${best[wm-pg-copy]} / ${best[python]}" | bc -l)"
printf 'wm-pg-copy peak RSS at -n 10000  %d KiB  (target <= 32768)\n' "$(tail -n 1 "$tmp/rss")"
echo "RESULT name=pg_copy ours=$(printf %.0f "${best[wm-pg-copy]}") peer=$(printf %.0f "${best[psql-copy]}") unit=rows/s target=ratio>=0.9 note=peer=psql-copy,N=$N"
echo "RESULT name=pg_copy_key ours=$(printf %.0f "${best[wm-pg-copy--key]}") peer=$(printf %.0f "${best[psql-copy]}") unit=rows/s target=ratio>=0.6 note=peer=psql-copy,N=$N"
echo "RESULT name=pg_vs_python ours=$(printf %.0f "${best[wm-pg-copy]}") peer=$(printf %.0f "${best[python]}") unit=rows/s target=ratio>=3 note=peer=psycopg2,N=$N"
echo "RESULT name=pg_copy_rss ours=$(tail -n 1 "$tmp/rss") peer=- unit=KiB target=ours<=32768 note=-n-10000"
