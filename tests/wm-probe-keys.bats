#!/usr/bin/env bats
# wm-probe: the site keys of issue 11 (checks, transport, TLS, secrets) and
# the result keys degraded, http_version, tls_version, against the wm-httpd
# fixture and a small nginx (HTTP/2, client certificates, TLS 1.2 only, an
# expired certificate), which libmicrohttpd cannot all do.

load test_helper
load helpers/http

# nginx_start: one nginx with four TLS servers on loopback, certificates
# from https_start's test CA: NGX_MTLS (client certificate required),
# NGX_TLS12 (TLS 1.2 only), NGX_H2 (HTTP/2), NGX_EXPIRED (a certificate
# that expired 3 days and an hour ago, EXPIRED_CERT).
nginx_start() {
	local d=$CERT_DIR/nginx p1 p2 p3 p4 i
	mkdir -p "$d/tmp"
	{
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$CERT_DIR/client.key" -out "$CERT_DIR/client.csr" \
			-subj "/CN=webmon client" &&
		printf '%s\n' "extendedKeyUsage=clientAuth" >"$CERT_DIR/client.ext" &&
		openssl x509 -req -in "$CERT_DIR/client.csr" -CA "$CERT_DIR/ca.pem" \
			-CAkey "$CERT_DIR/ca.key" -CAcreateserial -days 30 \
			-extfile "$CERT_DIR/client.ext" -out "$CERT_DIR/client.pem"
	} >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; return 1; }
	/usr/bin/python3 - "$CERT_DIR" <<-'EOF' || return 1
	import datetime, ipaddress, sys
	from cryptography import x509
	from cryptography.hazmat.primitives import hashes, serialization
	from cryptography.hazmat.primitives.asymmetric import ec
	from cryptography.x509.oid import NameOID
	d = sys.argv[1]
	key = ec.generate_private_key(ec.SECP256R1())
	name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
	now = datetime.datetime.utcnow()
	cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
	    .public_key(key.public_key()).serial_number(x509.random_serial_number())
	    .not_valid_before(now - datetime.timedelta(days=30))
	    .not_valid_after(now - datetime.timedelta(days=3, hours=1))
	    .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
	        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
	    .sign(key, hashes.SHA256()))
	open(d + "/expired.pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
	open(d + "/expired.key", "wb").write(key.private_bytes(
	    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
	    serialization.NoEncryption()))
	EOF
	p1=$(free_port) p2=$(free_port) p3=$(free_port) p4=$(free_port)
	cat >"$d/nginx.conf" <<-EOF
	daemon off;
	master_process on;
	worker_processes 1;
	pid $d/nginx.pid;
	error_log $d/error.log;
	events { worker_connections 256; }
	http {
		access_log off;
		client_body_temp_path $d/tmp;
		proxy_temp_path $d/tmp;
		fastcgi_temp_path $d/tmp;
		uwsgi_temp_path $d/tmp;
		scgi_temp_path $d/tmp;
		ssl_certificate $CERT_DIR/chain.pem;
		ssl_certificate_key $CERT_DIR/leaf.key;
		server {
			listen 127.0.0.1:$p1 ssl;
			ssl_verify_client on;
			ssl_client_certificate $CERT_DIR/ca.pem;
			location / { return 200 "mtls ok\n"; }
		}
		server {
			listen 127.0.0.1:$p2 ssl;
			ssl_protocols TLSv1.2;
			location / { return 200 "tls12 ok\n"; }
		}
		server {
			listen 127.0.0.1:$p3 ssl http2;
			location / { return 200 "h2 ok\n"; }
		}
		server {
			listen 127.0.0.1:$p4 ssl;
			ssl_certificate $CERT_DIR/expired.pem;
			ssl_certificate_key $CERT_DIR/expired.key;
			location / { return 200 "expired ok\n"; }
		}
	}
	EOF
	nginx -p "$d" -c "$d/nginx.conf" </dev/null >"$d/stdout" 2>&1 3>&- &
	echo $! >"$d/master"
	export NGX_MTLS="https://127.0.0.1:$p1" NGX_TLS12="https://127.0.0.1:$p2"
	export NGX_H2="https://127.0.0.1:$p3" NGX_EXPIRED="https://127.0.0.1:$p4"
	export EXPIRED_CERT="$CERT_DIR/expired.pem"
	for ((i = 0; i < 100; i++)); do
		curl -sk -o /dev/null "$NGX_H2/" && return 0
		sleep 0.05
	done
	cat "$d/error.log" "$d/stdout" >&2
	return 1
}

