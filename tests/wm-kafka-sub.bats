#!/usr/bin/env bats
# wm-kafka-sub: kcat -P feeds a mock cluster, wm-kafka-sub reads it back.

load test_helper
load helpers/kafka

setup_file() {
	kafka_start 1 one:1 three:3 nl:1 json:1 grp:3 ack:3 acknone:2 term:2 pend:1 junk:1 idle:1 \
		fmt:2 fmtack:1
	# Fixed data: ids 1..N, one per line, in the topics the tests read.
	for i in $(seq 1 30); do
		printf '{"id":"%d","url":"http://site%d.test/"}\n' "$i" $((i % 7))
	done >"$BATS_FILE_TMPDIR/30.ndjson"
	kcat -P -b "$KAFKA_BROKERS" -t one -p 0 <"$BATS_FILE_TMPDIR/30.ndjson"
	kcat -P -b "$KAFKA_BROKERS" -t three -K '|' <<-EOF2
	a|{"id":"1"}
	b|{"id":"2"}
	c|{"id":"3"}
	d|{"id":"4"}
	e|{"id":"5"}
	f|{"id":"6"}
	EOF2
	# For kcat's output flags: keys, headers (one with a NULL value), NULL
	# and empty keys and payloads in partition 0, a plain one in 1.
	printf 'k1|hello\nk2|wor ld\n' | kcat -P -b "$KAFKA_BROKERS" -t fmt -p 0 \
		-K '|' -H a=1 -H b=2 -H nv
	printf '|nokey\nk4|\n' | kcat -P -b "$KAFKA_BROKERS" -t fmt -p 0 -K '|' -Z
	printf 'k5|\n|\n' | kcat -P -b "$KAFKA_BROKERS" -t fmt -p 0 -K '|'
	printf 'plain\ttab\n' | kcat -P -b "$KAFKA_BROKERS" -t fmt -p 1
}

teardown_file() {
	kafka_stop
}

teardown() {
	local p
	for p in ${SUB_PIDS:-} ${SINK_PIDS:-}; do
		kill -9 "$p" 2>/dev/null || true
	done
	return 0
}

# gen FROM TO: NDJSON lines with ids FROM..TO
gen() {
	local i
	for ((i = $1; i <= $2; i++)); do
		printf '{"id":"%d","url":"http://site%d.test/"}\n' "$i" $((i % 5))
	done
}

@test "-h prints usage, -V the version, no topic is a usage error" {
	run -0 wm-kafka-sub -h
	[[ $output == *"usage: wm-kafka-sub"*"--ack"* ]]
	run -0 wm-kafka-sub -V
	[[ $output == "wm-kafka-sub webmon-"* ]]
	run -2 --separate-stderr wm-kafka-sub -b 127.0.0.1:1
	[[ $stderr == *"no topic"* ]]
	run -2 --separate-stderr wm-kafka-sub -t one -o bogus
	[[ $stderr == *"-o 'bogus'"* ]]
}

@test "-X with an unknown property names it; -X list lists properties" {
	run -2 --separate-stderr wm-kafka-sub -t one -X no.such.prop=1
	[[ $stderr == *"no.such.prop"* ]]
	run -2 --separate-stderr wm-kafka-sub -t one -X novalue
	[[ $stderr == *"expected -X property=value"* ]]
	run -0 wm-kafka-sub -X list
	[[ $output == *"fetch.wait.max.ms"* ]]
}

@test "-F reads properties from a file; a bad line is reported with its number" {
	printf '# comment\n\nclient.id = x\nbogus.prop=2\n' >"$BATS_TEST_TMPDIR/k.conf"
	run -2 --separate-stderr wm-kafka-sub -t one -F "$BATS_TEST_TMPDIR/k.conf"
	[[ $stderr == *"k.conf:4:"*"bogus.prop"* ]]
	printf 'bootstrap.servers=%s\n' "$KAFKA_BROKERS" >"$BATS_TEST_TMPDIR/ok.conf"
	KAFKA_BROKERS=127.0.0.1:1 run -0 wm-kafka-sub -F "$BATS_TEST_TMPDIR/ok.conf" -t one -e -c 3
	[ "${#lines[@]}" -eq 3 ]
}

@test "no brokers anywhere is a usage error naming KAFKA_BROKERS" {
	KAFKA_BROKERS= run -2 --separate-stderr wm-kafka-sub -t one
	[[ $stderr == *KAFKA_BROKERS* ]]
}

