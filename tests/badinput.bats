#!/usr/bin/env bats
# Bad input through every program: malformed JSON, invalid UTF-8, NUL bytes,
# a 10 MB line, blank lines, CRLF, huge numbers, SQL-looking strings, header
# injection, file:// and gopher:// URLs. Each program names the bad line,
# passes the rest on, and ends by itself with a documented exit status and
# no sanitizer report. `timeout 60` is only a guard against hangs.

load test_helper
load helpers/http
load helpers/kafka
load helpers/pg

setup_file() {
	http_start
	kafka_start 1 recs:1 subbad:1
	pg_start
	pq -f "$ROOT/sql/schema.sql" >/dev/null
	C=$BATS_FILE_TMPDIR/corpus
	"$FIXTURES/badinput/gen.sh" "$C" "$HTTP_URL"
	export C
}

teardown_file() {
	pg_stop
	kafka_stop
	http_stop
}

# runio OUT ERR CMD...: `run` CMD under the hang guard, its stdout and
# stderr in files (a plain `run` would swallow a 2> redirection).
runio() {
	local out=$1 err=$2
	shift 2
	run timeout 60 sh -c 'o=$1 e=$2; shift 2; exec "$@" >"$o" 2>"$e"' \
		sh "$out" "$err" "$@"
}

# sane FILE: the last `run` ended by itself with a documented status (0-3,
# not a signal or the hang guard) and FILE (its stderr) has no sanitizer report.
sane() {
	[ "$status" -le 3 ] || flunk "exit status $status (signal, timeout or crash)"
	if grep -a -q -e 'Sanitizer' -e 'runtime error:' "$1"; then
		grep -a -m 5 -e 'Sanitizer' -e 'runtime error:' "$1" >&2
		flunk "sanitizer report in $1"
	fi
}

# ---- wm-probe --------------------------------------------------------------

@test "wm-probe: every bad sites line is named FILE:LINE, the good ones are probed" {
	T=$BATS_TEST_TMPDIR
	runio "$T/out" "$T/err" wm-probe "$C/sites.txt"
	sane "$T/err"
	[ "$status" -eq 3 ]
	# One message per bad line, naming it; nothing about the others.
	for n in $(cat "$C/sites.bad"); do
		grep -a -q "^wm-probe: $C/sites.txt:$n: " "$T/err" ||
			flunk "no message for line $n"
	done
	for n in $(cat "$C/sites.good"); do
		! grep -a -q "^wm-probe: $C/sites.txt:$n: " "$T/err" ||
			flunk "good line $n reported"
	done
	# Every message is one line (control characters escaped).
	run -0 grep -a -c "^wm-probe: $C/sites.txt:[0-9]*: " "$T/err"
	[ "$output" -eq "$(wc -l <"$C/sites.bad")" ]
	# One valid result per good line (and at most one for the bare URL with
	# invalid UTF-8, see the next test).
	run -0 jq -s 'length' "$T/out"
	[ "$output" -ge "$(wc -l <"$C/sites.good")" ]
	[ "$output" -le "$(($(wc -l <"$C/sites.good") + 1))" ]
	run -0 jq -e -s 'map(select(.name == "crlf")) | length == 1 and
		(.[0].url | endswith("/ok")) and .[0].ok' "$T/out"
	run -0 jq -e -s 'map(select(.name == "'"'"'; DROP TABLE wm_results; --")) |
		length == 1 and .[0].ok' "$T/out"
	run -0 jq -e -s 'map(select(.name == "after-big")) | length == 1 and .[0].ok' "$T/out"
	run -0 jq -e -s 'map(select(.url | endswith("/ok?eof"))) | length == 1' "$T/out"
}

@test "wm-probe: redirects to file:// and gopher:// fail the probe, nothing is read" {
	T=$BATS_TEST_TMPDIR
	runio "$T/out" "$T/err" wm-probe "$C/sites.txt"
	sane "$T/err"
	for n in to-file to-gopher; do
		run -0 jq -e -s --arg n "$n" 'map(select(.name == $n)) | length == 1 and
			(.[0].ok | not) and .[0].error == "protocol" and .[0].status == 302' "$T/out"
	done
	! grep -a -q 'root:' "$T/out"
}

@test "wm-probe: header and method injection never reach the server" {
	T=$BATS_TEST_TMPDIR
	http_reset
	runio "$T/out" "$T/err" wm-probe "$C/sites.txt"
	sane "$T/err"
	# The only /echo request is the clean one, and it carried no injected header.
	run -0 jq -e -s 'map(select(.name == "echo")) | length == 1 and
		.[0].status == 200 and .[0].match == false' "$T/out"
	run -0 http_stats /echo
	[ "$(jq .hits <<<"$output")" -eq 1 ]
}

