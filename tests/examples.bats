#!/usr/bin/env bats
# Every file in examples/ runs: the systemd units' command lines, the crontab
# line, probe-to-pg.sh, the Kafka TLS config and the sites file (through the
# demo). examples/queries.sql is tested in sql.bats.

load test_helper
load helpers/pg
load helpers/kafka
load helpers/http

EX="$ROOT/examples"

setup_file() {
	pg_start
	pq -f "$ROOT/sql/schema.sql" >/dev/null
	http_start
	kafka_start 1 probe:3 sink:3 cron:3
}

teardown_file() {
	kafka_stop
	http_stop
	pg_stop
}

setup() {
	PIDS=()
	W="$BATS_TEST_TMPDIR"
	# A sites file against the fixture server, probed every second.
	printf '%s\n' "{\"url\":\"$HTTP_URL/ok\",\"name\":\"fixture ok\",\"interval\":1}" \
		"{\"url\":\"$HTTP_URL/status/503\",\"name\":\"fixture 503\",\"interval\":1}" \
		>"$W/sites.txt"
	printf 'bootstrap.servers=%s\n' "$KAFKA_BROKERS" >"$W/kafka.conf"
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	return 0
}

# unit_values UNIT KEY: the values of every KEY= line of a unit file.
unit_values() {
	sed -n "s/^$2=//p" "$1"
}

# unit_env UNIT: the unit's Environment= assignments as export lines.
unit_env() {
	unit_values "$1" Environment | sed 's/^/export /'
}

# unit_credentials UNIT: what systemd gives the unit's LoadCredential= lines,
# made from test files: $CREDENTIALS_DIRECTORY with kafka.conf (the test
# broker) and an empty pgpass, and %d in exported variables replaced by it.
unit_credentials() {
	local v
	export CREDENTIALS_DIRECTORY="$W/creds"
	mkdir -p "$CREDENTIALS_DIRECTORY"
	unit_values "$1" LoadCredential | grep -q '^kafka.conf:/etc/webmon/kafka.conf$' ||
		flunk "no kafka.conf credential in $1"
	cp "$W/kafka.conf" "$CREDENTIALS_DIRECTORY/kafka.conf"
	: >"$CREDENTIALS_DIRECTORY/pgpass"
	chmod 0600 "$CREDENTIALS_DIRECTORY/pgpass"
	for v in $(env | sed -n 's/^\([A-Z_]*\)=%d\/.*/\1/p'); do
		export "$v=${!v/\%d/$CREDENTIALS_DIRECTORY}"
	done
}

# run_unit_cmd LOG CMD: run a unit's command line in the background in its
# own process group, with the exported environment; sets MAINPID.
run_unit_cmd() {
	local log=$1 cmd=$2
	setsid bash -c "exec $cmd" </dev/null >"$log" 2>&1 3>&- &
	MAINPID=$!
	PIDS+=("$MAINPID")
}

gone() {
	! kill -0 "$1" 2>/dev/null
}

# stop_and_wait PID SECS: wait for PID to exit; its status in STATUS.
stop_and_wait() {
	wait_until "${2:-30}" gone "$1" || return 1
	STATUS=0
	wait "$1" 2>/dev/null || STATUS=$?
}

rows_ge() {
	local n
	n=$(pq -c "SELECT count(*) FROM $1" 2>/dev/null) || return 1
	[ "$n" -ge "$2" ]
}

kafka_ge() {
	[ "$(kafka_count "$1")" -ge "$2" ]
}

kafka_count() {
	kcat -C -b "$KAFKA_BROKERS" -t "$1" -e -q >"$W/kafka.$1" 2>/dev/null
	wc -l <"$W/kafka.$1"
}

