#!/usr/bin/env bats
# wm-pg-copy against a real PostgreSQL cluster started for this file.

load test_helper
load helpers/pg

setup_file() {
	pg_start
	pq -c "CREATE ROLE wm_nobody LOGIN"
}

teardown_file() {
	pg_stop
}

setup() {
	T="$BATS_TEST_TMPDIR"
	BG_PIDS=()
}

teardown() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	# A test that stopped the server must not leave it down for the next one.
	pq -c 'SELECT 1' >/dev/null 2>&1 || pg_up
}

# A table name unique to the test.
tname() {
	echo "t_${BATS_TEST_NUMBER}"
}

count() {
	pq -c "SELECT count(*) FROM $1"
}

# For wait_until, which must run the query on every try.
rows_eq() {
	[ "$(count "$1")" = "$2" ]
}
rows_gt() {
	[ "$(count "$1")" -gt "$2" ]
}

@test "-h prints usage to stdout, -V the version" {
	run -0 wm-pg-copy -h
	[[ "$output" == usage:* ]]
	run -0 wm-pg-copy -V
	[[ "$output" == "wm-pg-copy webmon-"* ]]
}

@test "usage errors exit 2" {
	run -2 --separate-stderr wm-pg-copy
	[[ "$stderr" == *"-t TABLE is required"* ]]
	run -2 --separate-stderr wm-pg-copy -t x -n 0
	run -2 --separate-stderr wm-pg-copy -t x --bogus
	run -2 --separate-stderr wm-pg-copy -t x extra
}

@test "every scalar type is stored as PostgreSQL parses it" {
	pq -c "CREATE TABLE types (i int, bi bigint, n numeric, f float8, b bool,
		t text, ts timestamptz, u uuid, j json, jb jsonb)"
	cat >"$T/in" <<-'EOF'
	{"i":-42,"bi":9223372036854775807,"n":123456789012345678901234567890.123456789012,"f":0.1,"b":true,"t":"plain","ts":"2026-11-23T12:34:56.123456Z","u":"0190f5c2-7a3b-7c4d-8e9f-0123456789ab","j":{"a":1},"jb":[1,"x",{"k":null}]}
	{"i":0,"bi":-1,"n":1e3,"f":-2.5e-3,"b":false,"t":"","ts":"2026-01-01 00:00:00+02","u":"00000000-0000-0000-0000-000000000000","j":"str","jb":"str"}
	{"i":1,"f":1E+2,"b":1,"j":true,"jb":12.50}
	EOF
	run -0 wm-pg-copy -t types <"$T/in"
	pq -c "SELECT i, bi, n, f, b, t, ts AT TIME ZONE 'UTC', u, j, jb FROM types ORDER BY i" >"$T/got"
	cat >"$T/want" <<-'EOF'
	-42|9223372036854775807|123456789012345678901234567890.123456789012|0.1|t|plain|2026-11-23 12:34:56.123456|0190f5c2-7a3b-7c4d-8e9f-0123456789ab|{"a":1}|[1, "x", {"k": null}]
	0|-1|1000|-0.0025|f||2025-12-31 22:00:00|00000000-0000-0000-0000-000000000000|"str"|"str"
	1|||100|t||||true|12.50
	EOF
	diff -u "$T/want" "$T/got"
}

@test "strings keep tabs, newlines, CR, backslashes and Unicode exactly" {
	pq -c "CREATE TABLE s (id int, t text)"
	printf '%s\n' '{"id":1,"t":"a\tb\nc\rd\\e\\\\N\"f"}' \
		'{"id":2,"t":"\u00e9\ud83d\ude00/\/"}' '{"id":3,"t":"\\N"}' >"$T/in"
	run -0 wm-pg-copy -t s <"$T/in"
	run -0 pq -c "SELECT t = E'a\tb\nc\rd\\\\e\\\\\\\\N\"f' FROM s WHERE id = 1"
	[ "$output" = t ]
	run -0 pq -c "SELECT t FROM s WHERE id = 2"
	[ "$output" = "é😀//" ]
	run -0 pq -c "SELECT t IS NOT NULL AND t = E'\\\\N' FROM s WHERE id = 3"
	[ "$output" = t ]
}

