#!/usr/bin/env bash
# webmon demo: the whole pipeline for about 20 seconds, then a per-site summary.
#
#   wm-probe --watch SITES | wm-kafka-pub          (the probe)
#   wm-kafka-sub --ack FIFO | wm-pg-copy --ack FIFO (the sink)
#
# With nothing set it starts an embedded default of everything: a throwaway
# PostgreSQL cluster with sql/ applied, the mock Kafka cluster and the local
# fixture web server that examples/sites.txt points at, and stops them at the
# end. Point it at real parts through the usual variables:
#   KAFKA_BROKERS=host:9092   a real Kafka (add client settings in KAFKA_CONF,
#                             a -F file, for TLS/SASL)
#   PGHOST/PGDATABASE/...     a real PostgreSQL (sql/ is applied; it is
#                             idempotent)
#   WEBMON_SITES=FILE         your own sites instead of the local fixture
#   DEMO_SECONDS=20           how long the pipeline runs
#   WEBMON_KAFKA=broker       Apache Kafka (tests/kafka/broker.sh; needs java
#                             and mvn) instead of the embedded mock cluster
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$ROOT:$ROOT/tests/fixtures:$PATH"
. "$ROOT/tests/helpers/pg.bash"
. "$ROOT/tests/helpers/kafka.bash"
. "$ROOT/tests/helpers/http.bash"

seconds=${DEMO_SECONDS:-20}
topic=${WEBMON_TOPIC:-webmon}
sites=${WEBMON_SITES:-}
work=$(mktemp -d /tmp/webmon-demo.XXXXXX)
pids=()

say() { printf '==> %s\n' "$*" >&2; }