@test "wm-probe: file:// and gopher:// URL arguments are refused as bad usage" {
	T=$BATS_TEST_TMPDIR
	for u in file:///etc/passwd gopher://127.0.0.1:70/; do
		runio "$T/out" "$T/err" wm-probe -u "$u" -u "$HTTP_URL/ok"
		sane "$T/err"
		[ "$status" -eq 2 ]
		grep -a -q "^wm-probe: bad url '$u': only http:// and https://" "$T/err"
		[ ! -s "$T/out" ]
	done
}

@test "wm-probe: a bare URL with invalid UTF-8 is refused with its line number" {
	# webmon(7): sites are UTF-8 and url "is copied unchanged to the results".
	T=$BATS_TEST_TMPDIR
	n=$(cat "$C/sites.utf8")
	sed -n "${n}p" "$C/sites.txt" >"$T/site"
	runio "$T/out" "$T/err" wm-probe "$T/site"
	sane "$T/err"
	[ "$status" -eq 3 ]
	grep -a -q "^wm-probe: $T/site:1: bad url: not valid UTF-8" "$T/err"
	[ ! -s "$T/out" ]
}

@test "wm-probe: blank, CRLF and NUL-only input on stdin" {
	T=$BATS_TEST_TMPDIR
	printf '\r\n\n   \r\n\0\n' >"$T/in"
	runio "$T/out" "$T/err" wm-probe <"$T/in"
	sane "$T/err"
	[ "$status" -eq 3 ]
	grep -a -q '^wm-probe: <stdin>:4: ' "$T/err"
	[ ! -s "$T/out" ]
}

# ---- wm-kafka-pub ----------------------------------------------------------

@test "wm-kafka-pub: every line but the 10 MB one reaches the topic; that one is named" {
	T=$BATS_TEST_TMPDIR
	runio /dev/null "$T/err" wm-kafka-pub -b "$KAFKA_BROKERS" -t recs \
		--failed "$T/failed" "$C/records.ndjson"
	sane "$T/err"
	[ "$status" -eq 1 ]
	big=$(tail -n 1 "$C/records.bad")	# the 10 MB line
	grep -a -q "records.ndjson:$big: not delivered" "$T/err"
	run -0 cmp "$T/failed" <(sed -n "${big}p" "$C/records.ndjson")
	# Everything else is in the topic, byte for byte (CR before LF dropped).
	timeout 60 kcat -C -b "$KAFKA_BROKERS" -t recs -e -q -D '\x1e' -f '%s\x1e' >"$T/got"
	sed "${big}d; s/\r\$//" "$C/records.ndjson" >"$T/want"
	printf '\n' >>"$T/want"
	tr '\036' '\n' <"$T/got" >"$T/got.lines"
	run -0 cmp "$T/got.lines" "$T/want"
}

@test "wm-kafka-pub: with message.max.bytes raised the 10 MB line goes through" {
	T=$BATS_TEST_TMPDIR
	runio /dev/null "$T/err" wm-kafka-pub -b "$KAFKA_BROKERS" -t big10 \
		-X message.max.bytes=20000000 "$C/big.line"
	sane "$T/err"
	[ "$status" -eq 0 ]
	! grep -a -q 'not delivered' "$T/err"
}

@test "wm-kafka-pub: a line longer than --max-line is named and the rest is sent" {
	T=$BATS_TEST_TMPDIR
	{ echo '{"url":"a"}'; cat "$C/big.line"; echo; echo '{"url":"b"}'; } >"$T/in"
	runio /dev/null "$T/err" wm-kafka-pub -b "$KAFKA_BROKERS" -t maxline \
		--max-line 1000000 "$T/in"
	sane "$T/err"
	[ "$status" -eq 1 ]
	grep -a -q "$T/in:2: line longer than 1000000 bytes" "$T/err"
	run -0 timeout 60 kcat -C -b "$KAFKA_BROKERS" -t maxline -e -q
	[ "${#lines[@]}" -eq 2 ]
}

# ---- wm-kafka-sub ----------------------------------------------------------

