#!/usr/bin/env bats
# wm-kafka-pub and wm-kafka-sub against Apache Kafka itself (one KRaft broker
# for the file, tests/kafka/broker.sh): kcat in both directions, the
# idempotent producer, consumer groups, offsets by timestamp, the TLS
# client-certificate and SASL/SCRAM listeners, and failing fast when a broker
# cannot be reached or refuses the client.

load test_helper
load helpers/broker

setup_file() {
	broker_start
	echo "# Apache Kafka $BROKER_VERSION started in $BROKER_START_MS ms" >&3
	export KAFKA_BROKERS=$BROKER_PLAIN
	for i in $(seq 1 1000); do
		printf '{"id":"%d","url":"http://site%d.test/"}\n' "$i" $((i % 13))
	done >"$BATS_FILE_TMPDIR/1000.ndjson"
}

teardown_file() {
	broker_stop
}

# sorted FILE: its lines sorted, for comparing sets of messages
sorted() {
	LC_ALL=C sort "$1"
}

@test "kcat -P writes, wm-kafka-sub reads every line once" {
	broker_topic k2w
	kcat -P -b "$BROKER_PLAIN" -t k2w <"$BATS_FILE_TMPDIR/1000.ndjson"
	wm-kafka-sub -q -t k2w -e >"$BATS_TEST_TMPDIR/out"
	diff <(sorted "$BATS_FILE_TMPDIR/1000.ndjson") <(sorted "$BATS_TEST_TMPDIR/out")
}

@test "wm-kafka-pub writes, kcat -C reads every line once, keyed by url" {
	broker_topic w2k
	wm-kafka-pub -q -t w2k "$BATS_FILE_TMPDIR/1000.ndjson"
	kcat -C -b "$BROKER_PLAIN" -t w2k -e -q >"$BATS_TEST_TMPDIR/out"
	diff <(sorted "$BATS_FILE_TMPDIR/1000.ndjson") <(sorted "$BATS_TEST_TMPDIR/out")
	# The key is the url, and each url lives in one partition.
	kcat -C -b "$BROKER_PLAIN" -t w2k -e -q -f '%p %k\n' | sort -u >"$BATS_TEST_TMPDIR/keys"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/keys")" -eq 13 ]
	[ "$(cut -d' ' -f2 "$BATS_TEST_TMPDIR/keys" | sort -u | wc -l)" -eq 13 ]
	grep -q ' http://site7.test/$' "$BATS_TEST_TMPDIR/keys"
}

@test "idempotent producer with acks=all: every line once" {
	broker_topic idem
	run -0 --separate-stderr wm-kafka-pub -v -t idem -X enable.idempotence=true -X acks=all \
		"$BATS_FILE_TMPDIR/1000.ndjson"
	[[ $stderr == *" total: read=1000 delivered=1000 failed=0 "* ]]
	kcat -C -b "$BROKER_PLAIN" -t idem -e -q >"$BATS_TEST_TMPDIR/out"
	diff <(sorted "$BATS_FILE_TMPDIR/1000.ndjson") <(sorted "$BATS_TEST_TMPDIR/out")
}

@test "a consumer group commits: the next member continues where the last stopped" {
	broker_topic grp
	head -n 600 "$BATS_FILE_TMPDIR/1000.ndjson" | wm-kafka-pub -q -t grp
	# shellcheck disable=SC2086
	wm-kafka-sub -q -t grp -G g1 $KAFKA_GROUP_X -e >"$BATS_TEST_TMPDIR/a"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/a")" -eq 600 ]
	tail -n 400 "$BATS_FILE_TMPDIR/1000.ndjson" | wm-kafka-pub -q -t grp
	# shellcheck disable=SC2086
	wm-kafka-sub -q -t grp -G g1 $KAFKA_GROUP_X -e >"$BATS_TEST_TMPDIR/b"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/b")" -eq 400 ]
	cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" >"$BATS_TEST_TMPDIR/all"
	diff <(sorted "$BATS_FILE_TMPDIR/1000.ndjson") <(sorted "$BATS_TEST_TMPDIR/all")
	# The broker has the group's offsets: 1000 in all partitions together.
	kcat -C -b "$BROKER_PLAIN" -t grp -e -q -f '%p %o\n' >"$BATS_TEST_TMPDIR/offs"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/offs")" -eq 1000 ]
}