@test "round trip: every line kcat -P wrote comes out once, in partition order" {
	wm-kafka-sub -b "$KAFKA_BROKERS" -t one -e >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_FILE_TMPDIR/30.ndjson" "$BATS_TEST_TMPDIR/out"
	wm-kafka-sub -t three -e >"$BATS_TEST_TMPDIR/out3"
	run -0 jq -s -e 'map(.id) | sort == ["1","2","3","4","5","6"]' "$BATS_TEST_TMPDIR/out3"
}

@test "-o beginning, end, N, -N" {
	run -0 wm-kafka-sub -t one -e -o beginning
	[ "${#lines[@]}" -eq 30 ]
	run -0 wm-kafka-sub -t one -e -o end
	[ "${#lines[@]}" -eq 0 ]
	run -0 wm-kafka-sub -t one -e -o 25
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[0]}" = "$(sed -n 26p "$BATS_FILE_TMPDIR/30.ndjson")" ]
	run -0 wm-kafka-sub -t one -e -o -3
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[2]}" = "$(sed -n 30p "$BATS_FILE_TMPDIR/30.ndjson")" ]
}

@test "-o s@ts looks the start up by timestamp, as kcat does" {
	# librdkafka's mock broker answers every lookup by timestamp with the
	# end offset, so this checks the lookup runs and agrees with kcat.
	kcat -P -b "$KAFKA_BROKERS" -t pend -p 0 <<<'{"id":"old"}'
	local ts=$(date +%s%3N)
	kcat -P -b "$KAFKA_BROKERS" -t pend -p 0 <<<'{"id":"new"}'
	run -0 wm-kafka-sub -t pend -e -o "s@$ts"
	[ "$output" = "$(kcat -C -b "$KAFKA_BROKERS" -t pend -e -q -o "s@$ts")" ]
	run -2 --separate-stderr wm-kafka-sub -t pend -e -o s@yesterday
	[[ $stderr == *"s@yesterday"* ]]
}

@test "-c N stops after N messages" {
	run -0 wm-kafka-sub -t one -c 7
	[ "${#lines[@]}" -eq 7 ]
	[ "${lines[6]}" = "$(sed -n 7p "$BATS_FILE_TMPDIR/30.ndjson")" ]
}