@test "systemd/webmon-probe.service: ExecStart publishes results, ExecStop ends it cleanly" {
	local unit="$EX/systemd/webmon-probe.service"
	eval "$(unit_env "$unit")"
	# The unit's paths, pointed at test files.
	export WEBMON_SITES="$W/sites.txt" WEBMON_TOPIC=probe
	env | grep '^WEBMON_' | grep -v "=$W/" | grep -v '^WEBMON_TOPIC=' &&
		flunk "a unit variable still points outside the test"
	unit_credentials "$unit"
	start=$(unit_values "$unit" ExecStart)
	stop=$(unit_values "$unit" ExecStop)
	[ -n "$start" ]
	[ -n "$stop" ]
	run_unit_cmd "$W/probe.log" "$start"
	wait_until 30 kafka_ge probe 4 || { cat "$W/probe.log"; false; }
	# systemd runs ExecStop with $MAINPID set.
	MAINPID=$MAINPID bash -c "$stop" 3>&-
	stop_and_wait "$MAINPID" 30 || { cat "$W/probe.log"; flunk "the unit did not stop"; }
	[ "$STATUS" -eq 0 ] || { cat "$W/probe.log"; flunk "ExecStart exited $STATUS"; }
	n=$(kafka_count probe)
	run jq -e -s --arg u "$HTTP_URL/ok" \
		'map(select(.url == $u and .ok == true and .name == "fixture ok")) | length > 0' "$W/kafka.probe"
	[ "$status" -eq 0 ]
	run jq -e -s --arg u "$HTTP_URL/status/503" \
		'map(select(.url == $u and .ok == false and .status == 503)) | length > 0' "$W/kafka.probe"
	[ "$status" -eq 0 ]
	# Stopped through the probe: wm-kafka-pub delivered everything it read.
	grep -qE '^wm-kafka-pub: [-0-9T:]+Z total: .* failed=0 ' "$W/probe.log" || { cat "$W/probe.log"; false; }
}

@test "systemd/webmon-sink.service: ExecStartPre makes the FIFO, ExecStart stores the topic, SIGTERM stops it" {
	local unit="$EX/systemd/webmon-sink.service"
	# The mock cluster forgets a member that left only after its session
	# timeout: keep the second run's wait short.
	printf '%s\n' session.timeout.ms=6000 heartbeat.interval.ms=1000 >>"$W/kafka.conf"
	"$FIXTURES/e2e/gen-results" 300 >"$W/in.ndjson"
	wm-kafka-pub -b "$KAFKA_BROKERS" -t sink <"$W/in.ndjson" 2>/dev/null
	pq -c 'CREATE TABLE sink_results (LIKE wm_results INCLUDING ALL)'
	eval "$(unit_env "$unit")"
	export WEBMON_TOPIC=sink WEBMON_GROUP=sink-test \
		WEBMON_TABLE=sink_results WEBMON_ACK="$W/run/ack"
	env | grep '^WEBMON_' | grep -E '=/(etc|run|var)/' &&
		flunk "a unit variable still points outside the test"
	unit_credentials "$unit"
	# The test cluster needs no password; the credential is there all the same.
	[ "$PGPASSFILE" = "$CREDENTIALS_DIRECTORY/pgpass" ]
	mkdir "$W/run" "$W/state"	# RuntimeDirectory=, StateDirectory=
	export STATE_DIRECTORY="$W/state"
	pre=$(unit_values "$unit" ExecStartPre)
	start=$(unit_values "$unit" ExecStart)
	[[ $start != *" /var/"* && $start != *" /etc/"* ]] || flunk "unsubstituted path in: $start"
	bash -c "$pre" 3>&-
	[ -p "$W/run/ack" ]
	bash -c "$pre" 3>&-		# again, as on a restart: the FIFO is kept
	[ -p "$W/run/ack" ]
	run_unit_cmd "$W/sink.log" "$start"
	wait_until 60 rows_ge sink_results 300 || { cat "$W/sink.log"; false; }
	# systemd's stop: SIGTERM to every process of the unit.
	kill -TERM -- "-$MAINPID"
	stop_and_wait "$MAINPID" 30 || { cat "$W/sink.log"; flunk "the sink did not stop"; }
	# The shell dies of the SIGTERM (systemd counts that as a clean stop); the
	# programs finish their work and exit 0.
	[ "$STATUS" -eq 0 ] || [ "$STATUS" -eq 143 ] || { cat "$W/sink.log"; flunk "ExecStart exited $STATUS"; }
	grep -qE 'wm-pg-copy: [-0-9T:]+Z total: stored=300 ' "$W/sink.log" || { cat "$W/sink.log"; false; }
	! grep -qiE 'error|fatal|not acknowledged' "$W/sink.log" || { cat "$W/sink.log"; false; }
	[ "$(pq -c 'SELECT count(DISTINCT id) FROM sink_results')" -eq 300 ]
	[ ! -s "$W/state/rejects.ndjson" ]
	# The offsets were committed: started again, the unit stores nothing twice
	# and reads nothing again.
	run_unit_cmd "$W/sink2.log" "$start"
	wait_until 30 grep -q 'assigned [1-9]' "$W/sink2.log" || { cat "$W/sink2.log"; false; }
	sleep 2
	kill -TERM -- "-$MAINPID"
	stop_and_wait "$MAINPID" 30
	[ "$STATUS" -eq 0 ] || [ "$STATUS" -eq 143 ] || { cat "$W/sink2.log"; flunk "second run exited $STATUS"; }
	[ "$(pq -c 'SELECT count(*) FROM sink_results')" -eq 300 ]
}