nginx_stop() {
	local pid
	[ -s "${CERT_DIR:-/nonexistent}/nginx/master" ] || return 0
	pid=$(cat "$CERT_DIR/nginx/master")
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

setup_file() {
	http_start
	https_start
	http6_start
	nginx_start
}

teardown_file() {
	nginx_stop
	http_stop
}

setup() {
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
	ERR="$BATS_TEST_TMPDIR/err"
	SITES="$BATS_TEST_TMPDIR/sites.txt"
	WPID=
}

# A --watch left running by a failed test is stopped here.
teardown() {
	if [ -n "$WPID" ]; then
		kill -KILL "$WPID" 2>/dev/null || true
		wait "$WPID" 2>/dev/null || true
	fi
}

# probe_one SITE-LINE [OPTIONS...]: probe one site line into $OUT, stderr in $ERR.
probe_one() {
	printf '%s\n' "$1" >"$SITES"
	shift
	wm-probe "$@" "$SITES" >"$OUT" 2>"$ERR"
}

jqo() {
	run jq -e "$@" "$OUT"
	[ "$status" -eq 0 ] || flunk "jq $* failed on: $(cat "$OUT")"
}

# text BODY: a fixture url whose body is BODY (percent-encoded here).
text() {
	echo "$HTTP_URL/text?body=$(jq -rn --arg b "$1" '$b | @uri')"
}

# bad_line SITE-LINE MESSAGE: the line is bad (exit 3), reported with its number.
bad_line() {
	printf '%s\n' "$HTTP_URL/ok" "$1" >"$SITES"
	run -3 --separate-stderr wm-probe "$SITES"
	[[ "$stderr" == *"$SITES:2: $2"* ]] || flunk "stderr: $stderr"
	[ "${#lines[@]}" -eq 1 ]
}

# ---- not_regex --------------------------------------------------------------

@test "not_regex: a body without the pattern is ok" {
	probe_one '{"url":"'"$(text "all good")"'","not_regex":"(?i)error"}'
	jqo '.ok and .error == null'
}

@test "not_regex: a body with the pattern is error regex, naming what matched" {
	probe_one '{"url":"'"$(text "oops: Error 42")"'","not_regex":"(?i)error \\d+"}'
	jqo '.ok == false and .error == "regex" and .detail == "not_regex matched \"Error 42\""'
}

@test "not_regex: a bad pattern is a bad line" {
	bad_line '{"url":"'"$HTTP_URL"'/ok","not_regex":"(unclosed"}' ""
}

# ---- json -------------------------------------------------------------------

@test "json: pointers to equal values pass" {
	probe_one '{"url":"'"$(text '{"status":"UP","db":{"ok":true,"n":2.0},"list":[1,{"x":null}]}')"'","json":{"/status":"UP","/db/ok":true,"/db/n":2,"/list/1/x":null,"":{"status":"UP","db":{"ok":true,"n":2},"list":[1,{"x":null}]}}}'
	jqo '.ok and .error == null'
}

@test "json: escapes ~0 and ~1 and array indexes follow RFC 6901" {
	probe_one '{"url":"'"$(text '{"a/b":{"m~n":[10,20]}}')"'","json":{"/a~1b/m~0n/1":20}}'
	jqo '.ok'
}

@test "json: a different value is error assert naming the check, found and wanted" {
	probe_one '{"url":"'"$(text '{"status":"DOWN"}')"'","json":{"/status":"UP"}}'
	jqo '.ok == false and .error == "assert" and .detail == "json /status: found \"DOWN\", wanted \"UP\""'
}

@test "json: the string \"1\" is not the number 1" {
	probe_one '{"url":"'"$(text '{"n":"1"}')"'","json":{"/n":1}}'
	jqo '.error == "assert" and .detail == "json /n: found \"1\", wanted 1"'
}

@test "json: a pointer to a missing member fails as missing" {
	probe_one '{"url":"'"$(text '{"db":{}}')"'","json":{"/db/ok":true}}'
	jqo '.error == "assert" and .detail == "json /db/ok: missing, wanted true"'
	probe_one '{"url":"'"$(text '[1,2]')"'","json":{"/5":1}}'
	jqo '.error == "assert" and .detail == "json /5: missing, wanted 1"'
	probe_one '{"url":"'"$(text '[1,2]')"'","json":{"/01":2}}'
	jqo '.error == "assert" and (.detail | contains("missing"))'
}

@test "json: a body that is not JSON fails as not JSON" {
	probe_one '{"url":"'"$(text 'OK, not json')"'","json":{"/status":"UP"}}'
	jqo '.error == "assert" and (.detail | startswith("json: body is not JSON"))'
}

@test "json: deep nesting and huge numbers are safe" {
	probe_one '{"url":"'"$HTTP_URL"'/repeat?s=%5B&n=200000","json":{"/0":1}}'
	jqo '.error == "assert" and (.detail | startswith("json: body is not JSON"))'
	probe_one '{"url":"'"$(text '{"n":123456789012345678901234567890}')"'","json":{"/n":1}}'
	jqo '.error == "assert" and (.detail | startswith("json /n: found 1.23"))'
}

@test "json: the body is bounded by --max-body (too_large, not assert)" {
	probe_one '{"url":"'"$HTTP_URL"'/bytes/5000","json":{"/a":1}}' --max-body 1k
	jqo '.error == "too_large"'
}

@test "json: a long found value is cut, valid UTF-8" {
	long=$(printf 'é%.0s' $(seq 1 300))
	probe_one '{"url":"'"$(text "{\"s\":\"$long\"}")"'","json":{"/s":"x"}}'
	jqo '.error == "assert" and (.detail | utf8bytelength) < 300 and (.detail | contains("..."))'
}

