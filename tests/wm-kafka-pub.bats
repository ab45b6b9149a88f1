#!/usr/bin/env bats
# wm-kafka-pub against the mock Kafka cluster, checked with kcat.

load test_helper
load helpers/kafka
load helpers/outage

setup_file() {
	kafka_start 3 rt:1 keys:4 same:4 part:3 kk:2 nokey:2 junk:2 delim:2 \
		big:1 long:1 down:3 gone:1 term:2 conf:1 files:1 bad:1 \
		hdr:3 hdrk:3 dlm:1 dlmk:1 nulw:1 nulk:1 kkw:1 kkk:1 tee:1 dfail:1 \
		pace:2 nopace:2 paceterm:3
}

teardown_file() {
	kafka_stop
}

teardown() {
	# a test that failed half way must not leave brokers down or writers open
	kafka_ctl "up -1" >/dev/null 2>&1 || true
	exec 4>&- 2>/dev/null || true
	[ -z "${WRITER_PID:-}" ] || kill "$WRITER_PID" 2>/dev/null || true
	if [ -n "${PUB_PID:-}" ]; then
		kill "$PUB_PID" 2>/dev/null || true
		wait "$PUB_PID" 2>/dev/null || true
	fi
}

# records N [URLS]: N result-like lines, ids 1..N, urls cycling over URLS sites
records() {
	local n=$1 sites=${2:-5}
	jq -nc --argjson n "$n" --argjson s "$sites" \
		'range(1; $n + 1) | {id: ("id-" + tostring), url: ("https://s\(. % $s).example/"), ok: true}'
}

# consume TOPIC FILE [kcat args]: every message of TOPIC into FILE
consume() {
	local topic=$1 out=$2
	shift 2
	kcat -b "$KAFKA_BROKERS" -C -t "$topic" -e -q "$@" >"$out"
}

@test "wm-kafka-pub: -h and -V" {
	run -0 wm-kafka-pub -h
	[[ $output == usage:* ]]
	run -0 wm-kafka-pub -V
	[[ $output == "wm-kafka-pub webmon-"* ]]
}

@test "wm-kafka-pub: round trip to kcat -C" {
	records 500 >"$BATS_TEST_TMPDIR/in"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t rt <"$BATS_TEST_TMPDIR/in"
	consume rt "$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "wm-kafka-pub: the url is the key and each url stays in one partition" {
	records 400 7 >"$BATS_TEST_TMPDIR/in"
	wm-kafka-pub -b "$KAFKA_BROKERS" -t keys <"$BATS_TEST_TMPDIR/in"
	consume keys "$BATS_TEST_TMPDIR/out" -J
	run -0 jq -se 'length == 400 and
		all(.[]; .key == (.payload | fromjson | .url)) and
		(group_by(.key) | length == 7 and all(.[]; (map(.partition) | unique | length) == 1))' \
		"$BATS_TEST_TMPDIR/out"
	# more than one partition is used
	run -0 jq -se 'map(.partition) | unique | length > 1' "$BATS_TEST_TMPDIR/out"
}

@test "wm-kafka-pub: a url lands where kcat -K puts the same key" {
	records 50 7 >"$BATS_TEST_TMPDIR/in"
	wm-kafka-pub -b "$KAFKA_BROKERS" -t same <"$BATS_TEST_TMPDIR/in"
	jq -r '.url + "\tkcat"' "$BATS_TEST_TMPDIR/in" |
		kcat -b "$KAFKA_BROKERS" -P -t same -K '\t'
	consume same "$BATS_TEST_TMPDIR/out" -f '%k %p\n'
	run -0 sh -c "sort -u '$BATS_TEST_TMPDIR/out' | cut -d' ' -f1 | uniq -d | wc -l"
	[ "$output" -eq 0 ]	# no key in two partitions
	run -0 sh -c "sort -u '$BATS_TEST_TMPDIR/out' | wc -l"
	[ "$output" -eq 7 ]
}

@test "wm-kafka-pub: -p sends every line to one partition" {
	records 30 >"$BATS_TEST_TMPDIR/in"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t part -p 2 <"$BATS_TEST_TMPDIR/in"
	consume part "$BATS_TEST_TMPDIR/out" -f '%p\n'
	run -0 sort -u "$BATS_TEST_TMPDIR/out"
	[ "$output" = 2 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 30 ]
}

