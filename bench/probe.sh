#!/bin/sh
# bench/probe.sh: wm-probe against curl --parallel on the same URL list.
#
# Starts a private nginx on a loopback port (keepalive off, so every request
# of both tools opens a fresh connection), probes N distinct URLs with
# wm-probe -c C and with curl --parallel --parallel-max C, alternating,
# ROUNDS times per C, and prints the best probes/s of each and the ratio.
# Then wm-probe with a json and a headers_expect check on every site
# against wm-probe on the same URLs without checks (target: >= 0.9x).
# Then measures wm-probe's peak RSS over RSS_N sites. Note: curl caps
# --parallel-max at 300, so at C=500 curl runs 300 transfers at a time.
#
# usage: bench/probe.sh [N [ROUNDS]]      (run from the repository root)
set -eu

N=${1:-5000}
ROUNDS=${2:-3}
RSS_N=${RSS_N:-10000}
CS=${CS:-"100 500"}
ROOT=$(pwd)
PROBE=$ROOT/wm-probe
[ -x "$PROBE" ] || { echo "bench/probe.sh: build wm-probe first (make wm-probe)" >&2; exit 1; }
command -v nginx >/dev/null || { echo "bench/probe.sh: nginx is needed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/probe.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/wm-bench.XXXXXX")
NGINX_PID=
cleanup() {
	if [ -n "$NGINX_PID" ]; then
		kill "$NGINX_PID" 2>/dev/null || true
		wait "$NGINX_PID" 2>/dev/null || true
	fi
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$DIR/logs"
cat >"$DIR/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/logs/error.log crit;
worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http {
	access_log off;
	keepalive_timeout 0;
	client_body_temp_path $DIR/tmp;
	proxy_temp_path $DIR/tmp;
	fastcgi_temp_path $DIR/tmp;
	uwsgi_temp_path $DIR/tmp;
	scgi_temp_path $DIR/tmp;
	server {
		listen 127.0.0.1:$PORT backlog=4096;
		location / { return 200 "ok\n"; }
		location /json/ {
			default_type application/json;
			return 200 '{"status":"UP","db":{"ok":true},"n":1}';
		}
	}
}
CONF
ulimit -n 8192 2>/dev/null || true
nginx -p "$DIR" -c "$DIR/nginx.conf" &
NGINX_PID=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "bench/probe.sh: nginx did not start" >&2; cat "$DIR/logs/error.log" >&2; exit 1; }
	sleep 0.05
done

i=1
while [ $i -le "$N" ]; do echo "http://127.0.0.1:$PORT/site/$i"; i=$((i + 1)); done >"$DIR/urls.txt"
awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' "$DIR/urls.txt" >"$DIR/curl.conf"

now() { date +%s.%N; }
# rate START END: N / (END - START)
rate() { echo "$N $1 $2" | awk '{ printf "%.0f", $1 / ($3 - $2) }'; }

echo "wm-probe vs curl --parallel: $N distinct URLs on nginx 127.0.0.1:$PORT, fresh connections, best of $ROUNDS"
for C in $CS; do
	best_w=0 best_c=0 r=1
	while [ $r -le "$ROUNDS" ]; do
		t0=$(now); "$PROBE" -c "$C" -i bench "$DIR/urls.txt" >"$DIR/out.ndjson"; t1=$(now)
		w=$(rate "$t0" "$t1")
		bad=$(grep -vc '"ok":true' "$DIR/out.ndjson" || true)
		[ "$bad" -eq 0 ] || echo "  (wm-probe: $bad probes not ok)"
		t0=$(now); curl -s --no-progress-meter --parallel --parallel-max "$C" -K "$DIR/curl.conf"; t1=$(now)
		c=$(rate "$t0" "$t1")
		echo "  C=$C round $r: wm-probe $w/s, curl $c/s"
		[ "$w" -gt "$best_w" ] && best_w=$w
		[ "$c" -gt "$best_c" ] && best_c=$c
		r=$((r + 1))
	done
	echo "C=$C: wm-probe $best_w probes/s, curl $best_c probes/s, ratio $(echo "$best_w $best_c" | awk '{ printf "%.2f", $1 / $2 }')x"
	echo "RESULT name=probe_c$C ours=$best_w peer=$best_c unit=probes/s target=ratio>=1.0 note=N=$N,best-of-$ROUNDS"
done

i=1
while [ $i -le "$N" ]; do
	echo "http://127.0.0.1:$PORT/json/$i" >&3
	echo "{\"url\":\"http://127.0.0.1:$PORT/json/$i\",\"json\":{\"/status\":\"UP\",\"/db/ok\":true},\"headers_expect\":{\"Content-Type\":\"^application/json\"}}"
	i=$((i + 1))
done >"$DIR/checked.txt" 3>"$DIR/plain.txt"
C=100 best_p=0 best_k=0 r=1
while [ $r -le "$ROUNDS" ]; do
	t0=$(now); "$PROBE" -c "$C" -i bench "$DIR/plain.txt" >"$DIR/out.ndjson"; t1=$(now)
	p=$(rate "$t0" "$t1")
	t0=$(now); "$PROBE" -c "$C" -i bench "$DIR/checked.txt" >"$DIR/out.ndjson"; t1=$(now)
	k=$(rate "$t0" "$t1")
	bad=$(grep -vc '"ok":true' "$DIR/out.ndjson" || true)
	[ "$bad" -eq 0 ] || echo "  (checked: $bad probes not ok)"
	echo "  C=$C round $r: plain $p/s, json+headers_expect $k/s"
	[ "$p" -gt "$best_p" ] && best_p=$p
	[ "$k" -gt "$best_k" ] && best_k=$k
	r=$((r + 1))
done
echo "C=$C: json+headers_expect $best_k probes/s, plain $best_p probes/s, ratio $(echo "$best_k $best_p" | awk '{ printf "%.2f", $1 / $2 }')x"
echo "RESULT name=probe_checks_c$C ours=$best_k peer=$best_p unit=probes/s target=ratio>=0.9 note=N=$N,best-of-$ROUNDS,peer=wm-probe-without-checks"

i=1
while [ $i -le "$RSS_N" ]; do echo "http://127.0.0.1:$PORT/rss/$i"; i=$((i + 1)); done >"$DIR/rss.txt"
for C in 50 500; do
	/usr/bin/time -v "$PROBE" -c "$C" "$DIR/rss.txt" 2>"$DIR/time.txt" >/dev/null
	kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$DIR/time.txt")
	echo "peak RSS, $RSS_N sites, -c $C: $((kb / 1024)) MB ($kb KB)"
	echo "RESULT name=probe_rss_c$C ours=$((kb / 1024)) peer=- unit=MB target=ours<=50 note=$RSS_N-sites"
done
