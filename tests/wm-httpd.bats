#!/usr/bin/env bats
# Sanity of the test HTTP(S) server itself, checked with curl and jq.

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

@test "wm-httpd: / answers 200 with the fixture text" {
	run -0 curl -sS "$HTTP_URL/"
	[ "$output" = "OK webmon fixture" ]
}

@test "wm-httpd: /status/503 answers 503" {
	run -0 curl -sS -o /dev/null -w '%{http_code}' "$HTTP_URL/status/503"
	[ "$output" = 503 ]
}

@test "wm-httpd: unknown path answers 404" {
	run -0 curl -sS -o /dev/null -w '%{http_code}' "$HTTP_URL/no/such/thing"
	[ "$output" = 404 ]
}

@test "wm-httpd: /echo reflects method, headers, query and body" {
	curl -sS -X PUT -H 'X-Webmon: t1' --data-binary 'a "quoted" body' \
		"$HTTP_URL/echo?x=1&y=%20" >"$BATS_TEST_TMPDIR/echo.json"
	run -0 jq -e '.method == "PUT" and .path == "/echo" and .query == "x=1&y=%20"
		and .headers["X-Webmon"] == "t1" and .body == "a \"quoted\" body"' \
		"$BATS_TEST_TMPDIR/echo.json"
}

@test "wm-httpd: /site/NAME answers its name, slow or failing on request" {
	run -0 curl -sS -w ' %{http_code}' "$HTTP_URL/site/a/b?delay=10"
	[ "$output" = "site a/b
 200" ]
	run -0 curl -sS -o /dev/null -w '%{http_code}' "$HTTP_URL/site/9?status=503"
	[ "$output" = 503 ]
}

@test "wm-httpd: /text returns the decoded body parameter" {
	run -0 curl -sS "$HTTP_URL/text?body=aaaa%21%0Ab"
	[ "$output" = "aaaa!
b" ]
}

@test "wm-httpd: /gzip and /br are sent compressed and decode with --compressed" {
	curl -sS "$HTTP_URL/gzip" >"$BATS_TEST_TMPDIR/raw"
	run -0 gzip -dc "$BATS_TEST_TMPDIR/raw"
	[ "${#lines[@]}" -eq 100 ]
	curl -sS --compressed "$HTTP_URL/gzip" >"$BATS_TEST_TMPDIR/gz"
	curl -sS --compressed "$HTTP_URL/br" >"$BATS_TEST_TMPDIR/br"
	run -0 grep -c '^hello compressed world$' "$BATS_TEST_TMPDIR/gz"
	[ "$output" = 100 ]
	run -0 cmp "$BATS_TEST_TMPDIR/gz" "$BATS_TEST_TMPDIR/br"
}

@test "wm-httpd: /gzip/N inflates to N lines from a small body" {
	run -0 curl -sS -o /dev/null -w '%{size_download}' "$HTTP_URL/gzip/500000"
	[ "$output" -lt 100000 ]
	curl -sS --compressed "$HTTP_URL/gzip/500000" >"$BATS_TEST_TMPDIR/big"
	run -0 wc -c <"$BATS_TEST_TMPDIR/big"
	[ "$output" -eq $((500000 * 23)) ]
}

@test "wm-httpd: /redirect/3 ends at 200 after 3 hops" {
	run -0 curl -sS -L -w ' %{http_code} %{num_redirects}' "$HTTP_URL/redirect/3"
	[ "$output" = "redirected
 200 3" ]
}

@test "wm-httpd: /redirect-to sends the Location verbatim" {
	run -0 curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' \
		"$HTTP_URL/redirect-to?url=ftp%3A%2F%2Fexample.invalid%2Fx"
	[ "$output" = "302 ftp://example.invalid/x" ]
}

@test "wm-httpd: /bytes/N sends exactly N bytes" {
	run -0 curl -sS -o /dev/null -w '%{size_download}' "$HTTP_URL/bytes/1000001"
	[ "$output" = 1000001 ]
}

@test "wm-httpd: /drop closes the connection mid-body" {
	run -18 curl -sS -o /dev/null "$HTTP_URL/drop"
}

@test "wm-httpd: the hang port accepts but never answers" {
	run -28 curl -sS -o /dev/null --max-time 0.5 "$HANG_URL"
}

@test "wm-httpd: -6 serves on ::1 only" {
	run -0 curl -sS "$HTTP6_URL/ok"
	[ "$output" = "OK webmon fixture" ]
	run -7 curl -sS "http://127.0.0.1:$HTTP6_PORT/ok"
}

@test "wm-httpd: HTTPS with the test CA verifies; self-signed does not" {
	run -0 curl -sS --cacert "$CA_CERT" "$HTTPS_URL/ok"
	[ "$output" = "OK webmon fixture" ]
	run -60 curl -sS --cacert "$CA_CERT" "$HTTPS_SELF_URL/ok"
	run -0 curl -sS --cacert "$SELF_CERT" "$HTTPS_SELF_URL/ok"
}

@test "wm-httpd: the HTTPS server sends the CA, which expires before the leaf" {
	openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -showcerts </dev/null \
		>"$BATS_TEST_TMPDIR/s_client" 2>/dev/null
	run -0 grep -c 'BEGIN CERTIFICATE' "$BATS_TEST_TMPDIR/s_client"
	[ "$output" = 2 ]
	[[ $CA_NOTAFTER =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]
	[[ $CA_NOTAFTER < $LEAF_NOTAFTER ]]
}

@test "wm-httpd: /stats counts hits and the concurrency of one path" {
	curl -sS -o /dev/null "$HTTP_URL/reset"
	# Slow enough that the three overlap even on a busy machine.
	curl -sS -o /dev/null "$HTTP_URL/delay/2000" 3>&- &
	curl -sS -o /dev/null "$HTTP_URL/delay/2000" 3>&- &
	curl -sS -o /dev/null "$HTTP_URL/delay/2000" 3>&- &
	wait
	curl -sS -o /dev/null "$HTTP_URL/delay/0"
	http_stats >"$BATS_TEST_TMPDIR/stats.json"
	run -0 jq -e '.requests == 4 and .paths["/delay/2000"].hits == 3
		and .paths["/delay/2000"].max_concurrent == 3
		and .paths["/delay/2000"].inflight == 0
		and .paths["/delay/0"].max_concurrent == 1' "$BATS_TEST_TMPDIR/stats.json"
	run -0 http_stats /delay/2000
	[ "$output" = '{"hits":3,"max_concurrent":3,"inflight":0}' ]
}
