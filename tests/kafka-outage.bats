#!/usr/bin/env bats
# A broker outage mid-stream, against Apache Kafka itself (one KRaft broker
# for the file, tests/kafka/broker.sh, killed with -9 and restarted on its
# data): wm-kafka-pub and wm-kafka-sub say one line when the brokers go
# down, with -v one per failed reconnect, one "reconnected after N s" when
# the broker is back, and lose no message. tests/kafka-outage-mock.bats
# does the same on the mock cluster.

load test_helper
load helpers/broker
load helpers/outage

setup_file() {
	broker_start
	echo "# Apache Kafka $BROKER_VERSION started in $BROKER_START_MS ms" >&3
	export KAFKA_BROKERS=$BROKER_PLAIN
}

teardown_file() {
	broker_stop
}

teardown() {
	outage_teardown
	# A test that failed half way must not leave the broker down.
	kcat -L -b "$BROKER_PLAIN" -m 2 >/dev/null 2>&1 || broker_restart
}

OUTAGE_S=3
outage_down() {
	broker_kill9
}
outage_up() {
	broker_restart
}

@test "wm-kafka-pub: a broker outage is one line, then one 'reconnected after N s'; no line lost" {
	broker_topic pubq
	pub_outage pubq
	told "$T/err" 0 3
}

@test "wm-kafka-pub -v: each failed reconnect of an outage is a line; every line delivered" {
	broker_topic pubv
	pub_outage pubv -v
	told "$T/err" 1 3
	grep -q ' total: read=300 delivered=300 failed=0 ' "$T/err"
}

@test "wm-kafka-pub -q: an outage says nothing" {
	broker_topic pubqq
	pub_outage pubqq -q
	cat "$T/err" >&2
	[ ! -s "$T/err" ]
}

@test "wm-kafka-sub: a broker outage is one line, then one 'reconnected after N s'; no message lost" {
	broker_topic subq
	sub_outage subq -G gsubq
	told "$T/err" 0 3
}

@test "wm-kafka-sub -v: each failed reconnect of an outage is a line; every message read" {
	broker_topic subv
	sub_outage subv -G gsubv -v
	told "$T/err" 1 3
}