@test "systemd/webmon-alert.service: ExecStart notifies every state change of the topic once, SIGTERM stops it, a restart sends nothing again" {
	local unit="$EX/systemd/webmon-alert.service"
	printf '%s\n' session.timeout.ms=6000 heartbeat.interval.ms=1000 >>"$W/kafka.conf"
	python3 "$FIXTURES/wm-state/flap.py" 2000 5 20 >"$W/in.ndjson"
	wm-kafka-pub -b "$KAFKA_BROKERS" -t alert --key-field url <"$W/in.ndjson" 2>/dev/null
	eval "$(unit_env "$unit")"
	wm-state $WEBMON_RULE <"$W/in.ndjson" | jq -r .id | sort >"$W/want"
	[ "$(wc -l <"$W/want")" -gt 100 ]
	export WEBMON_TOPIC=alert WEBMON_GROUP=alert-test WEBMON_RUN="$W/run" \
		WEBMON_TEMPLATE="$EX/notify/generic.json" WEBMON_GROUP_WAIT=1
	env | grep '^WEBMON_' | grep -E '=/(etc|run|var)/' &&
		flunk "a unit variable still points outside the test"
	unit_credentials "$unit"
	unit_values "$unit" LoadCredential | grep -q '^alert.hook:/etc/webmon/alert.hook$'
	printf '%s\n' "$HTTP_URL/hook/alert" "X-Test: 1" >"$CREDENTIALS_DIRECTORY/alert.hook"
	mkdir "$W/run" "$W/state"	# RuntimeDirectory=, StateDirectory=
	export STATE_DIRECTORY="$W/state"
	start=$(unit_values "$unit" ExecStart)
	[[ $start != *" /var/"* && $start != *" /etc/"* ]] || flunk "unsubstituted path in: $start"
	got() {
		curl -s "$HTTP_URL/hooks/alert" | jq -r '.body | fromjson |
			if .kind == "digest" then .events[].id else .id end' | sort >"$W/got"
	}
	all_got() { got; [ "$(sort -u "$W/got" | wc -l)" -ge "$(wc -l <"$W/want")" ]; }
	run_unit_cmd "$W/alert.log" "$start"
	wait_until 90 all_got || { cat "$W/alert.log"; false; }
	kill -TERM -- "-$MAINPID"
	stop_and_wait "$MAINPID" 30 || { cat "$W/alert.log"; flunk "the unit did not stop"; }
	[ "$STATUS" -eq 0 ] || [ "$STATUS" -eq 143 ] || { cat "$W/alert.log"; flunk "ExecStart exited $STATUS"; }
	got
	cmp "$W/want" "$W/got" || { cat "$W/alert.log"; flunk "not each event once"; }
	[ "$(wc -l <"$W/state/delivered")" -eq "$(wc -l <"$W/want")" ]
	# Started again: the offsets were committed, the state saved; nothing is
	# sent again.
	n=$(curl -s "$HTTP_URL/hooks/alert" | wc -l)
	run_unit_cmd "$W/alert2.log" "$start"
	wait_until 30 grep -q 'assigned [1-9]' "$W/alert2.log" || true
	sleep 3
	kill -TERM -- "-$MAINPID"
	stop_and_wait "$MAINPID" 30
	[ "$STATUS" -eq 0 ] || [ "$STATUS" -eq 143 ] || { cat "$W/alert2.log"; flunk "second run exited $STATUS"; }
	[ "$(curl -s "$HTTP_URL/hooks/alert" | wc -l)" -eq "$n" ]
}