@test "wm-kafka-pub: idempotent, it holds ~1.5 batches per partition; every line arrives in order" {
	records 20000 9 >"$BATS_TEST_TMPDIR/in"
	# batch.size 4000: 6,000 bytes per partition may wait in librdkafka
	run -0 wm-kafka-pub -v -X batch.size=4000 -b "$KAFKA_BROKERS" -t pace \
		<"$BATS_TEST_TMPDIR/in"
	[[ $output =~ total:.*\ paced=([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -gt 0 ]
	consume pace "$BATS_TEST_TMPDIR/out" -J
	# all 20,000, once each, and each url's lines in input order
	run -0 jq -se 'map(.payload | fromjson) as $r | ($r | length) == 20000 and
		($r | map(.id) | unique | length) == 20000 and
		($r | group_by(.url) | all(.[]; map(.id | ltrimstr("id-") | tonumber) |
			. == sort))' "$BATS_TEST_TMPDIR/out"
	# not idempotent: nothing to pace (one request per partition is the
	# idempotent producer's limit, not this one's)
	run -0 wm-kafka-pub -v -X enable.idempotence=false -X batch.size=4000 \
		-b "$KAFKA_BROKERS" -t nopace <"$BATS_TEST_TMPDIR/in"
	[[ $output =~ total:.*\ paced=0\  ]]
}

@test "wm-kafka-pub: -k sets one key, --key-field picks another member" {
	records 10 >"$BATS_TEST_TMPDIR/in"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t kk -k fixed <"$BATS_TEST_TMPDIR/in"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t kk --key-field id <"$BATS_TEST_TMPDIR/in"
	consume kk "$BATS_TEST_TMPDIR/out" -J
	run -0 jq -se 'length == 20 and
		(map(select(.key == "fixed")) | length == 10) and
		(map(select(.key != "fixed")) | all(.[]; .key == (.payload | fromjson | .id)))' \
		"$BATS_TEST_TMPDIR/out"
}

@test "wm-kafka-pub: --key-field '' sends no key" {
	records 10 >"$BATS_TEST_TMPDIR/in"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t nokey --key-field '' <"$BATS_TEST_TMPDIR/in"
	consume nokey "$BATS_TEST_TMPDIR/out" -J
	run -0 jq -se 'length == 10 and all(.[]; .key == null)' "$BATS_TEST_TMPDIR/out"
}

@test "wm-kafka-pub: lines that are not JSON or lack the url go without key" {
	printf '%s\n' 'plain text' '{"id":"x"}' '{"url":null}' '{"url":"https://a/\u00e9\/"}' \
		'[1,2]' '{"a":{"url":"inner"},"url":"outer"}' >"$BATS_TEST_TMPDIR/in"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t junk <"$BATS_TEST_TMPDIR/in"
	consume junk "$BATS_TEST_TMPDIR/out" -J
	run -0 jq -se 'length == 6 and
		(map(select(.key == null)) | length == 4) and
		(map(.key) | index("https://a/é/") != null and index("outer") != null)' \
		"$BATS_TEST_TMPDIR/out"
}

@test "wm-kafka-pub: -K splits key and value as kcat does" {
	printf '%s\n' 'k1:v1' 'novalue' 'k2:v:2' >"$BATS_TEST_TMPDIR/in"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t delim -K : <"$BATS_TEST_TMPDIR/in"
	consume delim "$BATS_TEST_TMPDIR/out" -J
	run -0 jq -se 'map([.key, .payload]) | sort == [[null, "novalue"], ["k1", "v1"], ["k2", "v:2"]]' \
		"$BATS_TEST_TMPDIR/out"
}

@test "wm-kafka-pub: an unknown -X property is named, exit 2" {
	run -2 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t rt -X no.such.prop=1 </dev/null
	[[ $stderr == *no.such.prop* ]]
	run -2 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t rt -X justaword </dev/null
	[[ $stderr == *"expected -X property=value, not 'justaword'"* ]]
}

@test "wm-kafka-pub: -X list prints the properties" {
	run -0 wm-kafka-pub -X list
	[[ $output == *bootstrap.servers* ]]
	[[ $output == *enable.idempotence* ]]
}

@test "wm-kafka-pub: -F file, KCAT_CONFIG and KAFKA_BROKERS give the brokers" {
	printf '# test\nbootstrap.servers=%s\n\nlinger.ms = 1\n' "$KAFKA_BROKERS" >"$BATS_TEST_TMPDIR/k.conf"
	echo '{"id":"f"}' | wm-kafka-pub -F "$BATS_TEST_TMPDIR/k.conf" -t conf
	echo '{"id":"e"}' | KCAT_CONFIG="$BATS_TEST_TMPDIR/k.conf" wm-kafka-pub -t conf
	echo '{"id":"b"}' | KAFKA_BROKERS="$KAFKA_BROKERS" wm-kafka-pub -t conf
	consume conf "$BATS_TEST_TMPDIR/out"
	run -0 jq -sre 'map(.id) | join(" ")' "$BATS_TEST_TMPDIR/out"
	[ "$output" = "f e b" ]
	printf 'no.such.prop=1\n' >"$BATS_TEST_TMPDIR/bad.conf"
	run -2 --separate-stderr wm-kafka-pub -F "$BATS_TEST_TMPDIR/bad.conf" -t conf </dev/null
	[[ $stderr == *"bad.conf:1:"*no.such.prop* ]]
	run -2 --separate-stderr env -u KAFKA_BROKERS wm-kafka-pub -t conf </dev/null
	[[ $stderr == *"no brokers"* ]]
	run -2 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" </dev/null
	[[ $stderr == *"no topic"* ]]
}

@test "wm-kafka-pub: files as arguments, - for stdin" {
	records 3 >"$BATS_TEST_TMPDIR/a"
	echo '{"id":"stdin"}' >"$BATS_TEST_TMPDIR/b"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t files "$BATS_TEST_TMPDIR/a" - <"$BATS_TEST_TMPDIR/b"
	consume files "$BATS_TEST_TMPDIR/out"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 4 ]
	run -1 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t files "$BATS_TEST_TMPDIR/nope"
	[[ $stderr == *"open '$BATS_TEST_TMPDIR/nope'"* ]]
}

@test "wm-kafka-pub: a message too large goes to --failed verbatim, the rest is delivered" {
	records 20 >"$BATS_TEST_TMPDIR/in"
	big=$(jq -nc '{id: "big", url: "https://big/", pad: ("x" * 3000)}')
	sed -i "10a\\$big" "$BATS_TEST_TMPDIR/in"
	run -1 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t big \
		-X message.max.bytes=2000 --failed "$BATS_TEST_TMPDIR/failed" <"$BATS_TEST_TMPDIR/in"
	[[ $stderr == *"<stdin>:11: not delivered:"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/failed")" = "$big" ]
	consume big "$BATS_TEST_TMPDIR/out"
	run -0 jq -se 'length == 20 and (map(.id) | index("big") == null)' "$BATS_TEST_TMPDIR/out"
}

@test "wm-kafka-pub: without --failed the undelivered line is on stderr" {
	big=$(head -c 3000 /dev/zero | tr '\0' y)
	run -1 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t big -q \
		-X message.max.bytes=2000 <<<"$big"
	[ "$stderr" = "$big" ]
}

@test "wm-kafka-pub: a line over --max-line is reported with its number" {
	printf '%s\n' one "$(printf '%200s' x)" three >"$BATS_TEST_TMPDIR/in"
	run -1 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t long --max-line 100 \
		<"$BATS_TEST_TMPDIR/in"
	[[ $stderr == *"<stdin>:2: line longer than 100 bytes"* ]]
	consume long "$BATS_TEST_TMPDIR/out"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf 'one\nthree')" ]
}

@test "wm-kafka-pub: a broker down for a while: every line delivered exactly once" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	wm-kafka-pub -b "$KAFKA_BROKERS" -t down -v --failed "$BATS_TEST_TMPDIR/failed" \
		<"$BATS_TEST_TMPDIR/fifo" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	PUB_PID=$!
	exec 4>"$BATS_TEST_TMPDIR/fifo"
	records 3000 50 >"$BATS_TEST_TMPDIR/in"
	head -n 1000 "$BATS_TEST_TMPDIR/in" >&4
	sleep 0.5
	kafka_ctl "down 1"
	sed -n '1001,2000p' "$BATS_TEST_TMPDIR/in" >&4
	sleep 2
	kafka_ctl "up 1"
	sed -n '2001,$p' "$BATS_TEST_TMPDIR/in" >&4
	exec 4>&-
	rc=0
	wait "$PUB_PID" || rc=$?
	[ "$rc" -eq 0 ]
	PUB_PID=
	[ ! -s "$BATS_TEST_TMPDIR/failed" ]
	consume down "$BATS_TEST_TMPDIR/out"
	run -0 jq -se 'length == 3000 and (map(.id) | unique | length == 3000)' "$BATS_TEST_TMPDIR/out"
}

@test "wm-kafka-pub: brokers gone past message.timeout.ms: lines in --failed, exit 1" {
	records 5 >"$BATS_TEST_TMPDIR/in"
	kafka_ctl "down -1"
	run -1 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t gone -X message.timeout.ms=1500 \
		-X webmon.connect.timeout.ms=0 --failed "$BATS_TEST_TMPDIR/failed" <"$BATS_TEST_TMPDIR/in"
	kafka_ctl "up -1"
	cmp <(sort "$BATS_TEST_TMPDIR/in") <(sort "$BATS_TEST_TMPDIR/failed")
	[[ $stderr == *" total: read=5 delivered=0 failed=5 "* ]]
}

@test "wm-kafka-pub: an unknown partition is reported, not dropped" {
	run -1 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t bad -p 7 \
		--failed "$BATS_TEST_TMPDIR/failed" <<<'{"id":"p7"}'
	[ "$(cat "$BATS_TEST_TMPDIR/failed")" = '{"id":"p7"}' ]
	[[ $stderr == *"<stdin>:1: not delivered"* ]]
}

@test "wm-kafka-pub: SIGTERM mid-stream: every line read is delivered or in --failed" {
	# Before: the lines read into the buffer but not yet handed to
	# librdkafka were dropped: 300,000 lines, SIGTERM at 1 MB read,
	# NNP lines neither delivered nor in --failed, exit 0.
	# The input is a file whose description the test shares, so what the
	# program did not read is still there to count.
	local d=$BATS_TEST_TMPDIR
	seq 1 300000 | sed 's/.*/{"id":"&"}/' >"$d/in"
	exec 5<"$d/in"
	# A small queue: reading waits for deliveries, so the signal lands mid-stream.
	wm-kafka-pub -b "$KAFKA_BROKERS" -t termmid --failed "$d/failed" \
		-X queue.buffering.max.messages=2000 \
		<&5 2>"$d/err" 3>&- &
	PUB_PID=$!
	wait_until 30 _read_past "$PUB_PID" 1000000
	kill -TERM "$PUB_PID"
	rc=0
	wait "$PUB_PID" || rc=$?
	PUB_PID=
	cat <&5 >"$d/rest"
	exec 5<&-
	[ -s "$d/rest" ] || flunk "all input read before the signal: nothing tested"
	consume termmid "$d/topic"
	touch "$d/failed"
	echo "# $(wc -l <"$d/topic") delivered, $(wc -l <"$d/failed") failed, $(wc -l <"$d/rest") unread, exit $rc" >&3
	# Nothing lost, nothing twice: delivered + failed + unread = the input.
	cat "$d/topic" "$d/failed" "$d/rest" | sort >"$d/all"
	sort "$d/in" | cmp - "$d/all"
	# The exit status says whether everything read was delivered.
	if [ -s "$d/failed" ]; then [ "$rc" -eq 1 ]; else [ "$rc" -eq 0 ]; fi
}
_read_past() {
	local pos
	pos=$(awk '/^pos:/ { print $2 }' "/proc/$1/fdinfo/0" 2>/dev/null) || return 1
	[ "${pos:-0}" -ge "$2" ]
}

@test "wm-kafka-pub: SIGTERM while brokers are down: undelivered lines in --failed, exit 1" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	kafka_ctl "down -1"
	wm-kafka-pub -b "$KAFKA_BROKERS" -t term --flush-timeout 1 \
		-X webmon.connect.timeout.ms=0 --failed "$BATS_TEST_TMPDIR/failed" \
		<"$BATS_TEST_TMPDIR/fifo" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	PUB_PID=$!
	exec 4>"$BATS_TEST_TMPDIR/fifo"
	records 10 >"$BATS_TEST_TMPDIR/in"
	cat "$BATS_TEST_TMPDIR/in" >&4
	sleep 1
	kill -TERM "$PUB_PID"
	rc=0
	wait "$PUB_PID" || rc=$?
	[ "$rc" -eq 1 ]
	PUB_PID=
	exec 4>&-
	kafka_ctl "up -1"
	cmp <(sort "$BATS_TEST_TMPDIR/in") <(sort "$BATS_TEST_TMPDIR/failed")
}

