#!/bin/bash
# bench/e2e.sh: the whole pipeline with acknowledgements, end to end.
#
#   wm-kafka-pub -> mock Kafka -> wm-kafka-sub --ack FIFO
#                              -> wm-pg-copy --key id --ack FIFO -> PostgreSQL
#
# 1. Throughput: N pre-generated result records (default 200000) are
#    published while the sink runs; results/s is N over the time from the
#    start of wm-kafka-pub until the last row is in PostgreSQL.
# 2. Delay: a paced generator writes RATE records/s (default 1000) for
#    DURATION seconds (30), stamping "ts" with the time of emission, into
#    wm-kafka-pub; with track_commit_timestamp on, each row's delay is
#    pg_xact_commit_timestamp(xmin) - ts: the moment it became visible.
#    Run once per flush timeout in TIMEOUTS (wm-pg-copy -T, default
#    "1000 200") and per consumer fetch wait in FETCH_WAITS (wm-kafka-sub
#    -X fetch.wait.max.ms; "-" is librdkafka's default, 500 ms; default
#    "- 50"); target p99 <= T + 200 ms. The mock cluster answers a fetch
#    that found no data only after the full fetch wait (a real broker
#    answers as soon as data arrives; librdkafka's mock says so in its
#    Fetch handler), so with the default the consumer
#    adds up to 500 ms; the 50 ms runs show the pipeline without that.
#
# Prints human-readable lines and machine-readable ones:
#   RESULT name=... ours=... peer=... unit=... target=...
#
#   N=20000 DURATION=10 bench/e2e.sh      a quick run
#   KAFKA=broker bench/e2e.sh             on Apache Kafka (tests/kafka/broker.sh,
#                                         3 partitions per topic) instead of
#                                         the mock cluster; RESULT names get
#                                         a _broker suffix
set -euo pipefail

N=${N:-200000}
RATE=${RATE:-1000}
DURATION=${DURATION:-30}
TIMEOUTS=${TIMEOUTS:-"1000 200"}
PARTS=${PARTS:-3}
FETCH_WAITS=${FETCH_WAITS:-"- 50"}
KAFKA=${KAFKA:-mock}
ksfx=; [ "$KAFKA" = mock ] || ksfx=_$KAFKA
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$ROOT:$ROOT/tests/fixtures:$PATH"
for p in wm-kafka-pub wm-kafka-sub wm-pg-copy tests/fixtures/wm-mock-kafka; do
	[ -x "$ROOT/$p" ] || { echo "bench/e2e.sh: build $p first (make)" >&2; exit 1; }
done
. "$ROOT/tests/helpers/pg.bash"
. "$ROOT/tests/helpers/kafka.bash"

