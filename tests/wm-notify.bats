#!/usr/bin/env bats
# wm-notify: events to webhooks (the fixture's /hook/NAME records posts) and
# commands; retries, failures, digests, routing, nothing delivered twice.

load test_helper
load helpers/http

setup_file() {
	http_start
}

teardown_file() {
	http_stop
}

setup() {
	T="$BATS_TEST_TMPDIR"
	H="hook$BATS_TEST_NUMBER"
}

# events N [KIND [FIRST]]: N event lines of targets https://sI.example/.
events() {
	local n=$1 kind=${2:-down} first=${3:-1} i state=down prev=up
	[ "$kind" = up ] && state=up prev=down
	for ((i = first; i < first + n; i++)); do
		printf '{"id":"00000000-0000-5000-8000-%012d","ts":"2026-11-20T10:00:00.000000Z","kind":"%s","url":"https://s%d.example/","name":"S%d","probe":"p1","tags":{"team":"web"},"state":"%s","previous":"%s","started":"2026-11-20T09:58:00.000000Z","previous_since":null,"checks":%d,"failures":3,"error":"connect","detail":"refused","probes_down":null,"probes":null}\n' \
			"$i" "$kind" "$i" "$i" "$state" "$prev" "$((i + 10))"
	done
}

# dead PID: the process is gone or a zombie.
dead() {
	[ ! -e "/proc/$1/stat" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# posts NAME: the posts the fixture recorded for /hook/NAME, as NDJSON.
posts() {
	curl -s "$HTTP_URL/hooks/$1"
}

@test "each event is POSTed once as JSON, its id in the body and X-Webmon-Event" {
	events 3 >"$T/ev"
	run --separate-stderr wm-notify --webhook "$HTTP_URL/hook/$H" <"$T/ev"
	[ "$status" -eq 0 ] || flunk "$stderr"
	posts "$H" >"$T/got"
	run jq -sc 'map(.event == (.body | fromjson | .id)) | [length, all]' "$T/got"
	[ "$output" = '[3,true]' ]
	# Without a template the body is the event as it came.
	jq -c '.body | fromjson' "$T/got" >"$T/bodies"
	run jq -sc --slurpfile a "$T/ev" '. == $a' "$T/bodies"
	[ "$output" = true ]
}

@test "500 twice then 200: retried with backoff, delivered once" {
	events 1 >"$T/ev"
	run --separate-stderr wm-notify --webhook "$HTTP_URL/hook/$H?fail=2" <"$T/ev"
	[ "$status" -eq 0 ]
	[ "$(posts "$H" | wc -l)" -eq 1 ]
	[[ $stderr == *"HTTP status 500; retrying in 0.5 s"* ]]
	[[ $stderr == *"HTTP status 500; retrying in 1.0 s"* ]]
	[ "$(http_stats "/hook/$H" | jq .hits)" -eq 3 ]
}

@test "404 is reported, not retried; the event is set aside verbatim, exit 1" {
	events 2 >"$T/ev"
	run --separate-stderr wm-notify --webhook "$HTTP_URL/hook/$H?fail=9&code=404" \
		--failed "$T/failed" <"$T/ev"
	[ "$status" -eq 1 ]
	[[ $stderr == *"HTTP status 404; 1 events set aside in $T/failed"* ]]
	[[ $stderr != *retrying* ]]
	cmp "$T/ev" "$T/failed"
	[ "$(http_stats "/hook/$H" | jq .hits)" -eq 2 ]
}

@test "a hanging receiver times out and is retried up to --retry-for, then fails" {
	events 1 >"$T/ev"
	run --separate-stderr wm-notify --webhook "$HANG_URL" --timeout 0.5 \
		--retry-for 1.5 --failed "$T/failed" <"$T/ev"
	[ "$status" -eq 1 ]
	[[ $stderr == *"Timeout was reached; retrying"* ]] || flunk "$stderr"
	cmp "$T/ev" "$T/failed"
}

@test "--state: a restart never delivers a recorded id again" {
	events 3 >"$T/ev"
	wm-notify --webhook "$HTTP_URL/hook/$H" --state "$T/st" <"$T/ev"
	[ "$(wc -l <"$T/st")" -eq 3 ]
	{ events 3; events 2 down 4; } >"$T/ev2"
	run --separate-stderr wm-notify -v --webhook "$HTTP_URL/hook/$H" --state "$T/st" <"$T/ev2"
	[ "$status" -eq 0 ]
	[[ $stderr == *" total: delivered=2 notifications=2 already_delivered=3 "* ]]
	run jq -r .event <(posts "$H")
	[ "${#lines[@]}" -eq 5 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 5 ]
	# A state file cut inside a line (a crash mid-append) still loads.
	printf '00000000-0000-5000' >>"$T/st"
	run -0 wm-notify --webhook "$HTTP_URL/hook/$H" --state "$T/st" <"$T/ev2"
	[ "$(posts "$H" | wc -l)" -eq 5 ]
}

@test "--group-wait: a storm of 1000 events is one digest" {
	{ events 900; events 100 up 2000; } >"$T/ev"
	run --separate-stderr wm-notify --group-wait 1 --webhook "$HTTP_URL/hook/$H" \
		--state "$T/st" <"$T/ev"
	[ "$status" -eq 0 ]
	posts "$H" >"$T/got"
	[ "$(wc -l <"$T/got")" -eq 1 ]
	run jq -c '.body | fromjson | [.kind, .count, (.events | length), (.text | split("\n")[0]), .id]' "$T/got"
	[[ $output == '["digest",1000,1000,"900 down, 100 up","'* ]] || flunk "$output"
	[ "$(jq -r .event "$T/got")" = "$(jq -r '.body | fromjson | .id' "$T/got")" ]
	[ "$(wc -l <"$T/st")" -eq 1000 ]
}

@test "--template renders event fields; \"{{key}}\" alone keeps its type" {
	events 1 >"$T/ev"
	printf '%s\n' '{"msg": "{{kind}} {{url}} ({{probe}}): {{text}}", "n": "{{checks}}",' \
		'"tags": "{{tags}}", "act": "{{action}}", "secret": "{{env.WM_TEST_SECRET}}", "fixed": [1, "x"]}' >"$T/tpl"
	WM_TEST_SECRET=s3 wm-notify --webhook "$HTTP_URL/hook/$H" --template "$T/tpl" <"$T/ev"
	run jq -c '.body | fromjson' <(posts "$H")
	[ "$output" = '{"msg":"down https://s1.example/ (p1): DOWN https://s1.example/ (p1): connect, refused at 2026-11-20T10:00:00.000000Z","n":11,"tags":{"team":"web"},"act":"trigger","secret":"s3","fixed":[1,"x"]}' ] ||
		flunk "$output"
}

@test "examples/notify templates render every event kind and a digest to JSON" {
	local k i=0
	for k in down up degraded cert_expiring stale fresh; do
		i=$((i + 1))
		events 1 down "$i" | sed "s/\"kind\":\"down\"/\"kind\":\"$k\"/"
	done >"$T/ev"
	for t in slack teams pagerduty ntfy generic; do
		PAGERDUTY_ROUTING_KEY=rk NTFY_TOPIC=tp wm-notify --webhook "$HTTP_URL/hook/$H-$t" \
			--template "$ROOT/examples/notify/$t.json" <"$T/ev"
		PAGERDUTY_ROUTING_KEY=rk NTFY_TOPIC=tp wm-notify --group-wait 0.5 \
			--webhook "$HTTP_URL/hook/$H-$t" --template "$ROOT/examples/notify/$t.json" <"$T/ev"
		run jq -s 'map(.body | fromjson) | length' <(posts "$H-$t")
		[ "$output" -eq 7 ] || flunk "$t: $output"
	done
	run jq -sc 'map(.body | fromjson | .event_action)' <(posts "$H-pagerduty")
	[ "$output" = '["trigger","resolve","trigger","trigger","trigger","resolve","trigger"]' ]
	run jq -sc 'map(.body | fromjson | .routing_key) | unique' <(posts "$H-pagerduty")
	[ "$output" = '["rk"]' ]
}

@test "--exec: the body on stdin, the fields in WM_* variables" {
	events 2 >"$T/ev"
	OUT="$T/out" wm-notify --exec 'cat >>"$OUT.body"; echo "$WM_ID $WM_KIND $WM_URL $WM_CHECKS $WM_PROBES" >>"$OUT"' <"$T/ev"
	run cat "$T/out"
	[ "${lines[0]}" = "00000000-0000-5000-8000-000000000001 down https://s1.example/ 11 " ]
	[ "${#lines[@]}" -eq 2 ]
	cmp "$T/ev" "$T/out.body"
}

@test "--exec: a failing command is retried, then the event set aside" {
	events 1 >"$T/ev"
	run --separate-stderr wm-notify --exec 'echo x >>"'"$T"'/tries"; exit 7' \
		--retry-for 1 --failed "$T/failed" <"$T/ev"
	[ "$status" -eq 1 ]
	[[ $stderr == *"command exited with status 7; retrying"* ]]
	[ "$(wc -l <"$T/tries")" -ge 2 ]
	cmp "$T/ev" "$T/failed"
}

@test "--exec: a field too long for the environment is cut at 64 KiB, whole on stdin" {
	head -c 200000 /dev/zero | tr '\0' x >"$T/detail"
	events 1 | jq -c --rawfile d "$T/detail" '.detail = $d' >"$T/ev"
	wm-notify --exec 'cat >"'"$T"'/body"; printf %s "$WM_DETAIL" | wc -c >"'"$T"'/len"' <"$T/ev"
	[ "$(cat "$T/len")" -eq 65536 ]
	cmp "$T/ev" "$T/body"
}

@test "--exec: a command that never reads a large body is killed at --timeout" {
	# 200 kB does not fit in the pipe: writing it must not wait for the
	# command, and the command's own children die with it.
	head -c 200000 /dev/zero | tr '\0' x >"$T/detail"
	events 1 | jq -c --rawfile d "$T/detail" '.tags.note = $d' >"$T/ev"
	run --separate-stderr wm-notify --exec 'sleep 30 & echo $! >"'"$T"'/pid"; wait' \
		--timeout 0.5 --retry-for 1 --failed "$T/failed" <"$T/ev"
	[ "$status" -eq 1 ]
	[[ $stderr == *"command timed out"* ]]
	cmp "$T/ev" "$T/failed"
	# killed: gone, or a zombie until whoever inherited it reaps it
	wait_until 10 dead "$(cat "$T/pid")"
}

@test "--match routes by kind, tag and url glob" {
	{ events 2 down; events 2 up 3; events 1 down 30; } >"$T/ev"
	run --separate-stderr wm-notify -v --match kind=down --match 'url=https://s?.example/*' \
		--match tags.team=web --webhook "$HTTP_URL/hook/$H" <"$T/ev"
	[ "$status" -eq 0 ]
	[[ $stderr == *" total: delivered=2 "*" unmatched=3 "* ]]
	run jq -r '.body | fromjson | .url' <(posts "$H")
	[ "${lines[*]}" = "https://s1.example/ https://s2.example/" ]
	run -2 --separate-stderr wm-notify --match kind --webhook "$HTTP_URL/hook/$H"
}

@test "the URL and headers come from a file or the environment, not the command line" {
	events 1 >"$T/ev"
	printf '%s\n' "$HTTP_URL/echo/x" "Authorization: Bearer t0ken" >"$T/hook"
	printf '%s\n' "$HTTP_URL/hook/$H" "Authorization: Bearer t0ken" >"$T/hook2"
	wm-notify --webhook-file "$T/hook2" <"$T/ev"
	[ "$(posts "$H" | wc -l)" -eq 1 ]
	WM_WEBHOOK_URL="$HTTP_URL/hook/$H" wm-notify <"$T/ev"
	[ "$(posts "$H" | wc -l)" -eq 2 ]
	# A failure names no secret.
	printf '%s\n' "http://127.0.0.1:1/s3cret-path" >"$T/hook3"
	run --separate-stderr wm-notify --webhook-file "$T/hook3" --retry-for 0 <"$T/ev"
	[ "$status" -eq 1 ]
	[[ $stderr != *s3cret* ]]
	run -2 --separate-stderr wm-notify <"$T/ev"
	run -1 --separate-stderr wm-notify --webhook ftp://x/ <"$T/ev"
}

@test "--ack: the count of input lines done, written after each is recorded" {
	{ events 3; echo 'not json'; events 1 down 9; } >"$T/ev"
	: >"$T/ack"
	run --separate-stderr wm-notify --webhook "$HTTP_URL/hook/$H" --state "$T/st" \
		--ack "$T/ack" <"$T/ev"
	[ "$status" -eq 3 ]
	[[ $stderr == *"<stdin>:4: "* ]]
	# lib/ack.h lines: wmack1 STREAM CHAN RUN BASE COUNT
	run awk 'END { print $1, $6 }' "$T/ack"
	[ "$output" = "wmack1 5" ]
	: >"$T/ack2"
	run -0 --separate-stderr wm-notify --webhook "$HTTP_URL/hook/$H" --group-wait 0.3 \
		--ack "$T/ack2" < <(events 4)
	run awk 'END { print $6 }' "$T/ack2"
	[ "$output" -eq 4 ]
}

@test "usage errors exit 2; --help and -V exit 0" {
	run -2 --separate-stderr wm-notify --webhook x --exec y
	[[ $stderr == "wm-notify: expected one of --webhook"* ]]
	run -2 --separate-stderr wm-notify --retry-for abc --webhook http://x/
	run -0 wm-notify --help
	[[ $output == usage:* ]]
	run -0 wm-notify -V
	[[ $output == "wm-notify webmon-"* ]]
}

@test "SIGTERM sends the digest it holds, records it, exits 0" {
	mkfifo "$T/feed"
	{ events 5; sleep 30; } >"$T/feed" &
	FEEDER=$!
	wm-notify --group-wait 60 --webhook "$HTTP_URL/hook/$H" --state "$T/st" \
		<"$T/feed" 2>"$T/err" &
	NP=$!
	# Time to read the five lines; none is sent before the window ends.
	sleep 2
	[ -z "$(posts "$H")" ]
	kill -TERM "$NP"
	wait "$NP" || flunk "exit $?: $(cat "$T/err")"
	kill "$FEEDER" 2>/dev/null || true
	run jq -c '.body | fromjson | [.kind, .count]' <(posts "$H")
	[ "$output" = '["digest",5]' ]
	[ "$(wc -l <"$T/st")" -eq 5 ]
}
