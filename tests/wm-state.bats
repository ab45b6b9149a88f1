#!/usr/bin/env bats
# wm-state: results in, state-change events out; the same incidents as SQL.

load test_helper
load helpers/pg
load helpers/http
load helpers/kafka

setup_file() {
	pg_start
	pq -f "$ROOT/sql/events.sql" >/dev/null
	pq -f "$ROOT/sql/schema.sql" >/dev/null
	pq -f "$ROOT/sql/views.sql" >/dev/null
}

teardown_file() {
	pg_stop
}

setup() {
	T="$BATS_TEST_TMPDIR"
	SP= NP=
}

teardown() {
	[ -z "$SP" ] || kill -9 "$SP" 2>/dev/null || true
	[ -z "$NP" ] || kill -9 "$NP" 2>/dev/null || true
	http_stop
	kafka_stop
}

# result ID TS OK [PROBE [URL [EXTRA_JSON]]]: one result record.
result() {
	local probe=${4:-p1} url=${5:-https://a.example/} extra=${6:-}
	printf '{"id":"%s","ts":"%s","url":"%s","name":"A","method":"GET","ok":%s,' \
		"$1" "$2" "$url" "$3"
	printf '"status":null,"error":%s,"detail":%s,"degraded":null,"time_ms":1.000,' \
		"$([ "$3" = true ] && echo null || echo '"connect"')" \
		"$([ "$3" = true ] && echo null || echo '"refused"')"
	printf '"cert_expiry":null,"probe":"%s","tags":{"env":"prod"}%s}\n' "$probe" "$extra"
}

# seq_results PATTERN [PROBE [URL]]: one result per character of PATTERN
# (o ok, x failed), a minute apart from 10:00, ids r<probe>-<n>.
seq_results() {
	local p=$1 probe=${2:-p1} url=${3:-https://a.example/} i c ok
	for ((i = 0; i < ${#p}; i++)); do
		c=${p:i:1}
		ok=true
		[ "$c" = x ] && ok=false
		result "00000000-0000-7000-8000-$(printf '%012d' $((i + 1)))" \
			"2026-11-20T10:$(printf '%02d' "$i"):00.000000Z" "$ok" "$probe" "$url"
	done
}

@test "down after --fail failures in a row, up after --success ok ones" {
	seq_results oxxoxxxxooxoo >"$T/in"
	wm-state --fail 3 --success 2 <"$T/in" >"$T/ev"
	run jq -sc 'map([.kind, .state, .previous, .started, .ts, .checks, .failures, .error])' "$T/ev"
	[ "$output" = '[["down","down","up","2026-11-20T10:04:00.000000Z","2026-11-20T10:06:00.000000Z",4,2,"connect"],["up","up","down","2026-11-20T10:08:00.000000Z","2026-11-20T10:09:00.000000Z",4,4,"connect"]]' ] ||
		flunk "$output"
}

@test "event ids are UUIDv5 of the triggering result and kind: a replay gives the same" {
	seq_results oxxxoo >"$T/in"
	wm-state <"$T/in" >"$T/a"
	wm-state <"$T/in" >"$T/b"
	cmp "$T/a" "$T/b"
	run jq -r '.id' "$T/a"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} =~ ^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
	[ "${lines[0]}" != "${lines[1]}" ]
	# Known answer: SHA-1 name-based, namespace da94f77f-cfe0-4182-858c-7af09a49f50a.
	want=$(python3 -c 'import uuid; print(uuid.uuid5(uuid.UUID("da94f77f-cfe0-4182-858c-7af09a49f50a"), "00000000-0000-7000-8000-000000000004\ndown\n\"https://a.example/\"\n\"p1\""))')
	[ "${lines[0]}" = "$want" ]
}

@test "results not newer than their target's last are skipped and counted" {
	seq_results oxxxoo >"$T/in"
	{ cat "$T/in"; sed -n 2p "$T/in"; cat "$T/in"; } >"$T/in2"
	run --separate-stderr wm-state -v <"$T/in2"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ $stderr == *" replayed=1 late=6"* ]] || flunk "$stderr"
	[[ $stderr == *"wm-state: 6 results older than the last one of their target were skipped"* ]]
}

@test "degraded after --degrade degraded results, up after as many clean ones" {
	{
		for i in 1 2 3 4 5 6; do
			d=null; [ "$i" -ge 2 ] && [ "$i" -le 3 ] && d='"slow"'
			result "00000000-0000-7000-8000-00000000000$i" \
				"2026-11-20T10:0$i:00Z" true p1 https://a.example/ |
				sed "s/\"degraded\":null/\"degraded\":$d/"
		done
	} >"$T/in"
	wm-state --degrade 2 <"$T/in" >"$T/ev"
	run jq -sc 'map([.kind, .state, .previous, .started, .error])' "$T/ev"
	[ "$output" = '[["degraded","degraded","up","2026-11-20T10:02:00Z","slow"],["up","up","degraded","2026-11-20T10:04:00Z",null]]' ] ||
		flunk "$output"
}

@test "--quorum 2 of 3 probes: site-level down and up, probe null" {
	{
		seq_results ooxxxxxxoooo p1
		seq_results oooooxxxxoooo p2
		seq_results oooooooooooo p3
	} | sort -t'"' -k8,8 >"$T/in"
	wm-state --fail 2 --success 2 --quorum 2 <"$T/in" >"$T/ev"
	run jq -c 'select(.probe == null) | [.kind, .probes_down, .probes, .started, .ts]' "$T/ev"
	[ "${#lines[@]}" -eq 2 ] || flunk "$output"
	[ "${lines[0]}" = '["down",2,3,"2026-11-20T10:05:00.000000Z","2026-11-20T10:06:00.000000Z"]' ] || flunk "$output"
	[ "${lines[1]}" = '["up",1,3,"2026-11-20T10:08:00.000000Z","2026-11-20T10:09:00.000000Z"]' ] || flunk "$output"
	run jq -s 'map(select(.probe != null and (.kind == "down" or .kind == "up"))) | length' "$T/ev"
	[ "$output" -eq 4 ]
}

@test "stale after --stale seconds of event time without results, fresh when back" {
	{
		result 00000000-0000-7000-8000-000000000001 2026-11-20T10:00:00Z true p1
		result 00000000-0000-7000-8000-000000000002 2026-11-20T10:00:00Z true p2
		result 00000000-0000-7000-8000-000000000003 2026-11-20T10:01:00Z true p2
		result 00000000-0000-7000-8000-000000000004 2026-11-20T10:02:00Z true p2
		result 00000000-0000-7000-8000-000000000005 2026-11-20T10:03:00Z true p2
		result 00000000-0000-7000-8000-000000000006 2026-11-20T10:03:30Z true p1
	} >"$T/in"
	wm-state --stale 90 <"$T/in" >"$T/ev"
	run jq -sc 'map([.kind, .probe, .ts, .started])' "$T/ev"
	[ "$output" = '[["stale","p1","2026-11-20T10:02:00Z","2026-11-20T10:00:00Z"],["fresh","p1","2026-11-20T10:03:30Z","2026-11-20T10:03:30Z"]]' ] ||
		flunk "$output"
}

@test "cert_expiring once per --cert-days threshold, again after a renewal" {
	local i=0 d base
	base=$(date -u -d 2026-11-20T10:00:00Z +%s)
	for d in 40 29 28 13 12 40 6; do
		i=$((i + 1))
		result "00000000-0000-7000-8000-00000000000$i" \
			"2026-11-20T10:0$i:00Z" true p1 https://a.example/ |
			sed "s/\"cert_expiry\":null/\"cert_expiry\":\"$(date -u -d "@$((base + i * 60 + d * 86400 + 3600))" +%Y-%m-%dT%H:%M:%SZ)\"/"
	done >"$T/in"
	wm-state --cert-days 7,30,14 <"$T/in" >"$T/ev"
	run jq -r '[.kind, .ts, .detail] | join(" ")' "$T/ev"
	[ "${#lines[@]}" -eq 3 ] || flunk "$output"
	[[ ${lines[0]} == "cert_expiring 2026-11-20T10:02:00Z certificate expires in 29 days"*"(within 30)" ]] || flunk "$output"
	[[ ${lines[1]} == *"T10:04:00Z certificate expires in 13 days"*"(within 14)" ]] || flunk "$output"
	[[ ${lines[2]} == *"T10:07:00Z certificate expires in 6 days"*"(within 7)" ]] || flunk "$output"
}

@test "bad lines are reported with their line number, exit 3, the rest folded" {
	{ seq_results oxxx; echo '{"id":"x"'; echo '{"id":"y","ts":"never"}'; } >"$T/in"
	run --separate-stderr wm-state <"$T/in"
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $stderr == *"wm-state: <stdin>:5: "* ]]
	[[ $stderr == *"wm-state: <stdin>:6: no RFC 3339 \"ts\""* ]]
}

