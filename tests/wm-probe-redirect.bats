#!/usr/bin/env bats
# wm-probe: what follows a redirect (issue 16.7).
#
# Reproduction: a site with a custom header (X-Api-Key) and a body, whose
# server answers 302 or 307 with a Location on another origin (here the
# same fixture named "localhost" instead of 127.0.0.1: another host, so
# another origin). libcurl strips only Authorization and Cookie, so the
# header reached the other origin, and on a 307 the body too. And a site
# on a public address redirecting to 127.0.0.1 was followed. The fixture's
# /echo shows what arrived; the site's regex looks for it in the body.

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
	SITES="$BATS_TEST_TMPDIR/sites.txt"
	LOCAL="http://localhost:$HTTP_PORT"
}

# redir TARGET [STATUS]: a fixture url that redirects to TARGET.
redir() {
	echo "$HTTP_URL/redirect-to?url=$1&status=${2:-302}"
}

# probe_one SITE-LINE [OPTIONS...]: probe one site line into $OUT.
probe_one() {
	printf '%s\n' "$1" >"$SITES"
	shift
	wm-probe "$@" "$SITES" >"$OUT"
}

jqo() {
	run jq -e "$@" "$OUT"
	[ "$status" -eq 0 ] || flunk "jq $* failed on: $(cat "$OUT")"
}

@test "redirect: custom headers are not sent to another origin" {
	probe_one '{"url":"'"$(redir "$LOCAL/echo")"'","headers":{"X-Api-Key":"s3cret"},"regex":"(?i)x-api-key"}'
	# The echo arrived (from localhost) and holds no X-Api-Key.
	jqo '.ok == false and .status == 200 and .match == false and .error == "regex"'
}

@test "redirect: custom headers follow a redirect within the origin" {
	probe_one '{"url":"'"$(redir "$HTTP_URL/echo")"'","headers":{"X-Api-Key":"s3cret"},"regex":"\"X-Api-Key\":\"s3cret\""}'
	jqo '.ok and .match'
}

@test "redirect: redirect_headers true sends them to the other origin too" {
	probe_one '{"url":"'"$(redir "$LOCAL/echo")"'","headers":{"X-Api-Key":"s3cret"},"redirect_headers":true,"regex":"\"X-Api-Key\":\"s3cret\""}'
	jqo '.ok and .match'
}

@test "redirect: back on the original origin after a detour, the headers are sent again" {
	back=$(redir "$HTTP_URL/echo")
	back=${back//&/%26}
	probe_one '{"url":"'"$(redir "$LOCAL/redirect-to?url=$back")"'","headers":{"X-Api-Key":"s3cret"},"regex":"\"X-Api-Key\":\"s3cret\""}'
	jqo '.ok and .match'
}

@test "redirect: a 307 to another origin that would resend the body is refused" {
	probe_one '{"url":"'"$(redir "$LOCAL/echo" 307)"'","method":"POST","body":"secret-body","regex":"body_bytes\":0}"}'
	jqo '.ok == false and .error == "protocol" and .status == 307'
	jqo '.detail | test("another origin would resend the request body")'
	jqo '.detail | contains("secret-body") | not'
}

@test "redirect: a 307 within the origin resends the body" {
	probe_one '{"url":"'"$(redir "$HTTP_URL/echo" 307)"'","method":"POST","body":"secret-body","regex":"\"body\":\"secret-body\""}'
	jqo '.ok and .match'
}

@test "redirect: a 302 after POST to another origin becomes a GET without the body" {
	probe_one '{"url":"'"$(redir "$LOCAL/echo" 302)"'","method":"POST","body":"secret-body","regex":"\"method\":\"GET\".*\"body_bytes\":0}"}'
	jqo '.ok and .match'
}

@test "redirect: redirect_headers true lets the body follow a 307 elsewhere" {
	probe_one '{"url":"'"$(redir "$LOCAL/echo" 307)"'","method":"POST","body":"b0dy","redirect_headers":true,"regex":"\"body\":\"b0dy\""}'
	jqo '.ok and .match'
}

@test "redirect: a loopback site may redirect within private space" {
	probe_one "$(redir "$LOCAL/ok")"
	jqo '.ok and .status == 200'
}

@test "redirect: redirect_headers must be a boolean" {
	run -3 --separate-stderr probe_one '{"url":"'"$HTTP_URL"'/ok","redirect_headers":"yes"}'
	[[ "$stderr" == *":1: 'redirect_headers' must be true or false"* ]]
}

# A site on a public address needs one: a private network namespace whose
# loopback also carries 203.0.113.7 (TEST-NET-3, not a private range), a
# redirector there, and the fixture on 127.0.0.1 of that namespace.
public_redirect() {
	cat >"$BATS_TEST_TMPDIR/ns.sh" <<-'EOF'
	set -e
	ip link set lo up
	ip addr add 203.0.113.7/32 dev lo
	d=$1; shift
	wm-httpd --port-file "$d/port" </dev/null >/dev/null 2>&1 &
	h=$!
	python3 -c '
	import http.server, sys
	class H(http.server.BaseHTTPRequestHandler):
	    def do_GET(self):
	        self.send_response(302)
	        self.send_header("Location", open(sys.argv[1]).read().strip())
	        self.send_header("Content-Length", "0")
	        self.end_headers()
	    def log_message(self, *a):
	        pass
	http.server.HTTPServer(("203.0.113.7", 8080), H).serve_forever()
	' "$d/target" </dev/null >/dev/null 2>&1 &
	r=$!
	for i in $(seq 100); do
		[ -s "$d/port" ] && curl -s -o /dev/null http://203.0.113.7:8080/ && break
		sleep 0.05
	done
	echo "http://127.0.0.1:$(cat "$d/port")/ok" >"$d/target"
	rc=0
	wm-probe "$@" -u http://203.0.113.7:8080/ || rc=$?
	kill $h $r
	wait $h $r 2>/dev/null || true
	exit $rc
	EOF
	mkdir -p "$BATS_TEST_TMPDIR/ns"
	unshare -n sh "$BATS_TEST_TMPDIR/ns.sh" "$BATS_TEST_TMPDIR/ns" "$@" >"$OUT" 3>&-
}

@test "redirect: a public site redirecting to loopback is refused" {
	command -v unshare >/dev/null && [ "$(id -u)" -eq 0 ] ||
		skip "needs root and unshare for a network namespace"
	public_redirect
	jqo '.ok == false and .error == "protocol" and .status == 302'
	jqo '.detail | test("^redirect to a private address refused: http://127.0.0.1:[0-9]+/ok")'
}

@test "redirect: --allow-private-redirects lets a public site redirect to loopback" {
	command -v unshare >/dev/null && [ "$(id -u)" -eq 0 ] ||
		skip "needs root and unshare for a network namespace"
	public_redirect --allow-private-redirects
	jqo '.ok and .status == 200 and .ip == "127.0.0.1"'
}
