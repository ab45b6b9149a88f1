# End-to-end pipeline helpers for tests/e2e.bats:
#
#   wm-kafka-pub | topic (3 partitions) | wm-kafka-sub -G --ack FIFO | wm-pg-copy --key id --ack FIFO
#
# Every program is started on its own (the pipes between them are named
# FIFOs) so that a test knows each one's pid and can kill -9 exactly one.
#
#   e2e_setup_file        records (E2E_RECORDS, E2E_N lines) and their sorted ids
#                         (E2E_IDS); a PostgreSQL cluster with sql/schema.sql
#   e2e_setup NAME        per test: a mock Kafka cluster with topic NAME (3
#                         partitions), table NAME like wm_results, group NAME,
#                         work dir E2E_W with the ack FIFO
#   sink_start            start wm-kafka-sub | wm-pg-copy: SUB_PID COPY_PID,
#                         logs $E2E_W/sub.K.log copy.K.log (K = SINK_RUN);
#                         the ack FIFO is $E2E_W/ack, or ack.K with
#                         E2E_ACK_PER_RUN=1 (several sinks at once)
#   sink_wait_assigned    wait until this run's wm-kafka-sub has its partitions
#   pub_start [PACE]      feed the records to wm-kafka-pub (PUB_PID, FEED_PID),
#                         paced "LINES SECONDS" per chunk or all at once
#   rows                  rows in the table now
#   wait_rows N [SECS]    wait until the table holds at least N rows
#   wait_exit PID [SECS]  wait until PID has exited; its status in EXIT_STATUS
#   sink_stop             SIGTERM wm-kafka-sub as systemd would; both must exit 0
#   assert_all_stored     count = distinct = E2E_N, ids equal the input's, no rejects
#   e2e_teardown          kill -9 whatever is left, stop Kafka
#   e2e_teardown_file     stop PostgreSQL (and the real broker)
#   kafka_outage SECS     the broker is away for SECS: the mock's "down 1", or
#                         kill -9 of the real broker and a restart
#
# Kafka is E2E_KAFKA: "mock" (librdkafka's mock cluster, one per test) or
# "broker" (Apache Kafka, tests/kafka/broker.sh, one per file). A test file
# whose name ends in -broker.bats runs on the real broker: tests/e2e-broker.bats
# is a link to tests/e2e.bats, so the same tests run on both.

E2E_N=${E2E_N:-50000}
E2E_FIX="$FIXTURES/e2e"
# wm-pg-copy batch settings: small enough that a stream takes many batches
# (a fault lands mid-stream), large enough to keep the file fast.
E2E_COPY_ARGS=(-n 1000 -T 200)
# zstd: the mock cluster keeps only about 5 MB per partition and silently drops
# older messages beyond that; compressed, 50,000 records (23 MB) fit with room
# for a full replay.
E2E_PUB_ARGS=(-z zstd)

case ${BATS_TEST_FILENAME##*/} in
*-broker.bats) E2E_KAFKA=broker ;;
*) E2E_KAFKA=${E2E_KAFKA:-mock} ;;
esac
if [ "$E2E_KAFKA" = broker ]; then
	# shellcheck source=broker.bash
	source "$TESTS_DIR/helpers/broker.bash"
	# A broker killed mid-stream: acks=all and idempotence let the publisher
	# retry without losing or doubling a record.
	E2E_PUB_ARGS+=(-X acks=all -X enable.idempotence=true)
fi

e2e_setup_file() {
	E2E_RECORDS="$BATS_FILE_TMPDIR/records.ndjson"
	E2E_IDS="$BATS_FILE_TMPDIR/ids.sorted"
	export E2E_RECORDS E2E_IDS
	"$E2E_FIX/gen-results" "$E2E_N" >"$E2E_RECORDS" || return 1
	jq -r .id "$E2E_RECORDS" | LC_ALL=C sort >"$E2E_IDS" || return 1
	[ "$(LC_ALL=C sort -u "$E2E_IDS" | wc -l)" -eq "$E2E_N" ] ||
		{ echo "generated ids are not unique" >&2; return 1; }
	pg_start || return 1
	pq -f "$ROOT/sql/schema.sql" >/dev/null || return 1
	if [ "$E2E_KAFKA" = broker ]; then
		broker_start || return 1
		echo "# Apache Kafka $BROKER_VERSION started in $BROKER_START_MS ms" >&3
	fi
	# pg.bash runs the server with synchronous_commit=off, with which a crash
	# (pg_down immediate) may lose transactions already committed and
	# acknowledged. The delivery guarantee assumes a durable commit, so ask for
	# one in this database (a setting the command line cannot override here).
	pq -c 'ALTER DATABASE postgres SET synchronous_commit = on'
}