@test "json: a bad pointer or a non-object is a bad line" {
	bad_line '{"url":"'"$HTTP_URL"'/ok","json":{"status":"UP"}}' "bad JSON pointer 'status': must be empty or start with '/'"
	bad_line '{"url":"'"$HTTP_URL"'/ok","json":{"/a~2":1}}' "bad JSON pointer '/a~2': '~' must be followed by 0 or 1"
	bad_line '{"url":"'"$HTTP_URL"'/ok","json":["/a"]}' "'json' must be an object"
}

# ---- headers_expect ---------------------------------------------------------

@test "headers_expect: matching headers pass, names case-insensitive" {
	probe_one '{"url":"'"$HTTP_URL"'/headers?h=X-Ver:2.1.0","headers_expect":{"x-ver":"^2\\.","Content-Type":"^text/plain"}}'
	jqo '.ok'
}

@test "headers_expect: a missing header fails" {
	probe_one '{"url":"'"$HTTP_URL"'/headers","headers_expect":{"X-Ver":"^2"}}'
	jqo '.error == "assert" and .detail == "header X-Ver: missing, wanted /^2/"'
}

@test "headers_expect: a value that does not match fails, naming found and wanted" {
	probe_one '{"url":"'"$HTTP_URL"'/headers?h=X-Ver:1.9","headers_expect":{"X-Ver":"^2"}}'
	jqo '.error == "assert" and .detail == "header X-Ver: found \"1.9\", wanted /^2/"'
}

