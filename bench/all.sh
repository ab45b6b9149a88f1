#!/bin/bash
# bench/all.sh: run every benchmark and print one table.
#
# Runs bench/probe.sh, watch.sh, kafka.sh, pg.sh, json.sh and e2e.sh one
# after the other (never two at once), collects the lines they print as
#   RESULT name=NAME ours=X peer=Y unit=U target=T [note=...]
# (target: ratio>=R, ours<=V, ours>=V or -; ratio is ours/peer) and prints
# the machine, the versions and one table: ours, the peer's figure, the
# ratio, the target and whether it was met. Every benchmark's own output
# goes to stderr as it runs and to LOGDIR; the table goes to stdout.
#
# Knobs (environment):
#   QUICK=1      scaled-down sizes for a run of a few minutes (the sizes
#                used are printed with the table)
#   ONLY="probe pg e2e"   run only these (probe watch kafka pg json e2e)
#   LOGDIR=DIR   keep each benchmark's output there (default: a temp dir,
#                removed at the end)
#   REPORT=1     run nothing: print the table from the logs in LOGDIR
# Each benchmark's own knobs (N, ROUNDS, DURATION, ...) can be set through
# PROBE_N, PROBE_ROUNDS, WATCH_N, WATCH_INTERVAL, WATCH_DURATION, KAFKA_N,
# PG_N, PG_ROUNDS, JSON_N, E2E_N, E2E_DURATION.
#
#   bench/all.sh > table.txt           the full run (about 15 minutes)
#   QUICK=1 bench/all.sh               a quick one
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
ONLY=${ONLY:-"probe watch kafka pg json e2e"}

if [ "${QUICK:-0}" = 1 ]; then
	: "${PROBE_N:=1000}" "${PROBE_ROUNDS:=1}"
	: "${WATCH_N:=10000}" "${WATCH_INTERVAL:=10}" "${WATCH_DURATION:=30}"
	: "${KAFKA_N:=100000}" "${PG_N:=100000}" "${PG_ROUNDS:=1}" "${JSON_N:=100000}"
	: "${E2E_N:=20000}" "${E2E_DURATION:=10}"
else
	: "${PROBE_N:=5000}" "${PROBE_ROUNDS:=3}"
	: "${WATCH_N:=100000}" "${WATCH_INTERVAL:=60}" "${WATCH_DURATION:=180}"
	: "${KAFKA_N:=1000000}" "${PG_N:=1000000}" "${PG_ROUNDS:=2}" "${JSON_N:=1000000}"
	: "${E2E_N:=200000}" "${E2E_DURATION:=30}"
fi

if [ -n "${LOGDIR:-}" ]; then
	mkdir -p "$LOGDIR" || exit 1
	keep=1
else
	LOGDIR=$(mktemp -d /tmp/wm-bench-all.XXXXXX)
	keep=
fi
trap '[ -n "$keep" ] || rm -rf "$LOGDIR"' EXIT

# run NAME DESCRIPTION COMMAND...: run one benchmark, its output on stderr
# and in LOGDIR/NAME.log; a failure is noted, the others still run.
declare -A params status
run() {
	local name=$1 desc=$2 rc t0
	shift 2
	params[$name]=$desc
	printf '\n==> %s: %s\n' "$name" "$desc" >&2
	t0=$SECONDS
	"$@" 2>&1 | tee "$LOGDIR/$name.log" >&2
	rc=${PIPESTATUS[0]}
	status[$name]="exit $rc, $((SECONDS - t0)) s"
	printf '%s\n%s\n' "$desc" "${status[$name]}" >"$LOGDIR/$name.params"
	printf '==> %s: exit %d after %d s\n' "$name" "$rc" "$((SECONDS - t0))" >&2
}

for p in wm-probe wm-kafka-pub wm-kafka-sub wm-pg-copy; do
	[ -x "$p" ] || { echo "bench/all.sh: build $p first (make)" >&2; exit 1; }
done

