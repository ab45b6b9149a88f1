#!/usr/bin/env bats
# The delivery guarantee end to end (DESIGN.md): 50,000 result records through
#   wm-kafka-pub | topic, 3 partitions | wm-kafka-sub -G --ack | wm-pg-copy --key id --ack
# with one fault per test. After each, the ids in PostgreSQL are exactly the
# ids produced: none lost, none stored twice, none rejected.

load test_helper
load helpers/pg
load helpers/kafka
load helpers/e2e

setup_file() {
	e2e_setup_file
}

teardown_file() {
	e2e_teardown_file
}

setup() {
	e2e_setup "e2e_$BATS_TEST_NUMBER"
}

teardown() {
	e2e_teardown
}

# Kill when this many rows are stored: the stream is then well under way.
MID=10000
# About 10,000 lines/s: the stream lasts ~5 s, long enough to break it.
PACE="500 0.05"
# For the kill tests: wm-pg-copy holds about 1.5 s of lines per batch, and the
# kill comes 0.7 s after a batch was stored, when thousands of lines have been
# read from Kafka (and, without acks, would already be committed there) but
# are not stored yet.
BIG_BATCH=(-n 20000 -T 1500)

@test "baseline: every record arrives once" {
	sink_start
	pub_start
	wait_exit "$PUB_PID"
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "wm-kafka-pub exited $EXIT_STATUS"; }
	[ ! -s "$E2E_W/failed" ]
	wait_rows "$E2E_N"
	sink_stop
	assert_all_stored
	assert_group_done
}

@test "kill -9 wm-kafka-sub mid-stream, restart the sink in the same group" {
	E2E_COPY_ARGS=("${BIG_BATCH[@]}")
	sink_start
	sink_wait_assigned
	pub_start "$PACE"
	wait_rows "$MID"
	sleep 0.7
	kill -9 "$SUB_PID"
	n=$(rows)
	[ "$n" -lt "$E2E_N" ] || flunk "all $n rows stored before the kill: nothing tested"
	# wm-pg-copy sees end of input, stores its batch and exits; its ack has no
	# reader any more, but the rows are committed and will be deduplicated.
	wait_exit "$COPY_PID"
	echo "# the orphaned wm-pg-copy exited $EXIT_STATUS" >&3
	sink_start
	wait_exit "$PUB_PID"
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "wm-kafka-pub exited $EXIT_STATUS"; }
	wait_rows "$E2E_N"
	sink_stop
	assert_all_stored
}

@test "kill -9 wm-pg-copy mid-stream, restart the sink in the same group" {
	E2E_COPY_ARGS=("${BIG_BATCH[@]}")
	sink_start
	sink_wait_assigned
	pub_start "$PACE"
	wait_rows "$MID"
	sleep 0.7
	kill -9 "$COPY_PID"
	n=$(rows)
	[ "$n" -lt "$E2E_N" ] || flunk "all $n rows stored before the kill: nothing tested"
	# wm-kafka-sub loses its reader: it commits what was acknowledged and exits.
	wait_exit "$SUB_PID"
	echo "# the orphaned wm-kafka-sub exited $EXIT_STATUS" >&3
	sink_start
	wait_exit "$PUB_PID"
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "wm-kafka-pub exited $EXIT_STATUS"; }
	wait_rows "$E2E_N"
	sink_stop
	assert_all_stored
}

@test "PostgreSQL crashes mid-stream (immediate shutdown) and comes back: the sink retries" {
	sink_start
	sink_wait_assigned
	pub_start "$PACE"
	wait_rows "$MID"
	pg_down immediate
	sleep 2
	pg_up
	kill -0 "$SUB_PID" || { e2e_logs; flunk "wm-kafka-sub died"; }
	kill -0 "$COPY_PID" || { e2e_logs; flunk "wm-pg-copy died"; }
	wait_exit "$PUB_PID"
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "wm-kafka-pub exited $EXIT_STATUS"; }
	wait_rows "$E2E_N"
	grep -q retrying "$E2E_W/copy.1.log" || { e2e_logs; flunk "wm-pg-copy never retried: was the server down while it wrote?"; }
	sink_stop
	assert_all_stored
}

@test "PostgreSQL restarts mid-stream (fast shutdown): the sink retries" {
	sink_start
	sink_wait_assigned
	pub_start "$PACE"
	wait_rows "$MID"
	pg_down fast
	sleep 2
	pg_up
	kill -0 "$SUB_PID" || { e2e_logs; flunk "wm-kafka-sub died"; }
	kill -0 "$COPY_PID" || { e2e_logs; flunk "wm-pg-copy died"; }
	wait_exit "$PUB_PID"
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "wm-kafka-pub exited $EXIT_STATUS"; }
	wait_rows "$E2E_N"
	grep -q retrying "$E2E_W/copy.1.log" || { e2e_logs; flunk "wm-pg-copy never retried: was the server down while it wrote?"; }
	sink_stop
	assert_all_stored
}