@test "headers_expect: a header present twice passes when one value matches" {
	probe_one '{"url":"'"$HTTP_URL"'/headers?h=X-Dup:a&h=X-Dup:b","headers_expect":{"X-Dup":"^b$"}}'
	jqo '.ok'
	probe_one '{"url":"'"$HTTP_URL"'/headers?h=X-Dup:a&h=X-Dup:b","headers_expect":{"X-Dup":"^c$"}}'
	jqo '.error == "assert" and .detail == "header X-Dup: found \"a\", wanted /^c$/"'
}

@test "headers_expect: only the final response's headers count" {
	loc=$(jq -rn --arg u "$HTTP_URL/headers?h=X-Final:yes" '$u | @uri')
	probe_one '{"url":"'"$HTTP_URL"'/redirect-to?url='"$loc"'","headers_expect":{"X-Final":"yes","Location":"."}}'
	jqo '.error == "assert" and .detail == "header Location: missing, wanted /./"'
}

@test "headers_expect: bad name or pattern is a bad line" {
	bad_line '{"url":"'"$HTTP_URL"'/ok","headers_expect":{"X Y":"a"}}' "'headers_expect': bad header name 'X Y'"
	bad_line '{"url":"'"$HTTP_URL"'/ok","headers_expect":{"X":1}}' "'headers_expect': the pattern of 'X' must be a string"
}

# ---- order of checks --------------------------------------------------------

@test "checks: one error in the fixed order status, regex, not_regex, json, headers_expect" {
	body='{"status":"DOWN"}'
	u=$(text "$body")
	hx='"headers_expect":{"X-None":"."}'
	printf '%s\n' \
		'{"name":"status","url":"'"$u"'","expect":"500","regex":"nothing","not_regex":"DOWN","json":{"/status":"UP"},'"$hx"'}' \
		'{"name":"regex","url":"'"$u"'","regex":"nothing","not_regex":"DOWN","json":{"/status":"UP"},'"$hx"'}' \
		'{"name":"not_regex","url":"'"$u"'","regex":"status","not_regex":"DOWN","json":{"/status":"UP"},'"$hx"'}' \
		'{"name":"json","url":"'"$u"'","not_regex":"UP","json":{"/status":"UP"},'"$hx"'}' \
		'{"name":"headers","url":"'"$u"'","json":{"/status":"DOWN"},'"$hx"'}' >"$SITES"
	wm-probe "$SITES" >"$OUT"
	run jq -e -s 'map({(.name): [.error, (.detail | split(" ")[0])]}) | add
		== {"status": ["status", "status"], "regex": ["regex", "no"],
		    "not_regex": ["regex", "not_regex"], "json": ["assert", "json"],
		    "headers": ["assert", "header"]}' "$OUT"
	[ "$status" -eq 0 ] || flunk "$(cat "$OUT")"
}

# ---- degraded ---------------------------------------------------------------

@test "degraded_ms: an ok result slower than it is degraded slow; a fast one is not" {
	printf '%s\n' '{"name":"slow","url":"'"$HTTP_URL"'/delay/300","degraded_ms":100}' \
		'{"name":"fast","url":"'"$HTTP_URL"'/ok","degraded_ms":5000}' \
		'{"name":"failed","url":"'"$HTTP_URL"'/delay/300","degraded_ms":100,"expect":"404"}' >"$SITES"
	wm-probe "$SITES" >"$OUT"
	run jq -e -s 'map({(.name): [.ok, .degraded]}) | add ==
		{"slow": [true, "slow"], "fast": [true, null], "failed": [false, null]}' "$OUT"
	[ "$status" -eq 0 ] || flunk "$(cat "$OUT")"
}