@test "wm-kafka-pub: SIGTERM while waiting for room, brokers down: it does not wait on" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	records 4000 9 >"$BATS_TEST_TMPDIR/in"
	# batch.size 1000: 4,500 bytes may wait in librdkafka, then it paces
	wm-kafka-pub -v -b "$KAFKA_BROKERS" -t paceterm --flush-timeout 1 \
		-X batch.size=1000 --failed "$BATS_TEST_TMPDIR/failed" \
		<"$BATS_TEST_TMPDIR/fifo" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	PUB_PID=$!
	exec 4>"$BATS_TEST_TMPDIR/fifo"
	head -n 10 "$BATS_TEST_TMPDIR/in" >&4
	# the partition count is known once a line went out
	wait_until 30 topic_has paceterm 10
	kafka_ctl "down -1"
	# it stops reading once librdkafka holds enough: the rest waits in
	# the pipe
	tail -n +11 "$BATS_TEST_TMPDIR/in" >&4 &
	WRITER_PID=$!
	sleep 2
	kill -TERM "$PUB_PID"
	# one signal ends it (a hang guard, not a speed limit)
	wait_until 30 eval '! kill -0 "$PUB_PID" 2>/dev/null'
	rc=0
	wait "$PUB_PID" || rc=$?
	PUB_PID=
	exec 4>&-
	kill "$WRITER_PID" 2>/dev/null || true
	wait "$WRITER_PID" 2>/dev/null || true
	kafka_ctl "up -1"
	[ "$rc" -eq 1 ]
	[[ $(cat "$BATS_TEST_TMPDIR/err") =~ total:.*\ paced=[1-9] ]]
	# every line it read is either in the topic or in --failed, once: the
	# first n lines of the input
	kcat -b "$KAFKA_BROKERS" -C -t paceterm -e -q >"$BATS_TEST_TMPDIR/out"
	sort "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/failed" >"$BATS_TEST_TMPDIR/got"
	n=$(wc -l <"$BATS_TEST_TMPDIR/got")
	[ "$n" -gt 10 ]
	[ -s "$BATS_TEST_TMPDIR/failed" ]
	cmp <(head -n "$n" "$BATS_TEST_TMPDIR/in" | sort) "$BATS_TEST_TMPDIR/got"
}