@test "the reader of stdout going away is noticed on an idle topic too" {
	mkfifo "$BATS_TEST_TMPDIR/out"
	# A reader that never reads and leaves after a second; no message comes.
	sleep 1 <"$BATS_TEST_TMPDIR/out" 3>&- &
	wm-kafka-sub -t idle >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	local pid=$!
	SUB_PIDS=$pid
	wait_until 30 sh -c "! kill -0 $pid 2>/dev/null"
	run wait "$pid"
	[ "$status" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "-J writes kcat's JSON envelope, same keys in the same order" {
	wm-kafka-sub -t three -e -J >"$BATS_TEST_TMPDIR/ours"
	kcat -C -b "$KAFKA_BROKERS" -t three -e -J -q >"$BATS_TEST_TMPDIR/kcat"
	run -0 jq -s -c 'map(keys_unsorted) | unique' "$BATS_TEST_TMPDIR/ours"
	[ "$output" = '[["topic","partition","offset","tstype","ts","broker","key","payload"]]' ]
	jq -s -c 'sort_by(.partition, .offset)' "$BATS_TEST_TMPDIR/ours" >"$BATS_TEST_TMPDIR/a"
	jq -s -c 'sort_by(.partition, .offset)' "$BATS_TEST_TMPDIR/kcat" >"$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "-J carries headers as kcat does" {
	kcat -P -b "$KAFKA_BROKERS" -t json -H h1=v1 -H h2=v2 <<<'{"id":"h"}'
	wm-kafka-sub -t json -e -J >"$BATS_TEST_TMPDIR/ours"
	kcat -C -b "$KAFKA_BROKERS" -t json -e -J -q >"$BATS_TEST_TMPDIR/kcat"
	run -0 jq -c '.headers' "$BATS_TEST_TMPDIR/ours"
	[ "$output" = "$(jq -c .headers "$BATS_TEST_TMPDIR/kcat")" ]
	[[ $output == *h1*v1*h2*v2* ]]
}

@test "a payload with a newline is reported with partition and offset and skipped" {
	# Messages split on \x01, so the second one holds a newline.
	printf '{"id":"a"}\x01{"id":\n"b"}\x01{"id":"c"}' |
		kcat -P -b "$KAFKA_BROKERS" -t nl -p 0 -D $'\x01'
	run -3 --separate-stderr wm-kafka-sub -t nl -e
	[[ $stderr == *"'nl' [0] at offset 1: payload contains a newline, skipped"* ]]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = '{"id":"a"}' ]
	[ "${lines[1]}" = '{"id":"c"}' ]
}

@test "-G commits what was written: a second run in the group continues" {
	gen 1 40 | kcat -P -b "$KAFKA_BROKERS" -t grp -K '' 
	wm-kafka-sub -G g1 $KAFKA_GROUP_X -t grp -c 15 >"$BATS_TEST_TMPDIR/a"
	wm-kafka-sub -G g1 $KAFKA_GROUP_X -t grp -e >"$BATS_TEST_TMPDIR/b"
	run -0 wc -l <"$BATS_TEST_TMPDIR/a"
	[ "$output" -eq 15 ]
	cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" >"$BATS_TEST_TMPDIR/all"
	run -0 jq -s -e 'length == 40 and (map(.id) | unique | length) == 40' "$BATS_TEST_TMPDIR/all"
}

# start_sub_sink GROUP TOPIC SINKOPTS...: wm-kafka-sub -G GROUP --ack FIFO |
# wm-ack-sink SINKOPTS; sets SUB_PIDS, SINK_PIDS, OUT (the sink's file).
start_sub_sink() {
	local group=$1 topic=$2
	shift 2
	local d=$BATS_TEST_TMPDIR/run$((++RUNS))
	mkdir -p "$d"
	# wm-kafka-sub makes the ack FIFO itself, a new one each run.
	mkfifo "$d/pipe"
	OUT=$d/out
	wm-ack-sink "$@" "$d/ack" "$OUT" <"$d/pipe" 3>&- &
	SINK_PIDS="${SINK_PIDS:-} $!"
	SINK_PID=$!
	wm-kafka-sub -G "$group" $KAFKA_GROUP_X -t "$topic" --ack "$d/ack" \
		${SUB_OPTS:-} >"$d/pipe" 2>"$d/err" 3>&- &
	SUB_PIDS="${SUB_PIDS:-} $!"
	SUB_PID=$!
	SUB_ERR=$d/err
}

lines_of() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
acked_of() { [ -f "$1.acked" ] && cat "$1.acked" || echo 0; }
at_least() { [ "$($1 "$2")" -ge "$3" ]; }

@test "--ack: kill -9 mid-stream, restart: all seen, nothing acknowledged seen again" {
	gen 1 300 | kcat -P -b "$KAFKA_BROKERS" -t ack -K ''
	# The sink acknowledges up to line 100 only, then keeps reading.
	start_sub_sink gack ack -k 20 -n 100
	wait_until 30 at_least acked_of "$OUT" 100
	wait_until 30 at_least lines_of "$OUT" 150
	sleep 1		# let the asynchronous commit of line 100 land
	kill -9 "$SUB_PID"
	wait "$SINK_PID" || true
	first=$OUT
	# Restart in the same group with a sink that acknowledges everything.
	SUB_OPTS=-e start_sub_sink gack ack -k 20
	wait "$SUB_PID"
	wait "$SINK_PID"
	second=$OUT
	cat "$first" "$second" >"$BATS_TEST_TMPDIR/all"
	run -0 jq -s -e '(map(.id) | unique | length) == 300' "$BATS_TEST_TMPDIR/all"
	# Nothing among the 100 acknowledged lines came again...
	head -n 100 "$first" | jq -r .id | sort >"$BATS_TEST_TMPDIR/acked"
	jq -r .id "$second" | sort >"$BATS_TEST_TMPDIR/again"
	run comm -12 "$BATS_TEST_TMPDIR/acked" "$BATS_TEST_TMPDIR/again"
	[ -z "$output" ]
	# ...and everything written but not acknowledged did.
	tail -n +101 "$first" | jq -r .id | sort >"$BATS_TEST_TMPDIR/unacked"
	run comm -23 "$BATS_TEST_TMPDIR/unacked" "$BATS_TEST_TMPDIR/again"
	[ -z "$output" ]
}

@test "--ack: without acknowledgements a restart replays everything" {
	gen 1 50 | kcat -P -b "$KAFKA_BROKERS" -t acknone -K ''
	start_sub_sink gnone acknone -n 0
	wait_until 30 at_least lines_of "$OUT" 50
	sleep 1
	kill -9 "$SUB_PID"
	wait "$SINK_PID" || true
	SUB_OPTS=-e start_sub_sink gnone acknone
	wait "$SUB_PID"
	wait "$SINK_PID"
	run -0 jq -s -e 'length == 50 and (map(.id) | unique | length) == 50' "$OUT"
}

@test "--ack: SIGTERM waits for the acknowledgements, commits, exits 0" {
	gen 1 60 | kcat -P -b "$KAFKA_BROKERS" -t term -K ''
	start_sub_sink gterm term -k 25 -d 0.5
	wait_until 30 at_least lines_of "$OUT" 60
	kill -TERM "$SUB_PID"
	local rc=0
	wait "$SUB_PID" || rc=$?
	[ "$rc" -eq 0 ]
	wait "$SINK_PID"
	[ "$(acked_of "$OUT")" -eq 60 ]
	# Everything was committed: the group has nothing left to read.
	run -0 wm-kafka-sub -G gterm $KAFKA_GROUP_X -t term -e
	[ "${#lines[@]}" -eq 0 ]
}

@test "--max-pending stops fetching while that many lines wait for acks" {
	gen 1 400 | kcat -P -b "$KAFKA_BROKERS" -t pend -p 0
	SUB_OPTS="--max-pending 50"
	start_sub_sink gpend pend -n 0
	wait_until 30 at_least lines_of "$OUT" 50
	sleep 2
	[ "$(lines_of "$OUT")" -eq 50 ]
	kill -9 "$SUB_PID"
}

@test "--max-pending smaller than the stream: acknowledgements let it all through" {
	gen 1 200 | kcat -P -b "$KAFKA_BROKERS" -t acknone -K ''
	SUB_OPTS="--max-pending 15 -e" start_sub_sink gwindow acknone -k 5
	wait "$SUB_PID"
	wait "$SINK_PID"
	run -0 jq -s -e '(map(.id) | unique | length) == 200' "$OUT"
	[ "$(acked_of "$OUT")" -eq "$(lines_of "$OUT")" ]
}

@test "--ack: garbage and acks of another stream are ignored, a count beyond the output stops it" {
	gen 1 5 | kcat -P -b "$KAFKA_BROKERS" -t junk -p 0
	local d=$BATS_TEST_TMPDIR
	wm-kafka-sub -G gjunk $KAFKA_GROUP_X -t junk -e --ack "$d/ack" --drain-timeout 20 \
		>"$d/out" 2>"$d/err" 3>&- &
	SUB_PIDS=$!
	wait_until 30 test -p "$d/ack"
	exec 5>"$d/ack"
	local stream chan
	stream=$(stat -c '%d:%i' "$d/out") chan=$(stat -L -c '%d:%i' /dev/fd/5)
	# Nothing is written before a sink has introduced itself.
	sleep 1
	[ "$(lines_of "$d/out")" -eq 0 ]
	printf 'hello\n2\n' >&5
	echo "wmack1 1:1 $chan old.1 0 3" >&5
	echo "wmack1 $stream $chan me.1 0 0" >&5
	wait_until 30 at_least lines_of "$d/out" 5
	echo "wmack1 $stream $chan me.1 0 99" >&5
	exec 5>&-
	local rc=0
	wait "$SUB_PIDS" || rc=$?
	[ "$rc" -eq 1 ]
	run -0 cat "$d/err"
	[[ $output == *"not an acknowledgement"*hello* ]]
	[[ $output == *"not an acknowledgement"*"'2'"* ]]
	[[ $output == *"acknowledgement of another stream (1:1"* ]]
	[[ $output == *"acknowledges 99 lines but only 5"* ]]
	# Nothing was committed on the word of a count beyond the output.
	run -0 wm-kafka-sub -G gjunk $KAFKA_GROUP_X -t junk -e
	[ "${#lines[@]}" -eq 5 ]
}

@test "--ack on a regular file is refused" {
	local d=$BATS_TEST_TMPDIR
	echo 5 >"$d/ackfile"
	run -1 wm-kafka-sub -G gfile -t junk --ack "$d/ackfile"
	[[ $output == *"--ack: '$d/ackfile': not a FIFO"* ]]
	# Left as it was.
	[ "$(cat "$d/ackfile")" = 5 ]
}

@test "partition.assignment.strategy=cooperative-sticky is refused with a reason" {
	# librdkafka 2.0.2 aborts in a cooperative rebalance (its issue 4312).
	run -2 wm-kafka-sub -G gcoop -t junk -X partition.assignment.strategy=cooperative-sticky
	[[ $output == *"cooperative-sticky is not supported"*4312* ]]
	run -2 wm-kafka-sub -G gcoop -t junk -X partition.assignment.strategy=range,cooperative-sticky
}

# same_as_kcat ARGS...: kcat -C -e -q ARGS and wm-kafka-sub -e -q ARGS write
# the same bytes (left in $BATS_TEST_TMPDIR/ours).
same_as_kcat() {
	local d=$BATS_TEST_TMPDIR
	kcat -C -b "$KAFKA_BROKERS" -e -q "$@" >"$d/kcat"
	wm-kafka-sub -e -q "$@" >"$d/ours"
	if ! cmp "$d/kcat" "$d/ours"; then
		echo "wm-kafka-sub $*: kcat, then ours:"
		od -c "$d/kcat"
		od -c "$d/ours"
		return 1
	fi
}

@test "-f: every token and escape, byte for byte what kcat -f writes" {
	local f p
	for f in '%s\n' 'Topic %t [%p] at offset %o: key %k: %s\n' \
	    '%K|%S|%T|%h|%%\n' '%R%s' '\x41\t\101\0123\r\\\e\xab%k\n' '%s' ''; do
		for p in 0 1; do
			same_as_kcat -t fmt -p "$p" -f "$f"
		done
	done
	# What was compared holds what it should.
	same_as_kcat -t fmt -p 0 -f '%k|%h|%K|%S|%T\n'
	run -0 cat "$BATS_TEST_TMPDIR/ours"
	[ "${#lines[@]}" -eq 6 ]
	[[ ${lines[0]} =~ ^k1\|a=1,b=2,nv=NULL\|2\|5\|[0-9]{13}$ ]]
	[[ ${lines[2]} =~ ^\|\|-1\|5\|[0-9]{13}$ ]]	# a NULL key
	[[ ${lines[3]} =~ ^k4\|\|2\|-1\|[0-9]{13}$ ]]	# a NULL payload
	[[ ${lines[5]} =~ ^\|\|0\|0\|[0-9]{13}$ ]]	# both empty
}

@test "-K, -D, -Z and -J -D write what kcat writes" {
	same_as_kcat -t fmt -p 0 -K :
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/ours")" = "k1:hello" ]
	same_as_kcat -t fmt -p 0 -K : -D ';'
	same_as_kcat -t fmt -p 0 -Z -K '\t'
	same_as_kcat -t fmt -p 0 -Z
	grep -qx NULL "$BATS_TEST_TMPDIR/ours"
	same_as_kcat -t fmt -p 0 -D '\r\x41'
	# kcat builds the format "%k<K>%s<D>": a % in -K is read as a token.
	same_as_kcat -t fmt -p 0 -K %
	same_as_kcat -t fmt -p 0 -J
	same_as_kcat -t fmt -p 0 -J -D '|'
	same_as_kcat -t fmt -p 1 -J -K : -D ''
	# -f wins over -K and -D.
	same_as_kcat -t fmt -p 0 -f '%k=%s\n' -K : -D ';'
}