started=$(date -u '+%Y-%m-%d %H:%M UTC')
if [ "${REPORT:-0}" = 1 ]; then
	[ -n "$keep" ] || { echo "bench/all.sh: REPORT=1 needs LOGDIR" >&2; exit 2; }
	started=$(cat "$LOGDIR/started" 2>/dev/null) ||
		started=$(date -u -r "$LOGDIR" '+%Y-%m-%d %H:%M UTC')
	for b in $ONLY; do
		[ -f "$LOGDIR/$b.params" ] || continue
		{ read -r params[$b]; read -r status[$b]; } <"$LOGDIR/$b.params"
	done
	ONLY_RUN=
else
	ONLY_RUN=$ONLY
	echo "$started" >"$LOGDIR/started"
fi
want() { [[ " $ONLY_RUN " == *" $1 "* ]]; }
want probe && run probe "N=$PROBE_N URLs, best of $PROBE_ROUNDS, RSS over ${RSS_N:-10000} sites" \
	env RSS_N="${RSS_N:-10000}" bench/probe.sh "$PROBE_N" "$PROBE_ROUNDS"
want watch && run watch "N=$WATCH_N sites, interval ${WATCH_INTERVAL}s, ${WATCH_DURATION}s" \
	env N="$WATCH_N" INTERVAL="$WATCH_INTERVAL" DURATION="$WATCH_DURATION" bench/watch.sh
if want kafka; then
	if [ -f bench/kafka.sh ]; then
		run kafka "N=$KAFKA_N lines" env N="$KAFKA_N" bash bench/kafka.sh
	else
		params[kafka]="not run: bench/kafka.sh does not exist yet"
		status[kafka]="missing"
	fi
fi
want pg && run pg "N=$PG_N records, best of $PG_ROUNDS" env N="$PG_N" ROUNDS="$PG_ROUNDS" bench/pg.sh
want json && run json "N=$JSON_N records, best of 2" env N="$JSON_N" bench/json.sh
want e2e && run e2e "N=$E2E_N records; ${E2E_DURATION}s at 1000/s per delay run" \
	env N="$E2E_N" DURATION="$E2E_DURATION" bench/e2e.sh

# kafka.sh prints "NAME  RATE msg/s (runs: ...)  [peak RSS N KiB]" for
# kcat-P, kcat-C, wm-pub and wm-sub; unless it prints RESULT lines itself.
if [ -f "$LOGDIR/kafka.log" ] && ! grep -q '^RESULT ' "$LOGDIR/kafka.log"; then
	awk '$3 == "msg/s" { rate[$1] = $2; if (match($0, /peak RSS [0-9]+ KiB/)) rss[$1] = substr($0, RSTART + 9, RLENGTH - 13) }
	END {
		if (rate["wm-pub"] && rate["kcat-P"])
			printf "RESULT name=kafka_pub ours=%d peer=%d unit=msg/s target=ratio>=1.0 note=peer=kcat-P\n", rate["wm-pub"], rate["kcat-P"]
		if (rate["wm-sub"] && rate["kcat-C"])
			printf "RESULT name=kafka_sub ours=%d peer=%d unit=msg/s target=ratio>=1.0 note=peer=kcat-C-e\n", rate["wm-sub"], rate["kcat-C"]
		if (rss["wm-pub"]) printf "RESULT name=kafka_pub_rss ours=%d peer=- unit=KiB target=-\n", rss["wm-pub"]
		if (rss["wm-sub"]) printf "RESULT name=kafka_sub_rss ours=%d peer=- unit=KiB target=-\n", rss["wm-sub"]
	}' "$LOGDIR/kafka.log" >>"$LOGDIR/kafka.log"
fi

