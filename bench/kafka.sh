#!/bin/bash
# bench/kafka.sh: produce and consume the same N (default 1,000,000) ~300-byte
# NDJSON result lines with kcat and with our programs, alternating (who goes
# first changes each round), ROUNDS (default 2) times, against Apache Kafka
# (tests/kafka/broker.sh: one KRaft broker, 3 partitions per topic) and
# against librdkafka's mock cluster (tests/fixtures/wm-mock-kafka), each
# labelled. Prints messages/s of each, the ratios (ours / kcat) and the peak
# RSS of our programs, and RESULT lines for bench/all.sh (kafka_pub and
# kafka_sub: the real broker; kafka_pub_mock, kafka_sub_mock: the mock).
# wm-kafka-pub is idempotent by default and kcat -P is not: kcat is also
# run with -X enable.idempotence=true (kcat-Pi, RESULT kafka_pub_idem), and
# each producer's CPU time is printed. The real broker is started afresh
# for each round and warmed up first: on this kind of host one broker slows
# down to half its speed after about ten 1M-line topics, for every client.
# Needs kcat and /usr/bin/time; the broker needs java and mvn.
#
#   make wm-kafka-pub wm-kafka-sub tests/fixtures/wm-mock-kafka
#   N=100000 bench/kafka.sh
#   KAFKA="broker" bench/kafka.sh      only the real broker ("mock": only the mock)
set -eu
cd "$(dirname "$0")/.."
N=${N:-1000000}
ROUNDS=${ROUNDS:-2}
KAFKA=${KAFKA:-"broker mock"}
export PATH=$PWD:$PWD/tests/fixtures:$PATH
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wm-bench-kafka.XXXXXX")
mock_pid=
cleanup() {
	[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
	[ -n "${BROKER_PID:-}" ] && broker_stop
	rm -rf "$tmp"
}
trap cleanup EXIT

# Result-like lines, ~300 bytes each, with varied urls.
awk -v n="$N" 'BEGIN {
	srand(42)
	for (i = 1; i <= n; i++) {
		s = int(rand() * 5000)
		printf "{\"id\":\"0190f2a1-%04x-7%03x-8%03x-%012d\",\"ts\":\"2026-11-23T12:%02d:%02d.%06dZ\",", \
		    i % 65536, s % 4096, i % 4096, i, i % 60, (i / 60) % 60, i % 1000000
		printf "\"url\":\"https://site%d.example.com/path/%d\",\"name\":null,\"method\":\"GET\",", s, i % 97
		printf "\"ok\":true,\"status\":200,\"error\":null,\"detail\":null,\"time_ms\":%d.%03d,", 20 + i % 500, i % 1000
		printf "\"dns_ms\":1.204,\"connect_ms\":3.517,\"tls_ms\":null,\"wait_ms\":10.112,\"transfer_ms\":0.321,"
		printf "\"bytes\":%d,\"ip\":\"10.0.%d.%d\",\"probe\":\"probe-1\"}\n", 1000 + s, s % 256, i % 256
	}
}' >"$tmp/in.ndjson"
bytes=$(wc -c <"$tmp/in.ndjson")
# The mock broker keeps only the last few MB of each partition: spread the
# input so that every partition holds about 1 MiB and nothing is dropped.
PARTS=${PARTS:-$(( (bytes + 1048575) / 1048576 > 4 ? (bytes + 1048575) / 1048576 : 4 ))}
echo "input: $N lines, $((bytes / N)) bytes/line average, $PARTS partitions"

# The mock cluster: topics with PARTS partitions through its control FIFO.
start_mock() {
	mkfifo "$tmp/ctl"
	wm-mock-kafka -b 1 --ctl "$tmp/ctl" >"$tmp/mock.out" 2>"$tmp/mock.log" </dev/null &
	mock_pid=$!
	for _ in $(seq 100); do
		grep -q '^bootstrap=' "$tmp/mock.out" 2>/dev/null && break
		sleep 0.1
	done
	B=$(sed -n 's/^bootstrap=//p' "$tmp/mock.out")
	[ -n "$B" ] || { echo "mock cluster did not start" >&2; exit 1; }
}
stop_mock() {
	kill "$mock_pid" && wait "$mock_pid" 2>/dev/null
	mock_pid=
}

# The real broker: a metadata request creates a topic (3 partitions).
start_broker() {
	# shellcheck source=../tests/kafka/broker.sh
	source tests/kafka/broker.sh
	broker_start || exit 1
	echo "Apache Kafka $BROKER_VERSION started in $BROKER_START_MS ms"
	B=$BROKER_PLAIN
}

topic_n=0 mock_topics=0
mktopic() {
	topic_n=$((topic_n + 1))
	T=bench$topic_n
	if [ "$target" = mock ]; then
		mock_topics=$((mock_topics + 1))
		echo "topic $T $PARTS" >"$tmp/ctl"
		while [ "$(grep -c '^ok' "$tmp/mock.out")" -lt "$mock_topics" ]; do sleep 0.1; done
	else
		until kcat -L -b "$B" -t "$T" 2>/dev/null | grep -q "topic \"$T\" with [1-9]"; do
			sleep 0.2
		done
	fi
}