@test "cert_days: an expiry closer than cert_days is degraded cert" {
	# The test CA expires in 200 days, the leaf in 400.
	printf '%s\n' '{"name":"near","url":"'"$HTTPS_URL"'/ok","cert_days":300}' \
		'{"name":"far","url":"'"$HTTPS_URL"'/ok","cert_days":100}' \
		'{"name":"plain","url":"'"$HTTP_URL"'/ok","cert_days":100}' >"$SITES"
	wm-probe --cacert "$CA_CERT" "$SITES" >"$OUT"
	run jq -e -s 'map({(.name): [.ok, .degraded]}) | add ==
		{"near": [true, "cert"], "far": [true, null], "plain": [true, null]}' "$OUT"
	[ "$status" -eq 0 ] || flunk "$(cat "$OUT")"
}

@test "degraded_ms and cert_days must be non-negative numbers" {
	bad_line '{"url":"'"$HTTP_URL"'/ok","degraded_ms":"fast"}' "'degraded_ms' must be a number"
	bad_line '{"url":"'"$HTTP_URL"'/ok","cert_days":-1}' "'cert_days' must be a number"
}

# ---- versions ---------------------------------------------------------------

@test "http_version and tls_version are recorded" {
	printf '%s\n' '{"name":"http","url":"'"$HTTP_URL"'/ok"}' \
		'{"name":"https","url":"'"$HTTPS_URL"'/ok"}' \
		'{"name":"down","url":"http://127.0.0.1:'"$(free_port)"'/"}' \
		'{"name":"to-http","url":"'"$HTTPS_URL"'/redirect-to?url='"$HTTP_URL"'/ok"}' \
		'{"name":"to-https","url":"'"$HTTP_URL"'/redirect-to?url='"$HTTPS_URL"'/ok"}' >"$SITES"
	wm-probe --cacert "$CA_CERT" "$SITES" >"$OUT"
	run jq -e -s 'map({(.name): [.http_version, .tls_version, (.cert_expiry != null)]}) | add ==
		{"http": ["1.1", null, false], "https": ["1.1", "TLSv1.3", true],
		 "down": [null, null, false], "to-http": ["1.1", null, false],
		 "to-https": ["1.1", "TLSv1.3", true]}' "$OUT"
	[ "$status" -eq 0 ] || flunk "$(cat "$OUT")"
}

@test "http: \"2\" speaks HTTP/2 over TLS, \"1.1\" keeps HTTP/1.1" {
	printf '%s\n' '{"name":"two","url":"'"$NGX_H2"'/","http":"2","regex":"h2 ok"}' \
		'{"name":"one","url":"'"$NGX_H2"'/","http":"1.1"}' >"$SITES"
	wm-probe --cacert "$CA_CERT" "$SITES" >"$OUT"
	run jq -e -s 'map({(.name): [.ok, .http_version]}) | add ==
		{"two": [true, "2"], "one": [true, "1.1"]}' "$OUT"
	[ "$status" -eq 0 ] || flunk "$(cat "$OUT")"
	bad_line '{"url":"'"$HTTP_URL"'/ok","http":"3"}' "'http' must be \"1.1\" or \"2\""
}

# ---- addresses --------------------------------------------------------------

@test "ip_version: 6 probes over IPv6, 4 refuses an IPv6-only site" {
	printf '%s\n' '{"name":"six","url":"'"$HTTP6_URL"'/ok","ip_version":6}' \
		'{"name":"four","url":"'"$HTTP6_URL"'/ok","ip_version":4}' >"$SITES"
	wm-probe "$SITES" >"$OUT"
	run jq -e -s 'map({(.name): [.ok, .ip]}) | add | .six == [true, "::1"] and .four[0] == false' "$OUT"
	[ "$status" -eq 0 ] || flunk "$(cat "$OUT")"
	bad_line '{"url":"'"$HTTP_URL"'/ok","ip_version":5}' "'ip_version' must be 4 or 6"
}

