#!/bin/bash
# wm-state on N flapping results of TARGETS targets (tests/fixtures/wm-state/
# flap.py, the corpus of the SQL equivalence test): results/s on one core
# and peak RSS, with the defaults and with --quorum/--stale on. Then
# wm-notify into a local receiver (the test fixture wm-httpd, /hook/NAME):
# events/s one POST per event, and with --group-wait (digests); both with
# --state (an fsync per notification).
#   N=100000 TARGETS=1000 EVENTS=2000 bench/state.sh     a quick run
set -eu
N=${N:-1000000}
TARGETS=${TARGETS:-10000}
EVENTS=${EVENTS:-20000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$ROOT:$ROOT/tests/fixtures:$PATH"

tmp=$(mktemp -d)
hp=
cleanup() { [ -z "$hp" ] || kill "$hp" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "generating $N results of $TARGETS targets..." >&2
python3 "$ROOT/tests/fixtures/wm-state/flap.py" "$N" 1 "$TARGETS" >"$tmp/in"
echo "$(($(wc -c <"$tmp/in") / N)) bytes per result" >&2

run_state() {	# label, flags...
	local label=$1 best=0 rss=0 t0 t1 r ev
	shift
	for _ in 1 2 3; do
		rm -f "$tmp/st"
		t0=$(date +%s.%N)
		/usr/bin/time -f %M -o "$tmp/rss" taskset -c 0 wm-state "$@" <"$tmp/in" >"$tmp/ev"
		t1=$(date +%s.%N)
		r=$(echo "$N / ($t1 - $t0)" | bc)
		[ "$r" -gt "$best" ] && best=$r
		rss=$(cat "$tmp/rss")
	done
	ev=$(wc -l <"$tmp/ev")
	printf 'wm-state %-28s %9d results/s  %6d KB peak RSS  %d events\n' \
		"$label" "$best" "$rss" "$ev"
}
run_state "(defaults)"
run_state "--fail 5 --quorum 2 --stale 300" --fail 5 --quorum 2 --stale 300
run_state "--state FILE (saved each 1 s)" --state "$tmp/st" --save-interval 1

# Events for wm-notify: the first EVENTS events of the corpus.
wm-state --fail 2 --success 2 <"$tmp/in" | head -n "$EVENTS" >"$tmp/events"
ne=$(wc -l <"$tmp/events")
wm-httpd --port-file "$tmp/port" --hang-port-file "$tmp/hang" </dev/null \
	>/dev/null 2>&1 &
hp=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$tmp/port")/hook"

run_notify() {	# label, hook, flags...
	local label=$1 hook=$2 t0 t1
	shift 2
	rm -f "$tmp/sent"
	t0=$(date +%s.%N)
	wm-notify --webhook "$url/$hook" --state "$tmp/sent" "$@" <"$tmp/events"
	t1=$(date +%s.%N)
	printf 'wm-notify %-22s %8.0f events/s  %d posts for %d events\n' "$label" \
		"$(echo "$ne / ($t1 - $t0)" | bc -l)" \
		"$(curl -s "$url"s/"$hook" | wc -l)" "$ne"
}
run_notify "one POST per event" each
run_notify "--group-wait 1" digest --group-wait 1