# run NAME CMD...: time CMD, keep its peak RSS and CPU seconds; rate NAME
# COUNT records COUNT messages over that time.
declare -A rate rss cpu
run() {
	local name=$target/$1 t0
	shift
	t0=$(date +%s%N)
	/usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$@"
	ns=$(($(date +%s%N) - t0))
	rss[$name]=$(tail -n 1 "$tmp/rss" | cut -d' ' -f1)
	cpu[$name]="${cpu[$name]:-} $(tail -n 1 "$tmp/rss" | awk '{ printf "%.2f", $2 + $3 }')"
}
rate() {
	rate[$target/$1]="${rate[$target/$1]:-} $(awk -v n="$2" -v ns="$ns" 'BEGIN { printf "%.0f", n / (ns / 1e9) }')"
}

have_pub=0
command -v wm-kafka-pub >/dev/null && [ -x "$(command -v wm-kafka-pub)" ] && have_pub=1

consume() {
	local who
	for who in "$@"; do
		case $who in
		kcat) run kcat-C sh -c "kcat -C -b $B -t $T -e -q >'$tmp/out.kcat'"
			n=$(wc -l <"$tmp/out.kcat")
			rate kcat-C "$n" ;;
		wm) run wm-sub sh -c "wm-kafka-sub -b $B -t $T -e -q >'$tmp/out.wm'"
			rate wm-sub "$(wc -l <"$tmp/out.wm")" ;;
		esac
	done
}
produce() {
	case $1 in
	kcat) mktopic
		run kcat-P sh -c "kcat -P -b $B -t $T <'$tmp/in.ndjson'"
		rate kcat-P "$N" ;;
	kcati) mktopic
		run kcat-Pi sh -c "kcat -P -X enable.idempotence=true -b $B -t $T <'$tmp/in.ndjson'"
		rate kcat-Pi "$N" ;;
	wm) [ "$have_pub" = 1 ] || return 0
		mktopic
		run wm-pub sh -c "wm-kafka-pub -b $B -t $T <'$tmp/in.ndjson'"
		rate wm-pub "$N" ;;
	esac
}

bench() {
	local r
	for r in $(seq "$ROUNDS"); do
		# Odd rounds kcat first, even rounds ours first.
		if [ "$target" = broker ]; then
			start_broker
			# Warm-up, not timed, twice (the first timed run after
			# one was still ~30 % slower, whoever made it); also
			# idempotent, as the first producer id a fresh broker
			# hands out takes it ~0.5 s.
			mktopic
			kcat -P -X enable.idempotence=true -b "$B" -t "$T" <"$tmp/in.ndjson"
			mktopic
			kcat -P -b "$B" -t "$T" <"$tmp/in.ndjson"
		fi
		if [ $((r % 2)) = 1 ]; then
			produce wm
			produce kcati
			produce kcat
			consume kcat wm
		else
			produce kcat
			consume wm kcat
			produce kcati
			produce wm
		fi
		[ "$target" = broker ] && broker_stop
		# The mock broker drops the oldest data of a long partition log,
		# so the consumers are rated on what they actually read (the
		# same set).
		[ "$n" -eq "$N" ] || echo "note: the $target broker kept $n of $N messages" >&2
		cmp -s <(sort "$tmp/out.kcat") <(sort "$tmp/out.wm") ||
			{ echo "wm-kafka-sub output differs from kcat's" >&2; exit 1; }
	done
}

best() { tr ' ' '\n' <<<"$1" | sort -n | tail -n 1; }
report() {
	local ours=$target/$1 peer=$target/$2 name=$3 o p
	o=$(best "${rate[$ours]}")
	p=$(best "${rate[$peer]}")
	printf '%-14s %10s msg/s (runs:%s)%s\n' "$peer" "$p" "${rate[$peer]}" "${cpu[$peer]:+  CPU s:${cpu[$peer]}}"
	printf '%-14s %10s msg/s (runs:%s)  peak RSS %s KiB%s\n' "$ours" "$o" "${rate[$ours]}" "${rss[$ours]}" "${cpu[$ours]:+  CPU s:${cpu[$ours]}}"
	awk -v o="$o" -v p="$p" -v a="$ours" -v b="$peer" 'BEGIN { printf "ratio %s / %s: %.2fx\n\n", a, b, o / p }'
	sfx=; [ "$target" = mock ] && sfx=_mock
	RESULTS+=("RESULT name=$name$sfx ours=$o peer=$p unit=msg/s target=ratio>=1.0 note=peer=${2}${sfx:+,mock-cluster}")
	RESULTS+=("RESULT name=$name${sfx}_rss ours=${rss[$ours]} peer=- unit=KiB target=-")
}

RESULTS=()
for target in $KAFKA; do
	case $target in
	mock) start_mock ;;
	broker) ;;	# started for each round
	*) echo "KAFKA: broker or mock, not '$target'" >&2; exit 2 ;;
	esac
	bench
	echo "== $target: N=$N rounds=$ROUNDS partitions=$([ "$target" = mock ] && echo "$PARTS" || echo 3) (best run shown)"
	report wm-sub kcat-C kafka_sub
	if [ "$have_pub" = 1 ]; then
		report wm-pub kcat-P kafka_pub
		report wm-pub kcat-Pi kafka_pub_idem
	else
		printf '%-14s %10s msg/s\nwm-kafka-pub not built: skipped\n' kcat-P "$(best "${rate[$target/kcat-P]}")"
	fi
	[ "$target" = mock ] && stop_mock
done
printf '%s\n' "${RESULTS[@]}"