@test "usage errors exit 2; --help and -V exit 0" {
	run -2 --separate-stderr wm-state --fail 0
	[[ $stderr == "wm-state: --fail '0': bad number, want a whole number from 1 to 1000000"* ]]
	run -2 --separate-stderr wm-state --ack-in /tmp/x
	run -2 --separate-stderr wm-state --cert-days 3,x
	run -0 wm-state --help
	[[ $output == usage:* ]]
	run -0 wm-state -V
	[[ $output == "wm-state webmon-"* ]]
}

# events_match_incidents F S: the down/up events in wm_events pair up into
# exactly the rows of wm_incidents(F, S) over all of wm_results.
events_match_incidents() {
	run pq -c "
	WITH d AS (
		SELECT e.*, row_number() OVER (PARTITION BY url, probe,
		       started ORDER BY ts, id) AS k
		FROM wm_events e WHERE kind = 'down'),
	u AS (
		-- several incidents can start and end at one ts (results
		-- sharing a ts): the k-th up after a start ends the k-th down
		SELECT e.*, row_number() OVER (PARTITION BY url, probe,
		       previous_since ORDER BY ts, id) AS k
		FROM wm_events e WHERE kind = 'up' AND previous = 'down'),
	ev AS (
		SELECT d.url, d.probe, d.started, d.ts AS detected,
		       u.started AS ended, u.ts AS recovered,
		       u.checks, u.failures, u.error
		FROM d LEFT JOIN u ON u.url = d.url AND u.probe = d.probe
		     AND u.previous_since = d.started AND u.k = d.k),
	sq AS (
		SELECT url, probe, started, detected, ended, recovered,
		       CASE WHEN ended IS NULL THEN NULL ELSE checks END,
		       CASE WHEN ended IS NULL THEN NULL ELSE failures END,
		       CASE WHEN ended IS NULL THEN NULL ELSE last_error END
		FROM wm_incidents($1, $2, '-infinity'))
	SELECT (SELECT count(*) FROM (TABLE ev EXCEPT ALL TABLE sq) a) || ' ' ||
	       (SELECT count(*) FROM (TABLE sq EXCEPT ALL TABLE ev) b) || ' ' ||
	       (SELECT count(*) FROM wm_events WHERE kind IN ('down', 'up'))"
	[ "$status" -eq 0 ] || flunk "$output"
	[[ $output == "0 0 "* ]] || flunk "F=$1 S=$2: $output (events not in SQL, SQL not in events)"
}

