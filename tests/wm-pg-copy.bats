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

@test "--help and -? print usage to stdout, -V the version; -h is a host" {
	run -0 --separate-stderr wm-pg-copy --help
	[[ "$output" == usage:* ]]
	[[ "$output" == *"-h, --host HOST"*"-U, --username USER"* ]]
	[ -z "$stderr" ]
	run -0 --separate-stderr wm-pg-copy '-?'
	[[ "$output" == usage:* ]]
	[ -z "$stderr" ]
	# As in psql, -h takes the host: without one it is a usage error.
	run -2 --separate-stderr wm-pg-copy -t x -h
	[[ "$stderr" == "wm-pg-copy: option '-h' needs an argument"* ]]
	[ -z "$output" ]
	run -0 wm-pg-copy -V
	[[ "$output" == "wm-pg-copy webmon-"* ]]
}

@test "usage errors exit 2" {
	run -2 --separate-stderr wm-pg-copy
	[[ "$stderr" == *"-t TABLE is required"* ]]
	run -2 --separate-stderr wm-pg-copy -t x -n 0
	run -2 --separate-stderr wm-pg-copy -t x --bogus=secret
	[[ "$stderr" == *"unknown option '--bogus'"* ]]
	[[ "$stderr" != *secret* ]]
	run -2 --separate-stderr wm-pg-copy -t x -Z
	[[ "$stderr" == *"unknown option '-Z'"* ]]
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
	grep -q "reconnected after" "$T/err"
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

# Run wm-pg-copy with only the given connection flags: no PG* variable.
nopgenv() {
	env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE "$@"
}

@test "psql's -h -p -U -d: host (socket dir), port, user, database as name, conninfo and URI" {
	pq -c "CREATE ROLE sink LOGIN" -c "CREATE DATABASE webmon OWNER sink"
	pq -d webmon -c "CREATE TABLE t (id int, who text DEFAULT current_user,
		db text DEFAULT current_database()); ALTER TABLE t OWNER TO sink"
	echo '{"id":1}' | nopgenv wm-pg-copy -h "$PG_DIR" -p "$PGPORT" -U sink -d webmon -t t
	echo '{"id":2}' | nopgenv wm-pg-copy --host="$PG_DIR" --port="$PGPORT" \
		--username=sink --dbname=webmon -t t
	echo '{"id":3}' | nopgenv wm-pg-copy -d "host=$PG_DIR port=$PGPORT user=sink dbname=webmon" -t t
	echo '{"id":4}' | nopgenv wm-pg-copy -d "postgresql://sink@/webmon?host=$PG_DIR&port=$PGPORT" -t t
	# As in psql, a conninfo in -d overrides -h and -U given before it.
	echo '{"id":5}' | nopgenv wm-pg-copy -h /nonexistent -U nobody \
		-d "host=$PG_DIR port=$PGPORT user=sink dbname=webmon" -t t
	# Flags win over the PG* variables (PGUSER=postgres PGDATABASE=postgres here).
	echo '{"id":6}' | wm-pg-copy -U sink -d webmon -t t
	run -0 pq -d webmon -c "SELECT string_agg(id || ':' || who || ':' || db, ' ' ORDER BY id) FROM t"
	[ "$output" = "1:sink:webmon 2:sink:webmon 3:sink:webmon 4:sink:webmon 5:sink:webmon 6:sink:webmon" ]
	# Flags fill in what the PG* variables would: the port is really used.
	run -1 --separate-stderr nopgenv wm-pg-copy -h "$PG_DIR" -p 1 -U sink -d webmon -t t </dev/null
	[[ "$stderr" == "wm-pg-copy: connect: "*".s.PGSQL.1"* ]]
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	# A password given in a conninfo never shows in messages.
	run -1 --separate-stderr nopgenv wm-pg-copy -d "host=$PG_DIR port=1 user=sink password=s3cret" -t t </dev/null
	[[ "$stderr" != *s3cret* ]]
	[ "$(pq -d webmon -c 'SELECT count(*) FROM t')" = 6 ]
}