@test "-o s@TS starts at the first message at or after TS, e@TS ends before it (real timestamps)" {
	broker_topic bytime
	head -n 300 "$BATS_FILE_TMPDIR/1000.ndjson" | wm-kafka-pub -q -t bytime
	sleep 1.1
	ts=$(date +%s%3N)
	sleep 0.1
	tail -n 700 "$BATS_FILE_TMPDIR/1000.ndjson" | wm-kafka-pub -q -t bytime
	wm-kafka-sub -q -t bytime -o "s@$ts" -e >"$BATS_TEST_TMPDIR/out"
	diff <(tail -n 700 "$BATS_FILE_TMPDIR/1000.ndjson" | sorted /dev/stdin) \
		<(sorted "$BATS_TEST_TMPDIR/out")
	# kcat agrees.
	kcat -C -b "$BROKER_PLAIN" -t bytime -o "s@$ts" -e -q | wc -l | grep -qx 700
	# e@TS ends each partition before TS (without -e), alone and after s@.
	wm-kafka-sub -q -t bytime -o "e@$ts" >"$BATS_TEST_TMPDIR/before"
	diff <(head -n 300 "$BATS_FILE_TMPDIR/1000.ndjson" | sorted /dev/stdin) \
		<(sorted "$BATS_TEST_TMPDIR/before")
	wm-kafka-sub -q -t bytime -o s@1 -o "e@$ts" -e >"$BATS_TEST_TMPDIR/before2"
	diff <(sorted "$BATS_TEST_TMPDIR/before") <(sorted "$BATS_TEST_TMPDIR/before2")
	kcat -C -b "$BROKER_PLAIN" -t bytime -o "e@$ts" -e -q | wc -l | grep -qx 300
	# A time after the last message: nothing.
	wm-kafka-sub -q -t bytime -o "s@$(($(date +%s%3N) + 60000))" -e >"$BATS_TEST_TMPDIR/none"
	[ ! -s "$BATS_TEST_TMPDIR/none" ]
}

@test "examples/kafka-tls.conf (client certificate) carries messages both ways" {
	broker_topic tls
	broker_conf_tls "$BATS_TEST_TMPDIR/tls.conf"
	grep -q '^security.protocol=ssl$' "$BATS_TEST_TMPDIR/tls.conf"
	head -n 100 "$BATS_FILE_TMPDIR/1000.ndjson" >"$BATS_TEST_TMPDIR/in"
	env -u KAFKA_BROKERS wm-kafka-pub -q -F "$BATS_TEST_TMPDIR/tls.conf" -t tls "$BATS_TEST_TMPDIR/in"
	env -u KAFKA_BROKERS wm-kafka-sub -q -F "$BATS_TEST_TMPDIR/tls.conf" -t tls -e >"$BATS_TEST_TMPDIR/out"
	diff <(sorted "$BATS_TEST_TMPDIR/in") <(sorted "$BATS_TEST_TMPDIR/out")
}

@test "SASL_SSL with SCRAM-SHA-512 from a -F file carries messages both ways" {
	broker_topic scram
	broker_conf_scram "$BATS_TEST_TMPDIR/scram.conf"
	head -n 100 "$BATS_FILE_TMPDIR/1000.ndjson" >"$BATS_TEST_TMPDIR/in"
	env -u KAFKA_BROKERS wm-kafka-pub -q -F "$BATS_TEST_TMPDIR/scram.conf" -t scram "$BATS_TEST_TMPDIR/in"
	# shellcheck disable=SC2086
	env -u KAFKA_BROKERS wm-kafka-sub -q -F "$BATS_TEST_TMPDIR/scram.conf" -t scram \
		-G scramg $KAFKA_GROUP_X -e >"$BATS_TEST_TMPDIR/out"
	diff <(sorted "$BATS_TEST_TMPDIR/in") <(sorted "$BATS_TEST_TMPDIR/out")
}

@test "a wrong SCRAM password ends both programs with the broker's reason" {
	broker_conf_scram "$BATS_TEST_TMPDIR/bad.conf" wrong-password
	# A long wait: the authentication failure must end it, not the timer.
	run -1 --separate-stderr wm-kafka-pub -F "$BATS_TEST_TMPDIR/bad.conf" -t scram \
		-X webmon.connect.timeout.ms=600000 "$BATS_FILE_TMPDIR/1000.ndjson"
	[[ $stderr == *"wm-kafka-pub: kafka: "*"Authentication failed"*"invalid credentials"* ]]
	[[ $stderr != *wrong-password* ]]
	run -1 --separate-stderr wm-kafka-sub -F "$BATS_TEST_TMPDIR/bad.conf" -t scram -e \
		-X webmon.connect.timeout.ms=600000
	[[ $stderr == *"wm-kafka-sub: kafka: "*"Authentication failed"*"invalid credentials"* ]]
	[[ $stderr != *wrong-password* ]]
}