tmp=$(mktemp -d /tmp/wm-e2e.XXXXXX)
sub_pid= copy_pid= sub_x=
cleanup() {
	stop_sink
	kafka_stop
	[ -z "${BROKER_PID:-}" ] || broker_stop
	pg_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# start_sink NAME TOPIC T: wm-kafka-sub -G NAME --ack | wm-pg-copy -T T --ack
start_sink() {
	local name=$1 topic=$2 t=$3
	mkfifo "$tmp/$name.ack" "$tmp/$name.pipe"
	wm-pg-copy -t wm_results --key id --ack "$tmp/$name.ack" -T "$t" \
		<"$tmp/$name.pipe" 2>"$tmp/$name.copy.log" &
	copy_pid=$!
	wm-kafka-sub -b "$KAFKA_BROKERS" $KAFKA_GROUP_X $sub_x -G "$name" -t "$topic" \
		-o beginning --ack "$tmp/$name.ack" >"$tmp/$name.pipe" 2>"$tmp/$name.sub.log" &
	sub_pid=$!
}

# stop_sink: SIGTERM to wm-kafka-sub (it waits for the last acks and
# commits); wm-pg-copy then sees the end of its input and exits.
stop_sink() {
	if [ -n "$sub_pid" ]; then
		kill -TERM "$sub_pid" 2>/dev/null || true
		wait "$sub_pid" 2>/dev/null || true
	fi
	if [ -n "$copy_pid" ]; then
		wait "$copy_pid" 2>/dev/null || true
	fi
	sub_pid= copy_pid=
}

rows() { pq -c "SELECT count(*) FROM wm_results"; }

# wait_rows COUNT SECS: poll until the table holds COUNT rows; fail when
# the count has not moved for SECS seconds.
wait_rows() {
	local want=$1 limit=$2 t0=$SECONDS n last=-1
	while n=$(rows) && [ "$n" -lt "$want" ]; do
		[ "$n" -eq "$last" ] || { last=$n t0=$SECONDS; }
		[ $((SECONDS - t0)) -lt "$limit" ] || {
			echo "bench/e2e.sh: only $n of $want rows, none for ${limit}s" >&2
			tail -n 5 "$tmp"/*.log >&2
			return 1
		}
		sleep 0.05
	done
}

# A cluster of our own: the helper's settings plus commit timestamps.
pg_start
pq -c "ALTER SYSTEM SET track_commit_timestamp = on"
pg_down
pg_up
pq -f "$ROOT/sql/schema.sql" >/dev/null
# seen: when the row was inserted (clock_timestamp() per row, inside the
# COPY); the commit makes it visible slightly later.
pq -c "ALTER TABLE wm_results ADD COLUMN seen timestamptz DEFAULT clock_timestamp()"
# The mock broker keeps only the last few MB of each partition: spread the
# throughput input so that every partition holds about 1 MiB.
TPUT_PARTS=$(( N * 480 / 1048576 + 1 ))
[ "$TPUT_PARTS" -ge "$PARTS" ] || TPUT_PARTS=$PARTS
topics=("tput:$TPUT_PARTS")
for t in $TIMEOUTS; do
	for fw in $FETCH_WAITS; do topics+=("delay$t${fw#-}:$PARTS"); done
done
if [ "$KAFKA" = broker ]; then
	. "$ROOT/tests/kafka/broker.sh"
	broker_start
	echo "Apache Kafka $BROKER_VERSION started in $BROKER_START_MS ms"
	export KAFKA_BROKERS=$BROKER_PLAIN
	TPUT_PARTS=3 PARTS=3
	# A metadata request creates each topic (the broker's 3 partitions).
	for t in "${topics[@]}"; do
		until kcat -L -b "$KAFKA_BROKERS" -t "${t%%:*}" 2>/dev/null |
			grep -q "with [1-9]"; do sleep 0.2; done
	done
else
	kafka_start 1 "${topics[@]}"
fi

# --- 1. throughput ----------------------------------------------------------
echo "generating $N records..." >&2
python3 "$ROOT/bench/genresults.py" "$N" >"$tmp/in.ndjson"

# Warm up: the consumer joins its group and is assigned partitions before
# the clock starts (the mock cluster takes seconds to settle a group).
start_sink tput tput 1000
head -n 1 "$tmp/in.ndjson" | wm-kafka-pub -q -b "$KAFKA_BROKERS" -t tput
wait_rows 1 60
t0=$(date +%s.%N)
wm-kafka-pub -q -b "$KAFKA_BROKERS" -t tput "$tmp/in.ndjson" 2>"$tmp/tput.pub.log"
t1=$(date +%s.%N)
wait_rows "$N" 30 # the first line again is skipped by --key id
t2=$(date +%s.%N)
stop_sink
got=$(rows)
[ "$got" -eq "$N" ] || { echo "bench/e2e.sh: $got rows, expected $N" >&2; exit 1; }
tput=$(echo "$N $t0 $t2" | awk '{ printf "%.0f", $1 / ($3 - $2) }')
pubrate=$(echo "$N $t0 $t1" | awk '{ printf "%.0f", $1 / ($3 - $2) }')
echo "throughput ($TPUT_PARTS partitions): $N records through pub -> Kafka -> sub --ack -> pg-copy --key id --ack: $tput results/s (wm-kafka-pub alone finished at $pubrate/s)"
echo "RESULT name=e2e_throughput$ksfx ours=$tput peer=- unit=results/s target=- note=N=$N,partitions=$TPUT_PARTS"

# --- 2. delay at a steady rate ----------------------------------------------
# Emits record i at t0 + i/RATE with "ts" = now; writes every record at once
# (no stdio buffering between the generator and wm-kafka-pub).
cat >"$tmp/paced.py" <<'PY'
import json, os, sys, time, uuid
rate, secs = float(sys.argv[1]), float(sys.argv[2])
n = int(rate * secs)
out = sys.stdout.buffer
tail = json.dumps({"name": "paced", "method": "GET", "ok": True, "status": 200,
    "error": None, "detail": None, "time_ms": 12.5, "dns_ms": None, "connect_ms": 0.1, "tls_ms": None,
    "wait_ms": 10.0, "transfer_ms": 2.4, "bytes": 3, "ip": "127.0.0.1", "regex": None, "match": None,
    "matched": None, "cert_expiry": None, "probe": "paced", "tags": None}, separators=(",", ":"))[1:]
t0 = time.time()
i = 0
while i < n:
    now = time.time()
    due = t0 + i / rate
    if due > now:
        time.sleep(due - now)
        now = time.time()
    chunk = []
    # Every record already due goes out now, each stamped with the time.
    while i < n and t0 + i / rate <= now:
        ms = int(now * 1000)
        u = uuid.UUID(int=(ms << 80) | (0x7 << 76) | (int.from_bytes(os.urandom(10), "big") & ((1 << 76) - 1)))
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%06dZ" % int(now % 1 * 1e6)
        chunk.append('{"id":"%s","ts":"%s","url":"http://site%d.test/",%s\n'
                     % (u, ts, i % 1000, tail))
        i += 1
    out.write("".join(chunk).encode())
    out.flush()
PY

delay_run() {
	local t=$1 fw=$2 n name topic suffix=
	[ "$fw" = - ] || suffix=_fw$fw
	name=d$t${fw#-} topic=delay$t${fw#-}
	sub_x=
	[ "$fw" = - ] || sub_x="-X fetch.wait.max.ms=$fw"
	n=$(echo "$RATE $DURATION" | awk '{ printf "%d", $1 * $2 }')
	pq -c "TRUNCATE wm_results"
	start_sink "$name" "$topic" "$t"
	# Warm up as above; the warm-up row is left out of the figures.
	printf '%s\n' "$(head -n 1 "$tmp/in.ndjson")" | wm-kafka-pub -q -b "$KAFKA_BROKERS" -t "$topic"
	wait_rows 1 60
	pq -c "TRUNCATE wm_results"
	python3 "$tmp/paced.py" "$RATE" "$DURATION" |
		wm-kafka-pub -q -b "$KAFKA_BROKERS" -t "$topic" 2>"$tmp/$name.pub.log"
	wait_rows "$n" 30
	stop_sink
	pq -F ' ' -c "
		WITH d AS (
			SELECT extract(epoch FROM pg_xact_commit_timestamp(xmin) - ts) * 1000 AS ms,
			       extract(epoch FROM seen - ts) * 1000 AS ins
			FROM wm_results WHERE probe = 'paced')
		SELECT count(*),
		       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
		       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
		       round(max(ms)::numeric, 1),
		       round(min(ms)::numeric, 1),
		       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ins)::numeric, 1),
		       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ins)::numeric, 1)
		FROM d" >"$tmp/$name.stats"
	read -r cnt p50 p99 max min i50 i99 <"$tmp/$name.stats"
	echo "delay at $RATE results/s for ${DURATION}s, wm-pg-copy -T $t, wm-kafka-sub fetch.wait.max.ms=${fw/-/500 (default)}: rows=$cnt"
	echo "  ts -> commit (visible): p50=${p50} ms p99=${p99} ms max=${max} ms min=${min} ms (target p99 <= $((t + 200)) ms)"
	echo "  ts -> row inserted:     p50=${i50} ms p99=${i99} ms"
	echo "RESULT name=e2e_delay_p99_T$t$suffix$ksfx ours=$p99 peer=- unit=ms target=ours<=$((t + 200)) note=p50=${p50},max=${max},rate=$RATE/s,${DURATION}s"
}

for t in $TIMEOUTS; do
	for fw in $FETCH_WAITS; do delay_run "$t" "$fw"; done
done
