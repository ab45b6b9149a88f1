#!/usr/bin/env bats
# A broker outage mid-stream, against Apache Kafka itself (one KRaft broker
# for the file, tests/kafka/broker.sh, killed with -9 and restarted on its
# data): wm-kafka-pub and wm-kafka-sub say one line when the brokers go
# down, with -v one per failed reconnect, one "reconnected after N s" when
# the broker is back, and lose no message.

load test_helper
load helpers/broker

setup_file() {
	broker_start
	echo "# Apache Kafka $BROKER_VERSION started in $BROKER_START_MS ms" >&3
	export KAFKA_BROKERS=$BROKER_PLAIN
}

teardown_file() {
	broker_stop
}

teardown() {
	# A test that failed half way must not leave the broker down.
	kcat -L -b "$BROKER_PLAIN" -m 2 >/dev/null 2>&1 || broker_restart
	exec 4>&- 2>/dev/null || true
	if [ -n "${BG_PID:-}" ]; then
		kill "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
}

# lines FROM TO: one JSON line per id
lines() {
	seq "$1" "$2" | sed 's/.*/{"id":"&","url":"http:\/\/s&.test\/"}/'
}

# count_ge FILE N: FILE has at least N lines
count_ge() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

# topic_has TOPIC N: the topic holds at least N messages
topic_has() {
	[ "$(kcat -C -b "$BROKER_PLAIN" -t "$1" -e -q 2>/dev/null | wc -l)" -ge "$2" ]
}

# outage: the broker killed, down 3 s, then restarted on its data.
outage() {
	broker_kill9
	sleep 3
	broker_restart
}

# told ERR VERBOSE: ERR holds one outage, told as item 6 of the README says.
told() {
	local err=$1 verbose=$2 secs first
	cat "$err" >&2
	[ "$(grep -c ': kafka: brokers down: ' "$err")" -eq 1 ]
	# The cause: the lost connection or the refused reconnect.
	grep -Eq ': kafka: brokers down: .*(Disconnected|Connection refused|Connect to)' "$err"
	[ "$(grep -c ': kafka: reconnected after ' "$err")" -eq 1 ]
	secs=$(sed -En 's/^[-a-z]+: kafka: reconnected after ([0-9]+)\.[0-9] s$/\1/p' "$err")
	# It lasted at least the 3 s the broker was gone.
	[ -n "$secs" ] && [ "$secs" -ge 3 ]
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

# pub_outage TOPIC [ARGS]: publish 300 lines with the broker down between
# the first and the last 100; every line delivered once, stderr in $T/err.
pub_outage() {
	local t=$1 rc=0
	shift
	T=$BATS_TEST_TMPDIR
	broker_topic "$t"
	mkfifo "$T/fifo"
	wm-kafka-pub -t "$t" "$@" <"$T/fifo" 2>"$T/err" 3>&- &
	BG_PID=$!
	exec 4>"$T/fifo"
	lines 1 100 >&4
	wait_until 60 topic_has "$t" 100
	broker_kill9
	lines 101 200 >&4
	sleep 3
	# The broker must not hold the FIFO open: the end of input ends the test.
	broker_restart 4>&-
	lines 201 300 >&4
	exec 4>&-
	wait "$BG_PID" || rc=$?
	BG_PID=
	[ "$rc" -eq 0 ]
	kcat -C -b "$BROKER_PLAIN" -t "$t" -e -q | sort >"$T/got"
	diff <(lines 1 300 | sort) "$T/got"
}

# sub_outage TOPIC GROUP [ARGS]: read 100 messages, the broker down, 100
# more written after it is back; all 200 read, stderr in $T/err.
sub_outage() {
	local t=$1 g=$2 rc=0
	shift 2
	T=$BATS_TEST_TMPDIR
	broker_topic "$t"
	lines 1 100 | kcat -P -b "$BROKER_PLAIN" -t "$t"
	wm-kafka-sub -t "$t" -G "$g" "$@" >"$T/out" 2>"$T/err" 3>&- &
	BG_PID=$!
	wait_until 60 count_ge "$T/out" 100
	outage
	lines 101 200 | kcat -P -b "$BROKER_PLAIN" -t "$t"
	wait_until 120 count_ge "$T/out" 200
	kill -TERM "$BG_PID"
	wait "$BG_PID" || rc=$?
	BG_PID=
	[ "$rc" -eq 0 ]
	# None lost (a commit cut off by the outage may read some twice).
	diff <(lines 1 200 | sort) <(sort -u "$T/out")
}

@test "wm-kafka-pub: a broker outage is one line, then one 'reconnected after N s'; no line lost" {
	pub_outage pubq
	told "$T/err" 0
}

@test "wm-kafka-pub -v: each failed reconnect of an outage is a line; every line delivered" {
	pub_outage pubv -v
	told "$T/err" 1
	grep -q ' total: read=300 delivered=300 failed=0 ' "$T/err"
}

@test "wm-kafka-pub -q: an outage says nothing" {
	pub_outage pubqq -q
	cat "$T/err" >&2
	[ ! -s "$T/err" ]
}

@test "wm-kafka-sub: a broker outage is one line, then one 'reconnected after N s'; no message lost" {
	sub_outage subq gsubq
	told "$T/err" 0
}

@test "wm-kafka-sub -v: each failed reconnect of an outage is a line; every message read" {
	sub_outage subv gsubv -v
	told "$T/err" 1
}