@test "a client certificate the broker does not trust: ends with the TLS failure" {
	local d=$BATS_TEST_TMPDIR
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/rogue.key" -out "$d/rogue.pem" -days 2 -subj /CN=rogue 2>/dev/null
	broker_conf_tls "$d/rogue.conf"
	sed -i -e "s|^ssl.certificate.location=.*|ssl.certificate.location=$d/rogue.pem|" \
		-e "s|^ssl.key.location=.*|ssl.key.location=$d/rogue.key|" "$d/rogue.conf"
	run -1 --separate-stderr wm-kafka-pub -F "$d/rogue.conf" -t tls \
		-X webmon.connect.timeout.ms=3000 "$BATS_FILE_TMPDIR/1000.ndjson"
	[[ $stderr == *"wm-kafka-pub: kafka: no broker answered in 3.0 s: "*"$BROKER_SSL"* ]]
	run -1 --separate-stderr wm-kafka-sub -F "$d/rogue.conf" -t tls -e \
		-X webmon.connect.timeout.ms=3000
	[[ $stderr == *"wm-kafka-sub: kafka: no broker answered in 3.0 s: "*"$BROKER_SSL"* ]]
}

@test "an unreachable broker ends both programs with the connect error" {
	port=$(free_port)
	run -1 --separate-stderr wm-kafka-pub -b "127.0.0.1:$port" -t x \
		-X webmon.connect.timeout.ms=2000 "$BATS_FILE_TMPDIR/1000.ndjson"
	[[ $stderr == *"no broker answered in 2.0 s: 127.0.0.1:$port/bootstrap: Connect to"*"Connection refused"* ]]
	run -1 --separate-stderr wm-kafka-sub -b "127.0.0.1:$port" -t x -e \
		-X webmon.connect.timeout.ms=2000
	[[ $stderr == *"no broker answered in 2.0 s: 127.0.0.1:$port/bootstrap: Connect to"*"Connection refused"* ]]
}