# The key property: for thresholds F/S, the down/up events are the incidents
# of wm_incidents(F, S) over the same rows, on a randomized flapping corpus.
@test "down/up events equal wm_incidents(F, S) on 100,000 flapping results" {
	python3 "$FIXTURES/wm-state/flap.py" 100000 7 300 >"$T/corpus"
	wm-pg-copy -t wm_results --key id <"$T/corpus"
	[ "$(pq -c 'SELECT count(*) FROM wm_results')" -eq 100000 ]
	# Statistics now, not when autovacuum gets to it: with none, the
	# first wm_incidents() calls were planned for an empty table and took
	# 15 s each instead of 1.8 s (the answers are the same).
	pq -c "ANALYZE wm_results" >/dev/null
	PGTZ=UTC pq -c "SELECT row_to_json(r) FROM (SELECT id, ts, url, name, ok,
		error, detail, cert_expiry, probe, tags FROM wm_results
		ORDER BY ts, id) r" >"$T/rows"
	for fs in "3 2" "1 1" "5 3" "2 4"; do
		set -- $fs
		pq -c "TRUNCATE wm_events"
		wm-state --fail "$1" --success "$2" --cert-days 0 <"$T/rows" >"$T/ev"
		wm-pg-copy -t wm_events --key id <"$T/ev"
		n=$(pq -c "SELECT count(*) FROM wm_incidents($1, $2, '-infinity')")
		[ "$n" -gt 1000 ] || flunk "only $n incidents for $fs"
		events_match_incidents "$1" "$2"
		[[ $output == "0 0 "* ]] || flunk "F=$1 S=$2: $output (events not in SQL, SQL not in events)"
	done
	# And the open incidents view agrees with SQL's ongoing ones.
	[ "$(pq -c 'SELECT count(*) FROM wm_open_incidents')" = \
	  "$(pq -c "SELECT count(*) FROM wm_incidents(2, 4, '-infinity') WHERE ended IS NULL")" ]
}

