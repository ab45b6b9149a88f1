#!/usr/bin/env bats
# wm-state: results in, state-change events out; the same incidents as SQL.

load test_helper
load helpers/pg

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
	[[ $stderr == *"1 replayed, 6 late"* ]] || flunk "$stderr"
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
	[[ $stderr == "wm-state: --fail: expected a number from 1, not '0'"* ]]
	run -2 --separate-stderr wm-state --ack-in /tmp/x
	run -2 --separate-stderr wm-state --cert-days 3,x
	run -0 wm-state --help
	[[ $output == usage:* ]]
	run -0 wm-state -V
	[[ $output == "wm-state webmon-"* ]]
}

# The key property: for thresholds F/S, the down/up events are the incidents
# of wm_incidents(F, S) over the same rows, on a randomized flapping corpus.
@test "down/up events equal wm_incidents(F, S) on 100,000 flapping results" {
	python3 "$FIXTURES/wm-state/flap.py" 100000 7 300 >"$T/corpus"
	wm-pg-copy -t wm_results --key id <"$T/corpus"
	[ "$(pq -c 'SELECT count(*) FROM wm_results')" -eq 100000 ]
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
	done
	# And the open incidents view agrees with SQL's ongoing ones.
	[ "$(pq -c 'SELECT count(*) FROM wm_open_incidents')" = \
	  "$(pq -c "SELECT count(*) FROM wm_incidents(2, 4, '-infinity') WHERE ended IS NULL")" ]
}
