#!/bin/sh
# bench/watch.sh: wm-probe --watch holding many sites on a local nginx.
#
# Probes N distinct URLs (default 100000) every INTERVAL seconds (60) for
# DURATION seconds (180) with -c CONC (100) and prints the schedule lateness
# (p50/p99 over the run, worst stats interval), wm-probe's peak RSS and its
# CPU use (user+system time over wall time). Targets for the defaults:
# lateness p99 <= 1 s, peak RSS <= 200 MB, CPU <= 1 core.
# nginx listens on one port of several loopback addresses so that fresh
# connections (one per probe) do not run out of local ports.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-100000}
INTERVAL=${INTERVAL:-60}
DURATION=${DURATION:-180}
CONC=${CONC:-100}
STATS=${STATS:-10}
PROBE=${PROBE:-$ROOT/wm-probe}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wmbench.XXXXXX")
ngpid= wmpid=
cleanup() {
	[ -n "$wmpid" ] && kill "$wmpid" 2>/dev/null || true
	if [ -s "$tmp/nginx.pid" ]; then
		kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
	elif [ -n "$ngpid" ]; then
		kill "$ngpid" 2>/dev/null || true
	fi
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

[ -x "$PROBE" ] || { echo "bench/watch.sh: build wm-probe first (make wm-probe)" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

mkdir -p "$tmp/ng"
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/ng/error.log crit;
events { worker_connections 8192; }
http {
	access_log off;
	client_body_temp_path $tmp/ng;
	proxy_temp_path $tmp/ng;
	fastcgi_temp_path $tmp/ng;
	uwsgi_temp_path $tmp/ng;
	scgi_temp_path $tmp/ng;
	server {
		listen $port backlog=8192;
		location / { return 200 "ok"; }
	}
}
CONF
nginx -p "$tmp/ng" -c "$tmp/nginx.conf" &
ngpid=$!

# Distinct URLs spread over 127.0.0.1-127.0.0.8.
awk -v n="$N" -v port="$port" 'BEGIN {
	for (i = 0; i < n; i++)
		printf "http://127.0.0.%d:%d/site/%d\n", i % 8 + 1, port, i
}' >"$tmp/sites.txt"

i=0
until curl -s -o /dev/null "http://127.0.0.1:$port/ok"; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "bench/watch.sh: nginx did not start" >&2; exit 1; }
	sleep 0.1
done

echo "wm-probe --watch: sites=$N interval=${INTERVAL}s duration=${DURATION}s -c $CONC"
hz=$(getconf CLK_TCK)
t0=$(date +%s.%N)
"$PROBE" --watch -v --interval "$INTERVAL" --stats-interval "$STATS" \
	-c "$CONC" "$tmp/sites.txt" >/dev/null 2>"$tmp/stderr" &
wmpid=$!

sleep "$DURATION"
# Read the counters just before stopping: the process is still there.
# Fields 14 and 15 of stat (utime, stime) are $12 and $13 after "pid (comm) ".
set -- $(awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$wmpid/stat")
ut=$1 st=$2
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$wmpid/status")
t1=$(date +%s.%N)
kill -TERM "$wmpid"
rc=0
wait "$wmpid" || rc=$?
wmpid=

grep -v '^wm-probe: stats:\|^wm-probe: total:' "$tmp/stderr" | head -5 >&2 || true
total=$(grep '^wm-probe: total:' "$tmp/stderr" | tail -1)
worst=$(grep '^wm-probe: stats:' "$tmp/stderr" |
	sed 's/.*late_p99_ms=\([0-9.]*\).*/\1/' | sort -g | tail -1)
field() { printf '%s\n' "$total" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

awk -v ut="$ut" -v st="$st" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
    -v hwm="$hwm" -v probes="$(field probes)" -v secs="$(field seconds)" \
    -v p50="$(field late_p50_ms)" -v p99="$(field late_p99_ms)" \
    -v max="$(field late_max_ms)" -v worst="${worst:-nan}" \
    -v fail="$(field failures)" -v skipped="$(field skipped)" -v rc="$rc" 'BEGIN {
	cpu = (ut + st) / hz / (t1 - t0)
	printf "probes=%d probes/s=%.0f failures=%d skipped=%d exit=%d\n", \
	    probes, probes / secs, fail, skipped, rc
	printf "lateness: p50=%.1f ms p99=%.1f ms max=%.1f ms, worst interval p99=%s ms (target p99 <= 1000 ms)\n", \
	    p50, p99, max, worst
	printf "peak RSS: %.1f MB (target <= 200 MB)\n", hwm / 1024
	printf "CPU: %.2f cores (user %.1f s, system %.1f s; target <= 1)\n", \
	    cpu, ut / hz, st / hz
	printf "RESULT name=watch_late_p99 ours=%.1f peer=- unit=ms target=ours<=1000\n", p99
	printf "RESULT name=watch_rss ours=%.1f peer=- unit=MB target=ours<=200\n", hwm / 1024
	printf "RESULT name=watch_cpu ours=%.2f peer=- unit=cores target=ours<=1\n", cpu
	printf "RESULT name=watch_rate ours=%.0f peer=- unit=probes/s target=-\n", probes / secs
}'
