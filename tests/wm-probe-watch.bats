#!/usr/bin/env bats
# wm-probe --watch: per-site intervals, no overlap, reload, shutdown, shards,
# stats. Intervals are fractions of a second; the tests count results over
# a window with wide margins and never assert how fast anything ran.

load test_helper
load helpers/http

setup_file() {
	http_start
}

teardown_file() {
	http_stop
}

setup() {
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
	ERR="$BATS_TEST_TMPDIR/err"
	SITES="$BATS_TEST_TMPDIR/sites.txt"
	WPID=
}

teardown() {
	if [ -n "$WPID" ]; then
		kill -KILL "$WPID" 2>/dev/null || true
		wait "$WPID" 2>/dev/null || true
	fi
}

# watch_start ARGS...: wm-probe --watch ARGS in the background, output in
# $OUT and $ERR, its pid in WPID.
watch_start() {
	wm-probe --watch "$@" >"$OUT" 2>"$ERR" 3>&- &
	WPID=$!
}

# watch_stop [SIG]: signal wm-probe and wait for it; its status in WRC.
watch_stop() {
	kill -"${1:-TERM}" "$WPID"
	WRC=0
	wait "$WPID" || WRC=$?
	WPID=
}

# count URL: how many results for URL are in $OUT so far.
count() {
	jq -R --arg u "$1" 'fromjson? | select(.url == $u)' "$OUT" | jq -s length
}

# at_least N URL: true once $OUT holds N results for URL.
at_least() {
	[ "$(count "$2")" -ge "$1" ]
}

# inflight NAME N: the fixture has N requests in flight on site NAME.
inflight() {
	[ "$(http_stats "/site/$BATS_TEST_NUMBER-$1" | jq .inflight)" -eq "$2" ]
}

# lines_ge N PATTERN FILE: FILE has at least N lines matching PATTERN.
lines_ge() {
	[ "$(grep -c -e "$2" "$3")" -ge "$1" ]
}

# some_url_ge N FILE: some url has at least N results in FILE.
some_url_ge() {
	jq -e -s --argjson n "$1" 'group_by(.url) | map(length) | max >= $n' \
		"$2" >/dev/null 2>&1
}

# urls_ge N FILE: FILE has results for at least N distinct urls.
urls_ge() {
	jq -e -s --argjson n "$1" 'map(.url) | unique | length >= $n' \
		"$2" >/dev/null 2>&1
}

# no_overlap FILE [URL]: in FILE, each result of URL (of any url when none
# is given) started after the one before it had finished (start time plus
# total time; 50 ms of slack for the two clocks).
no_overlap() {
	jq -e -s --arg u "${2-}" '
		def t: (.ts[0:19] + "Z" | fromdate) + (.ts[19:26] | tonumber);
		map(select($u == "" or .url == $u) | t as $s
			| {s: $s, e: ($s + .time_ms / 1000)}) | sort_by(.s)
		| length >= 2 and
		  ([range(1; length) as $i | .[$i].s >= .[$i - 1].e - 0.05] | all)
	' "$1"
}

# A site whose path names it: distinct per test, so /stats are per test.
site() {
	echo "$HTTP_URL/site/$BATS_TEST_NUMBER-$1"
}

@test "watch: each site keeps its own interval" {
	a=$(site a) b=$(site b)
	cat >"$SITES" <<-EOF
	{"url":"$a","interval":0.2}
	{"url":"$b","interval":1}
	EOF
	watch_start "$SITES"
	sleep 3
	watch_stop
	[ "$WRC" -eq 0 ]
	na=$(count "$a") nb=$(count "$b")
	echo "a=$na b=$nb"
	[ "$nb" -ge 2 ]
	[ "$nb" -le 5 ]
	[ "$na" -ge $((2 * nb)) ]
	# Each site's results come in start order.
	run jq -e -s --arg u "$a" 'map(select(.url == $u) | .ts) | . == sort' "$OUT"
	[ "$status" -eq 0 ]
}

