# A real Apache Kafka broker (single KRaft node) for tests and benchmarks.
# Source this file from bash; it needs java (17+), mvn, openssl and python3.
#
#   broker_fetch        copy the broker's jars from Maven Central into the cache
#                       once (BROKER_LIB); later calls find them there
#   broker_start        make a test CA and certificates, format a storage
#                       directory with a SCRAM user, start kafka.Kafka on free
#                       loopback ports and wait until it serves; exports
#     BROKER_PID        the JVM's process id
#     BROKER_DIR        temp dir: server.properties, data/, certs, broker.log
#     BROKER_PLAIN      bootstrap of the PLAINTEXT listener (127.0.0.1:PORT)
#     BROKER_SSL        bootstrap of the SSL listener (client certificate required)
#     BROKER_SASL       bootstrap of the SASL_SSL listener (SCRAM-SHA-512)
#     BROKER_CA         the test CA (PEM) that signed the broker and the client
#     BROKER_CERT BROKER_KEY     a client certificate and key signed by the CA
#     BROKER_USER BROKER_PASS    the SCRAM-SHA-512 user made at format time
#     BROKER_START_MS   how long the last start took until it served (ms)
#   broker_kill9        kill -9 the broker (its data stays)
#   broker_restart      start it again on the same ports and data
#   broker_stop         stop it by its PID (SIGTERM, then SIGKILL) and remove
#                       BROKER_DIR; safe twice
#
# Settings (environment):
#   WEBMON_KAFKA_VERSION  org.apache.kafka:kafka_2.13 version (default: the
#                         pom's kafka.version)
#   WEBMON_KAFKA_CACHE    jar cache (default ~/.cache/webmon-kafka)
#   WEBMON_KAFKA_HEAP     JVM heap (default 512m)
#   BROKER_PROPS          more server.properties lines (name=value, one per
#                         line) for the brokers started afterwards

BROKER_POM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

_broker_version() {
	if [ -n "${WEBMON_KAFKA_VERSION:-}" ]; then
		echo "$WEBMON_KAFKA_VERSION"
	else
		sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$BROKER_POM_DIR/pom.xml"
	fi
}

broker_fetch() {
	local v cache tmp
	v=$(_broker_version) || return 1
	cache=${WEBMON_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/webmon-kafka}
	BROKER_LIB="$cache/kafka_2.13-$v"
	export BROKER_LIB BROKER_VERSION=$v
	[ -e "$BROKER_LIB/.complete" ] && return 0
	command -v mvn >/dev/null && command -v java >/dev/null ||
		{ echo "broker: needs mvn and java (make deps installs them)" >&2; return 1; }
	mkdir -p "$cache" || return 1
	tmp=$(mktemp -d "$cache/fetch.XXXXXX") || return 1
	echo "broker: fetching Apache Kafka $v from Maven Central into $BROKER_LIB" >&2
	if ! mvn -q -B -f "$BROKER_POM_DIR/pom.xml" -Dkafka.version="$v" \
		-Dmdep.includeScope=runtime -DoutputDirectory="$tmp/lib" \
		dependency:copy-dependencies >"$tmp/mvn.log" 2>&1; then
		cat "$tmp/mvn.log" >&2
		rm -rf "$tmp"
		return 1
	fi
	# Another run may have finished first: keep its copy.
	if [ ! -e "$BROKER_LIB/.complete" ]; then
		rm -rf "$BROKER_LIB"
		mv "$tmp/lib" "$BROKER_LIB" && touch "$BROKER_LIB/.complete"
	fi
	rm -rf "$tmp"
}

# Free TCP ports on 127.0.0.1, N of them, held together so they differ.
_broker_ports() {
	python3 - "$1" <<'EOF'
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
EOF
}

# A CA, a broker certificate for 127.0.0.1/localhost and a client certificate.
_broker_certs() {
	local d=$1 ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes) who
	{
		openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.pem" \
			-days 30 -subj "/CN=webmon kafka test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" || exit 1
		for who in broker client; do
			openssl req "${ec[@]}" -keyout "$d/$who.key" -out "$d/$who.csr" \
				-subj "/CN=webmon-$who" || exit 1
			printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" \
				"basicConstraints=CA:FALSE" \
				"extendedKeyUsage=serverAuth,clientAuth" >"$d/$who.ext"
			openssl x509 -req -in "$d/$who.csr" -CA "$d/ca.pem" \
				-CAkey "$d/ca.key" -CAcreateserial -days 30 \
				-extfile "$d/$who.ext" -out "$d/$who.pem" || exit 1
		done
		# A PEM key store for Java: PKCS#8 key, then the chain.
		cat "$d/broker.key" "$d/broker.pem" "$d/ca.pem" >"$d/broker.keystore.pem"
	} >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; return 1; }
}