@test "webmon.connect.timeout.ms=0 waits for a broker that comes later" {
	broker_topic late
	port=$(free_port)
	# A relay that starts listening 3 s later, forwarding to the broker.
	(sleep 3 && exec python3 -c '
import socket, sys, threading
def pump(a, b):
    while True:
        d = a.recv(65536)
        if not d:
            b.shutdown(socket.SHUT_WR); return
        b.sendall(d)
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(8)
host, port = sys.argv[2].split(":")
while True:
    c, _ = l.accept()
    u = socket.create_connection((host, int(port)))
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
' "$port" "$BROKER_PLAIN") 3>&- &
	relay=$!
	status=0
	head -n 10 "$BATS_FILE_TMPDIR/1000.ndjson" |
		wm-kafka-pub -q -b "127.0.0.1:$port" -t late -X webmon.connect.timeout.ms=0 ||
		status=$?
	kill "$relay"
	wait "$relay" || true
	[ "$status" -eq 0 ]
	[ "$(kcat -C -b "$BROKER_PLAIN" -t late -e -q | wc -l)" -eq 10 ]
}

@test "brokers: -b, then -X/-F/KCAT_CONFIG, then KAFKA_BROKERS, for both programs" {
	broker_topic order
	bad=127.0.0.1:$(free_port)
	ff=(-X webmon.connect.timeout.ms=3000)
	printf 'bootstrap.servers=%s\n' "$BROKER_PLAIN" >"$BATS_TEST_TMPDIR/good.conf"
	printf 'bootstrap.servers=%s\n' "$bad" >"$BATS_TEST_TMPDIR/bad.conf"
	one='{"id":"o","url":"http://o.test/"}'
	# -b wins over -X and KAFKA_BROKERS.
	KAFKA_BROKERS=$bad wm-kafka-pub -q "${ff[@]}" -b "$BROKER_PLAIN" \
		-X "bootstrap.servers=$bad" -t order <<<"$one"
	KAFKA_BROKERS=$bad run -0 wm-kafka-sub -q "${ff[@]}" -b "$BROKER_PLAIN" \
		-X "bootstrap.servers=$bad" -t order -e
	[ "$output" = "$one" ]
	# -X wins over KAFKA_BROKERS.
	KAFKA_BROKERS=$bad wm-kafka-pub -q "${ff[@]}" -X "bootstrap.servers=$BROKER_PLAIN" \
		-t order <<<"$one"
	KAFKA_BROKERS=$bad run -0 wm-kafka-sub -q "${ff[@]}" \
		-X "bootstrap.servers=$BROKER_PLAIN" -t order -e
	[ "${#lines[@]}" -eq 2 ]
	# KCAT_CONFIG wins over KAFKA_BROKERS; -F replaces KCAT_CONFIG.
	KAFKA_BROKERS=$bad KCAT_CONFIG="$BATS_TEST_TMPDIR/good.conf" \
		wm-kafka-pub -q "${ff[@]}" -t order <<<"$one"
	KAFKA_BROKERS=$bad KCAT_CONFIG="$BATS_TEST_TMPDIR/good.conf" \
		run -0 wm-kafka-sub -q "${ff[@]}" -t order -e
	[ "${#lines[@]}" -eq 3 ]
	KCAT_CONFIG="$BATS_TEST_TMPDIR/bad.conf" run -0 wm-kafka-sub -q "${ff[@]}" \
		-F "$BATS_TEST_TMPDIR/good.conf" -t order -e
	[ "${#lines[@]}" -eq 3 ]
	# KAFKA_BROKERS last.
	KAFKA_BROKERS=$BROKER_PLAIN wm-kafka-pub -q "${ff[@]}" -t order <<<"$one"
	KAFKA_BROKERS=$BROKER_PLAIN run -0 wm-kafka-sub -q "${ff[@]}" -t order -e
	[ "${#lines[@]}" -eq 4 ]
	# Nothing anywhere: a usage error naming every source.
	KAFKA_BROKERS= run -2 --separate-stderr wm-kafka-sub -t order
	[[ $stderr == *"no brokers: use -b host:port, -X bootstrap.servers, -F file or KAFKA_BROKERS"* ]]
	KAFKA_BROKERS= run -2 --separate-stderr wm-kafka-pub -t order </dev/null
	[[ $stderr == *"no brokers: use -b host:port, -X bootstrap.servers, -F file or KAFKA_BROKERS"* ]]
}

@test "kcat's -m sets the wait for a first broker; kcat flags not taken are refused by name" {
	port=$(free_port)
	run -1 --separate-stderr wm-kafka-sub -b "127.0.0.1:$port" -t x -e -m 1.5
	[[ $stderr == *"no broker answered in 1.5 s: "*"Connection refused"* ]]
	run -1 --separate-stderr wm-kafka-pub -b "127.0.0.1:$port" -t x -m 1.5 </dev/null
	[[ $stderr == *"no broker answered in 1.5 s: "*"Connection refused"* ]]
	run -2 --separate-stderr wm-kafka-pub -t x -m soon </dev/null
	[[ $stderr == *"-m 'soon': bad number, want seconds from 0.001"* ]]
	run -2 --separate-stderr wm-kafka-sub -t x -m 0
	[[ $stderr == *"-m '0': bad number, want seconds from 0.001"* ]]
	run -2 --separate-stderr wm-kafka-sub -t x -s value=avro
	[[ $stderr == *"kcat's -s is not supported (deserializers"* ]]
	run -2 --separate-stderr wm-kafka-pub -t x -G g </dev/null
	[[ $stderr == *"kcat's -G is not supported (consumer group mode: use wm-kafka-sub)"* ]]
	run -2 --separate-stderr wm-kafka-pub -t x -o beginning </dev/null
	[[ $stderr == *"kcat's -o is not supported (a start offset: a consumer flag)"* ]]
	run -2 --separate-stderr wm-kafka-sub -t x -P
	[[ $stderr == *"kcat's -P is not supported (producer mode: use wm-kafka-pub)"* ]]
}

@test "-f, -K, -Z and -L on real timestamps, headers and metadata: the same bytes as kcat" {
	broker_topic fmt
	printf 'k1|one\nk2|two\n|nokey\nk4|\n' |
		kcat -P -b "$BROKER_PLAIN" -t fmt -p 2 -K '|' -Z -H a=1 -H nv
	local d=$BATS_TEST_TMPDIR args
	for args in "-f %t/%p/%o@%T:%k=%s;%K/%S(%h)\n" "-f %R%s" "-K : -Z" "-J -D |"; do
		# shellcheck disable=SC2086
		kcat -C -b "$BROKER_PLAIN" -t fmt -p 2 -e -q $args >"$d/kcat"
		# shellcheck disable=SC2086
		wm-kafka-sub -t fmt -p 2 -e -q $args >"$d/ours"
		cmp "$d/kcat" "$d/ours"
	done
	run -0 wm-kafka-sub -t fmt -p 2 -e -q -f '%T %h\n'
	[ "${#lines[@]}" -eq 4 ]
	[[ ${lines[0]} =~ ^[0-9]{13}\ a=1,nv=NULL$ ]]
	# -L as kcat -L, the controller marked.
	kcat -L -b "$BROKER_PLAIN" -t fmt >"$d/kcat"
	wm-kafka-sub -L -t fmt >"$d/ours"
	diff "$d/kcat" "$d/ours"
	grep -q '^  broker [0-9]* at .* (controller)$' "$d/ours"
}