# The units' own checks: systemd's verifier and its security score (each unit
# must score 4.0 or better: "OK").
@test "systemd units: systemd-analyze verify passes and security exposure is at most 4.0" {
	local unit score
	for unit in "$EX"/systemd/*.service; do
		run systemd-analyze verify --man=no "$unit"
		[ "$status" -eq 0 ] || flunk "verify $unit: $output"
		run systemd-analyze security --offline=true --no-pager "$unit"
		score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$output")
		[ -n "$score" ] || flunk "no score for $unit: $output"
		awk -v s="$score" 'BEGIN { exit !(s <= 4.0) }' || flunk "$unit scores $score"
	done
}

# unit_fails UNIT LOG: the unit's ExecStart must end with a non-zero status
# (so that Restart=on-failure fires); prints the log when it does not.
unit_fails() {
	run_unit_cmd "$2" "$(unit_values "$1" ExecStart)"
	stop_and_wait "$MAINPID" 60 || { cat "$2"; flunk "the unit's command did not end"; }
	[ "$STATUS" -ne 0 ] || { cat "$2"; flunk "the unit's command exited 0"; }
}

# Before: ExecStart ran the pipeline in /bin/sh (dash, no pipefail); a
# missing sites file made wm-probe exit 1, wm-kafka-pub saw end of input and
# exited 0, and so did the unit: Restart=on-failure never fired.
@test "systemd/webmon-probe.service: a failing stage fails the unit (missing sites, bad Kafka settings, killed stage)" {
	local unit="$EX/systemd/webmon-probe.service"
	eval "$(unit_env "$unit")"
	export WEBMON_TOPIC=probe
	unit_credentials "$unit"
	WEBMON_SITES="$W/no-such-sites.txt" unit_fails "$unit" "$W/nosites.log"
	grep -q 'no-such-sites.txt' "$W/nosites.log"
	export WEBMON_SITES="$W/sites.txt"
	echo 'no.such.property=1' >>"$CREDENTIALS_DIRECTORY/kafka.conf"
	unit_fails "$unit" "$W/badconf.log"
	grep -q 'no.such.property' "$W/badconf.log"
	cp "$W/kafka.conf" "$CREDENTIALS_DIRECTORY/kafka.conf"
	for stage in wm-probe wm-kafka-pub; do
		run_unit_cmd "$W/kill-$stage.log" "$(unit_values "$unit" ExecStart)"
		wait_until 30 kafka_ge probe 2 || { cat "$W/kill-$stage.log"; false; }
		wait_until 10 pkill -KILL -s "$MAINPID" -x "$stage"
		stop_and_wait "$MAINPID" 60 || { cat "$W/kill-$stage.log"; flunk "did not end after kill -9 $stage"; }
		[ "$STATUS" -ne 0 ] || { cat "$W/kill-$stage.log"; flunk "kill -9 $stage: the unit's command exited 0"; }
	done
}

@test "systemd/webmon-sink.service: a failing stage fails the unit (missing table, bad Kafka settings, killed stage)" {
	local unit="$EX/systemd/webmon-sink.service"
	"$FIXTURES/e2e/gen-results" 50 >"$W/in.ndjson"
	wm-kafka-pub -b "$KAFKA_BROKERS" -t sink <"$W/in.ndjson" 2>/dev/null
	eval "$(unit_env "$unit")"
	export WEBMON_TOPIC=sink WEBMON_GROUP=sink-fail WEBMON_ACK="$W/run/ack"
	unit_credentials "$unit"
	mkdir "$W/run" "$W/state"
	export STATE_DIRECTORY="$W/state"
	bash -c "$(unit_values "$unit" ExecStartPre)" 3>&-
	WEBMON_TABLE=no_such_table unit_fails "$unit" "$W/notable.log"
	grep -q 'no_such_table' "$W/notable.log"
	echo 'no.such.property=1' >>"$CREDENTIALS_DIRECTORY/kafka.conf"
	WEBMON_TABLE=wm_results unit_fails "$unit" "$W/badconf.log"
	grep -q 'no.such.property' "$W/badconf.log"
	cp "$W/kafka.conf" "$CREDENTIALS_DIRECTORY/kafka.conf"
	pq -c 'CREATE TABLE sink_fail (LIKE wm_results INCLUDING ALL)'
	for stage in wm-kafka-sub wm-pg-copy; do
		WEBMON_TABLE=sink_fail run_unit_cmd "$W/kill-$stage.log" "$(unit_values "$unit" ExecStart)"
		wait_until 30 pgrep -s "$MAINPID" -x "$stage" >/dev/null
		sleep 1
		pkill -KILL -s "$MAINPID" -x "$stage"
		stop_and_wait "$MAINPID" 60 || { cat "$W/kill-$stage.log"; flunk "did not end after kill -9 $stage"; }
		[ "$STATUS" -ne 0 ] || { cat "$W/kill-$stage.log"; flunk "kill -9 $stage: the unit's command exited 0"; }
	done
}

@test "crontab: the line probes once and publishes, with --failed empty" {
	line=$(grep -v '^#' "$EX/crontab" | grep -v '^[[:space:]]*$')
	[ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ]
	# Drop the five time fields; point the paths at test files.
	cmd=$(printf '%s\n' "$line" | sed -E 's/^[[:space:]]*([^[:space:]]+[[:space:]]+){5}//')
	cmd=${cmd//\/etc\/webmon\/sites.txt/$W/sites.txt}
	cmd=${cmd//\/etc\/webmon\/kafka.conf/$W/kafka.conf}
	cmd=${cmd//\/var\/tmp\/webmon-failed.ndjson/$W/failed.ndjson}
	[[ $cmd != *"/etc/"* && $cmd != *"/var/"* ]] || flunk "unsubstituted path in: $cmd"
	topic=$(printf '%s\n' "$cmd" | sed -nE 's/.* -t ([^ ]+).*/\1/p')
	# cron runs the line with /bin/sh.
	run /bin/sh -c "$cmd"
	[ "$status" -eq 0 ]
	[ ! -s "$W/failed.ndjson" ]
	[ "$(kafka_count "$topic")" -eq 2 ]
	run jq -e -s --arg u "$HTTP_URL/ok" 'map(.url) | index($u) != null' "$W/kafka.$topic"
	[ "$status" -eq 0 ]
}