@test "watch: a site's cadence does not drift by the time its probes take" {
	slow="$(site slow)?delay=300"
	echo "{\"url\":\"$slow\",\"interval\":0.3}" >"$SITES"
	watch_start "$SITES"
	wait_until 30 at_least 8 "$slow"
	watch_stop
	[ "$WRC" -eq 0 ]
	# Due times are first + k * interval, not finish + interval: the mean
	# gap between starts stays near 0.3 s, where drifting would give 0.6 s.
	run jq -e -s --arg u "$slow" '
		def t: (.ts[0:19] + "Z" | fromdate) + (.ts[19:26] | tonumber);
		map(select(.url == $u) | t) | (.[-1] - .[0]) / (length - 1) < 0.45
	' "$OUT"
	[ "$status" -eq 0 ]
}

@test "watch: first probes are spread over the first interval" {
	for i in $(seq 1 40); do
		echo "{\"url\":\"$(site s$i)\",\"interval\":2}"
	done >"$SITES"
	watch_start "$SITES"
	wait_until 30 urls_ge 40 "$OUT"
	watch_stop
	[ "$WRC" -eq 0 ]
	# Forty stable offsets in [0, 2 s): the first starts span over a second,
	# where a burst would start them all within milliseconds.
	run jq -e -s '
		def t: (.ts[0:19] + "Z" | fromdate) + (.ts[19:26] | tonumber);
		group_by(.url) | map(map(t) | min) | length == 40 and max - min > 1
	' "$OUT"
	[ "$status" -eq 0 ]
}

@test "watch: --interval sets the default interval, a site key overrides it" {
	a=$(site a) b=$(site b)
	printf '%s\n' "$a" "{\"url\":\"$b\",\"interval\":30}" >"$SITES"
	watch_start --interval 0.2 "$SITES"
	wait_until 20 at_least 6 "$a"
	watch_stop
	[ "$WRC" -eq 0 ]
	# b's single slot in its 30 s interval may or may not have come yet.
	[ "$(count "$b")" -le 1 ]
}

@test "watch: a slow site never has two probes in flight and keeps going" {
	slow="$(site slow)?delay=500"
	echo "{\"url\":\"$slow\",\"interval\":0.1,\"timeout\":5}" >"$SITES"
	watch_start "$SITES"
	wait_until 30 at_least 4 "$slow"
	watch_stop
	[ "$WRC" -eq 0 ]
	# Each probe started after the one before had finished. (The fixture's
	# max_concurrent can count 2 here: it closes its count of a request a
	# moment after the client has read the last byte.)
	run no_overlap "$OUT" "$slow"
	[ "$status" -eq 0 ]
	run http_stats "/site/$BATS_TEST_NUMBER-slow"
	echo "$output"
	[ "$(jq .max_concurrent <<<"$output")" -le 2 ]
	# Every probe that reached the server wrote its result.
	[ "$(jq .hits <<<"$output")" -eq "$(count "$slow")" ]
	run jq -e -s 'all(.ok)' "$OUT"
	[ "$status" -eq 0 ]
}

@test "watch: -c holds and due probes wait, they are not skipped" {
	# Four distinct urls on one path: the fixture counts them together.
	for i in 1 2 3 4; do
		echo "{\"url\":\"$(site c)?delay=300&n=$i\",\"interval\":0.2}"
	done >"$SITES"
	watch_start -c 1 -v --stats-interval 0.5 "$SITES"
	for i in 1 2 3 4; do
		wait_until 30 at_least 2 "$(site c)?delay=300&n=$i"
	done
	watch_stop
	[ "$WRC" -eq 0 ]
	# One probe at a time across all sites.
	run no_overlap "$OUT"
	[ "$status" -eq 0 ]
	run http_stats "/site/$BATS_TEST_NUMBER-c"
	echo "$output"
	[ "$(jq .max_concurrent <<<"$output")" -le 2 ]
	[ "$(jq .hits <<<"$output")" -eq "$(jq -s length "$OUT")" ]
	# Waiting shows as lateness in the stats.
	run grep -E 'late_p99_ms=[1-9][0-9]{2,}' "$ERR"
	[ "$status" -eq 0 ]
}