@test "the Kafka broker goes down for 5 s mid-stream, during publish and consume" {
	sink_start
	sink_wait_assigned
	pub_start "$PACE"
	wait_rows "$MID"
	kill -0 "$FEED_PID" 2>/dev/null || flunk "the input was over before the broker went down"
	# The real broker: kill -9, restarted 5 s later on the same data.
	kafka_outage 5
	wait_exit "$PUB_PID" 120
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "wm-kafka-pub exited $EXIT_STATUS"; }
	[ ! -s "$E2E_W/failed" ]
	wait_rows "$E2E_N"
	sink_stop
	assert_all_stored
	[ "$E2E_KAFKA" != broker ] || assert_topic_once
}

@test "kill -9 wm-kafka-pub mid-stream, publish the whole input again: duplicates are dropped" {
	sink_start
	sink_wait_assigned
	pub_start "$PACE"
	wait_rows "$MID"
	kill -9 "$PUB_PID"
	wait_exit "$PUB_PID"
	wait_exit "$FEED_PID"
	n=$(rows)
	[ "$n" -lt "$E2E_N" ] || flunk "all $n rows stored before the kill: nothing tested"
	# A killed publisher reports nothing: every line is unconfirmed. Send it all
	# again; what already went through comes twice and --key id drops it.
	pub_start
	wait_exit "$PUB_PID"
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "wm-kafka-pub exited $EXIT_STATUS"; }
	# Each partition holds the first run's messages, then the whole replay in
	# input order: the last missing row comes after every duplicate.
	wait_rows "$E2E_N"
	sink_stop
	assert_all_stored
}

# --- Acknowledgements in every layout (issue 16, items 1, 3, 4). -----------
#
# The ack names its stream (lib/ack.h). Before it did, an ack was a bare
# count of lines since the sink's start, and a count above what the
# wm-kafka-sub had written was clamped to "everything written is stored".
# Each test below lost rows that way; the numbers are from the code before
# the protocol changed (commit b4ca8b4), on this machine.

# About 2,000 lines/s: the stream lasts ~25 s, long enough for a rebalance
# (a member killed with -9 holds its partitions for session.timeout.ms).
SLOW_PACE="200 0.1"

# Held-pipe layout: a supervisor holds the data FIFO open (read-write), so
# either program can die and come back on the same pipe.
held_open() {
	mkfifo "$E2E_W/data"
	sleep 100000 <>"$E2E_W/data" 3>&- &
	HOLD_PID=$!
	E2E_PIDS+=("$HOLD_PID")
}

# wm-kafka-sub alone, writing into the held pipe (its log is sub.K.log).
sub_alone() {
	SINK_RUN=$((SINK_RUN + 1))
	# shellcheck disable=SC2086 # KAFKA_GROUP_X is several words
	wm-kafka-sub -v -b "$KAFKA_BROKERS" -t "$E2E_NAME" -G "$E2E_NAME" $KAFKA_GROUP_X \
		--ack "$E2E_W/ack" </dev/null >"$E2E_W/data" 2>"$E2E_W/sub.$SINK_RUN.log" 3>&- &
	SUB_PID=$!
	E2E_PIDS+=("$SUB_PID")
}

# wm-pg-copy alone, reading the held pipe (its log is copy.cK.log).
copy_alone() {
	COPY_RUN=$((${COPY_RUN:-0} + 1))
	wm-pg-copy -t "$E2E_NAME" --key id --ack "$E2E_W/ack" "${E2E_COPY_ARGS[@]}" \
		--reject "$E2E_W/rejects.c$COPY_RUN" <"$E2E_W/data" >/dev/null \
		2>"$E2E_W/copy.c$COPY_RUN.log" 3>&- &
	COPY_PID=$!
	E2E_PIDS+=("$COPY_PID")
}

distinct() {
	pq -c "SELECT count(DISTINCT id) FROM $E2E_NAME"
}

# Finish with a fresh shell pipeline, the stream complete: every record must
# be there (a lost one was committed in Kafka, so it never comes again).
finish_all() {
	wait_exit "$PUB_PID" 120
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "wm-kafka-pub exited $EXIT_STATUS"; }
	sink_start
	wait_rows "$E2E_N" 90 || echo "# only $(distinct) of $E2E_N records stored" >&3
	sink_stop
	assert_all_stored
}