# The alerting chain killed with SIGKILL mid-storm, then restarted: every
# event is delivered at least once, none twice but the one in flight.
# wm-state keeps its state and unacknowledged events in --state; the input
# is replayed from the start (more than an upstream replaying from its last
# acknowledgement would send); wm-notify keeps the ids it delivered.
chain_start() {
	wm-state --fail 2 --success 2 --cert-days 0 --state "$T/state" \
		--save-interval 0.1 --ack-out "$T/ack2" <"$T/corpus" >"$T/data" 2>>"$T/state.err" &
	SP=$!
	wm-notify --webhook "$HTTP_URL/hook/$H" --state "$T/delivered" \
		--ack "$T/ack2" <"$T/data" 2>>"$T/notify.err" &
	NP=$!
}

storm_setup() {
	http_start
	H="storm$BATS_TEST_NUMBER"
	python3 "$FIXTURES/wm-state/flap.py" 20000 3 600 >"$T/corpus"
	wm-state --fail 2 --success 2 --cert-days 0 <"$T/corpus" | jq -r .id | sort >"$T/want"
	[ "$(wc -l <"$T/want")" -gt 2000 ]
	mkfifo "$T/data" "$T/ack2"
}

# delivered: the X-Webmon-Event ids the receiver got, one per post.
delivered() {
	curl -s "$HTTP_URL/hooks/$H" | jq -r .event
}

# For wait_until, which must count again on every try.
posted_at_least() {
	[ "$(delivered | wc -l)" -ge "$1" ]
}

storm_check() {
	local maxdup=$1
	delivered | sort >"$T/got"
	sort -u "$T/got" >"$T/got.u"
	comm -23 "$T/want" "$T/got.u" >"$T/missing"
	[ ! -s "$T/missing" ] || flunk "$(wc -l <"$T/missing") events never delivered"
	comm -13 "$T/want" "$T/got.u" >"$T/extra"
	[ ! -s "$T/extra" ] || flunk "$(wc -l <"$T/extra") unknown events delivered"
	dups=$(uniq -d "$T/got" | wc -l)
	echo "# $(wc -l <"$T/want") events, $(wc -l <"$T/got") posts, $dups delivered twice" >&3
	[ "$dups" -le "$maxdup" ] || flunk "$dups events delivered twice"
	# wm_events holds each event once, however often it was posted.
	pq -c "TRUNCATE wm_events"
	curl -s "$HTTP_URL/hooks/$H" | jq -c '.body | fromjson' | wm-pg-copy -t wm_events --key id
	[ "$(pq -c 'SELECT count(*) FROM wm_events')" -eq "$(wc -l <"$T/want")" ]
}

@test "kill -9 of wm-state mid-storm, restart: every event delivered, none twice" {
	storm_setup
	chain_start
	wait_until 60 posted_at_least 500
	kill -9 "$SP"
	wait "$SP" || true
	wait "$NP" || true
	[ "$(delivered | wc -l)" -lt "$(wc -l <"$T/want")" ] || flunk "the storm was over before the kill"
	chain_start
	wait "$SP"
	wait "$NP"
	storm_check 0
}

@test "kill -9 of wm-notify mid-storm, restart: every event delivered, at most the one in flight twice" {
	storm_setup
	chain_start
	wait_until 60 posted_at_least 500
	kill -9 "$NP"
	wait "$NP" || true
	wait "$SP" || true
	[ "$(delivered | wc -l)" -lt "$(wc -l <"$T/want")" ] || flunk "the storm was over before the kill"
	chain_start
	wait "$SP"
	wait "$NP"
	storm_check 1
}

