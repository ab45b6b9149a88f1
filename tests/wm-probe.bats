#!/usr/bin/env bats
# wm-probe: sites in, NDJSON results out, against the wm-httpd fixture servers.

load test_helper
load helpers/http

setup_file() {
	http_start
	https_start
	http6_start
}

teardown_file() {
	http_stop
}

setup() {
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
	SITES="$BATS_TEST_TMPDIR/sites.txt"
	PROBE_FIXTURES="$FIXTURES/wm-probe"
}

teardown() {
	if [ -n "${BG_PID:-}" ]; then
		kill -KILL "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
}

# probe_one SITE-LINE [OPTIONS...]: probe one site line into $OUT.
probe_one() {
	local line=$1
	shift
	printf '%s\n' "$line" >"$SITES"
	wm-probe "$@" "$SITES" >"$OUT"
}

# jqo FILTER: jq -e on the first (only) result.
jqo() {
	run jq -e "$@" "$OUT"
	[ "$status" -eq 0 ] || flunk "jq $* failed on: $(cat "$OUT")"
}

# ---- command line -----------------------------------------------------------

@test "wm-probe: -h prints usage to stdout and exits 0" {
	run -0 --separate-stderr wm-probe -h
	[[ "$output" == usage:\ wm-probe* ]]
	[ -z "$stderr" ]
}

@test "wm-probe: -V prints the version" {
	run -0 wm-probe -V
	[[ "$output" == "wm-probe webmon-"* ]]
}

@test "wm-probe: unknown option and bad values are usage errors (exit 2)" {
	run -2 --separate-stderr wm-probe -Z
	[[ "$stderr" == *"Try"* ]]
	run -2 --separate-stderr wm-probe -c 0 /dev/null
	[[ "$stderr" == *"bad concurrency '0'"* ]]
	run -2 --separate-stderr wm-probe -t abc /dev/null
	run -2 --separate-stderr wm-probe --max-body 1X /dev/null
	run -2 --separate-stderr wm-probe --shard 0/3 /dev/null
	run -2 --separate-stderr wm-probe --shard 4/3 /dev/null
	run -2 --separate-stderr wm-probe --shard 1 /dev/null
	run -2 --separate-stderr wm-probe -u 'http://' 
}

@test "wm-probe: a missing sites file is a runtime error (exit 1)" {
	run -1 --separate-stderr wm-probe "$BATS_TEST_TMPDIR/nope"
	[[ "$stderr" == "wm-probe: open '$BATS_TEST_TMPDIR/nope': No such file"* ]]
}

@test "wm-probe: sites from stdin when no file is named" {
	printf '%s\n' "$HTTP_URL/site/stdin" | wm-probe >"$OUT"
	jqo -s 'length == 1 and .[0].url == "'"$HTTP_URL"'/site/stdin" and .[0].ok'
}

@test "wm-probe: URL arguments and -u probe those URLs, in one run with files" {
	printf '%s\n' "$HTTP_URL/site/file" >"$SITES"
	wm-probe -u "$HTTP_URL/site/u" "$HTTP_URL/site/arg" "$SITES" >"$OUT"
	jqo -s '[.[].url] | sort == ["'"$HTTP_URL"'/site/arg","'"$HTTP_URL"'/site/file","'"$HTTP_URL"'/site/u"]'
}

@test "wm-probe: an existing file named like a URL is read as a sites file" {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p http:
	printf '%s\n' "$HTTP_URL/site/infile" >http://x
	wm-probe http://x >"$OUT"
	jqo -s 'length == 1 and .[0].url == "'"$HTTP_URL"'/site/infile"'
}

# ---- result record ----------------------------------------------------------

@test "wm-probe: result keys are exactly DESIGN's, in order" {
	probe_one "$HTTP_URL/ok"
	run -0 jq -c 'keys_unsorted' "$OUT"
	[ "$output" = "$(cat "$PROBE_FIXTURES/result-keys.json")" ]
}