@test "ack (a): a previous run's wm-pg-copy acks late into the reused FIFO path; the new run ignores it" {
	# Before: 9,876 of 50,000 records lost. The old sink, held up in a batch
	# (stopped here, as behind a table lock), acked its count from its own
	# start into the FIFO the new run read; the new wm-kafka-sub clamped it
	# to all it had written and committed that; kill -9 of the new
	# wm-pg-copy then lost the batch it held.
	E2E_COPY_ARGS=("${BIG_BATCH[@]}")
	sink_start
	sink_wait_assigned
	pub_start "$SLOW_PACE"
	wait_rows "$MID"
	sleep 0.7
	old_copy=$COPY_PID
	kill -STOP "$old_copy"
	kill -9 "$SUB_PID"
	wait_exit "$SUB_PID"
	# The new run's sink holds its lines for 8 s: acks for them can only
	# be the old sink's.
	E2E_COPY_ARGS=(-n 100000 -T 8000)
	sink_start
	sink_wait_assigned
	sleep 1
	kill -CONT "$old_copy"
	wait_exit "$old_copy"
	sleep 0.3
	kill -9 "$COPY_PID"
	wait_exit "$SUB_PID"
	n=$(rows)
	[ "$n" -lt "$E2E_N" ] || flunk "all $n rows stored before the kill: nothing tested"
	finish_all
	grep -q "acknowledgement of another stream" "$E2E_W/sub.2.log" ||
		{ e2e_logs; flunk "the stale acks were not reported"; }
}

@test "ack (b): held data pipe, only wm-kafka-sub killed and restarted" {
	# Before: 456 of 50,000 records lost. The sink's count ran on from its
	# own start; the new wm-kafka-sub clamped it to everything it had
	# written and committed that; kill -9 of the sink then lost its batch.
	E2E_COPY_ARGS=("${BIG_BATCH[@]}")
	held_open
	copy_alone
	sub_alone
	sink_wait_assigned
	pub_start "$SLOW_PACE"
	wait_rows "$MID"
	sleep 0.7
	old_sub=$SUB_PID
	kill -9 "$old_sub"
	sub_alone
	wait_exit "$old_sub"
	sink_wait_assigned
	sleep 2
	kill -9 "$COPY_PID"
	kill -9 "$SUB_PID"
	kill -9 "$HOLD_PID"
	finish_all
}

@test "ack (c): held data pipe, only wm-pg-copy killed and restarted" {
	# Before: 1,400 of 50,000 records lost, no warning. The new sink counted
	# from 0 the lines after those its killed predecessor had read; once its
	# count passed the old one, the sub committed the dead sink's batch.
	E2E_COPY_ARGS=("${BIG_BATCH[@]}")
	held_open
	copy_alone
	sub_alone
	sink_wait_assigned
	pub_start "$SLOW_PACE"
	wait_rows "$MID"
	sleep 0.7
	kill -9 "$COPY_PID"
	copy_alone
	wait_exit "$PUB_PID" 120
	# The lines the dead sink had read cannot be accounted for: the sub says
	# so and exits 1, committing nothing more, so that a restart reads them
	# again; the supervisor starts it again on the same pipe.
	wait_until 60 _gone_or_all "$SUB_PID" || true
	if ! kill -0 "$SUB_PID" 2>/dev/null; then
		wait_exit "$SUB_PID"
		[ "$EXIT_STATUS" -eq 1 ] || { e2e_logs; flunk "wm-kafka-sub exited $EXIT_STATUS"; }
		grep -q "started anew" "$E2E_W/sub.1.log" || { e2e_logs; flunk "no reason given"; }
		sub_alone
	fi
	wait_rows "$E2E_N" 90 || echo "# only $(distinct) of $E2E_N records stored" >&3
	kill -TERM "$SUB_PID"
	wait_exit "$SUB_PID"
	kill -9 "$HOLD_PID"
	wait_exit "$COPY_PID"
	assert_all_stored
}
_gone_or_all() { ! kill -0 "$1" 2>/dev/null || _rows_ge "$E2E_N"; }

@test "ack: 200,000 small records with -n 3: neither pipe blocks the other" {
	# Before: stuck at 34,824 rows (of 200,000, after 150 s): wm-kafka-sub blocked writing
	# stdout, wm-pg-copy blocked writing the full ack FIFO. Acks are now
	# written without blocking, and only the last count is kept.
	pq -c "CREATE TABLE small (id int PRIMARY KEY)"
	seq 1 200000 | sed 's/.*/{"id":&}/' |
		kcat -P -b "$KAFKA_BROKERS" -t "$E2E_NAME" -K '' -z zstd
	mkfifo "$E2E_W/data"
	# shellcheck disable=SC2086
	wm-kafka-sub -b "$KAFKA_BROKERS" -t "$E2E_NAME" -G "$E2E_NAME" $KAFKA_GROUP_X \
		--ack "$E2E_W/ack" -e </dev/null >"$E2E_W/data" 2>"$E2E_W/sub.log" 3>&- &
	SUB_PID=$!
	PGOPTIONS="-c synchronous_commit=off" wm-pg-copy -t small --key id -n 3 \
		--ack "$E2E_W/ack" <"$E2E_W/data" 2>"$E2E_W/copy.log" 3>&- &
	COPY_PID=$!
	E2E_PIDS+=("$SUB_PID" "$COPY_PID")
	wait_until 600 _rows_small_ge 200000 || { e2e_logs; echo "# $(pq -c 'SELECT count(*) FROM small') rows" >&3; false; }
	wait_exit "$SUB_PID" 120
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "wm-kafka-sub exited $EXIT_STATUS"; }
	wait_exit "$COPY_PID"
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "wm-pg-copy exited $EXIT_STATUS"; }
	# Everything was acknowledged and committed.
	assert_group_done
}
_rows_small_ge() { [ "$(pq -c 'SELECT count(*) FROM small')" -ge "$1" ]; }