e2e_setup() {
	E2E_NAME=$1
	E2E_W="$BATS_TEST_TMPDIR"
	E2E_PIDS=()
	SINK_RUN=0
	if [ "$E2E_KAFKA" = broker ]; then
		export KAFKA_BROKERS=$BROKER_PLAIN
		broker_topic "$E2E_NAME" || return 1
	else
		kafka_start 1 "$E2E_NAME:3" || return 1
	fi
	pq -c "CREATE TABLE $E2E_NAME (LIKE wm_results INCLUDING ALL)" || return 1
	mkfifo "$E2E_W/ack"
}

sink_start() {
	SINK_RUN=$((SINK_RUN + 1))
	local k=$SINK_RUN ack=$E2E_W/ack
	mkfifo "$E2E_W/data.$k"
	if [ -n "${E2E_ACK_PER_RUN:-}" ]; then
		ack=$E2E_W/ack.$k
		mkfifo "$ack"
	fi
	# shellcheck disable=SC2086 # KAFKA_GROUP_X is several words
	wm-kafka-sub -v -b "$KAFKA_BROKERS" -t "$E2E_NAME" -G "$E2E_NAME" $KAFKA_GROUP_X \
		--ack "$ack" </dev/null >"$E2E_W/data.$k" 2>"$E2E_W/sub.$k.log" 3>&- &
	SUB_PID=$!
	wm-pg-copy -t "$E2E_NAME" --key id --ack "$ack" "${E2E_COPY_ARGS[@]}" \
		--reject "$E2E_W/rejects.$k" <"$E2E_W/data.$k" >/dev/null 2>"$E2E_W/copy.$k.log" 3>&- &
	COPY_PID=$!
	E2E_PIDS+=("$SUB_PID" "$COPY_PID")
}

_sub_assigned() {
	grep -q 'assigned [1-9]' "$E2E_W/sub.$SINK_RUN.log" && return 0
	kill -0 "$SUB_PID" 2>/dev/null || { echo "wm-kafka-sub exited" >&2; exit 1; }
	return 1
}

sink_wait_assigned() {
	( wait_until "${1:-60}" _sub_assigned ) || { e2e_logs; return 1; }
}

pub_start() {
	local pace=${1:-}
	rm -f "$E2E_W/feed"
	mkfifo "$E2E_W/feed"
	if [ -n "$pace" ]; then
		# shellcheck disable=SC2086 # "LINES SECONDS"
		"$E2E_FIX/pace" $pace "$E2E_RECORDS" >"$E2E_W/feed" 2>/dev/null 3>&- &
	else
		cat "$E2E_RECORDS" >"$E2E_W/feed" 3>&- &
	fi
	FEED_PID=$!
	wm-kafka-pub -v -b "$KAFKA_BROKERS" -t "$E2E_NAME" "${E2E_PUB_ARGS[@]}" \
		--failed "$E2E_W/failed" <"$E2E_W/feed" >/dev/null 2>>"$E2E_W/pub.log" 3>&- &
	PUB_PID=$!
	E2E_PIDS+=("$FEED_PID" "$PUB_PID")
}

rows() {
	pq -c "SELECT count(*) FROM $E2E_NAME" 2>/dev/null
}

_rows_ge() {
	local n
	n=$(rows) || return 1
	[ "${n:-0}" -ge "$1" ]
}

wait_rows() {
	wait_until "${2:-120}" _rows_ge "$1" || { e2e_logs; return 1; }
}

_gone() {
	! kill -0 "$1" 2>/dev/null
}

# The exit status of a background child (after it has exited).
wait_exit() {
	wait_until "${2:-60}" _gone "$1" || { echo "process $1 did not exit" >&2; e2e_logs; return 1; }
	EXIT_STATUS=0
	wait "$1" 2>/dev/null || EXIT_STATUS=$?
}