@test "probe-to-pg.sh: watching probe stores results straight into PostgreSQL" {
	pq -c 'CREATE TABLE direct_results (LIKE wm_results INCLUDING ALL)'
	run_unit_cmd "$W/direct.log" "'$EX/probe-to-pg.sh' '$W/sites.txt' direct_results"
	wait_until 30 rows_ge direct_results 4 || { cat "$W/direct.log"; false; }
	kill -TERM -- "-$MAINPID"
	stop_and_wait "$MAINPID" 30 || { cat "$W/direct.log"; flunk "did not stop"; }
	# sh dies of the SIGTERM; the programs must not complain.
	[ "$STATUS" -eq 0 ] || [ "$STATUS" -eq 143 ] || { cat "$W/direct.log"; flunk "exited $STATUS"; }
	[ ! -s "$W/direct.log" ] || { cat "$W/direct.log"; flunk "unexpected messages"; }
	[ "$(pq -c "SELECT count(*) FROM direct_results WHERE url = '$HTTP_URL/ok' AND ok AND name = 'fixture ok'")" -ge 2 ]
	[ "$(pq -c "SELECT count(*) FROM direct_results WHERE status = 503 AND NOT ok AND error = 'status'")" -ge 2 ]
}

# The TLS config with its files made real: every property is known (a wrong
# name is a usage error, exit 2, naming the line), the files load, and the
# plaintext mock broker refuses the handshake, so the line is not delivered.
tls_conf_check() {
	local conf=$1
	echo '{"id":"x","url":"http://a.test/"}' >"$W/one.ndjson"
	# webmon.connect.timeout.ms=0: read the line and let it fail, instead of
	# failing fast before reading.
	run --separate-stderr wm-kafka-pub -F "$conf" -t tls -X message.timeout.ms=3000 \
		-X webmon.connect.timeout.ms=0 --failed "$W/failed.tls" "$W/one.ndjson"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[[ $stderr != *"-F "* ]]
	grep -q '"id":"x"' "$W/failed.tls"
}