# json.sh prints "LIB  RATE records/s (...)" per run: best of each library,
# jansson (the project's parser) against the others.
if [ -f "$LOGDIR/json.log" ] && ! grep -q '^RESULT ' "$LOGDIR/json.log"; then
	awk '$3 == "records/s" { if ($2 > best[$1]) best[$1] = $2 }
	END {
		if (best["jansson"] && best["json-c"])
			printf "RESULT name=json_jansson_vs_json-c ours=%d peer=%d unit=records/s target=- note=parser-choice\n", best["jansson"], best["json-c"]
		if (best["jansson"] && best["cJSON"])
			printf "RESULT name=json_jansson_vs_cJSON ours=%d peer=%d unit=records/s target=- note=parser-choice\n", best["jansson"], best["cJSON"]
	}' "$LOGDIR/json.log" >>"$LOGDIR/json.log"
fi

# --- the report -------------------------------------------------------------
ver() { "$@" 2>&1 | head -n 1; }
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
[ "${REPORT:-0}" = 1 ] && finished=$(date -u -r "$(ls -t "$LOGDIR"/*.log | head -n 1)" '+%H:%M UTC') ||
	finished=$(date -u '+%H:%M UTC')
echo "webmon benchmarks, $started (finished $finished)"
echo "machine: $(nproc) CPUs, ${model:-unknown CPU}, $mem RAM, $(uname -sr)"
pc() { pkg-config --modversion "$1" 2>/dev/null || echo '?'; }
echo "versions: $(ver ./wm-probe -V); libcurl $(pc libcurl), librdkafka $(pc rdkafka)," \
	"libpq $(pc libpq), jansson $(pc jansson), PCRE2 $(pc libpcre2-8);" \
	"peers: curl $(curl --version | sed -n '1s/^curl \([^ ]*\).*/\1/p')," \
	"kcat $(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*/\1/p');" \
	"PostgreSQL $(ver "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/postgres" -V | sed 's/.*) //')," \
	"$(ver nginx -v | sed 's/.*: //'), Python $(python3 -c 'import platform; print(platform.python_version())')"
echo "sizes:"
for b in probe watch kafka pg json e2e; do
	[[ " $ONLY " == *" $b "* ]] || continue
	printf '  %-6s %s (%s)\n' "$b" "${params[$b]:-}" "${status[$b]:-not run}"
done
echo
for b in $ONLY; do cat "$LOGDIR/$b.log" 2>/dev/null; done | grep '^RESULT ' | awk '
function field(k,   i, kv) {
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == k) return substr($i, length(k) + 2)
	}
	return "-"
}
function num(x) { return x ~ /^-?[0-9.]+$/ }
BEGIN {
	fmt = "| %-26s | %10s | %10s | %-9s | %6s | %-12s | %-4s | %s |\n"
	printf fmt, "benchmark", "ours", "peer", "unit", "ratio", "target", "met", "notes"
	printf "|%s|%s|%s|%s|%s|%s|%s|%s|\n", "----------------------------", "-----------:", "-----------:",
	    "-----------", "-------:", "--------------", "------", "------"
}
{
	name = field("name"); ours = field("ours"); peer = field("peer")
	unit = field("unit"); target = field("target")
	ratio = "-"
	if (num(ours) && num(peer) && peer + 0 != 0) ratio = sprintf("%.2f", ours / peer)
	met = "-"
	if (target ~ /^(ratio|ours)(<=|>=)/) {
		what = substr(target, 1, index(target, "=") - 2)
		op = substr(target, length(what) + 1, 2)
		lim = substr(target, length(what) + 3) + 0
		v = what == "ratio" ? ratio : ours
		if (!num(v)) met = "?"
		else if (op == ">=") met = v + 0 >= lim ? "yes" : "NO"
		else met = v + 0 <= lim ? "yes" : "NO"
	}
	note = field("note"); gsub(/,/, ", ", note)
	printf fmt, name, ours, peer, unit, ratio, target, met, note
}'
missing=
for b in $ONLY; do
	[ -f "$LOGDIR/$b.log" ] && grep -q '^RESULT ' "$LOGDIR/$b.log" || missing="$missing $b"
done
[ -z "$missing" ] || echo "no figures from:$missing"