@test "wm-probe: keys are present and in order on failures too" {
	printf '%s\n' "http://nothing.invalid/" "$HTTP_URL/status/500" \
		'{"url":"'"$HTTP_URL"'/ok","regex":"nomatch","tags":{"a":"b"}}' >"$SITES"
	wm-probe "$SITES" >"$OUT" || true
	run -0 jq -c 'keys_unsorted' "$OUT"
	[ "${#lines[@]}" -eq 3 ]
	for l in "${lines[@]}"; do
		[ "$l" = "$(cat "$PROBE_FIXTURES/result-keys.json")" ]
	done
}

@test "wm-probe: a plain http probe fills every key with the right type" {
	probe_one "$HTTP_URL/ok" -i probe-a
	jqo '.id | test("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")'
	jqo '.ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$")'
	jqo '.url == "'"$HTTP_URL"'/ok" and .name == null and .method == "GET"'
	jqo '.ok == true and .status == 200 and .error == null and .detail == null'
	jqo '[.time_ms, .dns_ms, .connect_ms, .wait_ms, .transfer_ms] | all(type == "number" and . >= 0)'
	jqo '.tls_ms == null'
	jqo '.time_ms >= .connect_ms and .time_ms >= .wait_ms'
	jqo '.bytes == 18 and .ip == "127.0.0.1"'
	jqo '.regex == null and .match == null and .matched == null and .cert_expiry == null'
	jqo '.probe == "probe-a" and .tags == null'
}

@test "wm-probe: ts is the request start and ids are distinct UUIDv7" {
	before=$(date -u +%s)
	for i in $(seq 1 20); do echo "$HTTP_URL/site/$i"; done >"$SITES"
	wm-probe "$SITES" >"$OUT"
	after=$(date -u +%s)
	jqo -s '[.[].id] | unique | length == 20'
	jqo -s --argjson b "$before" --argjson a "$after" \
		'all(.[]; (.ts | sub("\\.[0-9]+Z$"; "Z") | fromdate) as $t | $t >= $b and $t <= $a)'
}

@test "wm-probe: probe defaults to the host name" {
	probe_one "$HTTP_URL/ok"
	jqo --arg h "$(hostname)" '.probe == $h'
}

@test "wm-probe: -v prints one summary line on stderr" {
	printf '%s\n' "$HTTP_URL/ok" "$HTTP_URL/status/500" >"$SITES"
	run -0 --separate-stderr wm-probe -v "$SITES"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "wm-probe: 2 sites, 2 probed, 1 ok, 1 failed"* ]]
}

@test "wm-probe: no progress line when stderr is not a terminal" {
	run -0 --separate-stderr wm-probe "$HTTP_URL/ok"
	[ -z "$stderr" ]
}

# ---- site keys --------------------------------------------------------------

@test "wm-probe: blank lines and comments are skipped" {
	printf '\n# a comment\n  # indented comment\n%s\n\n' "$HTTP_URL/ok" >"$SITES"
	run -0 wm-probe "$SITES"
	[ "${#lines[@]}" -eq 1 ]
}

@test "wm-probe: site key url (bare and in an object, surrounding blanks trimmed)" {
	printf '  %s  \n{"url":"%s"}\n' "$HTTP_URL/site/x" "$HTTP_URL/site/y" >"$SITES"
	wm-probe "$SITES" >"$OUT"
	jqo -s '[.[].url] | sort == ["'"$HTTP_URL"'/site/x","'"$HTTP_URL"'/site/y"]'
}

@test "wm-probe: site keys name and tags are copied to the result" {
	probe_one '{"url":"'"$HTTP_URL"'/ok","name":"home ü","tags":{"env":"prod","team":"web"}}'
	jqo '.name == "home ü" and .tags == {"env":"prod","team":"web"}'
	run -0 grep -c '"tags":{"env":"prod","team":"web"}}$' "$OUT"
}

@test "wm-probe: site keys method, headers and body are sent" {
	# /echo reflects the request as JSON; each site's regex checks one part.
	sed "s|@HTTP@|$HTTP_URL|g" "$PROBE_FIXTURES/echo-sites.txt" >"$SITES"
	wm-probe "$SITES" >"$OUT"
	jqo -s 'length == 7'
	jqo -s 'map(select(.match != true) | .name) == []'
	jqo -s 'map(select(.ok | not) | .name) == []'
	jqo -s 'map(.method) | sort == ["DELETE","GET","POST","PUT","PUT","PUT","PUT"]'
}