@test "-f, -K and -D refuse what cannot be written as kcat would, with a usage error" {
	run -2 --separate-stderr wm-kafka-sub -t fmt -f '%z'
	[[ $stderr == *"-f '%z': unsupported token '%z'"* ]]
	run -1 kcat -C -b "$KAFKA_BROKERS" -t fmt -e -q -f '%z'
	run -2 --separate-stderr wm-kafka-sub -t fmt -f '%s%'
	[[ $stderr == *"'%' at the end"* ]]
	run -2 --separate-stderr wm-kafka-sub -t fmt -f 'a\x00%s'
	[[ $stderr == *"NUL byte is not supported"* ]]
	run -2 --separate-stderr wm-kafka-sub -t fmt -f '%s\n' -J
	[[ $stderr == *"-f and -J: give one"* ]]
	run -2 --separate-stderr wm-kafka-sub -t fmt -D '\xZZ'
	[[ $stderr == *"\\x expects a hex number"* ]]
}

@test "--ack: a format must make one line per message, a delimiter must be a newline" {
	local a=$BATS_TEST_TMPDIR/ack
	run -2 --separate-stderr wm-kafka-sub -t fmt -G gf --ack "$a" -f '%s'
	[[ $stderr == *"-f '%s': with --ack the format must end in \\n"* ]]
	run -2 --separate-stderr wm-kafka-sub -t fmt -G gf --ack "$a" -f 'a\nb%s\n'
	[[ $stderr == *"hold no other newline"* ]]
	run -2 --separate-stderr wm-kafka-sub -t fmt -G gf --ack "$a" -D ';'
	[[ $stderr == *"-D with --ack: only \\n"* ]]
	run -2 --separate-stderr wm-kafka-sub -t fmt -G gf --ack "$a" -J -D ';'
	[[ $stderr == *"-D with --ack: only \\n"* ]]
	run -2 --separate-stderr wm-kafka-sub -t fmt -G gf --ack "$a" -K '\n'
	[[ $stderr == *"-K with --ack: the delimiter must not hold a newline"* ]]
	[ ! -e "$a" ]
}