@test "resolve: probes the chosen address, and only for its own site" {
	u="http://probe-$BATS_TEST_NUMBER.webmon.invalid:$HTTP_PORT/ok"
	printf '%s\n' '{"name":"pinned","url":"'"$u"'","resolve":"probe-'"$BATS_TEST_NUMBER"'.webmon.invalid:'"$HTTP_PORT"':127.0.0.1"}' \
		'{"name":"plain","url":"'"$u"'","interval":2}' >"$SITES"
	wm-probe -c 1 "$SITES" >"$OUT"
	run jq -e -s 'map({(.name): [.ok, .ip, .error]}) | add ==
		{"pinned": [true, "127.0.0.1", null], "plain": [false, null, "dns"]}' "$OUT"
	[ "$status" -eq 0 ] || flunk "$(cat "$OUT")"
	bad_line '{"url":"'"$HTTP_URL"'/ok","resolve":"host:80"}' "bad resolve 'host:80': want host:port:address"
	bad_line '{"url":"'"$HTTP_URL"'/ok","resolve":"host:80:not-an-ip"}' "bad resolve"
}

# ---- TLS --------------------------------------------------------------------

@test "cacert: a site-specific CA verifies that site only" {
	printf '%s\n' '{"name":"own","url":"'"$HTTPS_URL"'/ok","cacert":"'"$CA_CERT"'"}' \
		'{"name":"none","url":"'"$HTTPS_URL"'/ok"}' >"$SITES"
	wm-probe "$SITES" >"$OUT"
	run jq -e -s 'map({(.name): [.ok, .error]}) | add ==
		{"own": [true, null], "none": [false, "tls"]}' "$OUT"
	[ "$status" -eq 0 ] || flunk "$(cat "$OUT")"
	bad_line '{"url":"'"$HTTPS_URL"'/ok","cacert":"/nonexistent/ca.pem"}' "'cacert': cannot read '/nonexistent/ca.pem': No such file"
}

@test "cert and key: a server that requires a client certificate" {
	printf '%s\n' '{"name":"with","url":"'"$NGX_MTLS"'/","cert":"'"$CERT_DIR"'/client.pem","key":"'"$CERT_DIR"'/client.key","regex":"mtls ok"}' \
		'{"name":"without","url":"'"$NGX_MTLS"'/"}' >"$SITES"
	wm-probe --cacert "$CA_CERT" "$SITES" >"$OUT"
	run jq -e -s 'map({(.name): [.ok, .status, .error]}) | add ==
		{"with": [true, 200, null], "without": [false, 400, "status"]}' "$OUT"
	[ "$status" -eq 0 ] || flunk "$(cat "$OUT")"
	bad_line '{"url":"'"$NGX_MTLS"'/","cert":"'"$CERT_DIR"'/client.pem"}' "'cert' and 'key' go together"
}

@test "insecure: an expired certificate is ok and cert_expiry is in the past" {
	probe_one '{"url":"'"$NGX_EXPIRED"'/","insecure":true}'
	jqo '.ok and .status == 200'
	jqo '(.cert_expiry | fromdate) < now - 3 * 86400'
}

@test "tls: an expired certificate's error says how long ago; cert_expiry is recorded" {
	probe_one '{"url":"'"$NGX_EXPIRED"'/","cacert":"'"$EXPIRED_CERT"'"}'
	jqo '.ok == false and .error == "tls" and (.detail | startswith("certificate expired 3 days ago"))'
	jqo '(.cert_expiry | fromdate) < now - 3 * 86400'
	# Untrusted too: the date is still recorded.
	probe_one '{"url":"'"$NGX_EXPIRED"'/"}'
	jqo '.error == "tls" and .cert_expiry != null'
}