# kcat's producer flags, checked against kcat itself: what kcat -C shows of
# a message from wm-kafka-pub and from kcat -P with the same flags.

@test "wm-kafka-pub: -H adds headers to every message, as kcat -P -H" {
	records 30 3 >"$BATS_TEST_TMPDIR/in"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t hdr -H a=1 -H flag -H a=two -H 'eq=x=y' \
		<"$BATS_TEST_TMPDIR/in"
	kcat -P -b "$KAFKA_BROKERS" -t hdrk -H a=1 -H flag -H a=two -H 'eq=x=y' <"$BATS_TEST_TMPDIR/in"
	consume hdr "$BATS_TEST_TMPDIR/out" -f '%h|%s\n'
	consume hdrk "$BATS_TEST_TMPDIR/want" -f '%h|%s\n'
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" = 30 ]
	cmp <(sort "$BATS_TEST_TMPDIR/out") <(sort "$BATS_TEST_TMPDIR/want")
	grep -q '^a=1,flag=NULL,a=two,eq=x=y|{"id":"id-1",' "$BATS_TEST_TMPDIR/out"
	# the url is still the key, each url in one partition
	consume hdr "$BATS_TEST_TMPDIR/json" -J
	run -0 jq -se 'all(.[]; .key == (.payload | fromjson | .url)) and
		(group_by(.key) | length == 3 and all(.[]; (map(.partition) | unique | length) == 1))' \
		"$BATS_TEST_TMPDIR/json"
	run -2 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t hdr -H =v </dev/null
	[[ $stderr == *"-H '=v': expected name=value or name"* ]]
}