@test "--ack with -f: a message whose output holds a newline is skipped and reported" {
	printf 'a|x\x01b|y\nz\x01c|w' |
		kcat -P -b "$KAFKA_BROKERS" -t fmtack -p 0 -K '|' -D $'\x01'
	SUB_OPTS='-e -f %k=%s\n' start_sub_sink gfmt fmtack
	local rc=0
	wait "$SUB_PID" || rc=$?
	[ "$rc" -eq 3 ]
	wait "$SINK_PID"
	run -0 cat "$OUT"
	[ "$output" = $'a=x\nc=w' ]
	[ "$(acked_of "$OUT")" -eq 2 ]
	run -0 cat "$SUB_ERR"
	[[ $output == *"'fmtack' [0] at offset 1: the formatted message contains a newline, skipped"* ]]
	# All three are done: the group has nothing left to read.
	run -0 wm-kafka-sub -G gfmt $KAFKA_GROUP_X -t fmtack -e
	[ "${#lines[@]}" -eq 0 ]
}

@test "-p reads one partition as kcat -p does; a missing one is an error; not with -G" {
	same_as_kcat -t fmt -p 1
	[ "$(cat "$BATS_TEST_TMPDIR/ours")" = $'plain\ttab' ]
	run -0 wm-kafka-sub -t fmt -p 1 -e -J
	run -0 jq -s -e 'map(.partition) | unique == [1]' <<<"$output"
	run -1 --separate-stderr wm-kafka-sub -t three -p 7 -e
	[[ $stderr == *"topic 'three' (with partitions 0..2): partition 7 does not exist"* ]]
	run -2 --separate-stderr wm-kafka-sub -t three -p 1 -G gp
	[[ $stderr == *"-p with -G"* ]]
	run -2 --separate-stderr wm-kafka-sub -t three -p x
	[[ $stderr == *"-p 'x': bad number"* ]]
}