@test "tls_min: 1.3 refuses a TLS 1.2-only server, 1.2 accepts it" {
	printf '%s\n' '{"name":"13","url":"'"$NGX_TLS12"'/","tls_min":"1.3"}' \
		'{"name":"12","url":"'"$NGX_TLS12"'/","tls_min":"1.2"}' >"$SITES"
	wm-probe --cacert "$CA_CERT" "$SITES" >"$OUT"
	run jq -e -s 'map({(.name): [.ok, .error, .tls_version]}) | add ==
		{"13": [false, "tls", null], "12": [true, null, "TLSv1.2"]}' "$OUT"
	[ "$status" -eq 0 ] || flunk "$(cat "$OUT")"
	bad_line '{"url":"'"$HTTPS_URL"'/ok","tls_min":"1.1"}' "'tls_min' must be \"1.2\" or \"1.3\""
}

# ---- user and secrets -------------------------------------------------------

@test "user: basic authentication, the password from the environment" {
	export WM_TEST_PW="pa55:word"
	probe_one '{"url":"'"$HTTP_URL"'/echo","user":"alice:${WM_TEST_PW}","regex":"\"Authorization\":\"Basic YWxpY2U6cGE1NTp3b3Jk\""}'
	jqo '.ok and .match'
	bad_line '{"url":"'"$HTTP_URL"'/ok","user":"alice"}' "'user' must be name:password"
}

@test "secrets: \${NAME} and \${file:PATH} in headers, body and url are sent, never shown" {
	export WM_TEST_TOKEN="tok-9f8e7d"
	printf 'file-s3cret\n' >"$BATS_TEST_TMPDIR/secret"
	probe_one '{"url":"'"$HTTP_URL"'/echo?k=${WM_TEST_TOKEN}","method":"POST","headers":{"X-Token":"Bearer ${WM_TEST_TOKEN}","X-File":"${file:'"$BATS_TEST_TMPDIR"'/secret}"},"body":"b=${file:'"$BATS_TEST_TMPDIR"'/secret}&lit=$${x}","regex":"\"query\":\"k=tok-9f8e7d\".*\"X-Token\":\"Bearer tok-9f8e7d\".*\"X-File\":\"file-s3cret\".*\"body\":\"b=file-s3cret&lit=\\$\\{x\\}\""}'
	jqo '.ok and .match'
	# The result carries the url as written, not the secret.
	jqo '.url == "'"$HTTP_URL"'/echo?k=${WM_TEST_TOKEN}"'
	run jq -e 'del(.regex, .matched) | tostring | contains("tok-9f8e7d") or contains("file-s3cret") | not' "$OUT"
	[ "$status" -eq 0 ]
}

@test "secrets: an unset variable or unreadable file is a bad line, never an empty secret" {
	unset WM_TEST_NOPE
	export WM_TEST_EMPTY=
	e="$HTTP_URL/echo/$BATS_TEST_NUMBER"
	printf '%s\n' \
		'{"url":"'"$e"'","headers":{"X-Token":"${WM_TEST_NOPE}"}}' \
		'{"url":"'"$e"'","headers":{"X-Token":"${WM_TEST_EMPTY}"}}' \
		'{"url":"'"$e"'","body":"${file:/nonexistent/secret}"}' \
		'{"url":"'"$e"'","user":"u:${file:'"$BATS_TEST_TMPDIR"'}"}' \
		'{"url":"'"$e"'?${WM_TEST_NOPE}"}' \
		'{"url":"'"$e"'","headers":{"X-Token":"${unterminated"}}' \
		'{"url":"'"$e"'","headers":{"X-Token":"${bad name}"}}' >"$SITES"
	run -3 --separate-stderr wm-probe "$SITES"
	[ -z "$output" ]
	[[ "$stderr" == *":1: header 'X-Token': \${WM_TEST_NOPE}: environment variable not set"* ]]
	[[ "$stderr" == *":2: header 'X-Token': \${WM_TEST_EMPTY}: environment variable empty"* ]]
	[[ "$stderr" == *":3: body: \${file:/nonexistent/secret}: No such file or directory"* ]]
	[[ "$stderr" == *":4: 'user': \${file:$BATS_TEST_TMPDIR}: not a regular file"* ]]
	[[ "$stderr" == *":5: url: \${WM_TEST_NOPE}: environment variable not set"* ]]
	[[ "$stderr" == *":6: header 'X-Token': unterminated \${ reference"* ]]
	[[ "$stderr" == *":7: header 'X-Token': bad reference \${bad name}"* ]]
	[ "$(http_stats "/echo/$BATS_TEST_NUMBER" | jq .hits)" -eq 0 ]
}