@test "wm-probe: method HEAD reads no body" {
	probe_one '{"url":"'"$HTTP_URL"'/bytes/1000","method":"HEAD"}'
	jqo '.method == "HEAD" and .ok and .status == 200 and .bytes == 0'
}

@test "wm-probe: site key expect: single code, ranges and classes" {
	printf '%s\n' \
		'{"url":"'"$HTTP_URL"'/status/404","expect":"404"}' \
		'{"url":"'"$HTTP_URL"'/status/301","expect":"200-299,301","follow":false}' \
		'{"url":"'"$HTTP_URL"'/status/302","expect":"2xx,3xx","follow":false}' \
		'{"url":"'"$HTTP_URL"'/status/204"}' \
		'{"url":"'"$HTTP_URL"'/status/200","expect":"4xx"}' >"$SITES"
	wm-probe "$SITES" >"$OUT"
	jqo -s 'map({key: .url | sub(".*/"; ""), value: .ok}) | from_entries == {"404":true,"301":true,"302":true,"204":true,"200":false}'
	jqo -s '.[] | select(.status == 200) | .error == "status" and .detail == "status 200 not in 4xx"'
}

@test "wm-probe: site key regex: match and first match reported" {
	probe_one '{"url":"'"$HTTP_URL"'/text?body=hello%20world%2042","regex":"w\\w+d \\d+"}'
	jqo '.ok and .regex == "w\\w+d \\d+" and .match == true and .matched == "world 42"'
}

@test "wm-probe: regex without a match is error regex" {
	probe_one '{"url":"'"$HTTP_URL"'/text?body=hello","regex":"bye"}'
	jqo '.ok == false and .error == "regex" and .match == false and .matched == null and .status == 200'
	jqo '.detail | test("no match")'
}

@test "wm-probe: matched is cut to 256 bytes at a UTF-8 boundary" {
	body="a$(printf 'é%.0s' $(seq 1 300))"
	enc=$(jq -rn --arg s "$body" '$s | @uri')
	probe_one '{"url":"'"$HTTP_URL"'/text?body='"$enc"'","regex":"aé+"}'
	jqo '.match and (.matched | utf8bytelength) == 255 and (.matched | endswith("é"))'
}

@test "wm-probe: regex still reported when the status is unexpected" {
	probe_one '{"url":"'"$HTTP_URL"'/status/500","regex":"."}'
	jqo '.error == "status" and .match == true'
}

@test "wm-probe: site key timeout and -t default" {
	probe_one '{"url":"'"$HANG_URL"'","timeout":0.3}'
	jqo '.error == "timeout" and .status == null and .time_ms >= 250'
	probe_one "$HANG_URL" -t 0.3
	jqo '.error == "timeout"'
	probe_one '{"url":"'"$HTTP_URL"'/delay/100","timeout":5}' -t 0.01
	jqo '.ok'
}

@test "wm-probe: site key interval is accepted in one-shot mode" {
	probe_one '{"url":"'"$HTTP_URL"'/ok","interval":30}'
	jqo '.ok'
}

@test "wm-probe: site key follow: redirects followed by default, not when false" {
	probe_one '{"url":"'"$HTTP_URL"'/redirect/3"}'
	jqo '.ok and .status == 200 and .url == "'"$HTTP_URL"'/redirect/3"'
	probe_one '{"url":"'"$HTTP_URL"'/redirect/3","follow":false}'
	jqo '.ok == false and .status == 302 and .error == "status"'
}

@test "wm-probe: more than 10 redirects is error protocol" {
	probe_one '{"url":"'"$HTTP_URL"'/redirect/11"}'
	jqo '.error == "protocol" and (.detail | test("redirect"; "i"))'
	probe_one '{"url":"'"$HTTP_URL"'/redirect/10"}'
	jqo '.ok'
}