@test "wm-kafka-pub: -D splits the input at a delimiter with kcat's escapes, -K too" {
	printf 'k1\tv1\x1ek2\tv\n2\x1e\x1enokey\x1ek3\tlast' >"$BATS_TEST_TMPDIR/in"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t dlm -D '\x1e' -K '\t' <"$BATS_TEST_TMPDIR/in"
	kcat -P -b "$KAFKA_BROKERS" -t dlmk -D '\x1e' -K '\t' <"$BATS_TEST_TMPDIR/in"
	consume dlm "$BATS_TEST_TMPDIR/out" -J
	consume dlmk "$BATS_TEST_TMPDIR/want" -J
	# kcat skips the empty record; wm-kafka-pub sends it, empty
	run -0 jq -sce 'map([.key, .payload])' "$BATS_TEST_TMPDIR/out"
	[ "$output" = '[["k1","v1"],["k2","v\n2"],[null,""],[null,"nokey"],["k3","last"]]' ]
	run -0 jq -sce 'map([.key, .payload])' "$BATS_TEST_TMPDIR/want"
	[ "$output" = '[["k1","v1"],["k2","v\n2"],[null,"nokey"],["k3","last"]]' ]
	run -2 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t dlm -D '' </dev/null
	[[ $stderr == *"the delimiter must not be empty"* ]]
	run -2 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t dlm -D '\xzz' </dev/null
	[[ $stderr == *"expects a hex number"* ]]
}