@test "kafka-tls.conf: wm-kafka-pub -F accepts every property (client certificate and SASL variants)" {
	# Test certificates (a CA, a leaf and its key) from helpers/http.bash.
	CERT_DIR="$W/certs"
	mkdir "$CERT_DIR"
	_wm_make_certs "$CERT_DIR"
	local conf="$W/kafka-tls.conf"
	sed -e "s|^bootstrap.servers=.*|bootstrap.servers=$KAFKA_BROKERS|" \
		-e "s|/etc/webmon/kafka/ca.pem|$CERT_DIR/ca.pem|" \
		-e "s|/etc/webmon/kafka/service.cert|$CERT_DIR/leaf.pem|" \
		-e "s|/etc/webmon/kafka/service.key|$CERT_DIR/leaf.key|" \
		"$EX/kafka-tls.conf" >"$conf"
	run -1 grep -q /etc/ "$conf"
	grep -q '^security.protocol=ssl' "$conf"
	tls_conf_check "$conf"
	# The SASL variant: the three certificate lines commented out, the
	# commented block switched on.
	sed -E -e 's/^(ssl\.(certificate|key)\.location=)/#\1/' \
		-e '/^security.protocol=ssl$/d' \
		-e 's/^#((security\.protocol|sasl\.[a-z.]+)=)/\1/' "$conf" >"$W/sasl.conf"
	grep -q '^sasl.mechanisms=PLAIN' "$W/sasl.conf"
	grep -q '^security.protocol=sasl_ssl' "$W/sasl.conf"
	tls_conf_check "$W/sasl.conf"
	# The check itself: a misspelt property is caught.
	sed 's/^ssl.ca.location=/ssl.ca.locaton=/' "$conf" >"$W/bad.conf"
	run -2 --separate-stderr wm-kafka-pub -F "$W/bad.conf" -t tls "$W/one.ndjson"
	[[ $stderr == *"ssl.ca.locaton"* ]]
}

@test "sites.txt: every line parses (exit 0, one result per site)" {
	want=$(grep -cE '^[[:space:]]*[^#[:space:]]' "$EX/sites.txt")
	run --separate-stderr wm-probe -t 1 -c 20 "$EX/sites.txt"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ $stderr != *"sites.txt:"* ]]
	[ "${#lines[@]}" -eq "$want" ]
}

@test "demo.sh with sites.txt: every site shows up in the summary" {
	command -v ss >/dev/null && ss -ltn | grep -qE ':(18080|18443)\b' &&
		skip "ports 18080/18443 are in use"
	# Nothing of this file's fixtures may leak in: the demo starts and stops
	# its own (and its http_stop would stop the servers named in WM_HTTP_PIDS).
	run --separate-stderr env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
		-u PG_DIR -u PG_BINDIR -u KAFKA_BROKERS -u KAFKA_PID -u KAFKA_DIR \
		-u KAFKA_CTL -u WM_HTTP_PIDS -u WM_HTTP_DIRS -u WEBMON_SITES \
		DEMO_SECONDS=6 "$EX/demo.sh" 3>&-
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	# Each site's name, or its url when it has none: the demo probes with
	# --interval 2, so even the bare URL has results within the 6 s.
	checked=0
	while IFS= read -r l; do
		case $l in
		'{'*) site=$(jq -r '.name // .url' <<<"$l") ;;
		*) site=$l ;;
		esac
		[[ $output == *"$site"* ]] || flunk "not in the summary: $site"
		checked=$((checked + 1))
	done < <(grep -E '^[[:space:]]*[^#[:space:]]' "$EX/sites.txt")
	# every line of sites.txt is a row of its own (no two sites share a url)
	[ "$(grep -c ' | ' <<<"$output")" -ge $((checked + 1)) ]
	[ "$checked" -eq 10 ]
}