@test "wm-probe: site key proxy sends the request through the proxy" {
	# The fixture answers the proxied request; without the proxy the name
	# would not even resolve.
	probe_one '{"url":"http://nothing.invalid/site/proxied","proxy":"'"$HTTP_URL"'"}'
	jqo '.error != "dns" and .status != null and .ip == "127.0.0.1"'
	probe_one '{"url":"http://nothing.invalid/site/proxied","proxy":"http://127.0.0.1:1"}'
	jqo '.error == "connect"'
}

@test "wm-probe: libcurl's proxy environment variables apply without a proxy key" {
	printf '%s\n' 'http://nothing.invalid/site/env' >"$SITES"
	http_proxy="$HTTP_URL" wm-probe "$SITES" >"$OUT"
	jqo '.error != "dns" and .status != null'
}

# ---- bad lines --------------------------------------------------------------

@test "wm-probe: bad site lines are reported with line numbers; the rest is probed; exit 3" {
	sed "s|@HTTP@|$HTTP_URL|g" "$PROBE_FIXTURES/mixed-sites.txt" >"$SITES"
	run -3 --separate-stderr wm-probe "$SITES"
	printf '%s\n' "${lines[@]}" >"$OUT"
	jqo -s '[.[].url | sub(".*/"; "")] | sort == ["a","b","p"]'
	while IFS= read -r exp; do
		n=${exp%%:*} why=${exp#*: }
		grep -qF "wm-probe: $SITES:$n: $why" <<<"$stderr" ||
			flunk "no '$SITES:$n: $why' in: $stderr"
	done <"$PROBE_FIXTURES/mixed-sites.expected"
	[ "${#stderr_lines[@]}" -eq "$(wc -l <"$PROBE_FIXTURES/mixed-sites.expected")" ]
}

@test "wm-probe: CR or LF in a header or method is never sent" {
	http_reset
	printf '%s\n' \
		'{"url":"'"$HTTP_URL"'/site/crlf1","headers":{"X-A":"1\r\nX-Injected: 1"}}' \
		'{"url":"'"$HTTP_URL"'/site/crlf2","headers":{"X-A\nX-B":"1"}}' \
		'{"url":"'"$HTTP_URL"'/site/crlf3","method":"GET\r\n"}' >"$SITES"
	run -3 --separate-stderr wm-probe "$SITES"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 3 ]
	run -0 http_stats /site/crlf1
	[[ "$output" == *'"hits":0'* ]]
}

@test "wm-probe: duplicate keys and non-object JSON are bad lines" {
	printf '%s\n' '{"url":"'"$HTTP_URL"'/ok","url":"'"$HTTP_URL"'/ok"}' '{}' >"$SITES"
	run -3 --separate-stderr wm-probe "$SITES"
	[[ "$stderr" == *"$SITES:1: bad JSON"* ]]
	[[ "$stderr" == *"$SITES:2: missing 'url'"* ]]
}