@test "file operands are read in turn, '-' is stdin; rejects name the file and its line" {
	pq -c "CREATE TABLE fo (id int)"
	printf '%s\n' '{"id":1}' 'bad a2' '{"id":3}' >"$T/a"
	printf '%s\n' 'bad b1' '{"id":5}' >"$T/b"
	printf '%s\n' '{"id":6}' '{"id":"x"}' >"$T/stdin"
	run -3 --separate-stderr wm-pg-copy -t fo -n 2 --reject "$T/rej" \
		"$T/a" - "$T/b" <"$T/stdin"
	run -0 pq -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM fo"
	[ "$output" = "1,3,5,6" ]
	run -0 jq -c -s 'map([.file, .line]) | sort' "$T/rej"
	[ "$output" = "[[\"$T/a\",2],[\"$T/b\",1],[\"<stdin>\",2]]" ] || flunk "$output"
	# Acknowledgements are for the stage upstream on standard input.
	run -2 --separate-stderr wm-pg-copy -t fo --ack "$T/ack" "$T/a" </dev/null
	[[ "$stderr" == *"--ack acknowledges standard input, not file operands"* ]]
	run -2 --separate-stderr wm-pg-copy -t fo --ack "$T/ack" - "$T/a" </dev/null
	[[ "$stderr" == *"--ack acknowledges standard input, not file operands"* ]]
	printf '%s\n' '{"id":7}' '{"id":8}' >"$T/stdin"
	: >"$T/ack"
	run -0 wm-pg-copy -t fo --ack "$T/ack" - <"$T/stdin"
	# The count is the last field of an ack line.
	[ "$(tail -n 1 "$T/ack" | awk '{ print $NF }')" = 2 ]
	# A file that cannot be opened is reported and skipped; exit 1.
	run -1 --separate-stderr wm-pg-copy -t fo "$T/nope" "$T/a" </dev/null
	[[ "$stderr" == *"open '$T/nope': No such file or directory"* ]]
	[ "$(count fo)" = 8 ]
	# Without operands rejects keep their old form: no file key.
	echo 'bad' >"$T/bad"
	run -3 --separate-stderr wm-pg-copy -t fo <"$T/bad"
	run -0 jq -e -n --argjson r "$stderr" '$r.line == 1 and $r.input == "bad" and ($r | has("file") | not)'
}

@test "a broken last line of a file operand is named by file and line" {
	pq -c "CREATE TABLE fc (id int)"
	printf '%s\n' '{"id":1}' >"$T/a"
	printf '%s\n%s' '{"id":2}' '{"id":3,"na' >"$T/b"
	run -1 --separate-stderr wm-pg-copy -t fc "$T/a" "$T/b"
	[[ "$stderr" == *"$T/b:2: input ended inside a line"* ]]
	[ "$(count fc)" = 2 ]
}

@test "--ack sets synchronous_commit on for its session, also after a reconnect" {
	# The test cluster runs with synchronous_commit off, as some servers do:
	# a COMMIT returns before its WAL is written, and an acknowledged batch
	# could be lost in an immediate shutdown.
	[ "$(pq -c 'SHOW synchronous_commit')" = off ]
	pq -c "CREATE TABLE sc (id int PRIMARY KEY,
		sc text DEFAULT current_setting('synchronous_commit'))"
	echo '{"id":1}' | wm-pg-copy -t sc
	: >"$T/ack0"
	: >"$T/ack"
	echo '{"id":2}' | wm-pg-copy -t sc --ack "$T/ack0"
	run -0 pq -c "SELECT string_agg(id || '=' || sc, ' ' ORDER BY id) FROM sc"
	[ "$output" = "1=off 2=on" ]
	# Rows stored after the server restarted come from a new session.
	mkfifo "$T/fifo"
	wm-pg-copy -t sc --key id -n 1 --ack "$T/ack" <"$T/fifo" >/dev/null 2>"$T/err" &
	local pid=$!
	BG_PIDS+=($pid)
	exec 5>"$T/fifo"
	echo '{"id":3}' >&5
	wait_until 20 rows_eq sc 3
	pg_down fast
	echo '{"id":4}' >&5
	# The server must not inherit the FIFO's write end, or input never ends.
	pg_up 5>&-
	wait_until 30 rows_eq sc 4
	exec 5>&-
	wait "$pid"
	grep -q "reconnected after" "$T/err"
	run -0 pq -c "SELECT string_agg(id || '=' || sc, ' ' ORDER BY id) FROM sc"
	[ "$output" = "1=off 2=on 3=on 4=on" ]
}