@test "objects and arrays go as JSON text to json, jsonb and text columns" {
	pq -c "CREATE TABLE o (id int, jb jsonb, t text)"
	printf '%s\n' '{"id":1,"jb":{"tags":{"env":"prod","t":"a\tb"}},"t":[1, {"x":"y\\z"}]}' >"$T/in"
	run -0 wm-pg-copy -t o <"$T/in"
	run -0 pq -c "SELECT jb->'tags'->>'t' = E'a\tb', t FROM o"
	[ "$output" = 't|[1, {"x":"y\\z"}]' ]
}

@test "an absent key takes the column default, an explicit null stores NULL" {
	pq -c "CREATE TABLE d (id int, a text DEFAULT 'dflt', b text, s serial)"
	printf '%s\n' '{"id":1}' '{"id":2,"a":null}' '{"id":3,"a":"x","b":"y","s":100}' '{}' >"$T/in"
	run -0 wm-pg-copy -t d <"$T/in"
	pq -c "SELECT coalesce(id::text, '-'), coalesce(a, 'NULL'), coalesce(b, 'NULL'), s IS NOT NULL FROM d ORDER BY id NULLS LAST" >"$T/got"
	printf '%s\n' '1|dflt|NULL|t' '2|NULL|NULL|t' '3|x|y|t' '-|dflt|NULL|t' >"$T/want"
	diff -u "$T/want" "$T/got"
	run -0 pq -c "SELECT s FROM d WHERE id = 3"
	[ "$output" = 100 ]
}

@test "unknown keys are ignored; --strict rejects the line" {
	pq -c "CREATE TABLE u (id int)"
	printf '%s\n' '{"id":1,"zzz":{"deep":[1,2]}}' '{"id":2}' >"$T/in"
	run -0 wm-pg-copy -t u <"$T/in"
	[ "$(count u)" = 2 ]
	run -3 --separate-stderr wm-pg-copy -t u --strict <"$T/in"
	[ "$(count u)" = 3 ]
	echo "$stderr" >"$T/rej"
	run -0 jq -e -s 'length == 1 and .[0].line == 1 and (.[0].error | test("unknown key \"zzz\""))' "$T/rej"
}

@test "--columns restricts the mapping" {
	pq -c "CREATE TABLE c (a int, b int, x int DEFAULT 7)"
	echo '{"a":1,"b":2,"x":3}' | wm-pg-copy -t c --columns a,b
	run -0 pq -c "SELECT a, b, x FROM c"
	[ "$output" = "1|2|7" ]
	run -1 --separate-stderr wm-pg-copy -t c --columns a,nope </dev/null
	[[ "$stderr" == *'no column "nope"'* ]]
}

@test "a schema-qualified table with odd identifiers" {
	pq -c 'CREATE SCHEMA "My Schema"; CREATE TABLE "My Schema"."Odd""Table" ("Id" int PRIMARY KEY, "a b" text)'
	printf '%s\n' '{"Id":1,"a b":"x"}' '{"Id":1,"a b":"dup"}' '{"Id":2,"a b":"y"}' >"$T/in"
	run -0 wm-pg-copy -t '"My Schema"."Odd""Table"' --key Id <"$T/in"
	run -0 pq -c 'SELECT "Id", "a b" FROM "My Schema"."Odd""Table" ORDER BY 1'
	[ "$output" = $'1|x\n2|y' ]
}

@test "-n 3 writes 10 rows in 4 transactions" {
	pq -c "CREATE TABLE n (id int)"
	seq 1 10 | sed 's/.*/{"id":&}/' >"$T/in"
	run -0 wm-pg-copy -t n -n 3 <"$T/in"
	[ "$(count n)" = 10 ]
	run -0 pq -c "SELECT count(DISTINCT xmin::text) FROM n"
	[ "$output" = 4 ]
	run -0 pq -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM n GROUP BY xmin::text ORDER BY min(id)"
	[ "$output" = $'1,2,3\n4,5,6\n7,8,9\n10' ]
}