# The whole alerting chain of DESIGN.md, acknowledgements and all: results
# from Kafka (the mock cluster), wm-state killed with SIGKILL mid-storm;
# wm-kafka-sub resumes from the offsets wm-state acknowledged, and every
# event reaches the receiver, none twice.
@test "kafka | wm-state --ack-in --ack-out | wm-notify --ack: kill -9 of wm-state, restart: every event once" {
	storm_setup
	kafka_start 1 "alerts:4"
	wm-kafka-pub -b "$KAFKA_BROKERS" -t alerts -z lz4 --key-field url <"$T/corpus"
	rm -f "$T/data" "$T/ack2"
	run=0
	kchain_start() {
		run=$((run + 1))
		mkfifo "$T/d1.$run" "$T/d2.$run"
		# shellcheck disable=SC2086 # KAFKA_GROUP_X is several words
		wm-kafka-sub -b "$KAFKA_BROKERS" -t alerts -G alerts $KAFKA_GROUP_X \
			--ack "$T/ack1" </dev/null >"$T/d1.$run" 2>>"$T/sub.err" 3>&- &
		KP=$!
		wm-state --fail 2 --success 2 --cert-days 0 --state "$T/state" \
			--save-interval 0.2 --ack-in "$T/ack1" --ack-out "$T/ack2" \
			<"$T/d1.$run" >"$T/d2.$run" 2>>"$T/state.err" 3>&- &
		SP=$!
		wm-notify --webhook "$HTTP_URL/hook/$H" --state "$T/delivered" \
			--ack "$T/ack2" <"$T/d2.$run" 2>>"$T/notify.err" 3>&- &
		NP=$!
	}
	kchain_start
	wait_until 120 posted_at_least 500 || { cat "$T"/*.err; false; }
	kill -9 "$SP"
	wait "$SP" || true
	wait "$NP" || true
	kill -TERM "$KP" 2>/dev/null || true
	wait "$KP" || true
	[ "$(delivered | sort -u | wc -l)" -lt "$(wc -l <"$T/want")" ] || flunk "the storm was over before the kill"
	kchain_start
	all_posted() { [ "$(delivered | sort -u | wc -l)" -ge "$(wc -l <"$T/want")" ]; }
	wait_until 180 all_posted || { cat "$T"/*.err; false; }
	kill -TERM "$KP"
	wait "$KP"
	wait "$SP"
	wait "$NP"
	storm_check 0
}

@test "down/up events equal wm_incidents() on the hand-made data of sql.bats" {
	T0=$(pq -c "SELECT date_trunc('day', now() - interval '1 day')")
	pq -c "CREATE DATABASE demo"
	PGDATABASE=demo pq -f "$ROOT/sql/schema.sql" >/dev/null
	PGDATABASE=demo pq -f "$ROOT/sql/views.sql" >/dev/null
	PGDATABASE=demo pq -f "$ROOT/sql/events.sql" >/dev/null
	PGDATABASE=demo pq -v t0="$T0" -f "$FIXTURES/sql/data.sql" >/dev/null
	PGDATABASE=demo PGTZ=UTC pq -c "SELECT row_to_json(r) FROM (SELECT *
		FROM wm_results ORDER BY ts, id) r" >"$T/rows"
	for fs in "3 2" "1 1" "2 3"; do
		set -- $fs
		PGDATABASE=demo pq -c "TRUNCATE wm_events"
		wm-state --fail "$1" --success "$2" <"$T/rows" >"$T/ev"
		PGDATABASE=demo wm-pg-copy -t wm_events --key id <"$T/ev"
		[ "$(PGDATABASE=demo pq -c "SELECT count(*) FROM wm_incidents($1, $2, '-infinity')")" -gt 2 ]
		PGDATABASE=demo events_match_incidents "$1" "$2"
	done
}

@test "SIGTERM saves the state and exits 0; a closed stdout ends it cleanly" {
	seq_results oxxxoo >"$T/in"
	mkfifo "$T/feed"
	{ cat "$T/in"; sleep 30; } >"$T/feed" &
	FEEDER=$!
	wm-state --state "$T/st" <"$T/feed" >"$T/ev" 2>"$T/err" &
	SP=$!
	wait_until 10 test -s "$T/ev"
	kill -TERM "$SP"
	wait "$SP" || flunk "exit $?: $(cat "$T/err")"
	SP=
	kill "$FEEDER" 2>/dev/null || true
	grep -q '^T	"https://a.example/"	"p1"' "$T/st"
	# Restarted on the same input: nothing again.
	run -0 wm-state --state "$T/st" <"$T/in"
	[ -z "$output" ]
	python3 "$FIXTURES/wm-state/flap.py" 20000 4 30 >"$T/big"
	run -0 bash -c 'wm-state <"$1" | head -1 >/dev/null; echo "${PIPESTATUS[0]}"' _ "$T/big"
	[ "$output" = 0 ]
}