@test "wm-kafka-pub: -Z sends an empty value as NULL and an empty key as none, as kcat -P -Z" {
	printf '%s\n' 'k:' ':v' ':' 'k:v' 'plain' >"$BATS_TEST_TMPDIR/in"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t nulw -Z -K : <"$BATS_TEST_TMPDIR/in"
	kcat -P -b "$KAFKA_BROKERS" -t nulk -Z -K : <"$BATS_TEST_TMPDIR/in"
	consume nulw "$BATS_TEST_TMPDIR/out" -J
	consume nulk "$BATS_TEST_TMPDIR/want" -J
	run -0 jq -sce 'map([.key, .payload])' "$BATS_TEST_TMPDIR/out"
	[ "$output" = '[["k",null],[null,"v"],[null,null],["k","v"],[null,"plain"]]' ]
	cmp <(jq -c '[.key, .payload]' "$BATS_TEST_TMPDIR/out") \
		<(jq -c '[.key, .payload]' "$BATS_TEST_TMPDIR/want")
	# an empty line, which kcat skips, is a NULL message with -Z
	printf '\n' | wm-kafka-pub -b "$KAFKA_BROKERS" -t nulw -Z --key-field ''
	consume nulw "$BATS_TEST_TMPDIR/out" -J
	run -0 jq -se '.[-1] | .key == null and .payload == null' "$BATS_TEST_TMPDIR/out"
}

@test "wm-kafka-pub: -k keys the lines without the -K delimiter, as kcat" {
	printf '%s\n' 'a:1' '2' ':3' >"$BATS_TEST_TMPDIR/in"
	run -0 wm-kafka-pub -b "$KAFKA_BROKERS" -t kkw -K : -k fixed <"$BATS_TEST_TMPDIR/in"
	kcat -P -b "$KAFKA_BROKERS" -t kkk -K : -k fixed <"$BATS_TEST_TMPDIR/in"
	consume kkw "$BATS_TEST_TMPDIR/out" -J
	consume kkk "$BATS_TEST_TMPDIR/want" -J
	run -0 jq -sce 'map([.key, .payload])' "$BATS_TEST_TMPDIR/out"
	[ "$output" = '[["a","1"],["fixed","2"],["","3"]]' ]
	cmp <(jq -c '[.key, .payload]' "$BATS_TEST_TMPDIR/out") \
		<(jq -c '[.key, .payload]' "$BATS_TEST_TMPDIR/want")
}

@test "wm-kafka-pub: -T echoes every line read to stdout; -l is taken" {
	records 50 >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t tee -T -l "$BATS_TEST_TMPDIR/in"
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/in")" ]
	printf 'a|b|' | wm-kafka-pub -b "$KAFKA_BROKERS" -t tee -T -D '|' >"$BATS_TEST_TMPDIR/out"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = 'a|b|' ]
	# a closed stdout stops the reading; what was read is delivered
	run -0 --separate-stderr bash -c "yes '{\"url\":\"u\"}' | head -n 300000 |
		wm-kafka-pub -b '$KAFKA_BROKERS' -t tee -T -v | head -n 1"
	[ "$output" = '{"url":"u"}' ]
	run -2 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t tee -T --failed - </dev/null
	[[ $stderr == *"-T and --failed - would both write to stdout"* ]]
}

@test "wm-kafka-pub: --failed holds records as read, with the -D and -K delimiters" {
	big=$(head -c 3000 /dev/zero | tr '\0' y)
	printf 'k1;small|k2;%s|nokey%s|' "$big" "$big" >"$BATS_TEST_TMPDIR/in"
	run -1 --separate-stderr wm-kafka-pub -b "$KAFKA_BROKERS" -t dfail -D '|' -K ';' \
		-H h=v -X message.max.bytes=2000 --failed "$BATS_TEST_TMPDIR/failed" <"$BATS_TEST_TMPDIR/in"
	[ "$(cat "$BATS_TEST_TMPDIR/failed")" = "k2;$big|nokey$big|" ]
	consume dfail "$BATS_TEST_TMPDIR/out" -f '%k %h %s\n'
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "k1 h=v small" ]
}