@test "-T writes a slow trickle while the input stays open" {
	pq -c "CREATE TABLE trickle (id int)"
	mkfifo "$T/fifo"
	wm-pg-copy -t trickle -T 200 <"$T/fifo" >/dev/null 2>"$T/err" &
	BG_PIDS+=($!)
	exec 5>"$T/fifo"
	echo '{"id":1}' >&5
	wait_until 20 rows_eq trickle 1
	echo '{"id":2}' >&5
	wait_until 20 rows_eq trickle 2
	exec 5>&-
	wait "${BG_PIDS[0]}"
}

@test "--key: replaying the same input stores each row once" {
	pq -c "CREATE TABLE k (id uuid PRIMARY KEY, v int)"
	python3 -c '
import uuid
for i in range(50):
    print("{\"id\":\"%s\",\"v\":%d}" % (uuid.UUID(int=i), i))
print("{\"id\":\"%s\",\"v\":0}" % uuid.UUID(int=0))' >"$T/in"
	run -0 --separate-stderr wm-pg-copy -t k --key id -n 7 -v <"$T/in"
	[[ "$stderr" == *"50 rows stored"*"1 duplicates skipped"* ]]
	run -0 wm-pg-copy -t k --key id -n 7 <"$T/in"
	[ "$(count k)" = 50 ]
	run -0 pq -c "SELECT sum(v) FROM k"
	[ "$output" = 1225 ]
}

@test "--key needs a unique index on exactly those columns" {
	pq -c "CREATE TABLE nk (id int, ts int, UNIQUE (id, ts))"
	run -1 --separate-stderr wm-pg-copy -t nk --key id </dev/null
	[[ "$stderr" == *"no unique index"* ]]
	echo '{"id":1,"ts":2}' >"$T/in"
	run -0 wm-pg-copy -t nk --key ts,id <"$T/in"
	run -0 wm-pg-copy -t nk --key id,ts <"$T/in"
	[ "$(count nk)" = 1 ]
	run -1 --separate-stderr wm-pg-copy -t nk --key nope </dev/null
	[[ "$stderr" == *'no column "nope"'* ]]
}

@test "each kind of bad line is rejected with its line number, neighbours stored" {
	pq -c "CREATE TABLE bad (id int, ts timestamptz, small smallint, t text)"
	{
		echo '{"id":1}'
		echo '{"id":2,'				# 2: invalid JSON
		printf '{"id":3,"t":"\xff\xfe"}\n'	# 3: invalid UTF-8
		echo '{"id":4,"t":"a\u0000b"}'		# 4: NUL
		echo '{"id":5,"ts":"yesterday-ish"}'	# 5: bad timestamp
		echo '{"id":6,"small":70000}'		# 6: out of range
		printf '{"id":7,"t":"%0200d"}\n' 0	# 7: too long
		echo '[1,2]'				# 8: not an object
		echo ''					# 9: blank, skipped
		echo '{"id":10,"id":11}'		# 10: last duplicate key wins
		echo '{"id":12}'
	} >"$T/in"
	run -3 wm-pg-copy -t bad --max-line 100 --reject "$T/rej" <"$T/in"
	run -0 pq -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM bad"
	[ "$output" = "1,11,12" ]
	run -0 jq -e -s 'map(.line) | sort == [2,3,4,5,6,7,8]' "$T/rej"
	run -0 jq -e -s 'map(select(.line == 3)) | .[0].error | test("invalid UTF-8")' "$T/rej"
	run -0 jq -e -s 'map(select(.line == 3)) | .[0].input == "{\"id\":3,\"t\":\"\ufffd\ufffd\"}"' "$T/rej"
	run -0 jq -e -s 'map(select(.line == 4)) | .[0].error | test("NUL")' "$T/rej"
	run -0 jq -e -s 'map(select(.line == 5)) | .[0].error | test("timestamp")' "$T/rej"
	run -0 jq -e -s 'map(select(.line == 6)) | .[0].error | test("out of range")' "$T/rej"
	run -0 jq -e -s 'map(select(.line == 7)) | .[0].error | test("longer than 100 bytes")' "$T/rej"
	run -0 jq -e -s 'map(select(.line == 2)) | .[0].input == "{\"id\":2,"' "$T/rej"
}