@test "watch: SIGHUP adds new sites, removes gone ones and keeps the rest" {
	# gone is slow, so a probe of it is in flight at the reload.
	keep=$(site keep) gone="$(site gone)?delay=400" new=$(site new)
	printf '%s\n' "{\"url\":\"$keep\",\"interval\":0.2}" \
		"{\"url\":\"$gone\",\"interval\":0.2}" >"$SITES"
	watch_start -v "$SITES"
	wait_until 20 at_least 2 "$gone"
	wait_until 20 at_least 2 "$keep"
	printf '%s\n' "# comment" "{\"url\":\"$keep\",\"interval\":0.2}" \
		"{\"url\":\"$new\",\"interval\":0.2}" >"$SITES"
	kill -HUP "$WPID"
	wait_until 20 grep -q 'reload: sites=2 added=1 removed=1 kept=1' "$ERR"
	ngone=$(count "$gone") nkeep=$(count "$keep")
	wait_until 20 at_least 3 "$new"
	wait_until 20 at_least $((nkeep + 3)) "$keep"
	watch_stop
	[ "$WRC" -eq 0 ]
	# At most the probe in flight at the reload finished after it, and it
	# wrote its result.
	[ "$(count "$gone")" -le $((ngone + 1)) ]
	[ "$(http_stats "/site/$BATS_TEST_NUMBER-gone" | jq .hits)" -eq "$(count "$gone")" ]
}

@test "watch: a reload with a bad line keeps the old set and names the line" {
	old=$(site old) new=$(site new)
	echo "{\"url\":\"$old\",\"interval\":0.2}" >"$SITES"
	watch_start "$SITES"
	wait_until 20 at_least 2 "$old"
	printf '%s\n' "{\"url\":\"$old\",\"interval\":0.2}" "{\"url\":\"$new\"}" \
		'{"url":"ftp://example.com/"}' >"$SITES"
	kill -HUP "$WPID"
	wait_until 20 grep -q 'keeping the 1 sites running' "$ERR"
	n=$(count "$old")
	wait_until 20 at_least $((n + 3)) "$old"
	# A file that cannot be read is no better.
	rm "$SITES"
	kill -HUP "$WPID"
	wait_until 20 lines_ge 2 'keeping the 1 sites running' "$ERR"
	n=$(count "$old")
	wait_until 20 at_least $((n + 2)) "$old"
	watch_stop
	[ "$WRC" -eq 0 ]
	[ "$(count "$new")" -eq 0 ]
	run grep -F "wm-probe: reload: $SITES:3: " "$ERR"
	[ "$status" -eq 0 ]
}

@test "watch: SIGTERM lets probes in flight finish and every line is whole" {
	slow="$(site slow)?delay=700"
	printf '%s\n' "{\"url\":\"$slow\",\"interval\":0.2}" \
		"{\"url\":\"$(site fast)\",\"interval\":0.05}" >"$SITES"
	watch_start "$SITES"
	wait_until 20 at_least 1 "$slow"
	# The next slow probe starts at once; stop while it is in flight.
	wait_until 20 inflight slow 1
	watch_stop TERM
	[ "$WRC" -eq 0 ]
	run jq -c . "$OUT"
	[ "$status" -eq 0 ]
	[ "$(tail -c 1 "$OUT" | od -An -c | tr -d ' ')" = '\n' ]
	# The probe in flight at SIGTERM wrote its result too.
	hits=$(http_stats "/site/$BATS_TEST_NUMBER-slow" | jq .hits)
	[ "$(count "$slow")" -eq "$hits" ]
}

@test "watch: a second SIGTERM abandons a probe that would take long" {
	slow="$(site slow)?delay=60000"
	echo "{\"url\":\"$slow\",\"interval\":1,\"timeout\":120}" >"$SITES"
	watch_start "$SITES"
	wait_until 20 inflight slow 1
	kill -TERM "$WPID"
	sleep 0.3
	kill -0 "$WPID"
	watch_stop TERM
	[ "$WRC" -eq 0 ]
	[ "$(count "$slow")" -eq 0 ]
	grep -q 'abandoned 1 probe in flight' "$ERR"
}

@test "watch: SIGINT stops like SIGTERM" {
	echo "{\"url\":\"$(site a)\",\"interval\":0.1}" >"$SITES"
	watch_start "$SITES"
	wait_until 20 at_least 2 "$(site a)"
	watch_stop INT
	[ "$WRC" -eq 0 ]
	run jq -c . "$OUT"
	[ "$status" -eq 0 ]
}