cleanup() {
	local p
	# $! of a pipeline is its last process: stop wm-kafka-sub itself (an idle
	# one never writes, so it would never notice that wm-pg-copy is gone and
	# the wait below would hang).
	pkill -TERM -x -P $$ wm-kafka-sub 2>/dev/null || true
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	# Only these: a bare wait would also wait for the fixture servers and the
	# mock cluster, which are stopped below, and never return.
	# And none at all when an early step failed before any started.
	[ "${#pids[@]}" -eq 0 ] || wait "${pids[@]}" 2>/dev/null || true
	http_stop 2>/dev/null || true
	[ -n "${own_kafka:-}" ] && kafka_stop 2>/dev/null
	[ -n "${own_broker:-}" ] && broker_stop 2>/dev/null
	[ -n "${own_pg:-}" ] && pg_stop 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

probe_args=()
if [ -z "$sites" ]; then
	sites="$ROOT/examples/sites.txt"
	say "starting the fixture web server on 127.0.0.1:18080 and :18443"
	mkdir "$work/http" "$work/https"
	_wm_httpd_run "$work/http" -p 18080 ||
		{ echo "demo: port 18080 is busy; set WEBMON_SITES to probe your own sites" >&2; exit 1; }
	_wm_make_certs "$work/https"
	_wm_httpd_run "$work/https" -p 18443 --cert "$work/https/chain.pem" \
		--key "$work/https/leaf.key" || exit 1
	probe_args+=(--cacert "$work/https/ca.pem")
fi

kafka_args=()
if [ -z "${KAFKA_BROKERS:-}" ] && [ "${WEBMON_KAFKA:-}" = broker ]; then
	say "starting Apache Kafka (topic $topic, 3 partitions)"
	. "$ROOT/tests/kafka/broker.sh"
	broker_start
	export KAFKA_BROKERS=$BROKER_PLAIN
	until kcat -L -b "$KAFKA_BROKERS" -t "$topic" 2>/dev/null | grep -q "with [1-9]"; do
		sleep 0.2
	done
	own_broker=1
elif [ -z "${KAFKA_BROKERS:-}" ]; then
	say "starting the mock Kafka cluster (topic $topic, 3 partitions)"
	kafka_start 1 "$topic:3"
	own_kafka=1
fi
[ -n "${KAFKA_CONF:-}" ] && kafka_args+=(-F "$KAFKA_CONF")

if [ -z "${PGHOST:-}${PGDATABASE:-}${PGSERVICE:-}" ]; then
	say "starting a throwaway PostgreSQL cluster"
	pg_start
	own_pg=1
fi
say "applying sql/schema.sql and sql/views.sql"
psql -X -q -v ON_ERROR_STOP=1 -f "$ROOT/sql/schema.sql" -f "$ROOT/sql/views.sql" >/dev/null
before=$(psql -X -At -c 'SELECT count(*) FROM wm_results')

say "running the pipeline for $seconds s: probe -> Kafka -> sink -> PostgreSQL"
mkfifo "$work/ack"
wm-kafka-sub -b "$KAFKA_BROKERS" "${kafka_args[@]}" -t "$topic" -G webmon-demo \
	-o beginning --ack "$work/ack" 2>"$work/sub.log" |
	wm-pg-copy -t wm_results --key id --ack "$work/ack" -T 500 \
		--reject "$work/rejects.ndjson" 2>"$work/copy.log" &
pids+=($!)
# A FIFO between the probe and the publisher, so that the probe alone can be
# stopped: the publisher then sees end of input and delivers what it read.
mkfifo "$work/results"
wm-probe --watch --interval 2 -i demo "${probe_args[@]}" "$sites" \
	>"$work/results" 2>"$work/probe.log" &
probe_pid=$!
pids+=($probe_pid)
wm-kafka-pub -b "$KAFKA_BROKERS" "${kafka_args[@]}" -t "$topic" \
	<"$work/results" 2>"$work/pub.log" &
pub_pid=$!
pids+=($pub_pid)

for ((i = 0; i < seconds; i++)); do
	sleep 1
	n=$(psql -X -At -c 'SELECT count(*) FROM wm_results')
	printf '\r    %2d s: %d results stored' "$((i + 1))" "$((n - before))" >&2
done
printf '\n' >&2

say "stopping the probe; waiting for the sink to store what is in flight"
kill -TERM "$probe_pid" 2>/dev/null || true
wait "$probe_pid" || true
wait "$pub_pid" || { echo "demo: wm-kafka-pub could not deliver every result:" >&2; cat "$work/pub.log" >&2; }
last=-1
for ((i = 0; i < 50; i++)); do
	n=$(psql -X -At -c 'SELECT count(*) FROM wm_results')
	[ "$n" -eq "$last" ] && break
	last=$n
	sleep 0.5
done

say "summary (sql/views.sql: wm_status, wm_uptime, wm_cert_expiry)"
psql -X -q -P pager=off -P footer=off -c "
SELECT coalesce(s.name, s.url) AS site,
       s.state,
       to_char(now() - s.since, 'MI:SS') AS for,
       u.checks, u.uptime_pct AS \"uptime %\",
       round(u.p95_ms::numeric, 1) AS \"p95 ms\",
       c.days_left AS \"cert days\",
       coalesce(s.error || ': ' || left(s.detail, 40), '') AS \"last error\"
FROM wm_status s
LEFT JOIN LATERAL (
    SELECT sum(checks) AS checks,
           round(100.0 * sum(ups) / nullif(sum(checks), 0), 1) AS uptime_pct,
           max(p95_ms) AS p95_ms
    FROM wm_uptime('hour', now() - interval '1 hour', now() + interval '1 hour') x
    WHERE x.url = s.url AND x.probe = s.probe) u ON true
LEFT JOIN wm_cert_expiry c ON c.url = s.url AND c.probe = s.probe
ORDER BY s.state DESC, site"

# Alerts from the same rows: wm-state folds them into state changes,
# wm-notify posts each to a webhook (a fixture server recording posts).
say "alerts: wm-state --fail 2 --success 2 | wm-notify into a test webhook; it received:"
mkdir "$work/hook"
if _wm_httpd_run "$work/hook"; then
	hook="http://127.0.0.1:$_WM_PORT/hook/demo"
	psql -X -At -c "SELECT row_to_json(r) FROM (SELECT * FROM wm_results
		ORDER BY ts, id) r" |
		wm-state --fail 2 --success 2 2>"$work/state.log" |
		wm-notify --webhook "$hook" --template "$ROOT/examples/notify/generic.json" \
			2>"$work/notify.log" ||
		{ echo "demo: wm-notify failed:" >&2; cat "$work/notify.log" >&2; }
	curl -s "${hook%/hook/demo}/hooks/demo" | jq -r '.body | fromjson | "  " + .text'
	[ -n "$(curl -s "${hook%/hook/demo}/hooks/demo")" ] || echo "  (no state change)"
fi
if [ -s "$work/rejects.ndjson" ]; then
	say "rejected lines:"; cat "$work/rejects.ndjson" >&2
fi

# The static status page (wm-page) from the same database, kept after the
# demo ends so that a browser can open it; WEBMON_PAGE_DIR=DIR puts it there.
page=${WEBMON_PAGE_DIR:-/tmp/webmon-demo-page}
say "writing the status page (wm-page) into $page"
if wm-page -o "$page" --title "webmon demo" --group team; then
	echo "status page: $page/index.html"
else
	say "wm-page could not write the page (see above)"
fi