@test "constraint violations are found by bisecting, with --key too" {
	pq -c "CREATE TABLE cv (id int PRIMARY KEY, v int NOT NULL CHECK (v > 0))"
	for i in $(seq 1 40); do
		case $i in
		7) echo "{\"id\":$i,\"v\":null}" ;;
		23) echo "{\"id\":$i,\"v\":-1}" ;;
		*) echo "{\"id\":$i,\"v\":$i}" ;;
		esac
	done >"$T/in"
	run -3 wm-pg-copy -t cv --key id -n 16 --reject "$T/rej" <"$T/in"
	[ "$(count cv)" = 38 ]
	run -0 jq -e -s 'map(.line) | sort == [7,23]' "$T/rej"
	run -0 jq -e -s '.[] | select(.line == 7) | .error | test("null value")' "$T/rej"
	# Without --key a duplicate of a stored row is a rejected row.
	echo '{"id":1,"v":1}' >"$T/in2"
	echo '{"id":41,"v":1}' >>"$T/in2"
	run -3 wm-pg-copy -t cv --reject "$T/rej2" <"$T/in2"
	[ "$(count cv)" = 39 ]
	run -0 jq -e '.line == 1 and (.error | test("duplicate key"))' "$T/rej2"
}

# ackn FILE: the count of the last acknowledgement in FILE (lib/ack.h:
# "wmack1 STREAM CHAN RUN BASE COUNT"), 0 when there is none.
ackn() { awk 'END { print (NF ? $NF : 0) }' "$1" 2>/dev/null || echo 0; }

@test "--ack counts every input line once it is stored, rejected or skipped" {
	pq -c "CREATE TABLE ack (id int)"
	printf '%s\n' '{"id":1}' 'bad' '' '{"id":2}' '{"id":"x"}' '{"id":3}' '{"id":4}' >"$T/in"
	: >"$T/ack"	# a regular file is appended to
	run -3 wm-pg-copy -t ack -n 2 --ack "$T/ack" --reject "$T/rej" <"$T/in"
	[ "$(ackn "$T/ack")" = 7 ]
	# Cumulative and increasing, one line per batch, each naming the stream.
	run -0 sort -n -k6 -c "$T/ack"
	[ "$(wc -l <"$T/ack")" -ge 3 ]
	run -0 awk -v s="$(stat -c '%d:%i' "$T/in")" '$1 != "wmack1" || $2 != s { exit 1 }' "$T/ack"
	[ "$(( $(count ack) + $(wc -l <"$T/rej") + 1 ))" = 7 ]
}

@test "input ending inside a broken line: not stored, rejected or acked; exit 1" {
	pq -c "CREATE TABLE cut (id int)"
	# The writer was killed mid-line: no newline, not a whole object.
	printf '%s\n%s' '{"id":1}' '{"id":2,"na' >"$T/in"
	: >"$T/ack"; : >"$T/ack2"
	run -1 --separate-stderr wm-pg-copy -t cut --ack "$T/ack" --reject "$T/rej" <"$T/in"
	[[ $stderr == *"<stdin>:2: input ended inside a line"* ]]
	[ "$(count cut)" = 1 ]
	[ ! -s "$T/rej" ]
	[ "$(ackn "$T/ack")" = 1 ]
	# A whole object without its newline is an ordinary last line.
	printf '%s\n%s' '{"id":3}' '{"id":4}' | wm-pg-copy -t cut --ack "$T/ack2"
	[ "$(count cut)" = 3 ]
	[ "$(ackn "$T/ack2")" = 2 ]
}

@test "--ack on a FIFO is read by the stage upstream" {
	pq -c "CREATE TABLE ackf (id int)"
	mkfifo "$T/ackfifo"
	cat "$T/ackfifo" >"$T/acks" &
	BG_PIDS+=($!)
	seq 1 5 | sed 's/.*/{"id":&}/' | wm-pg-copy -t ackf -n 2 --ack "$T/ackfifo"
	wait "${BG_PIDS[0]}"
	run -0 tail -n 1 "$T/acks"
	[[ $output =~ ^wmack1\ [0-9]+:[0-9]+\ [0-9]+:[0-9]+\ [0-9]+\.[0-9]+\ [0-9]+\ 5$ ]]
}

