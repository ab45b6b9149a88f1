#!/usr/bin/env bats
# A connection that the broker closes while the client is idle (every
# broker does after connections.max.idle.ms, 10 minutes by default) is no
# outage: wm-kafka-pub says nothing of it and delivers what comes next.
# Apache Kafka itself (tests/kafka/broker.sh), closing idle connections
# after 2 s.

load test_helper
load helpers/broker
load helpers/outage

setup_file() {
	BROKER_PROPS=connections.max.idle.ms=2000 broker_start
	echo "# Apache Kafka $BROKER_VERSION started in $BROKER_START_MS ms" >&3
	export KAFKA_BROKERS=$BROKER_PLAIN
}

teardown_file() {
	broker_stop
}

teardown() {
	outage_teardown
}

@test "wm-kafka-pub: a connection the broker closes while idle is no outage" {
	T=$BATS_TEST_TMPDIR
	broker_topic idle
	mkfifo "$T/fifo"
	wm-kafka-pub -t idle <"$T/fifo" 2>"$T/err" 3>&- &
	BG_PID=$!
	exec 4>"$T/fifo"
	lines 1 10 >&4
	wait_until 60 topic_has idle 10
	# idle past the broker's limit: it closes the connection
	sleep 6
	lines 11 20 >&4
	exec 4>&-
	wait "$BG_PID"
	BG_PID=
	cat "$T/err" >&2
	[ "$(kcat -C -b "$KAFKA_BROKERS" -t idle -e -q | wc -l)" -eq 20 ]
	run -1 grep -E 'brokers down|reconnected|brokers are down|Disconnected' "$T/err"
}
