# A Kafka outage as wm-kafka-pub and wm-kafka-sub tell it (lib/kafka/koutage.c),
# for tests/kafka-outage.bats (the real broker) and
# tests/kafka-outage-mock.bats (the mock cluster).
#
#   lines FROM TO            one JSON line per id FROM..TO on stdout
#   count_ge FILE N          FILE has at least N lines
#   told ERR VERBOSE SECS    stderr file ERR tells one outage of at least
#                            SECS s; retry lines if and only if VERBOSE is 1
#   pub_outage, sub_outage   a program through an outage (below)

lines() {
	seq "$1" "$2" | sed 's/.*/{"id":"&","url":"http:\/\/s&.test\/"}/'
}

count_ge() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

told() {
	local err=$1 verbose=$2 min=$3 secs first
	cat "$err" >&2
	[ "$(grep -c ': kafka: brokers down: ' "$err")" -eq 1 ]
	# The cause: the lost connection or the refused reconnect.
	grep -Eq ': kafka: brokers down: .*(Disconnected|Connection refused|Connect to)' "$err"
	[ "$(grep -c ': kafka: reconnected after ' "$err")" -eq 1 ]
	secs=$(sed -En 's/^[-a-z]+: kafka: reconnected after ([0-9]+)\.[0-9] s$/\1/p' "$err")
	# It lasted at least as long as the broker was gone.
	[ -n "$secs" ] && [ "$secs" -ge "$min" ]
	# The down line comes first.
	first=$(sed -En '/: kafka: (brokers down: |reconnected after |retry [0-9]+ failed: )/{p;q}' "$err")
	[[ $first == *": kafka: brokers down: "* ]]
	if [ "$verbose" = 1 ]; then
		# Several failed reconnects, each with the cause, between the two.
		[ "$(grep -Ec ': kafka: retry [0-9]+ failed: .*(refused|Connect to)' "$err")" -ge 2 ]
	else
		[ "$(grep -c ': kafka: retry ' "$err")" -eq 0 ]
		# Nothing of librdkafka's own about the outage either.
		run -1 grep -E 'Connection refused|Disconnected|brokers are down|FAIL' \
			<(grep -v ': kafka: brokers down: ' "$err")
	fi
}

# The bats file defines outage_down and outage_up (every broker gone, back)
# and sets OUTAGE_S, how long they stay gone; kcat reads $KAFKA_BROKERS.

# topic_has TOPIC N: the topic holds at least N messages
topic_has() {
	[ "$(kcat -C -b "$KAFKA_BROKERS" -t "$1" -e -q 2>/dev/null | wc -l)" -ge "$2" ]
}

# pub_outage TOPIC [ARGS]: wm-kafka-pub ARGS publishes 300 lines from a
# FIFO (fd 4), the brokers gone between the first and the last 100; it
# exits 0 and the topic holds each line once. Stderr in $T/err.
pub_outage() {
	local t=$1 rc=0
	shift
	T=$BATS_TEST_TMPDIR
	mkfifo "$T/fifo"
	wm-kafka-pub -t "$t" "$@" <"$T/fifo" 2>"$T/err" 3>&- &
	BG_PID=$!
	exec 4>"$T/fifo"
	lines 1 100 >&4
	wait_until 60 topic_has "$t" 100
	outage_down
	lines 101 200 >&4
	sleep "$OUTAGE_S"
	# A restarted broker must not hold the FIFO open.
	outage_up 4>&-
	lines 201 300 >&4
	exec 4>&-
	wait "$BG_PID" || rc=$?
	BG_PID=
	[ "$rc" -eq 0 ]
	kcat -C -b "$KAFKA_BROKERS" -t "$t" -e -q | sort >"$T/got"
	diff <(lines 1 300 | sort) "$T/got"
}

# sub_outage TOPIC [ARGS]: wm-kafka-sub ARGS reads 100 messages, the
# brokers go and come back, 100 more are written; it reads all 200 (a
# commit cut off by the outage may have it read some twice) and exits 0 on
# SIGTERM. Stderr in $T/err.
sub_outage() {
	local t=$1 rc=0
	shift
	T=$BATS_TEST_TMPDIR
	lines 1 100 | kcat -P -b "$KAFKA_BROKERS" -t "$t"
	wm-kafka-sub -t "$t" "$@" >"$T/out" 2>"$T/err" 3>&- &
	BG_PID=$!
	wait_until 60 count_ge "$T/out" 100
	outage_down
	sleep "$OUTAGE_S"
	outage_up
	lines 101 200 | kcat -P -b "$KAFKA_BROKERS" -t "$t"
	wait_until 120 count_ge "$T/out" 200
	kill -TERM "$BG_PID"
	wait "$BG_PID" || rc=$?
	BG_PID=
	[ "$rc" -eq 0 ]
	diff <(lines 1 200 | sort) <(sort -u "$T/out")
}

# Stop what a test that failed half way left running.
outage_teardown() {
	exec 4>&- 2>/dev/null || true
	if [ -n "${BG_PID:-}" ]; then
		kill "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
}