@test "SIGTERM flushes the batch, acks it and exits 0" {
	pq -c "CREATE TABLE term (id int)"
	mkfifo "$T/fifo"
	: >"$T/ack"
	wm-pg-copy -t term -n 1000 -T 600000 --ack "$T/ack" <"$T/fifo" >/dev/null 2>"$T/err" &
	local pid=$!
	BG_PIDS+=($pid)
	exec 5>"$T/fifo"
	printf '%s\n' '{"id":1}' '{"id":2}' '{"id":3}' >&5
	# Only the open COPY sees the rows until the batch commits.
	sleep 0.5
	[ "$(count term)" = 0 ]
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || { cat "$T/err"; flunk "exit status $rc"; }
	exec 5>&-
	[ "$(count term)" = 3 ]
	[ "$(ackn "$T/ack")" = 3 ]
}

@test "a server restart mid-stream loses nothing and stores nothing twice" {
	pq -c "CREATE TABLE rs (id int PRIMARY KEY)"
	: >"$T/ack"
	(
		for i in $(seq 1 300); do
			echo "{\"id\":$i}"
			sleep 0.01
		done
	) | wm-pg-copy -t rs --key id -n 20 -T 100 --ack "$T/ack" >/dev/null 2>"$T/err" &
	local pid=$!
	BG_PIDS+=($pid)
	wait_until 30 rows_gt rs 20
	pg_down fast
	sleep 1
	pg_up
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || { cat "$T/err"; flunk "exit status $rc"; }
	[ "$(count rs)" = 300 ]
	[ "$(ackn "$T/ack")" = 300 ]
	grep -q "retrying in" "$T/err"
}

@test "a missing table exits 1 with a clear message" {
	run -1 --separate-stderr wm-pg-copy -t no_such_table </dev/null
	[[ "$stderr" == *"table 'no_such_table'"*"does not exist"* ]]
	run -1 --separate-stderr wm-pg-copy -t 'no_schema.t' </dev/null
	[[ "$stderr" == *"does not exist"* ]]
}

@test "permission denied exits 1 and acks nothing" {
	pq -c "CREATE TABLE priv (id int); GRANT SELECT ON priv TO wm_nobody"
	echo '{"id":1}' >"$T/in"
	PGUSER=wm_nobody run -1 --separate-stderr wm-pg-copy -t priv --ack "$T/ack" <"$T/in"
	[[ "$stderr" == *"permission denied"* ]]
	[ "$(ackn "$T/ack")" = 0 ]
	[ "$(count priv)" = 0 ]
}

@test "result records of DESIGN.md go into sql/schema.sql's wm_results" {
	pq -f "$ROOT/sql/schema.sql" >/dev/null
	cat >"$T/in" <<-'EOF'
	{"id":"0190f5c2-7a3b-7c4d-8e9f-0123456789ab","ts":"2026-11-23T12:34:56.123456Z","url":"https://example.com/","name":"home","method":"GET","ok":true,"status":200,"error":null,"detail":null,"time_ms":120.512,"dns_ms":1.204,"connect_ms":10.001,"tls_ms":30.5,"wait_ms":70.25,"transfer_ms":8.557,"bytes":1256,"ip":"93.184.216.34","regex":"Example","match":true,"matched":"Example","cert_expiry":"2027-01-15T23:59:59Z","probe":"probe-1","tags":{"env":"prod"}}
	{"id":"0190f5c2-7a3b-7c4d-8e9f-0123456789ac","ts":"2026-11-23T12:35:56.000001Z","url":"http://down.example/","name":null,"method":"HEAD","ok":false,"status":null,"error":"connect","detail":"Connection refused","time_ms":0.812,"dns_ms":0.3,"connect_ms":null,"tls_ms":null,"wait_ms":null,"transfer_ms":null,"bytes":0,"ip":"127.0.0.1","regex":null,"match":null,"matched":null,"cert_expiry":null,"probe":"probe-1","tags":null}
	EOF
	run -0 wm-pg-copy -t wm_results --key id <"$T/in"
	run -0 wm-pg-copy -t wm_results --key id <"$T/in"
	[ "$(count wm_results)" = 2 ]
	run -0 pq -c "SELECT ok, status, time_ms, tags->>'env', host(ip) FROM wm_results ORDER BY ts"
	[ "$output" = $'t|200|120.512|prod|93.184.216.34\nf||0.812||127.0.0.1' ]
}
