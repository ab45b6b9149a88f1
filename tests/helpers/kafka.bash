# A mock Kafka cluster (tests/fixtures/wm-mock-kafka) for one bats test or file.
#
#   kafka_start [NBROKERS] [TOPIC:PARTITIONS ...]
#       starts the cluster in the background and exports
#       KAFKA_BROKERS  bootstrap list, e.g. 127.0.0.1:40001,127.0.0.1:40002
#       KAFKA_PID      the fixture's process id
#       KAFKA_CTL      its control FIFO
#       KAFKA_DIR      temp dir holding ctl, out (answers) and log (stderr)
#   kafka_ctl "down 1"  sends one command, waits for its answer (10 s),
#       prints it, and fails unless it is "ok"
#   kafka_stop          kills the cluster and removes KAFKA_DIR (safe twice)
#
# Mock cluster facts worth knowing in tests:
# - producers auto-create unknown topics (4 partitions); consumers do not;
# - each partition keeps only its newest ~5 MB (or 100,000 message sets):
#   older data is dropped silently, so a large stream needs compression
#   or enough partitions to fit;
# - "topic NAME N" takes about a second to answer;
# - a consumer group only forgets a member that left after the session
#   timeout, so a consumer joining the same group again waits up to that
#   long: give every group consumer $KAFKA_GROUP_X (session.timeout.ms=6000)
#   to keep that wait near 5 s instead of 45 s.

KAFKA_GROUP_X="-X session.timeout.ms=6000 -X heartbeat.interval.ms=1000"
export KAFKA_GROUP_X

kafka_start() {
	local n=1 i line
	if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
		n=$1
		shift
	fi
	local args=(-b "$n")
	for i in "$@"; do
		args+=(-t "$i")
	done
	KAFKA_DIR=$(mktemp -d "${BATS_FILE_TMPDIR:-/tmp}/kafka.XXXXXX")
	KAFKA_CTL="$KAFKA_DIR/ctl"
	mkfifo "$KAFKA_CTL"
	wm-mock-kafka "${args[@]}" --ctl "$KAFKA_CTL" \
		>"$KAFKA_DIR/out" 2>"$KAFKA_DIR/log" </dev/null 3>&- &
	KAFKA_PID=$!
	export KAFKA_DIR KAFKA_CTL KAFKA_PID
	for i in $(seq 100); do
		line=$(head -n 1 "$KAFKA_DIR/out")
		if [[ $line == bootstrap=* ]]; then
			KAFKA_BROKERS=${line#bootstrap=}
			export KAFKA_BROKERS
			return 0
		fi
		kill -0 "$KAFKA_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "wm-mock-kafka did not start:" >&2
	cat "$KAFKA_DIR/log" >&2
	kafka_stop
	return 1
}

kafka_ctl() {
	local before i answer
	[ -n "${KAFKA_PID:-}" ] || { echo "kafka_ctl: no cluster" >&2; return 1; }
	before=$(wc -l <"$KAFKA_DIR/out")
	printf '%s\n' "$*" >"$KAFKA_CTL"
	for i in $(seq 100); do
		if [ "$(wc -l <"$KAFKA_DIR/out")" -gt "$before" ]; then
			answer=$(sed -n "$((before + 1))p" "$KAFKA_DIR/out")
			echo "$answer"
			[ "$answer" = ok ]
			return
		fi
		sleep 0.1
	done
	echo "kafka_ctl: no answer to '$*'" >&2
	return 1
}

kafka_stop() {
	if [ -n "${KAFKA_PID:-}" ]; then
		local i
		kill "$KAFKA_PID" 2>/dev/null || true
		for i in $(seq 50); do
			kill -0 "$KAFKA_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$KAFKA_PID" 2>/dev/null || true
		wait "$KAFKA_PID" 2>/dev/null || true
	fi
	[ -n "${KAFKA_DIR:-}" ] && rm -rf "$KAFKA_DIR"
	unset KAFKA_PID KAFKA_DIR KAFKA_CTL KAFKA_BROKERS
	return 0
}