@test "-u writes each message as it comes, as kcat -u does" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -f -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"
	local d=$BATS_TEST_TMPDIR
	strace -f -e trace=write -o "$d/u" wm-kafka-sub -t one -e -q -u >"$d/out"
	cmp "$BATS_FILE_TMPDIR/30.ndjson" "$d/out"
	[ "$(grep -c 'write(1,' "$d/u")" -eq 30 ]
	# Without it, the messages at hand go out in one write.
	strace -f -e trace=write -o "$d/b" wm-kafka-sub -t one -e -q >"$d/out"
	[ "$(grep -c 'write(1,' "$d/b")" -lt 30 ]
}

@test "-d sets librdkafka's debug contexts; its lines go to stderr" {
	run -0 --separate-stderr wm-kafka-sub -t one -e -q -c 1 -d broker
	[ "${#lines[@]}" -eq 1 ]
	[[ $stderr == *"wm-kafka-sub: kafka: BROKER"* ]]
	run -2 --separate-stderr wm-kafka-sub -t one -d nosuchcontext
	[[ $stderr == *debug*nosuchcontext* ]]
}

@test "-X dump prints the configuration as kcat does, secrets masked, and exits 0" {
	local d=$BATS_TEST_TMPDIR
	HOME=$d KAFKA_BROKERS= run -0 --separate-stderr wm-kafka-sub -X dump -G gd \
		-X sasl.password=hunter2 -X ssl.key.password=kp -X topic.auto.offset.reset=earliest
	[ "${lines[0]}" = "# Global config" ]
	[[ $output == *$'\nsasl.password = [redacted]\n'* ]]
	[[ $output == *$'\nssl.key.password = [redacted]\n'* ]]
	[[ $output != *hunter2* ]]
	[[ $output == *$'\ngroup.id = gd\n'* ]]
	[[ $output == *$'\nfetch.wait.max.ms = 100\n'* ]]
	[[ $output == *$'\n\n# Topic config\n'*$'\nauto.offset.reset = smallest\n'* ]]
	# The same properties as kcat's dump (callbacks aside: kcat sets its own).
	grep -v ' = 0x' <<<"$output" | sed -n 's/ = .*//p' | sort >"$d/ours"
	HOME=$d kcat -X dump -G gd -X sasl.password=hunter2 -X ssl.key.password=kp |
		grep -v ' = 0x' | sed -n 's/ = .*//p' | sort >"$d/kcat"
	diff "$d/kcat" "$d/ours"
}