_broker_config() {
	local d=$1 plain=$2 ssl=$3 sasl=$4 ctl=$5
	cat >"$d/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctl
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$plain,SSL://127.0.0.1:$ssl,SASL_SSL://127.0.0.1:$sasl,CONTROLLER://127.0.0.1:$ctl
advertised.listeners=PLAINTEXT://127.0.0.1:$plain,SSL://127.0.0.1:$ssl,SASL_SSL://127.0.0.1:$sasl
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$d/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.consumer.min.session.timeout.ms=1000
group.min.session.timeout.ms=1000
ssl.keystore.type=PEM
ssl.keystore.location=$d/broker.keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$d/ca.pem
ssl.endpoint.identification.algorithm=
listener.name.ssl.ssl.client.auth=required
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
${BROKER_PROPS:-}
EOF
	cat >"$d/log4j2.properties" <<EOF
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=OUT
appender.out.type=Console
appender.out.name=OUT
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.apache.name=org.apache
logger.apache.level=WARN
logger.state.name=state.change.logger
logger.state.level=WARN
EOF
}

# Runs java in the calling shell; started with & it is a subshell whose
# last command execs java, so $! is the JVM's own pid.
_broker_java() {
	exec java -Xms128m -Xmx"${WEBMON_KAFKA_HEAP:-512m}" -XX:+UseSerialGC \
		-Djava.awt.headless=true \
		-Dlog4j2.configurationFile="$BROKER_DIR/log4j2.properties" \
		-Dlog4j.configuration="file:$BROKER_DIR/log4j2.properties" \
		-cp "$BROKER_LIB/*" "$@"
}

_broker_served() {
	grep -q 'Kafka Server started' "$BROKER_DIR/broker.log" 2>/dev/null
}

# Start kafka.Kafka on the prepared BROKER_DIR and wait until it serves.
_broker_run() {
	local t0 i
	t0=$(date +%s%3N)
	: >"$BROKER_DIR/broker.log"
	# fd 3 is bats' own: the broker must not hold it open.
	(_broker_java kafka.Kafka "$BROKER_DIR/server.properties") \
		</dev/null >>"$BROKER_DIR/broker.log" 2>&1 3>&- &
	BROKER_PID=$!
	export BROKER_PID
	# The pid also in a file: a restart in a bats test (a subshell) must be
	# seen by teardown_file.
	echo "$BROKER_PID" >"$BROKER_DIR/pid"
	# A test may kill -9 it from another shell: no "Killed" job notice.
	disown "$BROKER_PID" 2>/dev/null || true
	for ((i = 0; i < 1800; i++)); do
		if _broker_served; then
			BROKER_START_MS=$(($(date +%s%3N) - t0))
			export BROKER_START_MS
			return 0
		fi
		kill -0 "$BROKER_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "broker: kafka.Kafka did not start:" >&2
	tail -n 30 "$BROKER_DIR/broker.log" >&2
	return 1
}

broker_start() {
	local ports plain ssl sasl ctl id
	broker_fetch || return 1
	BROKER_DIR=$(mktemp -d "${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/broker.XXXXXX") || return 1
	export BROKER_DIR
	_broker_certs "$BROKER_DIR" || return 1
	ports=$(_broker_ports 4) || return 1
	read -r plain ssl sasl ctl <<<"$ports"
	_broker_config "$BROKER_DIR" "$plain" "$ssl" "$sasl" "$ctl"
	export BROKER_PLAIN="127.0.0.1:$plain" BROKER_SSL="127.0.0.1:$ssl"
	export BROKER_SASL="127.0.0.1:$sasl" BROKER_CA="$BROKER_DIR/ca.pem"
	export BROKER_CERT="$BROKER_DIR/client.pem" BROKER_KEY="$BROKER_DIR/client.key"
	export BROKER_USER=webmon BROKER_PASS="scram$RANDOM$RANDOM"
	# A cluster id as Kafka's Uuid makes them: never with a leading '-',
	# which the tool would read as an option (1 start in 64 failed so).
	id=$(python3 -c '
import base64, os
while True:
    s = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    if not s.startswith("-"):
        print(s)
        break')
	if ! (_broker_java kafka.tools.StorageTool format -t "$id" \
		-c "$BROKER_DIR/server.properties" \
		--add-scram "SCRAM-SHA-512=[name=$BROKER_USER,password=$BROKER_PASS]" \
		</dev/null >"$BROKER_DIR/format.log" 2>&1 3>&-); then
		echo "broker: storage format failed:" >&2
		cat "$BROKER_DIR/format.log" >&2
		return 1
	fi
	_broker_run
}

# Wait until the broker's process is gone (it is not our job: disowned).
_broker_gone() {
	local i
	for ((i = 0; i < ${1:-100}; i++)); do
		kill -0 "$BROKER_PID" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# The pid of the broker started last on BROKER_DIR.
_broker_pid() {
	[ -n "${BROKER_DIR:-}" ] && [ -s "$BROKER_DIR/pid" ] &&
		BROKER_PID=$(cat "$BROKER_DIR/pid")
	[ -n "${BROKER_PID:-}" ]
}

broker_kill9() {
	_broker_pid || return 0
	kill -9 "$BROKER_PID" 2>/dev/null || true
	_broker_gone
}

broker_restart() {
	broker_kill9
	_broker_run
}

broker_stop() {
	if _broker_pid; then
		kill -TERM "$BROKER_PID" 2>/dev/null || true
		_broker_gone 300 || broker_kill9
	fi
	[ -n "${BROKER_DIR:-}" ] && rm -rf "$BROKER_DIR"
	unset BROKER_PID BROKER_DIR
	return 0
}