@test "ack: wm-kafka-sub fails at start-up; wm-pg-copy does not hang on the ack FIFO" {
	# Before: the pipeline was still there after 30 s (and for ever):
	# wm-pg-copy blocked in open(ack, O_WRONLY): the FIFO
	# had no reader and never would.
	run -0 bash -c "wm-kafka-sub -b '$KAFKA_BROKERS' -t '$E2E_NAME' -G g -X no.such=1 \
		--ack '$E2E_W/ack' 2>'$E2E_W/sub.log' | wm-pg-copy -t '$E2E_NAME' --ack '$E2E_W/ack'; \
		echo \"\${PIPESTATUS[*]}\""
	[ "$output" = "2 0" ]
	grep -q "no.such" "$E2E_W/sub.log"
}

@test "ack: --ack must be a FIFO for wm-kafka-sub, a FIFO or an existing file for wm-pg-copy" {
	# Before: a regular file was truncated by every wm-pg-copy start while
	# wm-kafka-sub read on past its old end: "0 acknowledged, 0 commits".
	echo 12 >"$E2E_W/ackfile"
	run -1 wm-kafka-sub -b "$KAFKA_BROKERS" -t "$E2E_NAME" -G g --ack "$E2E_W/ackfile"
	[[ $output == *"not a FIFO"* ]]
	mkdir "$E2E_W/ackdir"
	run -1 wm-pg-copy -t "$E2E_NAME" --ack "$E2E_W/ackdir" </dev/null
	[[ $output == *"not a FIFO or a regular file"* ]]
	# A file is appended to, never truncated.
	echo '{"id":"018f0000-0000-7000-8000-000000000001","ts":"2026-01-01T00:00:00Z","url":"http://x","method":"GET","ok":true,"time_ms":1,"bytes":0,"probe":"p"}' |
		wm-pg-copy -t "$E2E_NAME" --ack "$E2E_W/ackfile"
	[ "$(head -n 1 "$E2E_W/ackfile")" = 12 ]
	[ "$(tail -n 1 "$E2E_W/ackfile" | awk '{ print $1, $NF }')" = "wmack1 1" ]
}

@test "two sinks in one group, a third joins and one is killed mid-stream: rebalances lose nothing" {
	E2E_ACK_PER_RUN=1
	sink_start
	a_sub=$SUB_PID a_copy=$COPY_PID
	sink_start
	b_sub=$SUB_PID b_copy=$COPY_PID
	sink_wait_assigned
	# About 2,000 lines/s: ~25 s, time for the rebalances mid-stream (the
	# mock cluster takes seconds to settle a group).
	pub_start "100 0.05"
	wait_rows "$MID"
	# The third member joins while the others hold unacknowledged lines.
	sink_start
	sink_wait_assigned
	kill -0 "$FEED_PID" 2>/dev/null || flunk "the input was over before the third sink joined"
	kill -9 "$a_sub"
	n=$(rows)
	[ "$n" -lt "$E2E_N" ] || flunk "all $n rows stored before the kill: nothing tested"
	wait_exit "$a_copy"
	wait_exit "$PUB_PID"
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "wm-kafka-pub exited $EXIT_STATUS"; }
	# The killed member's partitions come back to the others after its
	# session times out.
	wait_rows "$E2E_N"
	kill -TERM "$b_sub"
	wait_exit "$b_sub"
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "the second wm-kafka-sub exited $EXIT_STATUS"; }
	wait_exit "$b_copy"
	[ "$EXIT_STATUS" -eq 0 ] || { e2e_logs; flunk "the second wm-pg-copy exited $EXIT_STATUS"; }
	sink_stop
	# Not assert_group_done: the members leave one after the other, and
	# lines read but not acknowledged when a member's partitions move stay
	# uncommitted (they are stored; a replay would be deduplicated).
	assert_all_stored
}