sink_stop() {
	kill -TERM "$SUB_PID"
	wait_exit "$SUB_PID" || return 1
	[ "$EXIT_STATUS" -eq 0 ] || { echo "wm-kafka-sub exited $EXIT_STATUS on SIGTERM" >&2; e2e_logs; return 1; }
	wait_exit "$COPY_PID" || return 1
	[ "$EXIT_STATUS" -eq 0 ] || { echo "wm-pg-copy exited $EXIT_STATUS at end of input" >&2; e2e_logs; return 1; }
}

assert_all_stored() {
	local got counts
	counts=$(pq -F ' ' -c "SELECT count(*), count(DISTINCT id) FROM $E2E_NAME") || return 1
	[ "$counts" = "$E2E_N $E2E_N" ] ||
		{ echo "count(*) count(DISTINCT id) = $counts, expected $E2E_N $E2E_N" >&2; e2e_logs; return 1; }
	got="$E2E_W/ids.stored"
	pq -c "\\copy (SELECT id FROM $E2E_NAME) TO '$got.unsorted'" || return 1
	LC_ALL=C sort "$got.unsorted" >"$got"
	if ! cmp -s "$E2E_IDS" "$got"; then
		echo "ids in PostgreSQL differ from the ids produced:" >&2
		echo "  lost: $(LC_ALL=C comm -23 "$E2E_IDS" "$got" | wc -l)" \
			"unexpected: $(LC_ALL=C comm -13 "$E2E_IDS" "$got" | wc -l)" >&2
		return 1
	fi
	# A row the database refused would be "durable" in the reject file, not
	# stored: there must be none.
	local f
	for f in "$E2E_W"/rejects.*; do
		[ -e "$f" ] || continue
		[ ! -s "$f" ] || { echo "rejected lines in $f:" >&2; head -3 "$f" >&2; return 1; }
	done
}

# The topic holds every record exactly once: no publisher retry doubled one
# (an idempotent producer on the real broker).
assert_topic_once() {
	local out="$E2E_W/topic.ids" n u
	kcat -C -b "$KAFKA_BROKERS" -t "$E2E_NAME" -e -q | jq -r .id >"$out" || return 1
	n=$(wc -l <"$out")
	u=$(LC_ALL=C sort -u "$out" | wc -l)
	[ "$n" -eq "$E2E_N" ] && [ "$u" -eq "$E2E_N" ] ||
		{ echo "topic holds $n messages, $u distinct ids; expected $E2E_N" >&2; return 1; }
}

# Every log of this test on stderr (shown by bats when the test fails).
e2e_logs() {
	local f
	for f in "$E2E_W"/*.log; do
		[ -e "$f" ] || continue
		echo "--- ${f##*/}" >&2
		tail -n 15 "$f" >&2
	done
}

e2e_teardown() {
	local p
	for p in "${E2E_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null || true
	done
	for p in "${E2E_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	E2E_PIDS=()
	kafka_stop
}

e2e_teardown_file() {
	pg_stop
	[ "$E2E_KAFKA" != broker ] || broker_stop
}

kafka_outage() {
	if [ "$E2E_KAFKA" = broker ]; then
		broker_kill9
		sleep "$1"
		broker_restart || return 1
		echo "# the broker restarted in $BROKER_START_MS ms" >&3
	else
		kafka_ctl "down 1" || return 1
		sleep "$1"
		kafka_ctl "up 1"
	fi
}

# The group has committed the end of every partition: a new member of it
# reads nothing.
assert_group_done() {
	local out="$E2E_W/leftover"
	# shellcheck disable=SC2086
	timeout 60 wm-kafka-sub -q -b "$KAFKA_BROKERS" -t "$E2E_NAME" -G "$E2E_NAME" \
		$KAFKA_GROUP_X -e </dev/null >"$out" 2>"$E2E_W/leftover.log" 3>&- ||
		{ cat "$E2E_W/leftover.log" >&2; return 1; }
	[ ! -s "$out" ] || { echo "$(wc -l <"$out") messages not committed by the group" >&2; return 1; }
}
