#!/usr/bin/env bats
# A broker outage mid-stream on the mock cluster (every broker down for 4 s,
# then up): the same messages as on the real broker (tests/kafka-outage.bats),
# here also under the sanitizers; wm-kafka-sub without a group.

load test_helper
load helpers/kafka
load helpers/outage

setup_file() {
	kafka_start 3 pubq:3 pubv:3 subq:3 subv:3
}

teardown_file() {
	kafka_stop
}

teardown() {
	outage_teardown
	kafka_ctl "up -1" >/dev/null 2>&1 || true
}

# Long enough for two failed reconnects to reach the statistics (every 1 s)
# even on a loaded host: with 4 s one run in many saw only one.
OUTAGE_S=6
outage_down() {
	kafka_ctl "down -1"
}
outage_up() {
	kafka_ctl "up -1"
}

@test "wm-kafka-pub on the mock: all brokers down is one line, then 'reconnected after N s'" {
	pub_outage pubq
	told "$T/err" 0 3
}

@test "wm-kafka-pub -v on the mock: a line per failed reconnect" {
	pub_outage pubv -v
	told "$T/err" 1 3
}

@test "wm-kafka-sub on the mock: all brokers down is one line, then 'reconnected after N s'" {
	sub_outage subq
	told "$T/err" 0 3
}

@test "wm-kafka-sub -v on the mock: a line per failed reconnect" {
	sub_outage subv -v
	told "$T/err" 1 3
}
