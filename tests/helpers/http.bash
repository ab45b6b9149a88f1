# Real HTTP(S) servers for bats files: wm-httpd on loopback, with test certificates.
#
# http_start     plain HTTP on 127.0.0.1: HTTP_PID HTTP_PORT HTTP_URL HANG_PORT HANG_URL
# https_start    two HTTPS servers: HTTPS_PORT HTTPS_URL (chain signed by a test CA,
#                CA_CERT) and HTTPS_SELF_PORT HTTPS_SELF_URL (self-signed, SELF_CERT);
#                HTTPS_PIDS, CERT_DIR, CA_NOTAFTER LEAF_NOTAFTER SELF_NOTAFTER (RFC 3339)
# http6_start    plain HTTP on ::1: HTTP6_PID HTTP6_PORT HTTP6_URL HANG6_URL
# http_stop      stop every server started here and remove their files
# http_stats [PATH]  /stats of the HTTP_URL server, or only the entry of PATH
# http_reset     zero the /stats of the HTTP_URL server
#
# Use from setup_file/teardown_file (or setup/teardown): servers are children
# of the shell that started them.

WM_HTTP_PIDS=${WM_HTTP_PIDS:-}
WM_HTTP_DIRS=${WM_HTTP_DIRS:-}

# _wm_httpd_run DIR ARGS...: start wm-httpd with port files in DIR and wait until
# it answers; sets _WM_PID, _WM_PORT, _WM_HANG_PORT.
_wm_httpd_run() {
	local dir=$1 scheme=http host=127.0.0.1 a i
	shift
	for a in "$@"; do
		case $a in
		--cert) scheme=https ;;
		-6) host='[::1]' ;;
		esac
	done
	rm -f "$dir/port" "$dir/hang_port"
	# fd 3 is bats' own: a background child must not hold it open.
	wm-httpd --port-file "$dir/port" --hang-port-file "$dir/hang_port" "$@" \
		</dev/null >"$dir/stdout" 2>>"$dir/stderr" 3>&- &
	_WM_PID=$!
	WM_HTTP_PIDS="$WM_HTTP_PIDS $_WM_PID"
	export WM_HTTP_PIDS
	for ((i = 0; i < 100; i++)); do
		[ -s "$dir/port" ] && break
		kill -0 "$_WM_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -s "$dir/port" ]; then
		echo "wm-httpd did not start:" >&2
		cat "$dir/stderr" >&2
		return 1
	fi
	_WM_PORT=$(cat "$dir/port")
	_WM_HANG_PORT=$(cat "$dir/hang_port")
	for ((i = 0; i < 100; i++)); do
		curl -sk -o /dev/null --max-time 2 "$scheme://$host:$_WM_PORT/ok" && return 0
		sleep 0.05
	done
	echo "wm-httpd on port $_WM_PORT does not answer" >&2
	return 1
}

# A fresh directory for one server's files in _WM_DIR, removed by http_stop.
_wm_httpd_dir() {
	_WM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/wmhttpd.XXXXXX") || return 1
	WM_HTTP_DIRS="$WM_HTTP_DIRS $_WM_DIR"
	export WM_HTTP_DIRS
}

# The notAfter of a PEM certificate as RFC 3339 UTC.
_wm_notafter() {
	local end
	end=$(openssl x509 -in "$1" -noout -enddate) || return 1
	date -u -d "${end#notAfter=}" +%Y-%m-%dT%H:%M:%SZ
}

http_start() {
	local dir
	_wm_httpd_dir || return 1
	dir=$_WM_DIR
	_wm_httpd_run "$dir" || return 1
	export HTTP_PID=$_WM_PID HTTP_PORT=$_WM_PORT HANG_PORT=$_WM_HANG_PORT
	export HTTP_URL="http://127.0.0.1:$HTTP_PORT"
	export HANG_URL="http://127.0.0.1:$HANG_PORT/"
}

http6_start() {
	local dir
	_wm_httpd_dir || return 1
	dir=$_WM_DIR
	_wm_httpd_run "$dir" -6 || return 1
	export HTTP6_PID=$_WM_PID HTTP6_PORT=$_WM_PORT HANG6_PORT=$_WM_HANG_PORT
	export HTTP6_URL="http://[::1]:$HTTP6_PORT"
	export HANG6_URL="http://[::1]:$HANG6_PORT/"
}

# Make the test PKI in dir: a CA (200 days), a leaf for localhost and 127.0.0.1
# signed by it (400 days, so the CA expires first), and a self-signed cert.
_wm_make_certs() {
	local d=$1 ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	{
		openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.pem" \
			-days 200 -subj "/CN=webmon test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" &&
		openssl req "${ec[@]}" -keyout "$d/leaf.key" -out "$d/leaf.csr" \
			-subj "/CN=localhost" &&
		printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" \
			"basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
			"extendedKeyUsage=serverAuth" >"$d/leaf.ext" &&
		openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-CAcreateserial -days 400 -extfile "$d/leaf.ext" -out "$d/leaf.pem" &&
		cat "$d/leaf.pem" "$d/ca.pem" >"$d/chain.pem" &&
		openssl req -x509 "${ec[@]}" -keyout "$d/self.key" -out "$d/self.pem" \
			-days 30 -subj "/CN=localhost" \
			-addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
	} >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; return 1; }
}

https_start() {
	local dir
	_wm_httpd_dir || return 1
	dir=$_WM_DIR
	_wm_make_certs "$dir" || return 1
	export CERT_DIR=$dir CA_CERT="$dir/ca.pem" SELF_CERT="$dir/self.pem"
	CA_NOTAFTER=$(_wm_notafter "$dir/ca.pem") &&
	LEAF_NOTAFTER=$(_wm_notafter "$dir/leaf.pem") &&
	SELF_NOTAFTER=$(_wm_notafter "$dir/self.pem") || return 1
	export CA_NOTAFTER LEAF_NOTAFTER SELF_NOTAFTER

	mkdir "$dir/ca" "$dir/self"
	_wm_httpd_run "$dir/ca" --cert "$dir/chain.pem" --key "$dir/leaf.key" || return 1
	export HTTPS_PORT=$_WM_PORT HTTPS_URL="https://127.0.0.1:$_WM_PORT"
	HTTPS_PIDS=$_WM_PID
	_wm_httpd_run "$dir/self" --cert "$dir/self.pem" --key "$dir/self.key" || return 1
	export HTTPS_SELF_PORT=$_WM_PORT HTTPS_SELF_URL="https://127.0.0.1:$_WM_PORT"
	export HTTPS_PIDS="$HTTPS_PIDS $_WM_PID"
}

http_stop() {
	local pid i d
	for pid in $WM_HTTP_PIDS; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in $WM_HTTP_PIDS; do
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for d in $WM_HTTP_DIRS; do
		rm -rf "$d"
	done
	WM_HTTP_PIDS= WM_HTTP_DIRS=
	unset HTTP_PID HTTP6_PID HTTPS_PIDS
}

http_stats() {
	if [ $# -eq 0 ]; then
		curl -s "$HTTP_URL/stats"
	else
		curl -s "$HTTP_URL/stats" | jq -c --arg p "$1" \
			'.paths[$p] // {"hits":0,"max_concurrent":0,"inflight":0}'
	fi
}

http_reset() {
	curl -s -o /dev/null "$HTTP_URL/reset"
}