@test "secrets: a resolved value that is bad is reported without the value" {
	export WM_TEST_BADURL="x y-s3cret"
	printf 'bad\001s3cret\n' >"$BATS_TEST_TMPDIR/ctl"
	printf '%s\n' \
		'{"url":"'"$HTTP_URL"'/echo","headers":{"X-Token":"${file:'"$BATS_TEST_TMPDIR"'/ctl}"}}' \
		'{"url":"'"$HTTP_URL"'/${WM_TEST_BADURL}"}' \
		'{"url":"'"$HTTP_URL"'/echo","user":"${WM_TEST_BADURL}"}' >"$SITES"
	run -3 --separate-stderr wm-probe "$SITES"
	echo "$stderr"
	[[ "$stderr" == *":1: bad value of header 'X-Token': contains CR, LF"* ]]
	[[ "$stderr" == *":2: bad url: contains a space"* ]]
	[[ "$stderr" == *":3: 'user' must be name:password"* ]]
	[[ "$stderr" != *s3cret* ]]
}

@test "secrets: a reload (SIGHUP) re-reads them; an unresolvable one keeps the old set" {
	export WM_TEST_RL="first"
	echo '{"url":"'"$HTTP_URL"'/echo/rl","headers":{"X-Rl":"${file:'"$BATS_TEST_TMPDIR"'/rl}"},"interval":0.1,"regex":"\"X-Rl\":\"[a-z]+\""}' >"$SITES"
	echo one >"$BATS_TEST_TMPDIR/rl"
	wm-probe --watch "$SITES" >"$OUT" 2>"$ERR" 3>&- &
	pid=$! WPID=$!
	wait_until 20 grep -q '"matched":"\\"X-Rl\\":\\"one\\""' "$OUT"
	echo two >"$BATS_TEST_TMPDIR/rl"
	kill -HUP "$pid"
	wait_until 20 grep -q '"matched":"\\"X-Rl\\":\\"two\\""' "$OUT"
	rm "$BATS_TEST_TMPDIR/rl"
	kill -HUP "$pid"
	wait_until 20 grep -q 'keeping the 1 sites running' "$ERR"
	kill -TERM "$pid"
	wait "$pid"
	WPID=
	grep -q "$SITES:1: header 'X-Rl': \${file:$BATS_TEST_TMPDIR/rl}: No such file" "$ERR"
}

# hit PATH: the fixture has served PATH at least once.
hit() {
	[ "$(http_stats "$1" | jq .hits)" -ge 1 ]
}

@test "secrets: a reload sees a changed \${file:} in a bare url line" {
	echo a1 >"$BATS_TEST_TMPDIR/path"
	echo "$HTTP_URL/site/\${file:$BATS_TEST_TMPDIR/path}" >"$SITES"
	wm-probe --watch --interval 0.1 "$SITES" >"$OUT" 2>"$ERR" 3>&- &
	pid=$! WPID=$!
	wait_until 20 hit /site/a1
	echo b2 >"$BATS_TEST_TMPDIR/path"
	kill -HUP "$pid"
	wait_until 20 hit /site/b2
	kill -TERM "$pid"
	wait "$pid"
	WPID=
	# Results keep the url as written.
	run jq -e -s --arg u "$HTTP_URL/site/\${file:$BATS_TEST_TMPDIR/path}" 'all(.url == $u)' "$OUT"
	[ "$status" -eq 0 ]
}