@test "watch: --shard K/N splits the sites in watch mode too" {
	for i in $(seq 1 24); do
		echo "{\"url\":\"$(site s$i)\",\"interval\":0.2}"
	done >"$SITES"
	for k in 1 2 3; do
		wm-probe --watch --shard "$k/3" "$SITES" \
			>"$BATS_TEST_TMPDIR/s$k" 2>"$ERR" 3>&- &
		WPID=$!
		# A site's third result comes after every first slot.
		wait_until 20 some_url_ge 3 "$BATS_TEST_TMPDIR/s$k"
		watch_stop
		[ "$WRC" -eq 0 ]
		jq -r .url "$BATS_TEST_TMPDIR/s$k" | sort -u >"$BATS_TEST_TMPDIR/u$k"
		[ -s "$BATS_TEST_TMPDIR/u$k" ]
	done
	# Disjoint, and together every site.
	[ "$(sort "$BATS_TEST_TMPDIR"/u[123] | uniq -d | wc -l)" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR"/u[123] | wc -l)" -eq 24 ]
	# The same split as a one-shot run.
	wm-probe --shard 2/3 "$SITES" >"$BATS_TEST_TMPDIR/once"
	jq -r .url "$BATS_TEST_TMPDIR/once" | sort -u >"$BATS_TEST_TMPDIR/uonce"
	cmp "$BATS_TEST_TMPDIR/u2" "$BATS_TEST_TMPDIR/uonce"
}

@test "watch: -v writes stats lines every --stats-interval" {
	printf '%s\n' "{\"url\":\"$(site ok)\",\"interval\":0.1}" \
		"{\"url\":\"$HTTP_URL/status/500\",\"interval\":0.1}" >"$SITES"
	watch_start -v --stats-interval 0.3 "$SITES"
	wait_until 20 lines_ge 3 '^wm-probe: stats: ' "$ERR"
	watch_stop
	[ "$WRC" -eq 0 ]
	re='^wm-probe: stats: sites=2 probes/s=[0-9]+\.[0-9] inflight=[0-9]+ failures=[0-9]+ late_p50_ms=[0-9]+\.[0-9] late_p99_ms=[0-9]+\.[0-9] skipped=[0-9]+$'
	run grep -c -v -E "$re" <(grep '^wm-probe: stats: ' "$ERR")
	[ "$output" -eq 0 ]
	# The failing site shows up in the failures.
	run grep -E 'failures=[1-9]' "$ERR"
	[ "$status" -eq 0 ]
	run grep -E '^wm-probe: total: seconds=[0-9.]+ probes=[1-9][0-9]* failures=[1-9][0-9]* ' "$ERR"
	[ "$status" -eq 0 ]
}

@test "watch: bad lines at start are reported, the rest run, exit 3" {
	a=$(site a)
	printf '%s\n' "{\"url\":\"$a\",\"interval\":0.1}" 'not a url' >"$SITES"
	watch_start "$SITES"
	wait_until 20 at_least 2 "$a"
	watch_stop
	[ "$WRC" -eq 3 ]
	grep -qF "wm-probe: $SITES:2: " "$ERR"
}

@test "watch: an unreadable sites file at start is an error" {
	run -1 --separate-stderr wm-probe --watch "$BATS_TEST_TMPDIR/missing"
	[[ "$stderr" == *"missing"* ]]
}

@test "watch: bad --interval and --stats-interval are usage errors" {
	run -2 --separate-stderr wm-probe --watch --interval 0 "$SITES"
	[[ "$stderr" == *"--interval"* ]]
	run -2 --separate-stderr wm-probe --watch --stats-interval x "$SITES"
	[[ "$stderr" == *"--stats-interval"* ]]
}

@test "watch: the reader going away ends wm-probe quietly" {
	echo "{\"url\":\"$(site a)\",\"interval\":0.05}" >"$SITES"
	run --separate-stderr bash -c 'wm-probe --watch "$1" 3>&- | head -n 3 >/dev/null; echo "${PIPESTATUS[0]}"' _ "$SITES"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	[ -z "$stderr" ]
}