@test "an acknowledged batch survives an immediate shutdown of a server with synchronous_commit off" {
	# Reproduction (issue 16.5): the server runs with synchronous_commit
	# off; the moment the ack of a 200-row batch arrives, the server is
	# stopped in immediate mode. Before wm-pg-copy set synchronous_commit
	# on for its session, 5 trials of 5 lost all 200 acknowledged rows
	# (the WAL writer had not written the commit yet); now none is lost.
	[ "$(pq -c 'SHOW synchronous_commit')" = off ]
	pq -c "CREATE TABLE imm (id int)"
	seq 1 200 | sed 's/.*/{"id":&}/' >"$T/in"
	mkfifo "$T/ack"
	wm-pg-copy -t imm -n 200 --ack "$T/ack" <"$T/in" 2>"$T/err" &
	local pid=$! line
	BG_PIDS+=($pid)
	# The count is the last field of an ack line; the first line (count 0)
	# only introduces the stream.
	exec 6<"$T/ack"
	while read -r line <&6 && [ "${line##* }" != 200 ]; do :; done
	pg_down immediate
	exec 6<&-
	[ "${line##* }" = 200 ]
	wait "$pid"
	pg_up
	[ "$(count imm)" = 200 ]
}

# Start wm-pg-copy on a FIFO, store one row, stop the server, send a row,
# wait, restart the server and let the row be stored. Stderr in $T/err.
outage() {
	pq -c "CREATE TABLE $1 (id int)"
	mkfifo "$T/fifo"
	wm-pg-copy -t "$1" -n 1 "${@:2}" <"$T/fifo" >/dev/null 2>"$T/err" &
	local pid=$!
	BG_PIDS+=($pid)
	exec 5>"$T/fifo"
	echo '{"id":1}' >&5
	wait_until 20 rows_eq "$1" 1
	pg_down fast
	echo '{"id":2}' >&5
	# Long enough for the backoff (100, 200, 400, 800 ms) to retry a few times.
	sleep 2
	pg_up 5>&-
	wait_until 30 rows_eq "$1" 2
	exec 5>&-
	wait "$pid"
}

@test "an outage says one line with its cause, then one 'reconnected after N s'" {
	outage out1
	cat "$T/err" >&2
	[ "$(wc -l <"$T/err")" = 2 ]
	# The cause: the server's shutdown or the lost connection.
	run -0 sed -n 1p "$T/err"
	[[ "$output" =~ ^wm-pg-copy:\ \"public\"\.\"out1\":\ .*(terminat|closed|connection).*\;\ retrying\ in\ 100\ ms$ ]]
	run -0 sed -n 2p "$T/err"
	[[ "$output" =~ ^wm-pg-copy:\ \"public\"\.\"out1\":\ reconnected\ after\ [0-9]+\.[0-9]\ s$ ]]
	# It lasted at least the 2 s the server was down.
	[[ "$output" =~ after\ ([0-9]+)\. ]]
	[ "${BASH_REMATCH[1]}" -ge 2 ]
}

@test "with -v each retry of an outage says why it failed" {
	outage out2 -v
	cat "$T/err" >&2
	[ "$(grep -c 'retrying in 100 ms' "$T/err")" = 1 ]
	[ "$(grep -c 'reconnected after' "$T/err")" = 1 ]
	# Each failed retry is one line with the reason the reconnect failed.
	[ "$(grep -c ': retry [0-9]* failed: .*connection.*; next in [0-9]* ms$' "$T/err")" -ge 3 ]
	grep -q "done: 2 rows stored" "$T/err"
}