@test "wm-kafka-sub: bad payloads come out as lines, a newline payload is named and skipped" {
	T=$BATS_TEST_TMPDIR
	# Messages separated by 0x1e so that one can hold a newline. The big one
	# is 4 MiB: the mock cluster serves no fetch of a message of 8 MB or more
	# (kcat cannot read it back either), so 10 MB is tested on the producer.
	{
		printf '{"id":1}\036'
		printf '{"id":\036'				# malformed
		printf '{"name":"\xff\xfe"}\036'		# invalid UTF-8
		printf '{"id":"a\0b"}\036'			# NUL byte (kcat sends no empty message)
		printf '{"id":2}\r\036'			# CR at the end
		printf '{"n":1e400,"m":123456789012345678901234567890}\036'
		printf '{"name":"'"'"'; DROP TABLE wm_results; --"}\036'
		printf '{"a":1,\n"b":2}\036'			# embedded newline: offset 7
		head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' a
		printf '\036{"id":3}\036'
	} >"$T/msgs"
	timeout 60 kcat -P -b "$KAFKA_BROKERS" -t subbad -p 0 -D '\x1e' \
		-X message.max.bytes=20000000 <"$T/msgs"
	runio "$T/out" "$T/err" wm-kafka-sub -b "$KAFKA_BROKERS" -t subbad -e \
		-X fetch.max.bytes=20000000 -X receive.message.max.bytes=30000000 \
		-X fetch.message.max.bytes=20000000
	sane "$T/err"
	[ "$status" -eq 3 ]
	grep -a -q "'subbad' \[0\] at offset 7: payload contains a newline, skipped" "$T/err"
	# Every other non-empty message is one output line, byte for byte.
	run -0 grep -a -c '' "$T/out"
	[ "$output" -eq 9 ]
	head -n 1 "$T/out" | grep -q -x '{"id":1}'
	tail -n 1 "$T/out" | grep -q -x '{"id":3}'
	run -0 grep -a -c -x 'a*' "$T/out"
	[ "$output" -eq 1 ]
	# The NUL byte and the invalid UTF-8 are passed on as they are.
	[ "$(tr -d -c '\000' <"$T/out" | wc -c)" -eq 1 ]
	LC_ALL=C grep -a -q -x -F "$(printf '{"name":"\xff\xfe"}')" "$T/out"
}

# ---- wm-pg-copy ------------------------------------------------------------

@test "wm-pg-copy: every bad record is rejected with its line number, the good ones stored" {
	T=$BATS_TEST_TMPDIR
	pq -c 'TRUNCATE wm_results'
	runio "$T/out" "$T/err" wm-pg-copy -t wm_results --key id --reject "$T/rej" \
		<"$C/records.ndjson"
	sane "$T/err"
	[ "$status" -eq 3 ]
	run -0 jq -s 'map(.line) | sort | map(tostring) | join(" ")' -r "$T/rej"
	[ "$output" = "$(sort -n "$C/records.bad" | tr '\n' ' ' | sed 's/ $//')" ]
	run -0 jq -e -s 'all(.[]; (.error | length) > 0 and (.input | type) == "string")' "$T/rej"
	# The good records are all there, unchanged.
	run -0 pq -c 'SELECT count(*) FROM wm_results'
	[ "$output" -eq "$(wc -l <"$C/records.good")" ]
	run -0 pq -c "SELECT count(*) FROM wm_results WHERE name = '''; DROP TABLE wm_results; --'"
	[ "$output" -eq 1 ]
	run -0 pq -c "SELECT detail = E'\\\\N\\t\\\\\\\\.\\n\\\\.' FROM wm_results WHERE detail IS NOT NULL AND url LIKE '%/ok'"
	[ "$output" = t ]
	run -0 pq -c "SELECT count(*) FROM wm_results WHERE url = 'file:///etc/passwd'"
	[ "$output" -eq 1 ]
	run -0 pq -c "SELECT name FROM wm_results WHERE name IN ('crlf', 'after-big', 'no-newline') ORDER BY name"
	[ "$output" = "$(printf 'after-big\ncrlf\nno-newline')" ]
}

@test "wm-pg-copy: the same corpus again stores nothing twice" {
	T=$BATS_TEST_TMPDIR
	pq -c 'TRUNCATE wm_results'
	for i in 1 2; do
		runio /dev/null "$T/err" wm-pg-copy -t wm_results --key id \
			--reject "$T/rej" <"$C/records.ndjson"
		sane "$T/err"
		[ "$status" -eq 3 ]
	done
	run -0 pq -c 'SELECT count(*) FROM wm_results'
	[ "$output" -eq "$(wc -l <"$C/records.good")" ]
}

@test "wm-pg-copy: --strict rejects unknown keys, names their lines" {
	T=$BATS_TEST_TMPDIR
	pq -c 'TRUNCATE wm_results'
	runio /dev/null "$T/err" wm-pg-copy -t wm_results --strict \
		--reject "$T/rej" <"$C/records.ndjson"
	sane "$T/err"
	[ "$status" -eq 3 ]
	hdr=$(grep -a -n '"headers"' "$C/records.ndjson" | cut -d: -f1)
	run -0 jq -e -s --argjson n "$hdr" \
		'map(select(.line == $n)) | length == 1 and (.[0].error | test("headers"))' "$T/rej"
}