@test "~/.config/kcat.conf is read as kcat reads it, after KCAT_CONFIG and -F" {
	local d=$BATS_TEST_TMPDIR h=$BATS_TEST_TMPDIR/home
	mkdir -p "$h/.config"
	echo client.id=old >"$h/.config/kafkacat.conf"
	HOME=$h run -0 wm-kafka-sub -X dump
	[[ $output == *$'\nclient.id = old\n'* ]]
	echo client.id=home >"$h/.config/kcat.conf"
	echo client.id=env >"$d/env.conf"
	echo client.id=file >"$d/file.conf"
	# which ARGS...: the client.id that wm-kafka-sub and kcat end up with.
	which() {
		local ours theirs
		ours=$(wm-kafka-sub -X dump "$@" | sed -n 's/^client.id = //p')
		theirs=$(kcat -X dump "$@" | sed -n 's/^client.id = //p')
		[ "$ours" = "$theirs" ] || { echo "ours $ours, kcat $theirs"; return 1; }
		echo "$ours"
	}
	[ "$(HOME=$h which)" = home ]
	[ "$(HOME=$h KCAT_CONFIG=$d/env.conf which)" = env ]
	[ "$(HOME=$h KCAT_CONFIG=$d/env.conf which -F "$d/file.conf")" = file ]
	[ "$(HOME=$h wm-kafka-sub -X dump -F none | sed -n 's/^client.id = //p')" = wm-kafka-sub ]
	[ "$(HOME=$h wm-kafka-sub -X dump -X client.id=x | sed -n 's/^client.id = //p')" = x ]
	# It is read for real: brokers from it alone.
	printf 'bootstrap.servers=%s\n' "$KAFKA_BROKERS" >"$h/.config/kcat.conf"
	HOME=$h KAFKA_BROKERS= run -0 wm-kafka-sub -t one -e -c 3
	[ "${#lines[@]}" -eq 3 ]
	echo 'bogus line' >"$h/.config/kcat.conf"
	HOME=$h run -2 --separate-stderr wm-kafka-sub -t one
	[[ $stderr == *"$h/.config/kcat.conf:1: expected property=value"* ]]
}

@test "-L lists brokers, topics and partitions as kcat -L does" {
	local d=$BATS_TEST_TMPDIR
	wm-kafka-sub -L -t three >"$d/ours"
	kcat -L -b "$KAFKA_BROKERS" -t three >"$d/kcat"
	diff "$d/kcat" "$d/ours"
	run -0 cat "$d/ours"
	[[ ${lines[0]} == "Metadata for three (from broker "* ]]
	[ "${lines[4]}" = '  topic "three" with 3 partitions:' ]
	[ "${lines[7]}" = '    partition 2, leader 1, replicas: 1, isrs: 1' ]
	wm-kafka-sub -L >"$d/ours"
	kcat -L -b "$KAFKA_BROKERS" >"$d/kcat"
	diff "$d/kcat" "$d/ours"
	grep -qx '  topic "fmt" with 2 partitions:' "$d/ours"
}