@test "wm-probe: a line over the length limit is a bad line" {
	{ printf '%s/ok?x=' "$HTTP_URL"; head -c 300000 /dev/zero | tr '\0' a; echo; echo "$HTTP_URL/ok"; } >"$SITES"
	run -3 --separate-stderr wm-probe "$SITES"
	[[ "$stderr" == *"$SITES:1: line longer than"* ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "wm-probe: a url over 2048 bytes is a bad line with its line number (16.9)" {
	# Such a url could be probed but never stored (the btree row limit of
	# the url index, SQLSTATE 54000); before, it was accepted.
	base="$HTTP_URL/ok?x="
	ok=$(printf '%s%*s' "$base" $((2048 - ${#base})) '' | tr ' ' a)
	long="${ok}a"
	printf '%s\n' "$HTTP_URL/site/first" "$long" "{\"url\":\"$long\"}" "$ok" >"$SITES"
	run -3 --separate-stderr wm-probe "$SITES"
	[[ "$stderr" == *"$SITES:2: bad url: longer than 2048 bytes"* ]]
	[[ "$stderr" == *"$SITES:3: bad url: longer than 2048 bytes"* ]]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -s 'map(select(.url | length == 2048)) | length')" -eq 1 ]
}

# ---- error classes ----------------------------------------------------------

@test "wm-probe: a response header over 100 KB is error protocol, header too large (16.9)" {
	# Before: class "other", detail "Out of memory". A raw server, since
	# the fixture's response headers must fit its connection memory pool.
	python3 -c '
import socket, sys, threading
s = socket.socket()
s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
def serve(c):
    try:
        c.recv(65536)
        c.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 150000 +
            b"\r\nContent-Length: 3\r\n\r\nok\n")
    except OSError:
        pass
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' "$BATS_TEST_TMPDIR/port" </dev/null >/dev/null 2>&1 3>&- &
	BG_PID=$!
	wait_until 10 test -s "$BATS_TEST_TMPDIR/port"
	probe_one "http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")/"
	jqo '.ok == false and .error == "protocol" and (.detail | startswith("header too large"))'
}

@test "wm-probe: error dns for a name that does not resolve" {
	probe_one "http://nothing.invalid/"
	jqo '.ok == false and .error == "dns" and .status == null and .ip == null'
	jqo '.detail | test("resolve")'
}

@test "wm-probe: error connect for a closed port" {
	port=$(free_port)
	probe_one "http://127.0.0.1:$port/"
	jqo '.ok == false and .error == "connect" and .status == null and (.detail | length > 0)'
}

@test "wm-probe: error tls for an untrusted certificate" {
	probe_one "$HTTPS_SELF_URL/ok"
	jqo '.ok == false and .error == "tls" and (.detail | test("certificate"))'
	probe_one "$HTTPS_URL/ok"
	jqo '.error == "tls"'
}

@test "wm-probe: error timeout with a slow body" {
	probe_one '{"url":"'"$HTTP_URL"'/delay/3000","timeout":0.2}'
	jqo '.error == "timeout" and (.detail | test("timed out"))'
}

@test "wm-probe: error status" {
	probe_one "$HTTP_URL/status/503"
	jqo '.ok == false and .error == "status" and .status == 503 and .detail == "status 503 not in 200-299"'
}

@test "wm-probe: error too_large beyond --max-body; bytes counts what arrived" {
	probe_one "$HTTP_URL/bytes/100000" --max-body 10000
	jqo '.ok == false and .error == "too_large" and .status == 200 and .bytes > 10000'
	probe_one "$HTTP_URL/bytes/10000" --max-body 10000
	jqo '.ok and .bytes == 10000'
	probe_one "$HTTP_URL/bytes/5000" --max-body 4k
	jqo '.error == "too_large"'
}

@test "wm-probe: --max-body counts decoded bytes of compressed bodies" {
	probe_one "$HTTP_URL/gzip/200000" --max-body 100000
	jqo '.error == "too_large"'
}

@test "wm-probe: error protocol for a redirect to file:// or ftp://" {
	probe_one '{"url":"'"$HTTP_URL"'/redirect-to?url=file:///etc/passwd"}'
	jqo '.ok == false and .error == "protocol" and .status == 302 and .bytes == 0'
	probe_one '{"url":"'"$HTTP_URL"'/redirect-to?url=ftp://127.0.0.1/x"}'
	jqo '.error == "protocol"'
}

@test "wm-probe: error other for a connection closed mid-body" {
	probe_one "$HTTP_URL/drop"
	jqo '.ok == false and .error == "other" and .status == 200 and .bytes > 0'
	jqo '.detail | test("remaining|closed")'
}

@test "wm-probe: error other when the server closes without answering" {
	probe_one "$HTTP_URL/empty"
	jqo '.ok == false and .error == "other" and .status == null'
}

@test "wm-probe: a catastrophic regex is error regex, not a hang" {
	printf '%s\n' \
		'{"url":"'"$HTTP_URL"'/repeat?s=a&n=5000","regex":"(a|aa)*(b|c)"}' \
		'{"url":"'"$HTTP_URL"'/repeat?s=a&n=5000","regex":"^(a|a)*(b|c)"}' >"$SITES"
	wm-probe "$SITES" >"$OUT"
	jqo -s 'length == 2 and all(.[]; .error == "regex" and .match == null and (.detail | test("limit")))'
}

# ---- compression ------------------------------------------------------------

@test "wm-probe: gzip and br bodies are decoded before matching" {
	printf '%s\n' \
		'{"url":"'"$HTTP_URL"'/gzip","regex":"compressed world"}' \
		'{"url":"'"$HTTP_URL"'/br","regex":"compressed world"}' >"$SITES"
	wm-probe "$SITES" >"$OUT"
	jqo -s 'length == 2 and all(.[]; .ok and .matched == "compressed world" and .bytes == 2300)'
}

# ---- TLS --------------------------------------------------------------------

@test "wm-probe: --cacert trusts the test CA; cert_expiry is the earliest notAfter in the chain" {
	probe_one "$HTTPS_URL/ok" --cacert "$CA_CERT"
	jqo '.ok and .status == 200 and (.tls_ms | type == "number")'
	jqo --arg ca "$CA_NOTAFTER" --arg leaf "$LEAF_NOTAFTER" '.cert_expiry == $ca and $ca < $leaf'
}

@test "wm-probe: -k accepts an untrusted certificate and still reports its expiry" {
	probe_one "$HTTPS_SELF_URL/ok" -k
	jqo --arg e "$SELF_NOTAFTER" '.ok and .cert_expiry == $e'
	probe_one "$HTTPS_URL/ok" --insecure
	jqo --arg e "$CA_NOTAFTER" '.ok and .cert_expiry == $e'
}

@test "wm-probe: a redirect from http to https keeps verification on" {
	enc=$(jq -rn --arg s "$HTTPS_SELF_URL/ok" '$s | @uri')
	probe_one "$HTTP_URL/redirect-to?url=$enc"
	jqo '.error == "tls"'
}

# ---- IP versions ------------------------------------------------------------

@test "wm-probe: -6 probes over IPv6, -4 refuses an IPv6 address" {
	probe_one "$HTTP6_URL/ok" -6
	jqo '.ok and .ip == "::1"'
	probe_one "$HTTP6_URL/ok" -4
	jqo '.ok == false and .status == null'
	probe_one "$HTTP_URL/ok" -4
	jqo '.ok and .ip == "127.0.0.1"'
	probe_one "$HTTP_URL/ok" -6
	jqo '.ok == false'
}

# ---- shards -----------------------------------------------------------------

@test "wm-probe: --shard K/N: shards are disjoint and cover every site" {
	for i in $(seq 1 200); do echo "$HTTP_URL/site/$i"; done >"$SITES"
	for k in 1 2 3; do
		wm-probe -c 20 --shard "$k/3" "$SITES" >"$BATS_TEST_TMPDIR/s$k"
		[ -s "$BATS_TEST_TMPDIR/s$k" ]
	done
	cat "$BATS_TEST_TMPDIR"/s[123] >"$OUT"
	jqo -s 'length == 200 and ([.[].url] | unique | length) == 200'
	# Stable: the same shard again gives the same sites.
	wm-probe -c 20 --shard 2/3 "$SITES" >"$BATS_TEST_TMPDIR/again"
	diff <(jq -r .url "$BATS_TEST_TMPDIR/s2" | sort) <(jq -r .url "$BATS_TEST_TMPDIR/again" | sort)
	# 1/1 is everything.
	wm-probe -c 20 --shard 1/1 "$SITES" >"$OUT"
	jqo -s 'length == 200'
}

# ---- concurrency, signals, exit status --------------------------------------

@test "wm-probe: -c limits probes in flight" {
	http_reset
	for i in $(seq 1 9); do echo "$HTTP_URL/delay/300?i=$i"; done >"$SITES"
	wm-probe -c 3 "$SITES" >"$OUT"
	jqo -s 'length == 9 and all(.[]; .ok)'
	run -0 http_stats /delay/300
	jq -e '.hits == 9' <<<"$output"
	# Overlap of the probes' own [start, start + time] intervals: exactly 3
	# at the most. (The server's count is no judge: it sees a request end
	# a moment after the client has read the last byte.)
	jqo -s '[.[] | ((.ts[0:19] + "Z" | fromdateiso8601) + (.ts[20:26] | tonumber) / 1e6) as $s
	         | [$s, 1], [$s + .time_ms / 1000, -1]]
	        | sort_by(.[0], .[1])
	        | reduce .[] as $e ({n: 0, max: 0}; .n += $e[1] | .max = ([.max, .n] | max))
	        | .max == 3'
}

@test "wm-probe: --fail exits 1 when a probe is not ok, 0 when all are" {
	printf '%s\n' "$HTTP_URL/ok" "$HTTP_URL/status/500" >"$SITES"
	run -1 wm-probe --fail "$SITES"
	[ "${#lines[@]}" -eq 2 ]
	run -0 wm-probe "$SITES"
	run -0 wm-probe --fail "$HTTP_URL/ok"
}

@test "wm-probe: output reader going away: quiet, prompt exit" {
	for i in $(seq 1 3000); do echo "$HTTP_URL/site/$i"; done >"$SITES"
	run -0 bash -c 'wm-probe -c 20 "$1" 2>"$2/err" | head -1 >"$2/first"; echo "${PIPESTATUS[0]}"' _ "$SITES" "$BATS_TEST_TMPDIR"
	[ "$output" = 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	run -0 jq -e '.ok' "$BATS_TEST_TMPDIR/first"
}

@test "wm-probe: SIGTERM stops, leaves only complete lines, exits 1" {
	http_reset
	{ for i in $(seq 1 5); do echo "$HTTP_URL/site/fast$i"; done
	  for i in $(seq 1 5); do echo "$HTTP_URL/delay/20000?i=$i"; done
	  for i in $(seq 1 50); do echo "$HTTP_URL/site/never$i"; done; } >"$SITES"
	wm-probe -c 5 -t 30 "$SITES" >"$OUT" 2>"$BATS_TEST_TMPDIR/err" &
	BG_PID=$!
	wait_until 10 bash -c '[ "$(wc -l <"$0")" -ge 5 ]' "$OUT"
	wait_until 10 bash -c 'http_stats() { curl -s "$1/stats"; }; http_stats "$0" | jq -e ".paths[\"/delay/20000\"].inflight == 5" >/dev/null' "$HTTP_URL"
	kill -TERM "$BG_PID"
	st=0
	wait "$BG_PID" || st=$?
	BG_PID=
	[ "$st" -eq 1 ]
	jqo -s 'length == 5 and all(.[]; .ok)'
	[ "$(tail -c 1 "$OUT" | od -An -c | tr -d ' ')" = '\n' ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "wm-probe: SIGINT behaves like SIGTERM" {
	printf '%s\n' "$HTTP_URL/delay/20000" >"$SITES"
	wm-probe -t 30 "$SITES" >"$OUT" &
	BG_PID=$!
	wait_until 10 bash -c 'curl -s "$0/stats" | jq -e ".paths[\"/delay/20000\"].inflight >= 1" >/dev/null' "$HTTP_URL"
	kill -INT "$BG_PID"
	st=0
	wait "$BG_PID" || st=$?
	BG_PID=
	[ "$st" -eq 1 ]
	[ ! -s "$OUT" ]
}

@test "wm-probe: a progress line on stderr when it is a terminal" {
	command -v script >/dev/null || skip "script(1) is not installed"
	for i in $(seq 1 5); do echo "$HTTP_URL/delay/300?i=$i"; done >"$SITES"
	run -0 script -qec "wm-probe -c 1 '$SITES' >'$OUT'" /dev/null
	[[ "$output" == *"probed, "*"/s, 0 failed"* ]]
	jqo -s 'length == 5'
}

@test "wm-probe: '-' names stdin among files" {
	printf '%s\n' "$HTTP_URL/site/f" >"$SITES"
	printf '%s\n' "$HTTP_URL/site/s" | wm-probe "$SITES" - >"$OUT"
	jqo -s '[.[].url | sub(".*/"; "")] | sort == ["f","s"]'
}
